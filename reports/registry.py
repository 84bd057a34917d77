"""Every district report, defined once: its columns, its query and its chart.

A report's definition (``Report``) feeds the dashboard, its own page, the chart, the XLSX
and CSV exports and the tests. Definitions live in ``reports/definitions/<topic>.py`` and
call ``register(...)`` on import; ``REPORTS`` keeps them in the order they were registered.

``compute`` returns counts only (rows of cells); ``Report.run`` adds the totals row, hides
small counts for readers whose scope is not exact (reports.suppression) and computes the
shares last, from the counts as shown.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from reports.scope import ReportFilters, ReportScope

ColumnKind = Literal["dim", "count", "share", "number"]
FilterName = Literal["academic_year", "school", "grade", "period"]


class Suppressed:
    """A hidden count, charted as a gap. ``SUPPRESSED`` is a count from 1 to 4, shown and
    exported as «< 5»; ``HIDDEN`` is a larger count hidden only so that a small one cannot
    be worked out from a total, shown as «скрыто» (calling it «< 5» would be untrue)."""

    def __init__(self, text: str | Promise, name: str) -> None:
        self.text = text
        self.name = name

    def __str__(self) -> str:
        return str(self.text)

    def __repr__(self) -> str:
        return self.name


SUPPRESSED = Suppressed("< 5", "SUPPRESSED")
HIDDEN = Suppressed(gettext_lazy("скрыто"), "HIDDEN")


def is_hidden(value: Any) -> bool:
    return isinstance(value, Suppressed)


@dataclass(frozen=True)
class Column:
    key: str
    label: str | Promise
    kind: ColumnKind = "count"
    # For a share: the keys of its numerator and denominator counts.
    share_of: tuple[str, str] | None = None

    @property
    def is_figure(self) -> bool:
        return self.kind in ("count", "number")


@dataclass(frozen=True)
class Chart:
    type: str  # a Chart.js type: "bar", "line"
    label_columns: tuple[str, ...]
    # The series drawn; None means every count column of the table.
    series: tuple[str, ...] | None = None
    stacked: bool = False


Row = dict[str, Any]


@dataclass
class ReportTable:
    columns: list[Column]
    rows: list[Row]
    totals: Row | None = None
    # Groups of count columns that add up to the group's last column in every row: a
    # suppressed cell could be recovered from the others, so suppression treats them as lines.
    row_groups: tuple[tuple[str, ...], ...] = ()
    notes: list[str | Promise] = field(default_factory=list)
    suppressed: bool = False
    # Series for reports whose columns depend on the data (one per interest type).
    chart_series: tuple[str, ...] | None = None

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


Compute = Callable[..., ReportTable]


@dataclass(frozen=True)
class Report:
    slug: str
    title: str | Promise
    description: str | Promise
    columns: tuple[Column, ...]
    compute: Compute
    chart: Chart
    filters: frozenset[str] = frozenset({"academic_year", "school", "grade", "period"})
    # False for district-wide reports (dual training, labour market) that a school head,
    # whose scope is one school, does not get.
    for_schools: bool = True
    with_totals: bool = True

    def available_for(self, scope: ReportScope) -> bool:
        return self.for_schools or not scope.is_school_level

    def run(self, *, scope: ReportScope, filters: ReportFilters) -> ReportTable:
        """The table as the reader may see it: totals, suppression, then shares."""
        from reports import suppression

        table = self.compute(scope=scope, filters=filters)
        if self.with_totals and table.totals is None:
            table.totals = totals_of(table)
        if not scope.exact:
            suppression.suppress(table)
        fill_shares(table)
        return table


def totals_of(table: ReportTable) -> Row:
    """Column sums of the counts and numbers (rows are a few schools × grades, not pupils)."""
    totals: Row = {}
    first_dim = True
    for col in table.columns:
        if col.kind == "dim":
            totals[col.key] = "Итого" if first_dim else ""
            first_dim = False
        elif col.is_figure:
            totals[col.key] = sum(row.get(col.key) or 0 for row in table.rows)
    return totals


def share(numerator: Any, denominator: Any) -> float | Suppressed | None:
    """Per cent with one decimal; «скрыто» when either count is hidden; None when nothing
    to divide."""
    if is_hidden(numerator) or is_hidden(denominator):
        return HIDDEN
    if not denominator:
        return None
    return round(100 * (numerator or 0) / denominator, 1)


def fill_shares(table: ReportTable) -> None:
    lines = [*table.rows, *([table.totals] if table.totals else [])]
    for col in table.columns:
        if col.kind == "share" and col.share_of:
            num, den = col.share_of
            for row in lines:
                row[col.key] = share(row.get(num), row.get(den))


REPORTS: dict[str, Report] = {}


def register(report: Report) -> Report:
    if report.slug in REPORTS:
        raise ValueError(f"report {report.slug!r} registered twice")
    REPORTS[report.slug] = report
    return report


def reports_for(scope: ReportScope) -> list[Report]:
    return [r for r in REPORTS.values() if r.available_for(scope)]
