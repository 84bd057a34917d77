"""The coordinator's Django admin: every model registered, scoped, counted and audited."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from resource_center import audit
from resource_center.models import (
    AuditEntry,
    District,
    Membership,
    Organisation,
    Role,
    ServiceHeartbeat,
)
from students.models import Consent, Guardian, Student
from tests import factories as f

pytestmark = pytest.mark.django_db

PROJECT_APPS = (
    "resource_center",
    "schools",
    "students",
    "employers",
    "guidance",
    "labour",
    "career_minimum",
)
PROJECT_MODELS = [
    model for label in PROJECT_APPS for model in apps.get_app_config(label).get_models()
]


def admin_url(model: type, view: str, *args: object) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def _district(n: int) -> District:
    return f.DistrictFactory(name=f"Район {n}")


def _audit_entry(n: int) -> AuditEntry:
    return audit.record(actor=f.UserFactory(), action=audit.Action.VIEW, student=f.StudentFactory())


def _band(n: int) -> object:
    return apps.get_model("guidance", "Band").objects.create(
        questionnaire=f.QuestionnaireFactory(), min_score=0, max_score=n + 1, label="низкий"
    )


def _attempt_score(n: int) -> object:
    attempt = f.AttemptFactory()
    return apps.get_model("guidance", "AttemptScore").objects.create(
        attempt=attempt, scale=f.ScaleFactory(questionnaire=attempt.questionnaire), score=n
    )


def _answer(n: int) -> object:
    option = f.OptionFactory()
    attempt = f.AttemptFactory(questionnaire=option.question.questionnaire)
    return apps.get_model("guidance", "Answer").objects.create(
        attempt=attempt, question=option.question, option=option
    )


def _registration(n: int) -> object:
    # The admin shows a registration only while the pupil holds the consents the event needs
    # (a school's event: processing alone).
    student = f.StudentFactory()
    f.ConsentFactory(student=student)
    return f.RegistrationFactory(student=student, event=f.EventFactory(organiser=f.SchoolFactory()))


def _feedback(n: int) -> object:
    return apps.get_model("guidance", "Feedback").objects.create(
        registration=f.RegistrationFactory(), rating=5
    )


def _evaluation_mark(n: int) -> object:
    evaluation = f.EvaluationFactory()
    competence = f.CompetenceFactory(programme=evaluation.placement.place.programme)
    return apps.get_model("employers", "EvaluationMark").objects.create(
        evaluation=evaluation, competence=competence, mark=4
    )


def _labour_summary(n: int) -> object:
    day = timezone.localdate() - datetime.timedelta(days=7 * (n + 1))
    return apps.get_model("labour", "LabourSummary").objects.create(
        district=f.DistrictFactory(),
        period="week",
        period_start=day,
        period_end=day + datetime.timedelta(days=6),
        computed_at=timezone.now(),
        vacancies_open=n,
    )


def _heartbeat(n: int) -> object:
    sources = ServiceHeartbeat.Source.values
    return ServiceHeartbeat.objects.update_or_create(
        name=sources[n % len(sources)], defaults={"seen_at": timezone.now()}
    )[0]


# One row of each model, with whatever it hangs on; the query-count tests call it in a loop.
MAKERS: dict[type, Callable[[int], object]] = {
    District: _district,
    Organisation: lambda n: f.OrganisationFactory(),
    Membership: lambda n: f.MembershipFactory(),
    AuditEntry: _audit_entry,
    apps.get_model("schools", "Programme"): lambda n: f.ProgrammeFactory(),
    Student: lambda n: f.StudentFactory(organisation=f.SchoolFactory()),
    Guardian: lambda n: f.GuardianFactory(),
    Consent: lambda n: f.ConsentFactory(),
    apps.get_model("employers", "Vacancy"): lambda n: f.VacancyFactory(),
    apps.get_model("employers", "DualTrainingPlace"): lambda n: f.DualTrainingPlaceFactory(),
    apps.get_model("employers", "Placement"): lambda n: f.PlacementFactory(),
    apps.get_model("resource_center", "ServiceHeartbeat"): _heartbeat,
    apps.get_model("students", "Achievement"): lambda n: f.AchievementFactory(),
    apps.get_model("students", "PupilImport"): lambda n: f.PupilImportFactory(),
    apps.get_model("students", "GuardianInvitation"): lambda n: f.GuardianInvitationFactory(),
    apps.get_model("students", "DataDeletionRequest"): lambda n: apps.get_model(
        "students", "DataDeletionRequest"
    ).objects.create(
        student=(s := f.StudentFactory()), organisation=s.organisation, requested_by=f.UserFactory()
    ),
    apps.get_model("guidance", "Questionnaire"): lambda n: f.QuestionnaireFactory(),
    apps.get_model("guidance", "Scale"): lambda n: f.ScaleFactory(),
    apps.get_model("guidance", "Band"): _band,
    apps.get_model("guidance", "Question"): lambda n: f.QuestionFactory(),
    apps.get_model("guidance", "Option"): lambda n: f.OptionFactory(),
    apps.get_model("guidance", "AssignmentBatch"): lambda n: f.AssignmentBatchFactory(),
    apps.get_model("guidance", "Assignment"): lambda n: f.AssignmentFactory(),
    apps.get_model("guidance", "Attempt"): lambda n: f.AttemptFactory(),
    apps.get_model("guidance", "AttemptScore"): _attempt_score,
    apps.get_model("guidance", "Answer"): _answer,
    apps.get_model("guidance", "Profession"): lambda n: f.ProfessionFactory(),
    apps.get_model("guidance", "Event"): lambda n: f.EventFactory(),
    apps.get_model("guidance", "Registration"): _registration,
    apps.get_model("guidance", "Feedback"): _feedback,
    apps.get_model("schools", "Competence"): lambda n: f.CompetenceFactory(),
    apps.get_model("employers", "PlacementTransition"): lambda n: f.PlacementTransitionFactory(),
    apps.get_model("employers", "Evaluation"): lambda n: f.EvaluationFactory(),
    apps.get_model("employers", "EvaluationMark"): _evaluation_mark,
    apps.get_model("labour", "ProfessionGroup"): lambda n: apps.get_model(
        "labour", "ProfessionGroup"
    ).objects.create(title=f"Группа {n}-{f.ProfessionFactory().pk}"),
    apps.get_model("labour", "MappingRule"): lambda n: apps.get_model(
        "labour", "MappingRule"
    ).objects.create(
        profession=f.ProfessionFactory(), kind="keyword", pattern=f"слово{f.UserFactory().pk}"
    ),
    apps.get_model("labour", "VacancyImport"): lambda n: apps.get_model(
        "labour", "VacancyImport"
    ).objects.create(source="trudvsem", origin=f"vacancies-{n}.json", district=f.DistrictFactory()),
    apps.get_model("labour", "LabourSummary"): _labour_summary,
    apps.get_model("career_minimum", "Direction"): lambda n: apps.get_model(
        "career_minimum", "Direction"
    ).objects.create(
        title=f"Направление {n}-{f.UserFactory().pk}", slug=f"d{n}-{f.UserFactory().pk}"
    ),
    apps.get_model("career_minimum", "SchoolPlan"): lambda n: f.SchoolPlanFactory(),
    apps.get_model("career_minimum", "Activity"): lambda n: f.ActivityFactory(),
    apps.get_model("career_minimum", "Participation"): lambda n: f.ParticipationFactory(),
    apps.get_model("labour", "DigestSubscription"): lambda n: apps.get_model(
        "labour", "DigestSubscription"
    ).objects.create(user=f.UserFactory(), district=f.DistrictFactory()),
}


@pytest.fixture
def admin_coordinator(coordinator):
    """The coordinator with every model permission of the project's apps."""
    coordinator.user_permissions.add(
        *Permission.objects.filter(content_type__app_label__in=PROJECT_APPS)
    )
    return coordinator


