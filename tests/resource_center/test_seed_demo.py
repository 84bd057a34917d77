"""`manage.py seed_demo`: the demo district it builds, its repeatability and its logins."""

from __future__ import annotations

import datetime
import io
import itertools
import re
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.db.models import Count, Sum
from django.urls import reverse
from django.utils import timezone

from employers.models import DualTrainingPlace, Evaluation, Placement, Vacancy
from guidance.models import Attempt, Event, Feedback, Profession, Registration, Scale
from guidance.recommendations import recommendations_for
from resource_center import demo_data, demo_guidance_data, demo_labour
from resource_center.lib.checks import inn_is_valid, okso_is_valid
from resource_center.lib.text import fold
from resource_center.models import District, Membership, Organisation, Role
from schools.models import Competence, Programme
from students.models import Achievement, Consent, Guardian, Student, current_academic_year

pytestmark = pytest.mark.django_db

User = get_user_model()
DEMO_USERNAMES = [row[0] for row in demo_data.DEMO_STAFF] + ["parent", "pupil"]


def _seed(*args: str) -> str:
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def seeded() -> str:
    return _seed()


def _counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def _district() -> District:
    return District.objects.get(name="Нытвенский городской округ", region="Пермский край")


def test_seed_creates_the_district_with_schools_technikum_and_partners(seeded):
    orgs = _district().organisations
    assert orgs.schools().count() >= 5
    assert orgs.schools().filter(short_name__contains="№ 1").exists()
    technikum = orgs.technikums().get()
    assert "«Нытвенский многопрофильный техникум»" in technikum.full_name
    assert technikum.full_name.startswith("Краевое государственное автономное")
    for kind in (
        Organisation.Kind.EMPLOYMENT_CENTRE,
        Organisation.Kind.ADMINISTRATION,
        Organisation.Kind.RESOURCE_CENTRE,
    ):
        assert orgs.of_kind(kind).count() == 1
    for org in orgs.all():
        org.full_clean()
        assert not org.inn or (inn_is_valid(org.inn) and org.inn.startswith("5942"))


def test_seed_creates_technikum_programmes_with_valid_okso_codes(seeded):
    programmes = Programme.objects.filter(technikum__kind=Organisation.Kind.TECHNIKUM)
    assert programmes.count() >= 6
    assert programmes.filter(okso_code="15.01.05", is_dual=True).exists()
    assert {p.base_education for p in programmes} == {"9", "11"}
    for programme in programmes:
        assert okso_is_valid(programme.okso_code)
        assert programme.qualification
        assert programme.budget_seats > 0
        programme.full_clean()


def test_seed_creates_employers_with_valid_inn_including_the_nytva_plant(seeded):
    employers = _district().organisations.employers()
    assert employers.count() >= 6
    plant = employers.get(short_name__contains="Нытва»")
    assert plant.full_name == "Открытое акционерное общество «Нытва»"
    assert plant.okved == "24.10"
    assert all(inn_is_valid(e.inn) for e in employers)


def test_seed_creates_pupils_of_grades_7_to_11_each_with_a_guardian(seeded):
    pupils = Student.objects.pupils()
    year = current_academic_year()
    assert pupils.filter(academic_year=year).count() == demo_data.DEFAULT_PUPILS
    assert {p.grade for p in pupils} == {7, 8, 9, 10, 11}
    assert {p.class_letter for p in pupils} == {"А", "Б"}
    assert pupils.values("organisation").distinct().count() >= 5
    assert not pupils.filter(guardians__isnull=True).exists()
    for pupil in pupils:
        age = pupil.age_on(datetime.date(pupil.academic_year, 9, 1))
        assert pupil.grade + 5 <= age <= pupil.grade + 7
    for guardian in Guardian.objects.filter(student__in=pupils)[:50]:
        guardian.full_clean()
        assert guardian.email.endswith("@example.com")


def test_most_pupils_have_an_active_processing_consent_and_a_few_have_none(seeded):
    pupils = Student.objects.pupils()
    consented = pupils.filter(
        consents__scope=Consent.Scope.PROCESSING, consents__withdrawn_at__isnull=True
    ).count()
    assert 0.75 * pupils.count() <= consented < pupils.count()
    assert Consent.objects.filter(scope=Consent.Scope.TRANSFER_TECHNIKUM).exists()
    for consent in Consent.objects.select_related("guardian")[:50]:
        assert consent.guardian.student_id == consent.student_id
        assert consent.given_on <= timezone.localdate()


