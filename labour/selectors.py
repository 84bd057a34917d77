"""Reads of the labour-market pages, shaped for their templates.

Every page reads stored summaries (labour.LabourSummary, see labour.services.summaries for
what ``figures`` holds), never the vacancies themselves, so each page runs the same few
queries whatever the size of the district's market or the length of its history.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext_lazy as _

from labour.models import LabourSummary
from labour.services.summaries import labour_summaries_due, period_bounds
from resource_center import access
from resource_center.models import District
from schools.models import Programme

if TYPE_CHECKING:
    from resource_center.access import AnyUser

Period = LabourSummary.Period

# How many past summaries the trend charts show, per period.
TREND_LENGTH = {Period.WEEK: 12, Period.MONTH: 12}
# Work places per graduate from which a profession is marked as short of people, and below
# which it is marked as having more graduates than places; in between is rough balance.
SHORTAGE_FROM = Decimal("1.2")
SURPLUS_BELOW = Decimal("0.8")
# How many professions the public page lists.
IN_DEMAND_LIMIT = 10


@dataclass(frozen=True)
class DistrictChoice:
    """The district a page shows and the others the visitor may switch to."""

    district: District | None
    districts: list[District]
    # The ?district= asked for was not one of `districts` and was ignored.
    refused: bool = False


@dataclass(frozen=True)
class TrendPoint:
    """One past summary as a point of the trend charts."""

    period_start: datetime.date
    period_end: datetime.date
    vacancies_open: int
    new: int | None
    closed: int | None
    median_salary: int | None


@dataclass
class Trend:
    """The trend series of one period, oldest first, and the data for the charts."""

    points: list[TrendPoint] = field(default_factory=list)

    def chart(self) -> dict[str, Any]:
        """What static/js/labour_charts.js draws (plain JSON for json_script)."""
        return {
            "labels": self.labels(),
            "series": {key: values for key, _label, values in self._series()},
        }

    def labels(self) -> list[str]:
        return [f"{p.period_start:%d.%m.%Y}" for p in self.points]

    def tables(self) -> list[dict[str, Any]]:
        """Per chart: its key, title and the (period, value) rows of its accessible table."""
        return [
            {"key": key, "label": label, "rows": list(zip(self.points, values, strict=True))}
            for key, label, values in self._series()
        ]

    def _series(self) -> list[tuple[str, Any, list[int | None]]]:
        return [
            (
                "open",
                _("Открытых вакансий на конец периода"),
                [p.vacancies_open for p in self.points],
            ),
            ("new", _("Новых вакансий за период"), [p.new for p in self.points]),
            ("closed", _("Закрытых вакансий за период"), [p.closed for p in self.points]),
            ("salary", _("Медианная зарплата, ₽"), [p.median_salary for p in self.points]),
        ]


def _pk(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except (TypeError, ValueError):
        return None


def labour_district_choice(
    *, user: AnyUser, requested: str | None, public: bool = False
) -> DistrictChoice:
    """The user's labour districts (every district on the public page), by name, and the one
    asked for by ``?district=`` when it is among them, else the first: one query."""
    districts_qs = District.objects.all() if public else access.labour_districts_of(user)
    districts = list(districts_qs.order_by("name", "pk"))
    wanted = _pk(requested)
    chosen = next((d for d in districts if d.pk == wanted), None)
    refused = requested not in (None, "") and chosen is None
    if chosen is None and districts:
        chosen = districts[0]
    return DistrictChoice(district=chosen, districts=districts, refused=refused)


def period_of(value: str | None, *, default: str = Period.WEEK) -> str:
    """The period asked for by ``?period=``; anything else is the default."""
    return value if value in Period.values else default


def latest_summaries(*, district: District) -> dict[str, LabourSummary]:
    """The district's latest summary of each period, by period: one query."""
    latest_start = (
        LabourSummary.objects.filter(district=district, period=OuterRef("period"))
        .order_by("-period_start")
        .values("period_start")[:1]
    )
    rows = LabourSummary.objects.filter(
        district=district, period_start=Subquery(latest_start)
    ).select_related("district")
    return {summary.period: summary for summary in rows}


def labour_trend(*, district: District, period: str, length: int | None = None) -> Trend:
    """The last ``length`` summaries of the period, oldest first, reading only the figures
    the charts show (not the whole JSON): one query."""
    length = length or TREND_LENGTH[Period(period)]
    rows = (
        LabourSummary.objects.filter(district=district, period=period)
        .order_by("-period_start")
        .values(
            "period_start",
            "period_end",
            "vacancies_open",
            "figures__new",
            "figures__closed",
            "figures__salary__median",
        )[:length]
    )
    points = [
        TrendPoint(
            period_start=row["period_start"],
            period_end=row["period_end"],
            vacancies_open=row["vacancies_open"],
            new=_int_or_none(row["figures__new"]),
            closed=_int_or_none(row["figures__closed"]),
            median_salary=_int_or_none(row["figures__salary__median"]),
        )
        for row in rows
    ]
    return Trend(points=list(reversed(points)))


