"""The client's address: REMOTE_ADDR, or X-Forwarded-For as written by trusted proxies."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.http import HttpResponse
from django.urls import reverse

from resource_center.middleware import ClientAddressMiddleware
from resource_center.models import AuditEntry
from students.views.invitations import INVITATION_THROTTLE

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.5"  # the reverse proxy the portal sees as REMOTE_ADDR
CLIENT = "203.0.113.9"
FORGED = "198.51.100.66"


def address_seen(rf, forwarded_for: str | None, remote_addr: str = PROXY) -> str:
    """REMOTE_ADDR as the views see it after the middleware."""
    seen = {}

    def view(request):
        seen["address"] = request.META["REMOTE_ADDR"]
        return HttpResponse()

    extra = {"REMOTE_ADDR": remote_addr}
    if forwarded_for is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded_for
    ClientAddressMiddleware(view)(rf.get("/", **extra))
    return seen["address"]


def test_reached_directly_x_forwarded_for_is_ignored(rf, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert address_seen(rf, FORGED, remote_addr=CLIENT) == CLIENT


def test_behind_one_proxy_the_right_most_entry_is_the_client(rf, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # The client sent a forged header; the proxy appended the address it really came from.
    assert address_seen(rf, f"{FORGED}, {CLIENT}") == CLIENT
    assert address_seen(rf, CLIENT) == CLIENT


def test_behind_two_proxies_the_second_entry_from_the_right_is_the_client(rf, settings):
    settings.TRUSTED_PROXY_COUNT = 2
    assert address_seen(rf, f"{FORGED}, {CLIENT}, 10.0.0.1") == CLIENT


def test_ipv6_client_addresses_are_accepted_and_normalised(rf, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert address_seen(rf, "2001:DB8:0:0::1") == "2001:db8::1"


@pytest.mark.parametrize(
    "forwarded_for",
    [
        None,
        "",
        "not-an-address",
        f"{FORGED}, garbage",
        f"{CLIENT}:443",
        "999.1.1.1",
        f"{CLIENT},",
        "<script>",
        "1" * 5000,
    ],
    ids=["missing", "empty", "word", "last-garbage", "port", "octet", "trailing", "html", "long"],
)
def test_a_malformed_header_keeps_the_proxys_address(rf, settings, forwarded_for):
    settings.TRUSTED_PROXY_COUNT = 1
    assert address_seen(rf, forwarded_for) == PROXY


def test_too_few_entries_keep_the_proxys_address(rf, settings):
    settings.TRUSTED_PROXY_COUNT = 2
    assert address_seen(rf, CLIENT) == PROXY


def test_a_client_reaching_the_portal_directly_cannot_forge_its_audit_address(
    client, counsellor_a, pupil_a, settings
):
    settings.TRUSTED_PROXY_COUNT = 0
    client.force_login(counsellor_a)

    response = client.get(
        reverse("students:student_detail", args=[pupil_a.uuid]),
        REMOTE_ADDR=CLIENT,
        HTTP_X_FORWARDED_FOR=FORGED,
    )

    assert response.status_code == 200
    entry = AuditEntry.objects.get(student=pupil_a, action=AuditEntry.Action.VIEW)
    assert entry.ip_address == CLIENT


def test_behind_the_proxy_the_audit_trail_stores_the_clients_address(
    client, counsellor_a, pupil_a, settings
):
    settings.TRUSTED_PROXY_COUNT = 1
    client.force_login(counsellor_a)

    response = client.get(
        reverse("students:student_detail", args=[pupil_a.uuid]),
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=f"{FORGED}, {CLIENT}",
    )

    assert response.status_code == 200
    entry = AuditEntry.objects.get(student=pupil_a, action=AuditEntry.Action.VIEW)
    assert entry.ip_address == CLIENT


def test_behind_the_proxy_the_login_lockout_is_per_client_not_per_proxy(
    client, counsellor_a, settings
):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.AXES_FAILURE_LIMIT = 3

    def log_in(password: str, client_address: str):
        return client.post(
            reverse("login"),
            {"username": "counsellor_a", "password": password},
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR=client_address,
        )

    for _ in range(3):
        log_in("wrong-password", CLIENT)
    assert log_in("test-pass-123", CLIENT).status_code == 429
    # Another client behind the same proxy is not locked out with the first.
    assert log_in("test-pass-123", FORGED).status_code == 302


@pytest.fixture
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.mark.usefixtures("_empty_cache")
def test_behind_the_proxy_the_code_throttle_is_per_client_not_per_proxy(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    password = "Kolokol-na-bashne-7"
    wrong = {"code": "ABCD-EFGH-JKLM", "username": "olga", "password1": password}
    wrong["password2"] = password

    def attempt(client_address: str):
        return client.post(
            reverse("students:invitation_accept"),
            wrong,
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR=client_address,
        )

    for _ in range(INVITATION_THROTTLE.limit):
        attempt(CLIENT)
    assert attempt(CLIENT).status_code == 429
    assert attempt(FORGED).status_code == 200
