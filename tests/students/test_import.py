"""Import of pupil lists: reading real-world files, validation, preview, commit, audit."""

from __future__ import annotations

import datetime
import gzip
import io
import os
from pathlib import Path
from unittest import mock

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError
from django.db.models import ProtectedError
from django.test import RequestFactory
from django.utils import timezone

from resource_center.models import AuditEntry
from students import selectors
from students.importers import checked as stored
from students.importers import pupils as importer
from students.importers.pupils import birth_date_fits_grade, header_field, open_pupil_list
from students.models import PupilImport, Student
from students.services import imports as services
from tests import factories as f

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parent.parent / "data"
YEAR = 2025  # the academic year 2025/26 the made-up lists were written for


@pytest.fixture(autouse=True)
def _academic_year(monkeypatch):
    monkeypatch.setattr(services, "current_academic_year", lambda: YEAR)


def upload(data: bytes | str, name: str = "список.csv", encoding: str = "cp1251"):
    if isinstance(data, str):
        data = data.encode(encoding)
    return SimpleUploadedFile(name, data)


def csv_bytes(*lines: str, encoding: str = "cp1251") -> bytes:
    """Lines as Excel saves them: CRLF endings, Windows-1251 unless told otherwise."""
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def preview(data: bytes, school, user, name: str = "список.csv") -> PupilImport:
    return services.pupil_import_preview(file=upload(data, name), school=school, by=user)


def rows_of(data: bytes) -> list[importer.PupilRow]:
    with open_pupil_list(data, academic_year=YEAR) as pupils:
        return list(pupils.rows())


def errors_by_line(data: bytes) -> dict[int, list[str]]:
    return {row.line: row.errors for row in rows_of(data) if row.errors}


# --- the rules ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("born", "grade", "fits"),
    [
        (datetime.date(2011, 5, 14), 9, True),  # 14 on 1 September 2025
        (datetime.date(2011, 9, 1), 9, True),  # turns 14 that very day
        (datetime.date(2011, 9, 2), 9, False),  # still 13
        (datetime.date(2006, 9, 2), 9, True),  # 18
        (datetime.date(2006, 9, 1), 9, False),  # 19
        (datetime.date(2018, 8, 31), 1, True),  # 7: a first-former
        (datetime.date(2020, 9, 1), 1, False),  # 5
    ],
)
def test_birth_date_fits_grade_window_is_grade_plus_5_to_9(born, grade, fits):
    assert birth_date_fits_grade(born, grade, YEAR) is fits


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Фамилия", "last_name"),
        ("  фамилия ", "last_name"),
        ("ФАМИЛИЯ УЧЕНИКА", "last_name"),
        ("Имя", "first_name"),
        ("Отчество", "patronymic"),
        ("ФИО", "full_name"),
        ("Ф.И.О.", "full_name"),
        ("Фамилия, имя, отчество", "full_name"),
        ("Дата рождения", "birth_date"),
        ("Д.р.", "birth_date"),
        ("Д/р", "birth_date"),
        ("Дата рожд.", "birth_date"),
        ("Дата рождения (дд.мм.гггг)", "birth_date"),
        ("Класс", "class"),
        ("Литера", "letter"),
        ("Буква", "letter"),
        ("Пол", "sex"),
        ("Телефон", "phone"),
        ("Мобильный телефон", "phone"),
        ("E-mail", "email"),
        ("e-mail", "email"),
        ("Эл. почта", "email"),
        ("Электронная почта", "email"),
        ("Телефон родителя", None),
        ("ФИО матери", None),
        ("№ п/п", None),
        ("Примечание", None),
        (None, None),
    ],
)
def test_headers_in_usual_spellings(header, field):
    assert header_field(header) == field


def test_header_is_found_below_a_title_row():
    data = csv_bytes(
        "Список обучающихся 9Б класса;;;",
        ";;;",
        "Фамилия;Имя;Дата рождения;Класс",
        "Иванов;Иван;14.05.2011;9Б",
    )
    [row] = rows_of(data)
    assert (row.line, row.last_name, row.class_name) == (4, "Иванов", "9Б")


@pytest.mark.parametrize(
    ("value", "grade", "letter"),
    [
        ("9Б", 9, "Б"),
        ("9 Б", 9, "Б"),
        ("9-б", 9, "Б"),
        ("9", 9, ""),
        ("9 «Б»", 9, "Б"),
        ('9 "Б" класс', 9, "Б"),
        ("9B", 9, "В"),  # a Latin B typed for the Cyrillic В
        ("11а", 11, "А"),
        ("9Я", 9, "Я"),
    ],
)
def test_class_spellings(value, grade, letter):
    assert importer.parse_class(value) == (grade, letter, "")


