"""The made-up people of the demo district: plans of pupils and technikum students of the
current academic year with their guardians, consents and profiles, and saving any list of
plans (resource_center.demo_history adds the earlier years' records).

A plan is one Student row: a person in one academic year. Each person is drawn from a
random generator seeded by their place in the list, so a re-run makes the same people and
finds them by the natural key (organisation, academic year, ФИО, birth date).
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from employers.models import DualTrainingPlace
from resource_center import demo_data
from resource_center import demo_people_data as data
from resource_center.models import Organisation
from schools.models import Programme
from students.models import Achievement, Consent, Guardian, Student

StudentKey = tuple[int, int, str, str, str, datetime.date]

Relation = Guardian.Relation
Scope = Consent.Scope

# fmt: off
_LATIN = dict(zip(
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
    ["a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p",
     "r", "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya"],
    strict=True,
))
# fmt: on
# Placement statuses of the demo students, with their weights.
PLACEMENT_STATUSES = {
    "active": 5,
    "contract_signed": 1,
    "agreed": 2,
    "proposed": 2,
    "declined": 1,
    "terminated": 1,
}
_KEY_FIELDS = (
    "organisation_id",
    "academic_year",
    "last_name",
    "first_name",
    "patronymic",
    "birth_date",
)


@dataclass
class Person:
    """A made-up guardian."""

    last_name: str
    first_name: str
    patronymic: str
    relation: str
    phone: str
    email: str


@dataclass
class Plan:
    """A made-up student in one academic year with their guardians, consents and (for a
    technikum student) dual-training placement."""

    organisation_id: int
    academic_year: int
    last_name: str
    first_name: str
    patronymic: str
    birth_date: datetime.date
    sex: str
    grade: int
    class_letter: str
    guardians: list[Person]
    programme_id: int | None = None
    scopes: list[str] = field(default_factory=list)
    profile: dict[str, str] = field(default_factory=dict)
    achievement: tuple[str, str, str, str, int] | None = None
    consent_on: datetime.date | None = None
    placement: tuple[DualTrainingPlace, str] | None = None

    @property
    def key(self) -> StudentKey:
        return tuple(getattr(self, name) for name in _KEY_FIELDS)  # type: ignore[return-value]

    @property
    def person_seed(self) -> str:
        """The same for every year's record of the person."""
        return f"{self.last_name}-{self.first_name}-{self.patronymic}-{self.birth_date}"

    def earlier(self, *, organisation_id: int, years_back: int, grade: int) -> Plan:
        """The person's record `years_back` years earlier, with the same consents (given
        that September) and no achievement."""
        year = self.academic_year - years_back
        consent_on = None
        if self.consent_on:
            consent_on = self.consent_on.replace(year=self.consent_on.year - years_back)
        return replace(
            self,
            organisation_id=organisation_id,
            academic_year=year,
            grade=grade,
            programme_id=None,
            scopes=list(self.scopes),
            profile=dict(self.profile),
            achievement=None,
            consent_on=consent_on,
            placement=None,
        )


def unique(plans: Iterable[Plan]) -> list[Plan]:
    """The plans without a later one of the same key (two made-up people may coincide)."""
    seen: set[StudentKey] = set()
    kept = []
    for plan in plans:
        if plan.key not in seen:
            seen.add(plan.key)
            kept.append(plan)
    return kept


# --- made-up people ---------------------------------------------------------------------


def _feminine(surname: str) -> str:
    return surname[:-2] + "ая" if surname.endswith("ий") else surname + "а"


def _daughters(patronymic: str) -> str:
    """Сергеевич → Сергеевна."""
    return patronymic[:-2] + "на"


def _latin(word: str) -> str:
    return "".join(_LATIN.get(c, c) for c in word.lower())


def _phone(rng: random.Random) -> str:
    code = rng.choice(data.MOBILE_CODES)
    return f"+7 {code} {rng.randrange(1000):03d}-{rng.randrange(100):02d}-{rng.randrange(100):02d}"


def _parent(rng: random.Random, relation: str, last: str, first: str, patronymic: str) -> Person:
    email = f"{_latin(first)}.{_latin(last)}{rng.randrange(10, 100)}@example.com"
    return Person(last, first, patronymic, relation, _phone(rng), email)


def random_plan(
    rng: random.Random,
    *,
    organisation: Organisation,
    grade: int,
    letter: str,
    born_from: datetime.date,
    year: int,
) -> Plan:
    """A made-up child born in the 16 months from born_from, with one or both parents."""
    male = rng.random() < 0.5
    surname = rng.choice(data.SURNAMES)
    father_name, sons_patronymic = rng.choice(data.FATHERS)
    mothers_father, fathers_father = rng.choice(data.FATHERS)[1], rng.choice(data.FATHERS)[1]
    mother_name = rng.choice(data.MOTHERS)
    mother = _parent(
        rng, Relation.MOTHER, _feminine(surname), mother_name, _daughters(mothers_father)
    )
    father = _parent(rng, Relation.FATHER, surname, father_name, fathers_father)
    share = rng.random()
    return Plan(
        organisation_id=organisation.pk,
        academic_year=year,
        last_name=surname if male else _feminine(surname),
        first_name=rng.choice(data.BOYS if male else data.GIRLS),
        patronymic=sons_patronymic if male else _daughters(sons_patronymic),
        birth_date=born_from + datetime.timedelta(days=rng.randrange(488)),
        sex=Student.Sex.MALE if male else Student.Sex.FEMALE,
        grade=grade,
        class_letter=letter,
        guardians=[mother, father] if share < 0.55 else [mother] if share < 0.9 else [father],
        consent_on=datetime.date(year, 9, 2) + datetime.timedelta(days=rng.randrange(25)),
    )


