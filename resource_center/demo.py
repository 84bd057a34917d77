"""Seed the made-up demo district behind `manage.py seed_demo`; the data is in demo_data,
the career-guidance part (professions, events, questionnaire results) in demo_guidance.

Every row is found by a natural key before it is created, and the people are drawn from
one seeded random generator per person, so a second run finds what the first one made
and adds nothing.
"""

from __future__ import annotations

import datetime
import random
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import AbstractBaseUser, Group, Permission
from django.db import models, transaction
from django.utils import timezone

from employers.models import DualTrainingPlace, Placement, Vacancy
from labour.mapping_data import mapping_defaults_install
from labour.services.mapping import vacancies_map
from resource_center import demo_data as data
from resource_center.demo_dual import demo_dual_counts, demo_dual_seed
from resource_center.demo_guidance import demo_guidance_counts, demo_guidance_seed
from resource_center.demo_labour import (
    demo_labour_counts,
    demo_labour_history_seed,
    demo_vacancy_archive_save,
)
from resource_center.lib.checks import inn_with_check_digits
from resource_center.models import District, Membership, Organisation, Role
from schools.models import Programme
from students.models import Achievement, Consent, Guardian, Student, current_academic_year

M = TypeVar("M", bound=models.Model)
StudentKey = tuple[int, str, str, str, datetime.date]

Relation = Guardian.Relation
Scope = Consent.Scope
PlacementStatus = Placement.Status

# fmt: off
_LATIN = dict(zip(
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
    ["a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p",
     "r", "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya"],
    strict=True,
))
# fmt: on
# Placement statuses of the demo students, with their weights.
_PLACEMENT_STATUSES = {
    "active": 5,
    "contract_signed": 1,
    "agreed": 2,
    "proposed": 2,
    "declined": 1,
    "terminated": 1,
}
_SIGNED = ("contract_signed", "active", "completed")
_REASONS = {
    "declined": "Нет свободного наставника на участке в этом семестре.",
    "terminated": "Студент перевёлся на заочную форму обучения.",
}
_KEY_FIELDS = ("organisation_id", "last_name", "first_name", "patronymic", "birth_date")


@dataclass
class _Person:
    """A made-up guardian."""

    last_name: str
    first_name: str
    patronymic: str
    relation: str
    phone: str
    email: str


@dataclass
class _Plan:
    """A made-up student with their guardians, consents and dual-training placement."""

    organisation_id: int
    last_name: str
    first_name: str
    patronymic: str
    birth_date: datetime.date
    sex: str
    grade: int
    class_letter: str
    guardians: list[_Person]
    programme_id: int | None = None
    scopes: list[str] = field(default_factory=list)
    profile: dict[str, str] = field(default_factory=dict)
    achievement: tuple[str, str, str, str, int] | None = None
    consent_on: datetime.date | None = None
    placement: tuple[DualTrainingPlace, str] | None = None

    @property
    def key(self) -> StudentKey:
        return tuple(getattr(self, name) for name in _KEY_FIELDS)  # type: ignore[return-value]


