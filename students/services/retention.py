"""Data retention (152-FZ): anonymising pupils who left long ago, and deletion requests.

What anonymisation keeps, so that every district report of past years stays the same:
the organisation, academic year, grade, class letter, sex, birth year, the "active" flag,
the plans after grades 9 and 11, whether the profile was filled in (free text is replaced
by a marker, not blanked), consents (without the guardian's name), questionnaire results,
event registrations, career-minimum participation and dual-training placements.

What it removes: the names (a marker plus the row's id keeps the natural key unique), the
day and month of birth, phone, e-mail, notes, the ОВЗ flag (health data), achievements,
the guardians' names and contacts, free-text comments about the pupil (event feedback,
placement reasons, mentors' comments), the pupil's own portal account (deactivated, its
name and e-mail blanked), guardians' portal accounts left without any child, unused
invitation codes, and the name kept in the audit trail's subject column (the trail still
says who did what and when, to which row).

Continuity (reports.definitions.continuity) matches a technikum student to an earlier
school record by name and birth date, so anonymised rows drop out of it. A person's rows
are anonymised together, only when none of them is recent (see ``pupils_anonymise``), so
a technikum student's school records are kept while the technikum record is recent; the
continuity of years whose records are all anonymised is no longer reported.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import (
    Case,
    CharField,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Cast, Concat, TruncYear
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from employers.models import Evaluation, Placement, PlacementTransition
from guidance.models import Attempt, Feedback
from guidance.services.student_data import guidance_data_clear
from resource_center import audit
from resource_center.lib.text import fold
from resource_center.models import AuditEntry, Membership
from students.models import (
    Achievement,
    Consent,
    DataDeletionRequest,
    Guardian,
    GuardianInvitation,
    Student,
    current_academic_year,
)
from students.services.consents import consent_withdraw
from students.services.pupils import student_optional_data_clear

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, User
    from django.http import HttpRequest

# The placeholders of anonymised rows: fixed text plus the row's own id, nothing random,
# so a second run finds nothing new and the natural key stays unique.
STUDENT_MARKER = "Обучающийся удалён"
GUARDIAN_MARKER = "Родитель удалён"
TEXT_MARKER = "(удалено)"
DEFAULT_RETENTION_YEARS = 3
BATCH_SIZE = 500
# The service account named as the actor of the periodic runs in the audit trail.
SYSTEM_USERNAME = "system.retention"

REQUEST_OPEN = _(
    "Запрос на удаление данных этого обучающегося уже подан и ещё не исполнен (срок — до %(due)s)."
)
REQUEST_ANONYMISED = _("Данные этого обучающегося уже обезличены.")

# Career-guidance free text counted as a filled-in profile by the coverage report.
_PROFILE_TEXT = ("interests", "preferred_professions")
_PROFILE_FILLED = Q(*[~Q(**{name: ""}) for name in Student.OPTIONAL_FIELDS], _connector=Q.OR) | Q(
    has_special_needs=True
)


def retention_years() -> int:
    """Academic years a pupil's records are kept after their last one (PUPIL_RETENTION_YEARS)."""
    return int(getattr(settings, "PUPIL_RETENTION_YEARS", DEFAULT_RETENTION_YEARS))


def retention_actor() -> User:
    """The inactive service account that the periodic runs write the audit trail as."""
    user, _created = get_user_model().objects.get_or_create(
        username=SYSTEM_USERNAME,
        defaults={
            "is_active": False,
            "last_name": gettext("Хранение данных (автоматически)"),
            "password": UNUSABLE_PASSWORD_PREFIX,
        },
    )
    return user


def is_anonymised(student: Student) -> bool:
    return student.last_name == STUDENT_MARKER


def person_records(student: Student) -> QuerySet[Student]:
    """The same person's records in the student's district, every year and organisation
    (matched like the continuity report: folded surname, names, birth date)."""
    if is_anonymised(student):
        return Student.objects.filter(pk=student.pk)
    return Student.objects.filter(
        organisation__district_id=student.organisation.district_id,
        last_name_folded=student.last_name_folded,
        first_name=student.first_name,
        patronymic=student.patronymic,
        birth_date=student.birth_date,
    )


# --- anonymisation --------------------------------------------------------------------