def family_plans(*, school: Organisation, year: int) -> list[Plan]:
    """The fixed family behind the parent and pupil logins."""
    rng = random.Random("nytva-demo-family")  # noqa: S311 (seeded on purpose: repeatable)
    parents = [_parent(rng, *row) for row in data.DEMO_PARENTS]
    plans = []
    for last, first, patronymic, sex, grade, letter, month, day in data.DEMO_CHILDREN:
        plan = Plan(
            organisation_id=school.pk,
            academic_year=year,
            last_name=last,
            first_name=first,
            patronymic=patronymic,
            birth_date=datetime.date(year - grade - 6, month, day),
            sex=sex,
            grade=grade,
            class_letter=letter,
            guardians=parents,
        )
        plan.scopes = [Scope.PROCESSING, *([Scope.TRANSFER_TECHNIKUM] if grade >= 9 else [])]
        plan.consent_on = datetime.date(year, 9, 3)
        plans.append(plan)
    return plans


def pupil_plans(
    count: int, *, schools: list[tuple[dict[str, Any], Organisation]], year: int
) -> list[Plan]:
    """Pupils of grades 7–11; pupil i depends on i alone, so any count repeats a prefix."""
    plans: list[Plan] = []
    seen: set[StudentKey] = set()
    weights = [spec["weight"] for spec, _ in schools]
    i = 0
    while len(plans) < count:
        rng = random.Random(f"nytva-demo-pupil-{i}")  # noqa: S311 (seeded on purpose: repeatable)
        i += 1
        spec, school = rng.choices(schools, weights)[0]
        grade = rng.choice(spec["grades"])
        plan = random_plan(
            rng,
            organisation=school,
            grade=grade,
            letter=rng.choice(spec["letters"]),
            born_from=datetime.date(year - grade - 7, 9, 1),
            year=year,
        )
        if plan.key in seen:
            continue
        seen.add(plan.key)
        if rng.random() < 0.85:
            plan.scopes.append(Scope.PROCESSING)
            if grade in (9, 11) and rng.random() < data.TRANSFER_TECHNIKUM_SHARE:
                plan.scopes.append(Scope.TRANSFER_TECHNIKUM)
            profile_plan(rng, plan, year=year)
            if grade >= 8 and rng.random() < data.TRANSFER_EMPLOYERS_SHARE:
                plan.scopes.append(Scope.TRANSFER_EMPLOYERS)
        plans.append(plan)
    return plans


def profile_plan(rng: random.Random, plan: Plan, *, year: int) -> None:
    """Interests, liked professions, plans and now and then an achievement (consent given)."""
    plan.profile = {
        "interests": rng.choice(data.INTERESTS),
        "preferred_professions": ", ".join(rng.sample(data.PROFESSIONS, 2)),
        "path_after_9": rng.choice([*Student.PathAfter9.values, ""]) if plan.grade <= 9 else "",
        "path_after_11": rng.choice([*Student.PathAfter11.values, ""]) if plan.grade > 9 else "",
    }
    if rng.random() < 0.3:
        title, kind, level = rng.choice(data.ACHIEVEMENTS)
        result = rng.choice(Achievement.Result.values)
        plan.achievement = (title, kind, level, result, year - rng.randrange(2))


