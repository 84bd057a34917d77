"""Writes of the career-guidance minimum: class activities and the pupils' presence at them."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from career_minimum.models import (
    MAX_GRADE,
    MAX_HOURS,
    MIN_GRADE,
    MIN_HOURS,
    Activity,
    Direction,
    Participation,
    SchoolPlan,
)
from career_minimum.selectors_activities import class_pupils
from resource_center import audit
from resource_center.models import Organisation
from students.models import Student

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser
    from django.http import HttpRequest

NOT_A_SCHOOL = _("Занятия профминимума вносятся только для школ.")
GRADE_OUTSIDE = _("Профминимум проводится в %(low)s–%(high)s классах.")
NO_PUPILS = _("В классе %(name)s нет обучающихся этого учебного года: занятие некому засчитать.")
DATE_OUTSIDE_YEAR = _("Дата должна быть в пределах учебного года %(year)s: с %(start)s по %(end)s.")
DATE_IN_FUTURE = _("Занятие ещё не прошло: внесите его в день проведения или позже.")
HOURS_OUTSIDE = _("Продолжительность — от %(low)s до %(high)s часов.")
DIRECTION_INACTIVE = _("Это направление больше не используется: выберите другое.")
TOPIC_EMPTY = _("Укажите тему занятия.")
ABSENT_NOT_IN_CLASS = _("Отсутствующими можно отметить только обучающихся этого класса.")
DUPLICATE = _(
    "Такое занятие для %(name)s уже внесено %(date)s (то же направление и тема): "
    "откройте его в списке занятий."
)
CLASS_FIXED = _(
    "Класс внесённого занятия изменить нельзя: у его обучающихся уже отмечено присутствие. "
    "Внесите новое занятие для нужного класса."
)


def _class_name(grade: int, class_letter: str) -> str:
    return f"{grade}{class_letter}"


def _label(activity: Activity) -> str:
    return gettext("%(date)s, %(name)s, %(direction)s: «%(topic)s»") % {
        "date": date_format(activity.held_on, "d.m.Y"),
        "name": _class_name(activity.grade, activity.class_letter),
        "direction": activity.direction.title,
        "topic": activity.topic,
    }


def academic_year_bounds(academic_year: int) -> tuple[datetime.date, datetime.date]:
    """The first and last day of an academic year (1 September – 31 August)."""
    return datetime.date(academic_year, 9, 1), datetime.date(academic_year + 1, 8, 31)


def _check_fields(
    *,
    academic_year: int,
    held_on: datetime.date,
    hours: Decimal,
    direction: Direction,
    topic: str,
    direction_unchanged: bool = False,
) -> None:
    errors: dict[str, list[ValidationError]] = {}
    start, end = academic_year_bounds(academic_year)
    if not start <= held_on <= end:
        errors.setdefault("held_on", []).append(
            ValidationError(
                DATE_OUTSIDE_YEAR,
                code="outside_year",
                params={
                    "year": f"{academic_year}/{(academic_year + 1) % 100:02d}",
                    "start": date_format(start, "d.m.Y"),
                    "end": date_format(end, "d.m.Y"),
                },
            )
        )
    elif held_on > timezone.localdate():
        errors.setdefault("held_on", []).append(ValidationError(DATE_IN_FUTURE, code="future"))
    if not MIN_HOURS <= Decimal(hours) <= MAX_HOURS:
        errors.setdefault("hours", []).append(
            ValidationError(
                HOURS_OUTSIDE,
                code="hours",
                params={"low": str(MIN_HOURS).replace(".", ","), "high": MAX_HOURS},
            )
        )
    # A direction switched off later stays on the activities that already have it.
    if not direction.is_active and not direction_unchanged:
        errors.setdefault("direction", []).append(
            ValidationError(DIRECTION_INACTIVE, code="inactive")
        )
    if not topic.strip():
        errors.setdefault("topic", []).append(ValidationError(TOPIC_EMPTY, code="required"))
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def activity_record(
    *,
    school: Organisation,
    academic_year: int,
    grade: int,
    class_letter: str,
    held_on: datetime.date,
    hours: Decimal,
    direction: Direction,
    topic: str,
    absent: Iterable[Student] = (),
    by: AbstractBaseUser,
    request: HttpRequest | None = None,
) -> Activity:
    """Record an activity held for a class: one participation per active pupil of the class
    (the ``absent`` ones not attended), written in bulk with one audit row per pupil."""
    topic = " ".join(topic.split())
    name = _class_name(grade, class_letter)
    if school.kind != Organisation.Kind.SCHOOL:
        raise ValidationError(NOT_A_SCHOOL, code="not_school")
    if not MIN_GRADE <= grade <= MAX_GRADE:
        raise ValidationError(
            GRADE_OUTSIDE, code="grade", params={"low": MIN_GRADE, "high": MAX_GRADE}
        )
    _check_fields(
        academic_year=academic_year,
        held_on=held_on,
        hours=hours,
        direction=direction,
        topic=topic,
    )
    # Two counsellors of the school recording at once (or a double submit) are served one
    # after the other, so the duplicate check below sees the first one's row.
    Organisation.objects.select_for_update().filter(pk=school.pk).values_list("pk").get()
    duplicate = Activity.objects.filter(
        school=school,
        academic_year=academic_year,
        grade=grade,
        class_letter=class_letter,
        held_on=held_on,
        direction=direction,
        topic__iexact=topic,
    ).exists()
    if duplicate:
        raise ValidationError(
            DUPLICATE,
            code="duplicate",
            params={"name": name, "date": date_format(held_on, "d.m.Y")},
        )
    pupils = list(
        class_pupils(
            school=school, academic_year=academic_year, grade=grade, class_letter=class_letter
        )
    )
    if not pupils:
        raise ValidationError(NO_PUPILS, code="no_pupils", params={"name": name})
    absent_ids = {s.pk for s in absent}
    if absent_ids - {p.pk for p in pupils}:
        raise ValidationError(ABSENT_NOT_IN_CLASS, code="absent_outside")

    activity = Activity.objects.create(
        school=school,
        academic_year=academic_year,
        grade=grade,
        class_letter=class_letter,
        held_on=held_on,
        hours=hours,
        direction=direction,
        topic=topic,
        recorded_by=by,
    )
    Participation.objects.bulk_create(
        [
            Participation(activity=activity, student=p, attended=p.pk not in absent_ids)
            for p in pupils
        ]
    )
    label = _label(activity)
    for attended, word in ((True, gettext("был")), (False, gettext("не был"))):
        audit.record_many(
            actor=by,
            action=audit.Action.CREATE,
            students=[p for p in pupils if (p.pk not in absent_ids) is attended],
            details=gettext("Занятие профминимума %(activity)s: %(mark)s")
            % {"activity": label, "mark": word},
            request=request,
        )
    return activity


@transaction.atomic
def activity_update(
    *,
    activity: Activity,
    held_on: datetime.date,
    hours: Decimal,
    direction: Direction,
    topic: str,
    grade: int | None = None,
    class_letter: str | None = None,
    by: AbstractBaseUser,
) -> Activity:
    """Correct the date, hours, direction or topic of an activity; its class stays (the
    pupils' presence was recorded for that class)."""
    if (grade is not None and grade != activity.grade) or (
        class_letter is not None and class_letter != activity.class_letter
    ):
        raise ValidationError({NON_FIELD_ERRORS: [ValidationError(CLASS_FIXED, code="class")]})
    topic = " ".join(topic.split())
    _check_fields(
        academic_year=activity.academic_year,
        held_on=held_on,
        hours=hours,
        direction=direction,
        topic=topic,
        direction_unchanged=direction.pk == activity.direction_id,
    )
    activity.held_on = held_on
    activity.hours = hours
    activity.direction = direction
    activity.topic = topic
    activity.save(update_fields=["held_on", "hours", "direction", "topic", "updated_at"])
    return activity


@transaction.atomic
def participation_toggle(
    *,
    participation: Participation,
    attended: bool,
    by: AbstractBaseUser,
    request: HttpRequest | None = None,
) -> bool:
    """Mark a pupil present or absent at an activity; returns whether anything changed.

    The button toggles, but the wanted state is posted, so a double click does not undo
    itself."""
    locked = Participation.objects.select_for_update().get(pk=participation.pk)
    if locked.attended is attended:
        participation.attended = attended
        return False
    locked.attended = attended
    locked.save(update_fields=["attended"])
    participation.attended = attended
    activity = participation.activity
    audit.record(
        actor=by,
        action=audit.Action.UPDATE,
        student=participation.student,
        details=gettext("Занятие профминимума %(activity)s: %(mark)s")
        % {
            "activity": _label(activity),
            "mark": gettext("был") if attended else gettext("не был"),
        },
        request=request,
    )
    return True


# --- the school's level of the year -----------------------------------------------------


@transaction.atomic
def school_plan_choose(
    *, school: Organisation, academic_year: int, level: str, by: AbstractBaseUser
) -> SchoolPlan:
    """Set the school's level for the year (creating or replacing the year's choice)."""
    plan, _created = SchoolPlan.objects.update_or_create(
        school=school,
        academic_year=academic_year,
        defaults={"level": SchoolPlan.Level(level), "updated_by": by},
    )
    return plan
