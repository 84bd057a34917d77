"""Importing «Работа России» vacancies: upsert, idempotence, closing, employers, queries."""

from __future__ import annotations

import dataclasses
import sqlite3
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from employers.models import Vacancy
from labour.importers.trudvsem import VacancyRecord, open_trudvsem_file
from labour.models import VacancyImport
from labour.services.imports import VacancyImportError, vacancies_import
from resource_center.models import Organisation
from tests import factories as f

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parent.parent / "data" / "trudvsem"
PERM = "5900000000000"
TRUDVSEM = Vacancy.Source.TRUDVSEM


@pytest.fixture
def district():
    return f.DistrictFactory()


def run_import(district, name="api_v1.json", **kwargs):
    options = {"source": TRUDVSEM, "region_code": PERM, "district": district, **kwargs}
    records = kwargs.pop("records", None) or open_trudvsem_file(DATA / name)
    options["records"] = records
    return vacancies_import(origin=name, **options)


def snapshot():
    return list(
        Vacancy.objects.order_by("external_id").values_list(
            "external_id", "title", "salary_from", "salary_to", "status", "updated_at", "employer"
        )
    )


def test_import_creates_published_vacancies_with_their_fields(district):
    run = run_import(district)

    assert (run.status, run.created_count, run.skipped_count) == (VacancyImport.Status.DONE, 3, 0)
    fitter = Vacancy.objects.get(external_id="0a1b2c3d-0001-11ee-8000-000000000001")
    assert fitter.source == TRUDVSEM
    assert fitter.status == Vacancy.Status.PUBLISHED
    assert timezone.localtime(fitter.published_at).date().isoformat() == "2026-09-01"
    assert fitter.title == "Слесарь-ремонтник"
    assert (fitter.salary_from, fitter.salary_to) == (40000, 60000)
    assert fitter.schedule == Vacancy.Schedule.SHIFT
    assert fitter.employment_type == Vacancy.EmploymentType.FULL
    assert fitter.education == "Среднее профессиональное"
    assert fitter.experience_years == 3
    assert fitter.description.startswith("Ремонт оборудования")
    assert "<" not in fitter.description + fitter.requirements
    assert fitter.sector == "Производство"
    assert fitter.okpdtr_code == "18559"
    assert fitter.work_places == 2
    assert fitter.last_seen_at is not None
    assert Vacancy.objects.published().count() == 3
    seller = Vacancy.objects.get(title="Продавец")
    assert (seller.salary_from, seller.salary_to) == (None, None)


def test_import_twice_changes_nothing(district):
    run_import(district)
    before = snapshot()
    employers_before = Organisation.objects.count()

    again = run_import(district)

    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 3)
    assert again.closed_count == 0
    assert snapshot() == before
    assert Organisation.objects.count() == employers_before
    assert VacancyImport.objects.count() == 2


def test_changed_vacancy_is_updated_and_only_it(district):
    run_import(district)
    reader = list(open_trudvsem_file(DATA / "api_v1.json"))
    reader[1] = dataclasses.replace(reader[1], title="Программист 1С (ведущий)", salary_to=200000)

    run = run_import(district, records=reader)

    assert (run.created_count, run.updated_count, run.unchanged_count) == (0, 1, 2)
    changed = Vacancy.objects.get(external_id="0a1b2c3d-0002-11ee-8000-000000000002")
    assert (changed.title, changed.salary_to) == ("Программист 1С (ведущий)", 200000)


def test_vacancies_gone_from_a_full_import_are_closed(district):
    run_import(district)
    remaining = list(open_trudvsem_file(DATA / "api_v1.json"))[:2]

    run = run_import(district, records=remaining)

    assert run.closed_count == 1
    gone = Vacancy.objects.get(external_id="0a1b2c3d-0003-11ee-8000-000000000003")
    assert gone.status == Vacancy.Status.CLOSED
    assert gone.closed_at is not None
    assert Vacancy.objects.filter(status=Vacancy.Status.PUBLISHED).count() == 2


def test_without_close_missing_gone_vacancies_stay_open(district):
    run_import(district)
    remaining = list(open_trudvsem_file(DATA / "api_v1.json"))[:2]

    run = run_import(district, records=remaining, close_missing=False)

    assert run.closed_count == 0
    assert Vacancy.objects.filter(status=Vacancy.Status.PUBLISHED).count() == 3


