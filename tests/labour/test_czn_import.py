"""The employment centre's CSV/XLSX exports: reading, preview with per-row errors, commit."""

from __future__ import annotations

import datetime
import io
from pathlib import Path

import openpyxl
import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from employers.models import Vacancy
from labour.importers.czn import CznExportError, open_czn_export
from labour.models import MappingRule, VacancyImport
from labour.services import imports, uploads
from resource_center.lib.checks import inn_is_valid, inn_with_check_digits
from resource_center.models import Organisation, Role
from tests import factories as f

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parent.parent / "data" / "czn"
CENTRE = Vacancy.Source.EMPLOYMENT_CENTRE
ZAVOD_INN = "5916001019"  # «Нытвенский завод» in czn_cp1251_semicolon.csv


def read(name: str) -> bytes:
    return (DATA / name).read_bytes()


def records_of(content: bytes) -> list:
    with open_czn_export(content) as export:
        return list(export)


def upload(client, content: bytes, name: str = "вакансии.csv", **extra):
    file = SimpleUploadedFile(name, content, content_type="application/octet-stream")
    return client.post(reverse("labour:import_upload"), {"file": file, **extra})


def preview_of(district, user, name: str = "czn_cp1251_semicolon.csv") -> VacancyImport:
    return uploads.vacancy_import_preview(
        file=SimpleUploadedFile(name, read(name)), district=district, by=user
    )


def commit(run: VacancyImport, user) -> VacancyImport:
    return uploads.vacancy_import_commit(vacancy_import=run, by=user)


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def csv_of(header: list[str], rows: list[list[str]]) -> bytes:
    lines = [";".join(header), *(";".join(row) for row in rows)]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def export_rows(count: int, *, start: int = 0) -> bytes:
    return csv_of(
        ["Номер вакансии", "Наименование вакансии", "Работодатель", "ИНН", "Зарплата от"],
        [
            [f"N-{n}", f"Профессия {n}", "ООО «Нытвенский завод»", ZAVOD_INN, str(20000 + n)]
            for n in range(start, start + count)
        ],
    )


# --- reading ---------------------------------------------------------------------------------


def test_cp1251_semicolon_export_with_a_title_line_is_read_with_its_fields():
    with open_czn_export(read("czn_cp1251_semicolon.csv")) as export:
        records = list(export)
        assert (export.file_format, export.encoding) == ("csv", "cp1251")

    assert [r.file_id for r in records] == ["59-1021", "59-1022", "59-1023", "59-1024"]
    assert not any(r.errors for r in records)
    fitter = records[0]
    assert fitter.line == 3  # the title line and the header above it
    assert fitter.title == "Слесарь-ремонтник"
    assert fitter.employer_name == "ООО «Нытвенский завод»"
    assert fitter.employer_inn == ZAVOD_INN
    assert fitter.okpdtr_code == "18559"
    assert (fitter.salary_from, fitter.salary_to) == (40000, 60000)
    assert fitter.work_places == 2
    assert fitter.schedule == Vacancy.Schedule.SHIFT
    assert fitter.employment_type == Vacancy.EmploymentType.FULL
    assert fitter.experience_years == 3
    assert fitter.address == "г. Нытва, ул. Ленина, 5"
    assert timezone.localtime(fitter.created_at).date() == datetime.date(2026, 9, 1)
    seller = records[1]
    assert (seller.salary_from, seller.salary_to, seller.experience_years) == (25000, None, 0)
    # 0 is how the centre writes «not specified»; an ISO date is understood as well.
    teacher = records[3]
    assert (teacher.salary_from, teacher.salary_to) == (None, None)
    assert timezone.localtime(teacher.created_at).date() == datetime.date(2026, 8, 30)