def test_seed_creates_dual_places_with_placements_within_their_seats(seeded):
    year = current_academic_year()
    places = DualTrainingPlace.objects.all()
    assert places.count() >= 6
    assert places.filter(employer__short_name="ОАО «Нытва»").exists()
    assert Student.objects.technikum_students().count() >= 30
    for place in places:
        assert place.programme.is_dual
        assert place.starts_on == datetime.date(year, 9, 1)
        assert place.ends_on == datetime.date(year + 1, 6, 30)
        assert place.mentor_name
        held = place.placements.filter(status__in=Placement.SEAT_HOLDING).count()
        assert held <= place.seats
    placements = Placement.objects.select_related("student", "place")
    assert placements.filter(status=Placement.Status.ACTIVE).exists()
    for placement in placements:
        assert placement.student.programme_id == placement.place.programme_id
        assert 1 <= placement.student.grade <= 4


def test_every_dual_programme_gets_four_to_six_competences(seeded):
    for programme in Programme.objects.all():
        count = programme.competences.count()
        if programme.is_dual:
            assert 4 <= count <= 6, programme.okso_code
        else:
            assert count == 0, programme.okso_code
    for competence in Competence.objects.all():
        competence.full_clean()


def test_seed_adds_a_draft_and_a_closed_place_with_nobody_placed(seeded):
    for status in (DualTrainingPlace.Status.DRAFT, DualTrainingPlace.Status.CLOSED):
        places = DualTrainingPlace.objects.filter(status=status)
        assert places.count() == 1, status
        assert not Placement.objects.filter(place__in=places).exists()


def test_every_placement_has_a_history_that_leads_to_its_status(seeded):
    technikum, employer = (
        User.objects.get(username="technikum"),
        User.objects.get(username="employer"),
    )
    now = timezone.now()
    placements = Placement.objects.prefetch_related("history")
    assert {p.status for p in placements} >= {"proposed", "agreed", "active", "declined"}
    for placement in placements:
        steps = sorted(placement.history.all(), key=lambda s: (s.at, s.pk))
        assert steps[0].from_status == ""
        assert steps[0].to_status == Placement.Status.PROPOSED
        assert steps[0].by == technikum
        for before, step in itertools.pairwise(steps):
            assert step.from_status == before.to_status
            assert (step.from_status, step.to_status) in Placement.TRANSITIONS
            owner = Placement.TRANSITIONS[(step.from_status, step.to_status)]
            assert step.by == (employer if owner == "employer" else technikum) or (
                owner == "either" and step.by in (technikum, employer)
            )
            assert before.at <= step.at <= now
        assert steps[-1].to_status == placement.status
        if placement.status in Placement.NEEDS_REASON:
            assert steps[-1].comment == placement.reason != ""
        if placement.contract_number:
            signed = next(s for s in steps if s.to_status == Placement.Status.CONTRACT_SIGNED)
            assert placement.contract_number in signed.comment


def test_active_students_at_the_demo_employer_have_evaluations_over_time(seeded):
    employer = User.objects.get(username="employer")
    membership = Membership.objects.get(user=employer)
    today = timezone.localdate()
    active = Placement.objects.filter(
        status=Placement.Status.ACTIVE, place__employer=membership.organisation
    ).select_related("place")
    assert active.exists()
    for placement in active:
        evaluations = list(placement.evaluations.prefetch_related("marks"))
        days = (today - placement.place.starts_on).days
        assert min(2, days + 1) <= len(evaluations) <= 4
        assert len({e.evaluated_on for e in evaluations}) == len(evaluations)
        competences = set(placement.place.programme.competences.values_list("pk", flat=True))
        for evaluation in evaluations:
            assert evaluation.by == employer
            assert placement.place.starts_on <= evaluation.evaluated_on <= today
            assert {m.competence_id for m in evaluation.marks.all()} == competences
            assert all(1 <= m.mark <= 5 for m in evaluation.marks.all())
            evaluation.full_clean()
    others = Evaluation.objects.exclude(placement__in=active)
    assert not others.exists()


def test_rerun_keeps_the_technikums_competences(seeded):
    cooks = Programme.objects.get(okso_code="43.01.09")
    cooks.competences.exclude(order=1).delete()
    cooks.competences.update(title="Приготовление блюд по технологической карте")
    _seed()
    assert list(cooks.competences.values_list("title", flat=True)) == [
        "Приготовление блюд по технологической карте"
    ]