def test_blank_and_numbered_only_rows_of_an_excel_template_are_skipped():
    data = csv_bytes(
        "№;ФИО;Дата рождения;Класс",
        "1;Иванов Иван Иванович;14.05.2011;9А",
        "2;   ;;",
        "3;;;",
        ";;;",
    )
    [row] = rows_of(data)
    assert (row.line, row.full_name, row.errors) == (2, "Иванов Иван Иванович", [])


def test_separate_grade_and_letter_columns():
    data = csv_bytes(
        "Фамилия;Имя;Дата рождения;Класс;Буква",
        "Иванов;Иван;14.05.2011;9;б",
        "Петров;Пётр;14.05.2011;9А;Б",
    )
    first, second = rows_of(data)
    assert (first.grade, first.class_letter, first.errors) == (9, "Б", [])
    assert second.errors == ["Класс «9А» и литера «Б» не совпадают."]


# --- real-world files ------------------------------------------------------------------------


def test_windows_1251_semicolon_file_as_excel_saves_it(world, counsellor_a):
    data = (DATA / "pupils_cp1251_semicolon.csv").read_bytes()
    assert b"\r\n" in data
    pupil_import = preview(data, world.school_a, counsellor_a)
    assert (pupil_import.file_format, pupil_import.encoding) == ("csv", "cp1251")
    assert (pupil_import.rows_total, pupil_import.rows_invalid) == (5, 0)
    assert pupil_import.status == PupilImport.Status.PREVIEW
    assert not Student.objects.exists()  # the preview saves nothing but the file

    counts = services.pupil_import_commit(pupil_import=pupil_import, by=counsellor_a)

    assert (counts.created, counts.updated) == (5, 0)
    pupils = {s.last_name: s for s in Student.objects.filter(organisation=world.school_a)}
    elkina = pupils["Ёлкина"]
    assert (elkina.first_name, elkina.patronymic, elkina.birth_date) == (
        "Дарья",
        "Сергеевна",
        datetime.date(2011, 5, 14),
    )
    assert (elkina.grade, elkina.class_letter, elkina.sex, elkina.academic_year) == (
        9,
        "Б",
        "f",
        YEAR,
    )
    assert elkina.last_name_folded == "елкина"
    # A new pupil has no consent yet, so the phone and e-mail of the file are not kept.
    assert (elkina.phone, elkina.email) == ("", "")
    assert {s.class_name for s in pupils.values()} == {"9Б"}
    assert pupils["Оглы"].birth_date == datetime.date(2011, 5, 14)  # an Excel serial
    assert pupils["Оглы"].patronymic == "Рашидович оглы"
    assert pupils["Иванова"].birth_date == datetime.date(2011, 9, 1)  # «1.9.11»
    assert pupils["Сидоров"].sex == "m"
    pupil_import.refresh_from_db()
    assert pupil_import.status == PupilImport.Status.COMMITTED
    assert (pupil_import.created_count, pupil_import.updated_count) == (5, 0)
    assert bytes(pupil_import.content) == b""  # no second copy of the personal data


