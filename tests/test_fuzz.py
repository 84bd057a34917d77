"""Generated input for every importer and every page: nothing may end in a server error.

The importers are fed random bytes and near-valid files (headers in the spellings they
recognise, cells of every kind: dates, numbers, Cyrillic, empty, huge, control characters,
other encodings, cut or damaged XLSX archives); only the importer's own error or checked
rows may come out. Every page of the URL resolver (the walk of ``test_url_matrix``) is
visited by a role that may use it, with generated form data posted and generated query
strings; the test client re-raises a view's exception, which is how a 500 shows here.

The examples are derandomized so that the suite is repeatable; run
``pytest tests/test_fuzz.py --hypothesis-profile=explore`` to look for new failures.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import json
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from labour.importers.czn import FIELD_LABELS as CZN_LABELS
from labour.importers.czn import CznExportError, CznRecord, open_czn_export
from labour.importers.trudvsem import TrudvsemFormatError, VacancyRecord, read_trudvsem_bytes
from labour.models import VacancyImport
from resource_center.lib.tabular import TableError, open_table, parse_date
from students.importers.checked import MAGIC, check_pupil_list, open_checked
from students.importers.headers import FIELD_LABELS as PUPIL_LABELS
from students.importers.pupils import PupilListError, open_pupil_list
from students.models import PupilImport
from tests.test_url_matrix import (  # noqa: F401 (fixtures that build each URL's object)
    MATRIX,
    ROLES,
    _url,
    assignment_a,
    attempt_a,
    attempt_b,
    batch_a,
    batch_b,
    career_activity_far,
    career_activity_own,
    career_participation_far,
    career_participation_own,
    employer_far,
    employer_own,
    event_closed_far,
    event_open,
    far_pupil,
    far_technikum,
    import_a,
    import_b,
    place_far,
    place_own,
    placement_far,
    placement_own,
    programme_far,
    programme_own,
    registration_a,
    registration_b,
    vacancy_far,
    vacancy_import_far,
    vacancy_import_own,
    vacancy_own,
)

settings.register_profile(
    "default",
    max_examples=12,
    deadline=None,
    derandomize=True,
    database=None,
    # A failure is reported as found: shrinking a page's examples takes minutes.
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.register_profile(
    "explore",
    max_examples=200,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.load_profile("default")

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
ACADEMIC_YEAR = 2025

# --- values ------------------------------------------------------------------------------------

CYRILLIC = "абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ"
CONTROL = "".join(chr(c) for c in range(32)) + "\x7f\u2028\ufeff\u200b"


def _date_texts(d: datetime.date) -> list[str]:
    return [
        f"{d.day:02}.{d.month:02}.{d.year:04}",
        f"{d.day}.{d.month}.{d.year % 100:02}",
        f"{d.year:04}-{d.month:02}-{d.day:02}",
        f"{d.day:02}/{d.month:02}/{d.year:04} 10:30",
    ]


DATE_TEXTS = st.builds(_date_texts, st.dates()).flatmap(st.sampled_from)
ODD_TEXTS = st.sampled_from(
    [
        "",
        " ",
        "-1",
        "0",
        "abc",
        "None",
        "null",
        "NaN",
        "inf",
        "1e309",
        "31.02.2024",
        "2024-13-45",
        "29.02.2023",
        "00.00.0000",
        "99999",
        "2958466",
        "9А",
        "11 б",
        "10-В",
        "5/6",
        "м",
        "ж",
        "+7 900 123-45-67",
        "pupil@school.ru",
        "@",
        "5902123456",
        "590212345678",
        "от 30 000 до 50 000 руб.",
        "30000-25000",
        "договорная",
        "1,5 года",
        "без опыта",
        "\x00",
        "<script>alert(1)</script>",
        "' OR 1=1 --",
        "%s%n",
        "🙂",
        "Ёлкина-Щукина",
        '=HYPERLINK("x")',
    ]
)
TEXTS = st.one_of(
    st.text(max_size=30),
    st.text(alphabet=CYRILLIC + " -.,0123456789", max_size=40),
    st.text(alphabet=CONTROL, min_size=1, max_size=5),
)
NUMBERS = st.one_of(
    st.integers(min_value=-(10**25), max_value=10**25).map(str),
    st.floats().map(str),
    st.decimals(allow_nan=False, allow_infinity=False).map(str),
)
HUGE = st.sampled_from([1_000, 40_000, 140_000]).map(lambda n: "Щ" * n)
CELL_TEXTS = st.one_of(ODD_TEXTS, TEXTS, DATE_TEXTS, NUMBERS, HUGE)

PUPIL_HEADERS = [str(label) for label in PUPIL_LABELS.values()] + [
    "Фамилия ученика",
    "ФИО обучающегося",
    "Фамилия, имя, отчество",
    "Дата рожд.",
    "Дата рождения (дд.мм.гггг)",
    "Кл.",
    "Класс/группа",
    "Буква класса",
    "Эл. почта",
    "Телефон родителя",
    "ФИО матери",
    "№",
    "№ п/п",
]
CZN_HEADERS = [str(label) for label in CZN_LABELS.values()] + [
    "Профессия (должность)",
    "Должность",
    "ИНН работодателя",
    "Кол-во мест",
    "Заработная плата, руб.",
    "Зарплата",
    "Режим работы",
    "Опыт работы",
    "Дата публикации",
    "Организация",
    "ОКПДТР",
    "Регистрационный номер",
]


def headers_of(known: list[str]) -> st.SearchStrategy[list[str]]:
    """A header row: recognised spellings in any order and case, with strays among them."""
    spelling = st.sampled_from(known).flatmap(
        lambda h: st.sampled_from([h, h.upper(), h.lower(), f" {h} ", f"{h}:", f"{h}*"])
    )
    return st.lists(st.one_of(spelling, spelling, spelling, TEXTS), min_size=1, max_size=20)


# --- files -------------------------------------------------------------------------------------


@st.composite
def tables(draw, known: list[str]) -> list[list[str]]:
    """A header row, maybe a title above it, and a few rows of generated cells."""
    header = draw(headers_of(known))
    width = len(header) + draw(st.integers(-2, 2))
    rows = draw(
        st.lists(st.lists(CELL_TEXTS, min_size=max(0, width), max_size=max(0, width)), max_size=8)
    )
    title = draw(st.lists(st.lists(TEXTS, max_size=2), max_size=2))
    return [*title, header, *rows]


ENCODINGS = ["utf-8", "utf-8-sig", "cp1251", "utf-16", "koi8-r", "latin-1"]


@st.composite
def csv_files(draw, known: list[str]) -> bytes:
    rows = draw(tables(known))
    buffer = io.StringIO()
    writer = csv.writer(
        buffer,
        delimiter=draw(st.sampled_from([";", ",", "\t", "|"])),
        quoting=draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL, csv.QUOTE_NONNUMERIC])),
        lineterminator=draw(st.sampled_from(["\r\n", "\n", "\r"])),
    )
    writer.writerows(rows)
    text = buffer.getvalue()
    if draw(st.booleans()):
        text = "sep=" + draw(st.sampled_from([";", ",", ""])) + "\n" + text
    encoding = draw(st.sampled_from(ENCODINGS))
    data = text.encode(encoding.replace("-sig", ""), errors="replace")
    if encoding == "utf-8-sig":
        data = codecs.BOM_UTF8 + data
    return draw(damaged(data))


def _xlsx_cell(value: str, kind: str) -> object:
    if kind == "number":
        try:
            return float(value) if "." in value or "e" in value else int(value)
        except ValueError:
            pass
    if kind == "date":
        return datetime.date(2011, 5, 14) if value else None
    # What Excel cannot store in a cell cannot reach the importer in an XLSX.
    return openpyxl.cell.cell.ILLEGAL_CHARACTERS_RE.sub("", value)[:32_000]


@st.composite
def xlsx_files(draw, known: list[str]) -> bytes:
    rows = draw(tables(known))
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        kinds = draw(
            st.lists(
                st.sampled_from(["text", "text", "number", "date"]),
                min_size=len(row),
                max_size=len(row),
            )
        )
        sheet.append([_xlsx_cell(v, k) for v, k in zip(row, kinds, strict=True)])
    extra = draw(
        st.lists(
            st.one_of(
                st.integers(min_value=-(2**63), max_value=2**63),
                st.floats(allow_nan=False),
                st.datetimes(),
                st.dates(),
                st.booleans(),
                st.none(),
            ),
            max_size=6,
        )
    )
    if extra:
        sheet.append(extra)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return draw(damaged(buffer.getvalue()))


@st.composite
def damaged(draw, data: bytes) -> bytes:
    """The bytes as they are, cut short, or with a few bytes overwritten."""
    how = draw(st.sampled_from(["whole", "whole", "cut", "flip"]))
    if how == "cut" and data:
        return data[: draw(st.integers(0, len(data) - 1))]
    if how == "flip" and data:
        data = bytearray(data)
        for _ in range(draw(st.integers(1, 8))):
            data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
        return bytes(data)
    return data


def _zip_of(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in entries.items():
            archive.writestr(name, body)
    return buffer.getvalue()


MAGIC_PREFIXES = [
    b"PK\x03\x04",
    b"%PDF-1.4",
    b"\x89PNG",
    b"\xff\xd8\xff",
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
    b"{\\rtf1",
    b"\x1f\x8b",
    b"\xef\xbb\xbf",
    b"\xff\xfe",
    b"\x00rc-checked-pupils-2\n",
]
RANDOM_BYTES = st.one_of(
    st.binary(max_size=2000),
    st.tuples(st.sampled_from(MAGIC_PREFIXES), st.binary(max_size=500)).map(b"".join),
    st.sampled_from(
        [
            _zip_of({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"}),
            _zip_of({"word/document.xml": b"<w/>"}),
            _zip_of({"xl/workbook.xml": b"<not-a-workbook/>"}),
            _zip_of({"xl/workbook.xml": b"", "mimetype": b"x"}),
            _zip_of({"readme.txt": b"hello"}),
        ]
    ).flatmap(damaged),
)


def table_files(known: list[str]) -> st.SearchStrategy[bytes]:
    return st.one_of(csv_files(known), xlsx_files(known), RANDOM_BYTES)


# --- the importers -----------------------------------------------------------------------------


def read_or_refuse(read, refusal: type[Exception]) -> tuple[object, Exception | None]:
    """What ``read()`` returns, or the importer's own refusal; any other exception escapes."""
    try:
        return read(), None
    except refusal as exc:
        return None, exc