def test_seed_creates_vacancies_including_summer_jobs_for_minors(seeded):
    vacancies = Vacancy.objects.all()
    assert vacancies.count() >= 15
    minors = vacancies.filter(for_minors=True)
    assert minors.filter(is_summer_job=True).exists()
    assert {v.min_age for v in minors} <= {14, 16}
    assert vacancies.filter(status=Vacancy.Status.DRAFT).exists()
    assert vacancies.filter(status=Vacancy.Status.PUBLISHED).count() >= 15
    assert not vacancies.filter(status=Vacancy.Status.PUBLISHED, published_at__isnull=True).exists()
    on_moderation = vacancies.get(status=Vacancy.Status.MODERATION)
    assert on_moderation.published_at is None
    assert on_moderation.for_graduates
    assert on_moderation.valid_until > timezone.localdate()
    returned = vacancies.exclude(moderation_comment="").get()
    assert (returned.status, returned.published_at) == (Vacancy.Status.DRAFT, None)
    assert returned.for_students
    assert not vacancies.filter(schedule="").exists()
    assert not vacancies.filter(employment_type="").exists()
    for vacancy in vacancies:
        vacancy.full_clean()


def test_seed_creates_one_demo_user_per_role(seeded):
    expected = {
        "counsellor": (Role.COUNSELLOR, "Нытвенская СОШ № 1"),
        "counsellor2": (Role.COUNSELLOR, "Нытвенская СОШ № 2"),
        "head": (Role.SCHOOL_HEAD, "Нытвенская СОШ № 1"),
        "technikum": (Role.TECHNIKUM_STAFF, "КГАПОУ «НМТ»"),
        "employer": (Role.EMPLOYER_REP, "ОАО «Нытва»"),
        "czn": (Role.CENTRE_SPECIALIST, None),
        "admin_district": (Role.ADMINISTRATION, None),
        "coordinator": (Role.COORDINATOR, None),
    }
    for username, (role, organisation) in expected.items():
        membership = Membership.objects.select_related("organisation").get(user__username=username)
        assert membership.role == role
        assert organisation is None or membership.organisation.short_name == organisation
        membership.full_clean()
    assert {m.role for m in Membership.objects.all()} == set(Role.values)
    assert all(
        u.first_name and u.last_name for u in User.objects.filter(username__in=DEMO_USERNAMES)
    )


def test_coordinator_is_staff_with_the_apps_permissions(seeded):
    coordinator = User.objects.get(username="coordinator")
    assert coordinator.is_staff
    assert not coordinator.is_superuser
    assert coordinator.groups.filter(name="Координаторы").exists()
    for codename in ("students.view_student", "employers.change_vacancy", "schools.add_programme"):
        assert coordinator.has_perm(codename)
    assert Permission.objects.filter(content_type__app_label="django_celery_beat").exists()
    assert coordinator.has_perm("django_celery_beat.change_periodictask")
    assert not coordinator.has_perm("auth.change_user")
    assert not User.objects.get(username="counsellor").is_staff


def test_parent_and_pupil_logins_are_linked_to_a_family_at_school_1(seeded):
    pupil = Student.objects.select_related("organisation").get(user__username="pupil")
    assert pupil.organisation.short_name == "Нытвенская СОШ № 1"
    children = Student.objects.filter(guardians__user__username="parent")
    assert pupil in children
    assert children.count() == 2
    assert all(c.organisation_id == pupil.organisation_id for c in children)


def test_seed_twice_leaves_every_count_unchanged(seeded):
    before = _counts()
    output = _seed()
    assert _counts() == before
    assert "новых записей: 0" in output


def test_each_demo_user_logs_in_with_the_demo_password_and_sees_the_home_page(seeded, client, rf):
    for username in DEMO_USERNAMES:
        # The login lockout (django-axes) needs the request authenticate() is called for.
        login = rf.post("/accounts/login/")
        assert client.login(request=login, username=username, password="demo12345"), username
        response = client.get("/")
        assert response.status_code == 200, username
        client.logout()


def test_password_option_resets_every_demo_password(seeded, client, rf):
    _seed("--password", "другой-пароль-1")
    login = rf.post("/accounts/login/")
    for username in DEMO_USERNAMES:
        assert client.login(request=login, username=username, password="другой-пароль-1"), username
    assert not client.login(request=login, username="counsellor", password="demo12345")


