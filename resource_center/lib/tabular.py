"""Framework-free reading of uploaded tables: CSV as Excel writes it in Russia, and XLSX.

A table is read as a stream of rows so that memory does not grow with the file: CSV
through a text wrapper over the bytes, XLSX through openpyxl's read-only mode. Cell
values come back as they are stored: strings from CSV; str, int, float, date or datetime
from XLSX. Problems with the file as a whole raise ``TableError`` with a ``code`` that the
caller turns into a message for people.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

Cell = Any  # str | int | float | datetime.date | datetime.datetime | None

DELIMITERS = (";", "\t", ",")  # in order of preference on a tie: Excel in Russia writes ';'
SNIFF_BYTES = 64 * 1024

# Magic numbers of files people upload instead of a table.
_MAGIC = (
    (b"%PDF", "pdf"),
    (b"\x89PNG", "image"),
    (b"\xff\xd8\xff", "image"),
    (b"GIF8", "image"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole"),  # .xls and .doc of Office 97-2003
    (b"{\\rtf", "rtf"),
    (b"Rar!", "archive"),
    (b"\x1f\x8b", "archive"),
    (b"7z\xbc\xaf", "archive"),
)


class TableError(ValueError):
    """The file cannot be read as a table; ``code`` says why."""

    # empty, too_large, pdf, image, ole, rtf, archive, document, ods, binary, broken, too_many_rows
    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


@dataclass
class Table:
    """An opened table: its format, encoding and delimiter (CSV), and an iterator of rows."""

    format: str  # "csv" or "xlsx"
    rows: Iterator[list[Cell] | tuple[Cell, ...]]
    encoding: str = ""
    delimiter: str = ""
    epoch_1904: bool = False  # XLSX made on old Macs count serial dates from 1904
    _closers: list[Any] = field(default_factory=list, repr=False)

    def close(self) -> None:
        for closer in self._closers:
            closer()
        self._closers.clear()

    def __enter__(self) -> Table:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def sniff_format(data: bytes) -> str:
    """'xlsx' or 'csv' by the content (never the file name); TableError for anything else."""
    if not data or data.isspace():
        raise TableError("empty")
    if data.startswith(b"PK\x03\x04"):
        return _zip_kind(data)
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            raise TableError(kind)
    return "csv"


def _zip_kind(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            mimetype = b""
            if "mimetype" in names:
                with archive.open("mimetype") as entry:
                    mimetype = entry.read(200)  # a damaged entry may claim any size
    except Exception as exc:  # a damaged archive raises zlib, EOF, seek and other errors
        raise TableError("broken", str(exc)) from exc
    if "xl/workbook.xml" in names:
        return "xlsx"
    if b"opendocument.spreadsheet" in mimetype:
        raise TableError("ods")
    if "word/document.xml" in names or b"opendocument.text" in mimetype:
        raise TableError("document")
    raise TableError("archive")


def detect_encoding(data: bytes) -> str:
    """'utf-8-sig' (BOM), 'utf-16' (BOM), 'utf-8' when the bytes are valid UTF-8, else 'cp1251'."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    # Checked chunk by chunk so that a large file is never decoded into one string.
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        for start in range(0, len(data), 1 << 20):
            decoder.decode(data[start : start + (1 << 20)])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "cp1251"
    return "utf-8"


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def looks_like_text(sample: str) -> bool:
    """False for binary content: NUL bytes or more than 1 % control characters."""
    if not sample:
        return False
    if "\x00" in sample:
        return False
    return len(_CONTROL.findall(sample)) <= len(sample) // 100


def detect_delimiter(first_line: str) -> str:
    """The delimiter of the header line: the most frequent of ';', tab and ',' outside quotes."""
    unquoted = re.sub(r'"[^"]*"', "", first_line)
    counts = {d: unquoted.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])  # max() keeps the first on a tie
    return best if counts[best] else ";"


def read_csv(data: bytes) -> Table:
    """Open CSV bytes: detect the encoding and the delimiter, stream the rows as lists of str."""
    encoding = detect_encoding(data)
    sample = data[:SNIFF_BYTES].decode(encoding, errors="ignore")
    if not looks_like_text(sample):
        raise TableError("binary")
    lines = sample.lstrip("\ufeff").splitlines()
    first = next((line for line in lines if line.strip()), "")
    skip_sep_line = False
    # Excel understands a first line «sep=;» and some exports write it.
    if first.lower().startswith("sep=") and len(first) >= 5:
        delimiter = first[4]
        skip_sep_line = True
    else:
        delimiter = detect_delimiter(first)
    # cp1251 lacks one byte (0x98); it is replaced rather than failing the whole file.
    text = io.TextIOWrapper(io.BytesIO(data), encoding=encoding, errors="replace", newline="")
    reader = csv.reader(text, delimiter=delimiter)

    def rows() -> Iterator[list[str]]:
        try:
            first_row = True
            for row in reader:
                if first_row and skip_sep_line:
                    first_row = False
                    continue
                first_row = False
                yield row
        except csv.Error as exc:
            raise TableError("broken", str(exc)) from exc

    return Table(
        format="csv",
        rows=rows(),
        encoding=encoding,
        delimiter=delimiter,
        _closers=[text.close],
    )


