"""The «Работа России» reader on every layout variant and on broken files."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest

from employers.models import Vacancy
from labour.importers.trudvsem import (
    TrudvsemFormatError,
    TrudvsemReader,
    open_trudvsem_file,
    read_trudvsem_bytes,
    strip_html,
)

DATA = Path(__file__).resolve().parent.parent / "data" / "trudvsem"


def records_of(name: str) -> list:
    return list(open_trudvsem_file(DATA / name))


def test_api_response_gives_typed_records():
    first, second, third = records_of("api_v1.json")

    assert first.is_valid
    assert first.external_id == "0a1b2c3d-0001-11ee-8000-000000000001"
    assert first.title == "Слесарь-ремонтник"
    assert first.employer_inn == "5902010013"
    assert first.employer_ogrn == "1025901000001"
    assert first.employer_name == 'ООО "Нытвенский машзавод"'
    assert first.region_code == "5900000000000"
    assert first.address == "Пермский край, г Нытва, ул Комарова, 1"
    assert (first.salary_from, first.salary_to) == (40000, 60000)
    assert first.schedule == Vacancy.Schedule.SHIFT
    assert first.employment_type == Vacancy.EmploymentType.FULL
    assert first.education == "Среднее профессиональное"
    assert first.experience_years == 3
    assert first.sector == "Производство"
    assert first.okpdtr_code == "18559"
    assert first.work_places == 2
    assert first.source_url.startswith("https://trudvsem.ru/vacancy/card/")
    assert first.created_at.date() == datetime.date(2026, 9, 1)
    assert first.modified_at == datetime.datetime(
        2026, 9, 22, 7, 0, tzinfo=datetime.UTC
    )  # 10:00 at +03:00

    # Numeric strings: salaries and experience; a "0" salary means «not specified».
    assert (second.salary_from, second.salary_to) == (150000, None)
    assert second.experience_years == 1
    assert second.schedule == Vacancy.Schedule.FLEXIBLE
    assert second.employment_type == Vacancy.EmploymentType.PART

    # Int zeros are «not specified» too; a schedule outside the portal's choices is blank.
    assert (third.salary_from, third.salary_to) == (None, None)
    assert third.schedule == ""
    assert third.employment_type == Vacancy.EmploymentType.SEASONAL
    assert third.employer_inn == ""
    assert third.employer_name == "ИП Петров Пётр Петрович"


def test_html_is_stripped_from_duty_and_requirements():
    first = records_of("api_v1.json")[0]

    assert first.duty == "Ремонт оборудования цеха № 2\nналадка\nобслуживание"
    assert first.requirements == "Допуск по электробезопасности\nОтветственность"
    assert "<" not in first.duty + first.requirements


def test_contacts_of_company_and_contact_list_are_read():
    first = records_of("api_v1.json")[0]

    assert first.employer_phone == "+7 (34272) 3-00-01"
    assert first.employer_email == "hr@example.org"
    assert first.employer_site == "https://example.org"


def test_contact_list_supplies_phone_and_email_missing_on_company():
    payload = {
        "status": "200",
        "results": {
            "vacancies": [
                {
                    "vacancy": {
                        "id": "1",
                        "job-name": "Повар",
                        "company": {"name": "ООО «Кафе»"},
                        "contact_list": [
                            {"contact_type": "Телефон", "contact_value": "+7 900 000-00-00"},
                            {"contact_type": "E-mail", "contact_value": "cafe@example.org"},
                        ],
                    }
                }
            ]
        },
    }
    (record,) = read_trudvsem_bytes(json.dumps(payload).encode())

    assert record.employer_phone == "+7 900 000-00-00"
    assert record.employer_email == "cafe@example.org"


def test_int_status_and_salary_above_maximum_are_swapped():
    (record,) = records_of("api_v1_int_status.json")

    assert record.is_valid
    # salary_min 70000 > salary_max 35000: the source mixed them up; both are kept, in order.
    assert (record.salary_from, record.salary_to) == (35000, 70000)
    assert record.experience_years == 2
    assert record.schedule == Vacancy.Schedule.ROTATION
    assert record.employment_type == Vacancy.EmploymentType.TEMPORARY


def test_legacy_export_with_single_address_object_and_msk_dates():
    (record,) = records_of("legacy_2016.json")

    assert record.is_valid
    assert record.address == "Пермский край, г Нытва, ул Ленина, 5"
    assert record.sector == "ЖКХ, эксплуатация"
    assert record.created_at == datetime.datetime(2016, 10, 1, 21, 0, tzinfo=datetime.UTC)
    assert record.modified_at.date() == datetime.date(2016, 10, 5)
    assert record.employer_phone == "+7 (34272) 3-22-22"
    assert record.employer_email == "zhkh@example.org"
    assert record.requirements == "Группа допуска III"
    assert record.source_url.endswith("c0ffee00-2016-11e6-853e-000000002016")
    assert (record.salary_from, record.salary_to) == (18000, None)


def test_bulk_dataset_with_snake_case_names():
    lathe, cook, driver = records_of("bulk_dataset.json")

    assert lathe.title == "Токарь"
    assert lathe.sector == "Производство, сельское хозяйство"
    assert lathe.region_code == "5900000000000"
    assert lathe.address == "Пермский край, г Нытва, ул Заводская, 3"
    assert lathe.employer_inn == "5908000043"
    assert lathe.education == "Среднее профессиональное"
    assert lathe.experience_years == 2
    assert lathe.schedule == Vacancy.Schedule.FULL_DAY
    assert lathe.employment_type == Vacancy.EmploymentType.FULL
    assert lathe.work_places == 3
    assert lathe.okpdtr_code == "19149"
    assert lathe.created_at.date() == datetime.date(2026, 7, 15)

    assert cook.schedule == Vacancy.Schedule.PART_TIME
    assert cook.employment_type == Vacancy.EmploymentType.INTERNSHIP
    assert (cook.salary_from, cook.salary_to) == (30000, 30000)
    assert driver.region_code == "0200000000000"


def test_vacancy_without_id_or_title_carries_a_russian_error_and_the_rest_goes_on():
    no_id, no_title, valid = records_of("without_id.json")

    assert no_id.error == "нет идентификатора вакансии (id)"
    assert no_title.error == "нет названия должности"
    assert valid.is_valid
    assert valid.title == "Дворник"


def test_vacancy_that_is_not_an_object_is_an_invalid_record():
    records = list(
        read_trudvsem_bytes(
            b'{"vacancies": [42, {"id": "1", "vacancy_name": "X", "company": {"name": "Y"}}]}'
        )
    )

    assert records[0].error == "запись не является объектом JSON"
    assert records[1].is_valid


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("not_json.json", "не читается как JSON"),
        ("truncated.json", "обрезан"),
        ("wrong_top_level.json", "нет списка вакансий"),
    ],
)
def test_broken_file_is_one_clear_russian_error(name, words):
    with pytest.raises(TrudvsemFormatError) as caught:
        records_of(name)

    assert words in caught.value.message
    assert "Ничего не загружено" in caught.value.message


@pytest.mark.parametrize("content", [b'"just a string"', b"42", b"", b"\xff\xfe{"])
def test_scalar_empty_or_binary_content_is_refused(content):
    with pytest.raises(TrudvsemFormatError):
        list(read_trudvsem_bytes(content))


def test_service_error_status_is_refused():
    with pytest.raises(TrudvsemFormatError) as caught:
        list(read_trudvsem_bytes(b'{"status": "404", "results": {}}'))

    assert "404" in caught.value.message


def test_empty_page_past_the_end_is_no_vacancies_and_no_error():
    assert (
        list(read_trudvsem_bytes(b'{"status": "200", "meta": {"total": 0}, "results": {}}')) == []
    )


def test_missing_file_is_reported():
    with pytest.raises(TrudvsemFormatError) as caught:
        open_trudvsem_file(DATA / "no_such_file.json")

    assert "не найден" in caught.value.message


def test_large_file_is_streamed_one_vacancy_at_a_time():
    # An endless stream: the reader yields vacancies before the stream (never) ends.
    class Endless:
        def __init__(self) -> None:
            self.reads = 0

        def read(self, size: int = -1) -> bytes:
            if size == 0:  # ijson's probe for bytes or text
                return b""
            self.reads += 1
            if self.reads == 1:
                return b'{"vacancies": ['
            n = self.reads
            return b'{"id": "%d", "vacancy_name": "A", "company": {"name": "B"}},' % n

    stream = Endless()
    records = iter(TrudvsemReader([stream]))

    assert [next(records).external_id for _ in range(3)] == ["2", "3", "4"]
    assert stream.reads <= 5


def test_strip_html_decodes_entities_and_drops_scripts():
    assert strip_html("<script>alert(1)</script><p>A&amp;B</p><br>C") == "A&B\nC"
