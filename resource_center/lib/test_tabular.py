from __future__ import annotations

import datetime
import io
import os
import zipfile

import openpyxl
import pytest

from resource_center.lib.tabular import (
    TableError,
    detect_delimiter,
    detect_encoding,
    excel_serial_to_date,
    open_table,
    parse_date,
    sniff_format,
)

HEADER = "Фамилия;Имя;Дата рождения;Класс"


def _xlsx(rows: list[list[object]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _rows(data: bytes) -> list[list[object]]:
    with open_table(data) as table:
        return [list(row) for row in table.rows]


# --- what the file is ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty"),
        (b"  \r\n", "empty"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "pdf"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "image"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "ole"),
        (b"{\\rtf1\\ansi", "rtf"),
        (b"PK\x03\x04 not really a zip", "broken"),
    ],
)
def test_files_that_are_not_tables_are_named(data, code):
    with pytest.raises(TableError) as info:
        sniff_format(data)
    assert info.value.code == code


def _zip(names: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in names.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_word_and_opendocument_files_are_told_apart_from_xlsx():
    docx = _zip({"[Content_Types].xml": b"", "word/document.xml": b"<w/>"})
    ods = _zip({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"})
    other = _zip({"readme.txt": b"hello"})
    for data, code in ((docx, "document"), (ods, "ods"), (other, "archive")):
        with pytest.raises(TableError) as info:
            sniff_format(data)
        assert info.value.code == code
    assert sniff_format(_xlsx([["a"]])) == "xlsx"


def test_random_bytes_are_not_a_csv():
    data = os.urandom(4096)
    with pytest.raises(TableError) as info:
        open_table(b"a" + data)  # never starts with a known signature
    assert info.value.code in {"binary", "broken"}


# --- CSV -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        ("Иванов".encode("cp1251"), "cp1251"),
        ("Иванов".encode(), "utf-8"),
        ("\ufeffИванов".encode(), "utf-8-sig"),
        ("Иванов".encode("utf-16"), "utf-16"),
        (b"plain ascii", "utf-8"),
    ],
)
def test_encoding_is_detected(data, encoding):
    assert detect_encoding(data) == encoding


def test_a_file_valid_as_utf8_only_in_its_first_megabyte_is_cp1251():
    data = ("a" * (1 << 20)).encode() + "Щукин".encode("cp1251")
    assert detect_encoding(data) == "cp1251"


@pytest.mark.parametrize(
    ("line", "delimiter"),
    [
        ("Фамилия;Имя;Дата рождения", ";"),
        ("Фамилия,Имя,Дата рождения", ","),
        ("Фамилия\tИмя\tДата рождения", "\t"),
        ('"Фамилия, имя";Класс', ";"),
        ("Фамилия", ";"),
    ],
)
def test_delimiter_is_detected_from_the_header(line, delimiter):
    assert detect_delimiter(line) == delimiter


def test_cp1251_semicolon_csv_as_excel_writes_it():
    text = f"{HEADER}\r\nЁлкина;Дарья;14.05.2011;9Б\r\n;;;\r\n"
    with open_table(text.encode("cp1251")) as table:
        assert (table.format, table.encoding, table.delimiter) == ("csv", "cp1251", ";")
        rows = list(table.rows)
    assert rows[1] == ["Ёлкина", "Дарья", "14.05.2011", "9Б"]


def test_utf8_bom_comma_csv_with_quoted_fields():
    text = '\ufeffФамилия,Имя,Класс\r\n"Петров-Водкин","Кузьма, мл.",9\r\n'
    rows = _rows(text.encode())
    assert rows == [["Фамилия", "Имя", "Класс"], ["Петров-Водкин", "Кузьма, мл.", "9"]]


def test_excel_sep_line_sets_the_delimiter_and_is_skipped():
    rows = _rows("sep=,\r\nФамилия,Имя;с точкой с запятой\r\nИванов,Иван\r\n".encode("cp1251"))
    assert rows == [["Фамилия", "Имя;с точкой с запятой"], ["Иванов", "Иван"]]


def test_cp1251_byte_missing_from_the_codec_does_not_fail_the_file():
    rows = _rows(b"\xd4\xe0\xec\xe8\xeb\xe8\xff;\x98\r\n")
    assert rows[0][0] == "Фамилия"


# --- XLSX ------------------------------------------------------------------------------


def test_xlsx_cells_keep_their_types():
    data = _xlsx(
        [
            ["Фамилия", "Дата рождения", "Класс"],
            ["Иванов", datetime.date(2011, 5, 14), 9],
            ["Петрова", "14.05.2011", "9Б"],
        ]
    )
    with open_table(data) as table:
        assert table.format == "xlsx"
        rows = [list(r) for r in table.rows]
    # Excel cells carry no time zone: openpyxl gives naive datetimes.
    assert rows[1] == ["Иванов", datetime.datetime(2011, 5, 14), 9]  # noqa: DTZ001
    assert rows[2] == ["Петрова", "14.05.2011", "9Б"]


def test_xlsx_with_gaps_keeps_row_numbers():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet["A1"] = "Фамилия"
    sheet["A4"] = "Иванов"
    buffer = io.BytesIO()
    workbook.save(buffer)
    rows = _rows(buffer.getvalue())
    assert len(rows) == 4
    assert rows[3][0] == "Иванов"


def test_damaged_xlsx_is_broken_not_a_crash():
    data = _zip({"xl/workbook.xml": b"<not-xml", "[Content_Types].xml": b"<x/>"})
    with pytest.raises(TableError) as info:
        _rows(data)
    assert info.value.code == "broken"


# --- dates -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("14.05.2011", datetime.date(2011, 5, 14)),
        ("4.5.2011", datetime.date(2011, 5, 4)),
        ("14/05/2011", datetime.date(2011, 5, 14)),
        ("14-05-2011", datetime.date(2011, 5, 14)),
        ("14.05.11", datetime.date(2011, 5, 14)),
        ("14.05.98", datetime.date(1998, 5, 14)),
        ("2011-05-14", datetime.date(2011, 5, 14)),
        ("2011-05-14 00:00:00", datetime.date(2011, 5, 14)),
        ("14.05.2011 0:00", datetime.date(2011, 5, 14)),
        ("40677", datetime.date(2011, 5, 14)),
        ("40677.0", datetime.date(2011, 5, 14)),
        (40677, datetime.date(2011, 5, 14)),
        (40677.75, datetime.date(2011, 5, 14)),
        (datetime.datetime(2011, 5, 14, 12, 0), datetime.date(2011, 5, 14)),  # noqa: DTZ001
        (datetime.date(2011, 5, 14), datetime.date(2011, 5, 14)),
        ("31.02.2011", None),
        ("14.13.2011", None),
        ("май 2011", None),
        ("", None),
        (None, None),
        (True, None),
        (-5, None),
    ],
)
def test_dates_as_excel_writes_them(value, expected):
    assert parse_date(value, pivot_year=2025) == expected