def test_utf8_bom_comma_file_with_one_fio_column_and_a_letter_column(world, counsellor_a):
    data = (DATA / "pupils_utf8_bom_comma.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    pupil_import = preview(data, world.school_a, counsellor_a)
    assert (pupil_import.encoding, pupil_import.rows_invalid) == ("utf-8-sig", 0)
    services.pupil_import_commit(pupil_import=pupil_import, by=counsellor_a)
    names = sorted(
        Student.objects.values_list(
            "last_name", "first_name", "patronymic", "grade", "class_letter"
        )
    )
    assert names == [
        ("Васильев", "Никита", "Олегович", 5, "А"),
        ("Петрова", "Анна", "Викторовна", 5, "А"),
        ("Смирнов", "Егор", "", 5, "А"),
    ]


def test_tab_separated_file(world, counsellor_a):
    pupil_import = preview((DATA / "pupils_tab.csv").read_bytes(), world.school_a, counsellor_a)
    assert (pupil_import.rows_total, pupil_import.rows_invalid) == (2, 0)
    services.pupil_import_commit(pupil_import=pupil_import, by=counsellor_a)
    assert set(Student.objects.values_list("class_letter", flat=True)) == {"А"}


def test_xlsx_with_date_cells_text_dates_serials_and_number_grades(world, counsellor_a):
    data = xlsx_bytes(
        [
            ["Фамилия", "Имя", "Отчество", "Дата рождения", "Класс", "Литера", "Пол"],
            ["Иванов", "Иван", "Иванович", datetime.date(2011, 5, 14), 9, "А", "М"],
            ["Петрова", "Анна", None, "14.05.2011", "9", "а", "ж"],
            ["Сидорова", "Ольга", None, 40677, 9.0, "А", None],
            [None, None, None, None, None, None, None],
            # A date cell as openpyxl reads it back: a naive datetime, as Excel has no zones.
            ["Кузнецов", "Олег", None, datetime.datetime(2011, 1, 2), "9А", None, "м"],  # noqa: DTZ001
        ]
    )
    pupil_import = preview(data, world.school_a, counsellor_a, name="9А.xlsx")
    assert (pupil_import.file_format, pupil_import.rows_total, pupil_import.rows_invalid) == (
        "xlsx",
        4,
        0,
    )
    services.pupil_import_commit(pupil_import=pupil_import, by=counsellor_a)
    stored = dict(Student.objects.values_list("last_name", "birth_date"))
    assert set(stored.values()) == {datetime.date(2011, 5, 14), datetime.date(2011, 1, 2)}
    assert set(Student.objects.values_list("grade", "class_letter")) == {(9, "А")}


def test_xlsx_row_numbers_are_the_sheet_rows(world, counsellor_a):
    data = xlsx_bytes(
        [
            ["Фамилия", "Имя", "Дата рождения", "Класс"],
            ["Иванов", "Иван", datetime.date(2011, 5, 14), 9],
            ["Петров", None, "не знаю", 12],
        ]
    )
    errors = errors_by_line(data)
    assert set(errors) == {3}
    assert errors[3] == [
        "Не указано имя.",
        "Класс 12: номер класса должен быть от 1 до 11.",
        "Дата рождения «не знаю» не распознана: нужен вид 14.05.2011.",
    ]


def test_broken_rows_are_reported_each_with_its_errors():
    errors = errors_by_line((DATA / "pupils_broken.csv").read_bytes())
    assert errors == {
        2: ["Дата рождения «31.02.2011» не распознана: нужен вид 14.05.2011."],
        3: ["Не указана фамилия."],
        4: ["Класс 12: номер класса должен быть от 1 до 11."],
        6: ["Буква класса «Z» не распознана."],
        7: [
            "Дата рождения 14.05.2019 не подходит к 9 классу: на 1 сентября 2025 г. "
            "ожидается возраст от 14 до 18 лет, а по этой дате — 6."
        ],
        8: ["Не указана дата рождения."],
        10: ["Повторяет строку 9: тот же человек с той же датой рождения."],
    }


def test_bad_sex_phone_email_and_names_are_errors():
    data = csv_bytes(
        "Фамилия;Имя;Дата рождения;Класс;Пол;Телефон;E-mail",
        "Иванов2;Иван;14.05.2011;9А;x;позвонить маме;ivanov@",
    )
    assert errors_by_line(data)[2] == [
        "Фамилия «Иванов2» содержит цифры или недопустимые знаки.",
        "Пол «x» не распознан: укажите «м» или «ж».",
        "Телефон «позвонить маме» не распознан: нужен вид +7 900 123-45-67.",
        "E-mail «ivanov@» не распознан.",
    ]


def test_preview_counts_rows_with_errors(world, counsellor_a):
    pupil_import = preview((DATA / "pupils_broken.csv").read_bytes(), world.school_a, counsellor_a)
    assert (pupil_import.rows_total, pupil_import.rows_invalid) == (9, 7)


# --- files that cannot be imported -------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + os.urandom(200), "список.csv", "изображение"),
        (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", "список.csv", "PDF"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, "список.doc", "Старые форматы"),
        (b"\x00\x01" + os.urandom(2000), "список.csv", "двоичные данные"),
        (b"", "список.csv", "Файл пуст."),
        (b"\r\n\r\n", "список.csv", "Файл пуст."),
        (csv_bytes("Фамилия;Имя;Дата рождения;Класс"), "список.csv", "нет ни одной строки"),
        (csv_bytes("Фамилия;Имя;Дата рождения;Класс", ";;;", ";;;"), "a.csv", "нет ни одной"),
        (csv_bytes("Name;Surname;Born", "Ivan;Ivanov;2011-05-14"), "a.csv", "знакомые заголовки"),
        (csv_bytes("Фамилия;Имя;Пол", "Иванов;Иван;м"), "a.csv", "Дата рождения, Класс"),
        ("Фамилия;Имя;Дата рождения;Класс".encode("utf-16-le"), "a.csv", "двоичные данные"),
    ],
)
def test_a_file_that_is_not_a_pupil_list_gets_a_clear_message_and_creates_nothing(
    world, counsellor_a, data, name, message
):
    with pytest.raises(services.PupilImportError) as info:
        preview(data, world.school_a, counsellor_a, name=name)
    assert message in info.value.message
    assert not PupilImport.objects.exists()
    assert not Student.objects.exists()


