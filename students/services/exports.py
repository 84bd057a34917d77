"""Export of the filtered pupil list as XLSX or CSV, each exported pupil written to the audit."""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.worksheet.worksheet import Worksheet

from resource_center import audit
from students.filters import academic_year_label
from students.models import Student

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser
    from django.db.models import QuerySet

XLSX = "xlsx"
CSV = "csv"
FORMATS = {
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    CSV: "text/csv; charset=utf-8",
}

# The first six are the import's column names, so an exported file can be loaded back.
HEADERS = (
    "Фамилия",
    "Имя",
    "Отчество",
    "Дата рождения",
    "Класс",
    "Пол",
    "Учебный год",
    "Телефон",
    "E-mail",
    "Планы после 9 класса",
    "Планы после 11 класса",
)
COLUMN_WIDTHS = (18, 14, 18, 14, 8, 10, 12, 18, 24, 28, 24)


@dataclass(frozen=True)
class ExportFile:
    content: bytes
    file_name: str
    content_type: str
    rows: int


def _row(student: Student) -> list[object]:
    return [
        student.last_name,
        student.first_name,
        student.patronymic,
        student.birth_date,
        student.class_name,
        student.get_sex_display() if student.sex else "",
        academic_year_label(student.academic_year),
        student.phone,
        student.email,
        student.get_path_after_9_display() if student.path_after_9 else "",
        student.get_path_after_11_display() if student.path_after_11 else "",
    ]


def _xlsx(rows: Iterable[Sequence[object]]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet: Worksheet = workbook.create_sheet(_("Обучающиеся"))
    for index, width in enumerate(COLUMN_WIDTHS):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    sheet.append(HEADERS)
    for row in rows:
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, datetime.date):
                cell.number_format = "DD.MM.YYYY"
            elif isinstance(value, str):
                # openpyxl turns a string starting with «=» into a formula; data stays data.
                cell.data_type = "s"
            cells.append(cell)
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


_FORMULA_START = re.compile(r"^[=@\t\r]|^[+\-](?![\d\s()\-]*$)")


def _csv_text(value: object) -> str:
    if isinstance(value, datetime.date):
        return value.strftime("%d.%m.%Y")
    text = str(value)
    # Excel would run a cell such as «=HYPERLINK(…)» as a formula (CSV injection); phone
    # numbers like «+7 900 …» are left as they are.
    return "'" + text if _FORMULA_START.match(text) else text


def _csv(rows: Iterable[Sequence[object]]) -> bytes:
    buffer = io.StringIO()
    # «;» and a BOM: how Excel in a Russian locale opens a CSV file without a wizard.
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADERS)
    for row in rows:
        writer.writerow([_csv_text(v) for v in row])
    return buffer.getvalue().encode("utf-8-sig")


def export_file_name(*, organisations: Iterable[str], file_format: str, day: datetime.date) -> str:
    """«ученики_СОШ_1_2026-11-26.xlsx»: the school's short name when the file has one school."""
    names = sorted(set(organisations))
    parts = ["ученики"]
    if len(names) == 1:
        slug = re.sub(r"[\W_]+", "_", names[0]).strip("_")
        if slug:
            parts.append(slug)
    parts.append(day.isoformat())
    return "_".join(parts) + "." + file_format


@transaction.atomic
def student_list_export(
    *,
    students: QuerySet[Student],
    file_format: str,
    by: AbstractBaseUser,
    request: HttpRequest | None = None,
) -> ExportFile:
    """Build the file of the given (already filtered, consented) students and audit each one."""
    if file_format not in FORMATS:
        raise ValueError(file_format)
    pupils = list(students)
    rows = [_row(s) for s in pupils]
    content = _xlsx(rows) if file_format == XLSX else _csv(rows)
    file_name = export_file_name(
        organisations=(s.organisation.short_name for s in pupils),
        file_format=file_format,
        day=timezone.localdate(),
    )
    audit.record_many(
        actor=by,
        action=audit.Action.EXPORT,
        students=pupils,
        details=_("Выгрузка списка: %(name)s") % {"name": file_name},
        request=request,
        batch_size=500,
    )
    return ExportFile(
        content=content,
        file_name=file_name,
        content_type=FORMATS[file_format],
        rows=len(pupils),
    )
