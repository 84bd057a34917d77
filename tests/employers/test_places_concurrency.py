"""Lowering a place's seats while the employer agrees placements never leaves more held
seats than the place has: both lock the place row. PostgreSQL only (SQLite serialises)."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from employers.models import DualTrainingPlace, Placement
from employers.services import places as services
from employers.services.placements import placement_transition
from tests import factories as f

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks need PostgreSQL (SQLite serialises)"
    ),
]


def run_at_once(jobs) -> list[str]:
    """Start every job at the same moment in its own thread and connection; "ok" or the
    refusal's code for each."""
    barrier = threading.Barrier(len(jobs))
    outcomes: list[str] = []
    lock = threading.Lock()

    def run(job) -> None:
        try:
            barrier.wait()
            try:
                job()
                outcome = "ok"
            except ValidationError as exc:
                outcome = getattr(exc, "code", None) or "invalid"
            with lock:
                outcomes.append(outcome)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.mark.parametrize("attempt", range(3))
def test_seats_lowered_while_placements_are_agreed_never_fall_below_the_held_ones(
    world, technikum_staff, employer_rep, attempt
):
    programme = f.ProgrammeFactory(technikum=world.technikum)
    place = f.DualTrainingPlaceFactory(
        programme=programme, employer=world.employer, seats=5, address="г. Нытва"
    )
    proposed = [f.PlacementFactory(place=place, status=Placement.Status.PROPOSED) for _ in range(4)]

    def lower() -> None:
        services.place_update(
            place=DualTrainingPlace.objects.get(pk=place.pk), data={"seats": 2}, by=technikum_staff
        )

    def agree(placement: Placement) -> None:
        placement_transition(
            placement=placement,
            to_status=Placement.Status.AGREED,
            by=employer_rep,
            sides={"employer"},
        )

    outcomes = run_at_once([lower, *[lambda p=p: agree(p) for p in proposed]])

    place.refresh_from_db()
    held = place.placements.filter(status__in=Placement.SEAT_HOLDING).count()
    assert held <= place.seats
    assert len(outcomes) == 5
    assert place.seats in (2, 5)