@pytest.fixture
def foreign_pupil(world):
    return f.StudentFactory(organisation=world.other_district_school, last_name="Чужаков")


def student_post_data(student: Student, **changes: object) -> dict[str, object]:
    """The change form of a student as the admin page would post it, with no inline rows."""
    data: dict[str, object] = {
        "last_name": student.last_name,
        "first_name": student.first_name,
        "patronymic": student.patronymic,
        "birth_date": student.birth_date.isoformat(),
        "sex": student.sex,
        "organisation": student.organisation_id,
        "academic_year": student.academic_year,
        "grade": student.grade,
        "class_letter": student.class_letter,
        "programme": "",
        "is_active": "on",
        "user": "",
    }
    for prefix in ("guardians", "achievements", "consents"):
        data |= {
            f"{prefix}-TOTAL_FORMS": 0,
            f"{prefix}-INITIAL_FORMS": 0,
            f"{prefix}-MIN_NUM_FORMS": 0,
            f"{prefix}-MAX_NUM_FORMS": 1000,
        }
    return data | changes


# --- registration and pages -----------------------------------------------------------


@pytest.mark.parametrize("model", PROJECT_MODELS, ids=lambda m: m._meta.label)
def test_every_model_has_working_admin_pages(admin_client, model):
    assert admin.site.is_registered(model), f"{model._meta.label} has no admin"
    obj = MAKERS[model](0)
    model_admin = admin.site.get_model_admin(model)

    assert admin_client.get(admin_url(model, "changelist")).status_code == 200
    assert admin_client.get(admin_url(model, "change", obj.pk)).status_code == 200
    add = admin_client.get(admin_url(model, "add"))
    assert add.status_code == (200 if model_admin.has_add_permission(add.wsgi_request) else 403)


