"""The career-guidance minimum reports against hand-made pupils whose hours by direction
are listed in the specs below; every expected figure is worked out here from the specs."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from career_minimum.models import Direction, SchoolPlan
from reports.registry import REPORTS, SUPPRESSED, is_hidden
from reports.scope import ReportFilters, ReportScope
from students.models import current_academic_year
from tests import factories as f

pytestmark = pytest.mark.django_db

YEAR = current_academic_year()
LEVEL_TARGET = {"school_a": 60, "school_b": 40}  # school A chose «основной», B nothing
NOT_COUNTING = {"parents"}


@dataclass
class Spec:
    school: str
    grade: int
    hours: dict[str, int] = field(default_factory=dict)
    active: bool = True
    year_offset: int = 0

    @property
    def counted(self) -> bool:
        return (
            self.school != "other_district_school"
            and self.active
            and self.year_offset == 0
            and 6 <= self.grade <= 11
        )

    @property
    def level_total(self) -> int:
        return sum(h for slug, h in self.hours.items() if slug not in NOT_COUNTING)


def specs() -> list[Spec]:
    full = {"events": 80}
    return [
        # School A, grade 9: three pupils with 80 h (never behind), three with a little.
        *(Spec("school_a", 9, {**full, "horizons": 2, "parents": 1}) for _ in range(3)),
        Spec("school_a", 9, {"horizons": 2, "diagnostics": 2}),
        Spec("school_a", 9, {"parents": 4}),
        Spec("school_a", 9),
        # Grade 7: one with 80 h, one with none.
        Spec("school_a", 7, {"events": 40, "horizons": 8, "diagnostics": 32}),
        Spec("school_a", 7),
        # School B, grade 10: 50 h is on track for the basic level all year; two with none.
        Spec("school_b", 10, {"events": 40, "horizons": 8, "diagnostics": 2}),
        Spec("school_b", 10),
        Spec("school_b", 10, {"diagnostics": 1}),
        # Never counted: grade 5, left school, last year, another district.
        Spec("school_a", 5, full),
        Spec("school_a", 9, full, active=False),
        Spec("school_a", 9, full, year_offset=-1),
        Spec("other_district_school", 9, full),
    ]


def held(days: int) -> datetime.datetime:
    start = datetime.datetime(YEAR, 9, 1, 10, tzinfo=datetime.UTC)
    return min(start + datetime.timedelta(days=days), timezone.now())


def build(world, items: list[Spec]) -> list:
    """Pupils whose hours come from each source: events (in 40 h pieces; one more event
    they were registered for but missed), «Россия — мои горизонты» and parents' activities
    (with one activity they were absent from), one questionnaire per diagnostics hour."""
    SchoolPlan.objects.get_or_create(
        school=world.school_a, academic_year=YEAR, defaults={"level": SchoolPlan.Level.MAIN}
    )
    directions = {d.slug: d for d in Direction.objects.all()}
    missed = f.EventFactory(starts_at=held(2), career_hours=10)
    pupils = []
    for n, spec in enumerate(items):
        year = YEAR + spec.year_offset
        pupil = f.StudentFactory(
            organisation=getattr(world, spec.school),
            grade=spec.grade,
            academic_year=year,
            is_active=spec.active,
            last_name=f"Часов{n}",
        )
        f.RegistrationFactory(event=missed, student=pupil, attended=False)
        start = datetime.datetime(year, 9, 1, 12, tzinfo=datetime.UTC)
        left = spec.hours.get("events", 0)
        while left:
            piece = min(40, left)
            event = f.EventFactory(starts_at=min(start, held(3)), career_hours=piece)
            f.RegistrationFactory(event=event, student=pupil, attended=True)
            left -= piece
        for slug in ("horizons", "parents"):
            if spec.hours.get(slug):
                activity = f.ActivityFactory(
                    school=pupil.organisation,
                    academic_year=year,
                    grade=min(max(spec.grade, 6), 11),
                    hours=spec.hours[slug],
                    direction=directions[slug],
                )
                f.ParticipationFactory(activity=activity, student=pupil)
        absent = f.ActivityFactory(
            school=pupil.organisation, academic_year=year, grade=min(max(spec.grade, 6), 11)
        )
        f.ParticipationFactory(activity=absent, student=pupil, attended=False)
        for i in range(spec.hours.get("diagnostics", 0)):
            f.AttemptFactory(
                student=pupil, completed_at=min(start + datetime.timedelta(i), held(4))
            )
        pupils.append(pupil)
    return pupils


def pro_rata(target: int) -> Decimal:
    """Today's target, from the rule: the share of 1 September – 31 May elapsed."""
    today = timezone.localdate()
    elapsed = (today - datetime.date(YEAR, 9, 1)).days
    length = (datetime.date(YEAR + 1, 5, 31) - datetime.date(YEAR, 9, 1)).days
    return Decimal(str(round(target * min(1, max(0, elapsed / length)) + 1e-9, 1)))


def scope_of(world, *, exact: bool = True) -> ReportScope:
    return ReportScope(district_ids=frozenset({world.district.pk}), exact=exact)


def expected_progress(world, items: list[Spec]) -> dict[tuple[str, int], tuple[int, int]]:
    """(school, grade) -> (pupils, behind)."""
    cells: dict[tuple[str, int], list[int]] = {}
    for spec in items:
        if not spec.counted:
            continue
        cell = cells.setdefault((getattr(world, spec.school).short_name, spec.grade), [0, 0])
        cell[0] += 1
        cell[1] += spec.level_total < pro_rata(LEVEL_TARGET[spec.school])
    return {k: (v[0], v[1]) for k, v in cells.items()}


