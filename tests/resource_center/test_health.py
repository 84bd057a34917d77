"""/health/: public, names the failing service, warns about a silent Celery worker."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from resource_center.celery import app
from resource_center.models import ServiceHeartbeat

pytestmark = pytest.mark.django_db

URL = reverse("health")


@pytest.fixture(autouse=True)
def filesystem_broker(monkeypatch, tmp_path):
    """Point the broker check at a temporary filesystem queue, whatever REDIS_URL says."""
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    monkeypatch.setitem(app.conf, "broker_url", "filesystem://")
    folders = {
        key: str(tmp_path / "celery" / key)
        for key in ("data_folder_in", "data_folder_out", "control_folder")
    }
    monkeypatch.setitem(app.conf, "broker_transport_options", folders)


@pytest.fixture
def broker_down(monkeypatch):
    # Port 1 is closed: the connection is refused at once.
    monkeypatch.setitem(app.conf, "broker_url", "redis://127.0.0.1:1/0")


def _heartbeat(age: timedelta) -> ServiceHeartbeat:
    return ServiceHeartbeat.objects.create(
        name=ServiceHeartbeat.Source.CELERY, seen_at=timezone.now() - age
    )


def _row(html: str, title: str) -> str:
    """The text of the table row starting with ``title``."""
    start = html.index(f"<td>{title}</td>")
    return html[start : html.index("</tr>", start)]


def test_anonymous_sees_all_services_working(client):
    _heartbeat(timedelta(seconds=30))

    response = client.get(URL)

    assert response.status_code == 200
    html = response.content.decode()
    for service in ("База данных", "Брокер очередей Celery"):
        assert "<td>работает</td>" in _row(html, service)
    assert "работают: последний сигнал" in _row(html, "Фоновые задачи (Celery)")
    assert "Все сервисы работают." in html


def test_broker_down_gives_503_naming_the_broker(client, broker_down):
    _heartbeat(timedelta(seconds=30))

    response = client.get(URL)

    assert response.status_code == 503
    html = response.content.decode()
    assert "<td>не работает: Unavailable: broker unreachable</td>" in _row(
        html, "Брокер очередей Celery"
    )
    assert "<td>работает</td>" in _row(html, "База данных")
    assert "Есть неработающие сервисы" in html


def test_missing_heartbeat_is_a_warning_not_a_failure(client):
    response = client.get(URL)

    assert response.status_code == 200
    assert "сигналов ещё не было" in _row(response.content.decode(), "Фоновые задачи (Celery)")


def test_stale_heartbeat_is_a_warning_not_a_failure(client):
    _heartbeat(timedelta(minutes=4))

    response = client.get(URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert "нет сигнала с" in _row(html, "Фоновые задачи (Celery)")
    assert "фоновых задач нет свежего сигнала" in html


def test_heartbeat_of_the_hand_run_command_does_not_count(client):
    ServiceHeartbeat.objects.create(name=ServiceHeartbeat.Source.COMMAND, seen_at=timezone.now())

    response = client.get(URL)

    assert "сигналов ещё не было" in _row(response.content.decode(), "Фоновые задачи (Celery)")


@pytest.mark.parametrize("method", ["post", "put", "delete", "trace"])
def test_wrong_method_gives_405(client, method):
    assert getattr(client, method)(URL).status_code == 405
