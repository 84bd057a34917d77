"""Writes of vacancies and employers' profiles: publishing, moderation, the profile card."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from employers.models import Vacancy
from resource_center.models import Organisation

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

# Fields of a vacancy that its form edits; status, source and timestamps are the system's.
VACANCY_FIELDS = (
    "employer",
    "title",
    "profession",
    "description",
    "requirements",
    "salary_from",
    "salary_to",
    "schedule",
    "employment_type",
    "for_minors",
    "min_age",
    "for_graduates",
    "for_students",
    "is_summer_job",
    "valid_until",
    "address",
)
# Fields of an employer's profile that its representative keeps.
EMPLOYER_PROFILE_FIELDS = (
    "full_name",
    "short_name",
    "inn",
    "okved",
    "address",
    "phone",
    "email",
    "website",
)

Status = Vacancy.Status

UNKNOWN_STATUS = _("Такого статуса вакансии нет.")
SAME_STATUS = _("Вакансия уже в статусе «%(status)s».")
FORBIDDEN_MOVE = _("Вакансию в статусе «%(current)s» нельзя перевести в статус «%(target)s».")
COMMENT_NEEDED = _("Напишите, что нужно исправить: замечание увидит тот, кто опубликовал вакансию.")
EXPIRED = _(
    "Срок действия вакансии истёк %(date)s: укажите новую дату «действует до» или оставьте "
    "её пустой."
)
SALARY_RANGE = _("Зарплата «от» не может быть больше зарплаты «до».")
INN_TAKEN = _(
    "Организация с таким ИНН уже есть на портале. Проверьте цифры; если это ваша организация, "
    "обратитесь к координатору ресурсного центра."
)
SHORT_NAME_TAKEN = _("В районе уже есть работодатель с таким кратким наименованием.")


def _apply(obj: Any, fields: tuple[str, ...], data: Mapping[str, Any]) -> None:
    for name in fields:
        if name in data:
            setattr(obj, name, data[name])


def _check(vacancy: Vacancy) -> None:
    """Field checks with Russian messages; the database CHECKs stand behind them."""
    vacancy.full_clean(validate_unique=False, validate_constraints=False)
    if (
        vacancy.salary_from is not None
        and vacancy.salary_to is not None
        and vacancy.salary_from > vacancy.salary_to
    ):
        raise ValidationError({"salary_to": ValidationError(SALARY_RANGE, code="salary_range")})


def _check_not_expired(vacancy: Vacancy) -> None:
    if vacancy.valid_until is not None and vacancy.valid_until < timezone.localdate():
        raise ValidationError(
            EXPIRED, code="expired", params={"date": vacancy.valid_until.strftime("%d.%m.%Y")}
        )


def _lock(vacancy: Vacancy) -> Vacancy:
    # Two moderators (or a moderator and the publisher editing) act one after the other:
    # the second sees the status the first left. Only the vacancy row is locked.
    return (
        Vacancy.objects.select_for_update(of=("self",))
        .select_related("employer", "profession")
        .get(pk=vacancy.pk)
    )


@transaction.atomic
def vacancy_create(
    *, data: Mapping[str, Any], by: AbstractBaseUser, submit: bool = False
) -> Vacancy:
    """Add a vacancy as a draft, or straight onto moderation when ``submit`` is set."""
    vacancy = Vacancy(source=Vacancy.Source.MANUAL, status=Status.DRAFT)
    _apply(vacancy, VACANCY_FIELDS, data)
    _check(vacancy)
    if submit:
        _check_not_expired(vacancy)
        vacancy.status = Status.MODERATION
    vacancy.save()
    return vacancy


@transaction.atomic
def vacancy_update(
    *, vacancy: Vacancy, data: Mapping[str, Any], by: AbstractBaseUser, submit: bool = False
) -> Vacancy:
    """Change a vacancy. A published one goes back to moderation (the coordinator checks
    the new text before it is public again); one on moderation stays there; a draft is
    sent to moderation when ``submit`` is set."""
    locked = _lock(vacancy)
    _apply(locked, VACANCY_FIELDS, data)
    _check(locked)
    if locked.status == Status.PUBLISHED or (submit and locked.status == Status.DRAFT):
        _check_not_expired(locked)
        locked.status = Status.MODERATION
    locked.save()
    return locked


@transaction.atomic
def vacancy_transition(
    *,
    vacancy: Vacancy,
    to_status: str,
    by: AbstractBaseUser,
    roles: Collection[str],
    comment: str = "",
) -> Vacancy:
    """Move a vacancy along Vacancy.TRANSITIONS: only the moves in the table, each by the
    role that owns it ("publisher" or "moderator", see access.vacancy_roles). A return to
    draft needs the moderator's comment; publishing stamps published_at."""
    if to_status not in Status.values:
        raise ValidationError(UNKNOWN_STATUS, code="unknown_status")
    locked = _lock(vacancy)
    current, target = Status(locked.status), Status(to_status)
    if current == target:
        raise ValidationError(SAME_STATUS, code="same_status", params={"status": current.label})
    owner = Vacancy.TRANSITIONS.get((current, target))
    if owner is None:
        raise ValidationError(
            FORBIDDEN_MOVE,
            code="forbidden_move",
            params={"current": current.label, "target": target.label},
        )
    if owner not in roles:
        raise PermissionDenied
    comment = comment.strip()
    fields = ["status", "updated_at"]
    if current == Status.MODERATION and target == Status.DRAFT:
        if not comment:
            raise ValidationError(COMMENT_NEEDED, code="comment_needed")
        locked.moderation_comment = comment
        fields.append("moderation_comment")
    if target in (Status.MODERATION, Status.PUBLISHED):
        _check_not_expired(locked)
    if target == Status.PUBLISHED:
        locked.published_at = timezone.now()
        # The remarks were about an earlier text: once approved they no longer apply.
        locked.moderation_comment = ""
        fields += ["published_at", "moderation_comment"]
    # The labour-market summaries count closings by this date; a reopened one is open again.
    if target == Status.CLOSED:
        locked.closed_at = timezone.now()
        fields.append("closed_at")
    elif current == Status.CLOSED:
        locked.closed_at = None
        fields.append("closed_at")
    locked.status = target
    locked.save(update_fields=fields)
    return locked


@transaction.atomic
def employer_profile_update(
    *, employer: Organisation, data: Mapping[str, Any], by: AbstractBaseUser
) -> Organisation:
    """Save an employer's card: names, ИНН, ОКВЭД, address and contacts."""
    _apply(employer, EMPLOYER_PROFILE_FIELDS, data)
    employer.full_clean(validate_unique=False, validate_constraints=False)
    try:
        # A savepoint: another save of the same ИНН may win the race after the form's check.
        with transaction.atomic():
            employer.save(update_fields=list(EMPLOYER_PROFILE_FIELDS))
    except IntegrityError as exc:
        if (
            employer.inn
            and Organisation.objects.filter(inn=employer.inn).exclude(pk=employer.pk).exists()
        ):
            raise ValidationError({"inn": ValidationError(INN_TAKEN, code="inn_taken")}) from exc
        raise ValidationError(
            {"short_name": ValidationError(SHORT_NAME_TAKEN, code="short_name_taken")}
        ) from exc
    return employer