@pytest.mark.parametrize("model", PROJECT_MODELS, ids=lambda m: m._meta.label)
def test_changelist_search_and_filters_answer(admin_client, model):
    MAKERS[model](0)
    response = admin_client.get(admin_url(model, "changelist"), {"q": "Иван"})
    assert response.status_code == 200


# --- query counts ---------------------------------------------------------------------


def _changelist_queries(client, model: type) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(admin_url(model, "changelist"))
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.usefixtures("uncached")
@pytest.mark.parametrize("model", PROJECT_MODELS, ids=lambda m: m._meta.label)
def test_changelist_queries_do_not_grow_with_rows(admin_client, model):
    for n in range(2):
        MAKERS[model](n)
    few = _changelist_queries(admin_client, model)
    for n in range(2, 12):
        MAKERS[model](n)
    assert _changelist_queries(admin_client, model) == few


@pytest.mark.usefixtures("uncached")
def test_student_changelist_is_bounded(admin_client, world, django_assert_max_num_queries):
    few = 5
    for school in (world.school_a, world.school_b, world.technikum):
        f.StudentFactory.create_batch(few, organisation=school)
    queries_for_few = _changelist_queries(admin_client, Student)
    for school in (world.school_a, world.school_b, world.technikum):
        f.StudentFactory.create_batch(30, organisation=school)

    # session, user; choices of the district, organisation, year and grade filters; the
    # filtered and the full count; one page of students JOIN organisation; the access
    # lookups of the site-wide context processor (memberships, guardian, pupil); whether
    # the user enrolled a second factor (the admin asks for its code)
    with django_assert_max_num_queries(13):
        response = admin_client.get(admin_url(Student, "changelist"))
    assert response.context["cl"].result_count == 3 * (few + 30)
    assert _changelist_queries(admin_client, Student) == queries_for_few


def test_coordinator_student_changelist_is_bounded(client, admin_coordinator, world):
    client.force_login(admin_coordinator)
    f.StudentFactory.create_batch(5, organisation=world.school_a)
    few = _changelist_queries(client, Student)
    f.StudentFactory.create_batch(30, organisation=world.school_b)
    assert _changelist_queries(client, Student) == few


# --- the coordinator's scope ----------------------------------------------------------


def test_coordinator_sees_students_of_own_district_only(
    client, admin_coordinator, pupil_a, pupil_b, foreign_pupil
):
    client.force_login(admin_coordinator)
    response = client.get(admin_url(Student, "changelist"))

    assert response.status_code == 200
    shown = set(response.context["cl"].queryset)
    assert shown == {pupil_a, pupil_b}


