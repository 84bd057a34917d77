"""The labour-market balance from the district's latest summary."""

from __future__ import annotations

from collections.abc import Iterable
from operator import itemgetter

from django.db import connection
from django.db.models import F, OuterRef, QuerySet, Subquery
from django.utils.translation import gettext_lazy as _

from labour.models import LabourSummary
from reports.registry import Chart, Column, Report, ReportTable, Row, register
from reports.scope import ReportFilters, ReportScope

COLUMNS = (
    Column("district", _("Район"), "dim"),
    Column("profession", _("Профессия"), "dim"),
    Column("programmes", _("Программы техникума"), "dim"),
    Column("vacancies", _("Вакансий"), "number"),
    Column("work_places", _("Рабочих мест"), "number"),
    Column("graduates", _("Выпускников техникума"), "count"),
    Column("dual_seats", _("Мест дуального обучения"), "number"),
)


def compute(*, scope: ReportScope, filters: ReportFilters) -> ReportTable:
    """One query: the latest summary of each district of the scope (its ``figures``
    already hold the balance, computed by labour.services.summaries)."""
    rows: list[Row] = []
    notes = []
    for summary in sorted(_latest_summaries(scope.district_ids), key=itemgetter("district__name")):
        notes.append(
            _("%(district)s: сводка за %(start)s — %(end)s.")
            % {
                "district": summary["district__name"],
                "start": summary["period_start"].strftime("%d.%m.%Y"),
                "end": summary["period_end"].strftime("%d.%m.%Y"),
            }
        )
        for item in summary["balance"] or []:
            rows.append(
                {
                    "district": summary["district__name"],
                    "profession": item.get("title", ""),
                    "programmes": ", ".join(item.get("programmes") or []),
                    "vacancies": item.get("vacancies") or 0,
                    "work_places": item.get("work_places") or 0,
                    "graduates": item.get("graduates") or 0,
                    "dual_seats": item.get("dual_seats") or 0,
                }
            )
    if not notes:
        notes.append(_("Сводок по рынку труда пока нет."))
    return ReportTable(columns=list(COLUMNS), rows=rows, notes=notes)


def _latest_summaries(district_ids: Iterable[int]) -> QuerySet:
    """The latest summary of each district, with only the balance part of its figures (a
    JSON key lookup in the database): DISTINCT ON where the database has it, else the
    latest-per-district subquery."""
    newest_first = ("-period_end", "period", "-pk")
    summaries = LabourSummary.objects.filter(district_id__in=district_ids)
    if connection.features.can_distinct_on_fields:
        summaries = summaries.order_by("district_id", *newest_first).distinct("district_id")
    else:
        latest = LabourSummary.objects.filter(district=OuterRef("district")).order_by(*newest_first)
        summaries = summaries.filter(pk=Subquery(latest.values("pk")[:1]))
    return summaries.values(
        "district__name", "period_start", "period_end", balance=F("figures__balance")
    )


register(
    Report(
        slug="labour-balance",
        title=_("Баланс рынка труда"),
        description=_(
            "Спрос и предложение по профессиям, которым учит техникум: открытые вакансии "
            "и рабочие места против выпускников и мест дуального обучения (последняя сводка)."
        ),
        columns=COLUMNS,
        compute=compute,
        chart=Chart(
            type="bar",
            label_columns=("profession",),
            series=("work_places", "graduates", "dual_seats"),
        ),
        filters=frozenset(),
        for_schools=False,
    )
)
