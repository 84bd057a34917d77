"""Export of the filtered pupil list: contents, consent rule, scope, audit, bad input."""

from __future__ import annotations

import csv
import datetime
import io
from urllib.parse import quote

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from resource_center.models import AuditEntry
from students.models import Student, current_academic_year
from students.services import exports
from tests import factories as f

pytestmark = pytest.mark.django_db

URL = reverse("students:student_export")
HEADERS = [
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
]


def _consented(**kwargs) -> Student:
    pupil = f.StudentFactory(**kwargs)
    f.ConsentFactory(student=pupil)
    return pupil


def _xlsx_rows(response) -> list[tuple]:
    workbook = load_workbook(io.BytesIO(response.content))
    return list(workbook.active.iter_rows(values_only=True))


def _csv_rows(response) -> list[list[str]]:
    text = response.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


@pytest.fixture
def school_list(world):
    """Two consented pupils of school A, one without consent, one of school B."""
    year = current_academic_year()
    smirnova = _consented(
        organisation=world.school_a,
        last_name="Смирнова",
        first_name="Ольга",
        patronymic="",
        sex=Student.Sex.FEMALE,
        grade=9,
        class_letter="Б",
        birth_date=datetime.date(year - 15, 3, 7),
        phone="+7 900 123-45-67",
        email="olga@example.ru",
        path_after_9=Student.PathAfter9.TECHNIKUM,
        has_special_needs=True,
        notes="Секретная заметка",
    )
    ivanov = _consented(
        organisation=world.school_a,
        last_name="Ёлкин",
        grade=11,
        class_letter="А",
        path_after_11=Student.PathAfter11.UNIVERSITY,
    )
    f.StudentFactory(organisation=world.school_a, last_name="Безсогласия", grade=9)
    _consented(organisation=world.school_b, last_name="Чужой", grade=9)
    return smirnova, ivanov


