"""The first three reports' figures against counts made by hand from the fixture list."""

from __future__ import annotations

from collections import Counter

import pytest

from reports.registry import REPORTS
from reports.scope import ReportFilters, ReportScope
from students.models import Student
from tests.reports.conftest import counted

pytestmark = pytest.mark.django_db


def exact_scope(world) -> ReportScope:
    return ReportScope(district_ids=frozenset({world.district.pk}), exact=True)


def by_key(table, *dims):
    return {tuple(row[d] for d in dims): row for row in table.rows}


def test_coverage_counts_pupils_profiles_consents_and_questionnaires(world, report_data):
    table = REPORTS["coverage"].run(scope=exact_scope(world), filters=ReportFilters())
    expected: dict[tuple[str, int], Counter] = {}
    for spec in counted(report_data.specs):
        c = expected.setdefault((getattr(world, spec.school).short_name, spec.grade), Counter())
        c["pupils"] += 1
        # A profile is any guidance field filled: interests or a plan.
        c["with_profile"] += spec.profile or bool(spec.path_9 or spec.path_11)
        c["with_consent"] += spec.consent
        c["with_attempt"] += spec.attempt_scale is not None
    rows = by_key(table, "school", "grade")
    assert set(rows) == set(expected)
    for key, c in expected.items():
        for column in ("pupils", "with_profile", "with_consent", "with_attempt"):
            assert rows[key][column] == c[column], (key, column)
        assert rows[key]["consent_share"] == round(100 * c["with_consent"] / c["pupils"], 1)
    total = sum(c["pupils"] for c in expected.values())
    assert table.totals["pupils"] == total
    assert table.totals["with_consent"] == sum(c["with_consent"] for c in expected.values())


def test_coverage_leaves_out_withdrawn_consents(world, report_data):
    consent = report_data.students[1].consents.get()
    consent.withdrawn_at = consent.created_at
    consent.save(update_fields=["withdrawn_at"])
    table = REPORTS["coverage"].run(scope=exact_scope(world), filters=ReportFilters())
    expected = sum(1 for s in counted(report_data.specs) if s.consent) - 1
    assert table.totals["with_consent"] == expected


def test_paths_count_plans_after_grade_9_and_11_by_school(world, report_data):
    table = REPORTS["paths"].run(scope=exact_scope(world), filters=ReportFilters())
    rows = {row["school"]: row for row in table.rows}
    for school in ("school_a", "school_b"):
        name = getattr(world, school).short_name
        specs = [s for s in counted(report_data.specs) if s.school == school]
        nine = [s for s in specs if s.grade == 9]
        eleven = [s for s in specs if s.grade == 11]
        assert rows[name]["grade_9"] == len(nine)
        assert rows[name]["grade_11"] == len(eleven)
        for value, _label in Student.PathAfter9.choices:
            assert rows[name][f"p9_{value}"] == sum(1 for s in nine if s.path_9 == value)
        assert rows[name]["p9_unknown"] == sum(1 for s in nine if not s.path_9)
        for value, _label in Student.PathAfter11.choices:
            assert rows[name][f"p11_{value}"] == sum(1 for s in eleven if s.path_11 == value)


def test_interests_count_the_latest_leading_type_of_each_pupil(world, report_data):
    table = REPORTS["interests"].run(scope=exact_scope(world), filters=ReportFilters())
    rows = by_key(table, "school", "grade")
    expected = Counter()
    for spec in counted(report_data.specs):
        if spec.attempt_scale is not None:
            scale = report_data.scales[spec.attempt_scale]
            expected[(getattr(world, spec.school).short_name, spec.grade, scale.pk)] += 1
    for (school, grade, scale_id), n in expected.items():
        assert rows[(school, grade)][f"s{scale_id}"] == n
    qkey = f"q{report_data.questionnaire.pk}"
    for (school, grade), row in rows.items():
        assert row[qkey] == sum(n for (s, g, _), n in expected.items() if (s, g) == (school, grade))
    assert table.totals[qkey] == sum(expected.values())


def test_school_head_scope_covers_only_their_school(world, report_data):
    scope = ReportScope(
        district_ids=frozenset({world.district.pk}),
        school_ids=frozenset({world.school_b.pk}),
        exact=True,
    )
    table = REPORTS["coverage"].run(scope=scope, filters=ReportFilters())
    assert {row["school"] for row in table.rows} == {world.school_b.short_name}
    assert table.totals["pupils"] == sum(
        1 for s in counted(report_data.specs) if s.school == "school_b"
    )


def test_filters_narrow_by_school_grade_and_year(world, report_data):
    scope = exact_scope(world)
    year = report_data.students[0].academic_year
    table = REPORTS["coverage"].run(
        scope=scope, filters=ReportFilters(school_id=world.school_a.pk, grade=9)
    )
    assert [(r["school"], r["grade"]) for r in table.rows] == [(world.school_a.short_name, 9)]
    assert table.totals["pupils"] == sum(
        1 for s in counted(report_data.specs) if s.school == "school_a" and s.grade == 9
    )
    last_year = REPORTS["coverage"].run(scope=scope, filters=ReportFilters(academic_year=year - 1))
    assert last_year.totals["pupils"] == sum(
        1 for s in report_data.specs if s.year_offset == -1 and s.school != "other_district_school"
    )


def test_period_filter_counts_questionnaires_completed_in_it(world, report_data):
    import datetime

    long_ago = ReportFilters(
        date_from=datetime.date(2016, 1, 1), date_to=datetime.date(2016, 12, 31)
    )
    table = REPORTS["coverage"].run(scope=exact_scope(world), filters=long_ago)
    assert table.totals["with_attempt"] == 0
    assert table.totals["pupils"] == len(counted(report_data.specs))
