"""The student list and the student page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from resource_center.models import AuditEntry
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_list_shows_only_own_school(client, counsellor_a, pupil_a, pupil_b):
    client.force_login(counsellor_a)
    response = client.get(reverse("students:student_list"))
    html = response.content.decode()
    assert pupil_a.full_name in html
    assert pupil_b.full_name not in html
    assert [s.pk for s in response.context["page"]] == [pupil_a.pk]


def test_list_queries_do_not_grow(client, counsellor_a, world, django_assert_num_queries):
    f.StudentFactory.create_batch(3, organisation=world.school_a)
    client.force_login(counsellor_a)
    client.get(reverse("students:student_list"))
    # session, user, memberships, parent?, pupil?, count, page of students with their school
    with django_assert_num_queries(7):
        client.get(reverse("students:student_list"))
    f.StudentFactory.create_batch(60, organisation=world.school_a)
    with django_assert_num_queries(7):
        response = client.get(reverse("students:student_list"))
    assert response.context["page"].paginator.count == 63


def test_opening_a_pupil_is_audited(client, counsellor_a, pupil_a):
    f.ConsentFactory(student=pupil_a)
    client.force_login(counsellor_a)
    response = client.get(reverse("students:student_detail", args=[pupil_a.uuid]))
    assert response.status_code == 200
    html = response.content.decode()
    assert pupil_a.full_name in html
    assert "Обработка школой и ресурсным центром" in html
    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.student, entry.action) == (counsellor_a, pupil_a, "view")
    assert entry.subject == pupil_a.full_name
    assert entry.path == reverse("students:student_detail", args=[pupil_a.uuid])


def test_foreign_pupil_is_404_and_not_audited(client, counsellor_b, pupil_a):
    client.force_login(counsellor_b)
    response = client.get(reverse("students:student_detail", args=[pupil_a.uuid]))
    assert response.status_code == 404
    assert not AuditEntry.objects.exists()


def test_pupil_page_queries_are_bounded(
    client, counsellor_a, pupil_a, django_assert_max_num_queries
):
    for _ in range(3):
        f.GuardianFactory(student=pupil_a, first_name=f"Имя{_}")
    client.force_login(counsellor_a)
    with django_assert_max_num_queries(14):
        client.get(reverse("students:student_detail", args=[pupil_a.uuid]))


def test_not_found_and_forbidden_pages_are_in_russian(
    client, counsellor_b, parent_of_pupil_a, pupil_a
):
    client.force_login(counsellor_b)
    response = client.get(reverse("students:student_detail", args=[pupil_a.uuid]))
    assert "Страница не найдена" in response.content.decode()
    client.force_login(parent_of_pupil_a)
    response = client.get(reverse("students:student_list"))
    assert response.status_code == 403
    assert "Доступ запрещён" in response.content.decode()
