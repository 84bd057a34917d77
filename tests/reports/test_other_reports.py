"""Events, dual training, continuity, labour balance and trends against hand-made data."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from employers.models import Placement
from labour.models import LabourSummary
from reports.registry import HIDDEN, REPORTS, SUPPRESSED
from reports.scope import ReportFilters, ReportScope
from students.models import current_academic_year
from tests import factories as f

pytestmark = pytest.mark.django_db


def scope_of(world, *, exact=True, schools=None) -> ReportScope:
    return ReportScope(
        district_ids=frozenset({world.district.pk}),
        school_ids=frozenset(schools) if schools else None,
        exact=exact,
    )


def past(days: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


def make_events(world) -> list[tuple[str, str, bool | None]]:
    """Registrations as (school key, event kind, attended); returned for hand counts."""
    year_start = datetime.datetime(current_academic_year(), 9, 1, tzinfo=datetime.UTC)
    held = max(past(1), year_start + datetime.timedelta(hours=1))
    trial = f.EventFactory(organiser=world.technikum, kind="trial", starts_at=held)
    trial_2 = f.EventFactory(organiser=world.technikum, kind="trial", starts_at=held)
    fair = f.EventFactory(organiser=world.employer, kind="job_fair", starts_at=held)
    cancelled = f.EventFactory(
        organiser=world.technikum, kind="trial", starts_at=held, is_cancelled=True
    )
    upcoming = f.EventFactory(organiser=world.technikum, kind="trial")
    made = []
    plan = [
        ("school_a", trial, True),
        ("school_a", trial, True),
        ("school_a", trial_2, False),
        ("school_a", fair, None),
        ("school_b", trial, True),
        ("school_b", fair, True),
        ("school_b", fair, True),
    ]
    for school, event, attended in plan:
        pupil = f.StudentFactory(organisation=getattr(world, school))
        f.RegistrationFactory(event=event, student=pupil, attended=attended)
        made.append((school, event.kind, attended, event.pk))
    for event in (cancelled, upcoming):
        f.RegistrationFactory(event=event, student=f.StudentFactory(organisation=world.school_a))
    far = f.StudentFactory(organisation=world.other_district_school)
    f.RegistrationFactory(event=trial, student=far, attended=True)
    return made


def test_events_count_registrations_attendance_and_distinct_events(world):
    made = make_events(world)
    table = REPORTS["events"].run(scope=scope_of(world), filters=ReportFilters())
    labels = {"trial": "Профпроба", "job_fair": "Ярмарка вакансий"}
    rows = {(r["school"], r["kind"]): r for r in table.rows}
    expected_keys = {(getattr(world, s).short_name, labels[k]) for s, k, _a, _e in made}
    assert set(rows) == expected_keys
    for school, kind in {(s, k) for s, k, _a, _e in made}:
        mine = [m for m in made if m[0] == school and m[1] == kind]
        row = rows[(getattr(world, school).short_name, labels[kind])]
        assert row["registered"] == len(mine)
        assert row["attended"] == sum(1 for m in mine if m[2] is True)
        assert row["events"] == len({m[3] for m in mine})
    assert table.totals["registered"] == len(made)


def test_events_for_the_administration_hide_small_attendance(world):
    make_events(world)
    table = REPORTS["events"].run(scope=scope_of(world, exact=False), filters=ReportFilters())
    for row in table.rows:
        assert row["registered"] is SUPPRESSED  # every cell here is 1–4
        assert row["attended_share"] is HIDDEN
        assert isinstance(row["events"], int)  # events are not people


def test_dual_training_counts_places_seats_and_placements_by_status(world):
    programme = f.ProgrammeFactory(technikum=world.technikum)
    place = f.DualTrainingPlaceFactory(programme=programme, employer=world.employer, seats=4)
    place_2 = f.DualTrainingPlaceFactory(programme=programme, employer=world.employer, seats=2)
    f.DualTrainingPlaceFactory(programme=programme, employer=world.employer, status="draft")
    other = f.DualTrainingPlaceFactory(programme=programme, employer=world.other_employer, seats=5)
    far = f.DualTrainingPlaceFactory(
        programme=programme,
        employer=f.EmployerFactory(district=world.other_district_school.district),
    )
    statuses = {
        place: ["active", "active", "proposed", "declined"],
        place_2: ["contract_signed", "completed"],
        other: ["agreed"],
        far: ["active"],
    }
    for p, list_ in statuses.items():
        for status in list_:
            f.PlacementFactory(place=p, status=status)
    table = REPORTS["dual-training"].run(scope=scope_of(world), filters=ReportFilters())
    rows = {r["employer"]: r for r in table.rows}
    assert set(rows) == {world.employer.short_name, world.other_employer.short_name}
    mine = statuses[place] + statuses[place_2]
    row = rows[world.employer.short_name]
    assert (row["places"], row["seats"]) == (2, place.seats + place_2.seats)
    holding = {str(s) for s in Placement.SEAT_HOLDING}
    assert row["training"] == sum(1 for s in mine if s in holding)
    assert row["proposed"] == mine.count("proposed")
    assert row["completed"] == mine.count("completed")
    assert row["ended"] == sum(1 for s in mine if s in ("declined", "terminated"))
    assert row["placements"] == len(mine)
    assert table.totals["seats"] == place.seats + place_2.seats + other.seats


def test_dual_training_is_not_a_school_heads_report(world):
    assert not REPORTS["dual-training"].available_for(scope_of(world, schools={world.school_a.pk}))
    assert REPORTS["coverage"].available_for(scope_of(world, schools={world.school_a.pk}))


def test_continuity_matches_technikum_students_to_earlier_pupils(world):
    year = current_academic_year()
    programme = f.ProgrammeFactory(technikum=world.technikum, okso_code="15.01.05")
    people = [
        ("Ёлкина", "Анна", "school_a", "Елкина"),  # ё folded: still the same person
        ("Смирнов", "Олег", "school_a", "Смирнов"),
        ("Орлова", "Вера", "school_b", "Орлова"),
        ("Чужой", "Пётр", "other_district_school", "Чужой"),  # another district's school
    ]
    born = datetime.date(year - 16, 3, 3)
    for school_last, first, school, tech_last in people:
        f.StudentFactory(
            organisation=getattr(world, school),
            last_name=school_last,
            first_name=first,
            birth_date=born,
            academic_year=year - 1,
            grade=9,
        )
        f.StudentFactory(
            organisation=world.technikum,
            last_name=tech_last,
            first_name=first,
            birth_date=born,
            academic_year=year,
            grade=1,
            programme=programme,
        )
    # Same names, another birth date: not the same person.
    f.StudentFactory(
        organisation=world.technikum,
        last_name="Смирнов",
        first_name="Олег",
        birth_date=datetime.date(year - 17, 1, 1),
        academic_year=year,
        grade=1,
        programme=programme,
    )
    table = REPORTS["continuity"].run(scope=scope_of(world), filters=ReportFilters())
    got = {r["school"]: r["students"] for r in table.rows}
    assert got == {world.school_a.short_name: 2, world.school_b.short_name: 1}
    assert table.totals["students"] == 3
    only_b = REPORTS["continuity"].run(
        scope=scope_of(world, schools={world.school_b.pk}), filters=ReportFilters()
    )
    assert [r["students"] for r in only_b.rows] == [1]


def test_labour_balance_reads_the_latest_summary(world):
    balance = [
        {
            "title": "Сварщик",
            "programmes": ["15.01.05"],
            "vacancies": 7,
            "work_places": 9,
            "graduates": 12,
            "dual_seats": 6,
        },
        {
            "title": "Повар",
            "programmes": ["43.01.09"],
            "vacancies": 2,
            "work_places": 2,
            "graduates": 3,
            "dual_seats": 0,
        },
    ]
    common = {
        "district": world.district,
        "period": "month",
        "computed_at": timezone.now(),
        "vacancies_open": 9,
    }
    LabourSummary.objects.create(
        **common,
        period_start=datetime.date(2026, 1, 1),
        period_end=datetime.date(2026, 1, 31),
        figures={"balance": [{**balance[0], "vacancies": 100}]},
    )
    LabourSummary.objects.create(
        **common,
        period_start=datetime.date(2026, 2, 1),
        period_end=datetime.date(2026, 2, 28),
        figures={"balance": balance},
    )
    table = REPORTS["labour-balance"].run(scope=scope_of(world), filters=ReportFilters())
    assert [(r["profession"], r["vacancies"], r["graduates"]) for r in table.rows] == [
        (b["title"], b["vacancies"], b["graduates"]) for b in balance
    ]
    assert table.totals["work_places"] == sum(b["work_places"] for b in balance)
    hidden = REPORTS["labour-balance"].run(
        scope=scope_of(world, exact=False), filters=ReportFilters()
    )
    assert hidden.rows[1]["graduates"] is SUPPRESSED  # 3 students
    assert hidden.rows[1]["vacancies"] == 2  # vacancies are not people


def test_labour_balance_takes_each_districts_own_latest_summary_in_name_order(world):
    other = f.DistrictFactory(name="Оханский городской округ")
    months = [(datetime.date(2026, m, 1), datetime.date(2026, m, 28)) for m in (1, 2, 3)]
    # (district, period, vacancies of «Сварщик»): each district's newest is a different month.
    stored = [
        (world.district, months[0], 11),
        (world.district, months[1], 22),
        (other, months[2], 33),
        (other, months[0], 44),
    ]
    for district, (start, end), vacancies in stored:
        LabourSummary.objects.create(
            district=district,
            period="month",
            period_start=start,
            period_end=end,
            computed_at=timezone.now(),
            vacancies_open=vacancies,
            figures={"balance": [{"title": "Сварщик", "programmes": [], "vacancies": vacancies}]},
        )
    scope = ReportScope(district_ids=frozenset({world.district.pk, other.pk}), exact=True)
    table = REPORTS["labour-balance"].run(scope=scope, filters=ReportFilters())
    newest = {}
    for district, (_start, end), vacancies in stored:
        if district.name not in newest or end > newest[district.name][0]:
            newest[district.name] = (end, vacancies)
    assert [(r["district"], r["vacancies"]) for r in table.rows] == [
        (name, newest[name][1]) for name in sorted(newest)
    ]
    assert table.totals["vacancies"] == sum(v for _end, v in newest.values())


def test_trends_count_each_academic_year(world):
    year = current_academic_year()
    plan = {year - 2: (6, 2), year - 1: (8, 5), year: (5, 5)}  # pupils, with consent
    for y, (pupils, consents) in plan.items():
        for i in range(pupils):
            pupil = f.StudentFactory(organisation=world.school_a, academic_year=y)
            if i < consents:
                f.ConsentFactory(student=pupil)
    f.StudentFactory(organisation=world.other_district_school, academic_year=year)
    table = REPORTS["trends"].run(scope=scope_of(world), filters=ReportFilters())
    assert [(r["year"], r["pupils"], r["with_consent"]) for r in table.rows] == [
        (f"{y}/{(y + 1) % 100:02d}", p, c) for y, (p, c) in sorted(plan.items())
    ]
    assert table.totals is None
    hidden = REPORTS["trends"].run(scope=scope_of(world, exact=False), filters=ReportFilters())
    assert hidden.rows[0]["with_consent"] is SUPPRESSED
    assert hidden.rows[1]["with_consent"] == 5