@pytest.mark.parametrize(
    ("header", "value", "attribute", "expected"),
    [
        ("Наименование вакансии", "Токарь", "title", "Токарь"),
        ("Профессия (должность)", "Токарь", "title", "Токарь"),
        ("Должность", "Токарь", "title", "Токарь"),
        ("Работодатель", "ООО «Завод»", "employer_name", "ООО «Завод»"),
        ("Наименование работодателя", "ООО «Завод»", "employer_name", "ООО «Завод»"),
        ("Организация", "ООО «Завод»", "employer_name", "ООО «Завод»"),
        ("ИНН работодателя", ZAVOD_INN, "employer_inn", ZAVOD_INN),
        ("ОГРН", "1025901234567", "employer_ogrn", "1025901234567"),
        ("Код профессии", "19149", "okpdtr_code", "19149"),
        ("ОКПДТР", "19149", "okpdtr_code", "19149"),
        ("Зарплата от", "30 000", "salary_from", 30000),
        ("Заработная плата от, руб.", "30000,00", "salary_from", 30000),
        ("Зарплата до", "45000", "salary_to", 45000),
        ("Заработная плата", "от 30 000 до 45 000", "salary_to", 45000),
        ("Количество рабочих мест", "4", "work_places", 4),
        ("Кол-во мест", "4", "work_places", 4),
        ("График работы", "Сменный график", "schedule", Vacancy.Schedule.SHIFT),
        ("Тип занятости", "Частичная занятость", "employment_type", Vacancy.EmploymentType.PART),
        ("Характер работы", "Временная", "employment_type", Vacancy.EmploymentType.TEMPORARY),
        ("Образование", "Среднее профессиональное", "education", "Среднее профессиональное"),
        ("Опыт работы (лет)", "2", "experience_years", 2),
        ("Стаж", "от 1 года", "experience_years", 1),
        ("Адрес", "г. Нытва", "address", "г. Нытва"),
        ("Телефон", "+73427230000", "employer_phone", "+73427230000"),
        ("Идентификатор", "X-9", "file_id", "X-9"),
        ("ID", "X-9", "file_id", "X-9"),
    ],
)
def test_usual_header_spellings_are_recognised(header, value, attribute, expected):
    base = {"Номер вакансии": "1", "Наименование вакансии": "Слесарь", "ИНН": ZAVOD_INN}
    # The tested column replaces the base column that stands for the same field.
    same_field = {
        "title": "Наименование вакансии",
        "file_id": "Номер вакансии",
        "employer_inn": "ИНН",
    }.get(attribute)
    columns = {k: v for k, v in base.items() if k != same_field}
    columns[header] = value

    (record,) = records_of(csv_of(list(columns), [list(columns.values())]))

    assert getattr(record, attribute) == expected
    assert record.errors == []


@pytest.mark.parametrize("header", ["Дата размещения", "Дата создания"])
def test_date_headers_are_recognised(header):
    content = csv_of(
        ["ID", "Должность", "Организация", header], [["1", "Повар", "ООО «Кафе»", "14.05.2026"]]
    )

    (record,) = records_of(content)

    assert timezone.localtime(record.created_at).date() == datetime.date(2026, 5, 14)


def test_each_row_gets_its_own_errors():
    records = records_of(read("czn_utf8_bom_errors.csv"))

    errors = {r.line: r.errors for r in records}
    assert errors[2] == []
    assert errors[3] == ["Нет наименования вакансии."]
    assert "Нет номера вакансии" in errors[4][0]
    assert "повторная загрузка" in errors[4][0]
    assert errors[5] == ["ИНН 5916006064 неверен: не сходятся контрольные цифры."]
    assert not inn_is_valid("5916006064")
    assert errors[6] == ["Зарплата от (60000) больше зарплаты до (50000)."]
    assert errors[7] == ["Количество рабочих мест должно быть не меньше 1, а указано -2."]
    assert errors[8] == ["Дата размещения «31.02.2026» не понята: нужна дата вида 01.09.2026."]
    assert errors[9] == ["Номер вакансии A-1 уже встречался в строке 2."]
    # Every erroneous record carries its errors where vacancies_import looks for them.
    assert all(bool(r.error) == bool(r.errors) for r in records)