@transaction.atomic
def demo_district_seed(
    *, pupils: int = data.DEFAULT_PUPILS, password: str = data.DEMO_PASSWORD
) -> dict[str, int]:
    """Create or complete the demo district; returns its row counts and how many rows are new."""
    district, _ = District.objects.get_or_create(**data.DISTRICT)
    before = demo_counts(district=district)
    year = current_academic_year()
    orgs = _organisations_save(district=district)
    programmes = _programmes_save(technikum=orgs["technikum"])
    users = _users_save(orgs=orgs, password=password)
    places = _places_save(orgs=orgs, programmes=programmes, year=year)
    schools = [(spec, orgs[spec["key"]]) for spec in data.SCHOOLS]
    family = _family_plans(school=orgs["school1"], year=year)
    plans = family + _pupil_plans(max(pupils - len(family), 0), schools=schools, year=year)
    plans += _technikum_plans(
        technikum=orgs["technikum"], programmes=programmes, places=places, year=year
    )
    memberships = Membership.objects.filter(user__in=users.values(), role=Role.COUNSELLOR)
    counsellors = {m.organisation_id: m.user for m in memberships.select_related("user")}
    ids = _students_save(plans, year=year, recorded_by=counsellors)
    _family_link(ids=[ids[p.key] for p in family], parent=users["parent"], pupil=users["pupil"])
    _placements_save(plans, ids=ids)
    demo_dual_seed(orgs=orgs, programmes=programmes, users=users, year=year)
    _vacancies_save(orgs=orgs)
    demo_vacancy_archive_save(orgs=orgs)
    demo_guidance_seed(
        district=district,
        orgs=orgs,
        programmes=programmes,
        users=users,
        family=[ids[p.key] for p in family],
        year=year,
    )
    # Profession groups and mapping rules, the demo vacancies mapped by them, and the
    # labour-market summaries of the past weeks and months (the last complete ones too).
    mapping_defaults_install()
    vacancies_map(vacancies=Vacancy.objects.filter(employer__district=district))
    demo_labour_history_seed(district=district)
    after = demo_counts(district=district)
    # Schools and employers are organisations too: count each new row once.
    created = sum(after[k] - before[k] for k in after if k not in ("schools", "employers"))
    return {**after, "created": created}


def demo_counts(*, district: District) -> dict[str, int]:
    """Row counts of the district's demo data (and of the demo users)."""
    students = Student.objects.filter(organisation__district=district)
    kind = Organisation.Kind
    usernames = [row[0] for row in data.DEMO_STAFF] + [data.PARENT_LOGIN[0], data.PUPIL_LOGIN[0]]
    return {
        "organisations": district.organisations.count(),
        "schools": district.organisations.schools().count(),
        "employers": district.organisations.employers().count(),
        "programmes": Programme.objects.filter(technikum__district=district).count(),
        "pupils": students.filter(organisation__kind=kind.SCHOOL).count(),
        "technikum_students": students.filter(organisation__kind=kind.TECHNIKUM).count(),
        "guardians": Guardian.objects.filter(student__in=students).count(),
        "consents": Consent.objects.active().filter(student__in=students).count(),
        "dual_places": DualTrainingPlace.objects.filter(employer__district=district).count(),
        "placements": Placement.objects.filter(place__employer__district=district).count(),
        "vacancies": Vacancy.objects.filter(employer__district=district).count(),
        "users": get_user_model().objects.filter(username__in=usernames).count(),
        "memberships": Membership.objects.filter(organisation__district=district).count(),
        **demo_dual_counts(district=district),
        **demo_guidance_counts(district=district),
        **demo_labour_counts(district=district),
    }


def _upsert(
    model: type[M], key: dict[str, Any], values: dict[str, Any], *, update: bool = True
) -> M:
    """Find a row by its natural key and update it (or leave it), or create it; validated."""
    obj = model._default_manager.filter(**key).first()
    if obj is not None and not update:
        return obj
    obj = obj or model(**key)
    for name, value in values.items():
        setattr(obj, name, value)
    obj.full_clean()
    obj.save()
    return obj


# --- organisations, programmes, users ---------------------------------------------------


def _organisations_save(*, district: District) -> dict[str, Organisation]:
    employers = [{**spec, "kind": Organisation.Kind.EMPLOYER} for spec in data.EMPLOYERS]
    schools = [{**spec, "kind": Organisation.Kind.SCHOOL} for spec in data.SCHOOLS]
    saved = {}
    for spec in [*data.ORGANISATIONS, *schools, *employers]:
        key = dict(district=district, kind=spec["kind"], short_name=spec["short_name"])
        inn = inn_with_check_digits(spec["inn"]) if spec["inn"] else ""
        values = dict(full_name=spec["full_name"], inn=inn, address=spec["address"])
        values |= dict(okved=spec.get("okved", ""), is_active=True)
        saved[spec["key"]] = _upsert(Organisation, key, values)
    return saved


