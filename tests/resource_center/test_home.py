"""Role-aware home pages show each organisation's real figures."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from employers.models import Vacancy
from tests import factories as f

pytestmark = pytest.mark.django_db


def grade_rows(response) -> dict[int, tuple]:
    panel = response.context["school_panels"][0]
    return {row.grade: (row.total, row.with_consent) for row in panel["grades"]}


def test_anonymous_sees_public_summary_in_russian(client, world):
    f.ProgrammeFactory(technikum=world.technikum, budget_seats=25)
    f.VacancyFactory(employer=world.employer, for_minors=True)
    f.VacancyFactory(employer=world.employer, status=Vacancy.Status.DRAFT)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="ru">' in html
    assert "Ресурсный центр" in html
    assert response.context["programmes"]["budget_seats"] == 25
    assert response.context["vacancies"] == {"count": 1, "for_minors": 1}


def test_counsellor_sees_own_school_pupils_by_grade(client, counsellor_a, world):
    for _ in range(3):
        f.ConsentFactory(student=f.StudentFactory(organisation=world.school_a, grade=9))
    f.StudentFactory(organisation=world.school_a, grade=10)
    f.StudentFactory.create_batch(4, organisation=world.school_b, grade=9)
    f.StudentFactory(
        organisation=world.school_a, grade=9, academic_year=2001, birth_date="1986-01-01"
    )
    client.force_login(counsellor_a)
    response = client.get(reverse("home"))
    assert grade_rows(response) == {9: (3, 3), 10: (1, 0)}
    html = response.content.decode()
    assert "СОШ № 1" in html
    assert "Всего обучающихся: <strong>4</strong>" in html


def test_withdrawn_consent_is_not_counted(client, counsellor_a, world):
    consent = f.ConsentFactory(student=f.StudentFactory(organisation=world.school_a, grade=8))
    consent.withdrawn_at = consent.created_at
    consent.save()
    client.force_login(counsellor_a)
    assert grade_rows(client.get(reverse("home"))) == {8: (1, 0)}


@pytest.mark.usefixtures("uncached")
def test_home_queries_do_not_grow_with_pupils(
    client, counsellor_a, world, django_assert_num_queries
):
    f.StudentFactory.create_batch(5, organisation=world.school_a)
    client.force_login(counsellor_a)
    client.get(reverse("home"))  # warm up the session and content types
    # session, user, memberships, parent?, pupil?, schools, grade aggregates, greeting,
    # upcoming events
    with django_assert_num_queries(9):
        client.get(reverse("home"))
    f.StudentFactory.create_batch(40, organisation=world.school_a, grade=7)
    f.AttemptFactory.create_batch(3, student__organisation=world.school_a)
    f.EventFactory.create_batch(8, organiser=world.school_a)
    with django_assert_num_queries(9):
        client.get(reverse("home"))


def test_district_admin_sees_totals_with_small_counts_hidden(client, district_admin, world):
    f.StudentFactory.create_batch(6, organisation=world.school_a, grade=9)
    f.StudentFactory.create_batch(2, organisation=world.school_b, grade=9)
    f.StudentFactory.create_batch(3, organisation=world.school_b, grade=11)
    f.StudentFactory.create_batch(7, organisation=world.other_district_school, grade=11)
    client.force_login(district_admin)
    response = client.get(reverse("home"))
    district = response.context["district"]
    rows = {r.grade: r.total for r in district["pupils_by_grade"]}
    assert rows == {9: 8, 11: None}
    html = response.content.decode()
    assert "<td>менее 5</td>" in html
    # No pupil's name reaches the administration.
    for student in world.school_a.students.all():
        assert student.last_name not in html


def test_coordinator_sees_unsuppressed_district_totals(client, coordinator, world):
    f.StudentFactory.create_batch(3, organisation=world.school_b, grade=11)
    client.force_login(coordinator)
    district = client.get(reverse("home")).context["district"]
    assert {r.grade: r.total for r in district["pupils_by_grade"]} == {11: 3}
    organisations = dict(district["organisations"])
    assert organisations["Школа"] == 2  # the other district's school is not counted


def test_technikum_staff_sees_programmes_and_placements(client, technikum_staff, placed_student):
    client.force_login(technikum_staff)
    panel = client.get(reverse("home")).context["technikum"]
    programme = panel["programmes"][0]
    assert programme.student_count == 1
    assert programme.place_count == 1
    assert dict(panel["placements"])["Проходит обучение"] == 1


def test_employer_sees_own_vacancies_by_status(client, employer_rep, world):
    f.VacancyFactory.create_batch(2, employer=world.employer)
    f.VacancyFactory(employer=world.employer, status=Vacancy.Status.DRAFT)
    f.VacancyFactory(employer=world.other_employer)
    client.force_login(employer_rep)
    panel = client.get(reverse("home")).context["employer"]
    assert panel["vacancies"] == {"published": 2, "draft": 1}


def test_centre_specialist_sees_district_vacancies(client, centre_specialist, world):
    f.VacancyFactory.create_batch(2, employer=world.employer, for_minors=True, is_summer_job=True)
    f.VacancyFactory(employer=world.other_employer)
    client.force_login(centre_specialist)
    panel = client.get(reverse("home")).context["labour_market"]
    assert panel["totals"] == {"total": 3, "for_minors": 2, "summer": 2}
    assert panel["top_employers"][0] == {"employer__short_name": "ОАО «Нытва»", "n": 2}


def test_parent_sees_own_children(client, parent_of_pupil_a, pupil_a, pupil_b):
    client.force_login(parent_of_pupil_a)
    response = client.get(reverse("home"))
    assert list(response.context["children"]) == [pupil_a]
    assert pupil_a.last_name in response.content.decode()
    assert pupil_b.full_name not in response.content.decode()


def test_pupil_sees_own_profile_link(client, pupil_a_user, pupil_a):
    client.force_login(pupil_a_user)
    response = client.get(reverse("home"))
    assert response.context["own_student"] == pupil_a
    assert reverse("students:student_detail", args=[pupil_a.uuid]) in response.content.decode()


def test_navigation_shows_each_role_its_sections(client, counsellor_a, district_admin, coordinator):
    client.force_login(counsellor_a)
    html = client.get(reverse("home")).content.decode()
    assert reverse("students:student_list") in html
    assert reverse("admin:index") not in html
    client.force_login(district_admin)
    html = client.get(reverse("home")).content.decode()
    assert reverse("students:student_list") not in html
    client.force_login(coordinator)
    html = client.get(reverse("home")).content.decode()
    assert reverse("admin:index") in html


def test_district_chart_is_served_by_the_portal_with_hidden_counts_as_gaps(
    client, district_admin, world
):
    f.StudentFactory.create_batch(5, organisation=world.school_a, grade=7)
    f.StudentFactory.create_batch(2, organisation=world.school_a, grade=8)
    client.force_login(district_admin)
    response = client.get(reverse("home"))
    chart = response.context["grade_chart"]
    assert chart["totals"] == [5, None]
    assert [str(label) for label in chart["labels"]] == ["7 класс", "8 класс"]
    html = response.content.decode()
    assert '"totals": [5, null]' in html
    assert "/static/vendor/chart.js/chart.umd.min.js" in html


def test_school_panel_counts_pupils_who_completed_a_questionnaire(client, counsellor_a, world):
    done = f.StudentFactory(organisation=world.school_a, grade=9)
    f.AttemptFactory.create_batch(2, student=done)  # two attempts still count one pupil
    f.StudentFactory(organisation=world.school_a, grade=9)
    f.AttemptFactory(student__organisation=world.school_b, student__grade=9)
    client.force_login(counsellor_a)
    response = client.get(reverse("home"))
    (panel,) = response.context["school_panels"]
    assert [(g.grade, g.total, g.with_questionnaire) for g in panel["grades"]] == [(9, 2, 1)]
    assert "Прошли хотя бы одну анкету: <strong>1</strong>" in response.content.decode()


def test_home_lists_upcoming_events_the_visitor_may_see(client, world, counsellor_a):
    public = f.EventFactory(organiser=world.technikum, title="День открытых дверей НМТ")
    closed = f.EventFactory(organiser=world.school_a, title="Классный час 9А", is_public=False)
    past = f.EventFactory(
        organiser=world.technikum,
        title="Прошедшая экскурсия",
        starts_at=timezone.now() - datetime.timedelta(days=3),
        ends_at=timezone.now() - datetime.timedelta(days=3, hours=-2),
    )
    html = client.get(reverse("home")).content.decode()
    assert public.title in html
    assert closed.title not in html
    assert past.title not in html
    client.force_login(counsellor_a)
    html = client.get(reverse("home")).content.decode()
    assert public.title in html
    assert closed.title in html


def test_coordinator_home_counts_vacancies_waiting_for_moderation(
    client, coordinator, district_admin, world
):
    f.VacancyFactory.create_batch(2, employer=world.employer, status="moderation")
    f.VacancyFactory(employer=world.other_employer, status="published")
    far = f.EmployerFactory(district=world.other_district_school.district)
    f.VacancyFactory(employer=far, status="moderation")
    client.force_login(coordinator)
    response = client.get(reverse("home"))
    assert response.context["district"]["vacancies_on_moderation"] == 2
    assert "Вакансии на модерации</a>: 2" in response.content.decode()
    client.force_login(district_admin)
    assert "Вакансии на модерации" not in client.get(reverse("home")).content.decode()
