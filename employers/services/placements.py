"""Placements of technikum students to dual-training places and mentors' evaluations.

This module is the one place that applies Placement.TRANSITIONS: every move is checked
against the table and the user's sides, re-read under a row lock, counted against the
place's seats under the place's row lock and written to the placement's history and to
the audit trail (a placement carries the student's name to an employer: personal data).
"""

from __future__ import annotations

import datetime
from collections.abc import Collection, Iterable, Mapping
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from employers.models import (
    DualTrainingPlace,
    Evaluation,
    EvaluationMark,
    Placement,
    PlacementTransition,
)
from resource_center import access, audit
from schools.models import Competence
from students.models import Consent, Student, current_academic_year

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser
    from django.http import HttpRequest

Status = Placement.Status

ADULT_AGE = 18
# A ученический договор is often signed in the summer before the training starts in
# September: up to three months before the place's period is accepted, not earlier.
CONTRACT_EARLIEST_BEFORE_START = datetime.timedelta(days=92)
MAX_HOURS = 744  # 31 days × 24 hours, as the model's check constraint
MARKS = range(1, 6)
SIDES = ("technikum", "employer")
# From the employer's agreement on: the mentor may assess the student from the first days
# at the workplace (an introductory period often precedes the registered contract).
EVALUABLE = (*Placement.SEAT_HOLDING, Status.COMPLETED)

PLACE_NOT_PUBLISHED = _("Место не опубликовано: направлять на него студентов нельзя.")
PLACE_ENDED = _("Срок обучения на этом месте закончился %(date)s.")
NOT_OF_PROGRAMME = _(
    "%(name)s не обучается в этом учебном году в техникуме по программе этого места."
)
NO_CONSENT = _(
    "%(name)s (возраст: %(age)s) — несовершеннолетний: нужно действующее согласие "
    "родителя (законного представителя): %(scopes)s."
)
ALREADY_OPEN = _("%(name)s: направление на это место уже есть и ещё не завершено.")
UNKNOWN_STATUS = _("Неизвестный статус направления.")
IMPOSSIBLE_NOW = _(
    "Из статуса «%(current)s» перевести направление в статус «%(target)s» нельзя. "
    "Возможно, его только что изменил кто-то другой: обновите страницу."
)
REASON_REQUIRED = _("Укажите причину.")
CONTRACT_NUMBER_REQUIRED = _("Укажите номер ученического договора.")
CONTRACT_DATE_REQUIRED = _("Укажите дату ученического договора.")
CONTRACT_DATE_FUTURE = _("Дата договора не может быть позже сегодняшней.")
CONTRACT_DATE_EARLY = _(
    "Дата договора не может быть раньше %(date)s (за три месяца до начала обучения)."
)
CONTRACT_DATE_LATE = _("Дата договора не может быть позже окончания обучения (%(date)s).")
NO_SEATS = _("Свободных мест нет: все %(seats)s мест(а) заняты.")
CONSENT_WITHDRAWN_REASON = _("Отозвано согласие на передачу персональных данных работодателю")
NOT_EVALUABLE = _("Оценки вносятся после согласования работодателем (сейчас: «%(status)s»).")
NO_COMPETENCES = _(
    "У программы «%(programme)s» не указаны компетенции: оценивать не по чему. "
    "Техникум должен добавить компетенции программы."
)
EVALUATION_DATE_FUTURE = _("Дата оценки не может быть позже сегодняшней.")
EVALUATION_DATE_OUTSIDE = _(
    "Дата оценки должна быть в пределах срока обучения: %(start)s — %(end)s."
)
EVALUATION_DATE_TAKEN = _("Оценка за %(date)s уже внесена.")
HOURS_RANGE = _("Часы — целое число от 0 до %(max)s.")
MARKS_INCOMPLETE = _("Поставьте отметку от 1 до 5 по каждой компетенции программы.")


def _day(value: datetime.date) -> str:
    return date_format(value, "d.m.Y")


def _status_label(status: str) -> str:
    return str(Status(status).label) if status in Status.values else "—"


def _place_label(place: DualTrainingPlace) -> str:
    return f"{place.employer.short_name}: {place.workplace}"


# --- facts the pages share with the services -------------------------------------------


def place_closed_reason(place: DualTrainingPlace, *, today: datetime.date) -> str | None:
    """Why no student can be taken on the place now, or None while it takes students."""
    if place.status != DualTrainingPlace.Status.PUBLISHED:
        return str(PLACE_NOT_PUBLISHED)
    if place.ends_on < today:
        return str(PLACE_ENDED % {"date": _day(place.ends_on)})
    return None


