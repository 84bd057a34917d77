"""Labour-market summaries: figures on hand-computed data, periods, uniqueness, the command."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection
from django.utils import timezone

from employers.models import DualTrainingPlace, Vacancy
from labour.models import LabourSummary, ProfessionGroup
from labour.services import summaries
from labour.services.summaries import (
    labour_summaries_due,
    labour_summary_compute,
    period_bounds,
)
from labour.tasks_summaries import labour_summaries_catch_up_task, labour_summary_task
from tests import factories as f

# These tests build their own professions, groups and rules.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_mapping_defaults")]

WEEK = LabourSummary.Period.WEEK
MONTH = LabourSummary.Period.MONTH
MONDAY = datetime.date(2026, 3, 2)  # the week 2 March (Monday) – 8 March (Sunday) 2026


def at(day: datetime.date, hour: int = 12, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def d(day: int, month: int = 3) -> datetime.date:
    return datetime.date(2026, month, day)


def open_vacancy(employer, **fields) -> Vacancy:
    fields.setdefault("published_at", at(d(1, 2)))
    fields.setdefault("salary_from", None)
    fields.setdefault("salary_to", None)
    return f.VacancyFactory(employer=employer, **fields)


@pytest.fixture
def market(world):
    """Five vacancies open at the end of the week, seven that are not, and the technikum."""
    welding = ProfessionGroup.objects.create(title="Сварка")
    catering = ProfessionGroup.objects.create(title="Общественное питание")
    energy = ProfessionGroup.objects.create(title="Энергетика")
    welder = f.ProfessionFactory(title="Сварщик", group=welding)
    cook = f.ProfessionFactory(title="Повар", group=catering)
    electrician = f.ProfessionFactory(title="Электромонтёр", group=energy)
    employer = world.employer

    # Open at the end of the week: salaries 20, 30, 40 (midpoint of 20–60), 50, 60 («до»).
    open_vacancy(
        employer,
        profession=welder,
        sector="Промышленность",
        salary_from=20000,
        for_graduates=True,
        work_places=3,
    )
    open_vacancy(
        employer,
        profession=welder,
        sector="Промышленность",
        salary_from=30000,
        for_graduates=True,
        published_at=at(MONDAY, 0, 0),  # first minute of the week: new
    )
    open_vacancy(
        employer,
        profession=cook,
        sector="Общепит",
        salary_from=20000,
        salary_to=60000,
        for_minors=True,
        work_places=2,
        published_at=at(d(8), 23, 59),  # last minute of the week: new
    )
    open_vacancy(
        employer,
        salary_from=50000,
        # Closed at the first instant after the week: still open at its end.
        closed_at=at(d(9), 0, 0),
        status=Vacancy.Status.CLOSED,
    )
    open_vacancy(
        world.other_employer,
        profession=electrician,
        sector="Энергетика",
        salary_to=60000,
        for_minors=True,
        published_at=at(d(5)),  # new
    )

    # Not open at the end of the week.
    open_vacancy(employer, profession=welder, published_at=at(d(9), 0, 0))  # after the week
    open_vacancy(  # closed in the week
        employer,
        profession=welder,
        closed_at=at(d(8), 23, 0),
        status=Vacancy.Status.CLOSED,
    )
    open_vacancy(  # new and closed in the week
        employer,
        profession=cook,
        published_at=at(d(3)),
        closed_at=at(d(4)),
        status=Vacancy.Status.CLOSED,
    )
    open_vacancy(employer, profession=welder, published_at=None, status=Vacancy.Status.DRAFT)
    open_vacancy(employer, profession=welder, status=Vacancy.Status.CLOSED)  # when: unknown
    open_vacancy(employer, profession=welder, valid_until=d(7))  # expired before the end
    far = f.EmployerFactory(district=world.other_district_school.district)
    open_vacancy(far, profession=welder, published_at=at(d(3)))  # another district

    # The technikum: welding (34 months: last course 3), cooking (46 months: last course 4).
    weld_programme = f.ProgrammeFactory(technikum=world.technikum, duration_months=34)
    cook_programme = f.ProgrammeFactory(
        technikum=world.technikum, okso_code="43.01.09", duration_months=46
    )
    welder.programmes.add(weld_programme)
    cook.programmes.add(cook_programme)
    far_technikum = f.TechnikumFactory(district=world.other_district_school.district)
    welder.programmes.add(f.ProgrammeFactory(technikum=far_technikum))

    def student(programme, grade, **fields):
        fields.setdefault("academic_year", 2025)  # 2025/26 holds March 2026
        return f.StudentFactory(
            organisation=world.technikum, programme=programme, grade=grade, **fields
        )

    for _ in range(3):
        student(weld_programme, 3)
    student(weld_programme, 3, is_active=False)
    student(weld_programme, 2)
    student(weld_programme, 3, academic_year=2024)
    for _ in range(2):
        student(cook_programme, 4)
    student(cook_programme, 3)

    year = {"starts_on": d(1, 9).replace(year=2025), "ends_on": d(30, 6)}
    f.DualTrainingPlaceFactory(programme=weld_programme, seats=3, **year)
    f.DualTrainingPlaceFactory(
        programme=weld_programme, seats=2, status=DualTrainingPlace.Status.DRAFT, **year
    )
    f.DualTrainingPlaceFactory(
        programme=weld_programme, seats=5, starts_on=d(1, 9).replace(year=2025), ends_on=d(28, 2)
    )
    f.DualTrainingPlaceFactory(programme=cook_programme, seats=4, **year)
    return {"welder": welder, "cook": cook, "electrician": electrician}


def week_figures(world) -> dict:
    return labour_summary_compute(district=world.district, period=WEEK, period_start=MONDAY).figures


def test_counts_open_new_and_closed_at_the_period_boundaries(world, market):
    figures = week_figures(world)

    assert figures["vacancies_open"] == 5
    assert figures["work_places_open"] == 8
    assert figures["new"] == 4
    assert figures["closed"] == 2
    assert figures["unmapped_open"] == 1


def test_salary_median_and_quartiles_of_open_vacancies(world, market):
    salary = week_figures(world)["salary"]

    assert salary == {"n": 5, "q1": 30000, "median": 40000, "q3": 50000}


def test_quartiles_interpolate_between_ranks_for_an_even_count(world):
    for value in (20000, 30000, 40000, 50000):
        open_vacancy(world.employer, salary_from=value)

    salary = week_figures(world)["salary"]

    assert salary == {"n": 4, "q1": 27500, "median": 35000, "q3": 42500}


def test_no_salaries_give_empty_quartiles(world):
    open_vacancy(world.employer)

    assert week_figures(world)["salary"] == {"n": 0, "q1": None, "median": None, "q3": None}


def test_shares_open_to_minors_and_graduates(world, market):
    figures = week_figures(world)

    assert figures["for_minors"] == {"count": 2, "share": 0.4}
    assert figures["for_graduates"] == {"count": 2, "share": 0.4}


def test_empty_district_has_zero_shares(world):
    figures = week_figures(world)

    assert figures["vacancies_open"] == 0
    assert figures["for_minors"] == {"count": 0, "share": 0.0}
    assert figures["by_group"] == []


def test_by_group_with_the_unmapped_row_and_by_sector(world, market):
    figures = week_figures(world)

    groups = [(g["title"], g["vacancies"], g["work_places"]) for g in figures["by_group"]]
    assert groups == [
        ("Сварка", 2, 4),
        ("Общественное питание", 1, 2),
        ("Энергетика", 1, 1),
        (None, 1, 1),
    ]
    sectors = [(s["sector"], s["vacancies"], s["work_places"]) for s in figures["by_sector"]]
    assert sectors == [
        ("Промышленность", 2, 4),
        ("Общепит", 1, 2),
        ("", 1, 1),
        ("Энергетика", 1, 1),
    ]


def test_top_professions_by_vacancies_then_work_places(world, market):
    top = week_figures(world)["top_professions"]

    assert [(p["title"], p["vacancies"], p["work_places"]) for p in top] == [
        ("Сварщик", 2, 4),
        ("Повар", 1, 2),
        ("Электромонтёр", 1, 1),
    ]


def test_top_professions_keep_the_ten_most_in_demand(world):
    rows = []
    for k in range(1, 13):
        profession = f.ProfessionFactory(title=f"Профессия {k:02d}")
        rows += [
            Vacancy(
                employer=world.employer,
                title=profession.title,
                profession=profession,
                status=Vacancy.Status.PUBLISHED,
                published_at=at(d(1, 2)),
            )
            for _ in range(k)
        ]
    Vacancy.objects.bulk_create(rows)

    top = week_figures(world)["top_professions"]

    assert [p["title"] for p in top] == [f"Профессия {k:02d}" for k in range(12, 2, -1)]
    assert [p["vacancies"] for p in top] == list(range(12, 2, -1))


def test_balance_against_graduates_and_dual_seats(world, market):
    balance = week_figures(world)["balance"]

    rows = [
        (r["title"], r["vacancies"], r["work_places"], r["graduates"], r["dual_seats"])
        for r in balance
    ]
    assert rows == [("Сварщик", 2, 4, 3, 3), ("Повар", 1, 2, 2, 4)]
    assert [r["work_places_per_graduate"] for r in balance] == [1.33, 1.0]
    assert balance[1]["programmes"] == ["43.01.09"]


def test_snapshot_is_stored_once_and_a_rerun_replaces_it(world, market):
    first = labour_summary_compute(district=world.district, period=WEEK, period_start=MONDAY)
    open_vacancy(world.employer, published_at=at(d(6)))

    second = labour_summary_compute(district=world.district, period=WEEK, period_start=MONDAY)

    assert LabourSummary.objects.filter(district=world.district).count() == 1
    assert second.pk == first.pk
    stored = LabourSummary.objects.get()
    assert stored.vacancies_open == 6
    assert stored.figures["new"] == 5
    assert stored.period_end == d(8)


def test_integrity_error_is_retried_with_an_update(world, market, monkeypatch):
    real = LabourSummary.objects.update_or_create
    calls = []

    def fails_once(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise IntegrityError("labour_summary_once")
        return real(*args, **kwargs)

    monkeypatch.setattr(LabourSummary.objects, "update_or_create", fails_once)

    summary = labour_summary_compute(district=world.district, period=WEEK, period_start=MONDAY)

    assert len(calls) == 2
    assert LabourSummary.objects.get().pk == summary.pk


@pytest.mark.parametrize(
    ("period", "start"),
    [(WEEK, d(3)), (WEEK, d(1)), (MONTH, d(2)), ("year", d(1))],
)
def test_bad_period_start_is_refused(world, period, start):
    with pytest.raises(ValidationError):
        labour_summary_compute(district=world.district, period=period, period_start=start)
    assert LabourSummary.objects.count() == 0


def test_period_bounds_of_a_week_and_a_month():
    assert period_bounds(period=WEEK, period_start=MONDAY) == (MONDAY, d(8))
    assert period_bounds(period=MONTH, period_start=d(1, 2)) == (d(1, 2), d(28, 2))
    assert period_bounds(period=MONTH, period_start=datetime.date(2028, 2, 1))[1] == (
        datetime.date(2028, 2, 29)
    )
    assert period_bounds(period=MONTH, period_start=datetime.date(2026, 12, 1))[1] == (
        datetime.date(2026, 12, 31)
    )


def test_due_periods_are_the_last_complete_week_and_month():
    wednesday = d(4)
    assert labour_summaries_due(today=wednesday) == [(WEEK, d(23, 2)), (MONTH, d(1, 2))]
    assert labour_summaries_due(today=MONDAY) == [(WEEK, d(23, 2)), (MONTH, d(1, 2))]
    assert labour_summaries_due(today=datetime.date(2026, 1, 1)) == [
        (WEEK, datetime.date(2025, 12, 22)),
        (MONTH, datetime.date(2025, 12, 1)),
    ]


def test_a_month_summary_counts_the_whole_month(world, market):
    summary = labour_summary_compute(district=world.district, period=MONTH, period_start=d(1))

    assert summary.period_end == d(31)
    # Of the week's five, the one closed on 9 March is no longer open at the month's end;
    # the one published on 9 March is.
    assert summary.vacancies_open == 5
    assert summary.figures["new"] == 5


def _vacancies(world, n: int) -> None:
    groups = [ProfessionGroup.objects.create(title=f"Группа {k}") for k in range(3)]
    professions = [
        f.ProfessionFactory(title=f"Профессия {k}", group=groups[k % 3]) for k in range(12)
    ]
    programme = f.ProgrammeFactory(technikum=world.technikum)
    for profession in professions[:4]:
        profession.programmes.add(programme)
    Vacancy.objects.bulk_create(
        Vacancy(
            employer=world.employer,
            title="Рабочий",
            profession=professions[k % 12] if k % 5 else None,
            sector=f"Сфера {k % 7}",
            salary_from=20000 + 1000 * k,
            status=Vacancy.Status.PUBLISHED,
            published_at=at(d(1 + k % 8)),
            for_minors=k % 2 == 0,
        )
        for k in range(n)
    )


@pytest.mark.parametrize("n", [10, 200])
def test_summary_query_count_does_not_grow_with_vacancies(world, n, django_assert_num_queries):
    _vacancies(world, n)

    # The quartiles are one query on PostgreSQL (percentile_cont), three on SQLite.
    expected = 17 if connection.vendor == "postgresql" else 19
    with django_assert_num_queries(expected):
        summary = labour_summary_compute(district=world.district, period=WEEK, period_start=MONDAY)

    assert summary.vacancies_open == n


def test_figures_are_json_of_plain_values(world, market):
    import json

    figures = week_figures(world)

    assert json.loads(json.dumps(figures)) == figures


# --- the command and the tasks ---------------------------------------------------------------


def test_command_dry_run_prints_and_stores_nothing(world, market):
    out = io.StringIO()

    call_command(
        "labour_summary", "--period", "week", "--start", "2026-03-02", "--dry-run", stdout=out
    )

    assert LabourSummary.objects.count() == 0
    assert "открытых вакансий 5" in out.getvalue()
    assert "Пробный запуск" in out.getvalue()


def test_command_stores_one_summary_per_district(world, market):
    call_command(
        "labour_summary", "--period", "week", "--start", "2026-03-02", stdout=io.StringIO()
    )
    call_command(
        "labour_summary", "--period", "week", "--start", "2026-03-02", stdout=io.StringIO()
    )

    assert LabourSummary.objects.count() == 2  # the world has two districts
    assert LabourSummary.objects.get(district=world.district).vacancies_open == 5


def test_command_for_one_district_defaults_to_the_last_complete_periods(world):
    call_command("labour_summary", "--district", str(world.district.pk), stdout=io.StringIO())

    assert set(LabourSummary.objects.values_list("district", "period")) == {
        (world.district.pk, WEEK),
        (world.district.pk, MONTH),
    }


@pytest.mark.parametrize(
    "args",
    [
        ["--period", "week", "--start", "2026-03-03"],
        ["--period", "week", "--start", "вчера"],
        ["--start", "2026-03-02"],
        ["--district", "999999"],
    ],
)
def test_command_refuses_bad_arguments(world, args):
    with pytest.raises(CommandError):
        call_command("labour_summary", *args, stdout=io.StringIO())
    assert LabourSummary.objects.count() == 0


def test_task_stores_each_district_once_however_often_it_runs(world, market):
    labour_summary_task.apply(args=("week", "2026-03-02")).get()
    ids = labour_summary_task.apply(args=("week", "2026-03-02")).get()

    assert LabourSummary.objects.count() == 2
    assert sorted(ids) == sorted(LabourSummary.objects.values_list("pk", flat=True))


def test_task_is_acknowledged_late_and_retries_database_errors():
    assert labour_summary_task.acks_late is True
    assert labour_summary_task.reject_on_worker_lost is True
    assert "OperationalError" in repr(labour_summary_task.autoretry_for)


def test_catch_up_computes_only_the_missing_periods(world, monkeypatch):
    first = labour_summaries_catch_up_task.apply().get()
    assert len(first) == 4  # two districts × (week, month)

    computed = []
    real = summaries.labour_summary_compute
    monkeypatch.setattr(
        "labour.tasks_summaries.labour_summary_compute",
        lambda **kw: computed.append(kw) or real(**kw),
    )
    assert labour_summaries_catch_up_task.apply().get() == []
    assert computed == []