def test_a_row_can_have_several_errors_and_future_dates_are_refused():
    content = csv_of(
        ["Номер вакансии", "Должность", "Работодатель", "Зарплата от", "Дата размещения"],
        [["7", "", "", "много", "01.01.2099"]],
    )

    (record,) = records_of(content)

    assert record.errors == [
        "Нет наименования вакансии.",
        "Не указан работодатель: нет ни наименования, ни ИНН.",
        "Зарплата от «много» — не число.",
        "Дата размещения 01.01.2099 ещё не наступила.",
    ]


def test_xlsx_written_by_excel_is_read_with_dates_and_numbers():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Выгрузка вакансий"])
    sheet.append(
        ["Номер вакансии", "Должность", "Организация", "ИНН", "Кол-во мест", "Дата создания"]
    )
    sheet.append([1021, "Токарь", "ООО «Завод»", int(ZAVOD_INN), 2, datetime.date(2026, 9, 1)])
    # A region 01–09 ИНН typed as a number loses its leading zero in Excel.
    zero_inn = inn_with_check_digits("027400001")
    # A date typed as Excel's serial number (days since 30.12.1899).
    serial = (datetime.date(2026, 8, 31) - datetime.date(1899, 12, 30)).days
    sheet.append([1022.0, "Сварщик", "ООО «Уфа»", int(zero_inn), 1.0, serial])
    output = io.BytesIO()
    workbook.save(output)

    with open_czn_export(output.getvalue()) as export:
        first, second = list(export)
        assert export.file_format == "xlsx"

    assert (first.file_id, first.employer_inn, first.work_places) == ("1021", ZAVOD_INN, 2)
    assert timezone.localtime(first.created_at).date() == datetime.date(2026, 9, 1)
    assert (second.file_id, second.employer_inn) == ("1022", zero_inn)
    assert timezone.localtime(second.created_at).date() == datetime.date(2026, 8, 31)
    assert first.errors == second.errors == []


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("czn_broken.xlsx", "Файл повреждён"),
        ("czn_no_columns.csv", "не найдены знакомые заголовки"),
        ("czn_no_id_column.csv", "«Номер вакансии»"),
        ("czn_empty.csv", "Файл пуст."),
    ],
)
def test_unreadable_files_raise_one_message(name, message):
    with pytest.raises(CznExportError) as caught:
        open_czn_export(read(name))

    assert message in caught.value.message


def test_missing_id_column_says_why_it_is_needed():
    with pytest.raises(CznExportError) as caught:
        open_czn_export(read("czn_no_id_column.csv"))

    assert "повторная загрузка не обновит вакансии, а добавит их заново" in caught.value.message


# --- upload and preview ----------------------------------------------------------------------


def test_upload_keeps_the_file_in_preview_and_saves_no_vacancy(client, world, centre_specialist):
    client.force_login(centre_specialist)
    content = read("czn_utf8_bom_errors.csv")

    response = upload(client, content, name="ЦЗН ноябрь.csv")

    run = VacancyImport.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("labour:import_preview", kwargs={"uuid": run.uuid})
    assert run.status == VacancyImport.Status.PREVIEW
    assert (run.source, run.district, run.started_by) == (CENTRE, world.district, centre_specialist)
    assert (run.origin, run.file_format, run.encoding) == ("ЦЗН ноябрь.csv", "csv", "utf-8-sig")
    assert bytes(run.content) == content
    records = records_of(content)
    assert run.rows_total == len(records)
    assert run.rows_invalid == sum(1 for r in records if r.errors)
    assert not Vacancy.objects.exists()


def test_preview_shows_every_row_with_its_errors(client, world, centre_specialist):
    client.force_login(centre_specialist)
    run = preview_of(world.district, centre_specialist, "czn_utf8_bom_errors.csv")
    records = records_of(read("czn_utf8_bom_errors.csv"))

    response = client.get(reverse("labour:import_preview", kwargs={"uuid": run.uuid}))

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('data-testid="preview-row"') == len(records)
    for record in records:
        for error in record.errors:
            assert error in html
    assert "Повар-кондитер" in html
    assert 'data-testid="import-commit" disabled' in html
    assert 'data-testid="count-invalid">7<' in html


