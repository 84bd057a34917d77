"""The checked rows of a previewed pupil list, kept between the preview and the commit.

The upload is read and validated once: the preview stores every row, normalised and with
its errors, in ``PupilImport.content`` instead of the file (a header, then gzip-compressed
JSON, a line per 2000 rows holding their columns: about half the size of the upload, and
a column of strings is the cheapest thing to write and read back). The preview pages and
the commit read the rows back without parsing or validating the file again, which was
most of their time. These bytes are written only by the server; nothing a browser sends
reaches them, and the commit still refuses a list in which any row has an error.

The first layout (gzip-compressed CSV, a line per row) is still read, and content without
a header (a list previewed before either existed, or a test's raw file) is read as the
uploaded file it is. Nothing here touches the database.
"""

from __future__ import annotations

import csv
import datetime
import gzip
import io
import json
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from typing import NamedTuple

from django.utils.translation import gettext as _

from resource_center.lib.text import fold
from students.importers.headers import Columns
from students.importers.pupils import PupilList, PupilListError, PupilRow, open_pupil_list

# A NUL byte first: no uploadable table starts so (CSV with NUL is refused as binary, XLSX
# starts with "PK"). The digit is the version of the layout: 2 is columns of JSON, 1 (still
# read) was CSV.
MAGIC = b"\x00rc-checked-pupils-2\n"
MAGIC_CSV = b"\x00rc-checked-pupils-1\n"
BATCH_ROWS = 2000  # rows per stored line: written and compressed as they come

Key = tuple[str, str, str, str]


class CheckedRow(NamedTuple):
    """A validated row as stored: every field is text (dates ISO 8601, grade in digits)."""

    line: str
    last_name: str
    first_name: str
    patronymic: str
    birth_date: str  # "2011-05-14", or "" when not understood
    birth_date_text: str  # as written in the file
    grade: str  # "9", or "" when not understood
    class_letter: str
    class_text: str  # as written in the file
    sex: str
    phone: str
    email: str
    errors: str  # "" or a JSON list of messages

    @classmethod
    def from_pupil_row(cls, row: PupilRow) -> CheckedRow:
        return cls(
            str(row.line),
            row.last_name,
            row.first_name,
            row.patronymic,
            row.birth_date.isoformat() if row.birth_date else "",
            row.birth_date_text,
            "" if row.grade is None else str(row.grade),
            row.class_letter,
            row.class_text,
            row.sex,
            row.phone,
            row.email,
            json.dumps(row.errors, ensure_ascii=False) if row.errors else "",
        )

    def key(self) -> Key:
        """The natural key of student_unique_person_per_year, folded, with the ISO date."""
        return (fold(self.last_name), fold(self.first_name), fold(self.patronymic), self.birth_date)

    def error_list(self) -> list[str]:
        return json.loads(self.errors) if self.errors else []

    def to_pupil_row(self) -> PupilRow:
        return PupilRow(
            int(self.line),
            self.last_name,
            self.first_name,
            self.patronymic,
            datetime.date.fromisoformat(self.birth_date) if self.birth_date else None,
            self.birth_date_text,
            int(self.grade) if self.grade else None,
            self.class_letter,
            self.class_text,
            self.sex,
            self.phone,
            self.email,
            self.error_list(),
        )


_FIELDS = len(CheckedRow._fields)
# What damaged bytes raise on the way through gzip, UTF-8, JSON and csv.
_UNREADABLE = (OSError, EOFError, ValueError, zlib.error, csv.Error)


@dataclass(frozen=True)
class Checked:
    """The stored form of a list and what the preview reports about it."""

    content: bytes
    total: int
    invalid: int