def test_closing_leaves_manual_vacancies_and_other_districts_alone(district, world):
    manual = f.VacancyFactory(employer=world.employer, status=Vacancy.Status.PUBLISHED)
    far_employer = f.EmployerFactory(district=world.other_district_school.district)
    far = f.VacancyFactory(
        employer=far_employer, status=Vacancy.Status.PUBLISHED, source=TRUDVSEM, external_id="far"
    )

    run_import(world.district)

    manual.refresh_from_db()
    far.refresh_from_db()
    assert manual.status == Vacancy.Status.PUBLISHED
    assert far.status == Vacancy.Status.PUBLISHED


def test_closed_vacancy_that_comes_back_is_published_again(district):
    run_import(district)
    run_import(district, records=list(open_trudvsem_file(DATA / "api_v1.json"))[:2])

    run = run_import(district)

    back = Vacancy.objects.get(external_id="0a1b2c3d-0003-11ee-8000-000000000003")
    assert run.updated_count == 1
    assert (back.status, back.closed_at) == (Vacancy.Status.PUBLISHED, None)


def test_employer_matched_by_inn_even_under_another_name(district):
    known = f.EmployerFactory(district=district, short_name="Машзавод", inn="5902010013")

    run_import(district)

    fitter = Vacancy.objects.get(external_id="0a1b2c3d-0001-11ee-8000-000000000001")
    assert fitter.employer == known


def test_employer_matched_by_name_among_the_districts_employers(district):
    known = f.EmployerFactory(
        district=district, short_name="ИП Петров", full_name="ИП Петров Пётр Петрович"
    )

    run_import(district)

    assert Vacancy.objects.get(title="Продавец").employer == known


def test_unknown_employers_are_created_in_the_district(district):
    run_import(district)

    created = Organisation.objects.get(inn="5902010013")
    assert created.kind == Organisation.Kind.EMPLOYER
    assert created.district == district
    assert created.full_name == 'ООО "Нытвенский машзавод"'
    assert created.phone == "+7 (34272) 3-00-01"
    assert created.email == "hr@example.org"
    assert Organisation.objects.filter(full_name="ИП Петров Пётр Петрович").count() == 1
    assert Organisation.objects.filter(kind=Organisation.Kind.EMPLOYER).count() == 3


def test_same_new_employer_in_several_vacancies_is_created_once(district):
    records = list(open_trudvsem_file(DATA / "without_id.json"))

    run = run_import(district, records=records)

    assert run.created_count == 1
    assert Organisation.objects.filter(full_name="ООО «Чистота»").count() == 1


def test_namesake_with_another_inn_is_a_different_employer(district):
    f.EmployerFactory(
        district=district,
        short_name="ООО «Уралтехно»",
        full_name="ООО «Уралтехно»",
        inn="5902010013",
    )

    run_import(district, name="api_v1_int_status.json")

    employers = Organisation.objects.filter(full_name="ООО «Уралтехно»")
    assert {e.inn for e in employers} == {"5902010013", "5916000030"}
    assert Vacancy.objects.get().employer.inn == "5916000030"


def test_invalid_records_are_skipped_and_listed(district):
    run = run_import(district, name="without_id.json")

    assert (run.created_count, run.skipped_count) == (1, 2)
    assert "Вакансия № 1: нет идентификатора вакансии (id)." in run.errors
    assert "Вакансия № 2 (id d0000000-0002-4000-8000-000000000002): нет названия" in run.errors
    assert Vacancy.objects.get().title == "Дворник"


def test_stored_errors_are_capped_but_counted(district, monkeypatch):
    monkeypatch.setattr("labour.services.imports.MAX_STORED_ERRORS", 2)
    records = [
        VacancyRecord(position=n, error="нет идентификатора вакансии (id)") for n in range(5)
    ]

    run = run_import(district, records=records)

    assert run.skipped_count == 5
    assert run.errors.count("нет идентификатора") == 2
    assert "… и ещё ошибок: 3." in run.errors


def test_repeated_id_in_one_file_is_skipped(district):
    records = list(open_trudvsem_file(DATA / "api_v1.json"))
    duplicate = dataclasses.replace(records[0], position=4, title="Другое")

    run = run_import(district, records=[*records, duplicate])

    assert (run.created_count, run.skipped_count) == (3, 1)
    assert "повторяет вакансию" in run.errors


