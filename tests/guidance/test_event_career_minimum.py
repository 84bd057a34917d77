"""What a career event gives its pupils towards the career-guidance minimum: the direction
and the hours on the event form."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from career_minimum.models import Direction
from guidance.models import Event
from tests import factories as f
from tests.guidance.test_events import event_post

pytestmark = pytest.mark.django_db

CREATE = reverse("guidance:event_create")
MODEL_DEFAULT_HOURS = Event._meta.get_field("career_hours").default


def test_event_without_minimum_fields_counts_the_default_hours_in_the_events_direction(
    client, world, counsellor_a
):
    client.force_login(counsellor_a)

    page = client.get(CREATE)
    response = client.post(CREATE, event_post(world.school_a))

    event = Event.objects.get()
    assert response.status_code == 302
    assert (event.career_direction, event.career_hours) == (None, MODEL_DEFAULT_HOURS)
    html = page.content.decode()
    assert "Направление профминимума" in html
    assert "Профориентационные мероприятия (по умолчанию)" in html
    assert f"Пусто — {MODEL_DEFAULT_HOURS:g} ч." in html


def test_organiser_chooses_the_direction_and_hours_and_changes_them(client, world, technikum_staff):
    vocational = Direction.objects.get(slug="vocational")
    lessons = Direction.objects.get(slug="lessons")
    client.force_login(technikum_staff)

    client.post(
        CREATE,
        event_post(world.technikum, career_direction=vocational.pk, career_hours="3.5"),
    )
    event = Event.objects.get()
    assert (event.career_direction, event.career_hours) == (vocational, Decimal("3.5"))

    response = client.post(
        reverse("guidance:event_update", args=[event.uuid]),
        event_post(world.technikum, career_direction=lessons.pk, career_hours="0"),
    )

    event.refresh_from_db()
    assert response.status_code == 302
    assert (event.career_direction, event.career_hours) == (lessons, Decimal("0"))


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("-1", "Часов профминимума не может быть меньше нуля."),
        ("41", "Часов профминимума — не больше 40."),
        ("два", "Укажите часы числом"),
        ("1.234", "Укажите часы не точнее сотых."),
    ],
)
def test_wrong_hours_are_explained_and_nothing_is_saved(
    client, world, counsellor_a, value, message
):
    client.force_login(counsellor_a)

    response = client.post(CREATE, event_post(world.school_a, career_hours=value))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Event.objects.exists()


def test_switched_off_direction_is_not_offered_but_stays_on_an_event_that_has_it(
    client, world, technikum_staff
):
    parents = Direction.objects.get(slug="parents")
    event = f.EventFactory(
        organiser=world.technikum, created_by=technikum_staff, career_direction=parents
    )
    Direction.objects.filter(pk=parents.pk).update(is_active=False)
    client.force_login(technikum_staff)

    new = client.post(CREATE, event_post(world.technikum, career_direction=parents.pk))
    edit = client.get(reverse("guidance:event_update", args=[event.uuid]))

    assert "Выберите направление профминимума из списка." in new.content.decode()
    offered = edit.context["form"].fields["career_direction"].queryset
    assert parents in offered
    assert Event.objects.count() == 1
