"""The checked rows of a previewed pupil list, kept between the preview and the commit.

The upload is read and validated once: the preview stores every row, normalised and with
its errors, in ``PupilImport.content`` instead of the file (a header, then gzip-compressed
CSV: about half the size of the upload). The preview pages and the commit read the
rows back without parsing or validating the file again, which was most of their time.
These bytes are written only by the server; nothing a browser sends reaches them, and the
commit still refuses a list in which any row has an error.

Content without the header (a list previewed before this form existed, or a test's raw
file) is read as the uploaded file it is. Nothing here touches the database.
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
from typing import NamedTuple

from django.utils.translation import gettext as _

from resource_center.lib.text import fold
from students.importers.headers import Columns
from students.importers.pupils import PupilList, PupilListError, PupilRow, open_pupil_list

# A NUL byte first: no uploadable table starts so (CSV with NUL is refused as binary, XLSX
# starts with "PK"). The digit is the version of the layout below.
MAGIC = b"\x00rc-checked-pupils-1\n"

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
    text = io.StringIO()
    columns = pupils.columns
    meta = {"columns": columns.indexes, "header": columns.header_line, "ignored": columns.ignored}
    text.write(json.dumps(meta, ensure_ascii=False) + "\n")
    # "\r\n" as the line end makes csv quote a field holding \r or \n.
    write = csv.writer(text, lineterminator="\r\n").writerow
    total = invalid = 0
    for row in pupils.rows():
        total += 1
        errors = row.errors
        if errors:
            invalid += 1
        birth_date = row.birth_date
        write(
            (
                row.line,
                row.last_name,
                row.first_name,
                row.patronymic,
                birth_date.isoformat() if birth_date else "",
                row.birth_date_text,
                "" if row.grade is None else row.grade,
                row.class_letter,
                row.class_text,
                row.sex,
                row.phone,
                row.email,
                json.dumps(errors, ensure_ascii=False) if errors else "",
            )
        )
        if total % 2000 == 0:  # compressed as it goes: memory stays flat
            packer.write(text.getvalue().encode())
            text.seek(0)
            text.truncate()
    packer.write(text.getvalue().encode())
    packer.close()
    return Checked(content=output.getvalue(), total=total, invalid=invalid)


class CheckedList:
    """The stored rows of a previewed list, read back in the order of the file."""

    def __init__(self, content: bytes, *, academic_year: int) -> None:
        self._closers: list = []
        if content.startswith(MAGIC):
            packed = gzip.GzipFile(fileobj=io.BytesIO(content[len(MAGIC) :]), mode="rb")
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
            for record in csv.reader(self._text):
                if len(record) != _FIELDS:
                    raise _damaged()
                yield make(record)
        except _UNREADABLE as exc:
            raise _damaged() from exc


def open_checked(content: bytes, *, academic_year: int) -> CheckedList:
    """Open the stored rows of a list (or, for older content, the uploaded file itself).

    Raises PupilListError with a Russian message when they cannot be read.
    """
    return CheckedList(content, academic_year=academic_year)


def _damaged() -> PupilListError:
    return PupilListError(_("Сохранённый список повреждён: загрузите файл ещё раз."))