def test_xlsx_holds_the_consented_pupils_with_real_dates(client, counsellor_a, school_list):
    _, elkin = school_list
    client.force_login(counsellor_a)
    response = client.get(URL, {"format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"] == exports.FORMATS["xlsx"]
    rows = _xlsx_rows(response)
    assert list(rows[0]) == HEADERS
    year = current_academic_year()
    label = f"{year}/{(year + 1) % 100:02d}"
    assert rows[1:] == [
        (
            "Смирнова",
            "Ольга",
            None,
            datetime.datetime.combine(datetime.date(year - 15, 3, 7), datetime.time()),
            "9Б",
            "Женский",
            label,
            "+7 900 123-45-67",
            "olga@example.ru",
            "Нытвенский техникум",
            None,
        ),
        (
            "Ёлкин",
            "Иван",
            "Петрович",
            datetime.datetime.combine(elkin.birth_date, datetime.time()),
            "11А",
            "Мужской",
            label,
            None,
            None,
            None,
            "Вуз",
        ),
    ]
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.active["D2"].number_format == "DD.MM.YYYY"
    assert workbook.active["D2"].is_date


def test_csv_is_utf8_with_bom_semicolons_and_russian_dates(client, counsellor_a, school_list):
    smirnova, _ = school_list
    client.force_login(counsellor_a)
    response = client.get(URL, {"format": "csv"})
    assert response.status_code == 200
    assert response.content.startswith(b"\xef\xbb\xbf")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = _csv_rows(response)
    assert rows[0] == HEADERS
    assert rows[1][:6] == [
        "Смирнова",
        "Ольга",
        "",
        smirnova.birth_date.strftime("%d.%m.%Y"),
        "9Б",
        "Женский",
    ]
    assert rows[1][7] == "+7 900 123-45-67"
    assert [r[0] for r in rows[1:]] == ["Смирнова", "Ёлкин"]


def test_export_leaves_out_pupils_without_consent_and_private_fields(
    client, counsellor_a, school_list
):
    client.force_login(counsellor_a)
    for file_format, read in (("xlsx", _xlsx_rows), ("csv", _csv_rows)):
        response = client.get(URL, {"format": file_format})
        flat = " ".join(str(v) for row in read(response) for v in row)
        assert "Безсогласия" not in flat
        assert "Секретная" not in flat
        assert "ОВЗ" not in flat
        assert "Чужой" not in flat


def test_export_applies_the_list_filters(client, counsellor_a, school_list):
    client.force_login(counsellor_a)
    assert [r[0] for r in _csv_rows(client.get(URL, {"format": "csv", "grade": "11"}))[1:]] == [
        "Ёлкин"
    ]
    assert [r[0] for r in _csv_rows(client.get(URL, {"format": "csv", "q": "ЕЛК"}))[1:]] == [
        "Ёлкин"
    ]
    response = client.get(URL, {"format": "csv", "consent": "no"})
    assert _csv_rows(response)[1:] == []


def test_export_of_another_year_only_when_chosen(client, counsellor_a, world):
    year = current_academic_year()
    _consented(organisation=world.school_a, last_name="Нынешний")
    _consented(organisation=world.school_a, last_name="Прошлый", academic_year=year - 1)
    client.force_login(counsellor_a)
    assert [r[0] for r in _csv_rows(client.get(URL, {"format": "csv"}))[1:]] == ["Нынешний"]
    response = client.get(URL, {"format": "csv", "year": str(year - 1)})
    assert [r[0] for r in _csv_rows(response)[1:]] == ["Прошлый"]
    response = client.get(URL, {"format": "csv", "year": "99999"})
    assert [r[0] for r in _csv_rows(response)[1:]] == ["Нынешний"]


def test_counsellor_of_another_school_exports_none_of_school_a(client, counsellor_b, school_list):
    client.force_login(counsellor_b)
    rows = _csv_rows(client.get(URL, {"format": "csv"}))
    assert [r[0] for r in rows[1:]] == ["Чужой"]
    rows = _csv_rows(client.get(URL, {"format": "csv", "q": "смирн"}))
    assert rows[1:] == []
    assert not AuditEntry.objects.filter(student__organisation__short_name="СОШ № 1").exists()


def test_each_exported_pupil_is_audited(client, counsellor_a, school_list):
    smirnova, _ = school_list
    client.force_login(counsellor_a)
    response = client.get(URL, {"format": "xlsx", "grade": "9"}, REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 200
    entries = list(AuditEntry.objects.all())
    assert len(entries) == 1
    entry = entries[0]
    assert (entry.actor, entry.action, entry.student) == (counsellor_a, "export", smirnova)
    assert entry.subject == smirnova.full_name
    assert entry.path == f"{URL}?format=xlsx&grade=9"
    assert entry.ip_address == "10.1.2.3"
    assert ".xlsx" in entry.details
    client.get(URL, {"format": "csv"})
    assert AuditEntry.objects.filter(action="export").count() == 3


def test_file_name_names_the_school_and_the_day(client, counsellor_a, world, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: datetime.date(2026, 11, 26))
    _consented(organisation=world.school_a)
    client.force_login(counsellor_a)
    response = client.get(URL, {"format": "xlsx"})
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=utf-8''" + quote("ученики_СОШ_1_2026-11-26.xlsx") in disposition
    response = client.get(URL, {"format": "csv"})
    assert quote("ученики_СОШ_1_2026-11-26.csv") in response["Content-Disposition"]


def test_file_name_without_pupils_or_of_several_schools():
    day = datetime.date(2026, 11, 26)
    assert (
        exports.export_file_name(organisations=[], file_format="csv", day=day)
        == "ученики_2026-11-26.csv"
    )
    assert (
        exports.export_file_name(organisations=["СОШ № 1", "СОШ № 2"], file_format="xlsx", day=day)
        == "ученики_2026-11-26.xlsx"
    )


def test_cells_starting_like_formulas_stay_text(client, counsellor_a, world):
    _consented(organisation=world.school_a, last_name="Формулов", first_name="=1+2", email="@x")
    client.force_login(counsellor_a)
    rows = _xlsx_rows(client.get(URL, {"format": "xlsx"}))
    assert rows[1][1] == "=1+2"
    workbook = load_workbook(io.BytesIO(client.get(URL, {"format": "xlsx"}).content))
    assert workbook.active["B2"].data_type == "s"
    row = _csv_rows(client.get(URL, {"format": "csv"}))[1]
    assert row[1] == "'=1+2"
    assert row[8] == "'@x"


def test_unknown_format_is_400_in_russian(client, counsellor_a, school_list):
    client.force_login(counsellor_a)
    response = client.get(URL, {"format": "pdf"})
    assert response.status_code == 400
    assert "Неизвестный формат" in response.content.decode()
    assert not AuditEntry.objects.exists()


def test_without_format_the_export_is_xlsx(client, counsellor_a, school_list):
    client.force_login(counsellor_a)
    response = client.get(URL)
    assert response.status_code == 200
    assert response["Content-Type"] == exports.FORMATS["xlsx"]


def test_invalid_filters_do_not_fail_the_export(client, counsellor_a, school_list):
    client.force_login(counsellor_a)
    response = client.get(URL, {"format": "csv", "grade": "abc", "sort": "x", "consent": "?"})
    assert response.status_code == 200
    assert [r[0] for r in _csv_rows(response)[1:]] == ["Смирнова", "Ёлкин"]


@pytest.mark.parametrize(
    "role", ["parent_of_pupil_a", "pupil_a_user", "district_admin", "employer_rep"]
)
def test_those_who_may_not_list_may_not_export(client, request, role, school_list):
    client.force_login(request.getfixturevalue(role))
    assert client.get(URL, {"format": "csv"}).status_code == 403
    assert not AuditEntry.objects.exists()


def test_anonymous_is_sent_to_login(client):
    response = client.get(URL, {"format": "csv"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("method", ["post", "head", "put", "delete"])
def test_export_answers_only_get(client, counsellor_a, school_list, method):
    client.force_login(counsellor_a)
    assert getattr(client, method)(URL).status_code == 405
    assert not AuditEntry.objects.exists()


def test_coordinator_exports_the_district(client, coordinator, school_list, world):
    _consented(organisation=world.other_district_school, last_name="Далёкий")
    client.force_login(coordinator)
    rows = _csv_rows(client.get(URL, {"format": "csv"}))
    assert sorted(r[0] for r in rows[1:]) == sorted(["Смирнова", "Ёлкин", "Чужой"])


def test_export_queries_are_bounded(
    client, counsellor_a, world, django_assert_num_queries, django_assert_max_num_queries
):
    def make(start: int, stop: int) -> None:
        for i in range(start, stop):
            _consented(organisation=world.school_a, last_name=f"Ученик{i}")

    client.force_login(counsellor_a)
    make(0, 5)
    # session, user, memberships, parent?, pupil?, years present, savepoint, pupils with
    # their school, audit INSERT, release savepoint
    with django_assert_num_queries(10):
        client.get(URL, {"format": "xlsx"})
    make(5, 200)
    # The audit INSERT is split into batches only by the database's parameter limit.
    with django_assert_max_num_queries(12):
        response = client.get(URL, {"format": "csv"})
    assert len(_csv_rows(response)) == 201
    assert AuditEntry.objects.count() == 205


@pytest.mark.parametrize("file_format", ["xlsx", "csv"])
def test_exported_file_loads_back_through_the_import(
    client, counsellor_a, school_list, file_format
):
    from students.importers.pupils import open_pupil_list

    smirnova, elkin = school_list
    client.force_login(counsellor_a)
    response = client.get(URL, {"format": file_format})
    with open_pupil_list(response.content, academic_year=current_academic_year()) as pupils:
        rows = list(pupils.rows())
    assert [r.errors for r in rows] == [[], []]
    assert [
        (r.last_name, r.first_name, r.patronymic, r.birth_date, r.class_name, r.sex, r.phone)
        for r in rows
    ] == [
        (s.last_name, s.first_name, s.patronymic, s.birth_date, s.class_name, s.sex, s.phone)
        for s in (smirnova, elkin)
    ]