def test_on_track_by_school_and_grade(world):
    items = specs()
    build(world, items)
    table = REPORTS["career_minimum"].run(scope=scope_of(world), filters=ReportFilters())
    got = {(r["school"], r["grade"]): (r["pupils"], r["behind"]) for r in table.rows}
    assert got == expected_progress(world, items)
    for row in table.rows:
        assert row["on_track"] == row["pupils"] - row["behind"]
        assert row["on_track_share"] == round(100 * row["on_track"] / row["pupils"], 1)
    levels = {r["school"]: r["level"] for r in table.rows}
    assert levels[world.school_a.short_name].startswith("Основной")
    assert "не выбран" in levels[world.school_b.short_name]
    assert table.totals["pupils"] == sum(1 for s in items if s.counted)


def test_a_total_reaching_the_target_is_on_track_whatever_gives_it(world):
    """A past year (the full target: school B has no level, so 40 h) with pupils exactly at
    40 h or an hour short, the hours coming from the activities, events and questionnaires
    together or without an activity that counts."""
    hours = [
        {"events": 30, "horizons": 8, "diagnostics": 2},  # 40: all three sources
        {"events": 30, "horizons": 7, "diagnostics": 2},  # 39
        {"events": 40},  # 40: events alone
        {"events": 38, "diagnostics": 2, "parents": 4},  # 40 without a counting activity
        {"events": 38, "diagnostics": 1, "parents": 1},  # 39
        {"horizons": 8, "parents": 8},  # 8
        {},
    ]
    items = [Spec("school_b", 8, h, year_offset=-1) for h in hours]
    build(world, items)
    table = REPORTS["career_minimum"].run(
        scope=scope_of(world), filters=ReportFilters(academic_year=YEAR - 1)
    )
    (row,) = table.rows
    assert (row["grade"], row["pupils"]) == (8, len(items))
    target = LEVEL_TARGET["school_b"]
    assert sum(1 for s in items if s.level_total == target) == 3  # the boundary is tried
    assert row["behind"] == sum(1 for s in items if s.level_total < target)
    assert row["on_track"] == sum(1 for s in items if s.level_total >= target)


def test_grade_filter_narrows_the_rows(world):
    items = specs()
    build(world, items)
    table = REPORTS["career_minimum"].run(scope=scope_of(world), filters=ReportFilters(grade=7))
    assert {r["grade"] for r in table.rows} == {7}
    assert table.totals["pupils"] == sum(1 for s in items if s.counted and s.grade == 7)


def test_administration_gets_small_counts_hidden(world):
    items = specs()
    build(world, items)
    table = REPORTS["career_minimum"].run(
        scope=scope_of(world, exact=False), filters=ReportFilters()
    )
    row_b = next(r for r in table.rows if r["school"] == world.school_b.short_name)
    # Three pupils in school B's grade 10: the count and its share are hidden.
    assert row_b["pupils"] is SUPPRESSED
    assert is_hidden(row_b["on_track_share"])
    assert table.suppressed


def test_administration_page_shows_shares_and_never_a_name(client, world, district_admin):
    pupils = build(world, specs())
    client.force_login(district_admin)
    for slug in ("career_minimum", "career_minimum_hours"):
        response = client.get(reverse("reports:report_detail", args=[slug]))
        assert response.status_code == 200
        html = response.content.decode()
        assert world.school_a.short_name in html
        for pupil in pupils:
            assert pupil.last_name not in html


def test_hours_by_direction_per_pupil_by_school(world):
    items = specs()
    build(world, items)
    table = REPORTS["career_minimum_hours"].run(scope=scope_of(world), filters=ReportFilters())
    keys = {d.slug: f"d{d.pk}" for d in Direction.objects.all()}
    for school in ("school_a", "school_b"):
        counted = [s for s in items if s.counted and s.school == school]
        row = next(r for r in table.rows if r["school"] == getattr(world, school).short_name)
        assert row["pupils"] == len(counted)
        for slug, key in keys.items():
            total = sum(s.hours.get(slug, 0) for s in counted)
            assert row[key] == round(total / len(counted), 1), (school, slug)
        level = sum(s.level_total for s in counted)
        assert row["level_hours"] == round(level / len(counted), 1)
    everyone = [s for s in items if s.counted]
    assert table.totals["pupils"] == len(everyone)
    assert table.totals[keys["events"]] == round(
        sum(s.hours.get("events", 0) for s in everyone) / len(everyone), 1
    )


def test_hours_of_fewer_than_five_pupils_are_hidden_from_the_administration(world):
    build(world, specs())
    table = REPORTS["career_minimum_hours"].run(
        scope=scope_of(world, exact=False), filters=ReportFilters()
    )
    row_b = next(r for r in table.rows if r["school"] == world.school_b.short_name)
    assert row_b["pupils"] is SUPPRESSED
    assert is_hidden(row_b["level_hours"])
    row_a = next(r for r in table.rows if r["school"] == world.school_a.short_name)
    assert not is_hidden(row_a["level_hours"])


@pytest.mark.parametrize("scale", [1, 4])
@pytest.mark.parametrize(
    ("slug", "queries"),
    [
        # 5 for the user (session, user, memberships, guardian and pupil checks), 1 for the
        # filter form's schools; the grouped pupils and the schools' levels.
        ("career_minimum", 8),
        # the directions, pupils by school, three sources, the schools' levels.
        ("career_minimum_hours", 12),
    ],
)
def test_report_queries_do_not_grow_with_data(
    client, world, district_admin, django_assert_num_queries, slug, queries, scale
):
    build(world, specs() * scale)
    client.force_login(district_admin)
    with django_assert_num_queries(queries):
        response = client.get(reverse("reports:report_detail", args=[slug]))
    assert response.status_code == 200