@dataclass
class AnonymisedCounts:
    """What one anonymisation removed; counts only."""

    records: int = 0
    guardians: int = 0
    pupil_accounts: int = 0
    parent_accounts: int = 0
    achievements: int = 0
    invitations: int = 0
    comments: int = 0
    by_organisation: Counter[int] = field(default_factory=Counter)

    FIELDS = (
        "records",
        "guardians",
        "pupil_accounts",
        "parent_accounts",
        "achievements",
        "invitations",
        "comments",
    )

    def add(self, other: AnonymisedCounts) -> None:
        for name in self.FIELDS:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.by_organisation.update(other.by_organisation)

    def as_dict(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in self.FIELDS}

    def details(self) -> str:
        return ", ".join(f"{key}: {value}" for key, value in self.as_dict().items())


def _with_id(prefix: str) -> Concat:
    return Concat(Value(prefix), Cast("pk", CharField()), output_field=CharField())


def _accounts_close(users: QuerySet[Any]) -> int:
    """Deactivate portal accounts and blank what names the person; staff accounts are kept."""
    return (
        users.exclude(is_superuser=True)
        .exclude(is_staff=True)
        .exclude(Exists(Membership.objects.filter(user=OuterRef("pk"))))
        .update(
            is_active=False,
            first_name="",
            last_name="",
            email="",
            username=_with_id("deleted-"),
            password=UNUSABLE_PASSWORD_PREFIX,
        )
    )


def _records_anonymise(ids: list[int], now: datetime.datetime) -> AnonymisedCounts:
    """Anonymise these student rows in a fixed number of bulk statements."""
    counts = AnonymisedCounts()
    if not ids:
        return counts
    User = get_user_model()
    # Accounts first: the links to them are cleared below.
    counts.pupil_accounts = _accounts_close(User.objects.filter(student__pk__in=ids))
    parent_ids = list(
        Guardian.objects.filter(student_id__in=ids, user__isnull=False).values_list(
            "user_id", flat=True
        )
    )
    counts.invitations, _per_model = GuardianInvitation.objects.filter(
        guardian__student_id__in=ids
    ).delete()
    counts.guardians = Guardian.objects.filter(student_id__in=ids).update(
        last_name=GUARDIAN_MARKER,
        first_name=_with_id("№"),
        patronymic="",
        phone="",
        email="",
        user=None,
    )
    # A parent account still linked to another child (a sibling at school) stays.
    counts.parent_accounts = _accounts_close(
        User.objects.filter(pk__in=parent_ids).exclude(
            Exists(Guardian.objects.filter(user=OuterRef("pk")))
        )
    )
    counts.achievements, _per_model = Achievement.objects.filter(student_id__in=ids).delete()
    counts.comments = (
        Feedback.objects.filter(registration__student_id__in=ids)
        .exclude(comment="")
        .update(comment="")
    )
    counts.comments += (
        Placement.objects.filter(student_id__in=ids).exclude(reason="").update(reason="")
    )
    counts.comments += (
        PlacementTransition.objects.filter(placement__student_id__in=ids)
        .exclude(comment="")
        .update(comment="")
    )
    counts.comments += (
        Evaluation.objects.filter(placement__student_id__in=ids)
        .exclude(comment="")
        .update(comment="")
    )
    AuditEntry.objects.filter(student_id__in=ids).update(subject=STUDENT_MARKER)
    # Free text becomes a marker rather than empty: the coverage report counts filled-in
    # profiles, and that count must not change.
    text_marked = {
        name: Case(When(**{name: ""}, then=Value("")), default=Value(TEXT_MARKER))
        for name in _PROFILE_TEXT
    }
    counts.records = Student.objects.filter(pk__in=ids).update(
        last_name=STUDENT_MARKER,
        last_name_folded=fold(STUDENT_MARKER),
        first_name=_with_id("№"),
        patronymic="",
        birth_date=TruncYear("birth_date"),
        phone="",
        email="",
        notes="",
        has_special_needs=False,
        user=None,
        updated_at=now,
        **text_marked,
    )
    return counts


