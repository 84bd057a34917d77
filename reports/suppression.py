"""Small-count suppression for readers who see aggregates only (the administration).

1. Every count from 1 to 4 (totals included) becomes «< 5»; zeros stay.
2. Complementary suppression: a count column (with its total) and a row group (parts with
   their sum) are lines; a line with exactly one hidden cell would give it away by
   subtraction, so its smallest other non-zero visible cell is hidden too, shown as
   «скрыто» (it may be 5 or more). Repeated until no line changes.
3. Shares are computed afterwards (registry.fill_shares) and read «скрыто» when a count
   they are made of is hidden.

Numbers that are not counts of people (places, seats, vacancies) are never hidden.
"""

from __future__ import annotations

from typing import Any

from reports.registry import HIDDEN, SUPPRESSED, ReportTable, is_hidden

THRESHOLD = 5

Cell = tuple[int, str]  # (row index, column key); the totals row has index -1


def is_small(value: Any) -> bool:
    return isinstance(value, int) and 0 < value < THRESHOLD


def suppress(table: ReportTable) -> None:
    """Hide small counts in place, with the cells that would reveal them."""
    rows = list(table.rows)
    if table.totals is not None:
        rows.append(table.totals)
    counts = [c.key for c in table.columns if c.kind == "count"]

    def cell_row(index: int) -> dict[str, Any]:
        return rows[index]

    # A column can only give a hidden cell away through its total.
    lines: list[list[Cell]] = (
        [[(i, key) for i in range(len(rows))] for key in counts] if table.totals else []
    )
    for group in table.row_groups:
        lines.extend([(i, key) for key in group] for i in range(len(rows)))

    hidden = False
    for index, row in enumerate(rows):
        for key in counts:
            if is_small(row.get(key)):
                cell_row(index)[key] = SUPPRESSED
                hidden = True

    changed = True
    while changed:
        changed = False
        for line in lines:
            values = [(cell, cell_row(cell[0]).get(cell[1])) for cell in line]
            if sum(1 for _, v in values if is_hidden(v)) != 1:
                continue
            candidates = [(v, cell) for cell, v in values if isinstance(v, int) and v > 0]
            if not candidates:
                continue
            _, (index, key) = min(candidates, key=lambda item: (item[0], item[1]))
            cell_row(index)[key] = HIDDEN
            changed = True
            hidden = True
    table.suppressed = hidden