def test_too_large_a_file_is_refused(world, counsellor_a, settings):
    settings.PUPIL_IMPORT_MAX_BYTES = 100
    data = csv_bytes("Фамилия;Имя;Дата рождения;Класс", *["Иванов;Иван;14.05.2011;9А"] * 10)
    with pytest.raises(services.PupilImportError) as info:
        preview(data, world.school_a, counsellor_a)
    assert "Файл слишком большой" in info.value.message
    assert not PupilImport.objects.exists()


# --- commit ------------------------------------------------------------------------------------


def test_import_twice_creates_no_duplicates_and_updates_the_class_letter(world, counsellor_a):
    header = "Фамилия;Имя;Отчество;Дата рождения;Класс"
    first = csv_bytes(
        header, "Ёлкина;Дарья;Сергеевна;14.05.2011;9А", "Кузнецов;Артём;;02.01.2011;9А"
    )
    services.pupil_import_commit(
        pupil_import=preview(first, world.school_a, counsellor_a), by=counsellor_a
    )
    original = Student.objects.get(last_name="Ёлкина")

    # The same pupils next month: moved to 9Б, one typed with «е» for «ё», one new pupil.
    second = csv_bytes(
        header,
        "Елкина;Дарья;Сергеевна;14.05.2011;9Б",
        "Кузнецов;Артём;;02.01.2011;9Б",
        "Смирнова;Ольга;;01.03.2011;9Б",
    )
    pupil_import = preview(second, world.school_a, counsellor_a)
    page = selectors.pupil_import_preview_page(pupil_import=pupil_import, page_number=1)
    assert (page.new, page.updates) == (1, 2)
    counts = services.pupil_import_commit(pupil_import=pupil_import, by=counsellor_a)

    assert (counts.created, counts.updated) == (1, 2)
    assert Student.objects.count() == 3
    original.refresh_from_db()
    assert (original.class_letter, original.last_name, original.last_name_folded) == (
        "Б",
        "Елкина",
        "елкина",
    )
    assert original.uuid == Student.objects.get(pk=original.pk).uuid
    assert set(Student.objects.values_list("class_letter", flat=True)) == {"Б"}


def test_same_person_in_another_school_is_not_matched(world, counsellor_a):
    f.StudentFactory(
        organisation=world.school_b,
        last_name="Иванов",
        first_name="Иван",
        patronymic="",
        birth_date=datetime.date(2011, 5, 14),
        academic_year=YEAR,
    )
    data = csv_bytes("Фамилия;Имя;Дата рождения;Класс", "Иванов;Иван;14.05.2011;9А")
    counts = services.pupil_import_commit(
        pupil_import=preview(data, world.school_a, counsellor_a), by=counsellor_a
    )
    assert (counts.created, counts.updated) == (1, 0)
    assert Student.objects.filter(last_name="Иванов").count() == 2