def retention_candidates(*, today: datetime.date, years: int) -> QuerySet[Student]:
    """Records due for anonymisation: no record of the same person is recent.

    A record is recent when its academic year is one of the last ``years`` ones before the
    current (with 3 in 2026/27: 2023/24 and later) and it is either still active or was
    changed (marked as left) less than ``years`` years ago.
    """
    keep_from_year = current_academic_year(today) - years
    left_before = timezone.make_aware(
        datetime.datetime.combine(_years_before(today, years), datetime.time.min)
    )
    recent = Q(academic_year__gte=keep_from_year) & (
        Q(is_active=True) | Q(updated_at__gte=left_before)
    )
    recent_of_same_person = Student.objects.filter(
        recent,
        organisation__district_id=OuterRef("organisation__district_id"),
        last_name_folded=OuterRef("last_name_folded"),
        first_name=OuterRef("first_name"),
        patronymic=OuterRef("patronymic"),
        birth_date=OuterRef("birth_date"),
    )
    return (
        Student.objects.exclude(recent)
        .exclude(last_name=STUDENT_MARKER)
        .exclude(Exists(recent_of_same_person))
    )


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


@dataclass
class RetentionRun:
    """The result of one run: what was (or, on a dry run, would be) anonymised."""

    keep_from_year: int
    dry_run: bool
    counts: AnonymisedCounts = field(default_factory=AnonymisedCounts)
    batches: int = 0


def pupils_anonymise(
    *,
    today: datetime.date | None = None,
    years: int | None = None,
    batch_size: int = BATCH_SIZE,
    dry_run: bool = False,
) -> RetentionRun:
    """Anonymise every person none of whose records is recent; aggregates stay intact.

    Idempotent: anonymised rows carry the marker and are never picked again. Each batch is
    its own transaction with a fixed number of statements; each run that changed something
    writes one audit row per organisation and one for the whole run (counts, no names).
    """
    today = today or timezone.localdate()
    years = retention_years() if years is None else years
    if years < 1:
        raise ValueError("retention must be at least one academic year")
    run = RetentionRun(keep_from_year=current_academic_year(today) - years, dry_run=dry_run)
    candidates = retention_candidates(today=today, years=years)
    if dry_run:
        run.counts.records = candidates.count()
        return run
    now = timezone.now()
    while True:
        with transaction.atomic():
            batch = list(
                candidates.order_by("pk").values_list("pk", "organisation_id")[:batch_size]
            )
            if not batch:
                break
            counts = _records_anonymise([pk for pk, _org in batch], now)
            counts.by_organisation = Counter(org for _pk, org in batch)
            run.counts.add(counts)
            run.batches += 1
    if run.counts.records:
        _run_record(run, actor=retention_actor())
    return run


def _run_record(run: RetentionRun, *, actor: AbstractBaseUser) -> None:
    subject = gettext("Обезличивание по сроку хранения")
    period = f"records of {run.keep_from_year - 1}/{run.keep_from_year % 100:02d} and earlier"
    entries = [
        AuditEntry(
            actor=actor,
            action=audit.Action.DELETE,
            organisation_id=organisation_id,
            subject=subject,
            details=f"retention: {period}; anonymised records: {records}",
        )
        for organisation_id, records in sorted(run.counts.by_organisation.items())
    ]
    entries.append(
        AuditEntry(
            actor=actor,
            action=audit.Action.DELETE,
            subject=subject,
            details=f"retention: {period}; {run.counts.details()}"[:500],
        )
    )
    AuditEntry.objects.bulk_create(entries)


# --- deletion requests ----------------------------------------------------------------


@transaction.atomic
def deletion_request_create(
    *, student: Student, by: AbstractBaseUser, request: HttpRequest | None = None
) -> DataDeletionRequest:
    """Record a guardian's request to delete a pupil's data; one open request at a time."""
    # Requests of one student are recorded one at a time (the open one is checked first).
    Student.objects.select_for_update().filter(pk=student.pk).values_list("pk").get()
    if is_anonymised(student):
        raise ValidationError(REQUEST_ANONYMISED, code="anonymised")
    open_request = DataDeletionRequest.objects.filter(student=student, done_at__isnull=True).first()
    if open_request is not None:
        raise ValidationError(
            REQUEST_OPEN, code="open", params={"due": open_request.due_on.strftime("%d.%m.%Y")}
        )
    try:
        with transaction.atomic():
            created = DataDeletionRequest.objects.create(
                student=student, organisation_id=student.organisation_id, requested_by=by
            )
    except IntegrityError as exc:  # deletion_request_one_open, on a database without locks
        raise ValidationError(REQUEST_OPEN, code="open", params={"due": "—"}) from exc
    audit.record(
        actor=by,
        action=audit.Action.UPDATE,
        student=student,
        details=f"deletion requested: {created.uuid}",
        request=request,
    )
    return created