def consents_missing(
    *, student: Student, active_scopes: Collection[str], today: datetime.date
) -> list[str]:
    """The consent scopes a placement still needs for this student (none for adults).

    A minor's name reaches the employer only with a guardian's consent (152-FZ). An adult
    student consents to it himself in the ученический договор he signs with the employer,
    so no separate consent is asked of adults here.
    """
    if student.age_on(today) >= ADULT_AGE:
        return []
    return [s for s in Placement.REQUIRED_CONSENT_SCOPES if s not in active_scopes]


def scope_labels(scopes: Iterable[str]) -> str:
    return ", ".join(f"«{Consent.Scope(s).label}»" for s in scopes)


def is_student_of(student: Student, place: DualTrainingPlace) -> bool:
    """A current student of the technikum and the programme the place is for."""
    return (
        student.is_active
        and student.academic_year == current_academic_year()
        and student.organisation_id == place.programme.technikum_id
        and student.programme_id == place.programme_id
    )


def side_owns(owner: str, sides: Collection[str]) -> bool:
    """Whether one of the user's sides owns a transition of the given owner."""
    if owner == "either":
        return any(side in SIDES for side in sides)
    return owner in sides


def moves_for(*, status: str, sides: Collection[str]) -> list[str]:
    """The statuses the user's sides may move a placement to from this one."""
    return [
        to
        for (frm, to), owner in Placement.TRANSITIONS.items()
        if frm == status and side_owns(owner, sides)
    ]


def _check_move(*, current: str, target: str, sides: Collection[str]) -> None:
    """PermissionDenied when the user's sides never make such a move; ValidationError when
    they could, but not from the current status (a stale form, a concurrent change)."""
    if target not in Status.values:
        raise ValidationError(UNKNOWN_STATUS, code="unknown_status")
    owner = Placement.TRANSITIONS.get((current, target))
    if owner is not None:
        if not side_owns(owner, sides):
            raise PermissionDenied
        return
    if any(
        side_owns(owner, sides)
        for (_frm, to), owner in Placement.TRANSITIONS.items()
        if to == target
    ):
        raise ValidationError(
            IMPOSSIBLE_NOW,
            code="impossible",
            params={"current": _status_label(current), "target": _status_label(target)},
        )
    raise PermissionDenied


# --- locks ----------------------------------------------------------------------------


def _lock_place(place: DualTrainingPlace) -> DualTrainingPlace:
    # The seats are counted against the locked place row: two agreements arriving at the
    # same moment are served one after the other, so the second sees the first's seat.
    # Only the place row (`of`): PostgreSQL would otherwise lock the joined rows too.
    return (
        DualTrainingPlace.objects.select_for_update(of=("self",))
        .select_related("programme", "employer")
        .get(pk=place.pk)
    )


def _lock_placement(placement: Placement) -> Placement:
    # Two moves of the same placement (an agreement and a refusal at once) are checked
    # against the status as the other left it, so only one of them can apply.
    return (
        Placement.objects.select_for_update(of=("self",))
        .select_related("place", "place__programme", "place__employer", "student")
        .get(pk=placement.pk)
    )


# --- proposal and transitions ---------------------------------------------------------


@transaction.atomic
def placement_propose(
    *,
    place: DualTrainingPlace,
    student: Student,
    by: AbstractBaseUser,
    request: HttpRequest | None = None,
) -> Placement:
    """The technikum proposes its student for a published place; the history starts."""
    locked = _lock_place(place)
    today = timezone.localdate()
    closed = place_closed_reason(locked, today=today)
    if closed:
        raise ValidationError(closed, code="place_closed")
    name = student.full_name
    if not is_student_of(student, locked):
        raise ValidationError(
            {"student": ValidationError(NOT_OF_PROGRAMME, code="programme", params={"name": name})}
        )
    active = set(student.consents.active().values_list("scope", flat=True))
    missing = consents_missing(student=student, active_scopes=active, today=today)
    if missing:
        params = {"name": name, "age": student.age_on(today), "scopes": scope_labels(missing)}
        raise ValidationError(
            {"student": ValidationError(NO_CONSENT, code="no_consent", params=params)}
        )
    open_here = Placement.objects.filter(place=locked, student=student, status__in=Placement.OPEN)
    already = ValidationError(
        {"student": ValidationError(ALREADY_OPEN, code="open", params={"name": name})}
    )
    if open_here.exists():
        raise already
    try:
        # The partial unique constraint backs the check above against any other writer.
        with transaction.atomic():
            placement = Placement.objects.create(
                place=locked, student=student, status=Status.PROPOSED
            )
    except IntegrityError as exc:
        raise already from exc
    PlacementTransition.objects.create(
        placement=placement, from_status="", to_status=Status.PROPOSED, by=by
    )
    audit.record(
        actor=by,
        action=audit.Action.CREATE,
        student=student,
        details=gettext("Направление на дуальное обучение: %(place)s")
        % {"place": _place_label(locked)},
        request=request,
    )
    return placement