def test_reimport_keeps_contacts_only_for_pupils_with_consent(world, counsellor_a):
    with_consent, without = (
        f.StudentFactory(
            organisation=world.school_a,
            last_name=name,
            first_name="Иван",
            patronymic="",
            birth_date=datetime.date(2011, 5, 14),
            academic_year=YEAR,
            sex="",
            phone="",
        )
        for name in ("Согласов", "Безсогласия")
    )
    f.ConsentFactory(student=with_consent)
    data = csv_bytes(
        "Фамилия;Имя;Дата рождения;Класс;Пол;Телефон;E-mail",
        "Согласов;Иван;14.05.2011;9А;м;+7 900 111-22-33;s@example.ru",
        "Безсогласия;Иван;14.05.2011;9А;м;+7 900 444-55-66;b@example.ru",
    )
    pupil_import = preview(data, world.school_a, counsellor_a)
    page = selectors.pupil_import_preview_page(pupil_import=pupil_import, page_number=1)
    assert page.contacts_dropped == 1
    services.pupil_import_commit(pupil_import=pupil_import, by=counsellor_a)
    with_consent.refresh_from_db()
    without.refresh_from_db()
    assert (with_consent.phone, with_consent.email, with_consent.sex) == (
        "+7 900 111-22-33",
        "s@example.ru",
        "m",
    )
    assert (without.phone, without.email, without.sex) == ("", "", "m")


def test_reimport_rewrites_only_pupils_the_file_changes_but_audits_and_counts_all(
    world, counsellor_a
):
    long_ago = timezone.now() - datetime.timedelta(days=30)
    same, moved = (
        f.StudentFactory(
            organisation=world.school_a,
            last_name=name,
            first_name="Иван",
            patronymic="",
            birth_date=datetime.date(2011, 5, 14),
            academic_year=YEAR,
            grade=9,
            class_letter="А",
            sex="m",
            phone="",
            email="",
        )
        for name in ("Прежний", "Переведённый")
    )
    Student.objects.update(updated_at=long_ago)
    data = csv_bytes(
        "Фамилия;Имя;Дата рождения;Класс;Пол",
        "Прежний;Иван;14.05.2011;9А;м",
        "Переведённый;Иван;14.05.2011;9Б;м",
    )
    counts = services.pupil_import_commit(
        pupil_import=preview(data, world.school_a, counsellor_a), by=counsellor_a
    )
    assert (counts.created, counts.updated) == (0, 2)
    same.refresh_from_db()
    moved.refresh_from_db()
    # Nothing to write for the first: its row (and every index entry) is left as it was.
    assert (same.class_name, same.updated_at) == ("9А", long_ago)
    assert moved.class_name == "9Б"
    assert moved.updated_at > long_ago
    assert sorted(AuditEntry.objects.values_list("student_id", flat=True)) == sorted(
        [same.pk, moved.pk]
    )


def test_reimport_reactivates_and_keeps_what_the_file_leaves_blank(world, counsellor_a):
    pupil = f.StudentFactory(
        organisation=world.school_a,
        last_name="Иванов",
        first_name="Иван",
        patronymic="",
        birth_date=datetime.date(2011, 5, 14),
        academic_year=YEAR,
        sex="m",
        is_active=False,
        interests="Робототехника",
    )
    data = csv_bytes("Фамилия;Имя;Дата рождения;Класс;Пол", "Иванов;Иван;14.05.2011;9В;")
    services.pupil_import_commit(
        pupil_import=preview(data, world.school_a, counsellor_a), by=counsellor_a
    )
    pupil.refresh_from_db()
    assert (pupil.class_name, pupil.sex, pupil.is_active, pupil.interests) == (
        "9В",
        "m",
        True,
        "Робототехника",
    )


def test_commit_is_refused_while_any_row_has_errors(world, counsellor_a):
    pupil_import = preview((DATA / "pupils_broken.csv").read_bytes(), world.school_a, counsellor_a)
    with pytest.raises(services.PupilImportError) as info:
        services.pupil_import_commit(pupil_import=pupil_import, by=counsellor_a)
    assert "строки с ошибками" in info.value.message
    assert not Student.objects.exists()
    pupil_import.refresh_from_db()
    assert pupil_import.status == PupilImport.Status.PREVIEW


def test_commit_rechecks_the_stored_rows_rather_than_trusting_the_counts(world, counsellor_a):
    data = csv_bytes("Фамилия;Имя;Дата рождения;Класс", "Иванов;Иван;14.05.2011;9А", ";Анна;;9А")
    pupil_import = preview(data, world.school_a, counsellor_a)
    PupilImport.objects.filter(pk=pupil_import.pk).update(rows_invalid=0)  # tampered with
    with pytest.raises(services.PupilImportError) as info:
        services.pupil_import_commit(pupil_import=pupil_import, by=counsellor_a)
    assert info.value.message.startswith("Строка 3: Не указана фамилия.")
    assert not Student.objects.exists()
    assert not AuditEntry.objects.exists()