def test_preview_filter_shows_only_rows_with_errors(client, world, centre_specialist):
    client.force_login(centre_specialist)
    run = preview_of(world.district, centre_specialist, "czn_utf8_bom_errors.csv")

    response = client.get(
        reverse("labour:import_preview", kwargs={"uuid": run.uuid}), {"errors": "1"}
    )

    html = response.content.decode()
    assert html.count('data-testid="preview-row"') == run.rows_invalid
    assert ">Повар<" not in html  # the only valid row
    assert "Повар-кондитер" in html


def test_preview_is_paginated(client, world, centre_specialist, monkeypatch):
    monkeypatch.setattr("labour.selectors_imports.PREVIEW_PAGE_SIZE", 3)
    client.force_login(centre_specialist)
    run = uploads.vacancy_import_preview(
        file=io.BytesIO(export_rows(7)), district=world.district, by=centre_specialist
    )
    url = reverse("labour:import_preview", kwargs={"uuid": run.uuid})

    last = client.get(url, {"page": 3}).content.decode()

    assert last.count('data-testid="preview-row"') == 1
    assert "Профессия 6" in last
    assert "Страница 3 из 3" in last


def test_preview_counts_new_updated_and_closed(client, world, centre_specialist):
    commit(preview_of(world.district, centre_specialist), centre_specialist)
    # The next export lists two of the four and one new vacancy.
    content = csv_of(
        ["Номер вакансии", "Должность", "ИНН"],
        [
            ["59-1021", "Слесарь-ремонтник", ZAVOD_INN],
            ["59-1022", "Продавец", ZAVOD_INN],
            ["59-2000", "Токарь", ZAVOD_INN],
        ],
    )
    run = uploads.vacancy_import_preview(
        file=io.BytesIO(content), district=world.district, by=centre_specialist
    )
    client.force_login(centre_specialist)

    html = client.get(reverse("labour:import_preview", kwargs={"uuid": run.uuid})).content.decode()

    assert 'data-testid="count-new">1<' in html
    assert 'data-testid="count-updates">2<' in html
    assert 'data-testid="count-closes">2<' in html


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"%PDF-1.4 not a table", "Это PDF-документ, а не таблица."),
        (b"", "Файл пуст."),
        ("Номер вакансии;Должность;ИНН\r\n".encode(), "нет ни одной строки с вакансией"),
        (read("czn_broken.xlsx"), "Файл повреждён"),
        (read("czn_no_columns.csv"), "не найдены знакомые заголовки"),
        (read("czn_no_id_column.csv"), "Не найдены столбцы: «Номер вакансии»"),
    ],
)
def test_unusable_uploads_are_refused_with_a_message(
    client, world, centre_specialist, content, message
):
    client.force_login(centre_specialist)

    response = upload(client, content)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not VacancyImport.objects.exists()


def test_too_large_file_is_refused(client, world, centre_specialist, settings):
    settings.VACANCY_IMPORT_MAX_BYTES = 1024 * 1024 // 2
    client.force_login(centre_specialist)

    response = upload(client, export_rows(1) + b" " * (1024 * 1024))

    assert "Файл слишком большой: можно загрузить не более 0,5 МБ." in response.content.decode()
    assert not VacancyImport.objects.exists()


def test_too_large_file_is_refused_by_the_service_too(world, centre_specialist, settings):
    settings.VACANCY_IMPORT_MAX_BYTES = 100

    with pytest.raises(uploads.VacancyUploadError) as caught:
        uploads.vacancy_import_preview(
            file=io.BytesIO(export_rows(5)), district=world.district, by=centre_specialist
        )

    assert "Файл слишком большой" in caught.value.message


