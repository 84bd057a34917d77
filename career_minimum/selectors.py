"""Reads of the career-guidance minimum: each pupil's hours by direction, counted by the
database from the three sources (see ``career_minimum.models``), and the pro-rata target.

The hours of a set of pupils take one grouped query per source (activities, events,
questionnaires), whatever the number of pupils or rows; ``behind_condition`` lets reports
count the pupils who are behind the target in the database, without reading them.

The pro-rata target: the level's hours for the year times the share of the school year
elapsed on the day, the school year running from 1 September to 31 May (lessons end in
May); the share is clamped to 0..1, so from June to August the target is the full one.

A school that has not chosen its level for the year is marked against the basic level
(40 hours); the pages say that no level is chosen.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import (
    Case,
    Count,
    DecimalField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.db.models.lookups import GreaterThan
from django.utils import timezone

from career_minimum.models import Direction, Participation, SchoolPlan
from guidance.models import Attempt, Registration
from students.models import Student

if TYPE_CHECKING:
    from resource_center.models import Organisation

ZERO = Decimal("0")
HOURS = DecimalField(max_digits=8, decimal_places=2)
DEFAULT_LEVEL = SchoolPlan.Level.BASIC
TENTH = Decimal("0.1")


# --- the year, the level and the pro-rata target --------------------------------------


def year_period(year: int) -> tuple[datetime.datetime, datetime.datetime]:
    """The academic year as aware datetimes [1 September, next 1 September)."""
    tz = timezone.get_current_timezone()
    return (
        datetime.datetime(year, 9, 1, tzinfo=tz),
        datetime.datetime(year + 1, 9, 1, tzinfo=tz),
    )


def school_year_share(*, year: int, day: datetime.date) -> Decimal:
    """The share of the school year (1 September – 31 May) elapsed on ``day``, 0..1."""
    start = datetime.date(year, 9, 1)
    end = datetime.date(year + 1, 5, 31)
    share = Decimal((day - start).days) / Decimal((end - start).days)
    return min(Decimal(1), max(ZERO, share))


def pro_rata_target(*, target: int | Decimal, year: int, day: datetime.date) -> Decimal:
    """The hours a pupil should have on ``day``, to a tenth of an hour (as shown)."""
    return (Decimal(target) * school_year_share(year=year, day=day)).quantize(
        TENTH, rounding=ROUND_HALF_UP
    )


@dataclass(frozen=True)
class Level:
    """The school's level of the year; ``chosen`` is False when the basic one is assumed."""

    level: str
    chosen: bool
    plan: SchoolPlan | None = None

    @property
    def target(self) -> int:
        return SchoolPlan.TARGET_HOURS[SchoolPlan.Level(self.level)]

    @property
    def label(self) -> str:
        return str(SchoolPlan.Level(self.level).label)


def school_level(*, school: Organisation | int, year: int) -> Level:
    """The level the school chose for the year, or the basic one when none is chosen."""
    school_id = school if isinstance(school, int) else school.pk
    plan = SchoolPlan.objects.filter(school_id=school_id, academic_year=year).first()
    if plan is None:
        return Level(DEFAULT_LEVEL, chosen=False)
    return Level(plan.level, chosen=True, plan=plan)


def target_expression(
    *, year: int, day: datetime.date | None = None, school_ref: str = "organisation"
) -> Coalesce:
    """The target of the school at ``school_ref`` (basic when no level is chosen) as a
    database expression over its plan: the year's hours, or with ``day`` the pro-rata
    target of that day rounded as the pages show it. One subquery on the plan (unique per
    school and year), evaluated once per row."""

    def hours(value: str) -> Decimal:
        full = SchoolPlan.TARGET_HOURS[SchoolPlan.Level(value)]
        return Decimal(full) if day is None else pro_rata_target(target=full, year=year, day=day)

    target = Case(
        *(When(level=value, then=Value(hours(value))) for value in SchoolPlan.TARGET_HOURS),
        default=Value(hours(DEFAULT_LEVEL)),
        output_field=HOURS,
    )
    plans = (
        SchoolPlan.objects.filter(school=OuterRef(school_ref), academic_year=year)
        .order_by()
        .annotate(target=target)
        .values("target")[:1]
    )
    return Coalesce(
        Subquery(plans, output_field=HOURS), Value(hours(DEFAULT_LEVEL)), output_field=HOURS
    )


# --- the three sources -----------------------------------------------------------------


def events_direction() -> Subquery:
    """The id of the events direction, where an event without a direction counts."""
    return Subquery(Direction.objects.filter(slug=Direction.EVENTS).values("pk")[:1])


def activity_rows(*, year: int) -> QuerySet[Participation]:
    """Participations that give hours: present at an activity of the year."""
    return Participation.objects.filter(attended=True, activity__academic_year=year)


def event_rows(*, year: int) -> QuerySet[Registration]:
    """Registrations that give hours: attended, not cancelled, starting within the year;
    ``career_direction`` is the event's direction or the events direction."""
    start, end = year_period(year)
    return Registration.objects.filter(
        attended=True,
        event__is_cancelled=False,
        event__starts_at__gte=start,
        event__starts_at__lt=end,
    ).annotate(career_direction=Coalesce("event__career_direction_id", events_direction()))


