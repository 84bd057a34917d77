"""Opening a centre export and streaming its data rows as checked ``CznRecord`` objects."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from employers.models import Vacancy
from labour.importers.czn import values
from labour.importers.czn.errors import CznExportError, table_error_message
from labour.importers.czn.headers import (
    ADDRESS,
    CODE,
    DATE,
    DUTY,
    EDUCATION,
    EMAIL,
    EMPLOYER,
    EMPLOYMENT,
    EXPERIENCE,
    FIELD_LABELS,
    ID,
    INN,
    OGRN,
    PHONE,
    PLACES,
    REQUIREMENTS,
    SALARY,
    SALARY_FROM,
    SALARY_TO,
    SCHEDULE,
    SECTOR,
    TITLE,
    Columns,
    find_columns,
)
from labour.importers.czn.values import cell_text, squeeze
from labour.importers.trudvsem import VacancyRecord
from resource_center.lib.tabular import Cell, Table, TableError, open_table

# Far more than a district centre lists; a guard against a table that takes minutes to read.
MAX_ROWS = 20_000


@dataclass
class CznRecord(VacancyRecord):
    """A vacancy of the export: its line in the file, the id as written and every error."""

    line: int = 0
    file_id: str = ""  # the vacancy's number as the export writes it
    errors: list[str] = field(default_factory=list)

    @property
    def schedule_label(self) -> str:
        return str(Vacancy.Schedule(self.schedule).label) if self.schedule else ""

    @property
    def employment_label(self) -> str:
        return (
            str(Vacancy.EmploymentType(self.employment_type).label) if self.employment_type else ""
        )

    @property
    def salary_text(self) -> str:
        if self.salary_from and self.salary_to:
            return f"{self.salary_from:,}–{self.salary_to:,}".replace(",", "\u00a0")
        if self.salary_from:
            return _("от %(n)s") % {"n": f"{self.salary_from:,}".replace(",", "\u00a0")}
        if self.salary_to:
            return _("до %(n)s") % {"n": f"{self.salary_to:,}".replace(",", "\u00a0")}
        return ""


class CznExport:
    """An opened export: its columns, and its rows checked one by one."""

    def __init__(self, table: Table, columns: Columns, *, today: datetime.date) -> None:
        self.table = table
        self.columns = columns
        self.today = today

    def __enter__(self) -> CznExport:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.table.close()

    @property
    def file_format(self) -> str:
        return self.table.format

    @property
    def encoding(self) -> str:
        return self.table.encoding

    def __iter__(self) -> Iterator[CznRecord]:
        """Every non-blank data row, checked; a repeated vacancy number is an error."""
        idx = self.columns.indexes
        width = max(idx.values()) + 1
        seen: dict[str, int] = {}  # vacancy number → its line: the state that grows
        position = 0
        # The rows go on from where open_czn_export() found the header.
        line = self.columns.header_line
        try:
            for raw in self.table.rows:
                line += 1
                cells = list(raw[:width]) + [None] * (width - len(raw))
                if not any(cell_text(v) for v in cells):
                    continue
                position += 1
                if position > MAX_ROWS:
                    raise CznExportError(
                        _("В выгрузке больше %(n)d вакансий: разделите её на части.")
                        % {"n": MAX_ROWS}
                    )
                record = self._record(cells, line=line, position=position)
                if record.file_id:
                    first = seen.setdefault(record.file_id, line)
                    if first != line:
                        record.errors.append(
                            _("Номер вакансии %(id)s уже встречался в строке %(line)d.")
                            % {"id": record.file_id, "line": first}
                        )
                record.error = " ".join(record.errors)
                yield record
        except TableError as exc:
            raise CznExportError(table_error_message(exc)) from exc

    def _cell(self, cells: list[Cell], name: str) -> Cell:
        i = self.columns.indexes.get(name)
        return None if i is None else cells[i]

    def _text(self, cells: list[Cell], name: str) -> str:
        return cell_text(self._cell(cells, name))

    def _record(self, cells: list[Cell], *, line: int, position: int) -> CznRecord:
        record = CznRecord(position=position, line=line)
        errors = record.errors
        text = self._text

        record.file_id = record.external_id = values.vacancy_number(text(cells, ID), errors)
        record.title = values.vacancy_title(text(cells, TITLE), errors)
        record.employer_name = squeeze(text(cells, EMPLOYER))[:500]
        record.employer_inn = values.inn_of(self._cell(cells, INN), errors)
        if not record.employer_name and not text(cells, INN):
            errors.append(_("Не указан работодатель: нет ни наименования, ни ИНН."))
        record.employer_ogrn = values.ogrn_of(text(cells, OGRN))

        record.okpdtr_code = re.sub(r"\s", "", text(cells, CODE))[:10]
        record.salary_from, record.salary_to = values.salaries_of(
            low=text(cells, SALARY_FROM),
            high=text(cells, SALARY_TO),
            combined=text(cells, SALARY),
            labels=(
                str(FIELD_LABELS[SALARY_FROM]),
                str(FIELD_LABELS[SALARY_TO]),
                str(FIELD_LABELS[SALARY]),
            ),
            errors=errors,
        )
        record.work_places = values.places_of(text(cells, PLACES), errors)
        record.schedule, record.employment_type = values.schedule_and_employment(
            text(cells, SCHEDULE), text(cells, EMPLOYMENT)
        )
        record.education = text(cells, EDUCATION)[:100]
        record.experience_years = values.experience_of(text(cells, EXPERIENCE), errors)
        record.address = squeeze(text(cells, ADDRESS))[:500]
        record.employer_phone = text(cells, PHONE)[:30]
        record.employer_email = text(cells, EMAIL)[:254]
        record.duty = text(cells, DUTY)
        record.requirements = text(cells, REQUIREMENTS)
        record.sector = text(cells, SECTOR)[:200]
        record.created_at = values.posted_at(
            self._cell(cells, DATE), errors, today=self.today, epoch_1904=self.table.epoch_1904
        )
        return record


def open_czn_export(content: bytes, *, today: datetime.date | None = None) -> CznExport:
    """Open the bytes of a CSV or XLSX export and find its header row.

    Raises CznExportError with a Russian message when the file is not a table, has no
    recognisable columns or lacks a column a vacancy cannot do without.
    """
    today = today or timezone.localdate()
    try:
        table = open_table(content)
    except TableError as exc:
        raise CznExportError(table_error_message(exc)) from exc
    try:
        columns = find_columns(table)
    except Exception:
        table.close()
        raise
    return CznExport(table, columns, today=today)
