"""Weekly and monthly snapshots of a district's vacancies (labour.LabourSummary).

Everything is counted by the database (aggregates with filters, ``values().annotate()``);
no Python loop ever runs over vacancy rows, so a summary takes the same dozen queries for
ten vacancies or a million.

Definitions (the period is [start, end], whole local days; end is Sunday or the last day of
the month):

- A vacancy belongs to the district of its employer.
- *Open at the end of the period*: published on or before the end, not closed by then
  (``closed_at`` after the end, or no ``closed_at`` and the vacancy is still published) and
  its «действует до» not passed by the end.
- *New in the period*: ``published_at`` within the period. *Closed in the period*:
  ``closed_at`` within the period.
- *Salary* of a vacancy: the midpoint of «от» and «до» when both are given, else the one
  bound given; vacancies without either are left out. Quartiles and the median use linear
  interpolation between the two nearest ranks (the method of PostgreSQL's
  ``percentile_cont`` and numpy's default): for n sorted values x[0..n-1] the p-quantile
  sits at position p·(n-1); e.g. 20, 30, 40, 50, 60 thousand give Q1 30, median 40, Q3 50
  thousand; 20, 30, 40, 50 give Q1 27.5, median 35, Q3 42.5 thousand. On PostgreSQL the
  three are one query (percentile_cont); on SQLite each quantile is one query (ORDER BY
  salary LIMIT 2 OFFSET k).
- *Groups*: by the group of the vacancy's profession; vacancies without a profession (or
  whose profession has no group) form the row with ``group_id`` None.
- *Balance*: for every profession linked to a programme of the district's technikum
  (Profession.programmes), its open vacancies and work places against the technikum's
  yearly graduates (active students of those programmes in the academic year of the period's
  end, in the programme's last course, ceil(duration_months / 12)) and the seats of the
  published dual-training places of those programmes whose dates overlap the period.

The figures (``LabourSummary.figures``) are JSON: ints, floats rounded, strings and None.
"""

from __future__ import annotations

