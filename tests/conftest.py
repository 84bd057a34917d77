"""Test settings and the personas every test builds on."""

from __future__ import annotations

import os
from dataclasses import dataclass

import pytest
from django.core.cache import cache

from resource_center.models import Organisation, Role
from tests import factories as f

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require_service(available: bool, what: str) -> None:
    """Skip on a developer's laptop that lacks a service; in CI a missing service fails."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"{what} is required in CI but is not available", pytrace=False)
    pytest.skip(f"{what} is not available on this machine (required in CI)")


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.SECURE_SSL_REDIRECT = False
    # One process: its own cache is shared by all it runs, so rendered pages are cached as in
    # production; each test starts with an empty cache (the data of the last one is gone).
    settings.PAGE_CACHE_SECONDS = 600
    cache.clear()


@pytest.fixture
def uncached(settings):
    """Pages rendered on every request and each user's access read on every request: for
    tests that count the queries of a rendering (the cache has its own tests)."""
    settings.PAGE_CACHE_SECONDS = 0


@dataclass
class World:
    """Two schools of one district and everyone around them, plus a second district."""

    district: object
    school_a: Organisation
    school_b: Organisation
    technikum: Organisation
    employer: Organisation
    other_employer: Organisation
    employment_centre: Organisation
    administration: Organisation
    resource_centre: Organisation
    other_district_school: Organisation


@pytest.fixture
def world(db) -> World:
    district = f.DistrictFactory()
    other = f.DistrictFactory(name="Оханский городской округ")
    kinds = Organisation.Kind
    return World(
        district=district,
        school_a=f.SchoolFactory(district=district, short_name="СОШ № 1"),
        school_b=f.SchoolFactory(district=district, short_name="СОШ № 2"),
        technikum=f.TechnikumFactory(district=district, short_name="НМТ"),
        employer=f.EmployerFactory(district=district, short_name="ОАО «Нытва»"),
        other_employer=f.EmployerFactory(district=district, short_name="ООО «Другое»"),
        employment_centre=f.OrganisationFactory(
            district=district, kind=kinds.EMPLOYMENT_CENTRE, short_name="ЦЗН"
        ),
        administration=f.OrganisationFactory(
            district=district, kind=kinds.ADMINISTRATION, short_name="Администрация"
        ),
        resource_centre=f.OrganisationFactory(
            district=district, kind=kinds.RESOURCE_CENTRE, short_name="Ресурсный центр"
        ),
        other_district_school=f.SchoolFactory(district=other, short_name="СОШ Оханск"),
    )


def _member(username: str, organisation: Organisation, role: str):
    user = f.UserFactory(username=username)
    f.MembershipFactory(user=user, organisation=organisation, role=role)
    return user


@pytest.fixture
def counsellor_a(world):
    return _member("counsellor_a", world.school_a, Role.COUNSELLOR)


@pytest.fixture
def counsellor_b(world):
    return _member("counsellor_b", world.school_b, Role.COUNSELLOR)


@pytest.fixture
def head_a(world):
    return _member("head_a", world.school_a, Role.SCHOOL_HEAD)


@pytest.fixture
def technikum_staff(world):
    return _member("technikum_staff", world.technikum, Role.TECHNIKUM_STAFF)


@pytest.fixture
def employer_rep(world):
    return _member("employer_rep", world.employer, Role.EMPLOYER_REP)


@pytest.fixture
def centre_specialist(world):
    return _member("centre_specialist", world.employment_centre, Role.CENTRE_SPECIALIST)


@pytest.fixture
def district_admin(world):
    return _member("district_admin", world.administration, Role.ADMINISTRATION)


@pytest.fixture
def coordinator(world):
    user = _member("coordinator", world.resource_centre, Role.COORDINATOR)
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return user


@pytest.fixture
def pupil_a(world):
    return f.StudentFactory(organisation=world.school_a, last_name="Иванов", grade=9)


@pytest.fixture
def pupil_b(world):
    return f.StudentFactory(organisation=world.school_b, last_name="Петров", grade=9)


@pytest.fixture
def parent_of_pupil_a(pupil_a):
    user = f.UserFactory(username="parent_a")
    f.GuardianFactory(student=pupil_a, user=user)
    return user


@pytest.fixture
def pupil_a_user(pupil_a):
    user = f.UserFactory(username="pupil_a")
    pupil_a.user = user
    pupil_a.save(update_fields=["user"])
    return user


@pytest.fixture
def placed_student(world):
    """A technikum student in dual training at world.employer."""
    programme = f.ProgrammeFactory(technikum=world.technikum)
    place = f.DualTrainingPlaceFactory(programme=programme, employer=world.employer)
    return f.PlacementFactory(place=place).student


@pytest.fixture
def anonymous():
    from django.contrib.auth.models import AnonymousUser

    return AnonymousUser()


@pytest.fixture
def questionnaires(db) -> dict:
    """The two shipped questionnaires by code ("klimov-ddo", "riasec"), installed as the data
    migration installs them (transactional tests empty the tables the migration filled)."""
    from guidance.questionnaire_data import install_questionnaires

    return install_questionnaires()


@pytest.fixture
def no_mapping_defaults(db) -> None:
    """Empty the profession groups, professions and mapping rules that the labour data
    migration installs, for tests that build their own (rolled back after each test)."""
    from guidance.models import Profession
    from labour.models import MappingRule, ProfessionGroup

    MappingRule.objects.all().delete()
    Profession.objects.all().delete()
    ProfessionGroup.objects.all().delete()