def test_pupils_option_sets_how_many_pupils_are_made():
    _seed("--pupils", "300")
    assert Student.objects.pupils().filter(academic_year=current_academic_year()).count() == 300


def test_dry_run_saves_nothing():
    before = _counts()
    output = _seed("--dry-run")
    assert _counts() == before
    assert "counsellor" in output


def test_summary_lists_the_counts_and_every_login(seeded):
    assert "Учеников школ: 320" in seeded
    assert "«demo12345»" in seeded
    for username in DEMO_USERNAMES:
        assert username in seeded


def test_pupils_with_consent_have_a_profile_and_are_found_by_folded_surname(seeded):
    pupils = Student.objects.filter(organisation__kind="school")
    assert not pupils.filter(last_name_folded="").exists()
    sample = pupils.first()
    assert sample.last_name_folded == fold(sample.last_name)
    with_profile = pupils.with_consent().exclude(interests="")
    assert with_profile.count() > pupils.with_consent().count() // 2
    # Career-guidance data exists only where processing consent was given.
    assert not pupils.exclude(pk__in=pupils.with_consent()).exclude(interests="").exists()
    assert Achievement.objects.filter(student__in=pupils.with_consent()).exists()
    assert not Achievement.objects.exclude(student__in=pupils.with_consent()).exists()


# --- career guidance --------------------------------------------------------------------


def test_seed_creates_professions_tagged_with_both_questionnaires(seeded):
    # The district's professions; the mapping rules add more, untagged, for imported titles.
    titles = [row[0] for row in demo_data.PROFESSIONS_OF_DISTRICT]
    professions = Profession.objects.filter(title__in=titles).prefetch_related(
        "interest_types__questionnaire"
    )
    assert professions.count() >= 15
    for profession in professions:
        profession.full_clean()
        codes = {s.questionnaire.code for s in profession.interest_types.all()}
        assert codes == {"klimov-ddo", "riasec"}, profession.title
        assert not profession.okz_code or re.fullmatch(r"\d{4}", profession.okz_code)
    assert Profession.objects.get(title="Сварщик").programmes.filter(okso_code="15.01.05").exists()


def test_every_programme_is_tagged_and_every_demo_vacancy_names_its_profession(seeded):
    for programme in Programme.objects.prefetch_related("interest_types", "professions"):
        assert programme.interest_types.exists(), programme.okso_code
        assert programme.professions.exists(), programme.okso_code
    assert not Vacancy.objects.filter(profession__isnull=True).exists()
    welder = Programme.objects.get(okso_code="15.01.05")
    assert {t.code for t in welder.interest_types.all()} >= {"Т", "R"}


def test_seed_plans_upcoming_events_of_every_kind_by_the_districts_organisations(seeded):
    now = timezone.now()
    events = Event.objects.filter(starts_at__gt=now).select_related("organiser")
    assert {e.kind for e in events} == set(Event.Kind.values)
    for event in events:
        event.full_clean()
        assert now < event.starts_at < now + datetime.timedelta(days=35)
        assert event.starts_at.astimezone(timezone.get_current_timezone()).weekday() < 5
        assert event.organiser.district == _district()
    assert events.filter(is_public=True).exists()
    assert events.filter(is_public=False).exists()
    trial = events.get(title="Профпроба «Сварщик»")
    assert trial.kind == Event.Kind.TRIAL
    assert trial.organiser.kind == Organisation.Kind.TECHNIKUM
    assert trial.programme.okso_code == "15.01.05"
    assert 0 < trial.registrations.count() <= trial.capacity


def test_registered_pupils_hold_every_consent_the_event_needs_and_fit_its_grades(seeded):
    registrations = Registration.objects.select_related("event__organiser", "student")
    assert registrations.count() >= 20
    for registration in registrations:
        event, student = registration.event, registration.student
        active = set(student.consents.active().values_list("scope", flat=True))
        assert set(event.required_consent_scopes) <= active
        assert event.min_grade <= student.grade <= event.max_grade
    for event in Event.objects.all():
        assert event.registrations.count() <= event.capacity
    pupil = Student.objects.get(user__username="pupil")
    assert pupil.event_registrations.filter(event__kind=Event.Kind.OPEN_DAY).exists()