def test_user_of_several_districts_chooses_the_district(client, world, coordinator):
    far = world.other_district_school.district
    centre_far = f.OrganisationFactory(district=far, kind=Organisation.Kind.RESOURCE_CENTRE)
    f.MembershipFactory(user=coordinator, organisation=centre_far, role=Role.COORDINATOR)
    client.force_login(coordinator)

    form_page = client.get(reverse("labour:import_upload")).content.decode()
    response = upload(client, read("czn_cp1251_semicolon.csv"), district=far.pk)

    assert 'name="district"' in form_page
    assert response.status_code == 302
    assert VacancyImport.objects.get().district == far


def test_single_district_user_is_not_asked_for_a_district(client, world, centre_specialist):
    client.force_login(centre_specialist)

    html = client.get(reverse("labour:import_upload")).content.decode()

    assert 'name="district"' not in html
    assert 'name="file"' in html


# --- commit and discard ----------------------------------------------------------------------


def test_commit_saves_every_row_as_a_published_centre_vacancy(client, world, centre_specialist):
    world.employer.inn = ZAVOD_INN
    world.employer.save(update_fields=["inn"])
    profession = f.ProfessionFactory(title="Слесарь механосборочных работ")
    MappingRule.objects.update_or_create(
        kind=MappingRule.Kind.CODE,
        pattern="18559",
        defaults={"profession": profession, "priority": 0},
    )
    run = preview_of(world.district, centre_specialist)
    client.force_login(centre_specialist)
    employers_before = Organisation.objects.filter(kind=Organisation.Kind.EMPLOYER).count()

    response = client.post(reverse("labour:import_commit", kwargs={"uuid": run.uuid}))

    run.refresh_from_db()
    records = records_of(read("czn_cp1251_semicolon.csv"))
    assert response.status_code == 302
    assert response.url == reverse("labour:import_list")
    assert "добавлено 4" in messages_of(response)[0]
    assert (run.status, run.created_count, run.skipped_count) == ("done", len(records), 0)
    assert bytes(run.content) == b""
    assert run.finished_at is not None
    vacancies = Vacancy.objects.filter(source=CENTRE)
    assert vacancies.count() == len(records)
    assert set(vacancies.values_list("status", flat=True)) == {Vacancy.Status.PUBLISHED}
    fitter = vacancies.get(title="Слесарь-ремонтник")
    # The district's employer is found by its ИНН, not created again.
    assert fitter.employer == world.employer
    assert vacancies.get(title="Электрогазосварщик").employer == world.employer
    assert fitter.external_id == f"{world.district.pk}:59-1021"
    assert (fitter.salary_from, fitter.salary_to, fitter.work_places) == (40000, 60000, 2)
    assert timezone.localtime(fitter.published_at).date() == datetime.date(2026, 9, 1)
    # Mapped by the rules after the commit.
    assert fitter.profession == profession
    # Unknown employers are created in the district, one per ИНН.
    created = Organisation.objects.filter(kind=Organisation.Kind.EMPLOYER).exclude(
        pk__in=[world.employer.pk, world.other_employer.pk]
    )
    assert Organisation.objects.filter(kind=Organisation.Kind.EMPLOYER).count() == (
        employers_before + 2
    )
    assert set(created.values_list("inn", "district")) == {
        ("5916002020", world.district.pk),
        ("5916003030", world.district.pk),
    }


def test_commit_is_refused_while_a_row_has_errors(client, world, centre_specialist):
    run = preview_of(world.district, centre_specialist, "czn_utf8_bom_errors.csv")
    client.force_login(centre_specialist)

    response = client.post(reverse("labour:import_commit", kwargs={"uuid": run.uuid}))

    run.refresh_from_db()
    assert response.status_code == 302
    assert response.url == reverse("labour:import_preview", kwargs={"uuid": run.uuid})
    assert "строки с ошибками" in messages_of(response)[0]
    assert run.status == VacancyImport.Status.PREVIEW
    assert not Vacancy.objects.exists()