def _table_rows(content: bytes) -> list:
    with open_table(content) as table:
        rows = list(table.rows)
        for row in rows:
            for cell in row:
                parse_date(cell, pivot_year=25, epoch_1904=table.epoch_1904)
    return rows


@given(content=st.one_of(table_files(PUPIL_HEADERS + CZN_HEADERS)))
def test_tabular_gives_rows_or_a_table_error(content):
    rows, error = read_or_refuse(lambda: _table_rows(content), TableError)
    if error is not None:
        assert error.code
        return
    assert all(isinstance(row, list | tuple) for row in rows)


@settings(max_examples=30)
@given(content=table_files(PUPIL_HEADERS))
def test_pupil_list_gives_checked_rows_or_its_own_error(content):
    def read():
        with open_pupil_list(content, academic_year=ACADEMIC_YEAR) as pupils:
            return check_pupil_list(pupils)

    checked, error = read_or_refuse(read, PupilListError)
    if error is not None:
        assert isinstance(error.message, str)
        assert error.message
        return
    # What the preview stores is read back whole by the commit.
    with open_checked(checked.content, academic_year=ACADEMIC_YEAR) as stored:
        rows = list(stored.rows())
    assert len(rows) == checked.total
    assert sum(1 for row in rows if row.errors) == checked.invalid
    for row in rows:
        if not row.errors:
            assert row.last_name
            assert row.first_name
            assert datetime.date.fromisoformat(row.birth_date)
            assert row.grade.isdigit()