def technikum_plans(
    *,
    technikum: Organisation,
    programmes: dict[str, Programme],
    places: dict[str, list[DualTrainingPlace]],
    year: int,
) -> list[Plan]:
    """Technikum students of every programme and course; dual ones from course 2 are placed.
    Then the first-year intake of each programme (data.INTAKE)."""
    plans = []
    ordered = list(programmes.values())
    for i in range(demo_data.TECHNIKUM_STUDENTS):
        rng = random.Random(f"nytva-demo-student-{i}")  # noqa: S311 (seeded on purpose: repeatable)
        programme = ordered[i % len(ordered)]
        course = 1 + (i // len(ordered)) % -(-programme.duration_months // 12)
        plan = _technikum_plan(
            rng, technikum=technikum, programme=programme, course=course, year=year
        )
        choices = places.get(programme.okso_code, [])
        if programme.is_dual and course >= 2 and choices:
            statuses = list(PLACEMENT_STATUSES)
            status = rng.choices(statuses, list(PLACEMENT_STATUSES.values()))[0]
            plan.placement = (choices[i % len(choices)], status)
        # Most guardians of dual-training students let the name reach employers; the fourth
        # student of each programme (a first-year) has no such consent, so the proposal page
        # shows why.
        _technikum_consents(plan, programme, year=year, employers=i // len(ordered) % 4 != 3)
        plans.append(plan)
    for okso, count in data.INTAKE.items():
        programme = programmes[okso]
        for n in range(count):
            seed = f"nytva-demo-intake-{okso}-{n}"
            rng = random.Random(seed)  # noqa: S311 (seeded on purpose: repeatable)
            plan = _technikum_plan(
                rng, technikum=technikum, programme=programme, course=1, year=year
            )
            _technikum_consents(plan, programme, year=year, employers=True)
            plans.append(plan)
    return plans


def _technikum_plan(
    rng: random.Random, *, technikum: Organisation, programme: Programme, course: int, year: int
) -> Plan:
    prefixes = {row[0]: row[-1] for row in demo_data.PROGRAMMES}
    school_years = int(programme.base_education) + course
    plan = random_plan(
        rng,
        organisation=technikum,
        grade=course,
        letter=f"{prefixes[programme.okso_code]}-{(year - course + 1) % 100:02d}",
        born_from=datetime.date(year - school_years - 7, 9, 1),
        year=year,
    )
    plan.programme_id = programme.pk
    return plan


def _technikum_consents(plan: Plan, programme: Programme, *, year: int, employers: bool) -> None:
    """Only a minor's consent comes from a guardian; adults sign their own."""
    born = plan.birth_date
    age = year - born.year - ((born.month, born.day) > (9, 1))
    if age < 18:
        plan.scopes.append(Scope.PROCESSING)
        if plan.placement or (programme.is_dual and employers):
            plan.scopes.append(Scope.TRANSFER_EMPLOYERS)


# --- saving ----------------------------------------------------------------------------


def students_save(
    plans: list[Plan], *, recorded_by: dict[int, AbstractBaseUser]
) -> dict[StudentKey, int]:
    """Bulk-create the missing students, guardians and active consents; ids by student key.
    The plans must not repeat a key (see unique)."""
    students = Student.objects.filter(organisation_id__in={p.organisation_id for p in plans})

    def ids_now() -> dict[StudentKey, int]:
        return {tuple(row[1:]): row[0] for row in students.values_list("pk", *_KEY_FIELDS)}

    ids = ids_now()
    before = set(ids)
    fields = (*_KEY_FIELDS, "sex", "grade", "class_letter", "programme_id")
    new = [
        Student(**{name: getattr(p, name) for name in fields}, **p.profile)
        for p in plans
        if p.key not in ids
    ]
    for student in new:
        student.clean_fields(exclude=["organisation", "programme", "user"])
        student.set_search_key()
    Student.objects.bulk_create(new, batch_size=500)
    ids = ids_now() if new else ids
    Achievement.objects.bulk_create(
        [
            Achievement(student_id=ids[p.key], title=t, kind=k, level=lv, result=r, year=y)
            for p in plans
            if p.achievement and p.key not in before
            for t, k, lv, r, y in [p.achievement]
        ]
    )

    plan_ids = [ids[p.key] for p in plans]
    guardians = Guardian.objects.filter(student_id__in=plan_ids)
    names = ("student_id", "last_name", "first_name", "patronymic")
    have = {tuple(row) for row in guardians.values_list(*names)}
    new_guardians = [
        Guardian(student_id=ids[p.key], **vars(g))
        for p in plans
        for g in p.guardians
        if (ids[p.key], g.last_name, g.first_name, g.patronymic) not in have
    ]
    for guardian in new_guardians:
        guardian.clean_fields(exclude=["student", "user"])
    Guardian.objects.bulk_create(new_guardians, batch_size=500)
    guardian_ids = {tuple(row[1:]): row[0] for row in guardians.values_list("pk", *names)}

    active = set(
        Consent.objects.active().filter(student_id__in=plan_ids).values_list("student_id", "scope")
    )
    today = timezone.localdate()
    new_consents = []
    for p in plans:
        sid, first = ids[p.key], p.guardians[0]
        given_by = guardian_ids[(sid, first.last_name, first.first_name, first.patronymic)]
        new_consents += [
            Consent(
                student_id=sid,
                guardian_id=given_by,
                scope=scope,
                document_number=f"ПД-{p.academic_year}-{sid:05d}",
                given_on=min(p.consent_on or today, today),
                recorded_by=recorded_by.get(p.organisation_id),
            )
            for scope in p.scopes
            if (sid, scope) not in active
        ]
    Consent.objects.bulk_create(new_consents, batch_size=500)
    return ids


def family_link(*, ids: list[int], parent: AbstractBaseUser, pupil: AbstractBaseUser) -> None:
    """The parent login is the mother of the family's children; the pupil login the first child."""
    Guardian.objects.filter(student_id__in=ids, relation=Relation.MOTHER).update(user=parent)
    # The login follows the child into a new academic year's record.
    Student.objects.filter(user=pupil).exclude(pk=ids[0]).update(user=None)
    Student.objects.filter(pk=ids[0]).update(user=pupil)