def check_pupil_list(pupils: PupilList) -> Checked:
    """Validate every row of an opened list and pack the rows for the commit."""
    output = io.BytesIO()
    output.write(MAGIC)
    # Level 1: names compress well even so, and the upload is not kept waiting.
    packer = gzip.GzipFile(fileobj=output, mode="wb", compresslevel=1, mtime=0)
    columns = pupils.columns
    meta = {"columns": columns.indexes, "header": columns.header_line, "ignored": columns.ignored}
    packer.write((json.dumps(meta, ensure_ascii=False) + "\n").encode())
    total = invalid = 0
    batch: list[tuple[str, ...]] = []
    iso_dates: dict[datetime.date, str] = {}  # birth dates repeat: a few thousand at most
    for (
        line,
        last_name,
        first_name,
        patronymic,
        birth_date,
        birth_date_text,
        grade,
        class_letter,
        class_text,
        sex,
        phone,
        email,
        errors,
    ) in pupils.records():
        if errors:
            invalid += 1
            errors = json.dumps(errors, ensure_ascii=False)
        else:
            errors = ""
        if birth_date is None:
            iso = ""
        else:
            iso = iso_dates.get(birth_date)
            if iso is None:
                iso = iso_dates[birth_date] = birth_date.isoformat()
        batch.append(
            (
                str(line),
                last_name,
                first_name,
                patronymic,
                iso,
                birth_date_text,
                "" if grade is None else str(grade),
                class_letter,
                class_text,
                sex,
                phone,
                email,
                errors,
            )
        )
        if len(batch) == BATCH_ROWS:  # memory stays flat however long the list is
            total += _pack(packer, batch)
    total += _pack(packer, batch)
    packer.close()
    return Checked(content=output.getvalue(), total=total, invalid=invalid)


def _pack(packer: gzip.GzipFile, batch: list[tuple[str, ...]]) -> int:
    """Write a batch of rows as one line, the JSON list of its columns; empty the batch."""
    count = len(batch)
    if count:
        columns = list(zip(*batch, strict=True))
        packer.write((json.dumps(columns, ensure_ascii=False) + "\n").encode())
        batch.clear()
    return count


class CheckedList:
    """The stored rows of a previewed list, read back in the order of the file."""

    def __init__(self, content: bytes, *, academic_year: int) -> None:
        self._closers: list = []
        self._columnar = content.startswith(MAGIC)
        if self._columnar or content.startswith(MAGIC_CSV):
            body = content[len(MAGIC) :]  # both headers are as long
            packed = gzip.GzipFile(fileobj=io.BytesIO(body), mode="rb")
            self._text = io.TextIOWrapper(packed, encoding="utf-8", newline="")
            self._closers.append(self._text.close)
            try:
                meta = json.loads(self._text.readline())
                self.columns = Columns(
                    indexes=meta["columns"], header_line=meta["header"], ignored=meta["ignored"]
                )
            except (*_UNREADABLE, KeyError, TypeError) as exc:
                self.close()
                raise _damaged() from exc
            self._pupils: PupilList | None = None
        else:
            self._pupils = open_pupil_list(content, academic_year=academic_year)
            self._closers.append(self._pupils.close)
            self.columns = self._pupils.columns

    def __enter__(self) -> CheckedList:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        for closer in self._closers:
            closer()
        self._closers.clear()

    def rows(self) -> Iterator[CheckedRow]:
        if self._pupils is not None:
            yield from map(CheckedRow.from_pupil_row, self._pupils.rows())
            return
        make = CheckedRow._make
        try:
            if self._columnar:
                # Thirteen columns of equal length make rows of the right shape: they are
                # built as tuples, without _make()'s call and check per row.
                as_row = partial(tuple.__new__, CheckedRow)
                for line in self._text:
                    columns = json.loads(line)
                    if len(columns) != _FIELDS:
                        raise _damaged()
                    yield from map(as_row, zip(*columns, strict=True))
                return
            for record in csv.reader(self._text):
                if len(record) != _FIELDS:
                    raise _damaged()
                yield make(record)
        except (*_UNREADABLE, TypeError) as exc:
            raise _damaged() from exc


def open_checked(content: bytes, *, academic_year: int) -> CheckedList:
    """Open the stored rows of a list (or, for older content, the uploaded file itself).

    Raises PupilListError with a Russian message when they cannot be read.
    """
    return CheckedList(content, academic_year=academic_year)


def _damaged() -> PupilListError:
    return PupilListError(_("Сохранённый список повреждён: загрузите файл ещё раз."))