def test_bulk_dataset_skips_other_regions(district):
    run = run_import(district, name="bulk_dataset.json")

    assert (run.created_count, run.skipped_count) == (2, 1)
    assert "Вакансий других регионов" in run.errors
    assert not Vacancy.objects.filter(title="Водитель").exists()


def test_legacy_export_imports(district):
    run = run_import(district, name="legacy_2016.json")

    vacancy = Vacancy.objects.get()
    assert run.created_count == 1
    assert vacancy.address == "Пермский край, г Нытва, ул Ленина, 5"
    assert vacancy.sector == "ЖКХ, эксплуатация"


@pytest.mark.parametrize("name", ["truncated.json", "not_json.json", "wrong_top_level.json"])
def test_broken_file_changes_nothing_and_is_recorded_as_failed(district, name):
    run_import(district)
    before = snapshot()

    with pytest.raises(VacancyImportError) as caught:
        run_import(district, name=name)

    assert "Ничего не загружено" in caught.value.message
    assert snapshot() == before
    failed = VacancyImport.objects.get(status=VacancyImport.Status.FAILED)
    assert failed.errors == caught.value.message
    assert failed.created_count == failed.closed_count == 0


def test_file_broken_after_a_full_chunk_rolls_back_the_saved_chunk(district, monkeypatch):
    monkeypatch.setattr("labour.services.imports.CHUNK_SIZE", 1)

    with pytest.raises(VacancyImportError):
        run_import(district, name="truncated.json")

    assert not Vacancy.objects.exists()
    assert not Organisation.objects.filter(kind=Organisation.Kind.EMPLOYER).exists()


def test_dry_run_counts_and_saves_nothing(district):
    run = run_import(district, dry_run=True)

    assert run.created_count == 3
    assert run.pk is None
    assert not Vacancy.objects.exists()
    assert not VacancyImport.objects.exists()


def test_incomplete_reader_closes_nothing(district):
    run_import(district)

    class Partial(list):
        complete = False
        notes = ["Сервис отдаёт не больше 100 страниц."]

    run = run_import(district, records=Partial(list(open_trudvsem_file(DATA / "api_v1.json"))[:1]))

    assert run.closed_count == 0
    assert "100 страниц" in run.errors
    assert Vacancy.objects.filter(status=Vacancy.Status.PUBLISHED).count() == 3


def make_records(count: int) -> list[VacancyRecord]:
    return [
        VacancyRecord(
            position=n,
            external_id=f"ext-{n}",
            title=f"Профессия {n}",
            employer_name=f"ООО «Работодатель {n}»",
            salary_from=10000 + n,
            created_at=timezone.now(),
        )
        for n in range(count)
    ]


@pytest.fixture
def sqlite_real_parameter_limit(monkeypatch):
    """Django 5.2 assumes SQLite's old limit of 999 parameters a statement and splits bulk
    writes into batches of ~40 rows; SQLite since 3.32 takes 32766 (Django 6 reads it from
    the connection). Use the real limit, so SQLite batches as PostgreSQL does."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        limit = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        monkeypatch.setattr(connection.features, "max_query_params", limit)


@pytest.mark.usefixtures("sqlite_real_parameter_limit")
@pytest.mark.parametrize("phase", ["create", "reimport", "update"])
def test_query_count_does_not_grow_with_records(django_assert_max_num_queries, phase):
    counts = []
    for size in (10, 200):
        district = f.DistrictFactory(name=f"Район {phase} {size}")
        records = make_records(size)
        if phase != "create":
            vacancies_import(
                records=records, source=TRUDVSEM, origin="t", district=district, region_code=PERM
            )
        if phase == "update":
            records = [dataclasses.replace(r, title=r.title + " (изм.)") for r in records]
        # savepoint, district's employers, chunk's vacancies, employers by ИНН (none here),
        # new employers, new vacancies or changed ones, last_seen_at, closing, the run,
        # release savepoint
        with django_assert_max_num_queries(10) as context:
            vacancies_import(
                records=records, source=TRUDVSEM, origin="t", district=district, region_code=PERM
            )
        counts.append(len(context.captured_queries))
        Vacancy.objects.all().delete()
    assert counts[0] == counts[1]
