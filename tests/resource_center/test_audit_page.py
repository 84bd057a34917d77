"""The audit-trail page: who may read which part, filters, read-only, query count."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from resource_center import audit
from resource_center.models import AuditEntry
from tests import factories as f

pytestmark = pytest.mark.django_db

URL = reverse("audit_list")


def _subjects(response) -> list[str]:
    return [row.record.subject for row in response.context["table"].paginated_rows]


def _get(client, user, **params):
    client.force_login(user)
    response = client.get(URL, params)
    assert response.status_code == 200
    return response


@pytest.fixture
def far_pupil(world):
    return f.StudentFactory(organisation=world.other_district_school, last_name="Далёкий")


@pytest.fixture
def trail(counsellor_a, counsellor_b, coordinator, pupil_a, pupil_b, far_pupil):
    """One entry about each school's pupil and one about a pupil of another district."""
    return [
        audit.record(actor=counsellor_a, action=audit.Action.VIEW, student=pupil_a),
        audit.record(actor=counsellor_b, action=audit.Action.EXPORT, student=pupil_b),
        audit.record(actor=coordinator, action=audit.Action.UPDATE, student=far_pupil),
    ]


def test_school_head_reads_entries_about_own_pupils_only(
    client, head_a, trail, pupil_a, pupil_b, counsellor_a
):
    AuditEntry.objects.filter(student=pupil_a).update(
        ip_address="10.0.0.1", details="Карточка", path="/students/x/"
    )
    response = _get(client, head_a)
    assert _subjects(response) == [pupil_a.full_name]
    html = response.content.decode()
    assert pupil_b.full_name not in html
    assert "Далёкий" not in html
    assert counsellor_a.get_full_name() in html
    assert "Просмотр" in html
    for shown in ("10.0.0.1", "Карточка", "/students/x/"):
        assert shown in html


def test_coordinator_reads_the_whole_district(client, coordinator, trail, pupil_a, pupil_b):
    response = _get(client, coordinator)
    assert sorted(_subjects(response)) == sorted([pupil_a.full_name, pupil_b.full_name])
    assert "Далёкий" not in response.content.decode()


@pytest.mark.parametrize(
    "role",
    [
        "counsellor_a",
        "technikum_staff",
        "employer_rep",
        "centre_specialist",
        "district_admin",
        "parent_of_pupil_a",
        "pupil_a_user",
    ],
)
def test_others_get_403(client, request, role, trail):
    client.force_login(request.getfixturevalue(role))
    assert client.get(URL).status_code == 403


def test_anonymous_is_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_page_is_read_only(client, coordinator, trail, method):
    client.force_login(coordinator)
    assert getattr(client, method)(URL).status_code == 405
    assert AuditEntry.objects.count() == 3


def test_page_has_no_form_that_writes(client, coordinator, trail):
    html = _get(client, coordinator).content.decode()
    assert (
        'method="post"' not in html.replace('action="/accounts/logout/"', "").split("<main", 1)[1]
    )


def test_filter_by_action(client, coordinator, trail, pupil_b):
    assert _subjects(_get(client, coordinator, action="export")) == [pupil_b.full_name]


def test_filter_by_surname_folds_case_and_yo(client, coordinator, world, counsellor_a):
    elkina = f.StudentFactory(organisation=world.school_a, last_name="Ёлкина")
    audit.record(actor=counsellor_a, action=audit.Action.VIEW, student=elkina)
    other = f.StudentFactory(organisation=world.school_a, last_name="Иванова")
    audit.record(actor=counsellor_a, action=audit.Action.VIEW, student=other)
    for query in ("ЕЛКИН", "ёлкина", "елк"):
        assert _subjects(_get(client, coordinator, surname=query)) == [elkina.full_name]


def test_filter_by_date_range(client, coordinator, trail, pupil_a, pupil_b):
    old, recent, _ = trail
    tz = timezone.get_current_timezone()
    AuditEntry.objects.filter(pk=old.pk).update(at=datetime.datetime(2026, 9, 1, 23, 30, tzinfo=tz))
    AuditEntry.objects.filter(pk=recent.pk).update(
        at=datetime.datetime(2026, 9, 3, 0, 30, tzinfo=tz)
    )
    names = _subjects
    assert names(_get(client, coordinator, date_from="2026-09-01", date_to="2026-09-01")) == [
        pupil_a.full_name
    ]
    assert names(_get(client, coordinator, date_from="2026-09-02")) == [pupil_b.full_name]
    assert names(_get(client, coordinator, date_to="2026-09-02")) == [pupil_a.full_name]


@pytest.mark.parametrize(
    "params",
    [
        {"action": "nonsense"},
        {"date_from": "abc"},
        {"date_to": "2026-13-45"},
        {"sort": "nonsense"},
        {"page": "abc"},
        {"page": "999"},
        {"surname": "я" * 300},
    ],
)
def test_invalid_filter_values_do_not_fail(client, coordinator, trail, params):
    _get(client, coordinator, **params)


def test_reversed_date_range_is_reported(client, coordinator, trail):
    response = _get(client, coordinator, date_from="2026-09-05", date_to="2026-09-01")
    assert "позже" in response.content.decode()


def test_sorting_by_time(client, coordinator, trail, pupil_a, pupil_b):
    assert _subjects(_get(client, coordinator, sort="at")) == [
        pupil_a.full_name,
        pupil_b.full_name,
    ]
    assert _subjects(_get(client, coordinator)) == [pupil_b.full_name, pupil_a.full_name]


def test_query_count_does_not_grow(
    client, coordinator, world, counsellor_a, counsellor_b, django_assert_num_queries
):
    def make(start: int, stop: int) -> None:
        for i in range(start, stop):
            actor = counsellor_a if i % 2 else counsellor_b
            school = world.school_a if i % 2 else world.school_b
            pupil = f.StudentFactory(organisation=school, last_name=f"Ёлкин{i}")
            audit.record(actor=actor, action=audit.Action.VIEW, student=pupil)

    client.force_login(coordinator)
    params = {"surname": "елкин", "action": "view", "date_from": "2000-01-01"}
    make(0, 5)
    # session, user, memberships, parent?, pupil?, count, page of entries with their actor
    with django_assert_num_queries(7):
        client.get(URL, params)
    make(5, 120)
    with django_assert_num_queries(7):
        response = client.get(URL, params)
    assert response.context["table"].paginator.count == 120
    assert len(response.context["table"].paginated_rows) == 50
