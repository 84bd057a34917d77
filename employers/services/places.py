"""Writes of dual-training places: publishing, editing, moving between states."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from employers.models import DualTrainingPlace, Placement

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

Status = DualTrainingPlace.Status

# The moves of a place between states, with the label of the button that makes each one:
# the one list the form, the buttons and the services read.
TRANSITIONS: dict[tuple[str, str], Any] = {
    (Status.DRAFT, Status.PUBLISHED): _("Опубликовать"),
    (Status.PUBLISHED, Status.CLOSED): _("Закрыть набор"),
    (Status.CLOSED, Status.DRAFT): _("Вернуть в черновики"),
}

# Fields of a place that its form edits; the rest (uuid, timestamps) are the system's.
PLACE_FIELDS = (
    "programme",
    "employer",
    "workplace",
    "address",
    "mentor_name",
    "mentor_position",
    "mentor_phone",
    "mentor_email",
    "seats",
    "starts_on",
    "ends_on",
    "schedule",
    "stipend",
    "requirements",
    "status",
)

PLACE_TAKEN = _(
    "Такое место уже есть: та же программа, работодатель, рабочее место и дата начала. "
    "Откройте его и измените, вместо того чтобы заводить второе."
)
SEATS_BELOW_HELD = _(
    "На месте уже заняты %(held)s мест(а) согласованными или обучающимися студентами: "
    "мест не может быть меньше."
)
MOVE_FORBIDDEN = _("Место в статусе «%(current)s» нельзя перевести в статус «%(target)s».")
PUBLISH_NEEDS = _("Чтобы опубликовать место, укажите %(what)s.")
PROGRAMME_NOT_DUAL = _("Программа не ведёт дуальное обучение: выберите другую.")
PROGRAMME_NOT_PUBLISHED = _(
    "Программа не опубликована: сначала опубликуйте её, потом место дуального обучения."
)
PERIOD_INVALID = _("Окончание не может быть раньше начала.")
PLACEMENTS_EXIST = _(
    "На место уже направлены студенты: программу и работодателя изменить нельзя. "
    "Закройте набор и заведите новое место."
)


def next_statuses(status: str) -> list[str]:
    """The statuses a place may move to from this one."""
    return [to for (frm, to) in TRANSITIONS if frm == status]


def move_allowed(current: str, target: str) -> bool:
    """Staying in the same status or one of the moves of TRANSITIONS."""
    return current == target or (current, target) in TRANSITIONS


def _status_label(status: str) -> str:
    return str(Status(status).label) if status in Status.values else status


def publish_missing(*, mentor_name: str, address: str) -> list[str]:
    """What a published place must show and this one lacks (shared with the form)."""
    missing = []
    if not mentor_name.strip():
        missing.append(str(_("ФИО наставника")))
    if not address.strip():
        missing.append(str(_("адрес рабочего места")))
    return missing


def _check(place: DualTrainingPlace, *, held: int) -> None:
    errors: dict[str, list[ValidationError]] = {}
    if place.starts_on and place.ends_on and place.ends_on < place.starts_on:
        errors.setdefault("ends_on", []).append(ValidationError(PERIOD_INVALID, code="period"))
    if place.seats is not None and place.seats < max(held, 1):
        errors.setdefault("seats", []).append(
            ValidationError(SEATS_BELOW_HELD, code="below_held", params={"held": held})
            if held
            else ValidationError(_("Мест должно быть не меньше одного."), code="min_value")
        )
    if not place.programme.is_dual:
        errors.setdefault("programme", []).append(
            ValidationError(PROGRAMME_NOT_DUAL, code="not_dual")
        )
    if place.status == Status.PUBLISHED:
        if not place.programme.is_published:
            errors.setdefault("programme", []).append(
                ValidationError(PROGRAMME_NOT_PUBLISHED, code="programme_unpublished")
            )
        missing = publish_missing(mentor_name=place.mentor_name, address=place.address)
        if missing:
            errors.setdefault("status", []).append(
                ValidationError(
                    PUBLISH_NEEDS, code="incomplete", params={"what": ", ".join(missing)}
                )
            )
    if errors:
        raise ValidationError(errors)
    clash = DualTrainingPlace.objects.filter(
        programme_id=place.programme_id,
        employer_id=place.employer_id,
        workplace=place.workplace,
        starts_on=place.starts_on,
    ).exclude(pk=place.pk)
    if clash.exists():
        raise ValidationError({"workplace": PLACE_TAKEN}, code="taken")


def _save(place: DualTrainingPlace) -> None:
    # Model validation without the constraints: _check words them for people, and the
    # database still holds them.
    place.full_clean(validate_constraints=False)
    try:
        # A savepoint: the same place saved twice at once meets the unique constraint here.
        with transaction.atomic():
            place.save()
    except IntegrityError as exc:
        raise ValidationError({"workplace": PLACE_TAKEN}, code="taken") from exc


def _apply(place: DualTrainingPlace, data: Mapping[str, Any]) -> None:
    for name in PLACE_FIELDS:
        if name in data:
            setattr(place, name, data[name])


def _lock(place: DualTrainingPlace) -> DualTrainingPlace:
    # Seats are counted against the locked place row, as employers.services.placements
    # does when a placement takes a seat: lowering the seats and agreeing a placement at
    # the same moment are served one after the other. Only the place row (`of`).
    return (
        DualTrainingPlace.objects.select_for_update(of=("self",))
        .select_related("programme", "employer")
        .get(pk=place.pk)
    )


def _held(place: DualTrainingPlace) -> int:
    return Placement.objects.filter(place=place, status__in=Placement.SEAT_HOLDING).count()


def _check_move(current: str, target: str) -> None:
    if target not in Status.values or not move_allowed(current, target):
        raise ValidationError(
            {
                "status": ValidationError(
                    MOVE_FORBIDDEN,
                    code="move_forbidden",
                    params={"current": _status_label(current), "target": _status_label(target)},
                )
            }
        )


@transaction.atomic
def place_create(*, data: Mapping[str, Any], by: AbstractBaseUser) -> DualTrainingPlace:
    """Add a place, as a draft or published at once, for a programme the form offered."""
    place = DualTrainingPlace()
    _apply(place, data)
    place.status = data.get("status") or Status.DRAFT
    if place.status not in (Status.DRAFT, Status.PUBLISHED):
        _check_move(Status.DRAFT, place.status)
    _check(place, held=0)
    _save(place)
    return place


@transaction.atomic
def place_update(
    *, place: DualTrainingPlace, data: Mapping[str, Any], by: AbstractBaseUser
) -> DualTrainingPlace:
    """Change a place: its seats never drop below the placements holding one, its status
    moves only along TRANSITIONS, and its programme and employer stay once students are sent."""
    locked = _lock(place)
    current = locked.status
    _check_move(current, data.get("status", current))
    if (
        data.get("programme", locked.programme) != locked.programme
        or data.get("employer", locked.employer) != locked.employer
    ) and locked.placements.exists():
        raise ValidationError(PLACEMENTS_EXIST, code="placements_exist")
    _apply(locked, data)
    _check(locked, held=_held(locked))
    _save(locked)
    return locked


@transaction.atomic
def place_status_change(
    *, place: DualTrainingPlace, to: str, by: AbstractBaseUser
) -> DualTrainingPlace:
    """Move a place along TRANSITIONS (publish, close, reopen as a draft)."""
    locked = _lock(place)
    if to == locked.status:
        return locked
    _check_move(locked.status, to)
    locked.status = to
    _check(locked, held=_held(locked))
    locked.save(update_fields=["status", "updated_at"])
    return locked
