"""Seats and moves under concurrent requests, on PostgreSQL (SQLite serialises writers and
has no row locks, so the race cannot be shown there)."""

from __future__ import annotations

import datetime
import threading
from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from employers.models import Placement, PlacementTransition
from employers.services import placements as services
from tests import factories as f

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks need PostgreSQL (DATABASE_URL)"
    ),
]

S = Placement.Status


def _race(calls) -> list[str]:
    """Run the calls in threads released at the same moment; each call's outcome."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[str] = [""] * len(calls)

    def run(i: int, call) -> None:
        try:
            barrier.wait(timeout=30)
            call()
            outcomes[i] = "ok"
        except ValidationError as exc:
            outcomes[i] = exc.messages[0]
        except Exception as exc:  # any other failure shows in the outcomes compared below
            outcomes[i] = f"error: {exc!r}"
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


@pytest.fixture
def place(world):
    today = timezone.localdate()
    return f.DualTrainingPlaceFactory(
        programme=f.ProgrammeFactory(technikum=world.technikum),
        employer=world.employer,
        starts_on=today - datetime.timedelta(days=30),
        ends_on=today + datetime.timedelta(days=200),
        seats=3,
    )


def _proposals(place, technikum_staff, n: int) -> list[Placement]:
    proposals = []
    for _ in range(n):
        student = f.StudentFactory(
            organisation=place.programme.technikum, programme=place.programme, grade=2
        )
        guardian = f.GuardianFactory(student=student)
        for scope in Placement.REQUIRED_CONSENT_SCOPES:
            f.ConsentFactory(student=student, guardian=guardian, scope=scope)
        proposals.append(
            services.placement_propose(place=place, student=student, by=technikum_staff)
        )
    return proposals


def test_twenty_agreements_at_once_fill_no_more_than_the_seats(
    place, technikum_staff, employer_rep
):
    proposals = _proposals(place, technikum_staff, 20)

    def agree(placement):
        return lambda: services.placement_transition(
            placement=placement, to_status=S.AGREED, by=employer_rep, sides={"employer"}
        )

    outcomes = _race([agree(p) for p in proposals])

    counted = Counter(outcomes)
    assert counted == {"ok": 3, "Свободных мест нет: все 3 мест(а) заняты.": 17}, counted
    statuses = Counter(place.placements.values_list("status", flat=True))
    assert statuses == {S.AGREED: 3, S.PROPOSED: 17}
    steps = PlacementTransition.objects.filter(placement__place=place, to_status=S.AGREED)
    assert steps.count() == 3


def test_an_agreement_and_a_refusal_at_once_leave_one_step(place, technikum_staff, employer_rep):
    (proposal,) = _proposals(place, technikum_staff, 1)

    def move(to_status: str):
        return lambda: services.placement_transition(
            placement=proposal,
            to_status=to_status,
            by=employer_rep,
            sides={"employer"},
            reason="Нет наставника.",
        )

    outcomes = _race([move(S.AGREED), move(S.DECLINED)])

    assert sorted(o == "ok" for o in outcomes) == [False, True], outcomes
    refused = next(o for o in outcomes if o != "ok")
    assert refused.startswith("Из статуса"), refused
    proposal.refresh_from_db()
    steps = list(proposal.history.values_list("from_status", "to_status"))
    assert steps == [("", S.PROPOSED), (S.PROPOSED, proposal.status)]
    assert proposal.status in (S.AGREED, S.DECLINED)