def read_xlsx(data: bytes) -> Table:
    """Open XLSX bytes in openpyxl's read-only mode; rows of the first sheet as tuples."""
    import openpyxl  # imported here: CSV users never pay for it

    try:
        workbook = openpyxl.load_workbook(
            io.BytesIO(data), read_only=True, data_only=True, keep_links=False
        )
        sheet = workbook.worksheets[0]
        # Some programs write a wrong <dimension>; without it every row is read.
        sheet.reset_dimensions()
    except Exception as exc:  # openpyxl raises many kinds on a damaged file
        raise TableError("broken", str(exc)) from exc
    epoch = workbook.epoch

    def rows() -> Iterator[tuple[Cell, ...]]:
        try:
            yield from sheet.iter_rows(values_only=True)
        except Exception as exc:
            raise TableError("broken", str(exc)) from exc

    return Table(
        format="xlsx", rows=rows(), epoch_1904=epoch.year == 1904, _closers=[workbook.close]
    )


def open_table(data: bytes) -> Table:
    """Open bytes of a CSV or XLSX file, whatever its name says."""
    kind = sniff_format(data)
    if kind == "xlsx":
        return read_xlsx(data)
    return read_csv(data)


# --- dates ---------------------------------------------------------------------------

_EXCEL_EPOCH_1900 = datetime.date(1899, 12, 30)  # serial 1 is 1900-01-01 after Excel's leap bug
_EXCEL_EPOCH_1904 = datetime.date(1904, 1, 1)
_DMY = re.compile(r"(\d{1,2})[./\-](\d{1,2})[./\-](\d{4}|\d{2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?")
_YMD = re.compile(r"(\d{4})[\-./](\d{1,2})[\-./](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?")
_SERIAL = re.compile(r"\d{4,5}(?:[.,]0+)?")


def excel_serial_to_date(serial: float, *, epoch_1904: bool = False) -> datetime.date | None:
    """The date of an Excel serial number (days since the epoch); None if out of range."""
    if not 1 <= serial < 2958466:  # 9999-12-31
        return None
    epoch = _EXCEL_EPOCH_1904 if epoch_1904 else _EXCEL_EPOCH_1900
    return epoch + datetime.timedelta(days=int(serial))


def parse_date(value: Cell, *, pivot_year: int, epoch_1904: bool = False) -> datetime.date | None:
    """A date from a cell as Excel writes it; None if it cannot be read.

    Understands date and datetime cells, serial numbers (also as text), «14.05.2011»,
    «14.5.2011», «14/05/2011», «14-05-2011», «2011-05-14», with or without a time, and
    two-digit years «14.05.11»: 20yy up to ``pivot_year``, otherwise 19yy.
    """
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return excel_serial_to_date(value, epoch_1904=epoch_1904)
    return parse_date_text(str(value).strip(), pivot_year=pivot_year, epoch_1904=epoch_1904)


def parse_date_text(
    text: str, *, pivot_year: int, epoch_1904: bool = False
) -> datetime.date | None:
    """parse_date() of a stripped string (the fast path for CSV cells)."""
    if not text:
        return None
    return _parse_date_text(text, pivot_year % 100, epoch_1904)


@lru_cache(maxsize=16384)  # a school's pupils share a few thousand birth dates
def _parse_date_text(text: str, pivot: int, epoch_1904: bool) -> datetime.date | None:
    match = _DMY.fullmatch(text)
    if match:
        day, month, year_text = match.groups()
        year = int(year_text)
        if len(year_text) == 2:
            year += 2000 if year <= pivot else 1900
        return _date_or_none(year, int(month), int(day))
    match = _YMD.fullmatch(text)
    if match:
        year, month, day = match.groups()
        return _date_or_none(int(year), int(month), int(day))
    if _SERIAL.fullmatch(text):
        return excel_serial_to_date(int(text.split(".")[0].split(",")[0]), epoch_1904=epoch_1904)
    return None


def _date_or_none(year: int, month: int, day: int) -> datetime.date | None:
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None
