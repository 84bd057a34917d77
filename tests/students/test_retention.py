"""Data retention: anonymising pupils who left long ago, and guardians' deletion requests."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.contrib.auth.models import Permission, User
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from guidance.models import Attempt
from reports.registry import REPORTS
from reports.scope import ReportFilters, ReportScope
from resource_center.models import AuditEntry
from resource_center.schedule import DEFAULT_SCHEDULE
from students.models import Achievement, Consent, DataDeletionRequest, Guardian, Student
from students.services.retention import (
    GUARDIAN_MARKER,
    STUDENT_MARKER,
    SYSTEM_USERNAME,
    TEXT_MARKER,
    deletion_request_create,
    deletion_requests_process,
    pupils_anonymise,
    retention_actor,
)
from students.tasks import data_retention_task
from tests import factories as f

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
YEAR = Student._meta.get_field("academic_year").default()
OLD = YEAR - 5  # well past three academic years
RECENT = YEAR - 1


def person(school, last_name: str, years: list[int], *, grade: int = 9, **fields) -> list[Student]:
    """One pupil's records over several academic years (the grade rises with the year)."""
    first = years[0]
    born = datetime.date(first - grade - 6, 5, 14)
    return [
        f.StudentFactory(
            organisation=school,
            last_name=last_name,
            academic_year=year,
            grade=min(grade + year - first, 11),
            birth_date=born,
            **fields,
        )
        for year in years
    ]


def with_profile(student: Student, *, parent_username: str | None = None) -> Student:
    """Guardian (with an account), consent, achievements, a questionnaire result, contacts."""
    guardian = f.GuardianFactory(
        student=student,
        email="mama@example.ru",
        user=f.UserFactory(username=parent_username) if parent_username else None,
    )
    f.ConsentFactory(student=student, guardian=guardian)
    f.AchievementFactory(student=student)
    f.AttemptFactory(student=student)
    Student.objects.filter(pk=student.pk).update(
        phone="+7 900 111-22-33",
        email="pupil@example.ru",
        interests="Робототехника",
        preferred_professions="Сварщик",
        path_after_9=Student.PathAfter9.TECHNIKUM,
        notes="Заметка",
        has_special_needs=True,
    )
    student.refresh_from_db()
    return student


def scope_of(world) -> ReportScope:
    return ReportScope(district_ids=frozenset({world.district.pk}))


def figures(world, year: int) -> dict:
    """What the coverage and paths reports show for the year, as plain values."""
    tables = {
        slug: REPORTS[slug].run(scope=scope_of(world), filters=ReportFilters(academic_year=year))
        for slug in ("coverage", "paths", "events", "interests")
    }
    return {slug: (t.rows, t.totals) for slug, t in tables.items()}


# --- retention ------------------------------------------------------------------------


def test_old_pupil_is_anonymised_and_recent_one_kept(world):
    old = [with_profile(s) for s in person(world.school_a, "Старов", [OLD - 1, OLD])]
    old[-1].user = f.UserFactory(username="starov", email="starov@example.ru")
    old[-1].save(update_fields=["user"])
    Guardian.objects.filter(student=old[-1]).update(user=f.UserFactory(username="starova"))
    recent = [with_profile(s) for s in person(world.school_a, "Новиков", [OLD, RECENT])]
    kept_before = list(Student.objects.filter(pk__in=[s.pk for s in recent]).values())

    run = pupils_anonymise(today=TODAY, years=3)

    assert run.counts.records == 2
    for before in old:
        row = Student.objects.get(pk=before.pk)
        assert row.last_name == STUDENT_MARKER
        assert row.first_name == f"№{row.pk}"
        assert row.patronymic == ""
        assert row.birth_date == datetime.date(before.birth_date.year, 1, 1)
        assert (row.phone, row.email, row.notes) == ("", "", "")
        assert row.interests == row.preferred_professions == TEXT_MARKER
        assert row.has_special_needs is False
        # What the reports count stays.
        assert (row.organisation_id, row.academic_year, row.grade, row.class_letter) == (
            before.organisation_id,
            before.academic_year,
            before.grade,
            before.class_letter,
        )
        assert row.path_after_9 == before.path_after_9
        assert row.sex == before.sex
        assert row.is_active
        assert row.user_id is None
        assert not Achievement.objects.filter(student=row).exists()
        assert Attempt.objects.filter(student=row).count() == 1
        assert Consent.objects.filter(student=row).count() == 1
        guardian = Guardian.objects.get(student=row)
        assert guardian.last_name == GUARDIAN_MARKER
        assert (guardian.phone, guardian.email, guardian.user_id) == ("", "", None)
    for username in ("starov", "starova"):
        assert not User.objects.filter(username=username).exists()
    closed = User.objects.filter(username__startswith="deleted-")
    assert closed.count() == 2
    assert all(not u.is_active and not u.has_usable_password() for u in closed)
    assert set(closed.values_list("first_name", "last_name", "email").distinct()) == {("", "", "")}
    assert list(Student.objects.filter(pk__in=[s.pk for s in recent]).values()) == kept_before


