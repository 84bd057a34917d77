"""The student page (the list has its own tests in test_list.py)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from guidance.models import Attempt
from guidance.services.questionnaires import attempt_record
from resource_center.models import AuditEntry
from students.models import Consent
from tests import factories as f

pytestmark = pytest.mark.django_db


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


def page_url(student) -> str:
    return reverse("students:student_detail", args=[student.uuid])


@pytest.fixture
def profiled_pupil(pupil_a):
    """A pupil of school A with a processing consent, career-guidance data and ОВЗ."""
    f.ConsentFactory(student=pupil_a, guardian__first_name="Ольга")
    pupil_a.interests = "Сварка и робототехника"
    pupil_a.path_after_9 = "technikum"
    pupil_a.has_special_needs = True
    pupil_a.save()
    f.AchievementFactory(student=pupil_a, title="Олимпиада по технологии")
    return pupil_a


def _fill(student, n: int, klimov=None) -> None:
    """n more guardians, achievements and consents (given and withdrawn), each by its own user;
    with a questionnaire, also n results of it, n event registrations and n of each kind of
    recommendation candidate (programme, dual place, vacancy, event) tagged with its types."""
    start = student.guardians.count()
    if klimov is not None:
        scales = list(klimov.scales.all())
        first_options = [q.options.order_by("order", "pk")[0].pk for q in klimov.questions.all()]
        technikum = f.TechnikumFactory(district=student.organisation.district)
    for i in range(start, start + n):
        if klimov is not None:
            attempt_record(
                questionnaire=klimov,
                student=student,
                option_ids=first_options,
                source=Attempt.Source.PAPER,
                by=f.UserFactory(),
            )
            f.RegistrationFactory(
                student=student, event=f.EventFactory(organiser=student.organisation)
            )
            programme = f.ProgrammeFactory(technikum=technikum, okso_code=f"15.02.{i:02d}")
            programme.interest_types.set(scales[: 1 + i % len(scales)])
            f.DualTrainingPlaceFactory(programme=programme)
            profession = f.ProfessionFactory()
            profession.interest_types.set(scales[i % len(scales) :])
            profession.programmes.add(programme)
            f.VacancyFactory(
                employer=f.EmployerFactory(district=student.organisation.district),
                profession=profession,
                for_minors=True,
            )
            f.EventFactory(organiser=technikum).interest_types.set(scales[:2])
        guardian = f.GuardianFactory(student=student, first_name=f"Имя{i}")
        f.AchievementFactory(student=student, title=f"Конкурс {i}")
        f.ConsentFactory(
            student=student,
            guardian=guardian,
            scope=Consent.Scope.TRANSFER_EMPLOYERS,
            recorded_by=f.UserFactory(),
            withdrawn_by=f.UserFactory(),
            withdrawn_at=timezone.now(),
        )


@pytest.mark.parametrize("role", ["counsellor_a", "parent_of_pupil_a"])
def test_pupil_page_queries_do_not_grow(
    request, client, profiled_pupil, role, questionnaires, django_assert_max_num_queries
):
    user = request.getfixturevalue(role)
    client.force_login(user)
    klimov = questionnaires["klimov-ddo"]
    _fill(profiled_pupil, 1, klimov)
    # session, user, memberships, parent?, pupil?, the student (read once, by the access
    # check), the audit row, then prefetched onto it: guardians (the parent's own row is
    # found among them), achievements, consents with their guardian, recorder and withdrawer,
    # placements (11); career guidance: results and unused codes, registrations,
    # recommendations (scores and their maxima, demand, one query per kind, the types of all
    # the candidates at once; the consents are the page's)
    with django_assert_max_num_queries(21) as small:
        client.get(page_url(profiled_pupil))
    _fill(profiled_pupil, 8, klimov)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(page_url(profiled_pupil))
    html = response.content.decode()
    assert html.count("Конкурс") == 9
    assert profiled_pupil.attempts.count() == 9
    assert 'data-testid="section-recommendations"' in html


def test_page_without_consent_says_why_and_hides_optional_data(client, counsellor_a, pupil_a):
    pupil_a.interests = "осталось от прежнего учёта"
    pupil_a.save()
    client.force_login(counsellor_a)
    html = client.get(page_url(pupil_a)).content.decode()
    assert 'data-testid="no-consent"' in html
    assert "хранятся только сведения, которые" in html
    assert "152-ФЗ" in html
    assert "осталось от прежнего учёта" not in html
    assert 'data-testid="achievements"' not in html
    assert 'data-testid="section-questionnaires"' not in html


def test_page_reads_the_pupil_once_and_achievements_only_under_consent(
    client, counsellor_a, pupil_a
):
    f.AchievementFactory(student=pupil_a, title="Олимпиада по технологии")
    withdrawn = f.ConsentFactory(student=pupil_a, withdrawn_at=timezone.now())
    client.force_login(counsellor_a)
    with CaptureQueriesContext(connection) as without:
        html = client.get(page_url(pupil_a)).content.decode()
    assert 'data-testid="no-consent"' in html
    assert "Олимпиада по технологии" not in html
    f.ConsentFactory(student=pupil_a, guardian=withdrawn.guardian)
    with CaptureQueriesContext(connection) as given:
        html = client.get(page_url(pupil_a)).content.decode()
    assert "Олимпиада по технологии" in html
    for queries, achievements in ((without, 0), (given, 1)):
        rows_read = [q["sql"].split(".", 1)[0] for q in queries if q["sql"].startswith("SELECT")]
        assert rows_read.count('SELECT "students_student"') == 1
        assert rows_read.count('SELECT "students_achievement"') == achievements


def test_page_with_consent_shows_profile_and_later_sections(client, counsellor_a, profiled_pupil):
    client.force_login(counsellor_a)
    html = client.get(page_url(profiled_pupil)).content.decode()
    assert 'data-testid="no-consent"' not in html
    assert "Сварка и робототехника" in html
    assert "Нытвенский техникум" in html
    assert "Олимпиада по технологии" in html
    for section in ("questionnaires", "events", "recommendations"):
        assert f'data-testid="section-{section}"' in html


def test_counsellor_gets_edit_consent_and_withdraw_buttons(client, counsellor_a, profiled_pupil):
    consent = profiled_pupil.consents.get()
    client.force_login(counsellor_a)
    html = client.get(page_url(profiled_pupil)).content.decode()
    assert reverse("students:student_update", args=[profiled_pupil.uuid]) in html
    assert reverse("students:consent_create", args=[profiled_pupil.uuid]) in html
    assert reverse("students:consent_withdraw", args=[profiled_pupil.uuid, consent.uuid]) in html
    assert "Выдать код приглашения" in html


def test_head_reads_without_buttons(client, head_a, profiled_pupil):
    client.force_login(head_a)
    html = client.get(page_url(profiled_pupil)).content.decode()
    assert "Сварка и робототехника" in html
    assert reverse("students:student_update", args=[profiled_pupil.uuid]) not in html
    assert reverse("students:consent_create", args=[profiled_pupil.uuid]) not in html
    assert "/withdraw/" not in html
    assert "Выдать код приглашения" not in html
    assert 'data-testid="special-needs"' in html


@pytest.mark.parametrize("role", ["parent_of_pupil_a", "coordinator", "pupil_a_user"])
def test_special_needs_flag_is_hidden_from_others(request, client, profiled_pupil, role):
    client.force_login(request.getfixturevalue(role))
    response = client.get(page_url(profiled_pupil))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="special-needs"' not in html
    assert "ОВЗ" not in html


def test_parent_sees_consents_and_may_give_the_missing_scopes(
    client, parent_of_pupil_a, profiled_pupil
):
    consent = profiled_pupil.consents.get()
    client.force_login(parent_of_pupil_a)
    html = client.get(page_url(profiled_pupil)).content.decode()
    create = reverse("students:consent_create", args=[profiled_pupil.uuid])
    assert f"{create}?scope=transfer_technikum" in html
    assert f"{create}?scope=processing" not in html
    assert reverse("students:consent_withdraw", args=[profiled_pupil.uuid, consent.uuid]) in html
    assert reverse("students:student_update", args=[profiled_pupil.uuid]) not in html


def test_parent_without_consent_is_offered_to_give_it(client, parent_of_pupil_a, pupil_a):
    client.force_login(parent_of_pupil_a)
    html = client.get(page_url(pupil_a)).content.decode()
    assert "Дать согласие на портале" in html


def test_placements_are_shown(client, technikum_staff, placed_student):
    client.force_login(technikum_staff)
    html = client.get(page_url(placed_student)).content.decode()
    assert 'data-testid="section-placements"' in html
    assert "ОАО «Нытва»" in html