def test_coordinator_cannot_open_student_of_other_district(
    client, admin_coordinator, foreign_pupil
):
    client.force_login(admin_coordinator)
    response = client.get(admin_url(Student, "change", foreign_pupil.pk))

    # The admin treats an object outside get_queryset as missing: back to the index.
    assert response.status_code == 302
    assert not AuditEntry.objects.filter(student=foreign_pupil).exists()


def test_coordinator_cannot_move_student_to_other_district(
    client, admin_coordinator, world, pupil_a
):
    client.force_login(admin_coordinator)
    data = student_post_data(pupil_a, organisation=world.other_district_school.pk)
    response = client.post(admin_url(Student, "change", pupil_a.pk), data)

    assert response.status_code == 200
    assert "organisation" in response.context["adminform"].form.errors
    pupil_a.refresh_from_db()
    assert pupil_a.organisation == world.school_a


def test_coordinator_autocomplete_offers_own_district_only(client, admin_coordinator, world):
    client.force_login(admin_coordinator)
    response = client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "students",
            "model_name": "student",
            "field_name": "organisation",
            "term": "СОШ",
        },
    )

    assert response.status_code == 200
    names = {row["text"] for row in response.json()["results"]}
    assert names == {world.school_a.short_name, world.school_b.short_name}


@pytest.mark.parametrize(
    ("model", "make_here", "make_there"),
    [
        (District, lambda w: w.district, lambda w: w.other_district_school.district),
        (Organisation, lambda w: w.school_a, lambda w: w.other_district_school),
        (
            apps.get_model("employers", "Vacancy"),
            lambda w: f.VacancyFactory(employer=w.employer),
            lambda w: f.VacancyFactory(
                employer=f.EmployerFactory(district=w.other_district_school.district)
            ),
        ),
        (
            Consent,
            lambda w: f.ConsentFactory(student=f.StudentFactory(organisation=w.school_a)),
            lambda w: f.ConsentFactory(
                student=f.StudentFactory(organisation=w.other_district_school)
            ),
        ),
    ],
    ids=["district", "organisation", "vacancy", "consent"],
)
def test_coordinator_changelists_stop_at_district(
    client, admin_coordinator, world, model, make_here, make_there
):
    here, there = make_here(world), make_there(world)
    client.force_login(admin_coordinator)
    shown = set(client.get(admin_url(model, "changelist")).context["cl"].queryset)

    assert here in shown
    assert there not in shown


# --- who may use the admin at all -----------------------------------------------------


@pytest.fixture
def staff_counsellor(world):
    """A counsellor marked as staff and given the students' model permissions."""
    user = f.UserFactory(username="staff_counsellor", is_staff=True)
    f.MembershipFactory(user=user, organisation=world.school_a, role=Role.COUNSELLOR)
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="students"))
    return user


@pytest.fixture
def coordinator_not_staff(admin_coordinator):
    admin_coordinator.is_staff = False
    admin_coordinator.save(update_fields=["is_staff"])
    return admin_coordinator


def test_staff_without_coordinator_role_is_refused(client, staff_counsellor, pupil_a):
    client.force_login(staff_counsellor)

    response = client.get(admin_url(Student, "changelist"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    login_page = client.get(response["Location"])
    assert login_page.status_code == 200
    # The admin's own notice: logged in, but not allowed here.
    assert "staff_counsellor" in login_page.content.decode()
    assert not login_page.context["has_permission"]
    assert pupil_a.last_name not in login_page.content.decode()


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("admin_user", True),
        ("admin_coordinator", True),
        ("staff_counsellor", False),
        ("coordinator_not_staff", False),
        ("counsellor_a", False),
        ("district_admin", False),
        ("parent_of_pupil_a", False),
    ],
)
@pytest.mark.parametrize("page", ["index", "student_changelist"])
def test_admin_is_for_coordinators_and_superusers(request, client, pupil_a, persona, allowed, page):
    client.force_login(request.getfixturevalue(persona))
    url = reverse("admin:index") if page == "index" else admin_url(Student, "changelist")

    response = client.get(url)

    if allowed:
        assert response.status_code == 200
    else:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