def test_commit_is_all_or_nothing(world, counsellor_a, monkeypatch):
    lines = [f"Иванов;Иван{'а' * n};14.05.2011;9А" for n in range(1, 8)]
    pupil_import = preview(
        csv_bytes("Фамилия;Имя;Дата рождения;Класс", *lines), world.school_a, counsellor_a
    )
    monkeypatch.setattr(services, "CHUNK_SIZE", 2)
    real_insert = services.BulkInsert.insert
    calls = []

    def failing_insert(self, rows):
        calls.append(len(rows))
        if len(calls) == 5:  # students, audit, students, audit, then the third chunk fails
            raise IntegrityError("simulated failure in the middle of the commit")
        return real_insert(self, rows)

    with (
        mock.patch.object(services.BulkInsert, "insert", failing_insert),
        pytest.raises(services.PupilImportError),
    ):
        services.pupil_import_commit(pupil_import=pupil_import, by=counsellor_a)

    assert calls[:4] == [2, 2, 2, 2]
    assert not Student.objects.exists()
    assert not AuditEntry.objects.exists()
    pupil_import.refresh_from_db()
    assert pupil_import.status == PupilImport.Status.PREVIEW
    assert bytes(pupil_import.content)  # the file is still there to try again

    # With the failure gone, the same preview commits in full.
    counts = services.pupil_import_commit(pupil_import=pupil_import, by=counsellor_a)
    assert counts.created == 7
    assert Student.objects.count() == 7


def test_a_pupil_saved_meanwhile_by_someone_else_rolls_the_commit_back(
    world, counsellor_a, monkeypatch
):
    data = csv_bytes(
        "Фамилия;Имя;Дата рождения;Класс", "Петров;Пётр;14.05.2011;9А", "Иванов;Иван;14.05.2011;9А"
    )
    pupil_import = preview(data, world.school_a, counsellor_a)
    f.StudentFactory(
        organisation=world.school_a,
        last_name="Иванов",
        first_name="Иван",
        patronymic="",
        birth_date=datetime.date(2011, 5, 14),
        academic_year=YEAR,
    )
    # As if the other user's row had been written after this commit read the school's list.
    monkeypatch.setattr(services, "existing_pupils", lambda school, year: {})
    with pytest.raises(services.PupilImportError) as info:
        services.pupil_import_commit(pupil_import=pupil_import, by=counsellor_a)
    assert "Загрузите файл ещё раз" in info.value.message
    assert list(Student.objects.values_list("last_name", flat=True)) == ["Иванов"]
    assert not AuditEntry.objects.exists()
    pupil_import.refresh_from_db()
    assert pupil_import.status == PupilImport.Status.PREVIEW


def test_a_list_without_rows_is_not_committed(world, counsellor_a):
    pupil_import = f.PupilImportFactory(organisation=world.school_a, uploaded_by=counsellor_a)
    with pytest.raises(services.PupilImportError) as info:
        services.pupil_import_commit(pupil_import=pupil_import, by=counsellor_a)
    assert info.value.message == "В списке нет ни одной строки с обучающимися."
    pupil_import.refresh_from_db()
    assert pupil_import.status == PupilImport.Status.PREVIEW


def test_a_committed_or_discarded_list_cannot_be_committed_again(world, counsellor_a):
    data = csv_bytes("Фамилия;Имя;Дата рождения;Класс", "Иванов;Иван;14.05.2011;9А")
    committed = preview(data, world.school_a, counsellor_a)
    services.pupil_import_commit(pupil_import=committed, by=counsellor_a)
    discarded = preview(data, world.school_a, counsellor_a)
    services.pupil_import_discard(pupil_import=discarded, by=counsellor_a)
    assert discarded.status == PupilImport.Status.DISCARDED
    assert bytes(discarded.content) == b""
    for pupil_import in (committed, discarded):
        with pytest.raises(services.PupilImportError):
            services.pupil_import_commit(pupil_import=pupil_import, by=counsellor_a)
        with pytest.raises(services.PupilImportError):
            services.pupil_import_discard(pupil_import=pupil_import, by=counsellor_a)
    assert Student.objects.count() == 1