def test_questionnaire_results_belong_to_pupils_with_consent(seeded):
    attempts = Attempt.objects.select_related("questionnaire", "leading_scale")
    assert attempts.count() >= 20
    with_consent = Student.objects.with_consent()
    assert not attempts.exclude(student__in=with_consent).exists()
    assert {a.questionnaire.code for a in attempts} == {"klimov-ddo", "riasec"}
    for attempt in attempts:
        assert attempt.answers.count() == attempt.questionnaire.questions.count()
    pupil_results = attempts.filter(student__user__username="pupil")
    assert pupil_results.get(questionnaire__code="klimov-ddo").leading_scale.code == "Т"


def test_the_pupil_login_gets_technical_recommendations_with_reasons(seeded):
    pupil = Student.objects.get(user__username="pupil")
    result = recommendations_for(student=pupil)
    assert result.programmes
    assert result.places
    assert result.events
    top = result.programmes[0]
    assert {t.code for t in top.object.interest_types.all()} & {"Т", "R"}
    assert any("человек — техника" in reason for reason in top.reasons)


def test_rerun_keeps_the_coordinators_tags(seeded):
    welder = Programme.objects.get(okso_code="15.01.05")
    art = Scale.objects.get(questionnaire__code="klimov-ddo", code="Х")
    welder.interest_types.set([art])
    _seed()
    assert list(welder.interest_types.all()) == [art]


def test_rerun_after_the_events_have_passed_plans_the_next_ones(seeded):
    total = Event.objects.count()
    upcoming = Event.objects.upcoming()
    planned = upcoming.count()
    # A day ago: in this academic year whenever the test runs after 1 September.
    past = timezone.now() - datetime.timedelta(days=1)
    upcoming.update(starts_at=past, ends_at=past + datetime.timedelta(hours=2))
    _seed()
    assert Event.objects.count() == total + planned
    assert Event.objects.upcoming().count() == planned
    _seed()
    assert Event.objects.count() == total + planned


def test_demo_vacancies_are_mapped_and_summarised(seeded):
    from labour.models import LabourSummary

    district = _district()
    vacancies = Vacancy.objects.filter(employer__district=district)
    assert vacancies.exists()
    assert not vacancies.filter(profession__isnull=True).exists()
    assert vacancies.filter(profession__group__isnull=False).count() == vacancies.count()
    summaries = LabourSummary.objects.filter(district=district)
    assert set(summaries.values_list("period", flat=True)) == {"week", "month"}
    history = demo_labour.HISTORY_WEEKS + demo_labour.HISTORY_MONTHS
    assert summaries.count() == history
    _seed()
    assert LabourSummary.objects.filter(district=district).count() == history


def test_summary_history_covers_the_past_weeks_and_months_up_to_the_last_complete_ones(seeded):
    from labour.models import LabourSummary
    from labour.services.summaries import labour_summaries_due

    summaries = LabourSummary.objects.filter(district=_district())
    due = dict(labour_summaries_due(today=timezone.localdate()))
    weeks = sorted(summaries.filter(period="week").values_list("period_start", flat=True))
    months = sorted(summaries.filter(period="month").values_list("period_start", flat=True))
    assert len(weeks) == demo_labour.HISTORY_WEEKS
    assert len(months) == demo_labour.HISTORY_MONTHS
    assert (weeks[-1], months[-1]) == (due["week"], due["month"])
    assert all(b - a == datetime.timedelta(weeks=1) for a, b in itertools.pairwise(weeks))
    assert all(
        (b.year * 12 + b.month) - (a.year * 12 + a.month) == 1
        for a, b in itertools.pairwise(months)
    )


@pytest.mark.parametrize("period", ["week", "month"])
def test_summary_trends_are_not_flat(seeded, period):
    from labour.models import LabourSummary

    rows = LabourSummary.objects.filter(district=_district(), period=period)
    opened = [s.vacancies_open for s in rows]
    new = [s.figures["new"] for s in rows]
    closed = [s.figures["closed"] for s in rows]
    assert len(set(opened)) > 1
    assert len(set(new)) > 1
    assert len(set(closed)) > 1


def test_archived_vacancies_closed_in_the_past_and_are_not_duplicated(seeded):
    archived = Vacancy.objects.filter(external_id__startswith=demo_data.ARCHIVE_PREFIX)
    assert archived.count() == demo_labour.ARCHIVE_SIZE
    now = timezone.now()
    for vacancy in archived:
        assert vacancy.status == Vacancy.Status.CLOSED
        assert vacancy.published_at < vacancy.closed_at <= now
        assert vacancy.profession_id is not None
    closed = Vacancy.objects.filter(status=Vacancy.Status.CLOSED, closed_at__isnull=True)
    assert not closed.exists()
    _seed()
    assert Vacancy.objects.filter(external_id__startswith=demo_data.ARCHIVE_PREFIX).count() == (
        demo_labour.ARCHIVE_SIZE
    )


