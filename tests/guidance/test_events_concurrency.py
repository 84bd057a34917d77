"""Seats hold under concurrent registration: the event row is locked while seats are counted.

SQLite serialises every write, so these run on PostgreSQL only (DATABASE_URL=postgres://…).
"""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from guidance.models import Registration
from guidance.services import events as services
from tests import factories as f

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks need PostgreSQL (SQLite serialises)"
    ),
]


def with_consent(student):
    f.ConsentFactory(student=student)
    return student


def run_at_once(jobs) -> Counter:
    """Start every job at the same moment, each in its own thread with its own connection;
    count what each returned ("ok") or the code of the refusal it met."""
    barrier = threading.Barrier(len(jobs))
    outcomes: Counter = Counter()
    lock = threading.Lock()

    def run(job) -> None:
        try:
            barrier.wait()
            try:
                job()
                outcome = "ok"
            except ValidationError as exc:
                outcome = exc.code or "invalid"
            with lock:
                outcomes[outcome] += 1
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_fifty_concurrent_registrations_fill_exactly_ten_seats(world, counsellor_a):
    event = f.EventFactory(organiser=world.school_a, capacity=10)
    pupils = [
        with_consent(f.StudentFactory(organisation=world.school_a, last_name=f"Ученик{n:02d}"))
        for n in range(50)
    ]

    outcomes = run_at_once(
        [
            lambda pupil=pupil: services.event_register(
                event=event, students=[pupil], by=counsellor_a
            )
            for pupil in pupils
        ]
    )

    assert outcomes == Counter({"ok": 10, "capacity": 40})
    assert Registration.objects.filter(event=event).count() == 10


def test_one_pupil_registered_by_several_people_at_once_gets_one_seat(
    world, counsellor_a, coordinator, pupil_a
):
    event = f.EventFactory(organiser=world.school_a, capacity=10)
    with_consent(pupil_a)

    outcomes = run_at_once(
        [
            lambda by=by: services.event_register(event=event, students=[pupil_a], by=by)
            for by in [counsellor_a, coordinator] * 5
        ]
    )

    assert outcomes == Counter({"ok": 10})  # the later ones find the pupil registered
    assert Registration.objects.filter(event=event, student=pupil_a).count() == 1
