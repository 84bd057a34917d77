"""/ping/: a public «ok» that never touches the database; persistent connections are checked."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_ping_answers_ok_as_plain_text_without_a_query(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(reverse("ping"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content == b"ok"


def test_ping_refuses_post(client):
    assert client.post(reverse("ping")).status_code == 405


def test_persistent_connections_are_health_checked():
    # A connection kept between requests is tested before use, so a database restart
    # costs a reconnect instead of an error on every web worker's stale connection.
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True
