"""Trends across academic years: pupils, consents, questionnaires and event attendance."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from guidance.models import Attempt, Registration
from reports.registry import Chart, Column, Report, ReportTable, register
from reports.scope import ReportFilters, ReportScope, pupils_in_scope
from students.models import Consent, active_consent

COLUMNS = (
    Column("year", _("Учебный год"), "dim"),
    Column("pupils", _("Обучающихся"), "count"),
    Column("with_consent", _("Есть согласие"), "count"),
    Column("with_attempt", _("Прошли анкету"), "count"),
    Column("attended", _("Посетили мероприятия"), "count"),
    Column("attempt_share", _("Анкета, %"), "share", share_of=("with_attempt", "pupils")),
)


def compute(*, scope: ReportScope, filters: ReportFilters) -> ReportTable:
    """One grouped query: every academic year's pupils of the scope (school and grade
    filters apply) with their consents, questionnaires and attended events."""
    rows = (
        pupils_in_scope(scope, filters, year=False)
        .values("academic_year")
        .annotate(
            pupils=Count("pk"),
            with_consent=Count("pk", filter=Q(active_consent(Consent.Scope.PROCESSING))),
            with_attempt=Count(
                "pk", filter=Q(Exists(Attempt.objects.filter(student=OuterRef("pk"))))
            ),
            attended=Count(
                "pk",
                filter=Q(
                    Exists(Registration.objects.filter(student=OuterRef("pk"), attended=True))
                ),
            ),
        )
        .order_by("academic_year")
    )
    return ReportTable(
        columns=list(COLUMNS),
        rows=[
            {
                "year": f"{r['academic_year']}/{(r['academic_year'] + 1) % 100:02d}",
                **{k: r[k] for k in ("pupils", "with_consent", "with_attempt", "attended")},
            }
            for r in rows
        ],
    )


register(
    Report(
        slug="trends",
        title=_("Динамика по учебным годам"),
        description=_(
            "Обучающиеся каждого учебного года: с согласием, с пройденной анкетой и "
            "посетившие хотя бы одно мероприятие."
        ),
        columns=COLUMNS,
        compute=compute,
        chart=Chart(
            type="line",
            label_columns=("year",),
            series=("pupils", "with_consent", "with_attempt", "attended"),
        ),
        filters=frozenset({"school", "grade"}),
        with_totals=False,
    )
)