def test_school_records_stay_while_the_technikum_record_is_recent(world):
    school = person(world.school_a, "Переходов", [OLD - 1, OLD], grade=8)
    technikum = f.StudentFactory(
        organisation=world.technikum,
        last_name="Переходов",
        birth_date=school[0].birth_date,
        academic_year=RECENT,
        grade=2,
    )

    pupils_anonymise(today=TODAY, years=3)

    assert set(
        Student.objects.filter(pk__in=[s.pk for s in [*school, technikum]]).values_list(
            "last_name", flat=True
        )
    ) == {"Переходов"}


def test_same_name_in_another_district_does_not_keep_a_pupil(world):
    (old,) = person(world.school_a, "Тёзкин", [OLD])
    f.StudentFactory(
        organisation=world.other_district_school,
        last_name="Тёзкин",
        birth_date=old.birth_date,
        academic_year=YEAR,
    )

    pupils_anonymise(today=TODAY, years=3)

    old.refresh_from_db()
    assert old.last_name == STUDENT_MARKER


def test_pupil_marked_as_left_long_ago_is_anonymised(world):
    (left,) = person(world.school_a, "Ушедший", [YEAR - 2])
    (stays,) = person(world.school_a, "Оставшийся", [YEAR - 2])
    long_ago = timezone.now() - datetime.timedelta(days=3 * 366)
    Student.objects.filter(pk=left.pk).update(is_active=False, updated_at=long_ago)

    pupils_anonymise(today=TODAY, years=3)

    left.refresh_from_db()
    stays.refresh_from_db()
    assert left.last_name == STUDENT_MARKER
    assert stays.last_name == "Оставшийся"


def test_report_figures_are_unchanged_by_anonymisation(world, questionnaires):
    questionnaire = next(iter(questionnaires.values()))
    pupils = []
    for n, (school, grade) in enumerate(
        [(world.school_a, 9), (world.school_a, 9), (world.school_a, 11), (world.school_b, 9)] * 3
    ):
        (pupil,) = person(school, f"Отчётов{n}", [OLD], grade=grade)
        if n % 2:
            with_profile(pupil)
            f.AttemptFactory(
                student=pupil,
                questionnaire=questionnaire,
                completed_at=datetime.datetime(OLD, 11, 1, 12, tzinfo=datetime.UTC),
            )
            Student.objects.filter(pk=pupil.pk).update(path_after_11=Student.PathAfter11.ARMY)
        pupils.append(pupil)
    event = f.EventFactory(organiser=world.school_a)
    for pupil in pupils[:5]:
        f.RegistrationFactory(event=event, student=pupil, attended=True)
    before = figures(world, OLD)

    run = pupils_anonymise(today=TODAY, years=3)

    assert run.counts.records == len(pupils)
    assert figures(world, OLD) == before
    coverage_total = before["coverage"][1]
    assert coverage_total["pupils"] == len(pupils)
    assert coverage_total["with_profile"] == len(pupils) // 2


def test_second_run_changes_nothing(world):
    for n in range(3):
        with_profile(person(world.school_a, f"Дважды{n}", [OLD])[0])
    pupils_anonymise(today=TODAY, years=3)
    rows = list(Student.objects.order_by("pk").values())
    guardians = list(Guardian.objects.order_by("pk").values())
    audit_rows = AuditEntry.objects.count()

    again = pupils_anonymise(today=TODAY, years=3)

    assert again.counts.records == 0
    assert list(Student.objects.order_by("pk").values()) == rows
    assert list(Guardian.objects.order_by("pk").values()) == guardians
    assert AuditEntry.objects.count() == audit_rows


def _run_queries(expected: int, batch_size: int = 500) -> int:
    with CaptureQueriesContext(connection) as ctx:
        run = pupils_anonymise(today=TODAY, years=3, batch_size=batch_size)
    assert run.counts.records == expected
    return len(ctx.captured_queries)


def _old_pupils(world, count: int, prefix: str) -> None:
    for n in range(count):
        pupil = with_profile(person(world.school_a, f"{prefix}{n}", [OLD])[0])
        Guardian.objects.filter(student=pupil).update(user=f.UserFactory())


def test_query_count_is_the_same_for_5_and_50_pupils(world):
    retention_actor()
    _old_pupils(world, 5, "Пятый")
    few = _run_queries(5)
    _old_pupils(world, 50, "Полсотни")
    many = _run_queries(50)

    assert Student.objects.filter(last_name=STUDENT_MARKER).count() == 55
    assert many == few