# --- earlier academic years, past events, continuity --------------------------------------


def test_pupils_have_one_record_a_grade_lower_in_each_of_the_two_earlier_years(seeded):
    year = current_academic_year()
    pupils = Student.objects.pupils().filter(organisation__district=_district())
    assert set(pupils.values_list("academic_year", flat=True)) == {year - 2, year - 1, year}
    for back in (1, 2):
        assert pupils.filter(academic_year=year - back).count() >= 200
    person = ("organisation_id", "last_name", "first_name", "patronymic", "birth_date")
    earlier = {
        (*row[:5], row[5]): row[6]
        for row in pupils.filter(academic_year__lt=year).values_list(
            *person, "academic_year", "grade"
        )
    }
    now = list(pupils.filter(academic_year=year).values_list(*person, "grade"))
    for *key, grade in now:
        for back in (1, 2):
            if grade - back >= 7:
                assert earlier[(*key, year - back)] == grade - back, key
            else:
                assert (*key, year - back) not in earlier, key
    # Each earlier record of a pupil has its guardian and, where given, its own consent.
    records = pupils.filter(academic_year__lt=year)
    assert not records.filter(guardians__isnull=True).exists()
    for consent in Consent.objects.filter(student__in=records).select_related("guardian")[:50]:
        assert consent.guardian.student_id == consent.student_id
        assert consent.document_number.startswith(f"ПД-{consent.student.academic_year}-")


def test_some_technikum_students_were_pupils_of_district_schools_last_years(seeded):
    year = current_academic_year()
    technikum = Student.objects.technikum_students().filter(academic_year=year)
    schools = Student.objects.pupils().filter(academic_year__lt=year)
    former = {
        (fold(r[0]), *r[1:])
        for r in schools.values_list("last_name", "first_name", "patronymic", "birth_date")
    }
    matched = [
        s
        for s in technikum
        if (fold(s.last_name), s.first_name, s.patronymic, s.birth_date) in former
    ]
    assert len(matched) >= 30
    assert len(matched) < technikum.count()
    for student in matched:
        record = schools.filter(
            last_name=student.last_name,
            first_name=student.first_name,
            patronymic=student.patronymic,
            birth_date=student.birth_date,
        ).latest("academic_year")
        # The last school year was the one before the first course, in grade 9 or 11.
        assert record.academic_year == year - student.grade
        assert record.grade == int(student.programme.base_education)


def test_past_events_have_registrations_attendance_and_feedback_in_each_year(seeded):
    now = timezone.now()
    year = current_academic_year()
    tz = timezone.get_current_timezone()
    past = Event.objects.filter(starts_at__lt=now, organiser__district=_district())
    assert {e.kind for e in past} == set(Event.Kind.values)
    for start in (year - 2, year - 1, year):
        held = past.filter(
            starts_at__gte=datetime.datetime(start, 9, 1, tzinfo=tz),
            starts_at__lt=datetime.datetime(start + 1, 9, 1, tzinfo=tz),
        )
        assert held.count() == len(demo_guidance_data.PAST_EVENTS), start
        registrations = Registration.objects.filter(event__in=held).select_related("student")
        assert registrations.filter(attended=True).count() > registrations.count() // 2
        assert registrations.filter(attended=False).exists()
        assert {r.student.academic_year for r in registrations} == {start}
        assert Feedback.objects.filter(registration__event__in=held).exists()
    for registration in Registration.objects.filter(event__in=past).select_related("event")[:200]:
        assert registration.registered_at < registration.event.starts_at
    for feedback in Feedback.objects.select_related("registration__event"):
        assert feedback.registration.attended
        assert 1 <= feedback.rating <= 5
        assert feedback.registration.event.starts_at < feedback.created_at <= now


def test_questionnaire_results_of_each_year_were_completed_in_that_year(seeded):
    year = current_academic_year()
    tz = timezone.get_current_timezone()
    now = timezone.now()
    pupils = Student.objects.pupils()
    for start in (year - 2, year - 1, year):
        attempts = Attempt.objects.filter(student__in=pupils.filter(academic_year=start))
        assert attempts.count() >= 150, start
        first, last = (
            attempts.earliest("completed_at").completed_at,
            attempts.latest("completed_at").completed_at,
        )
        assert datetime.datetime(start, 9, 1, tzinfo=tz) <= first
        assert last < min(datetime.datetime(start + 1, 9, 1, tzinfo=tz), now)
        # Results differ: several leading types in each year.
        assert attempts.values("leading_scale").distinct().count() >= 6


