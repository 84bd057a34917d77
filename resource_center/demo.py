"""Seed the made-up demo district behind `manage.py seed_demo`.

This module saves the organisations, logins, dual-training places, placements and vacancies
(their data is in demo_data) and calls the other parts: the people of this academic year
(demo_people) and of the earlier ones (demo_history), dual training (demo_dual), events
(demo_events), professions and questionnaire results (demo_guidance), the labour market
(demo_labour) and the career-guidance minimum's levels and class activities (demo_minimum).

Every row is found by a natural key before it is created, and the people are drawn from
one seeded random generator per person, so a second run finds what the first one made
and adds nothing.
"""

from __future__ import annotations

import datetime
from collections import Counter
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
from resource_center.demo_events import demo_events_counts, demo_events_seed
from resource_center.demo_guidance import demo_guidance_counts, demo_guidance_seed
from resource_center.demo_history import demo_history_plans
from resource_center.demo_labour import (
    demo_labour_counts,
    demo_labour_history_seed,
    demo_vacancy_archive_save,
)
from resource_center.demo_minimum import demo_minimum_counts, demo_minimum_seed
from resource_center.demo_people import (
    Plan,
    StudentKey,
    family_link,
    family_plans,
    pupil_plans,
    students_save,
    technikum_plans,
    unique,
)
from resource_center.lib.checks import inn_with_check_digits
from resource_center.models import District, Membership, Organisation, Role
from schools.models import Programme
from students.models import Consent, Guardian, Student, current_academic_year

M = TypeVar("M", bound=models.Model)

PlacementStatus = Placement.Status

_SIGNED = ("contract_signed", "active", "completed")
_REASONS = {
    "declined": "Нет свободного наставника на участке в этом семестре.",
    "terminated": "Студент перевёлся на заочную форму обучения.",
}


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
    family = family_plans(school=orgs["school1"], year=year)
    pupils_now = family + pupil_plans(max(pupils - len(family), 0), schools=schools, year=year)
    students = technikum_plans(
        technikum=orgs["technikum"], programmes=programmes, places=places, year=year
    )
    history = demo_history_plans(
        pupils=pupils_now, technikum=students, schools=schools, programmes=programmes, year=year
    )
    plans = unique([*pupils_now, *students, *history])
    memberships = Membership.objects.filter(user__in=users.values(), role=Role.COUNSELLOR)
    counsellors = {m.organisation_id: m.user for m in memberships.select_related("user")}
    ids = students_save(plans, recorded_by=counsellors)
    family_link(ids=[ids[p.key] for p in family], parent=users["parent"], pupil=users["pupil"])
    _placements_save(plans, ids=ids)
    demo_dual_seed(orgs=orgs, programmes=programmes, users=users, year=year)
    _vacancies_save(orgs=orgs)
    demo_vacancy_archive_save(orgs=orgs)
    family_ids = [ids[p.key] for p in family]
    demo_guidance_seed(
        district=district,
        orgs=orgs,
        programmes=programmes,
        users=users,
        family=family_ids,
        year=year,
    )
    demo_events_seed(orgs=orgs, programmes=programmes, users=users, family=family_ids, year=year)
    demo_minimum_seed(orgs=orgs, users=users, year=year)
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
    pupils = students.filter(organisation__kind=kind.SCHOOL)
    year = current_academic_year()
    usernames = [row[0] for row in data.DEMO_STAFF] + [data.PARENT_LOGIN[0], data.PUPIL_LOGIN[0]]
    return {
        "organisations": district.organisations.count(),
        "schools": district.organisations.schools().count(),
        "employers": district.organisations.employers().count(),
        "programmes": Programme.objects.filter(technikum__district=district).count(),
        "pupils": pupils.filter(academic_year=year).count(),
        "earlier_pupils": pupils.filter(academic_year__lt=year).count(),
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
        **demo_events_counts(district=district),
        **demo_labour_counts(district=district),
        **demo_minimum_counts(district=district),
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


def _placements_save(plans: list[Plan], *, ids: dict[StudentKey, int]) -> None:
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