def test_each_batch_costs_the_same_queries(world):
    retention_actor()
    costs = []
    for batches in (1, 2, 3):
        _old_pupils(world, 10 * batches, f"Пакет{batches}-")
        costs.append(_run_queries(10 * batches, batch_size=10))

    # One more batch costs the same statements whatever the batch: the cost is linear in
    # the number of batches, not in the number of pupils.
    assert costs[2] - costs[1] == costs[1] - costs[0] > 0


def test_run_is_recorded_with_counts_and_no_names(world):
    for n in range(2):
        with_profile(person(world.school_a, f"Журналов{n}", [OLD])[0])
    with_profile(person(world.school_b, "Журналов9", [OLD])[0])

    pupils_anonymise(today=TODAY, years=3)

    runs = AuditEntry.objects.filter(actor__username=SYSTEM_USERNAME)
    by_school = dict(
        runs.filter(organisation__isnull=False).values_list("organisation_id", "details")
    )
    assert by_school[world.school_a.pk].endswith("anonymised records: 2")
    assert by_school[world.school_b.pk].endswith("anonymised records: 1")
    overall = runs.get(organisation__isnull=True)
    assert "records: 3" in overall.details
    assert "guardians: 3" in overall.details
    assert not any("Журналов" in e.subject + e.details for e in AuditEntry.objects.all())


def test_names_in_the_audit_trail_are_replaced(world, counsellor_a):
    (old,) = person(world.school_a, "Следов", [OLD])
    from resource_center import audit

    audit.record(actor=counsellor_a, action=audit.Action.VIEW, student=old)

    pupils_anonymise(today=TODAY, years=3)

    assert AuditEntry.objects.get(student=old).subject == STUDENT_MARKER


def test_command_dry_run_changes_nothing(world):
    person(world.school_a, "Пробный", [OLD])
    out = StringIO()

    call_command("anonymise_pupils", "--dry-run", "--years", "3", stdout=out)

    assert "— 1" in out.getvalue()
    assert Student.objects.filter(last_name="Пробный").exists()
    assert not AuditEntry.objects.exists()


def test_command_anonymises(world):
    person(world.school_a, "Командов", [OLD])
    out = StringIO()

    call_command("anonymise_pupils", "--years", "3", stdout=out)

    assert "Обезличено записей: 1" in out.getvalue()
    assert not Student.objects.filter(last_name="Командов").exists()


def test_retention_period_comes_from_settings(world, settings):
    (pupil,) = person(world.school_a, "Настроечный", [YEAR - 2])
    settings.PUPIL_RETENTION_YEARS = 1

    data_retention_task()

    pupil.refresh_from_db()
    assert pupil.last_name == STUDENT_MARKER


def test_daily_job_is_scheduled():
    job = DEFAULT_SCHEDULE["data_retention"]
    assert job["task"] == data_retention_task.name


# --- deletion requests ----------------------------------------------------------------


def test_parent_files_a_request_with_its_due_date(client, parent_of_pupil_a, pupil_a):
    client.force_login(parent_of_pupil_a)
    url = reverse("students:deletion_request", kwargs={"uuid": pupil_a.uuid})

    response = client.post(url)

    assert response.status_code == 302
    item = DataDeletionRequest.objects.get()
    assert (item.student, item.requested_by, item.done_at) == (pupil_a, parent_of_pupil_a, None)
    due = timezone.localdate(item.requested_at) + datetime.timedelta(days=30)
    assert item.due_on == due
    assert AuditEntry.objects.filter(student=pupil_a, details__startswith="deletion").exists()
    page = client.get(url).content.decode()
    assert due.strftime("%d.%m.%Y") in page
    assert 'data-testid="deletion-request-open"' in page
    assert 'data-testid="deletion-request-submit"' not in page


def test_second_open_request_is_refused(client, counsellor_a, pupil_a):
    client.force_login(counsellor_a)
    url = reverse("students:deletion_request", kwargs={"uuid": pupil_a.uuid})
    client.post(url)

    response = client.post(url, follow=True)

    assert DataDeletionRequest.objects.count() == 1
    assert "уже подан" in response.content.decode()


def test_head_may_not_file_a_request(client, head_a, pupil_a):
    client.force_login(head_a)

    response = client.post(reverse("students:deletion_request", kwargs={"uuid": pupil_a.uuid}))

    assert response.status_code == 403
    assert not DataDeletionRequest.objects.exists()


def test_pupil_page_links_to_the_request_page(client, counsellor_a, pupil_a):
    client.force_login(counsellor_a)

    page = client.get(reverse("students:student_detail", kwargs={"uuid": pupil_a.uuid}))

    assert reverse("students:deletion_request", kwargs={"uuid": pupil_a.uuid}) in (
        page.content.decode()
    )


