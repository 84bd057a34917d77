"""Consent withdrawal removes career-guidance data at once; the pupil list shows results."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from guidance.models import Assignment, Attempt, Registration
from students.models import Consent
from students.services.consents import consent_withdraw
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def consented(pupil_a):
    guardian = f.GuardianFactory(student=pupil_a)
    consents = {
        scope: f.ConsentFactory(student=pupil_a, guardian=guardian, scope=scope)
        for scope in Consent.Scope.values
    }
    return pupil_a, consents


def _registration(student, organiser, *, days: int):
    start = timezone.now() + datetime.timedelta(days=days)
    event = f.EventFactory(
        organiser=organiser, starts_at=start, ends_at=start + datetime.timedelta(hours=1)
    )
    return f.RegistrationFactory(event=event, student=student)


def test_withdrawing_processing_removes_results_codes_and_upcoming_registrations(
    world, counsellor_a, consented
):
    pupil, consents = consented
    f.AttemptFactory(student=pupil)
    used = f.AssignmentFactory(student=pupil, batch__organisation=world.school_a)
    used.used_at = timezone.now()
    used.save()
    f.AssignmentFactory(student=pupil, batch__organisation=world.school_a)
    upcoming = _registration(pupil, world.school_a, days=3)
    held = _registration(pupil, world.school_a, days=-3)

    consent_withdraw(consent=consents[Consent.Scope.PROCESSING], by=counsellor_a)

    assert not Attempt.objects.filter(student=pupil).exists()
    assert list(Assignment.objects.filter(student=pupil)) == [used]
    assert not Registration.objects.filter(pk=upcoming.pk).exists()
    assert Registration.objects.filter(pk=held.pk).exists()
    entry = pupil.audit_entries.filter(action="delete").get()
    assert "questionnaire results" in entry.details
    assert "registrations for upcoming events" in entry.details


def test_withdrawing_a_transfer_removes_only_that_organisers_upcoming_registrations(
    world, counsellor_a, consented
):
    pupil, consents = consented
    f.AttemptFactory(student=pupil)
    at_technikum = _registration(pupil, world.technikum, days=3)
    at_employer = _registration(pupil, world.employer, days=3)
    at_school = _registration(pupil, world.school_a, days=3)

    consent_withdraw(consent=consents[Consent.Scope.TRANSFER_EMPLOYERS], by=counsellor_a)

    remaining = set(Registration.objects.filter(student=pupil))
    assert remaining == {at_technikum, at_school}
    assert at_employer not in remaining
    assert Attempt.objects.filter(student=pupil).exists()


def test_withdrawal_with_nothing_to_remove_writes_no_removal_row(counsellor_a, consented):
    pupil, consents = consented
    consent_withdraw(consent=consents[Consent.Scope.TRANSFER_TECHNIKUM], by=counsellor_a)
    assert not pupil.audit_entries.filter(action="delete").exists()


def test_pupil_list_shows_the_latest_result_and_filters_by_questionnaire_done(
    client, counsellor_a, world
):
    done = f.StudentFactory(organisation=world.school_a, last_name="Анкетова")
    not_done = f.StudentFactory(organisation=world.school_a, last_name="Безанкетов")
    older = f.AttemptFactory(student=done, result_code="ХЧ")
    older.completed_at = timezone.now() - datetime.timedelta(days=30)
    older.save()
    latest = f.AttemptFactory(student=done, result_code="ТЗ")
    client.force_login(counsellor_a)

    def names(**params):
        response = client.get(reverse("students:student_list"), params)
        return [s.last_name for s in response.context["table"].data], response

    assert names(questionnaire="done")[0] == [done.last_name]
    assert names(questionnaire="not_done")[0] == [not_done.last_name]
    everyone, response = names()
    assert sorted(everyone) == sorted([done.last_name, not_done.last_name])
    html = response.content.decode()
    assert f"{latest.questionnaire.short_title}:</span> {latest.result_code}" in html
    assert older.result_code not in html
    # A made-up value is ignored (the filter form says so) and never widens to other schools.
    assert sorted(names(questionnaire="maybe")[0]) == sorted(everyone)


def test_withdrawing_transfer_to_employers_ends_a_minors_open_placements(technikum_staff, world):
    placement = f.PlacementFactory(
        place=f.DualTrainingPlaceFactory(
            programme=f.ProgrammeFactory(technikum=world.technikum), employer=world.employer
        ),
        student__birth_date=timezone.localdate().replace(year=timezone.localdate().year - 16),
    )
    student = placement.student
    guardian = f.GuardianFactory(student=student)
    f.ConsentFactory(student=student, guardian=guardian)
    transfer = f.ConsentFactory(
        student=student, guardian=guardian, scope=Consent.Scope.TRANSFER_EMPLOYERS
    )

    consent_withdraw(consent=transfer, by=technikum_staff)

    placement.refresh_from_db()
    assert placement.status == "terminated"
    assert "согласие" in placement.reason
    assert placement.history.filter(to_status="terminated", by=technikum_staff).exists()
