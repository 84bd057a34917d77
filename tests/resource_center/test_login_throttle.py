"""Login throttling (django-axes): per username and address, with a Russian lockout page."""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from axes.utils import reset
from django.urls import reverse

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
LOGIN_URL = reverse("login")
ADMIN_LOGIN_URL = reverse("admin:login")
PASSWORD = "test-pass-123"  # tests.factories.UserFactory's
LOCKED = "Вход временно заблокирован"
HOME = reverse("home")


@pytest.fixture
def limit(settings) -> int:
    settings.AXES_FAILURE_LIMIT = 5
    return settings.AXES_FAILURE_LIMIT


def log_in(client, username: str, password: str, *, url: str = LOGIN_URL, address="127.0.0.1"):
    return client.post(
        url, {"username": username, "password": password}, REMOTE_ADDR=address, follow=False
    )


def fail(client, username: str, times: int, **kwargs) -> list[int]:
    return [log_in(client, username, "wrong-password", **kwargs).status_code for _ in range(times)]


def is_logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def settings_in_a_fresh_process(**variables: str) -> subprocess.CompletedProcess[str]:
    names = {"LOGIN_FAILURE_LIMIT", "LOGIN_COOLOFF_MINUTES", "DJANGO_SETTINGS_MODULE"}
    env = {k: v for k, v in os.environ.items() if k not in names} | variables
    code = (
        "from django.conf import settings as s; "
        "print(s.AXES_FAILURE_LIMIT, int(s.AXES_COOLOFF_TIME.total_seconds()))"
    )
    return subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_defaults_are_five_failures_and_a_fifteen_minute_cool_off():
    result = settings_in_a_fresh_process()
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["5", str(15 * 60)]


def test_limit_and_cool_off_come_from_the_environment():
    result = settings_in_a_fresh_process(LOGIN_FAILURE_LIMIT="7", LOGIN_COOLOFF_MINUTES="3")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["7", str(3 * 60)]


@pytest.mark.parametrize("variable", ["LOGIN_FAILURE_LIMIT", "LOGIN_COOLOFF_MINUTES"])
def test_a_zero_limit_or_cool_off_is_refused(variable):
    result = settings_in_a_fresh_process(**{variable: "0"})
    assert result.returncode != 0
    assert "must be at least 1" in result.stderr


def test_one_failure_short_of_the_limit_still_lets_the_right_password_in(
    client, counsellor_a, limit
):
    assert fail(client, "counsellor_a", limit - 1) == [200] * (limit - 1)

    response = log_in(client, "counsellor_a", PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == HOME
    assert is_logged_in(client)


def test_a_successful_login_starts_the_count_again(client, counsellor_a, limit):
    fail(client, "counsellor_a", limit - 1)
    assert log_in(client, "counsellor_a", PASSWORD).status_code == 302
    client.logout()

    # Without the reset these would make 2 * (limit - 1) failures and lock the login.
    assert fail(client, "counsellor_a", limit - 1) == [200] * (limit - 1)
    assert log_in(client, "counsellor_a", PASSWORD).status_code == 302


def test_the_limit_th_failure_locks_the_login_out_with_a_russian_page(client, counsellor_a, limit):
    statuses = fail(client, "counsellor_a", limit)

    assert statuses[:-1] == [200] * (limit - 1)
    assert statuses[-1] == 429
    response = log_in(client, "counsellor_a", PASSWORD)
    assert response.status_code == 429
    page = response.content.decode()
    assert LOCKED in page
    assert "Слишком много неудачных попыток входа под логином «counsellor_a»" in page
    assert "Попробуйте снова через 15 мин." in page
    assert not is_logged_in(client)


def test_the_lockout_page_escapes_the_username_typed(client, limit):
    fail(client, "<b>x</b>", limit)

    page = log_in(client, "<b>x</b>", PASSWORD).content.decode()

    assert "«&lt;b&gt;x&lt;/b&gt;»" in page
    assert "<b>x</b>" not in page


def test_the_same_login_from_another_address_is_not_locked(client, counsellor_a, limit):
    fail(client, "counsellor_a", limit, address="203.0.113.7")

    response = log_in(client, "counsellor_a", PASSWORD, address="198.51.100.20")

    assert response.status_code == 302
    assert is_logged_in(client)


def test_another_login_from_the_same_address_is_not_locked(client, counsellor_a, head_a, limit):
    fail(client, "counsellor_a", limit)

    assert log_in(client, "head_a", PASSWORD).status_code == 302
    assert is_logged_in(client)


def test_the_lock_ends_when_the_cool_off_has_passed(client, counsellor_a, limit, settings):
    settings.AXES_COOLOFF_TIME = datetime.timedelta(seconds=1)
    fail(client, "counsellor_a", limit)
    assert log_in(client, "counsellor_a", PASSWORD).status_code == 429

    time.sleep(1.1)

    assert log_in(client, "counsellor_a", PASSWORD).status_code == 302
    assert is_logged_in(client)


def test_attempts_during_the_lockout_do_not_extend_it(client, counsellor_a, limit, settings):
    settings.AXES_COOLOFF_TIME = datetime.timedelta(seconds=1)
    fail(client, "counsellor_a", limit)
    time.sleep(0.6)
    assert fail(client, "counsellor_a", 2) == [429, 429]

    time.sleep(0.6)

    assert log_in(client, "counsellor_a", PASSWORD).status_code == 302


def test_the_coordinator_can_lift_a_lock(client, counsellor_a, limit):
    fail(client, "counsellor_a", limit)

    reset(username="counsellor_a")

    assert log_in(client, "counsellor_a", PASSWORD).status_code == 302


def test_the_admin_login_is_throttled_too(client, coordinator, limit):
    statuses = fail(client, "coordinator", limit, url=ADMIN_LOGIN_URL)

    assert statuses[-1] == 429
    response = log_in(client, "coordinator", PASSWORD, url=ADMIN_LOGIN_URL)
    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    # The same pair is locked on the portal's own login page as well.
    assert log_in(client, "coordinator", PASSWORD).status_code == 429
    assert not is_logged_in(client)


def test_the_login_page_still_opens_for_a_locked_out_address(client, counsellor_a, limit):
    fail(client, "counsellor_a", limit)

    response = client.get(LOGIN_URL)

    assert response.status_code == 200
    assert "Вход в портал" in response.content.decode()


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"username": "counsellor_a"},
        {"password": PASSWORD},
        {"username": "", "password": ""},
        {"username": "x" * 5000, "password": "y"},
        {"username": "nul\x00byte", "password": "wrong"},
    ],
    ids=["empty", "no-password", "no-username", "blank", "long", "nul-byte"],
)
def test_odd_login_posts_are_never_a_server_error(client, counsellor_a, limit, data):
    for _ in range(limit + 1):
        response = client.post(LOGIN_URL, data)
        assert response.status_code in {200, 429}