def attempt_rows(*, year: int) -> QuerySet[Attempt]:
    """Questionnaires completed within the year."""
    start, end = year_period(year)
    return Attempt.objects.filter(completed_at__gte=start, completed_at__lt=end)


def counting_directions() -> QuerySet[Direction]:
    return Direction.objects.filter(counts_towards_level=True)


def _hours_subquery(queryset: QuerySet, hours: str) -> Coalesce:
    """Sum of ``hours`` over the rows of the pupil at OuterRef("pk"), 0 when none."""
    summed = (
        queryset.filter(student=OuterRef("pk"))
        .order_by()
        .values("student")
        .annotate(total=Sum(hours))
        .values("total")
    )
    return Coalesce(Subquery(summed, output_field=HOURS), Value(ZERO), output_field=HOURS)


def _other_sources(*, year: int) -> tuple[Any, Any]:
    """The events' and the questionnaires' hours towards the level of the pupil at
    OuterRef("pk"): one correlated subquery each (a pupil has a few rows in either)."""
    counting = counting_directions().values("pk")
    events = _hours_subquery(
        event_rows(year=year).filter(career_direction__in=counting), "event__career_hours"
    )
    attempts = (
        attempt_rows(year=year)
        .filter(student=OuterRef("pk"))
        .order_by()
        .values("student")
        .annotate(n=Count("pk"))
        .values("n")
    )
    per_attempt = (
        counting_directions()
        .filter(questionnaire_hours__isnull=False)
        .order_by()
        .annotate(one=Value(1))
        .values("one")
        .annotate(total=Sum("questionnaire_hours"))
        .values("total")
    )
    questionnaires = Coalesce(Subquery(attempts, output_field=IntegerField()), Value(0)) * Coalesce(
        Subquery(per_attempt, output_field=HOURS), Value(ZERO), output_field=HOURS
    )
    return events, questionnaires


def behind_condition(*, pupils: QuerySet[Student], year: int, day: datetime.date) -> Q:
    """The condition, on the rows of ``pupils`` (e.g. as ``Count(filter=...)`` of a query
    grouped by school and grade), that the pupil's level total is below the school's
    pro-rata target of ``day``.

    A per-pupil sum of the activities (~25 participations a pupil) made by a correlated
    subquery costs a probe of the participations and the activities per pupil; instead the
    activities are summed once for all the pupils, in one grouped query hashing the
    participations, and come back as membership of the pupils on track: those whose
    activity hours reach their ``need`` (the target less the events' and questionnaires'
    hours, a few index probes per pupil). A pupil outside that set has no counting
    activity (behind unless the need is met already, i.e. not positive) or too few hours
    (then the need, above those hours, is positive): behind is «not on track by the
    activities, and a positive need». Activity hours are never negative (a constraint).
    """
    events, questionnaires = _other_sources(year=year)
    need = target_expression(year=year, day=day) - (events + questionnaires)
    need_of_student = Subquery(
        Student.objects.filter(pk=OuterRef("student"))
        .order_by()
        .annotate(need=need)
        .values("need"),
        output_field=HOURS,
    )
    # DISTINCT (a no-op on the key) keeps PostgreSQL from flattening the pupils into the
    # join and probing the participations pupil by pupil (see compute_hours of the reports).
    ids = pupils.order_by().values("pk").distinct()
    on_track = (
        activity_rows(year=year)
        .filter(activity__direction__counts_towards_level=True, student__in=ids)
        .order_by()
        .values("student")
        .alias(hours=Sum("activity__hours"))
        .filter(hours__gte=need_of_student)
        .values("student")
    )
    return Q(~Q(pk__in=on_track), GreaterThan(need, Value(ZERO)))


# --- the hours of a set of pupils ------------------------------------------------------


@dataclass
class PupilHours:
    """One pupil's hours by direction id, the level total and the mark."""

    student: Student
    by_direction: dict[int, Decimal] = field(default_factory=dict)
    level_total: Decimal = ZERO
    behind: bool = False
    # Hours in the sheet's directions, in their order (what a template iterates).
    cells: list[Decimal] = field(default_factory=list)

    def hours(self, direction: Direction) -> Decimal:
        return self.by_direction.get(direction.pk, ZERO)


