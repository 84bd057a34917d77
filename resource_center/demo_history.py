"""The earlier academic years of the demo district's schools, for the reports that compare
years or follow pupils from school to the technikum.

Three kinds of records, one Student row per person per academic year:

- each pupil of this year in the data.HISTORY_YEARS years before, a grade lower each year
  back, while the grade is 7 or more;
- technikum students of the first two courses who finished a district school (about half
  of them the programme's feeder school): their last school years, with the same ФИО and
  birth date, so the continuity report matches them;
- the 11th graders of the earlier years, who have left school since.

Every person is drawn from a generator seeded by who they are or by their place in the
list, so a re-run plans the same records and the seed finds them by their natural key.
"""

from __future__ import annotations

import datetime
import random
from collections import Counter
from typing import Any

from resource_center import demo_people_data as data
from resource_center.demo_people import Plan, Scope, profile_plan, random_plan
from resource_center.models import Organisation
from schools.models import Programme
from students.models import Student

_FIRST_GRADE = 7


def demo_history_plans(
    *,
    pupils: list[Plan],
    technikum: list[Plan],
    schools: list[tuple[dict[str, Any], Organisation]],
    programmes: dict[str, Programme],
    year: int,
) -> list[Plan]:
    """The earlier years' records of this year's pupils and technikum students and of the
    earlier years' school leavers (see the module docstring)."""
    first_year = year - data.HISTORY_YEARS
    plans = [
        plan.earlier(organisation_id=plan.organisation_id, years_back=back, grade=grade)
        for plan in pupils
        for back in range(1, data.HISTORY_YEARS + 1)
        if (grade := plan.grade - back) >= _FIRST_GRADE
    ]
    for plan in plans:
        _paths_of_stayers(plan)
    plans += _technikum_origins(technikum, schools=schools, programmes=programmes, first=first_year)
    plans += _graduates(pupils, schools=schools, year=year, first=first_year)
    return plans


def _paths_of_stayers(plan: Plan) -> None:
    """A pupil who is at school the next year planned to stay there."""
    if not plan.profile:
        return
    if plan.grade <= 9:
        plan.profile["path_after_9"] = (
            Student.PathAfter9.GRADE_10
            if plan.grade == 9
            else (plan.profile["path_after_9"] or Student.PathAfter9.GRADE_10)
        )
        plan.profile["path_after_11"] = ""
    elif not plan.profile["path_after_11"]:
        plan.profile["path_after_11"] = Student.PathAfter11.UNIVERSITY


def _origin_school(
    rng: random.Random,
    *,
    okso: str,
    base: int,
    schools: list[tuple[dict[str, Any], Organisation]],
) -> tuple[dict[str, Any], Organisation]:
    fitting = [(spec, org) for spec, org in schools if base in spec["grades"]]
    feeder = [item for item in fitting if item[0]["key"] == data.FEEDER_SCHOOLS.get(okso)]
    if feeder and rng.random() < data.FEEDER_SHARE:
        return feeder[0]
    return rng.choices(fitting, [spec["weight"] for spec, _org in fitting])[0]


def _technikum_origins(
    students: list[Plan],
    *,
    schools: list[tuple[dict[str, Any], Organisation]],
    programmes: dict[str, Programme],
    first: int,
) -> list[Plan]:
    """A student of course c on base b (9 or 11 years of school) was in grade b c years ago."""
    by_id = {p.pk: p for p in programmes.values()}
    plans = []
    for student in students:
        programme = by_id[student.programme_id]  # type: ignore[index]
        base = int(programme.base_education)
        left = student.academic_year - student.grade
        if left < first:
            continue
        rng = random.Random(f"nytva-demo-origin-{student.person_seed}")  # noqa: S311 (seeded on purpose: repeatable)
        if rng.random() >= data.FROM_DISTRICT:
            continue
        spec, school = _origin_school(rng, okso=programme.okso_code, base=base, schools=schools)
        last = student.earlier(
            organisation_id=school.pk, years_back=student.academic_year - left, grade=base
        )
        last.class_letter = rng.choice(spec["letters"])
        last.consent_on = datetime.date(left, 9, 2) + datetime.timedelta(days=rng.randrange(25))
        _consents(rng, last)
        if last.profile:
            key = "path_after_9" if base == 9 else "path_after_11"
            last.profile[key] = "technikum"
        plans.append(last)
        if left - 1 >= first and base - 1 >= _FIRST_GRADE:
            before = last.earlier(organisation_id=school.pk, years_back=1, grade=base - 1)
            _paths_of_stayers(before)
            plans.append(before)
    return plans


def _consents(rng: random.Random, plan: Plan) -> None:
    """A school record's consents and profile, as this year's pupils have them."""
    plan.scopes, plan.profile = [], {}
    if rng.random() < 0.85:
        plan.scopes.append(Scope.PROCESSING)
        if plan.grade in (9, 11) and rng.random() < data.TRANSFER_TECHNIKUM_SHARE:
            plan.scopes.append(Scope.TRANSFER_TECHNIKUM)
        profile_plan(rng, plan, year=plan.academic_year)
        plan.achievement = None
        if plan.grade >= 8 and rng.random() < data.TRANSFER_EMPLOYERS_SHARE:
            plan.scopes.append(Scope.TRANSFER_EMPLOYERS)


def _graduates(
    pupils: list[Plan],
    *,
    schools: list[tuple[dict[str, Any], Organisation]],
    year: int,
    first: int,
) -> list[Plan]:
    """Each earlier year's 11th graders, about as many as the school has this year."""
    eleventh = Counter(p.organisation_id for p in pupils if p.grade == 11)
    plans = []
    for spec, school in schools:
        if 11 not in spec["grades"]:
            continue
        count = round(eleventh[school.pk] * data.GRADUATES_SHARE)
        for left in range(first, year):
            for n in range(count):
                seed = f"nytva-demo-graduate-{spec['key']}-{left}-{n}"
                rng = random.Random(seed)  # noqa: S311 (seeded on purpose: repeatable)
                plan = random_plan(
                    rng,
                    organisation=school,
                    grade=11,
                    letter=rng.choice(spec["letters"]),
                    born_from=datetime.date(left - 11 - 7, 9, 1),
                    year=left,
                )
                _consents(rng, plan)
                plans.append(plan)
                if left - 1 >= first:
                    before = plan.earlier(organisation_id=school.pk, years_back=1, grade=10)
                    _paths_of_stayers(before)
                    plans.append(before)
    return plans
