"""Small-count suppression: primary, complementary, totals and shares."""

from __future__ import annotations

import pytest

from reports.registry import (
    HIDDEN,
    SUPPRESSED,
    Column,
    ReportTable,
    fill_shares,
    is_hidden,
    totals_of,
)
from reports.suppression import suppress

pytestmark = pytest.mark.django_db

COLUMNS = [
    Column("school", "Школа", "dim"),
    Column("a", "A", "count"),
    Column("b", "B", "count"),
    Column("total", "Всего", "count"),
    Column("seats", "Мест", "number"),
    Column("share", "Доля", "share", share_of=("a", "total")),
]


def table(rows: list[tuple[int, int, int]], *, groups=(("a", "b", "total"),)) -> ReportTable:
    t = ReportTable(
        columns=list(COLUMNS),
        rows=[
            {"school": f"Школа {i}", "a": a, "b": b, "total": a + b, "seats": seats}
            for i, (a, b, seats) in enumerate(rows)
        ],
        row_groups=groups,
    )
    t.totals = totals_of(t)
    return t


def hidden(t: ReportTable) -> set[tuple[int, str]]:
    lines = [*t.rows, t.totals]
    return {
        (i if i < len(t.rows) else -1, key)
        for i, row in enumerate(lines)
        for key, value in row.items()
        if is_hidden(value)
    }


def recoverable(t: ReportTable) -> bool:
    """True when some hidden cell is the only hidden one of a column or row group line."""
    lines = [*t.rows, t.totals]
    for key in ("a", "b", "total"):
        if sum(1 for row in lines if is_hidden(row[key])) == 1:
            return True
    return any(sum(1 for k in ("a", "b", "total") if is_hidden(row[k])) == 1 for row in lines)


def test_counts_from_1_to_4_are_hidden_and_zeros_and_5_are_shown():
    t = table([(0, 5, 2), (10, 20, 1), (30, 40, 3)])
    suppress(t)
    assert hidden(t) == set()
    t = table([(3, 7, 2), (10, 20, 1), (30, 40, 3)])
    suppress(t)
    assert t.rows[0]["a"] is SUPPRESSED
    assert t.rows[0]["seats"] == 2  # places are not people: never hidden
    assert t.suppressed


def test_a_lone_hidden_cell_in_a_column_hides_the_smallest_other_count():
    # Column a: 3 hidden, the total 43 would give it away with 10 and 30 shown.
    t = table([(3, 7, 0), (10, 20, 0), (30, 40, 0)])
    suppress(t)
    # 10 is the smallest other non-zero in column a; it is not under 5, so it reads «скрыто».
    assert t.rows[1]["a"] is HIDDEN
    assert str(t.rows[1]["a"]) == "скрыто"
    assert str(t.rows[0]["a"]) == "< 5"
    assert not recoverable(t)


def test_complementary_suppression_repeats_until_nothing_can_be_recovered():
    t = table([(2, 50, 0), (60, 70, 0), (80, 9, 0)])
    suppress(t)
    assert not recoverable(t)
    # 2 is never derivable: every line through it has another hidden cell.
    assert t.rows[0]["a"] is SUPPRESSED


def test_total_under_5_is_hidden_and_shares_of_hidden_counts_too():
    t = table([(1, 1, 0), (0, 2, 0)])
    suppress(t)
    fill_shares(t)
    assert t.totals["total"] is SUPPRESSED
    assert t.totals["a"] is SUPPRESSED
    assert t.rows[0]["share"] is HIDDEN  # a share of hidden counts is no count: «скрыто»
    assert t.rows[1]["a"] == 0  # zeros are shown
    assert t.rows[1]["share"] is HIDDEN  # its total (2) is hidden


def test_no_suppression_for_exact_scopes(world):
    from reports.registry import REPORTS
    from reports.scope import ReportFilters, ReportScope
    from tests.factories import StudentFactory

    StudentFactory(organisation=world.school_a, grade=5)
    exact = REPORTS["coverage"].run(
        scope=ReportScope(district_ids=frozenset({world.district.pk}), exact=True),
        filters=ReportFilters(),
    )
    assert exact.totals["pupils"] == 1
    hidden_table = REPORTS["coverage"].run(
        scope=ReportScope(district_ids=frozenset({world.district.pk}), exact=False),
        filters=ReportFilters(),
    )
    assert hidden_table.totals["pupils"] is SUPPRESSED
    assert hidden_table.rows[0]["pupils"] is SUPPRESSED