import datetime
import math
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connections, transaction
from django.db.models import (
    Aggregate,
    Case,
    Count,
    F,
    FloatField,
    Max,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from employers.models import DualTrainingPlace, Vacancy
from guidance.models import Profession
from labour.models import LabourSummary
from resource_center.models import District
from students.models import Student, current_academic_year

FIGURES_VERSION = 1
TOP_PROFESSIONS = 10
QUANTILES = (("q1", 0.25), ("median", 0.5), ("q3", 0.75))

Period = LabourSummary.Period


def period_bounds(
    *, period: str, period_start: datetime.date
) -> tuple[datetime.date, datetime.date]:
    """The first and last day of the period; a week starts on Monday, a month on the 1st."""
    if period == Period.WEEK:
        if period_start.weekday() != 0:
            raise ValidationError(_("Неделя сводки должна начинаться с понедельника."))
        return period_start, period_start + datetime.timedelta(days=6)
    if period == Period.MONTH:
        if period_start.day != 1:
            raise ValidationError(_("Месяц сводки должен начинаться с первого числа."))
        next_month = (period_start.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
        return period_start, next_month - datetime.timedelta(days=1)
    raise ValidationError(_("Период сводки — неделя или месяц."))


def labour_summaries_due(*, today: datetime.date) -> list[tuple[str, datetime.date]]:
    """The last complete week (Monday) and the last complete month (the 1st) before today."""
    this_monday = today - datetime.timedelta(days=today.weekday())
    last_month_end = today.replace(day=1) - datetime.timedelta(days=1)
    return [
        (Period.WEEK.value, this_monday - datetime.timedelta(days=7)),
        (Period.MONTH.value, last_month_end.replace(day=1)),
    ]


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _salary_expression() -> Case:
    as_float = FloatField()
    return Case(
        When(
            salary_from__isnull=False,
            salary_to__isnull=False,
            then=Cast(F("salary_from") + F("salary_to"), as_float) / Value(2.0),
        ),
        When(salary_from__isnull=False, then=Cast("salary_from", as_float)),
        When(salary_to__isnull=False, then=Cast("salary_to", as_float)),
        default=None,
        output_field=as_float,
    )


class _PercentileCont(Aggregate):
    """PostgreSQL's ``percentile_cont(p) WITHIN GROUP (ORDER BY expression)``."""

    function = "percentile_cont"
    template = "%(function)s(%(percentile)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression: str, *, percentile: float) -> None:
        super().__init__(expression, percentile=float(percentile))


def _quantiles(salaried: QuerySet[Vacancy], n: int) -> dict[str, int | None]:
    """Q1, median and Q3 by linear interpolation (none when n is 0).

    On PostgreSQL one query with percentile_cont (the three share one sort of the salaries);
    elsewhere one query per quantile, reading the two values around its position.
    """
    result: dict[str, int | None] = {name: None for name, _p in QUANTILES}
    if n == 0:
        return result
    if connections[salaried.db].vendor == "postgresql":
        values = salaried.aggregate(
            **{name: _PercentileCont("salary_value", percentile=p) for name, p in QUANTILES}
        )
        return {name: round(values[name]) for name, _p in QUANTILES}
    ordered = salaried.order_by("salary_value", "pk").values_list("salary_value", flat=True)
    for name, p in QUANTILES:
        position = p * (n - 1)
        k = math.floor(position)
        pair = list(ordered[k : k + 2])
        low = pair[0]
        high = pair[1] if len(pair) > 1 else low
        result[name] = round(low + (position - k) * (high - low))
    return result


def _share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def labour_figures_compute(
    *, district: District, period_start: datetime.date, period_end: datetime.date
) -> dict[str, Any]:
    """The figures of one district and period, read with a fixed number of queries."""
    start_at = _day_start(period_start)
    end_at = _day_start(period_end + datetime.timedelta(days=1))  # exclusive
    vacancies = Vacancy.objects.filter(employer__district=district)
    open_q = (
        Q(published_at__lt=end_at)
        & (Q(closed_at__gte=end_at) | Q(closed_at__isnull=True, status=Vacancy.Status.PUBLISHED))
        & (Q(valid_until__isnull=True) | Q(valid_until__gte=period_end))
    )
    salary_known = Q(salary_from__isnull=False) | Q(salary_to__isnull=False)

    totals = vacancies.aggregate(
        open=Count("pk", filter=open_q),
        work_places=Coalesce(Sum("work_places", filter=open_q), 0),
        unmapped=Count("pk", filter=open_q & Q(profession__isnull=True)),
        minors=Count("pk", filter=open_q & Q(for_minors=True)),
        graduates=Count("pk", filter=open_q & Q(for_graduates=True)),
        salaried=Count("pk", filter=open_q & salary_known),
        new=Count("pk", filter=Q(published_at__gte=start_at, published_at__lt=end_at)),
        closed=Count("pk", filter=Q(closed_at__gte=start_at, closed_at__lt=end_at)),
    )
    open_vacancies = vacancies.filter(open_q)
    salaried = open_vacancies.filter(salary_known).annotate(salary_value=_salary_expression())
    salary = {"n": totals["salaried"], **_quantiles(salaried, totals["salaried"])}

    counted = {"vacancies": Count("pk"), "work_places": Coalesce(Sum("work_places"), 0)}
    by_group = [
        {
            "group_id": row["profession__group_id"],
            "title": row["profession__group__title"],
            "vacancies": row["vacancies"],
            "work_places": row["work_places"],
        }
        for row in open_vacancies.values("profession__group_id", "profession__group__title")
        .annotate(**counted)
        .order_by(
            "-vacancies",
            "-work_places",
            F("profession__group__title").asc(nulls_last=True),
        )
    ]
    by_sector = list(
        open_vacancies.values("sector")
        .annotate(**counted)
        .order_by("-vacancies", "-work_places", "sector")
    )
    top_professions = [
        {
            "profession_id": row["profession_id"],
            "title": row["profession__title"],
            "group": row["profession__group__title"],
            "vacancies": row["vacancies"],
            "work_places": row["work_places"],
        }
        for row in open_vacancies.filter(profession__isnull=False)
        .values("profession_id", "profession__title", "profession__group__title")
        .annotate(**counted)
        .order_by("-vacancies", "-work_places", "profession__title")[:TOP_PROFESSIONS]
    ]
    academic_year = current_academic_year(period_end)
    return {
        "version": FIGURES_VERSION,
        "vacancies_open": totals["open"],
        "work_places_open": totals["work_places"],
        "unmapped_open": totals["unmapped"],
        "new": totals["new"],
        "closed": totals["closed"],
        "for_minors": {
            "count": totals["minors"],
            "share": _share(totals["minors"], totals["open"]),
        },
        "for_graduates": {
            "count": totals["graduates"],
            "share": _share(totals["graduates"], totals["open"]),
        },
        "salary": salary,
        "by_group": by_group,
        "by_sector": by_sector,
        "top_professions": top_professions,
        "academic_year": academic_year,
        "balance": _balance(
            district=district,
            open_vacancies=open_vacancies,
            period_start=period_start,
            period_end=period_end,
            academic_year=academic_year,
        ),
    }


def _balance(
    *,
    district: District,
    open_vacancies: QuerySet[Vacancy],
    period_start: datetime.date,
    period_end: datetime.date,
    academic_year: int,
) -> list[dict[str, Any]]:
    """Per profession trained by the district's technikum: demand against supply (4 queries)."""
    links = Profession.programmes.through.objects.filter(
        programme__technikum__district=district
    ).order_by("profession__title", "programme__okso_code")
    rows: dict[int, dict[str, Any]] = {}
    for profession_id, title, group, okso in links.values_list(
        "profession_id", "profession__title", "profession__group__title", "programme__okso_code"
    ):
        row = rows.setdefault(
            profession_id,
            {
                "profession_id": profession_id,
                "title": title,
                "group": group,
                "programmes": [],
                "vacancies": 0,
                "work_places": 0,
                "graduates": 0,
                "dual_seats": 0,
            },
        )
        if okso not in row["programmes"]:
            row["programmes"].append(okso)
    if not rows:
        return []
    linked = Profession.objects.filter(programmes__technikum__district=district).values("pk")

    demand = (
        open_vacancies.filter(profession__in=linked)
        .values("profession_id")
        .annotate(vacancies=Count("pk"), work_places=Coalesce(Sum("work_places"), 0))
    )
    for item in demand:
        rows[item["profession_id"]]["vacancies"] = item["vacancies"]
        rows[item["profession_id"]]["work_places"] = item["work_places"]

    # The last course of a programme is ceil(duration_months / 12): the one course whose
    # twelve months contain the programme's end.
    graduates = (
        Student.objects.filter(
            is_active=True,
            academic_year=academic_year,
            programme__technikum__district=district,
            programme__professions__isnull=False,
            programme__duration_months__lte=F("grade") * 12,
            programme__duration_months__gt=(F("grade") - 1) * 12,
        )
        .values("programme__professions")
        .annotate(n=Count("pk", distinct=True))
    )
    for item in graduates:
        profession_id = item["programme__professions"]
        if profession_id in rows:
            rows[profession_id]["graduates"] = item["n"]

    seats = (
        DualTrainingPlace.objects.filter(
            status=DualTrainingPlace.Status.PUBLISHED,
            programme__technikum__district=district,
            programme__professions__isnull=False,
            starts_on__lte=period_end,
            ends_on__gte=period_start,
        )
        .values("programme__professions")
        .annotate(seats=Sum("seats"))
    )
    for item in seats:
        profession_id = item["programme__professions"]
        if profession_id in rows:
            rows[profession_id]["dual_seats"] = item["seats"]

    for row in rows.values():
        supply = row["graduates"]
        row["work_places_per_graduate"] = round(row["work_places"] / supply, 2) if supply else None
    return sorted(rows.values(), key=lambda r: (-r["work_places"], r["title"]))


@transaction.atomic
def labour_summary_compute(
    *, district: District, period: str, period_start: datetime.date
) -> LabourSummary:
    """Compute the district's snapshot for the period and store it, replacing an earlier one.

    The row is written once per (district, period, period_start): update_or_create locks an
    existing row (select_for_update); a concurrent first insert that wins the race makes ours
    fail on the labour_summary_once constraint, and we then update the row it wrote. Figures
    and row are written in one transaction, so a killed worker leaves the previous snapshot
    (or none), never half of one.
    """
    start, end = period_bounds(period=period, period_start=period_start)
    figures = labour_figures_compute(district=district, period_start=start, period_end=end)
    values = {
        "period_end": end,
        "computed_at": timezone.now(),
        "vacancies_open": figures["vacancies_open"],
        "figures": figures,
    }
    key = {"district": district, "period": period, "period_start": start}
    attempts = 3
    for attempt in range(attempts):
        try:
            # update_or_create runs in its own savepoint, so a failed insert leaves this
            # transaction usable for the retry.
            summary, _created = LabourSummary.objects.update_or_create(defaults=values, **key)
            return summary
        except IntegrityError:
            if attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


# After an outage the catch-up fills every period it missed, but no further back than this:
# a fresh install starts with the last complete periods, not years of history.
CATCH_UP_LIMIT = {Period.WEEK.value: 26, Period.MONTH.value: 12}


def _previous_start(period: str, start: datetime.date) -> datetime.date:
    if period == Period.WEEK:
        return start - datetime.timedelta(days=7)
    return (start - datetime.timedelta(days=1)).replace(day=1)


def labour_summaries_missing(*, today: datetime.date) -> list[tuple[District, str, datetime.date]]:
    """(district, period, start) of every due period a district has no summary for yet.

    A district with no summary of a kind gets the last complete period only; one with summaries
    gets every complete period after its latest one (up to CATCH_UP_LIMIT), oldest first.
    """
    latest = {
        period: Max("labour_summaries__period_start", filter=Q(labour_summaries__period=period))
        for period in CATCH_UP_LIMIT
    }
    districts = District.objects.annotate(
        **{f"latest_{period}": expression for period, expression in latest.items()}
    ).order_by("pk")
    missing = []
    for period, last_due in labour_summaries_due(today=today):
        window = [last_due]
        for _k in range(CATCH_UP_LIMIT[period] - 1):
            window.append(_previous_start(period, window[-1]))
        for district in districts:
            stored = getattr(district, f"latest_{period}")
            if stored is None:
                starts = [last_due]
            else:
                starts = [start for start in reversed(window) if start > stored]
            missing.extend((district, period, start) for start in starts)
    return missing


def labour_summaries_catch_up(*, today: datetime.date) -> list[LabourSummary]:
    """Compute every missing due period (see labour_summaries_missing), each in its own
    transaction; a second run finds nothing to do."""
    return [
        labour_summary_compute(district=district, period=period, period_start=start)
        for district, period, start in labour_summaries_missing(today=today)
    ]