def _contract_date_error(
    date: datetime.date | None, *, place: DualTrainingPlace, today: datetime.date
) -> ValidationError | None:
    if date is None:
        return ValidationError(CONTRACT_DATE_REQUIRED, code="required")
    earliest = place.starts_on - CONTRACT_EARLIEST_BEFORE_START
    if date > today:
        return ValidationError(CONTRACT_DATE_FUTURE, code="future")
    if date < earliest:
        return ValidationError(CONTRACT_DATE_EARLY, code="early", params={"date": _day(earliest)})
    if date > place.ends_on:
        return ValidationError(
            CONTRACT_DATE_LATE, code="late", params={"date": _day(place.ends_on)}
        )
    return None


def _contract_checked(
    *, number: str, date: datetime.date | None, place: DualTrainingPlace, today: datetime.date
) -> tuple[str, datetime.date]:
    errors: dict[str, list[ValidationError]] = {}
    number = " ".join(number.split())
    if not number:
        errors["contract_number"] = [ValidationError(CONTRACT_NUMBER_REQUIRED, code="required")]
    date_error = _contract_date_error(date, place=place, today=today)
    if date_error:
        errors["contract_date"] = [date_error]
    if errors or date is None:
        raise ValidationError(errors)
    return number, date


def _apply(
    placement: Placement,
    *,
    to_status: str,
    by: AbstractBaseUser,
    comment: str = "",
    request: HttpRequest | None = None,
) -> None:
    """Move a locked placement, write its history step and the audit row."""
    from_status = placement.status
    placement.status = to_status
    placement.save(
        update_fields=["status", "reason", "contract_number", "contract_date", "updated_at"]
    )
    PlacementTransition.objects.create(
        placement=placement, from_status=from_status, to_status=to_status, by=by, comment=comment
    )
    audit.record(
        actor=by,
        action=audit.Action.UPDATE,
        student=placement.student,
        details=gettext("Направление на дуальное обучение (%(place)s): «%(from)s» → «%(to)s»")
        % {
            "place": _place_label(placement.place),
            "from": _status_label(from_status),
            "to": _status_label(to_status),
        },
        request=request,
    )


@transaction.atomic
def placement_transition(
    *,
    placement: Placement,
    to_status: str,
    by: AbstractBaseUser,
    sides: Collection[str],
    reason: str = "",
    contract_number: str = "",
    contract_date: datetime.date | None = None,
    request: HttpRequest | None = None,
) -> Placement:
    """Move a placement to another status by the side that owns the move (Placement.
    TRANSITIONS): with a reason to decline or terminate, with the contract's number and
    date to sign it, and within the place's seats to agree it."""
    locked = _lock_placement(placement)
    _check_move(current=locked.status, target=to_status, sides=sides)
    today = timezone.localdate()
    comment = ""
    if to_status in Placement.NEEDS_REASON:
        reason = reason.strip()
        if not reason:
            raise ValidationError({"reason": [ValidationError(REASON_REQUIRED, code="required")]})
        locked.reason = comment = reason
    if to_status == Status.CONTRACT_SIGNED:
        number, date = _contract_checked(
            number=contract_number, date=contract_date, place=locked.place, today=today
        )
        locked.contract_number, locked.contract_date = number, date
        comment = gettext("Ученический договор № %(number)s от %(date)s") % {
            "number": number,
            "date": _day(date),
        }
    if to_status in Placement.SEAT_HOLDING and locked.status not in Placement.SEAT_HOLDING:
        place = _lock_place(locked.place)
        closed = place_closed_reason(place, today=today)
        if closed:
            raise ValidationError(closed, code="place_closed")
        held = Placement.objects.filter(place=place, status__in=Placement.SEAT_HOLDING).count()
        if held >= place.seats:
            raise ValidationError(NO_SEATS, code="full", params={"seats": place.seats})
    _apply(locked, to_status=to_status, by=by, comment=comment, request=request)
    return locked


