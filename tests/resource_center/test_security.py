"""Production hardening: the Content-Security-Policy, idle sessions, password changes, admin."""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from resource_center import demo_data
from resource_center.models import Role
from resource_center.session_expiry import REFRESH_INTERVAL, REFRESHED_AT_KEY
from tests import factories as f

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "test-pass-123"  # tests.factories.UserFactory's

# --- Content-Security-Policy ------------------------------------------------------------

POLICY = {
    "default-src": {"'self'"},
    "script-src": {"'self'"},
    "style-src": {"'self'"},
    "img-src": {"'self'", "data:"},
    "font-src": {"'self'"},
    "connect-src": {"'self'"},
    "object-src": {"'none'"},
    "base-uri": {"'self'"},
    "form-action": {"'self'"},
    "frame-ancestors": {"'none'"},
}


def directives(header: str) -> dict[str, set[str]]:
    parsed = {}
    for part in header.split(";"):
        name, *values = part.split()
        parsed[name] = set(values)
    return parsed


class InlineCodeFinder(HTMLParser):
    """Collects what a strict policy blocks: inline scripts and styles, handler attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.offences: list[str] = []
        self.scripts: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "script":
            self.scripts.append(values)
            # A data block (json_script) is never run, so the policy does not apply to it.
            if "src" not in values and values.get("type") != "application/json":
                self.offences.append(f"inline <script> {values}")
        if tag == "style":
            self.offences.append("<style> element")
        for name, value in attrs:
            if name == "style" or name.startswith("on"):
                self.offences.append(f'<{tag} {name}="{value}">')
            if name in {"href", "src", "action"} and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.offences.append(f'<{tag} {name}="{value}">')


def inline_code(html: str) -> InlineCodeFinder:
    finder = InlineCodeFinder()
    finder.feed(html)
    finder.close()
    return finder


@pytest.fixture
def superuser():
    return f.UserFactory(username="root", is_staff=True, is_superuser=True)


# (URL name, who asks for it): public pages, a list, the chart pages, the admin's.
SAMPLE_PAGES = [
    ("home", None),
    ("login", None),
    ("home", "counsellor_a"),
    ("students:student_list", "counsellor_a"),
    ("reports:dashboard", "district_admin"),
    ("labour:overview", "coordinator"),
    ("admin:login", None),
    ("admin:index", "coordinator"),
    ("admin:django_celery_beat_periodictask_add", "superuser"),
    ("admin:auth_user_changelist", "superuser"),
]


@pytest.mark.parametrize(("url_name", "persona"), SAMPLE_PAGES)
def test_page_sends_the_policy_and_has_no_inline_code(client, request, world, url_name, persona):
    if persona:
        client.force_login(request.getfixturevalue(persona))

    response = client.get(reverse(url_name))

    assert response.status_code == 200
    assert directives(response["Content-Security-Policy"]) == POLICY
    assert "Content-Security-Policy-Report-Only" not in response
    found = inline_code(response.content.decode())
    assert found.offences == []
    assert any(script.get("src") for script in found.scripts)


def test_chart_page_keeps_its_data_in_a_json_block(client, district_admin):
    client.force_login(district_admin)

    found = inline_code(client.get(reverse("reports:dashboard")).content.decode())

    sources = [script["src"] for script in found.scripts if script.get("src")]
    assert any("chart.umd.min.js" in src for src in sources)
    assert any(src.endswith("js/report_charts.js") for src in sources)


def test_lockout_page_sends_the_policy(client, settings, counsellor_a):
    settings.AXES_FAILURE_LIMIT = 2
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "counsellor_a", "password": "wrong"})

    response = client.post(reverse("login"), {"username": "counsellor_a", "password": PASSWORD})

    assert response.status_code == 429
    assert directives(response["Content-Security-Policy"]) == POLICY
    assert inline_code(response.content.decode()).offences == []


def test_report_only_mode_sends_the_same_policy_under_the_report_only_header(client, settings):
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = settings.CONTENT_SECURITY_POLICY
    settings.CONTENT_SECURITY_POLICY = None

    response = client.get(reverse("login"))

    assert "Content-Security-Policy" not in response
    assert directives(response["Content-Security-Policy-Report-Only"]) == POLICY


TEMPLATES = ROOT / "templates"


def test_no_template_has_inline_scripts_styles_or_handlers():
    offences = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        relative = path.relative_to(TEMPLATES)
        # E-mails are read in mail clients, where the page's policy does not apply and
        # inline styles are the only styles that work.
        if "email" in relative.parts:
            continue
        found = inline_code(path.read_text(encoding="utf-8"))
        offences += [f"{relative}: {offence}" for offence in found.offences]
    assert offences == []


def settings_in_a_fresh_process(code: str, **variables: str) -> subprocess.CompletedProcess[str]:
    names = {"CSP_REPORT_ONLY", "SESSION_IDLE_MINUTES", "DJANGO_SETTINGS_MODULE"}
    env = {k: v for k, v in os.environ.items() if k not in names} | variables
    return subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


POLICIES = (
    "from django.conf import settings as s; "
    "print(s.CONTENT_SECURITY_POLICY is None, s.CONTENT_SECURITY_POLICY_REPORT_ONLY is None)"
)


def test_policy_is_enforced_unless_report_only_is_asked_for():
    assert settings_in_a_fresh_process(POLICIES).stdout.split() == ["False", "True"]
    report_only = settings_in_a_fresh_process(POLICIES, CSP_REPORT_ONLY="true")
    assert report_only.stdout.split() == ["True", "False"]


def test_malformed_report_only_variable_fails_loudly():
    assert settings_in_a_fresh_process(POLICIES, CSP_REPORT_ONLY="sometimes").returncode != 0


# --- sessions end after inactivity ------------------------------------------------------


def log_in(client, username: str) -> None:
    response = client.post(reverse("login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()


def stored_session(client) -> Session:
    return Session.objects.get(session_key=client.session.session_key)


def age_the_session(client, *, refreshed_seconds_ago: int, expires_in: datetime.timedelta):
    """Pretend the session was last refreshed a while ago and expires soon."""
    session = client.session
    session[REFRESHED_AT_KEY] = int(time.time()) - refreshed_seconds_ago
    session.save()
    Session.objects.filter(session_key=session.session_key).update(
        expire_date=timezone.now() + expires_in
    )


def test_idle_timeout_comes_from_the_environment():
    code = "from django.conf import settings as s; print(s.SESSION_COOKIE_AGE)"
    assert settings_in_a_fresh_process(code).stdout.split() == [str(60 * 60)]
    assert settings_in_a_fresh_process(code, SESSION_IDLE_MINUTES="15").stdout.split() == ["900"]
    assert settings_in_a_fresh_process(code, SESSION_IDLE_MINUTES="0").returncode != 0


def test_login_session_expires_after_the_idle_timeout(client, settings, counsellor_a):
    before = timezone.now()
    log_in(client, "counsellor_a")

    expiry = stored_session(client).expire_date
    idle = datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    assert before + idle <= expiry <= timezone.now() + idle
    assert REFRESHED_AT_KEY in client.session


def test_activity_moves_the_expiry_forward(client, settings, counsellor_a):
    log_in(client, "counsellor_a")
    age_the_session(
        client, refreshed_seconds_ago=REFRESH_INTERVAL + 1, expires_in=datetime.timedelta(minutes=1)
    )

    before = timezone.now()
    response = client.get(reverse("students:student_list"))

    assert response.status_code == 200
    idle = datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    assert stored_session(client).expire_date >= before + idle
    assert response.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == settings.SESSION_COOKIE_AGE


def test_activity_within_a_minute_writes_nothing(client, counsellor_a, settings):
    log_in(client, "counsellor_a")
    soon = datetime.timedelta(minutes=5)
    age_the_session(client, refreshed_seconds_ago=REFRESH_INTERVAL // 2, expires_in=soon)
    expiry = stored_session(client).expire_date

    response = client.get(reverse("students:student_list"))

    assert response.status_code == 200
    assert stored_session(client).expire_date == expiry
    assert settings.SESSION_COOKIE_NAME not in response.cookies


def test_idle_session_is_signed_out(client, counsellor_a):
    log_in(client, "counsellor_a")
    age_the_session(
        client, refreshed_seconds_ago=REFRESH_INTERVAL, expires_in=-datetime.timedelta(seconds=1)
    )

    response = client.get(reverse("students:student_list"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


# --- a password change signs the other sessions out -------------------------------------


def test_password_change_signs_out_the_users_other_sessions(
    client, counsellor_a, django_user_model
):
    other_browser = client.__class__()
    log_in(client, "counsellor_a")
    log_in(other_browser, "counsellor_a")
    new_password = "Kama-river-2024-spring"

    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": new_password, "new_password2": new_password},
    )

    assert response.status_code == 302
    assert django_user_model.objects.get(pk=counsellor_a.pk).check_password(new_password)
    # The browser that changed the password stays signed in; the other one is signed out.
    assert client.get(reverse("students:student_list")).status_code == 200
    response = other_browser.get(reverse("students:student_list"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert "_auth_user_id" not in other_browser.session


def test_password_set_in_the_admin_signs_the_user_out(client, superuser, counsellor_a):
    admin_browser = client.__class__()
    admin_browser.force_login(superuser)
    log_in(client, "counsellor_a")
    new_password = "Kama-river-2024-spring"

    response = admin_browser.post(
        reverse("admin:auth_user_password_change", args=[counsellor_a.pk]),
        {"password1": new_password, "password2": new_password, "usable_password": "true"},
    )

    assert response.status_code == 302
    counsellor_a.refresh_from_db()
    assert counsellor_a.check_password(new_password)
    response = client.get(reverse("students:student_list"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_weak_new_password_is_refused_in_russian(client, counsellor_a):
    log_in(client, "counsellor_a")

    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"},
    )

    assert response.status_code == 200
    assert "Введённый пароль слишком широко распространён." in response.content.decode()
    counsellor_a.refresh_from_db()
    assert counsellor_a.check_password(PASSWORD)


# --- the admin site is the coordinator's -------------------------------------------------

# Each demo login's role, played by the persona of tests/conftest.py with that role.
PERSONAS = {
    Role.COUNSELLOR: "counsellor_a",
    Role.SCHOOL_HEAD: "head_a",
    Role.TECHNIKUM_STAFF: "technikum_staff",
    Role.EMPLOYER_REP: "employer_rep",
    Role.CENTRE_SPECIALIST: "centre_specialist",
    Role.ADMINISTRATION: "district_admin",
    Role.COORDINATOR: "coordinator",
    "parent": "parent_of_pupil_a",
    "pupil": "pupil_a_user",
}


def test_every_demo_role_has_a_persona_here():
    assert {row[4] for row in demo_data.DEMO_STAFF} | {"parent", "pupil"} == set(PERSONAS)


@pytest.mark.parametrize(("role", "persona"), PERSONAS.items(), ids=[str(r) for r in PERSONAS])
def test_only_the_coordinator_enters_the_admin(client, request, role, persona):
    user = request.getfixturevalue(persona)
    client.force_login(user)

    response = client.get(reverse("admin:index"))

    if role == Role.COORDINATOR:
        assert response.status_code == 200
    else:
        assert response.status_code == 302
        assert response.url.startswith(reverse("admin:login"))


@pytest.mark.parametrize(("role", "persona"), PERSONAS.items(), ids=[str(r) for r in PERSONAS])
def test_admin_login_refuses_everyone_but_the_coordinator(client, request, role, persona):
    user = request.getfixturevalue(persona)

    response = client.post(
        reverse("admin:login"), {"username": user.username, "password": PASSWORD}
    )

    if role == Role.COORDINATOR:
        assert response.status_code == 302
        assert client.get(reverse("admin:index")).status_code == 200
    else:
        assert response.status_code == 200
        assert "_auth_user_id" not in client.session
        assert "пароль учётной записи" in response.content.decode()


def test_superuser_enters_the_admin(client, superuser):
    client.force_login(superuser)
    assert client.get(reverse("admin:index")).status_code == 200