def test_a_second_run_adds_no_earlier_record_event_or_result(seeded):
    kinds = (Student, Event, Registration, Feedback, Attempt, Consent, Guardian)
    before = {m: m.objects.count() for m in kinds}
    assert "новых записей: 0" in _seed()
    assert {m: m.objects.count() for m in kinds} == before


# --- the career-guidance minimum ---------------------------------------------------------


def _first_school_day_passed() -> bool:
    year = current_academic_year()
    return timezone.localdate() > datetime.date(year, 9, 1)


def test_every_demo_school_has_a_career_minimum_level_of_the_year(seeded):
    from career_minimum.models import SchoolPlan

    schools = _district().organisations.schools()
    plans = SchoolPlan.objects.filter(school__in=schools, academic_year=current_academic_year())
    assert set(plans.values_list("school_id", flat=True)) == set(
        schools.values_list("pk", flat=True)
    )
    assert set(plans.values_list("level", flat=True)) == set(SchoolPlan.Level.values)
    head = User.objects.get(username="head")
    assert plans.get(school__short_name="Нытвенская СОШ № 1").updated_by == head


def test_career_minimum_activities_are_held_for_every_class_with_its_pupils(seeded):
    from career_minimum.models import Activity, Participation

    if not _first_school_day_passed():
        pytest.skip("No day of the academic year has passed yet.")
    year = current_academic_year()
    today = timezone.localdate()
    pupils = Student.objects.filter(
        organisation__district=_district(),
        academic_year=year,
        is_active=True,
        grade__gte=6,
        grade__lte=11,
    )
    classes: dict[tuple[int, int, str], set[int]] = {}
    for pk, school, grade, letter in pupils.values_list(
        "pk", "organisation_id", "grade", "class_letter"
    ):
        classes.setdefault((school, grade, letter), set()).add(pk)
    activities = Activity.objects.filter(academic_year=year).select_related("direction")
    held = {(a.school_id, a.grade, a.class_letter) for a in activities}
    assert held == set(classes)
    members = {}
    for activity_id, student_id in Participation.objects.values_list("activity_id", "student_id"):
        members.setdefault(activity_id, set()).add(student_id)
    for activity in activities:
        assert datetime.date(year, 9, 1) <= activity.held_on < today
        assert activity.direction.is_active
        assert activity.topic.strip()
        activity.full_clean()
        assert (
            members[activity.pk]
            == classes[(activity.school_id, activity.grade, activity.class_letter)]
        )
    # A few pupils are absent, most are present.
    present = Participation.objects.filter(attended=True).count()
    absent = Participation.objects.filter(attended=False).count()
    assert 0 < absent < present // 3
    # «Россия — мои горизонты»: one hour a week, at most one lesson a week per class.
    horizons = activities.filter(direction__slug="horizons")
    assert {a.hours for a in horizons} <= {1}
    weeks = {(a.school_id, a.grade, a.class_letter, a.held_on.isocalendar()[:2]) for a in horizons}
    assert len(weeks) == horizons.count()
    if today - datetime.date(year, 9, 1) > datetime.timedelta(days=21):
        assert {(a.school_id, a.grade, a.class_letter) for a in horizons} == set(classes)
        slugs = set(activities.values_list("direction__slug", flat=True))
        assert {"horizons", "lessons", "upbringing", "parents"} <= slugs


def test_a_rerun_adds_no_career_minimum_activity_and_keeps_the_heads_level(seeded):
    from career_minimum.models import Activity, Participation, SchoolPlan

    plan = SchoolPlan.objects.get(
        school__short_name="Нытвенская СОШ № 3", academic_year=current_academic_year()
    )
    plan.level = SchoolPlan.Level.ADVANCED
    plan.save()
    # A class's latest activity deleted: the re-run finds the others and makes that one again.
    latest = Activity.objects.order_by("-held_on", "pk").first()
    if latest is not None:
        Activity.objects.filter(pk=latest.pk).delete()
    activities = Activity.objects.count()
    _seed()
    plan.refresh_from_db()
    assert plan.level == SchoolPlan.Level.ADVANCED
    if latest is not None:
        assert Activity.objects.count() == activities + 1
        again = Activity.objects.get(
            school=latest.school_id,
            grade=latest.grade,
            class_letter=latest.class_letter,
            held_on=latest.held_on,
            direction=latest.direction_id,
            topic=latest.topic,
        )
        assert again.participations.count() > 0
    before = (Activity.objects.count(), Participation.objects.count(), SchoolPlan.objects.count())
    assert "новых записей: 0" in _seed()
    assert (
        Activity.objects.count(),
        Participation.objects.count(),
        SchoolPlan.objects.count(),
    ) == (before)