@given(content=st.one_of(RANDOM_BYTES, st.binary(max_size=300).map(MAGIC.__add__)))
def test_stored_pupil_rows_read_back_or_say_they_are_damaged(content):
    def read():
        with open_checked(content, academic_year=ACADEMIC_YEAR) as stored:
            return list(stored.rows())

    rows, error = read_or_refuse(read, PupilListError)
    assert error is None or error.message
    assert error is not None or isinstance(rows, list)


@settings(max_examples=30)
@given(content=table_files(CZN_HEADERS))
def test_czn_export_gives_checked_records_or_its_own_error(content):
    def read():
        with open_czn_export(content, today=datetime.date(2026, 9, 1)) as export:
            return list(export)

    records, error = read_or_refuse(read, CznExportError)
    if error is not None:
        assert isinstance(error.message, str)
        assert error.message
        return
    for record in records:
        assert isinstance(record, CznRecord)
        assert all(isinstance(error, str) for error in record.errors)
        if not record.errors:
            assert record.external_id
            assert record.title
            assert record.employer_name or record.employer_inn
            assert record.work_places >= 1
            for salary in (record.salary_from, record.salary_to):
                assert salary is None or 0 <= salary < 2**31


TRUDVSEM_KEYS = [
    "id",
    "vacancy_id",
    "job-name",
    "vacancy_name",
    "name",
    "company",
    "inn",
    "ogrn",
    "phone",
    "email",
    "site",
    "region",
    "region_code",
    "addresses",
    "address",
    "location",
    "currency",
    "salary_min",
    "salary_max",
    "schedule",
    "employment",
    "busy_type",
    "requirement",
    "education",
    "experience",
    "duty",
    "qualification",
    "requirements",
    "category",
    "specialisation",
    "code_profession",
    "work_places",
    "vac_url",
    "creation-date",
    "date_modify",
    "contact_list",
    "contact_type",
    "contact_value",
    "vacancy",
]
JSON_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=False, allow_infinity=False),
    CELL_TEXTS,
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from(TRUDVSEM_KEYS), inner, max_size=6),
    ),
    max_leaves=20,
)
VACANCY_OBJECTS = st.dictionaries(st.sampled_from(TRUDVSEM_KEYS), JSON_VALUES, max_size=12)


