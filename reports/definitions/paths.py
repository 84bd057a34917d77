"""Intended paths after grades 9 and 11, by school."""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from reports.registry import Chart, Column, Report, ReportTable, register
from reports.scope import ReportFilters, ReportScope, pupils_in_scope
from students.models import Student

AFTER_9 = [(f"p9_{value}", label, value) for value, label in Student.PathAfter9.choices]
AFTER_11 = [(f"p11_{value}", label, value) for value, label in Student.PathAfter11.choices]

COLUMNS = (
    Column("school", _("Школа"), "dim"),
    *(Column(key, _("9 кл.: %(path)s") % {"path": label}, "count") for key, label, _v in AFTER_9),
    Column("p9_unknown", _("9 кл.: не указано"), "count"),
    Column("grade_9", _("Всего в 9 классах"), "count"),
    *(Column(key, _("11 кл.: %(path)s") % {"path": label}, "count") for key, label, _v in AFTER_11),
    Column("p11_unknown", _("11 кл.: не указано"), "count"),
    Column("grade_11", _("Всего в 11 классах"), "count"),
)
GROUP_9 = (*(key for key, _l, _v in AFTER_9), "p9_unknown", "grade_9")
GROUP_11 = (*(key for key, _l, _v in AFTER_11), "p11_unknown", "grade_11")


def compute(*, scope: ReportScope, filters: ReportFilters) -> ReportTable:
    """One grouped query over pupils of grades 9 and 11 of the year, by school."""
    nine, eleven = Q(grade=9), Q(grade=11)
    counts = {
        **{key: Count("pk", filter=nine & Q(path_after_9=v)) for key, _l, v in AFTER_9},
        "p9_unknown": Count("pk", filter=nine & Q(path_after_9="")),
        "grade_9": Count("pk", filter=nine),
        **{key: Count("pk", filter=eleven & Q(path_after_11=v)) for key, _l, v in AFTER_11},
        "p11_unknown": Count("pk", filter=eleven & Q(path_after_11="")),
        "grade_11": Count("pk", filter=eleven),
    }
    rows = (
        pupils_in_scope(scope, filters, grade=False)
        .filter(grade__in=(9, 11))
        .values("organisation__short_name", "organisation_id")
        .annotate(**counts)
        .order_by("organisation__short_name", "organisation_id")
    )
    return ReportTable(
        columns=list(COLUMNS),
        rows=[{"school": r["organisation__short_name"], **{k: r[k] for k in counts}} for r in rows],
        row_groups=(GROUP_9, GROUP_11),
    )


register(
    Report(
        slug="paths",
        title=_("Планы после 9 и 11 класса"),
        description=_(
            "Куда собираются выпускники 9 и 11 классов учебного года, по школам "
            "(по данным профилей обучающихся)."
        ),
        columns=COLUMNS,
        compute=compute,
        chart=Chart(
            type="bar",
            label_columns=("school",),
            series=(*GROUP_9[:-1], *GROUP_11[:-1]),
            stacked=True,
        ),
        filters=frozenset({"academic_year", "school"}),
    )
)
