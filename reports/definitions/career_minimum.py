"""The career-guidance minimum (профминимум): pupils of grades 6–11 on track by school and
grade, and the hours by direction by school. Hours are counted by the database with the
expressions of ``career_minimum.selectors``; «on track» is judged against the school's
pro-rata target of today (the full target for a past year)."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import Count, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from career_minimum import selectors
from career_minimum.models import MAX_GRADE, MIN_GRADE, Direction, SchoolPlan
from reports.registry import HIDDEN, Chart, Column, Report, ReportTable, Row, register
from reports.scope import ReportFilters, ReportScope, pupils_in_scope
from reports.suppression import THRESHOLD
from students.models import Student

NO_LEVEL = _("не выбран (считается базовый)")
FILTERS = frozenset({"academic_year", "school", "grade"})


def minimum_pupils(scope: ReportScope, filters: ReportFilters) -> QuerySet[Student]:
    """Active pupils of grades 6–11 of the scope and filters."""
    return pupils_in_scope(scope, filters).filter(grade__gte=MIN_GRADE, grade__lte=MAX_GRADE)


def _levels(school_ids: set[int], year: int) -> dict[int, str]:
    return dict(
        SchoolPlan.objects.filter(school_id__in=school_ids, academic_year=year).values_list(
            "school_id", "level"
        )
    )


def _level_label(level: str | None) -> str:
    return str(SchoolPlan.Level(level).label) if level else str(NO_LEVEL)


# --- on track by school and grade -----------------------------------------------------

PROGRESS_COLUMNS = (
    Column("school", _("Школа"), "dim"),
    Column("grade", _("Класс"), "dim"),
    Column("level", _("Уровень школы"), "dim"),
    Column("pupils", _("Обучающихся"), "count"),
    Column("on_track", _("В графике"), "count"),
    Column("behind", _("Отстают"), "count"),
    Column("on_track_share", _("В графике, %"), "share", share_of=("on_track", "pupils")),
)


def compute_progress(*, scope: ReportScope, filters: ReportFilters) -> ReportTable:
    """One grouped query (the pupils behind the school's pro-rata target are counted with
    ``selectors.behind_condition``: the activities summed once for all the pupils) and one
    for the schools' levels."""
    year, today = filters.year, timezone.localdate()
    pupils = minimum_pupils(scope, filters)
    rows = list(
        pupils.values("organisation__short_name", "organisation_id", "grade")
        .annotate(
            pupils=Count("pk"),
            behind=Count(
                "pk", filter=selectors.behind_condition(pupils=pupils, year=year, day=today)
            ),
        )
        .order_by("organisation__short_name", "organisation_id", "grade")
    )
    levels = _levels({r["organisation_id"] for r in rows}, year)
    share = selectors.school_year_share(year=year, day=today)
    return ReportTable(
        columns=list(PROGRESS_COLUMNS),
        rows=[
            {
                "school": r["organisation__short_name"],
                "grade": r["grade"],
                "level": _level_label(levels.get(r["organisation_id"])),
                "pupils": r["pupils"],
                "on_track": r["pupils"] - r["behind"],
                "behind": r["behind"],
            }
            for r in rows
        ],
        row_groups=(("on_track", "behind", "pupils"),),
        notes=[
            _(
                "«В графике» — часов в зачёт уровня не меньше цели на %(date)s: часы уровня "
                "школы × %(share)s%% учебного года (с 1 сентября по 31 мая). Школа без "
                "выбранного уровня считается по базовому (40 часов)."
            )
            % {
                "date": today.strftime("%d.%m.%Y"),
                "share": f"{share * 100:.1f}".replace(".", ","),
            }
        ],
    )


register(
    Report(
        slug="career_minimum",
        title=_("Профминимум: выполнение уровня"),
        description=_(
            "Обучающиеся 6–11 классов по школам и классам: сколько набрали часов "
            "профминимума по графику уровня школы на сегодня и сколько отстают."
        ),
        columns=PROGRESS_COLUMNS,
        compute=compute_progress,
        chart=Chart(
            type="bar",
            label_columns=("school", "grade"),
            series=("on_track", "behind"),
            stacked=True,
        ),
        filters=FILTERS,
    )
)


# --- hours by direction by school -----------------------------------------------------

HOURS_COLUMNS = (
    Column("school", _("Школа"), "dim"),
    Column("level", _("Уровень школы"), "dim"),
    Column("pupils", _("Обучающихся 6–11 кл."), "count"),
)


def _average(hours: Decimal, pupils: int) -> float | int | None:
    """Hours per pupil to a tenth; a whole number stays whole (it reads «2», not «2,0»,
    on the page and in the files alike)."""
    if not pupils:
        return None
    value = round(float(hours) / pupils, 1)
    return int(value) if value.is_integer() else value