def test_commit_checks_the_stored_rows_not_the_counts(world, centre_specialist):
    run = preview_of(world.district, centre_specialist)
    VacancyImport.objects.filter(pk=run.pk).update(content=read("czn_utf8_bom_errors.csv"))

    with pytest.raises(uploads.VacancyUploadError) as caught:
        commit(run, centre_specialist)

    assert caught.value.message.startswith("Строка 3: Нет наименования вакансии.")
    assert not Vacancy.objects.exists()


def test_commit_is_all_or_nothing(world, centre_specialist, monkeypatch):
    monkeypatch.setattr(imports, "CHUNK_SIZE", 2)
    original = imports._import_chunk
    calls = []

    def failing_second_chunk(chunk, **kwargs):
        calls.append(len(chunk))
        if len(calls) == 2:
            raise IntegrityError("concurrent write")
        original(chunk, **kwargs)

    monkeypatch.setattr(imports, "_import_chunk", failing_second_chunk)
    run = preview_of(world.district, centre_specialist)
    employers_before = Organisation.objects.count()

    with pytest.raises(uploads.VacancyUploadError):
        commit(run, centre_specialist)

    run.refresh_from_db()
    assert calls == [2, 2]
    assert not Vacancy.objects.exists()
    assert Organisation.objects.count() == employers_before
    assert run.status == VacancyImport.Status.PREVIEW
    assert bytes(run.content) == read("czn_cp1251_semicolon.csv")


def test_reimporting_the_same_file_updates_without_duplicates(world, centre_specialist):
    commit(preview_of(world.district, centre_specialist), centre_specialist)
    before = list(
        Vacancy.objects.order_by("pk").values_list("pk", "title", "status", "published_at")
    )
    employers = Organisation.objects.count()

    again = commit(preview_of(world.district, centre_specialist), centre_specialist)

    assert (again.created_count, again.updated_count, again.closed_count) == (0, 0, 0)
    assert again.unchanged_count == len(before)
    assert (
        list(Vacancy.objects.order_by("pk").values_list("pk", "title", "status", "published_at"))
        == before
    )
    assert Organisation.objects.count() == employers


def test_reimport_without_dates_keeps_the_publication_date(world, centre_specialist):
    uploads.vacancy_import_commit(
        vacancy_import=uploads.vacancy_import_preview(
            file=io.BytesIO(export_rows(3)), district=world.district, by=centre_specialist
        ),
        by=centre_specialist,
    )
    published = dict(Vacancy.objects.values_list("pk", "published_at"))

    again = commit(
        uploads.vacancy_import_preview(
            file=io.BytesIO(export_rows(3)), district=world.district, by=centre_specialist
        ),
        centre_specialist,
    )

    assert (again.updated_count, again.unchanged_count) == (0, 3)
    assert dict(Vacancy.objects.values_list("pk", "published_at")) == published


def test_changed_row_is_updated_and_missing_ones_are_closed(world, centre_specialist):
    commit(preview_of(world.district, centre_specialist), centre_specialist)
    manual = f.VacancyFactory(employer=world.employer)
    trudvsem = f.VacancyFactory(employer=world.employer, source="trudvsem", external_id="59-1024")
    content = csv_of(
        ["Номер вакансии", "Должность", "ИНН", "Зарплата от"],
        [["59-1021", "Слесарь-ремонтник 5 разряда", ZAVOD_INN, "50000"]],
    )

    run = commit(
        uploads.vacancy_import_preview(
            file=io.BytesIO(content), district=world.district, by=centre_specialist
        ),
        centre_specialist,
    )

    assert (run.created_count, run.updated_count, run.closed_count) == (0, 1, 3)
    kept = Vacancy.objects.get(external_id=f"{world.district.pk}:59-1021")
    assert (kept.title, kept.salary_from, kept.status) == (
        "Слесарь-ремонтник 5 разряда",
        50000,
        "published",
    )
    closed = Vacancy.objects.filter(source=CENTRE, status=Vacancy.Status.CLOSED)
    assert closed.count() == 3
    manual.refresh_from_db()
    trudvsem.refresh_from_db()
    assert manual.status == trudvsem.status == Vacancy.Status.PUBLISHED