def test_request_for_a_pupil_at_school_removes_guidance_data_only(world, counsellor_a):
    (earlier, current) = person(world.school_a, "Запросов", [YEAR - 1, YEAR], grade=8)
    for record in (earlier, current):
        with_profile(record)
    current.user = f.UserFactory(username="zaprosov")
    current.save(update_fields=["user"])
    deletion_request_create(student=current, by=counsellor_a)

    (done,) = deletion_requests_process(today=TODAY)

    assert done.outcome == DataDeletionRequest.Outcome.OPTIONAL_CLEARED
    assert done.done_by.username == SYSTEM_USERNAME
    assert done.removed["records"] == 2
    assert done.removed["achievements"] == 2
    assert done.removed["questionnaire_results"] == 2
    assert done.removed["consents_withdrawn"] == 2
    assert done.removed["pupil_accounts"] == 1
    for record in (earlier, current):
        record.refresh_from_db()
        assert (record.last_name, record.birth_date) == ("Запросов", earlier.birth_date)
        assert all(getattr(record, name) == "" for name in Student.OPTIONAL_FIELDS)
        assert record.has_special_needs is False
        assert record.user_id is None
        assert not Consent.objects.active().filter(student=record).exists()
        assert not Achievement.objects.filter(student=record).exists()
        assert not Attempt.objects.filter(student=record).exists()
        assert Guardian.objects.get(student=record).last_name == "Запросов"
    assert not User.objects.get(username__startswith="deleted-").is_active
    assert AuditEntry.objects.filter(
        student=current, details__contains=f"deletion request {done.uuid} done"
    ).exists()


def test_request_for_a_pupil_who_left_anonymises_the_record(world, counsellor_a):
    (left,) = person(world.school_a, "Выбывший", [RECENT])
    with_profile(left)
    deletion_request_create(student=left, by=counsellor_a)

    (done,) = deletion_requests_process(today=TODAY)

    left.refresh_from_db()
    assert done.outcome == DataDeletionRequest.Outcome.ANONYMISED
    assert done.removed["records"] == 1
    assert done.removed["guardians"] == 1
    assert left.last_name == STUDENT_MARKER
    assert not DataDeletionRequest.objects.filter(done_at__isnull=True).exists()
    # Done requests are not done again, and the record stays anonymised.
    assert deletion_requests_process(today=TODAY) == []


def test_done_request_shows_what_was_removed(client, counsellor_a, pupil_a):
    with_profile(pupil_a)
    deletion_request_create(student=pupil_a, by=counsellor_a)
    deletion_requests_process(today=TODAY)
    client.force_login(counsellor_a)

    page = client.get(reverse("students:deletion_request", kwargs={"uuid": pupil_a.uuid}))

    html = page.content.decode()
    assert 'data-testid="deletion-request-done"' in html
    assert "достижений: 1" in html
    assert 'data-testid="deletion-request-submit"' in html


def test_overdue_request_is_flagged_on_the_page_and_in_the_admin(
    client, counsellor_a, coordinator, pupil_a, pupil_b
):
    late = deletion_request_create(student=pupil_a, by=counsellor_a)
    deletion_request_create(student=pupil_b, by=counsellor_a)
    DataDeletionRequest.objects.filter(pk=late.pk).update(
        requested_at=timezone.now() - datetime.timedelta(days=31)
    )
    client.force_login(counsellor_a)

    page = client.get(reverse("students:deletion_request", kwargs={"uuid": pupil_a.uuid}))

    assert 'data-testid="deletion-request-overdue"' in page.content.decode()
    client.force_login(coordinator)
    coordinator.user_permissions.add(
        *Permission.objects.filter(codename="view_datadeletionrequest")
    )
    admin_page = client.get(
        reverse("admin:students_datadeletionrequest_changelist"), {"state": "overdue"}
    )
    assert admin_page.status_code == 200
    assert list(admin_page.context["cl"].result_list) == [late]


def test_request_page_queries_do_not_grow(
    client, counsellor_a, pupil_a, django_assert_max_num_queries
):
    client.force_login(counsellor_a)
    url = reverse("students:deletion_request", kwargs={"uuid": pupil_a.uuid})
    deletion_request_create(student=pupil_a, by=counsellor_a)
    deletion_requests_process(today=TODAY)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for _n in range(4):
        deletion_request_create(student=pupil_a, by=counsellor_a)
        deletion_requests_process(today=TODAY)
    # session, user, memberships and guardianship checks, the student, the requests
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(url)
    assert response.content.decode().count('data-testid="deletion-request-done"') == 5