def test_excel_serials_of_both_epochs():
    # Serials before 1 March 1900 are a day off (Excel's 1900 leap-year bug): no pupil's.
    assert excel_serial_to_date(61) == datetime.date(1900, 3, 1)
    assert excel_serial_to_date(39215, epoch_1904=True) == datetime.date(2011, 5, 14)
    assert excel_serial_to_date(0) is None
    assert excel_serial_to_date(10**9) is None


def _damaged_archives() -> list[bytes]:
    """An OpenDocument archive whose «mimetype» entry cannot be read, in three ways."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", b"application/vnd.oasis.opendocument.spreadsheet" * 4)
    good = buffer.getvalue()
    data = good.index(b"mimetype") + len(b"mimetype")  # the compressed bytes follow the name
    central = good.index(b"PK\x01\x02")
    return [
        good[:data] + b"\xff" * 8 + good[data + 8 :],  # zlib cannot inflate it
        good[: central + 10] + b"\x63\x00" + good[central + 12 :],  # an unknown compression
        # stored, and longer than the archive: the file ends in the middle of it
        good[: central + 10]
        + b"\x00\x00"
        + good[central + 12 : central + 20]
        + b"\xff\xff\xff\x00" * 2
        + good[central + 28 :],
    ]


@pytest.mark.parametrize("data", _damaged_archives())
def test_damaged_archive_is_broken_not_a_crash(data):
    with pytest.raises(TableError) as info:
        open_table(data)
    assert info.value.code == "broken"
