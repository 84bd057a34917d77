"""The per-object access rules of resource_center.access."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from resource_center import access
from students.models import Student
from tests import factories as f

pytestmark = pytest.mark.django_db


def visible(user) -> set[str]:
    return set(Student.objects.visible_to(user).values_list("last_name", flat=True))


def test_counsellor_sees_only_own_school(counsellor_a, pupil_a, pupil_b):
    assert visible(counsellor_a) == {pupil_a.last_name}


def test_counsellor_of_other_school_gets_404(counsellor_b, pupil_a):
    with pytest.raises(Http404):
        access.student_for(counsellor_b, pupil_a.uuid)


def test_school_head_reads_but_cannot_edit(head_a, pupil_a):
    assert access.student_for(head_a, pupil_a.uuid) == pupil_a
    with pytest.raises(PermissionDenied):
        access.student_for(head_a, pupil_a.uuid, write=True)


def test_counsellor_may_edit_own_pupil(counsellor_a, pupil_a):
    assert access.student_for(counsellor_a, pupil_a.uuid, write=True) == pupil_a


@pytest.mark.parametrize("persona", ["district_admin", "centre_specialist", "anonymous"])
def test_aggregate_only_roles_see_no_student(request, persona, pupil_a, pupil_b, placed_student):
    user = request.getfixturevalue(persona)
    assert visible(user) == set()


def test_coordinator_sees_own_district_only(coordinator, world, pupil_a, pupil_b):
    far = f.StudentFactory(organisation=world.other_district_school, last_name="Далёкий")
    assert visible(coordinator) == {pupil_a.last_name, pupil_b.last_name}
    with pytest.raises(Http404):
        access.student_for(coordinator, far.uuid)
    assert access.can_edit_student(coordinator, pupil_a)


def test_parent_sees_own_child_only(parent_of_pupil_a, pupil_a, pupil_b):
    assert visible(parent_of_pupil_a) == {pupil_a.last_name}
    with pytest.raises(PermissionDenied):
        access.student_for(parent_of_pupil_a, pupil_a.uuid, write=True)


def test_pupil_sees_only_self(pupil_a_user, pupil_a, pupil_b):
    assert visible(pupil_a_user) == {pupil_a.last_name}


def test_employer_sees_only_students_placed_with_it(employer_rep, placed_student, pupil_a, world):
    other_place = f.DualTrainingPlaceFactory(employer=world.other_employer)
    elsewhere = f.PlacementFactory(place=other_place).student
    declined = f.PlacementFactory(
        place=f.DualTrainingPlaceFactory(employer=world.employer), status="declined"
    ).student
    proposed = f.PlacementFactory(
        place=f.DualTrainingPlaceFactory(employer=world.employer), status="proposed"
    ).student
    seen = visible(employer_rep)
    assert placed_student.last_name in seen
    assert proposed.last_name in seen  # the employer decides on a proposal by the name
    assert elsewhere.last_name not in seen
    assert declined.last_name not in seen
    assert pupil_a.last_name not in seen


def test_technikum_staff_sees_technikum_students_not_pupils(
    technikum_staff, placed_student, pupil_a
):
    assert visible(technikum_staff) == {placed_student.last_name}


def test_inactive_membership_grants_nothing(counsellor_a, pupil_a):
    counsellor_a.memberships.update(is_active=False)
    counsellor_a.refresh_from_db()
    assert visible(counsellor_a) == set()


def test_special_needs_flag_only_for_own_school_staff(counsellor_a, head_a, coordinator, pupil_a):
    assert access.can_see_special_needs(counsellor_a, pupil_a)
    assert access.can_see_special_needs(head_a, pupil_a)
    assert not access.can_see_special_needs(coordinator, pupil_a)


def test_employer_rep_edits_own_vacancies_only(employer_rep, centre_specialist, world):
    own = f.VacancyFactory(employer=world.employer)
    other = f.VacancyFactory(employer=world.other_employer)
    assert access.can_edit_vacancy(employer_rep, own)
    assert not access.can_edit_vacancy(employer_rep, other)
    # The employment centre publishes on behalf of every employer of its district.
    assert access.can_edit_vacancy(centre_specialist, other)


def test_dual_place_edited_by_its_technikum_only(technikum_staff, employer_rep, world):
    programme = f.ProgrammeFactory(technikum=world.technikum)
    own = f.DualTrainingPlaceFactory(programme=programme, employer=world.employer)
    foreign = f.DualTrainingPlaceFactory(programme=programme, employer=world.other_employer)
    assert access.can_edit_dual_place(technikum_staff, own)
    assert access.can_edit_dual_place(technikum_staff, foreign)
    assert not access.can_edit_dual_place(employer_rep, own)  # the technikum publishes it
    assert not access.can_edit_dual_place(employer_rep, foreign)
