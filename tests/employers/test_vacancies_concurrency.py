"""Two moderators deciding on one vacancy at the same moment: the row lock lets one act and
the other meets the status the first left. PostgreSQL only (SQLite serialises writes)."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from employers.models import Vacancy
from employers.services import vacancies as services
from tests import factories as f

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks need PostgreSQL (SQLite serialises)"
    ),
]

Status = Vacancy.Status


def run_at_once(jobs) -> Counter:
    """Start every job at the same moment in its own thread and connection; count "ok" or
    the code of the refusal each met."""
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


def test_approve_and_return_at_once_leave_one_decision(world, coordinator):
    vacancy = f.VacancyFactory(employer=world.employer, status=Status.MODERATION)
    roles = {"moderator"}

    outcomes = run_at_once(
        [
            lambda: services.vacancy_transition(
                vacancy=vacancy, to_status=Status.PUBLISHED, by=coordinator, roles=roles
            ),
            lambda: services.vacancy_transition(
                vacancy=vacancy,
                to_status=Status.DRAFT,
                by=coordinator,
                roles=roles,
                comment="Уточните зарплату.",
            ),
        ]
    )

    assert outcomes["ok"] == 1
    assert outcomes["forbidden_move"] == 1
    vacancy.refresh_from_db()
    if vacancy.status == Status.PUBLISHED:
        assert vacancy.moderation_comment == ""
        assert vacancy.published_at is not None
    else:
        assert vacancy.status == Status.DRAFT
        assert vacancy.moderation_comment == "Уточните зарплату."
        assert vacancy.published_at is None


def test_ten_approvals_at_once_publish_once(world, coordinator):
    vacancy = f.VacancyFactory(employer=world.employer, status=Status.MODERATION)

    outcomes = run_at_once(
        [
            lambda: services.vacancy_transition(
                vacancy=vacancy, to_status=Status.PUBLISHED, by=coordinator, roles={"moderator"}
            )
            for _ in range(10)
        ]
    )

    assert outcomes == Counter({"ok": 1, "same_status": 9})
