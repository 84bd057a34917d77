"""Dual training: places, seats and placements by employer, programme and status."""

from __future__ import annotations

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy as _

from employers.models import DualTrainingPlace, Placement
from reports.registry import Chart, Column, Report, ReportTable, Row, register
from reports.scope import ReportFilters, ReportScope

S = Placement.Status
STATUS_GROUPS = {
    "proposed": (S.PROPOSED,),
    "training": Placement.SEAT_HOLDING,
    "completed": (S.COMPLETED,),
    "ended": (S.DECLINED, S.TERMINATED),
}

COLUMNS = (
    Column("employer", _("Работодатель"), "dim"),
    Column("programme", _("Программа"), "dim"),
    Column("places", _("Мест обучения"), "number"),
    Column("seats", _("Рабочих мест"), "number"),
    Column("proposed", _("Предложены"), "count"),
    Column("training", _("Обучаются (договор)"), "count"),
    Column("completed", _("Завершили"), "count"),
    Column("ended", _("Отклонены или прекращены"), "count"),
    Column("placements", _("Всего направлений"), "count"),
)


def compute(*, scope: ReportScope, filters: ReportFilters) -> ReportTable:
    """Two grouped queries: places with their seats, and placements by status group, for
    the places of the district's employers whose dates overlap the period."""
    start, end = filters.period_dates()
    places = DualTrainingPlace.objects.filter(
        employer__district_id__in=scope.district_ids,
        starts_on__lte=end,
        ends_on__gte=start,
    ).exclude(status=DualTrainingPlace.Status.DRAFT)
    by_place = (
        places.values(
            "employer_id",
            "employer__short_name",
            "programme_id",
            "programme__okso_code",
            "programme__title",
        )
        .annotate(places=Count("pk"), seats=Sum("seats"))
        .order_by("employer__short_name", "employer_id", "programme__okso_code", "programme_id")
    )
    counts = {
        key: Count("pk", filter=Q(status__in=statuses)) for key, statuses in STATUS_GROUPS.items()
    }
    by_placement = {
        (r["place__employer_id"], r["place__programme_id"]): r
        for r in Placement.objects.filter(place__in=places.values("pk"))
        .values("place__employer_id", "place__programme_id")
        .annotate(**counts, placements=Count("pk"))
        .order_by()
    }
    rows: list[Row] = []
    for r in by_place:
        placed = by_placement.get((r["employer_id"], r["programme_id"]), {})
        rows.append(
            {
                "employer": r["employer__short_name"],
                "programme": f"{r['programme__okso_code']} {r['programme__title']}",
                "places": r["places"],
                "seats": r["seats"] or 0,
                **{key: placed.get(key, 0) for key in (*STATUS_GROUPS, "placements")},
            }
        )
    return ReportTable(
        columns=list(COLUMNS),
        rows=rows,
        row_groups=((*STATUS_GROUPS, "placements"),),
    )


register(
    Report(
        slug="dual-training",
        title=_("Дуальное обучение"),
        description=_(
            "Опубликованные и закрытые места дуального обучения у работодателей района, "
            "действующие в периоде: места, рабочие места и направления студентов по статусам."
        ),
        columns=COLUMNS,
        compute=compute,
        chart=Chart(
            type="bar",
            label_columns=("employer", "programme"),
            series=("seats", "training", "completed"),
        ),
        filters=frozenset({"academic_year", "period"}),
        for_schools=False,
    )
)