def _programmes_save(*, technikum: Organisation) -> dict[str, Programme]:
    saved = {}
    for okso, title, qualification, base, months, seats, dual, _prefix in data.PROGRAMMES:
        form = Programme.FormOfStudy.FULL_TIME
        key = dict(technikum=technikum, okso_code=okso, form_of_study=form, base_education=base)
        values = dict(title=title, qualification=qualification, duration_months=months)
        values |= dict(budget_seats=seats, is_dual=dual, is_published=True)
        saved[okso] = _upsert(Programme, key, values)
    return saved


def _users_save(*, orgs: dict[str, Organisation], password: str) -> dict[str, AbstractBaseUser]:
    """The demo logins; their password is reset on every run so the README stays true."""
    # One hash for all: the demo accounts share a password anyway, and PBKDF2 per user
    # would make the command take seconds.
    encoded = make_password(password)
    users: dict[str, AbstractBaseUser] = {}
    logins = [(*row[:3], row[4] == Role.COORDINATOR) for row in data.DEMO_STAFF]
    logins += [(*data.PARENT_LOGIN, False), (*data.PUPIL_LOGIN, False)]
    for username, first_name, last_name, is_staff in logins:
        values = dict(first_name=first_name, last_name=last_name, email=f"{username}@example.com")
        values |= dict(is_staff=is_staff, is_active=True, password=encoded)
        users[username] = _upsert(get_user_model(), {"username": username}, values)
    for username, _first, _last, org_key, role, position in data.DEMO_STAFF:
        key = {"user": users[username], "organisation": orgs[org_key], "role": role}
        _upsert(Membership, key, {"position": position, "is_active": True})
    group, _ = Group.objects.get_or_create(name=data.COORDINATOR_GROUP)
    group.permissions.set(
        Permission.objects.filter(content_type__app_label__in=data.COORDINATOR_APPS)
    )
    for username, *_rest, role, _position in data.DEMO_STAFF:
        if role == Role.COORDINATOR:
            users[username].groups.add(group)
    return users


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


def _parent(rng: random.Random, relation: str, last: str, first: str, patronymic: str) -> _Person:
    email = f"{_latin(first)}.{_latin(last)}{rng.randrange(10, 100)}@example.com"
    return _Person(last, first, patronymic, relation, _phone(rng), email)


