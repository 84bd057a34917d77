"""Database constraints and validators of the data model."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from resource_center.models import Membership, Role
from students.models import Consent, current_academic_year
from tests import factories as f

pytestmark = pytest.mark.django_db


def violates(factory, **kwargs) -> bool:
    try:
        with transaction.atomic():
            factory(**kwargs)
    except IntegrityError:
        return True
    return False


def test_organisation_inn_check_digits_are_validated(world):
    world.school_a.inn = "5942000111"
    with pytest.raises(ValidationError) as exc:
        world.school_a.full_clean()
    assert "контрольными цифрами" in str(exc.value)


def test_organisation_inn_is_unique_but_may_be_blank(world):
    assert violates(f.SchoolFactory, district=world.district, inn=world.school_a.inn)
    f.SchoolFactory(district=world.district, inn="")
    assert not violates(f.SchoolFactory, district=world.district, inn="")


def test_membership_role_must_fit_organisation_kind(world):
    user = f.UserFactory()
    membership = Membership(user=user, organisation=world.employer, role=Role.COUNSELLOR)
    with pytest.raises(ValidationError) as exc:
        membership.full_clean()
    assert "Школа" in str(exc.value)
    Membership(user=user, organisation=world.school_a, role=Role.COUNSELLOR).full_clean()


def test_membership_role_is_unique_per_organisation(counsellor_a, world):
    assert violates(
        f.MembershipFactory, user=counsellor_a, organisation=world.school_a, role=Role.COUNSELLOR
    )


@pytest.mark.parametrize(
    ("code", "bad"), [("15.01.05", False), ("15.1.05", True), ("1501.05", True)]
)
def test_programme_okso_code_format_is_enforced_by_the_database(world, code, bad):
    assert violates(f.ProgrammeFactory, technikum=world.technikum, okso_code=code) is bad


def test_programme_okso_validator_message_is_russian(world):
    programme = f.ProgrammeFactory.build(technikum=world.technikum, okso_code="15-01-05")
    with pytest.raises(ValidationError) as exc:
        programme.full_clean()
    assert "NN.NN.NN" in str(exc.value)


@pytest.mark.parametrize(("grade", "bad"), [(0, True), (1, False), (11, False), (12, True)])
def test_student_grade_range(world, grade, bad):
    assert violates(f.StudentFactory, organisation=world.school_a, grade=grade) is bad


def test_one_active_consent_per_scope(pupil_a):
    consent = f.ConsentFactory(student=pupil_a)
    assert violates(f.ConsentFactory, student=pupil_a, guardian=consent.guardian)
    assert not violates(
        f.ConsentFactory,
        student=pupil_a,
        guardian=consent.guardian,
        scope=Consent.Scope.TRANSFER_TECHNIKUM,
    )
    consent.withdrawn_at = timezone.now()
    consent.save()
    assert not violates(f.ConsentFactory, student=pupil_a, guardian=consent.guardian)
    assert pupil_a.consents.active().count() == 2


def test_vacancy_salary_range_and_age(world):
    assert violates(f.VacancyFactory, employer=world.employer, salary_from=50000, salary_to=30000)
    assert violates(f.VacancyFactory, employer=world.employer, min_age=12)
    assert not violates(
        f.VacancyFactory, employer=world.employer, salary_from=None, salary_to=30000
    )


def test_vacancy_external_id_is_unique_per_source(world):
    f.VacancyFactory(employer=world.employer, source="trudvsem", external_id="abc")
    assert violates(f.VacancyFactory, employer=world.employer, source="trudvsem", external_id="abc")
    assert not violates(
        f.VacancyFactory, employer=world.employer, source="manual", external_id="abc"
    )


def test_dual_place_period_and_seats(world):
    start = datetime.date(current_academic_year(), 9, 1)
    assert violates(
        f.DualTrainingPlaceFactory,
        employer=world.employer,
        starts_on=start,
        ends_on=start - datetime.timedelta(days=1),
    )
    assert violates(f.DualTrainingPlaceFactory, employer=world.employer, seats=0)


def test_student_is_placed_once_per_place(placed_student):
    placement = placed_student.placements.get()
    assert violates(f.PlacementFactory, place=placement.place, student=placed_student)


def test_academic_year_turns_on_first_of_september():
    assert current_academic_year(datetime.date(2026, 8, 31)) == 2025
    assert current_academic_year(datetime.date(2026, 9, 1)) == 2026


def test_student_age_on_a_date(pupil_a):
    pupil_a.birth_date = datetime.date(2011, 5, 14)
    assert pupil_a.age_on(datetime.date(2026, 5, 13)) == 14
    assert pupil_a.age_on(datetime.date(2026, 5, 14)) == 15