def test_admin_link_shown_to_admin_users_only(client, admin_coordinator, staff_counsellor):
    client.force_login(admin_coordinator)
    assert reverse("admin:index") in client.get(reverse("home")).content.decode()
    client.force_login(staff_counsellor)
    assert reverse("admin:index") not in client.get(reverse("home")).content.decode()


def test_staff_counsellor_cannot_log_in_to_the_admin(client, staff_counsellor):
    response = client.post(
        reverse("admin:login"),
        {
            "username": "staff_counsellor",
            "password": "test-pass-123",
            "next": reverse("admin:index"),
        },
    )

    assert response.status_code == 200
    assert response.context["form"].errors
    assert client.get(reverse("admin:index")).status_code == 302


def test_superuser_sees_every_district(admin_client, pupil_a, foreign_pupil):
    shown = set(admin_client.get(admin_url(Student, "changelist")).context["cl"].queryset)
    assert shown == {pupil_a, foreign_pupil}


# --- search ---------------------------------------------------------------------------


def test_student_search_by_last_name(admin_client, pupil_a, pupil_b):
    response = admin_client.get(admin_url(Student, "changelist"), {"q": "Иванов"})
    assert list(response.context["cl"].queryset) == [pupil_a]


def test_organisation_search_by_inn(admin_client, world):
    response = admin_client.get(admin_url(Organisation, "changelist"), {"q": world.technikum.inn})
    assert list(response.context["cl"].queryset) == [world.technikum]


def test_programme_search_by_okso_code(admin_client, world):
    programme = f.ProgrammeFactory(technikum=world.technikum, okso_code="15.01.05")
    f.ProgrammeFactory(technikum=world.technikum, okso_code="23.01.17")
    response = admin_client.get(admin_url(programme._meta.model, "changelist"), {"q": "15.01.05"})
    assert list(response.context["cl"].queryset) == [programme]


# --- the audit trail of students ------------------------------------------------------


def test_opening_student_page_records_a_view(client, admin_coordinator, pupil_a):
    client.force_login(admin_coordinator)
    url = admin_url(Student, "change", pupil_a.pk)

    response = client.get(url)

    assert response.status_code == 200
    entry = AuditEntry.objects.get(student=pupil_a)
    assert (entry.actor, entry.action, entry.subject) == (
        admin_coordinator,
        AuditEntry.Action.VIEW,
        pupil_a.full_name,
    )
    assert entry.path == url


def test_saving_student_records_an_update(client, admin_coordinator, pupil_a):
    client.force_login(admin_coordinator)
    data = student_post_data(pupil_a, class_letter="Б")

    response = client.post(admin_url(Student, "change", pupil_a.pk), data)

    assert response.status_code == 302
    pupil_a.refresh_from_db()
    assert pupil_a.class_letter == "Б"
    entry = AuditEntry.objects.get(student=pupil_a)
    assert entry.action == AuditEntry.Action.UPDATE
    assert entry.actor == admin_coordinator
    assert entry.details  # names the changed field


def test_adding_student_records_a_creation(client, admin_coordinator, world):
    client.force_login(admin_coordinator)
    template = f.StudentFactory.build(organisation=world.school_a, last_name="Новиков")

    response = client.post(admin_url(Student, "add"), student_post_data(template))

    assert response.status_code == 302
    student = Student.objects.get(last_name="Новиков")
    assert AuditEntry.objects.get(student=student).action == AuditEntry.Action.CREATE


def test_deleting_student_records_a_deletion(client, admin_coordinator, pupil_a):
    client.force_login(admin_coordinator)

    response = client.post(admin_url(Student, "delete", pupil_a.pk), {"post": "yes"})

    assert response.status_code == 302
    assert not Student.objects.filter(pk=pupil_a.pk).exists()
    entry = AuditEntry.objects.get(action=AuditEntry.Action.DELETE)
    assert entry.subject == pupil_a.full_name


