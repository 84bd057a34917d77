"""XLSX and CSV files of a report, both written from the same ReportTable as the page."""

from __future__ import annotations

import csv
import datetime
import io
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from reports.registry import Report, ReportTable, is_hidden

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"


def cell_text(value: Any) -> str:
    """How a cell reads on the page and in the CSV."""
    if value is None:
        return "—"
    if is_hidden(value):
        return str(value)
    if isinstance(value, float):
        return f"{value:.1f}".replace(".", ",")
    return str(value)


def _xlsx_value(value: Any) -> Any:
    """Numbers stay numbers; a hidden count and an empty share are written as on the page."""
    if value is None or is_hidden(value):
        return cell_text(value)
    return value


def table_lines(table: ReportTable) -> list[list[Any]]:
    """Header, rows and totals as lists of cell values, in column order."""
    keys = [c.key for c in table.columns]
    lines = [[row.get(k) for k in keys] for row in table.rows]
    if table.totals is not None:
        lines.append([table.totals.get(k) for k in keys])
    return lines


def heading_lines(report: Report, filter_labels: list[str], day: datetime.date) -> list[str]:
    return [
        str(report.title),
        *filter_labels,
        _("Данные на %(date)s") % {"date": day.strftime("%d.%m.%Y")},
    ]


def to_xlsx(report: Report, table: ReportTable, filter_labels: list[str]) -> bytes:
    """A sheet with the title, the filters and the date on top, a bold header, the rows and
    a bold totals row."""
    wb = Workbook()
    ws = wb.active
    ws.title = report.slug[:31]
    head = heading_lines(report, filter_labels, timezone.localdate())
    for line in head:
        ws.append([line])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append([])
    header_row = len(head) + 2
    ws.append([str(c.label) for c in table.columns])
    for cell in ws[header_row]:
        cell.font = Font(bold=True)
    shares = [i for i, c in enumerate(table.columns, start=1) if c.kind == "share"]
    for line in table_lines(table):
        ws.append([_xlsx_value(v) for v in line])
        for index in shares:
            # Per cent with one decimal, as on the page (100,0 rather than 100).
            ws.cell(row=ws.max_row, column=index).number_format = "0.0"
    if table.totals is not None:
        for cell in ws[ws.max_row]:
            cell.font = Font(bold=True)
    for index, column in enumerate(table.columns, start=1):
        width = max(
            [len(str(column.label))]
            + [len(cell_text(line[index - 1])) for line in table_lines(table)]
        )
        ws.column_dimensions[get_column_letter(index)].width = min(max(width + 2, 8), 60)
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def to_csv(report: Report, table: ReportTable, filter_labels: list[str]) -> bytes:
    """UTF-8 with a BOM and «;» between fields, as Excel opens it in Russia."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    for line in heading_lines(report, filter_labels, timezone.localdate()):
        writer.writerow([line])
    writer.writerow([])
    writer.writerow([str(c.label) for c in table.columns])
    for line in table_lines(table):
        writer.writerow([cell_text(v) for v in line])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