@st.composite
def trudvsem_documents(draw) -> bytes:
    vacancies = draw(st.lists(st.one_of(VACANCY_OBJECTS, JSON_VALUES), max_size=5))
    layout = draw(st.sampled_from(["api", "bulk", "list", "other"]))
    if layout == "api":
        document = {
            "status": draw(st.one_of(st.just("200"), st.just(200), JSON_SCALARS)),
            "meta": {"total": draw(JSON_SCALARS)},
            "results": {"vacancies": [{"vacancy": v} for v in vacancies]},
        }
    elif layout == "bulk":
        document = {"vacancies": vacancies}
    elif layout == "list":
        document = vacancies
    else:
        document = draw(JSON_VALUES)
    return draw(damaged(json.dumps(document, ensure_ascii=draw(st.booleans())).encode()))


RECORDED_TRUDVSEM = [path.read_bytes() for path in sorted((DATA / "trudvsem").glob("*.json"))]


@settings(max_examples=30)
@given(
    content=st.one_of(
        trudvsem_documents(),
        st.sampled_from(RECORDED_TRUDVSEM).flatmap(damaged),
        RANDOM_BYTES,
    )
)
def test_trudvsem_gives_records_or_its_own_error(content):
    records, error = read_or_refuse(lambda: list(read_trudvsem_bytes(content)), TrudvsemFormatError)
    if error is not None:
        assert error.message
        return
    for record in records:
        assert isinstance(record, VacancyRecord)
        if record.is_valid:
            assert record.external_id
            assert len(record.external_id) <= 100
            assert record.title


# --- the pages ---------------------------------------------------------------------------------

# Who visits each page: the first role of this list that the matrix lets use it.
VISITOR_ORDER = [
    "coordinator",
    "counsellor_a",
    "technikum_staff",
    "centre_specialist",
    "employer_rep",
    "head_a",
    "district_admin",
    "parent_of_pupil_a",
    "pupil_a_user",
    "anonymous",
]
assert set(VISITOR_ORDER) == set(ROLES)


def _expected_own(name: str, role: str) -> int:
    expected = MATRIX[name][1][role]
    return expected[0] if isinstance(expected, tuple) else expected


def visitor_of(name: str) -> str:
    return next((r for r in VISITOR_ORDER if _expected_own(name, r) in {200, 302}), "anonymous")