def _random_plan(
    rng: random.Random,
    *,
    organisation: Organisation,
    grade: int,
    letter: str,
    born_from: datetime.date,
    year: int,
) -> _Plan:
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
    return _Plan(
        organisation_id=organisation.pk,
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


def _family_plans(*, school: Organisation, year: int) -> list[_Plan]:
    """The fixed family behind the parent and pupil logins."""
    rng = random.Random("nytva-demo-family")  # noqa: S311 (seeded on purpose: repeatable)
    parents = [_parent(rng, *row) for row in data.DEMO_PARENTS]
    plans = []
    for last, first, patronymic, sex, grade, letter, month, day in data.DEMO_CHILDREN:
        born = datetime.date(year - grade - 6, month, day)
        plan = _Plan(school.pk, last, first, patronymic, born, sex, grade, letter, parents)
        plan.scopes = [Scope.PROCESSING, *([Scope.TRANSFER_TECHNIKUM] if grade >= 9 else [])]
        plan.consent_on = datetime.date(year, 9, 3)
        plans.append(plan)
    return plans


def _pupil_plans(
    count: int, *, schools: list[tuple[dict[str, Any], Organisation]], year: int
) -> list[_Plan]:
    """Pupils of grades 7–11; pupil i depends on i alone, so any count repeats a prefix."""
    plans: list[_Plan] = []
    seen: set[StudentKey] = set()
    weights = [spec["weight"] for spec, _ in schools]
    i = 0
    while len(plans) < count:
        rng = random.Random(f"nytva-demo-pupil-{i}")  # noqa: S311 (seeded on purpose: repeatable)
        i += 1
        spec, school = rng.choices(schools, weights)[0]
        grade = rng.choice(spec["grades"])
        plan = _random_plan(
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
            if grade in (9, 11) and rng.random() < 0.5:
                plan.scopes.append(Scope.TRANSFER_TECHNIKUM)
            _profile_plan(rng, plan, year=year)
        plans.append(plan)
    return plans


def _profile_plan(rng: random.Random, plan: _Plan, *, year: int) -> None:
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


def _technikum_plans(
    *,
    technikum: Organisation,
    programmes: dict[str, Programme],
    places: dict[str, list[DualTrainingPlace]],
    year: int,
) -> list[_Plan]:
    """Technikum students of every programme and course; dual ones from course 2 are placed."""
    plans = []
    prefixes = {row[0]: row[-1] for row in data.PROGRAMMES}
    ordered = list(programmes.values())
    for i in range(data.TECHNIKUM_STUDENTS):
        rng = random.Random(f"nytva-demo-student-{i}")  # noqa: S311 (seeded on purpose: repeatable)
        programme = ordered[i % len(ordered)]
        course = 1 + (i // len(ordered)) % -(-programme.duration_months // 12)
        school_years = int(programme.base_education) + course
        plan = _random_plan(
            rng,
            organisation=technikum,
            grade=course,
            letter=f"{prefixes[programme.okso_code]}-{(year - course + 1) % 100:02d}",
            born_from=datetime.date(year - school_years - 7, 9, 1),
            year=year,
        )
        plan.programme_id = programme.pk
        choices = places.get(programme.okso_code, [])
        if programme.is_dual and course >= 2 and choices:
            status = rng.choices(list(_PLACEMENT_STATUSES), list(_PLACEMENT_STATUSES.values()))[0]
            plan.placement = (choices[i % len(choices)], status)
        age = year - plan.birth_date.year - ((plan.birth_date.month, plan.birth_date.day) > (9, 1))
        # Only a minor's consent comes from a guardian; adults sign their own. Most
        # guardians of dual-training students let the name reach employers; the fourth
        # student of each programme (a first-year) has no such consent, so the proposal
        # page shows why.
        if age < 18:
            plan.scopes.append(Scope.PROCESSING)
            if plan.placement or (programme.is_dual and i // len(ordered) % 4 != 3):
                plan.scopes.append(Scope.TRANSFER_EMPLOYERS)
        plans.append(plan)
    return plans


def _students_save(
    plans: list[_Plan], *, year: int, recorded_by: dict[int, AbstractBaseUser]
) -> dict[StudentKey, int]:
    """Bulk-create the missing students, guardians and active consents; ids by student key."""
    students = Student.objects.filter(organisation_id__in={p.organisation_id for p in plans})

    def ids_now() -> dict[StudentKey, int]:
        return {tuple(row[1:]): row[0] for row in students.values_list("pk", *_KEY_FIELDS)}

    ids = ids_now()
    before = set(ids)
    fields = (*_KEY_FIELDS, "sex", "grade", "class_letter", "programme_id")
    new = [
        Student(academic_year=year, **{name: getattr(p, name) for name in fields}, **p.profile)
        for p in plans
        if p.key not in ids
    ]
    for student in new:
        student.clean_fields(exclude=["organisation", "programme", "user"])
        student.set_search_key()
    Student.objects.bulk_create(new)
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
    Guardian.objects.bulk_create(new_guardians)
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
                document_number=f"ПД-{year}-{sid:05d}",
                given_on=min(p.consent_on or today, today),
                recorded_by=recorded_by.get(p.organisation_id),
            )
            for scope in p.scopes
            if (sid, scope) not in active
        ]
    Consent.objects.bulk_create(new_consents)
    return ids


def _family_link(*, ids: list[int], parent: AbstractBaseUser, pupil: AbstractBaseUser) -> None:
    """The parent login is the mother of the family's children; the pupil login the first child."""
    Guardian.objects.filter(student_id__in=ids, relation=Relation.MOTHER).update(user=parent)
    # The login follows the child into a new academic year's record.
    Student.objects.filter(user=pupil).exclude(pk=ids[0]).update(user=None)
    Student.objects.filter(pk=ids[0]).update(user=pupil)


# --- dual training and vacancies --------------------------------------------------------


def _places_save(
    *, orgs: dict[str, Organisation], programmes: dict[str, Programme], year: int
) -> dict[str, list[DualTrainingPlace]]:
    places: dict[str, list[DualTrainingPlace]] = {}
    for okso, employer, workplace, mentor, position, seats in data.DUAL_PLACES:
        key = dict(programme=programmes[okso], employer=orgs[employer], workplace=workplace)
        key["starts_on"] = datetime.date(year, 9, 1)
        values = dict(mentor_name=mentor, mentor_position=position, seats=seats)
        values |= dict(
            ends_on=datetime.date(year + 1, 6, 30), status=DualTrainingPlace.Status.PUBLISHED
        )
        values |= dict(schedule="2 дня на предприятии / 3 дня в техникуме")
        places.setdefault(okso, []).append(_upsert(DualTrainingPlace, key, values))
    return places


def _placements_save(plans: list[_Plan], *, ids: dict[StudentKey, int]) -> None:
    """Placements missing so far; a seat-holding one past the place's seats becomes a request."""
    wanted = [(p.placement[0], ids[p.key], p.placement[1]) for p in plans if p.placement]
    existing = Placement.objects.filter(place__in={place for place, _, _ in wanted})
    have = set(existing.values_list("place_id", "student_id"))
    held = Counter(
        existing.filter(status__in=Placement.SEAT_HOLDING).values_list("place_id", flat=True)
    )
    new = []
    for place, student_id, status in wanted:
        if (place.pk, student_id) in have:
            continue
        if status in Placement.SEAT_HOLDING:
            if held[place.pk] >= place.seats:
                status = PlacementStatus.PROPOSED
            else:
                held[place.pk] += 1
        placement = Placement(
            place=place, student_id=student_id, status=status, reason=_REASONS.get(status, "")
        )
        if status in _SIGNED:
            placement.contract_number = f"УД-{place.starts_on:%y}-{student_id:05d}"
            placement.contract_date = place.starts_on
        new.append(placement)
    Placement.objects.bulk_create(new)


def _vacancies_save(*, orgs: dict[str, Organisation]) -> None:
    """Vacancies are created once; a later run leaves the employer's edits alone."""
    now = timezone.now()
    today = timezone.localdate()
    shown = (Vacancy.Status.PUBLISHED, Vacancy.Status.CLOSED)
    for n, row in enumerate(data.VACANCIES):
        employer_key, title, salary_from, salary_to, minors, summer, min_age, status, text = row
        employer = orgs[employer_key]
        # Spread over the last five and a half months, so the summaries of past periods
        # differ; a closed one was open for a month.
        published = now - datetime.timedelta(days=2 + 7 * n) if status in shown else None
        closed = None
        if published and status == Vacancy.Status.CLOSED:
            closed = min(published + datetime.timedelta(days=30), now)
        values = dict(salary_from=salary_from, salary_to=salary_to, min_age=min_age, status=status)
        values |= dict(for_minors=minors, is_summer_job=summer, description=text)
        values |= dict(
            address=employer.address, source=Vacancy.Source.MANUAL, published_at=published
        )
        values |= dict(closed_at=closed)
        values |= dict(
            schedule=Vacancy.Schedule.PART_TIME if summer else Vacancy.Schedule.FULL_DAY,
            employment_type=(
                Vacancy.EmploymentType.TEMPORARY if summer else Vacancy.EmploymentType.FULL
            ),
        )
        details = dict(data.VACANCY_DETAILS.get(title, {}))
        valid_days = details.pop("valid_days", None)
        if valid_days:
            details["valid_until"] = today + datetime.timedelta(days=valid_days)
        _upsert(Vacancy, {"employer": employer, "title": title}, values | details, update=False)
