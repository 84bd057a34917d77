"""Career events: publishing, registering pupils within the seats, attendance, feedback."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from guidance.models import Event, Feedback, Registration, Scale
from guidance.selectors.events import consented
from resource_center import audit
from resource_center.models import Organisation
from students.models import Consent, Student

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser
    from django.http import HttpRequest

# Fields of an event that its form edits; the rest (uuid, author, timestamps) are the system's.
EVENT_FIELDS = (
    "kind",
    "title",
    "organiser",
    "starts_at",
    "ends_at",
    "place",
    "min_grade",
    "max_grade",
    "capacity",
    "description",
    "programme",
    "career_direction",
    "career_hours",
    "is_public",
    "is_cancelled",
)

CAPACITY_BELOW_REGISTERED = _(
    "На мероприятие уже записано обучающихся: %(registered)s. Мест не может быть меньше."
)
EVENT_CANCELLED = _("Мероприятие отменено: запись закрыта.")
EVENT_STARTED = _("Мероприятие уже началось или прошло: запись закрыта.")
NOT_ENOUGH_SEATS = _(
    "Мест не хватает (выбрано: %(chosen)s). Осталось мест: %(left)s. Никто не записан."
)
NO_CONSENT = _("Нет нужного согласия родителя (%(scopes)s): %(names)s. Никто не записан.")
GRADE_MISFIT = _("Мероприятие для %(low)s–%(high)s классов: %(names)s. Никто не записан.")
CANCEL_STARTED = _("Мероприятие уже началось: запись отменить нельзя.")
ATTENDANCE_EARLY = _("Отметить присутствие можно после начала мероприятия.")
FEEDBACK_CANCELLED = _("Мероприятие отменено: отзыв оставить нельзя.")
FEEDBACK_EARLY = _("Отзыв можно оставить после начала мероприятия.")
FEEDBACK_ABSENT = _("Организатор отметил, что вас не было на мероприятии: отзыв оставить нельзя.")
FEEDBACK_EXISTS = _("Вы уже оставили отзыв об этом мероприятии.")


def _event_label(event: Event) -> str:
    when = date_format(timezone.localtime(event.starts_at), "d.m.Y H:i")
    return f"«{event.title}», {when}"


def _apply(event: Event, data: Mapping[str, Any]) -> None:
    for name in EVENT_FIELDS:
        if name in data:
            setattr(event, name, data[name])


@transaction.atomic
def event_create(
    *,
    data: Mapping[str, Any],
    interest_types: Iterable[Scale] = (),
    by: AbstractBaseUser,
) -> Event:
    """Publish an event on behalf of an organisation the form offered to the user."""
    event = Event(created_by=by)
    _apply(event, data)
    event.full_clean()
    event.save()
    event.interest_types.set(interest_types)
    return event


def _lock(event: Event) -> Event:
    # Registrations count against the locked row: two counsellors registering at once (or
    # an organiser lowering the seats meanwhile) are served one after the other. Only the
    # event row: without `of` PostgreSQL would lock the joined organisation too.
    return (
        Event.objects.select_for_update(of=("self",)).select_related("organiser").get(pk=event.pk)
    )


@transaction.atomic
def event_update(
    *,
    event: Event,
    data: Mapping[str, Any],
    interest_types: Iterable[Scale] = (),
    by: AbstractBaseUser,
) -> Event:
    """Change or cancel an event; the seats never drop below the pupils already registered."""
    locked = _lock(event)
    registered = locked.registrations.count()
    capacity = data.get("capacity", locked.capacity)
    if capacity < registered:
        raise ValidationError(
            {
                "capacity": ValidationError(
                    CAPACITY_BELOW_REGISTERED, code="below", params={"registered": registered}
                )
            }
        )
    _apply(locked, data)
    locked.full_clean()
    locked.save()
    locked.interest_types.set(interest_types)
    return locked


def _names(students: Iterable[Student]) -> str:
    return ", ".join(sorted(s.full_name for s in students))


def _check_open(event: Event) -> None:
    if event.is_cancelled:
        raise ValidationError(EVENT_CANCELLED, code="cancelled")
    if event.starts_at <= timezone.now():
        raise ValidationError(EVENT_STARTED, code="started")


@transaction.atomic
def event_register(
    *,
    event: Event,
    students: Iterable[Student],
    by: AbstractBaseUser,
    request: HttpRequest | None = None,
) -> list[Registration]:
    """Register pupils all or nothing: each with the consents the event needs, of a fitting
    grade, within the seats left; pupils already registered are skipped. Returns the new
    registrations."""
    locked = _lock(event)
    _check_open(locked)
    chosen = {s.pk: s for s in students}
    scopes = locked.required_consent_scopes
    with_consent = set(
        Student.objects.filter(pk__in=chosen).filter(consented(scopes)).values_list("pk", flat=True)
    )
    lacking = [s for pk, s in chosen.items() if pk not in with_consent]
    if lacking:
        labels = ", ".join(str(Consent.Scope(scope).label) for scope in scopes)
        raise ValidationError(
            NO_CONSENT, code="no_consent", params={"scopes": labels, "names": _names(lacking)}
        )
    # Technikum students have courses, not grades: the grades bind school pupils only.
    misfit_ids = (
        Student.objects.filter(pk__in=chosen, organisation__kind=Organisation.Kind.SCHOOL)
        .exclude(grade__gte=locked.min_grade, grade__lte=locked.max_grade)
        .values_list("pk", flat=True)
    )
    misfit = [chosen[pk] for pk in misfit_ids]
    if misfit:
        raise ValidationError(
            GRADE_MISFIT,
            code="grade",
            params={"low": locked.min_grade, "high": locked.max_grade, "names": _names(misfit)},
        )
    already = set(
        locked.registrations.filter(student_id__in=chosen).values_list("student_id", flat=True)
    )
    new = [s for pk, s in chosen.items() if pk not in already]
    if not new:
        return []
    left = locked.capacity - locked.registrations.count()
    if len(new) > left:
        raise ValidationError(
            NOT_ENOUGH_SEATS, code="capacity", params={"chosen": len(new), "left": max(left, 0)}
        )
    created = Registration.objects.bulk_create(
        [Registration(event=locked, student=s, registered_by=by) for s in new]
    )
    audit.record_many(
        actor=by,
        action=audit.Action.CREATE,
        students=new,
        details=gettext("Запись на мероприятие %(event)s") % {"event": _event_label(locked)},
        request=request,
    )
    return created


@transaction.atomic
def registration_cancel(
    *, registration: Registration, by: AbstractBaseUser, request: HttpRequest | None = None
) -> None:
    """Take a pupil off an event that has not started yet; the seat is free again."""
    event = _lock(registration.event)
    if event.starts_at <= timezone.now():
        raise ValidationError(CANCEL_STARTED, code="started")
    registration.delete()
    audit.record(
        actor=by,
        action=audit.Action.DELETE,
        student=registration.student,
        details=gettext("Запись на мероприятие %(event)s отменена")
        % {"event": _event_label(event)},
        request=request,
    )


@transaction.atomic
def event_attendance_mark(
    *,
    event: Event,
    marks: Mapping[Registration, bool | None],
    by: AbstractBaseUser,
    request: HttpRequest | None = None,
) -> int:
    """Store who came (True), who did not (False) and who is not marked (None) once the
    event has started; one audit row per changed pupil. Returns how many changed."""
    if event.starts_at > timezone.now():
        raise ValidationError(ATTENDANCE_EARLY, code="early")
    changed: list[Registration] = []
    for registration, attended in marks.items():
        if registration.event_id != event.pk:
            raise ValueError("a registration of another event")
        if registration.attended is not attended:
            registration.attended = attended
            changed.append(registration)
    Registration.objects.bulk_update(changed, ["attended"])
    words = {True: gettext("был"), False: gettext("не был"), None: gettext("не отмечено")}
    label = _event_label(event)
    for mark, word in words.items():
        audit.record_many(
            actor=by,
            action=audit.Action.UPDATE,
            students=[r.student for r in changed if r.attended is mark],
            details=gettext("Присутствие на мероприятии %(event)s: %(mark)s")
            % {"event": label, "mark": word},
            request=request,
        )
    return len(changed)


@transaction.atomic
def feedback_create(
    *,
    registration: Registration,
    rating: int,
    comment: str = "",
    by: AbstractBaseUser,
    request: HttpRequest | None = None,
) -> Feedback:
    """The pupil's one feedback on an event that has started and that they did not miss."""
    event = registration.event
    if event.is_cancelled:
        raise ValidationError(FEEDBACK_CANCELLED, code="cancelled")
    if event.starts_at > timezone.now():
        raise ValidationError(FEEDBACK_EARLY, code="early")
    if registration.attended is False:
        raise ValidationError(FEEDBACK_ABSENT, code="absent")
    if Feedback.objects.filter(registration=registration).exists():
        raise ValidationError(FEEDBACK_EXISTS, code="exists")
    try:
        with transaction.atomic():
            feedback = Feedback.objects.create(
                registration=registration, rating=rating, comment=comment
            )
    except IntegrityError as exc:  # a double submit: the one-to-one row is already there
        raise ValidationError(FEEDBACK_EXISTS, code="exists") from exc
    audit.record(
        actor=by,
        action=audit.Action.CREATE,
        student=registration.student,
        details=gettext("Отзыв о мероприятии %(event)s") % {"event": _event_label(event)},
        request=request,
    )
    return feedback