GET_PAGES = sorted(name for name, (methods, _) in MATRIX.items() if "GET" in methods)
POST_PAGES = sorted(name for name, (methods, _) in MATRIX.items() if "POST" in methods)
# Fields of the POST-only actions, which have no page of their own to read them from.
ACTION_FIELDS = [
    "next",
    "to",
    "to_status",
    "comment",
    "reason",
    "contract_number",
    "profession",
    "keyword",
    "attended",
    "action",
    "unsubscribe",
    "scope",
    "guardian",
]
QUERY_FIELDS = [
    "page",
    "q",
    "sort",
    "per_page",
    "format",
    "errors",
    "period",
    "district",
    "status",
    "student",
    "employer",
    "programme",
    "scope",
    "o",
    "next",
]
PAGE_NUMBERS = st.sampled_from(["-1", "0", "1", "2", "abc", str(10**20), "1.5", "", "last"])


class FormFields(HTMLParser):
    """The names of a page's form controls, by the method of their form, with the values
    its selects, radios and checkboxes offer."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, dict[str, list[str]]] = {"get": {}, "post": {}}
        self.files: set[str] = set()
        self._method = "get"
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._method = a.get("method", "get").lower()
            return
        name = a.get("name", "")
        method = self.fields.setdefault(self._method, {})
        if tag in {"input", "textarea", "select"} and name and name != "csrfmiddlewaretoken":
            choices = method.setdefault(name, [])
            if tag == "input" and a.get("type") == "file":
                self.files.add(name)
            if tag == "input" and "value" in a:
                choices.append(a["value"])
            if tag == "select":
                self._select = name
        elif tag == "option" and self._select and "value" in a:
            self.fields[self._method][self._select].append(a["value"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "form":
            self._method = "get"


def page_fields(client, url: str, name: str) -> FormFields:
    parser = FormFields()
    if "GET" in MATRIX[name][0]:
        response = client.get(url)
        if response.status_code == 200 and "html" in response.get("Content-Type", ""):
            parser.feed(response.content.decode(errors="replace"))
    return parser


def field_values(choices: list[str]) -> st.SearchStrategy[str | list[str]]:
    value = st.one_of(CELL_TEXTS, st.sampled_from(choices)) if choices else CELL_TEXTS
    return st.one_of(value, value, value, st.lists(value, min_size=2, max_size=3))


UPLOAD_HEADERS = {
    "students:import_upload": PUPIL_HEADERS,
    "labour:import_upload": CZN_HEADERS,
}


def uploads(name: str) -> st.SearchStrategy[SimpleUploadedFile]:
    return st.builds(
        SimpleUploadedFile,
        st.sampled_from(["список.csv", "list.xlsx", "файл", "a.pdf", "x" * 300 + ".csv"]),
        table_files(UPLOAD_HEADERS.get(name, PUPIL_HEADERS)),
    )


@pytest.fixture
def page_world(request, world):
    for fixture in ("pupil_a", "pupil_b", "placed_student", "far_pupil"):
        request.getfixturevalue(fixture)
    return world


def _visit(request, client, name: str) -> str:
    user = request.getfixturevalue(visitor_of(name))
    url = _url(request, name, visitor_of(name), "own")
    return user, url


def _login(client, user) -> None:
    client.logout()
    if user.is_authenticated:
        client.force_login(user)


@pytest.mark.parametrize("name", POST_PAGES)
def test_posted_form_data_never_causes_a_server_error(request, client, page_world, name):
    user, url = _visit(request, client, name)
    _login(client, user)
    fields = page_fields(client, url, name)
    posted = fields.fields.get("post", {}) or {key: [] for key in ACTION_FIELDS}
    names = sorted(posted)

    @given(data=st.data())
    def post(data):
        form: dict[str, object] = {}
        for field in names:
            if field in fields.files:
                if data.draw(st.integers(0, 3)):
                    form[field] = data.draw(uploads(name))
            elif data.draw(st.integers(0, 4)):
                form[field] = data.draw(field_values(posted[field]))
        form.update(data.draw(st.dictionaries(TEXTS, field_values([]), max_size=3)))
        _login(client, user)
        response = client.post(url, form)
        assert response.status_code < 500, f"POST {url}: {form!r}"

    post()


@pytest.mark.parametrize("name", GET_PAGES)
def test_generated_query_strings_never_cause_a_server_error(request, client, page_world, name):
    user, url = _visit(request, client, name)
    _login(client, user)
    fields = page_fields(client, url, name)
    offered = {key: [] for key in QUERY_FIELDS} | fields.fields.get("get", {})
    names = sorted(offered)

    @settings(max_examples=8)
    @given(data=st.data())
    def get(data):
        query: dict[str, object] = {}
        for field in names:
            if data.draw(st.integers(0, 3)) == 0:
                query[field] = data.draw(
                    st.one_of(PAGE_NUMBERS, field_values(offered[field]))
                    if field == "page"
                    else field_values(offered[field])
                )
        query.update(data.draw(st.dictionaries(TEXTS, field_values([]), max_size=2)))
        response = client.get(url, query)
        assert response.status_code < 500, f"GET {url}: {query!r}"

    get()


# --- what an upload form says about a file of the wrong size or kind ----------------------------

NOT_A_TABLE = [
    (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", "a.pdf", "Это PDF-документ, а не таблица."),
    (b"\x89PNG\r\n\x1a\n" + bytes(100), "scan.png", "Это изображение, а не таблица."),
    (b"\xff\xd8\xff\xe0" + bytes(100), "photo.jpg", "Это изображение, а не таблица."),
    (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100),
        "old.xls",
        "Старые форматы Microsoft Office (.xls, .doc) не поддерживаются.",
    ),
    (b"{\\rtf1\\ansi hello}", "letter.rtf", "Это текстовый документ, а не таблица."),
    (
        _zip_of({"word/document.xml": b"<w/>"}),
        "letter.docx",
        "Это текстовый документ, а не таблица.",
    ),
    (
        _zip_of({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"}),
        "table.ods",
        "Таблицы OpenDocument (.ods) не поддерживаются",
    ),
    (_zip_of({"readme.txt": b"hello"}), "files.zip", "Это архив, а не таблица."),
    (b"\x1f\x8b\x08\x00" + bytes(50), "list.csv.gz", "Это архив, а не таблица."),
    (bytes(range(256)) * 4, "data.bin", "в нём двоичные данные"),
    (b"PK\x03\x04" + bytes(60), "cut.xlsx", "Файл повреждён"),
]
UPLOAD_PAGES = [
    ("students:import_upload", "counsellor_a", PupilImport, "PUPIL_IMPORT_MAX_BYTES"),
    ("labour:import_upload", "centre_specialist", VacancyImport, "VACANCY_IMPORT_MAX_BYTES"),
]


@pytest.mark.parametrize(("name", "persona", "model", "setting"), UPLOAD_PAGES)
@pytest.mark.parametrize(("content", "filename", "message"), NOT_A_TABLE)
def test_upload_of_a_file_that_is_not_a_table_is_refused_with_a_message(
    request, client, world, name, persona, model, setting, content, filename, message
):
    client.force_login(request.getfixturevalue(persona))

    response = client.post(reverse(name), {"file": SimpleUploadedFile(filename, content)})

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not model.objects.exists()


@pytest.mark.parametrize(("name", "persona", "model", "setting"), UPLOAD_PAGES)
def test_upload_over_the_limit_is_refused_with_a_message(
    request, client, world, settings, name, persona, model, setting
):
    setattr(settings, setting, 2 * 1024 * 1024)
    client.force_login(request.getfixturevalue(persona))
    big = SimpleUploadedFile("big.csv", b"x;y\n" * (2 * 1024 * 1024 // 4 + 1))

    response = client.post(reverse(name), {"file": big})

    assert response.status_code == 200
    assert "Файл слишком большой: можно загрузить не более 2 МБ." in response.content.decode()
    assert not model.objects.exists()


@pytest.mark.parametrize(("name", "persona", "model", "setting"), UPLOAD_PAGES)
def test_upload_without_a_file_is_refused_with_a_message(
    request, client, world, name, persona, model, setting
):
    client.force_login(request.getfixturevalue(persona))

    response = client.post(reverse(name), {"file": ""})

    assert response.status_code == 200
    assert "Выберите файл" in response.content.decode()
    assert not model.objects.exists()