def hours_by_direction(
    *, pupils: QuerySet[Student], year: int, directions: list[Direction] | None = None
) -> dict[int, dict[int, Decimal]]:
    """{student id: {direction id: hours}} for the pupils and year: three grouped queries
    (activities, events, questionnaires), and one for the directions unless given."""
    ids = pupils.order_by().values("pk")
    result: dict[int, dict[int, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    activities = (
        activity_rows(year=year)
        .filter(student__in=ids)
        .order_by()
        .values("student_id", "activity__direction_id")
        .annotate(hours=Sum("activity__hours"))
    )
    for row in activities:
        result[row["student_id"]][row["activity__direction_id"]] += row["hours"]
    events = (
        event_rows(year=year)
        .filter(student__in=ids)
        .order_by()
        .values("student_id", "career_direction")
        .annotate(hours=Sum("event__career_hours"))
    )
    for row in events:
        if row["career_direction"] is not None:
            result[row["student_id"]][row["career_direction"]] += row["hours"]
    attempts = (
        attempt_rows(year=year)
        .filter(student__in=ids)
        .order_by()
        .values("student_id")
        .annotate(n=Count("pk"))
    )
    if directions is None:
        directions = list(Direction.objects.all())
    per_attempt = {d.pk: d.questionnaire_hours for d in directions if d.questionnaire_hours}
    for row in attempts:
        for direction_id, hours in per_attempt.items():
            result[row["student_id"]][direction_id] += hours * row["n"]
    return {sid: dict(by) for sid, by in result.items()}


@dataclass
class Sheet:
    """Hours of a class (or any set of pupils) against the school's level on a day."""

    year: int
    day: datetime.date
    level: Level
    directions: list[Direction]
    rows: list[PupilHours]
    target: Decimal
    # Every direction by id, switched-off ones included (a pupil's page names them all).
    all_directions: dict[int, Direction] = field(default_factory=dict)

    @property
    def full_target(self) -> int:
        return self.level.target

    @property
    def behind_count(self) -> int:
        return sum(1 for r in self.rows if r.behind)

    def direction_totals(self) -> list[Decimal]:
        return [sum((r.hours(d) for r in self.rows), ZERO) for d in self.directions]


def sheet_directions(all_directions: list[Direction], *, used: set[int]) -> list[Direction]:
    """Active directions, and switched-off ones only where the pupils have hours in them."""
    return [d for d in all_directions if d.is_active or d.pk in used]


def pupil_hours_sheet(
    *, pupils: QuerySet[Student], year: int, level: Level, day: datetime.date | None = None
) -> Sheet:
    """The pupils (in the order of the queryset) with their hours by direction, level total
    and «behind» mark. Queries: the pupils, the directions and three for the hours — five
    whatever the number of pupils."""
    day = day or timezone.localdate()
    students = list(pupils)
    every = list(Direction.objects.order_by("position", "title"))
    hours = hours_by_direction(pupils=pupils, year=year, directions=every)
    used = {d for by in hours.values() for d, h in by.items() if h}
    directions = sheet_directions(every, used=used)
    counting = {d.pk for d in directions if d.counts_towards_level}
    target = pro_rata_target(target=level.target, year=year, day=day)
    rows = []
    for student in students:
        by = hours.get(student.pk, {})
        total = sum((h for d, h in by.items() if d in counting), ZERO)
        cells = [by.get(d.pk, ZERO) for d in directions]
        rows.append(PupilHours(student, by, total, total < target, cells))
    return Sheet(
        year=year,
        day=day,
        level=level,
        directions=directions,
        rows=rows,
        target=target,
        all_directions={d.pk: d for d in every},
    )


# --- the class sheet and one pupil's page ---------------------------------------------


@dataclass
class PupilPage:
    sheet: Sheet
    activities: list[Participation]
    events: list[Registration]
    attempts: list[Attempt]

    @property
    def row(self) -> PupilHours:
        return self.sheet.rows[0]

    @property
    def direction_hours(self) -> list[tuple[Direction, Decimal]]:
        return list(zip(self.sheet.directions, self.row.cells, strict=True))

    @property
    def missing_year(self) -> Decimal:
        """Hours still to gain for the full year's target."""
        return max(ZERO, Decimal(self.sheet.full_target) - self.row.level_total)

    @property
    def missing_now(self) -> Decimal:
        """Hours missing against the pro-rata target of the day."""
        return max(ZERO, self.sheet.target - self.row.level_total)


def pupil_page(*, student: Student, day: datetime.date | None = None) -> PupilPage:
    """One pupil's hours by direction and what gave them: activities (present or absent),
    events attended or missed within the year, questionnaires completed within the year."""
    year = student.academic_year
    level = school_level(school=student.organisation_id, year=year)
    sheet = pupil_hours_sheet(
        pupils=Student.objects.filter(pk=student.pk), year=year, level=level, day=day
    )
    activities = list(
        Participation.objects.filter(student=student, activity__academic_year=year)
        .select_related("activity__direction")
        .order_by("activity__held_on", "activity__pk")
    )
    start, end = year_period(year)
    events = list(
        Registration.objects.filter(
            student=student,
            event__is_cancelled=False,
            event__starts_at__gte=start,
            event__starts_at__lt=end,
        )
        .annotate(career_direction=Coalesce("event__career_direction_id", events_direction()))
        .select_related("event")
        .order_by("event__starts_at", "event__pk")
    )
    for registration in events:
        direction = sheet.all_directions.get(registration.career_direction)
        registration.direction_title = direction.title if direction else ""
    attempts = list(
        attempt_rows(year=year)
        .filter(student=student)
        .select_related("questionnaire")
        .order_by("completed_at")
    )
    return PupilPage(sheet=sheet, activities=activities, events=events, attempts=attempts)
