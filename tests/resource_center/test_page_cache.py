"""Rendered pages served from the cache until any data changes (resource_center.page_cache)."""

from __future__ import annotations

import re

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from resource_center import audit, page_cache
from resource_center.models import AuditEntry, Role
from students.models import Student
from tests import factories as f
from tests.students.test_pupil_form import form_values

pytestmark = pytest.mark.django_db

LIST_URL = reverse("students:student_list")
REDIS_DOWN = "redis://127.0.0.1:1/0"


TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def get_counted(client: Client, url: str) -> tuple[str, int]:
    """The page's HTML (its CSRF tokens, new for each response, left out) and the number of
    queries it took."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return TOKEN.sub("", response.content.decode()), len(queries)


def sign_in(client: Client, user) -> None:
    """Signed in, with the CSRF cookie a browser holds after its first page (a page with a
    form is cached for the secret of that cookie; one without the cookie is not cached)."""
    client.force_login(user)
    assert client.get(reverse("home")).cookies.get("csrftoken")


def detail_url(student: Student) -> str:
    return reverse("students:student_detail", args=[student.uuid])


def test_a_page_is_rendered_once_until_the_data_changes(client, counsellor_a, pupil_a):
    sign_in(client, counsellor_a)
    first, rendered = get_counted(client, LIST_URL)
    again, served = get_counted(client, LIST_URL)
    assert again == first
    assert pupil_a.last_name in again
    assert served < rendered

    pupil_a.last_name = "Шишкин"
    pupil_a.save()
    after, queries = get_counted(client, LIST_URL)
    assert "Шишкин" in after
    assert queries > served


@pytest.mark.parametrize("how", ["queryset update", "raw SQL", "delete"])
def test_writes_that_send_no_signal_refresh_the_pages_too(client, counsellor_a, pupil_a, how):
    sign_in(client, counsellor_a)
    assert pupil_a.last_name in get_counted(client, LIST_URL)[0]
    if how == "queryset update":
        Student.objects.filter(pk=pupil_a.pk).update(last_name="Шишкин")
    elif how == "raw SQL":
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE students_student SET last_name = %s WHERE id = %s", ["Шишкин", pupil_a.pk]
            )
    else:
        Student.objects.filter(pk=pupil_a.pk).delete()
    html = get_counted(client, LIST_URL)[0]
    assert pupil_a.last_name not in html
    assert ("Шишкин" in html) == (how != "delete")


def test_writes_no_page_shows_leave_the_pages_cached(client, counsellor_a, pupil_a):
    sign_in(client, counsellor_a)
    get_counted(client, LIST_URL)
    before = page_cache.generation()
    audit.record(actor=counsellor_a, action=audit.Action.VIEW, student=pupil_a)
    session = client.session
    session["something"] = 1
    session.save()
    assert page_cache.generation() == before
    Student.objects.filter(pk=pupil_a.pk).update(grade=10)
    assert page_cache.generation() > before


def test_every_view_of_a_pupil_is_audited_also_from_the_cache(client, counsellor_a, pupil_a):
    f.ConsentFactory(student=pupil_a)
    sign_in(client, counsellor_a)
    first, rendered = get_counted(client, detail_url(pupil_a))
    again, served = get_counted(client, detail_url(pupil_a))
    assert again == first
    assert served < rendered
    assert AuditEntry.objects.filter(student=pupil_a, action="view").count() == 2


def test_a_page_is_never_served_to_another_user(
    client, counsellor_a, counsellor_b, pupil_a, pupil_b
):
    sign_in(client, counsellor_a)
    own, rendered = get_counted(client, LIST_URL)
    assert pupil_a.last_name in own

    other_user = Client()
    sign_in(other_user, counsellor_b)
    html, queries = get_counted(other_user, LIST_URL)
    assert pupil_b.last_name in html
    assert pupil_a.last_name not in html
    assert queries == rendered

    # The same user in another browser gets the page from the cache.
    second_browser = Client()
    sign_in(second_browser, counsellor_a)
    assert get_counted(second_browser, LIST_URL)[1] < rendered


def test_access_is_checked_before_the_cache(client, counsellor_a, pupil_a):
    sign_in(client, counsellor_a)
    assert client.get(detail_url(pupil_a)).status_code == 200
    counsellor_a.memberships.all().delete()
    assert client.get(detail_url(pupil_a)).status_code in {403, 404}
    assert client.get(LIST_URL).status_code == 403


def test_a_form_served_from_the_cache_carries_a_token_of_its_own_browser(counsellor_a, pupil_a):
    url = reverse("students:student_update", args=[pupil_a.uuid])
    first = Client(enforce_csrf_checks=True)
    sign_in(first, counsellor_a)
    rendered = get_counted(first, url)[1]
    # Other browsers of the same user: one that has its CSRF cookie and one that has none.
    with_cookie = Client(enforce_csrf_checks=True)
    sign_in(with_cookie, counsellor_a)
    without_cookie = Client(enforce_csrf_checks=True)
    without_cookie.force_login(counsellor_a)
    for browser in (with_cookie, without_cookie):
        with CaptureQueriesContext(connection) as queries:
            html = browser.get(url).content.decode()
        assert len(queries) < rendered
        tokens = set(TOKEN.findall(html))
        assert len(tokens) == 1
        assert "csrf-token" not in html
        # Accepted with this browser's own cookie (the logout form takes it, as the
        # profile form would).
        response = browser.post(reverse("logout"), {"csrfmiddlewaretoken": tokens.pop()})
        assert response.status_code == 302


def test_a_waiting_message_is_shown_once_and_not_cached(client, counsellor_a, pupil_a):
    sign_in(client, counsellor_a)
    client.get(detail_url(pupil_a))
    url = reverse("students:student_update", args=[pupil_a.uuid])
    response = client.post(url, form_values(client.get(url)), follow=True)
    assert "Изменения сохранены." in response.content.decode()
    assert "Изменения сохранены." not in client.get(detail_url(pupil_a)).content.decode()


def test_a_transaction_moves_the_generation_on_when_it_writes_and_when_it_commits(
    pupil_a, django_capture_on_commit_callbacks
):
    start = page_cache.generation()
    with django_capture_on_commit_callbacks(), transaction.atomic():
        Student.objects.filter(pk=pupil_a.pk).update(grade=10)
        Student.objects.filter(pk=pupil_a.pk).update(grade=11)
        # Read inside the transaction: its writes are seen at once.
        during = page_cache.generation()
    assert during > start
    # One move waits for the commit, however many writes there were.
    at_commit = [entry[1] for entry in connection.run_on_commit]
    assert at_commit.count(page_cache._move_on) == 1
    page_cache._move_on()
    assert page_cache.generation() > during


def test_no_cache_when_turned_off(client, settings, counsellor_a, pupil_a):
    settings.PAGE_CACHE_SECONDS = 0
    sign_in(client, counsellor_a)
    rendered = get_counted(client, LIST_URL)[1]
    assert get_counted(client, LIST_URL)[1] == rendered


@pytest.mark.parametrize(
    "url_name",
    [
        "schools:programme_list",
        "employers:vacancy_list",
        "employers:place_list",
        "labour:in_demand",
    ],
)
def test_anonymous_visitors_share_the_public_catalogue(world, url_name):
    technikum = world.technikum
    f.ProgrammeFactory(technikum=technikum, title="Сварочное производство", is_published=True)
    url = reverse(url_name)
    first, rendered = get_counted(Client(), url)
    again, served = get_counted(Client(), url)
    assert again == first
    assert served == 0 < rendered


def test_the_catalogue_shows_a_new_programme_at_once(world):
    url = reverse("schools:programme_list")
    f.ProgrammeFactory(technikum=world.technikum, title="Сварочное производство")
    assert "Сварочное производство" in get_counted(Client(), url)[0]
    f.ProgrammeFactory(technikum=world.technikum, title="Мехатроника", is_published=True)
    assert "Мехатроника" in get_counted(Client(), url)[0]


def test_with_redis_down_writes_go_on_and_pages_are_rendered(
    client, settings, counsellor_a, pupil_a
):
    sign_in(client, counsellor_a)
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_DOWN,
        }
    }
    Student.objects.filter(pk=pupil_a.pk).update(last_name="Шишкин")
    pupil_a.refresh_from_db()
    assert pupil_a.last_name == "Шишкин"
    for _ in range(2):
        assert "Шишкин" in get_counted(client, LIST_URL)[0]


@pytest.mark.parametrize(
    ("sql", "writes"),
    [
        ('SELECT "id" FROM "students_student"', False),
        ("(SELECT 1) UNION ALL (SELECT 2)", False),
        ('SAVEPOINT "s1"', False),
        ('INSERT INTO "resource_center_auditentry" ("at") VALUES (%s)', False),
        ('UPDATE "django_session" SET "session_data" = %s', False),
        ('UPDATE "students_student" SET "grade" = %s', True),
        ("update students_consent set withdrawn_at = now()", True),
        ('DELETE FROM "students_guardian" WHERE "id" = %s', True),
        ('INSERT INTO "schools_programme" ("title") VALUES (%s)', True),
        ("TRUNCATE students_student", True),
        ('UPDATE "auth_user" SET "last_login" = %s WHERE "auth_user"."id" = %s', False),
        ('UPDATE "auth_user" SET "last_login" = %s, "is_active" = %s WHERE "id" = %s', True),
        ('UPDATE "auth_user" SET "first_name" = %s WHERE "auth_user"."id" = %s', True),
    ],
)
def test_which_statements_count_as_writes(sql, writes):
    assert page_cache.writes_shown_data(sql) is writes


def test_a_users_access_is_read_once_until_the_data_changes(
    client, counsellor_a, world, pupil_a, pupil_b
):
    sign_in(client, counsellor_a)  # the first page read the access

    def list_page() -> tuple[str, int]:
        """The pupil list and how many times its request read the memberships."""
        with CaptureQueriesContext(connection) as queries:
            html = client.get(LIST_URL).content.decode()
        reads = sum("resource_center_membership" in q["sql"] for q in queries.captured_queries)
        return html, reads

    html, reads = list_page()
    assert reads == 0
    assert pupil_a.full_name in html
    assert pupil_b.full_name not in html
    # A new school for the counsellor: the next request reads the access again.
    f.MembershipFactory(user=counsellor_a, organisation=world.school_b, role=Role.COUNSELLOR)
    html, reads = list_page()
    assert reads == 1
    assert pupil_b.full_name in html