def _optional_data_remove(records: list[Student], *, by: AbstractBaseUser) -> dict[str, int]:
    """Withdraw the consents and remove the career-guidance data of a pupil still at school;
    the record the school must keep (names, birth date, class, guardians) stays."""
    ids = [r.pk for r in records]
    removed = {
        "records": len(ids),
        "profiles": Student.objects.filter(pk__in=ids).filter(_PROFILE_FILLED).count(),
        "achievements": Achievement.objects.filter(student_id__in=ids).count(),
        "questionnaire_results": Attempt.objects.filter(student_id__in=ids).count(),
    }
    withdrawn = 0
    # Processing first: its withdrawal ends the transfers with it (students.services.consents).
    active = Consent.objects.active().filter(student_id__in=ids)
    for consent in list(active.filter(scope=Consent.Scope.PROCESSING).select_related("student")):
        withdrawn += len(consent_withdraw(consent=consent, by=by))
    for consent in list(active.select_related("student")):
        withdrawn += len(consent_withdraw(consent=consent, by=by))
    removed["consents_withdrawn"] = withdrawn
    # Records without a consent may still hold data entered before this portal checked it.
    for record in records:
        student_optional_data_clear(student=record, by=by)
        guidance_data_clear(student=record, scopes=[Consent.Scope.PROCESSING], by=by)
    has_special_needs = Student.objects.filter(pk__in=ids, has_special_needs=True)
    removed["special_needs"] = has_special_needs.update(has_special_needs=False)
    User = get_user_model()
    removed["pupil_accounts"] = _accounts_close(User.objects.filter(student__pk__in=ids))
    Student.objects.filter(pk__in=ids, user__isnull=False).update(user=None)
    return removed


@transaction.atomic
def deletion_request_process(
    *,
    deletion_request: DataDeletionRequest,
    by: AbstractBaseUser,
    today: datetime.date | None = None,
) -> DataDeletionRequest:
    """Carry out one request: a pupil still at school keeps the record the school must keep
    (names, birth date, class, guardians) and loses the career-guidance data; a pupil who
    has left (no active record this academic year) is anonymised like an expired one."""
    today = today or timezone.localdate()
    locked = DataDeletionRequest.objects.select_for_update().get(pk=deletion_request.pk)
    if locked.done_at is not None:
        return locked
    student = Student.objects.select_related("organisation").filter(pk=locked.student_id).first()
    outcome = DataDeletionRequest.Outcome.ANONYMISED
    removed: dict[str, int] = {"records": 0}
    if student is not None:
        records = list(person_records(student).select_related("organisation"))
        studying = any(
            r.is_active and r.academic_year >= current_academic_year(today) for r in records
        )
        if studying:
            outcome = DataDeletionRequest.Outcome.OPTIONAL_CLEARED
            removed = _optional_data_remove(records, by=by)
        elif not is_anonymised(student):
            removed = _records_anonymise([r.pk for r in records], timezone.now()).as_dict()
    locked.done_at = timezone.now()
    locked.done_by = by
    locked.outcome = outcome
    locked.removed = removed
    locked.save(update_fields=["done_at", "done_by", "outcome", "removed"])
    if student is not None:
        student.refresh_from_db(fields=["last_name", "first_name", "patronymic"])
    details = ", ".join(f"{key}: {value}" for key, value in removed.items())
    audit.record(
        actor=by,
        action=audit.Action.DELETE,
        student=student,
        subject="" if student else STUDENT_MARKER,
        details=f"deletion request {locked.uuid} done ({outcome}); {details}",
    )
    deletion_request.done_at, deletion_request.done_by = locked.done_at, by
    deletion_request.outcome, deletion_request.removed = outcome, removed
    return locked


def deletion_requests_process(*, today: datetime.date | None = None) -> list[DataDeletionRequest]:
    """Carry out every open request (the daily task); each in its own transaction."""
    actor = retention_actor()
    pending = list(
        DataDeletionRequest.objects.filter(done_at__isnull=True).order_by("requested_at", "pk")
    )
    return [
        deletion_request_process(deletion_request=item, by=actor, today=today) for item in pending
    ]
