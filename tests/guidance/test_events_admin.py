"""The coordinator's admin of events: scoped to the district, consent-aware and audited."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from guidance.models import Event, Feedback, Registration
from resource_center.models import AuditEntry
from students.models import Consent
from tests import factories as f

pytestmark = pytest.mark.django_db


def admin_url(model: type, view: str, *args: object) -> str:
    return reverse(f"admin:guidance_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def admin_coordinator(client, coordinator):
    coordinator.user_permissions.add(
        *Permission.objects.filter(content_type__app_label__in=["guidance", "students"])
    )
    client.force_login(coordinator)
    return coordinator


def registered_with_consent(event, **student) -> Registration:
    pupil = f.StudentFactory(**student)
    guardian = f.GuardianFactory(student=pupil)
    for scope in event.required_consent_scopes:
        f.ConsentFactory(student=pupil, guardian=guardian, scope=scope)
    return f.RegistrationFactory(event=event, student=pupil)


def test_coordinator_sees_events_of_own_district_only(client, admin_coordinator, world):
    here = f.EventFactory(organiser=world.school_a)
    there = f.EventFactory(organiser=world.other_district_school)

    shown = set(client.get(admin_url(Event, "changelist")).context["cl"].queryset)

    assert here in shown
    assert there not in shown
    assert client.get(admin_url(Event, "change", there.pk)).status_code == 302


def test_event_page_lists_pupils_with_consent_and_records_the_view(
    client, admin_coordinator, world
):
    event = f.EventFactory(organiser=world.technikum)
    shown = registered_with_consent(event, last_name="Согласный")
    hidden = registered_with_consent(event, last_name="Отозвавший")
    Consent.objects.filter(student=hidden.student).update(withdrawn_at="2026-10-01T10:00Z")

    response = client.get(admin_url(Event, "change", event.pk))

    page = response.content.decode()
    assert shown.student.full_name in page
    assert hidden.student.full_name not in page
    views = AuditEntry.objects.filter(action=AuditEntry.Action.VIEW)
    assert [e.student for e in views] == [shown.student]


def test_registrations_are_not_added_in_the_admin(client, admin_coordinator):
    assert client.get(admin_url(Registration, "add")).status_code == 403
    assert client.get(admin_url(Feedback, "add")).status_code == 403


def test_feedback_admin_lists_event_rating_and_text_without_the_pupil(
    client, admin_coordinator, world
):
    registration = registered_with_consent(f.EventFactory(organiser=world.school_a))
    Feedback.objects.create(registration=registration, rating=4, comment="Хорошо")

    page = client.get(admin_url(Feedback, "changelist")).content.decode()

    assert "Хорошо" in page
    assert registration.event.title in page
    assert registration.student.last_name not in page


def test_event_changelist_queries_do_not_grow(client, admin_coordinator, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(admin_url(Event, "changelist")).status_code == 200
        return len(ctx.captured_queries)

    for _ in range(2):
        f.RegistrationFactory(event=f.EventFactory(organiser=world.school_a))
    few = count()
    for _ in range(20):
        f.RegistrationFactory(event=f.EventFactory(organiser=world.school_a))

    assert count() == few


MAKERS = {
    Event: lambda: f.EventFactory(),
    Registration: lambda: registered_with_consent(f.EventFactory()),
    Feedback: lambda: Feedback.objects.create(
        registration=registered_with_consent(f.EventFactory()), rating=5
    ),
}


@pytest.mark.parametrize("model", list(MAKERS), ids=lambda m: m.__name__)
def test_admin_pages_of_events_answer(admin_client, model):
    obj = MAKERS[model]()

    assert admin_client.get(admin_url(model, "changelist")).status_code == 200
    assert admin_client.get(admin_url(model, "changelist"), {"q": "Иван"}).status_code == 200
    assert admin_client.get(admin_url(model, "change", obj.pk)).status_code == 200
    expected_add = 200 if model is Event else 403
    assert admin_client.get(admin_url(model, "add")).status_code == expected_add


def test_marking_attendance_in_the_admin_is_audited(client, admin_coordinator, world):
    event = f.EventFactory(organiser=world.school_a)
    registration = registered_with_consent(event)

    response = client.post(admin_url(Registration, "change", registration.pk), {"attended": "True"})

    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.attended is True
    entry = AuditEntry.objects.get(action=AuditEntry.Action.UPDATE)
    assert entry.student == registration.student