def _int_or_none(value: Any) -> int | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def named_rows(rows: list[dict[str, Any]] | None, name_key: str) -> list[dict[str, Any]]:
    """Rows of a figures list (by group, by sector) with their name under ``name``."""
    return [{**row, "name": row.get(name_key)} for row in rows or []]


def next_summary_due(*, today: datetime.date, period: str) -> tuple[datetime.date, datetime.date]:
    """The first and last day of the period the scheduler summarises next."""
    start = dict(labour_summaries_due(today=today))[period]
    return period_bounds(period=period, period_start=start)


# --- the balance of demand and supply ------------------------------------------------


@dataclass(frozen=True)
class BalanceRow:
    """One profession of the balance table with its programmes and the verdict."""

    title: str
    group: str | None
    programmes: list[dict[str, Any]]
    vacancies: int
    work_places: int
    graduates: int
    dual_seats: int
    per_graduate: float | None
    verdict: str  # shortage, surplus, balance, none

    @property
    def verdict_label(self) -> str:
        return str(VERDICTS[self.verdict])


VERDICTS = {
    "shortage": _("Дефицит кадров"),
    "surplus": _("Выпускников больше, чем мест"),
    "balance": _("Примерное равновесие"),
    "none": _("Нет ни мест, ни выпускников"),
}


def _verdict(work_places: int, graduates: int) -> str:
    if not graduates:
        return "shortage" if work_places else "none"
    ratio = Decimal(work_places) / Decimal(graduates)
    if ratio >= SHORTAGE_FROM:
        return "shortage"
    if ratio < SURPLUS_BELOW:
        return "surplus"
    return "balance"


def _programmes_by_okso(*, district: District, codes: set[str]) -> dict[str, list[dict]]:
    """The district's technikum programmes of these ОКСО codes, published first: one query
    (none without codes)."""
    if not codes:
        return {}
    found: dict[str, list[dict]] = {}
    rows = (
        Programme.objects.filter(technikum__district=district, okso_code__in=codes)
        .order_by("okso_code", "-is_published", "title", "pk")
        .values("pk", "okso_code", "title", "is_published", "technikum__is_active")
    )
    for row in rows:
        found.setdefault(row["okso_code"], []).append(
            {
                "pk": row["pk"],
                "okso_code": row["okso_code"],
                "title": row["title"],
                "is_public": row["is_published"] and row["technikum__is_active"],
            }
        )
    return found


def labour_balance_rows(*, summary: LabourSummary) -> list[BalanceRow]:
    """The summary's balance with the programmes' titles and a verdict per row: one query."""
    balance = summary.figures.get("balance") or []
    codes = {code for row in balance for code in row.get("programmes", [])}
    programmes = _programmes_by_okso(district=summary.district, codes=codes)
    rows = []
    for row in balance:
        listed = [
            item for code in row.get("programmes", []) for item in programmes.get(code, [])
        ] or [
            {"pk": None, "okso_code": code, "title": "", "is_public": False}
            for code in row.get("programmes", [])
        ]
        rows.append(
            BalanceRow(
                title=row["title"],
                group=row.get("group"),
                programmes=listed,
                vacancies=row.get("vacancies", 0),
                work_places=row.get("work_places", 0),
                graduates=row.get("graduates", 0),
                dual_seats=row.get("dual_seats", 0),
                per_graduate=row.get("work_places_per_graduate"),
                verdict=_verdict(row.get("work_places", 0), row.get("graduates", 0)),
            )
        )
    return rows


# --- the public page of in-demand professions ----------------------------------------


@dataclass(frozen=True)
class InDemandProfession:
    """A profession of the public page: no employer and no person in it."""

    title: str
    group: str | None
    vacancies: int
    work_places: int
    programmes: list[dict[str, Any]]


def in_demand_summary(summaries: dict[str, LabourSummary]) -> LabourSummary | None:
    """The latest monthly summary, else the latest weekly one."""
    return summaries.get(Period.MONTH) or summaries.get(Period.WEEK)


def in_demand_professions(
    *, summary: LabourSummary, limit: int = IN_DEMAND_LIMIT
) -> list[InDemandProfession]:
    """The summary's top professions with the published programmes of the district's
    technikum that train for them: one query."""
    top = (summary.figures.get("top_professions") or [])[:limit]
    ids = [row["profession_id"] for row in top if row.get("profession_id")]
    trained: dict[int, list[dict[str, Any]]] = {}
    if ids:
        links = (
            Programme.objects.published()
            .filter(technikum__district=summary.district_id, professions__in=ids)
            .order_by("okso_code", "title", "pk")
            .values("pk", "okso_code", "title", "professions")
        )
        for link in links:
            trained.setdefault(link["professions"], []).append(link)
    return [
        InDemandProfession(
            title=row["title"],
            group=row.get("group"),
            vacancies=row.get("vacancies", 0),
            work_places=row.get("work_places", 0),
            programmes=trained.get(row.get("profession_id"), []),
        )
        for row in top
    ]