@transaction.atomic
def placements_end_for_withdrawn_consent(
    *,
    student: Student,
    scopes: Iterable[str],
    by: AbstractBaseUser,
    request: HttpRequest | None = None,
) -> int:
    """Terminate a minor's open placements when the consent that lets the employer see the
    student is withdrawn (processing or transfer to employers); returns how many ended."""
    # Withdrawing either consent stops the student's name from reaching the employer.
    if not set(scopes) & set(Placement.REQUIRED_CONSENT_SCOPES):
        return 0
    # An adult's placement rests on his own ученический договор, not on a guardian's consent.
    if student.age_on(timezone.localdate()) >= ADULT_AGE:
        return 0
    open_placements = list(
        Placement.objects.select_for_update(of=("self",))
        .select_related("place", "place__employer", "student")
        .filter(student=student, status__in=Placement.OPEN)
        .order_by("pk")
    )
    reason = str(CONSENT_WITHDRAWN_REASON)
    for placement in open_placements:
        placement.reason = reason
        _apply(placement, to_status=Status.TERMINATED, by=by, comment=reason, request=request)
    return len(open_placements)


# --- evaluations ------------------------------------------------------------------------


def _marks_checked(marks: Mapping[int, int], competences: list[Competence]) -> dict[int, int]:
    wanted = {c.pk for c in competences}
    given: dict[int, int] = {}
    for key, value in marks.items():
        if isinstance(value, bool) or not isinstance(value, int) or value not in MARKS:
            raise ValidationError(MARKS_INCOMPLETE, code="marks")
        given[int(key)] = value
    if set(given) != wanted:
        raise ValidationError(MARKS_INCOMPLETE, code="marks")
    return given


@transaction.atomic
def evaluation_record(
    *,
    placement: Placement,
    by: AbstractBaseUser,
    evaluated_on: datetime.date,
    hours_worked: int,
    marks: Mapping[int, int],
    comment: str = "",
    request: HttpRequest | None = None,
) -> Evaluation:
    """The employer's side records a mentor's evaluation of a placed student: a mark 1–5 for
    every competence of the programme, the hours worked and a comment; one per date."""
    locked = _lock_placement(placement)
    if not access.can_evaluate(by, locked):
        raise PermissionDenied
    if locked.status not in EVALUABLE:
        raise ValidationError(
            NOT_EVALUABLE, code="status", params={"status": _status_label(locked.status)}
        )
    place = locked.place
    competences = list(Competence.objects.filter(programme_id=place.programme_id))
    if not competences:
        raise ValidationError(
            NO_COMPETENCES, code="no_competences", params={"programme": place.programme.title}
        )
    errors: dict[str, list[ValidationError]] = {}
    today = timezone.localdate()
    if evaluated_on > today:
        errors["evaluated_on"] = [ValidationError(EVALUATION_DATE_FUTURE, code="future")]
    elif not place.starts_on <= evaluated_on <= place.ends_on:
        params = {"start": _day(place.starts_on), "end": _day(place.ends_on)}
        errors["evaluated_on"] = [
            ValidationError(EVALUATION_DATE_OUTSIDE, code="outside", params=params)
        ]
    elif locked.evaluations.filter(evaluated_on=evaluated_on).exists():
        errors["evaluated_on"] = [
            ValidationError(
                EVALUATION_DATE_TAKEN, code="taken", params={"date": _day(evaluated_on)}
            )
        ]
    if isinstance(hours_worked, bool) or not 0 <= hours_worked <= MAX_HOURS:
        errors["hours_worked"] = [
            ValidationError(HOURS_RANGE, code="hours", params={"max": MAX_HOURS})
        ]
    if errors:
        raise ValidationError(errors)
    checked = _marks_checked(marks, competences)
    evaluation = Evaluation.objects.create(
        placement=locked,
        evaluated_on=evaluated_on,
        hours_worked=hours_worked,
        comment=comment.strip(),
        by=by,
    )
    EvaluationMark.objects.bulk_create(
        [
            EvaluationMark(evaluation=evaluation, competence_id=pk, mark=mark)
            for pk, mark in checked.items()
        ]
    )
    audit.record(
        actor=by,
        action=audit.Action.CREATE,
        student=locked.student,
        details=gettext("Оценка наставника за %(date)s (%(place)s)")
        % {"date": _day(evaluated_on), "place": _place_label(place)},
        request=request,
    )
    return evaluation