def _level_hours_in_database(student: Student, *, year: int) -> Decimal:
    """The pupil's hours towards the level, summed here from the rows that give them."""
    from career_minimum.models import Direction, Participation

    tz = timezone.get_current_timezone()
    start = datetime.datetime(year, 9, 1, tzinfo=tz)
    end = datetime.datetime(year + 1, 9, 1, tzinfo=tz)
    counting = list(Direction.objects.filter(counts_towards_level=True))
    counting_ids = {d.pk for d in counting}
    events_count = any(d.slug == "events" for d in counting)
    activities = Participation.objects.filter(
        student=student,
        attended=True,
        activity__academic_year=year,
        activity__direction__in=counting_ids,
    ).aggregate(hours=Sum("activity__hours"))["hours"] or Decimal(0)
    registrations = Registration.objects.filter(
        student=student,
        attended=True,
        event__is_cancelled=False,
        event__starts_at__gte=start,
        event__starts_at__lt=end,
    ).select_related("event")
    events = sum(
        (
            r.event.career_hours
            for r in registrations
            if r.event.career_direction_id in counting_ids
            or (r.event.career_direction_id is None and events_count)
        ),
        Decimal(0),
    )
    attempts = Attempt.objects.filter(
        student=student, completed_at__gte=start, completed_at__lt=end
    ).count()
    per_attempt = sum((d.questionnaire_hours or Decimal(0) for d in counting), Decimal(0))
    return activities + events + attempts * per_attempt


def test_demo_counsellor_sees_career_minimum_hours(client, seeded):
    from career_minimum.models import SchoolPlan

    year = current_academic_year()
    today = timezone.localdate()
    response = client.post(reverse("login"), {"username": "counsellor", "password": "demo12345"})
    assert response.status_code == 302
    school = Membership.objects.get(user__username="counsellor").organisation
    biggest = (
        Student.objects.filter(organisation=school, academic_year=year, is_active=True)
        .values("grade", "class_letter")
        .annotate(n=Count("pk"))
        .order_by("-n", "grade", "class_letter")
        .first()
    )
    grade, letter = biggest["grade"], biggest["class_letter"]
    url = reverse("career_minimum:class_sheet")
    html = client.get(url, {"school": school.pk, "class": f"{grade}-{letter}"}).content.decode()
    assert 'data-testid="sheet-level"' in html
    assert 'data-testid="no-level"' not in html

    rows = {
        uuid: body
        for uuid, body in re.findall(
            r'<tr data-testid="sheet-row" data-student="([^"]+)"[^>]*>(.*?)</tr>', html, re.S
        )
    }
    pupils = Student.objects.filter(
        organisation=school, academic_year=year, grade=grade, class_letter=letter, is_active=True
    )
    assert set(rows) == {str(p.uuid) for p in pupils}
    # The pro-rata target: the level's hours times the share of 1 September – 31 May passed.
    plan = SchoolPlan.objects.get(school=school, academic_year=year)
    start, end = datetime.date(year, 9, 1), datetime.date(year + 1, 5, 31)
    share = min(max(Decimal((today - start).days) / Decimal((end - start).days), 0), 1)
    target = (SchoolPlan.TARGET_HOURS[plan.level] * share).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )
    marks = []
    for pupil in pupils:
        body = rows[str(pupil.uuid)]
        shown = re.search(r'data-testid="level-total">([^<]*)<', body).group(1)
        total = _level_hours_in_database(pupil, year=year)
        assert Decimal(shown.strip().replace(",", ".")) == total, pupil.full_name
        behind = "отстаёт" in re.search(r'data-testid="mark">(.*?)</td>', body, re.S).group(1)
        assert behind == (total < target), (pupil.full_name, total, target)
        marks.append(behind)
    if target == 0:
        pytest.skip("On 1 September the target is zero: nobody can be behind yet.")
    assert True in marks
    assert False in marks