def test_commit_writes_one_audit_row_per_created_or_updated_pupil(world, counsellor_a):
    existing = f.StudentFactory(
        organisation=world.school_a,
        last_name="Иванов",
        first_name="Иван",
        patronymic="",
        birth_date=datetime.date(2011, 5, 14),
        academic_year=YEAR,
    )
    data = csv_bytes(
        "Фамилия;Имя;Отчество;Дата рождения;Класс",
        "Иванов;Иван;;14.05.2011;9А",
        "Петрова;Анна;Сергеевна;01.03.2011;9А",
    )
    pupil_import = preview(data, world.school_a, counsellor_a, name="9А.csv")
    request = RequestFactory().post("/students/import/x/commit/", REMOTE_ADDR="10.0.0.7")
    services.pupil_import_commit(pupil_import=pupil_import, by=counsellor_a, request=request)

    entries = AuditEntry.objects.order_by("subject")
    assert [(e.subject, e.action) for e in entries] == [
        ("Иванов Иван", AuditEntry.Action.IMPORT),
        ("Петрова Анна Сергеевна", AuditEntry.Action.IMPORT),
    ]
    new = Student.objects.get(last_name="Петрова")
    assert [e.student_id for e in entries] == [existing.pk, new.pk]
    for entry in entries:
        assert entry.actor == counsellor_a
        assert entry.organisation_id == world.school_a.pk
        assert (entry.path, entry.ip_address) == ("/students/import/x/commit/", "10.0.0.7")
        assert "9А.csv" in entry.details
        assert entry.at is not None
    assert len({e.pk for e in entries}) == 2


def test_the_user_who_imported_a_list_cannot_be_deleted_from_under_its_trail(world, counsellor_a):
    data = csv_bytes("Фамилия;Имя;Дата рождения;Класс", "Иванов;Иван;14.05.2011;9А")
    services.pupil_import_commit(
        pupil_import=preview(data, world.school_a, counsellor_a), by=counsellor_a
    )
    with pytest.raises(ProtectedError) as info:
        counsellor_a.delete()
    entry = AuditEntry.objects.get()
    assert entry in info.value.protected_objects
    assert entry.actor == counsellor_a


def test_many_chunks_keep_each_audit_row_with_its_own_pupil(world, counsellor_a, monkeypatch):
    # New pupils are written sorted by name within each chunk; keys must follow the rows.
    monkeypatch.setattr(services, "CHUNK_SIZE", 4)
    names = ["Яковлев", "Борисов", "Эриков", "Артёмов", "Юрьев"]
    names += ["Вадимов", "Глебов", "Денисов", "Жоров", "Олегов"]
    lines = [f"{name};{first};14.05.2011;9А" for name in names for first in ("Иван", "Анна")]
    counts = services.pupil_import_commit(
        pupil_import=preview(
            csv_bytes("Фамилия;Имя;Дата рождения;Класс", *lines), world.school_a, counsellor_a
        ),
        by=counsellor_a,
    )
    assert counts.created == 20
    entries = AuditEntry.objects.select_related("student")
    assert len(entries) == 20
    assert {e.subject for e in entries} == {
        line.split(";", 2)[0] + " " + line.split(";")[1] for line in lines
    }
    for entry in entries:
        assert entry.subject == entry.student.full_name
    assert len(set(Student.objects.values_list("uuid", flat=True))) == 20


def test_preview_keeps_the_checked_rows_not_the_file(world, counsellor_a):
    data = (DATA / "pupils_broken.csv").read_bytes()
    pupil_import = preview(data, world.school_a, counsellor_a)
    content = bytes(pupil_import.content)
    assert content.startswith(stored.MAGIC)
    assert data not in content
    with stored.open_checked(content, academic_year=YEAR) as checked:
        kept = [row.to_pupil_row() for row in checked.rows()]
    assert kept == rows_of(data)


def test_checked_rows_read_back_exactly_as_checked():
    data = xlsx_bytes(
        [
            ["ФИО", "Дата рождения", "Класс", "Пол", "Телефон"],
            ["Иванов Иван", datetime.date(2011, 5, 14), 9, "м", 79001234567],
            ['Д"Арк  Жанна\r\nМария', "31.02.2011", "9\nА", "x", "телефон"],
            ["Иванов Иван", "14.05.2011", "9", "", ""],
        ]
    )
    with open_pupil_list(data, academic_year=YEAR) as pupils:
        packed = stored.check_pupil_list(pupils)
    assert (packed.total, packed.invalid) == (3, 2)
    with stored.open_checked(packed.content, academic_year=YEAR) as checked:
        assert checked.columns.recognised() == [
            ("full_name", "ФИО"),
            ("birth_date", "Дата рождения"),
            ("class", "Класс"),
            ("sex", "Пол"),
            ("phone", "Телефон"),
        ]
        assert [row.to_pupil_row() for row in checked.rows()] == rows_of(data)