def test_consent_added_inline_names_who_recorded_it(client, admin_coordinator, pupil_a):
    guardian = f.GuardianFactory(student=pupil_a)
    client.force_login(admin_coordinator)
    data = student_post_data(pupil_a)
    data |= {
        "guardians-TOTAL_FORMS": 1,
        "guardians-INITIAL_FORMS": 1,
        "guardians-0-id": guardian.pk,
        "guardians-0-student": pupil_a.pk,
        "guardians-0-last_name": guardian.last_name,
        "guardians-0-first_name": guardian.first_name,
        "guardians-0-patronymic": guardian.patronymic,
        "guardians-0-relation": guardian.relation,
        "guardians-0-phone": guardian.phone,
        "consents-TOTAL_FORMS": 1,
        "consents-0-student": pupil_a.pk,
        "consents-0-scope": Consent.Scope.PROCESSING,
        "consents-0-guardian": guardian.pk,
        "consents-0-given_on": "2026-09-02",
    }

    response = client.post(admin_url(Student, "change", pupil_a.pk), data)

    assert response.status_code == 302
    consent = Consent.objects.get(student=pupil_a)
    assert consent.recorded_by == admin_coordinator


def test_consent_inline_offers_only_the_students_guardians(admin_client, pupil_a, pupil_b):
    own = f.GuardianFactory(student=pupil_a)
    f.GuardianFactory(student=pupil_b)

    response = admin_client.get(admin_url(Student, "change", pupil_a.pk))

    consent_formset = next(
        fs.formset
        for fs in response.context["inline_admin_formsets"]
        if fs.formset.model is Consent
    )
    assert list(consent_formset.empty_form.fields["guardian"].queryset) == [own]


def test_consent_of_another_students_guardian_is_refused(admin_client, pupil_a, pupil_b):
    stranger = f.GuardianFactory(student=pupil_b)
    response = admin_client.post(
        admin_url(Consent, "add"),
        {
            "student": pupil_a.pk,
            "guardian": stranger.pk,
            "scope": Consent.Scope.PROCESSING,
            "given_on": "2026-09-02",
        },
    )

    assert response.status_code == 200
    assert "guardian" in response.context["adminform"].form.errors
    assert not Consent.objects.exists()


# --- the audit trail is read-only -----------------------------------------------------


@pytest.fixture
def audit_entry(admin_user, pupil_a) -> AuditEntry:
    return audit.record(actor=admin_user, action=audit.Action.VIEW, student=pupil_a)


def test_audit_entry_cannot_be_added(admin_client):
    assert admin_client.get(admin_url(AuditEntry, "add")).status_code == 403
    assert admin_client.post(admin_url(AuditEntry, "add"), {"subject": "x"}).status_code == 403
    assert not AuditEntry.objects.exists()


def test_audit_entry_is_shown_but_cannot_be_changed(admin_client, audit_entry):
    url = admin_url(AuditEntry, "change", audit_entry.pk)
    assert admin_client.get(url).status_code == 200

    response = admin_client.post(url, {"subject": "Подделка", "action": "delete"})

    assert response.status_code == 403
    audit_entry.refresh_from_db()
    assert (audit_entry.subject, audit_entry.action) != ("Подделка", "delete")


def test_audit_entry_cannot_be_deleted(admin_client, audit_entry):
    url = admin_url(AuditEntry, "delete", audit_entry.pk)
    assert admin_client.post(url, {"post": "yes"}).status_code == 403

    changelist = admin_url(AuditEntry, "changelist")
    response = admin_client.post(
        changelist, {"action": "delete_selected", "_selected_action": [audit_entry.pk]}
    )
    assert response.status_code in (200, 302)
    assert AuditEntry.objects.filter(pk=audit_entry.pk).exists()


def test_coordinator_reads_audit_trail_of_own_district(
    client, admin_coordinator, admin_user, pupil_a, foreign_pupil
):
    here = audit.record(actor=admin_user, action=audit.Action.VIEW, student=pupil_a)
    audit.record(actor=admin_user, action=audit.Action.VIEW, student=foreign_pupil)
    client.force_login(admin_coordinator)

    response = client.get(admin_url(AuditEntry, "changelist"))

    assert response.status_code == 200
    assert list(response.context["cl"].queryset) == [here]