def compute_hours(*, scope: ReportScope, filters: ReportFilters) -> ReportTable:
    """Hours per pupil by direction and school: the directions, the pupils by school, one
    grouped query per source (activities, events, questionnaires) and the levels."""
    year = filters.year
    directions = list(Direction.objects.order_by("position", "title"))
    pupils = minimum_pupils(scope, filters)
    schools = list(
        pupils.values("organisation__short_name", "organisation_id")
        .annotate(pupils=Count("pk"))
        .order_by("organisation__short_name", "organisation_id")
    )
    # DISTINCT (a no-op on the key) keeps PostgreSQL from flattening the pupils into the
    # join: it then reckons with the pupils' ~20 participations each (not ~1, as over all the
    # years' pupils) and hashes the year's activities instead of probing one per participation
    # (three times faster for a district of 40 schools).
    ids = pupils.order_by().values("pk").distinct()
    hours: dict[int, dict[int, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for item in (
        selectors.activity_rows(year=year)
        .filter(student__in=ids)
        .order_by()
        .values("student__organisation_id", "activity__direction_id")
        .annotate(hours=Sum("activity__hours"))
    ):
        hours[item["student__organisation_id"]][item["activity__direction_id"]] += item["hours"]
    for item in (
        selectors.event_rows(year=year)
        .filter(student__in=ids)
        .order_by()
        .values("student__organisation_id", "career_direction")
        .annotate(hours=Sum("event__career_hours"))
    ):
        if item["career_direction"] is not None:
            hours[item["student__organisation_id"]][item["career_direction"]] += item["hours"]
    per_attempt = {d.pk: d.questionnaire_hours for d in directions if d.questionnaire_hours}
    for item in (
        selectors.attempt_rows(year=year)
        .filter(student__in=ids)
        .order_by()
        .values("student__organisation_id")
        .annotate(n=Count("pk"))
    ):
        for direction_id, each in per_attempt.items():
            hours[item["student__organisation_id"]][direction_id] += each * item["n"]

    used = {d for by in hours.values() for d, h in by.items() if h}
    shown = [d for d in directions if d.is_active or d.pk in used]
    counting = {d.pk for d in shown if d.counts_towards_level}
    columns = [
        *HOURS_COLUMNS,
        *(
            Column(
                f"d{d.pk}",
                _("%(direction)s, ч на обучающегося") % {"direction": d.title},
                "number",
            )
            for d in shown
        ),
        Column("level_hours", _("В зачёт уровня, ч на обучающегося"), "number"),
    ]
    levels = _levels({s["organisation_id"] for s in schools}, year)
    # Averages of fewer than five pupils are hidden from the administration with the count.
    hide_small = not scope.exact

    def line(by: dict[int, Decimal], count: int) -> dict[str, Any]:
        if hide_small and 0 < count < THRESHOLD:
            return {**{f"d{d.pk}": HIDDEN for d in shown}, "level_hours": HIDDEN}
        return {
            **{f"d{d.pk}": _average(by.get(d.pk, Decimal(0)), count) for d in shown},
            "level_hours": _average(
                sum((h for d, h in by.items() if d in counting), Decimal(0)), count
            ),
        }

    rows: list[Row] = []
    district: dict[int, Decimal] = defaultdict(Decimal)
    for school in schools:
        by = hours.get(school["organisation_id"], {})
        for direction_id, value in by.items():
            district[direction_id] += value
        rows.append(
            {
                "school": school["organisation__short_name"],
                "level": _level_label(levels.get(school["organisation_id"])),
                "pupils": school["pupils"],
                **line(by, school["pupils"]),
            }
        )
    total_pupils = sum(s["pupils"] for s in schools)
    totals = {
        "school": "Итого",
        "level": "",
        "pupils": total_pupils,
        **line(district, total_pupils),
    }
    return ReportTable(
        columns=columns,
        rows=rows,
        totals=totals if rows else None,
        chart_series=tuple(f"d{d.pk}" for d in shown if d.counts_towards_level),
        notes=[
            _(
                "Часы на одного обучающегося 6–11 классов за учебный год: занятия, на которых "
                "он присутствовал, посещённые мероприятия и пройденные анкеты (диагностика)."
            )
        ],
    )


register(
    Report(
        slug="career_minimum_hours",
        title=_("Профминимум: часы по направлениям"),
        description=_(
            "Сколько часов профминимума в среднем набрал обучающийся 6–11 классов по каждому "
            "направлению, по школам."
        ),
        columns=HOURS_COLUMNS,
        compute=compute_hours,
        chart=Chart(type="bar", label_columns=("school",), stacked=True),
        filters=FILTERS,
    )
)