def test_another_district_centre_numbers_are_other_vacancies(world, centre_specialist):
    far = world.other_district_school.district
    commit(preview_of(world.district, centre_specialist), centre_specialist)
    own = set(Vacancy.objects.values_list("pk", "status"))

    far_run = commit(preview_of(far, centre_specialist), centre_specialist)

    assert far_run.created_count == 4
    assert Vacancy.objects.count() == 8
    # The far district's export closed nothing of this district, nor moved it.
    assert own <= set(Vacancy.objects.values_list("pk", "status"))


def test_discarded_import_saves_nothing(client, world, centre_specialist):
    run = preview_of(world.district, centre_specialist)
    client.force_login(centre_specialist)

    response = client.post(reverse("labour:import_discard", kwargs={"uuid": run.uuid}))
    commit_after = client.post(reverse("labour:import_commit", kwargs={"uuid": run.uuid}))

    run.refresh_from_db()
    assert response.url == reverse("labour:import_upload")
    assert (run.status, bytes(run.content)) == (VacancyImport.Status.DISCARDED, b"")
    assert "уже сохранена или отменена" in messages_of(commit_after)[-1]
    assert not Vacancy.objects.exists()
    assert not Organisation.objects.filter(inn="5916002020").exists()


def test_committed_import_cannot_be_discarded_or_committed_again(client, world, centre_specialist):
    run = commit(preview_of(world.district, centre_specialist), centre_specialist)
    client.force_login(centre_specialist)

    discard = client.post(reverse("labour:import_discard", kwargs={"uuid": run.uuid}))
    again = client.post(reverse("labour:import_commit", kwargs={"uuid": run.uuid}))
    page = client.get(reverse("labour:import_preview", kwargs={"uuid": run.uuid}))

    run.refresh_from_db()
    assert run.status == VacancyImport.Status.DONE
    assert "уже сохранена или отменена" in messages_of(discard)[-1]
    assert "уже сохранена или отменена" in messages_of(again)[-1]
    assert "Загрузка завершена: добавлено 4" in page.content.decode()
    assert Vacancy.objects.count() == 4


def test_stored_file_without_id_column_shows_a_message_not_an_error_page(
    client, world, centre_specialist
):
    run = f.VacancyImportFactory(district=world.district, started_by=centre_specialist)
    client.force_login(centre_specialist)

    page = client.get(reverse("labour:import_preview", kwargs={"uuid": run.uuid}))
    response = client.post(reverse("labour:import_commit", kwargs={"uuid": run.uuid}))

    assert page.status_code == 200
    assert "Номер вакансии" in page.content.decode()
    assert 'data-testid="import-unreadable"' in page.content.decode()
    assert response.status_code == 302
    assert messages_of(response)


def test_finished_run_of_another_source_shows_its_counts_and_errors(
    client, world, centre_specialist
):
    run = f.VacancyImportFactory(
        district=world.district,
        source=Vacancy.Source.TRUDVSEM,
        origin="https://opendata.trudvsem.ru/api/v1/vacancies/region/5900000000000",
        status=VacancyImport.Status.DONE,
        content=b"",
        created_count=12,
        updated_count=3,
        closed_count=2,
        skipped_count=1,
        errors="Вакансия № 7: нет названия должности.",
    )
    client.force_login(centre_specialist)

    html = client.get(reverse("labour:import_preview", kwargs={"uuid": run.uuid})).content.decode()

    assert "добавлено 12, обновлено 3, без изменений 0, закрыто 2" in html
    assert "Вакансия № 7: нет названия должности." in html
    assert 'data-testid="import-commit"' not in html


# --- access, methods and history -------------------------------------------------------------