def test_a_list_checked_into_the_first_csv_layout_still_reads_back_and_commits(world, counsellor_a):
    meta = '{"columns": {"last_name": 0, "first_name": 1, "birth_date": 2, "class": 3}, '
    meta += '"header": 1, "ignored": []}'
    lines = [
        "2,Иванов,Иван,,2011-05-14,14.05.2011,9,А,9А,,,,",
        '3,"Д\'Арк, ""Жанна""",Мария,,2011-01-02,02.01.2011,9,А,9А,,,,',
    ]
    content = stored.MAGIC_CSV + gzip.compress(("\r\n".join([meta, *lines]) + "\r\n").encode())
    pupil_import = f.PupilImportFactory(
        organisation=world.school_a, uploaded_by=counsellor_a, content=content, rows_total=2
    )
    page = selectors.pupil_import_preview_page(pupil_import=pupil_import, page_number=1)
    assert [item.row.full_name for item in page.rows] == ["Иванов Иван", 'Д\'Арк, "Жанна" Мария']
    assert services.pupil_import_commit(pupil_import=pupil_import, by=counsellor_a).created == 2
    assert set(Student.objects.values_list("last_name", "birth_date")) == {
        ("Иванов", datetime.date(2011, 5, 14)),
        ('Д\'Арк, "Жанна"', datetime.date(2011, 1, 2)),
    }


def test_a_list_previewed_before_the_checked_form_is_still_read_from_its_file(world, counsellor_a):
    data = csv_bytes("Фамилия;Имя;Дата рождения;Класс", "Иванов;Иван;14.05.2011;9А")
    pupil_import = f.PupilImportFactory(
        organisation=world.school_a, uploaded_by=counsellor_a, content=data, rows_total=1
    )
    page = selectors.pupil_import_preview_page(pupil_import=pupil_import, page_number=1)
    assert [item.row.full_name for item in page.rows] == ["Иванов Иван"]
    counts = services.pupil_import_commit(pupil_import=pupil_import, by=counsellor_a)
    assert counts.created == 1


@pytest.mark.parametrize("where", ["header", "middle", "end"])
def test_damaged_checked_rows_are_refused_with_a_message(world, counsellor_a, where):
    lines = [f"Иванов;Иван{'а' * n};14.05.2011;9А" for n in range(1, 60)]
    data = csv_bytes("Фамилия;Имя;Дата рождения;Класс", *lines)
    pupil_import = preview(data, world.school_a, counsellor_a)
    content = bytes(pupil_import.content)
    at = {"header": len(stored.MAGIC) + 12, "middle": len(content) // 2, "end": -12}[where]
    damaged = content[:at] + b"\xff" * 8 + content[at + 8 :]
    PupilImport.objects.filter(pk=pupil_import.pk).update(content=damaged)
    pupil_import.refresh_from_db()
    page = selectors.pupil_import_preview_page(pupil_import=pupil_import, page_number=1)
    assert page.rows == []
    with pytest.raises(services.PupilImportError) as info:
        services.pupil_import_commit(pupil_import=pupil_import, by=counsellor_a)
    assert "загрузите файл ещё раз" in info.value.message
    assert not Student.objects.exists()


def test_preview_page_has_200_rows_and_the_errors_filter(world, counsellor_a):
    lines = [f"Иванов;Иван{'а' * (n % 40)}{'о' * (n // 40)};14.05.2011;9А" for n in range(450)]
    lines[300] = ";Без фамилии;14.05.2011;9А"
    pupil_import = preview(
        csv_bytes("Фамилия;Имя;Дата рождения;Класс", *lines), world.school_a, counsellor_a
    )
    assert (pupil_import.rows_total, pupil_import.rows_invalid) == (450, 1)

    second = selectors.pupil_import_preview_page(pupil_import=pupil_import, page_number=2)
    assert second.page.paginator.num_pages == 3
    assert [item.row.line for item in second.rows] == list(range(202, 402))
    assert (second.new, second.updates) == (449, 0)

    only_errors = selectors.pupil_import_preview_page(
        pupil_import=pupil_import, page_number=1, only_errors=True
    )
    assert [item.row.line for item in only_errors.rows] == [302]

    last = selectors.pupil_import_preview_page(pupil_import=pupil_import, page_number="99")
    assert last.page.number == 3
    assert len(last.rows) == 50
