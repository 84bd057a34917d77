"""Career events held and pupils' participation, by school and kind of event."""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guidance.models import Event, Registration
from reports.registry import Chart, Column, Report, ReportTable, register
from reports.scope import ReportFilters, ReportScope, pupils_in_scope

KIND_LABELS = dict(Event.Kind.choices)

COLUMNS = (
    Column("school", _("Школа"), "dim"),
    Column("kind", _("Вид мероприятия"), "dim"),
    Column("events", _("Мероприятий"), "number"),
    Column("registered", _("Записано"), "count"),
    Column("attended", _("Присутствовали"), "count"),
    Column("attended_share", _("Явка, %"), "share", share_of=("attended", "registered")),
)


def compute(*, scope: ReportScope, filters: ReportFilters) -> ReportTable:
    """One grouped query over registrations of the scope's pupils for events held (started,
    not cancelled) in the period."""
    start, end = filters.period()
    end = min(end, timezone.now())
    rows = (
        Registration.objects.filter(
            student__in=pupils_in_scope(scope, filters).values("pk"),
            event__is_cancelled=False,
            event__starts_at__gte=start,
            event__starts_at__lt=end,
        )
        .values("student__organisation__short_name", "student__organisation_id", "event__kind")
        .annotate(
            events=Count("event", distinct=True),
            registered=Count("pk"),
            attended=Count("pk", filter=Q(attended=True)),
        )
        .order_by("student__organisation__short_name", "student__organisation_id", "event__kind")
    )
    return ReportTable(
        columns=list(COLUMNS),
        rows=[
            {
                "school": r["student__organisation__short_name"],
                "kind": str(KIND_LABELS.get(r["event__kind"], r["event__kind"])),
                "events": r["events"],
                "registered": r["registered"],
                "attended": r["attended"],
            }
            for r in rows
        ],
        notes=[
            _(
                "«Мероприятий» — сколько разных мероприятий посетили обучающиеся школы; "
                "в итоговой строке одно мероприятие может быть сосчитано для нескольких школ."
            )
        ],
    )


register(
    Report(
        slug="events",
        title=_("Мероприятия и участие"),
        description=_(
            "Проведённые (не отменённые, уже начавшиеся) мероприятия периода: записи "
            "обучающихся и посещаемость по школам и видам мероприятий."
        ),
        columns=COLUMNS,
        compute=compute,
        chart=Chart(
            type="bar", label_columns=("school", "kind"), series=("registered", "attended")
        ),
    )
)