@pytest.mark.parametrize("name", ["import_preview", "import_commit", "import_discard"])
def test_foreign_district_import_is_404(client, world, centre_specialist, name):
    far = world.other_district_school.district
    run = f.VacancyImportFactory(district=far, content=read("czn_cp1251_semicolon.csv"))
    client.force_login(centre_specialist)

    url = reverse(f"labour:{name}", kwargs={"uuid": run.uuid})
    response = client.get(url) if name == "import_preview" else client.post(url)

    run.refresh_from_db()
    assert response.status_code == 404
    assert run.status == VacancyImport.Status.PREVIEW


def test_commit_and_discard_answer_405_to_get(client, world, centre_specialist):
    run = preview_of(world.district, centre_specialist)
    client.force_login(centre_specialist)

    for name in ("import_commit", "import_discard"):
        assert client.get(reverse(f"labour:{name}", kwargs={"uuid": run.uuid})).status_code == 405


def test_employer_cannot_upload(client, world, employer_rep):
    client.force_login(employer_rep)

    assert upload(client, read("czn_cp1251_semicolon.csv")).status_code == 403
    assert not VacancyImport.objects.exists()


def test_history_lists_imports_of_every_source_of_own_districts(client, world, centre_specialist):
    run = preview_of(world.district, centre_specialist)
    f.VacancyImportFactory(
        district=world.district,
        source=Vacancy.Source.TRUDVSEM,
        origin="https://opendata.trudvsem.ru/api/v1/vacancies/region/5900000000000",
        status=VacancyImport.Status.DONE,
        started_by=None,
    )
    f.VacancyImportFactory(district=world.other_district_school.district, origin="чужой район.csv")
    client.force_login(centre_specialist)

    html = client.get(reverse("labour:import_list")).content.decode()

    assert html.count('data-testid="import-row"') == 2
    assert run.origin in html
    assert "opendata.trudvsem.ru" in html
    assert "чужой район.csv" not in html


def test_history_is_paginated(client, world, centre_specialist):
    f.VacancyImportFactory.create_batch(51, district=world.district, started_by=centre_specialist)
    client.force_login(centre_specialist)

    second = client.get(reverse("labour:import_list"), {"page": 2}).content.decode()

    assert second.count('data-testid="import-row"') == 1
    assert "Страница 2 из 2" in second


# --- query counts ----------------------------------------------------------------------------


def queries_of(client, url: str, params: dict | None = None) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(captured)


@pytest.mark.usefixtures("uncached")
def test_preview_page_queries_do_not_grow_with_rows(
    client, world, centre_specialist, django_assert_num_queries
):
    client.force_login(centre_specialist)
    small, large = (
        uploads.vacancy_import_preview(
            file=io.BytesIO(export_rows(size)), district=world.district, by=centre_specialist
        )
        for size in (5, 50)
    )
    commit_rows = export_rows(20)  # some rows will be updates, with their vacancies stored
    commit(
        uploads.vacancy_import_preview(
            file=io.BytesIO(commit_rows), district=world.district, by=centre_specialist
        ),
        centre_specialist,
    )
    small_url = reverse("labour:import_preview", kwargs={"uuid": small.uuid})
    large_url = reverse("labour:import_preview", kwargs={"uuid": large.uuid})
    queries_of(client, small_url)  # warm the session

    # session, user, memberships (access), whether the user is a guardian, a pupil (menu),
    # the import with district and uploader, the district's centre vacancies (new/update/close)
    with django_assert_num_queries(7):
        client.get(small_url)
    with django_assert_num_queries(7):
        client.get(large_url)


@pytest.mark.usefixtures("uncached")
def test_history_page_queries_do_not_grow_with_imports(
    client, world, centre_specialist, django_assert_num_queries
):
    client.force_login(centre_specialist)
    url = reverse("labour:import_list")
    f.VacancyImportFactory.create_batch(5, district=world.district, started_by=centre_specialist)
    queries_of(client, url)
    # session, user, memberships (access), whether the user is a guardian, a pupil (menu),
    # count, whether the user imports into several districts, page of imports with district
    # and uploader
    with django_assert_num_queries(8):
        client.get(url)
    f.VacancyImportFactory.create_batch(45, district=world.district)
    with django_assert_num_queries(8):
        client.get(url)
