"""The labour summary run end to end by a real Celery worker process, over Redis and over the
embedded filesystem transport, and what a worker killed in the middle of it leaves behind."""

from __future__ import annotations

import datetime
import json
import re
import signal
import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from labour.models import LabourSummary
from labour.services.summaries import labour_figures_compute, labour_summaries_due, period_bounds
from tests import factories as f
from tests.conftest import require_service
from tests.workers import (
    SharedDatabase,
    celery_client,
    kill_group,
    redis_reachable,
    running_worker,
    wait_until,
    worker_env,
)

# Transactional: the worker is another process and sees only committed rows. (Not a
# serialized rollback: reloading the data migrations' rows collides with the content types
# that a plain transactional test before these re-creates when it flushes.)
pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db(transaction=True),
]

WEEK = LabourSummary.Period.WEEK
REDIS_TEST_URL = "redis://127.0.0.1:6379/7"
SUMMARY_TABLE = LabourSummary._meta.db_table
RECEIVED = re.compile(r"labour_summary_task\[[0-9a-f-]+\] received")


def _due_week() -> datetime.date:
    return dict(labour_summaries_due(today=timezone.localdate()))[WEEK]


@pytest.fixture
def market(world):
    """Open, new and closed vacancies with salaries in the district, for the due week."""
    start = _due_week()
    noon = timezone.make_aware(datetime.datetime.combine(start, datetime.time(12)))
    for k in range(6):
        profession = f.ProfessionFactory(title=f"Профессия воркера {k}")
        for n in range(k + 1):
            f.VacancyFactory(
                employer=world.employer,
                profession=profession,
                published_at=noon - datetime.timedelta(days=20 * (n % 2)),
                salary_from=20000 + 5000 * n,
                salary_to=None if n % 3 else 60000,
                work_places=1 + n,
            )
    f.VacancyFactory(
        employer=world.employer,
        published_at=noon - datetime.timedelta(days=40),
        closed_at=noon + datetime.timedelta(days=2),
        status="closed",
    )
    return world


def _expected_figures(district) -> dict:
    """The figures labour_summary_compute derives from the same data, read in this process."""
    start, end = period_bounds(period=WEEK, period_start=_due_week())
    figures = labour_figures_compute(district=district, period_start=start, period_end=end)
    return json.loads(json.dumps(figures))


def _stored(db: SharedDatabase, district_id: int) -> list[dict]:
    """The due week's summaries of the district as the worker stored them."""
    rows = db.rows(
        f"SELECT figures, vacancies_open FROM {SUMMARY_TABLE} "  # noqa: S608
        "WHERE district_id = %s AND period = %s AND period_start = %s",
        (district_id, WEEK.value, _due_week().isoformat()),
    )
    return [
        {**(json.loads(figures) if isinstance(figures, str) else figures), "_row_open": n}
        for figures, n in rows
    ]


def _one_summary(db: SharedDatabase, district_id: int) -> dict | None:
    stored = _stored(db, district_id)
    return stored[0] if stored else None


def _summary_end_to_end(district, tmp_path: Path, **env_overrides: str) -> None:
    db = SharedDatabase.for_test(tmp_path)
    expected = _expected_figures(district)
    db.publish()
    env = worker_env(tmp_path, DATABASE_URL=db.url, **env_overrides)
    client = celery_client(env)
    log = tmp_path / "worker.log"

    with running_worker(env, log) as worker:
        client.send_task("labour.tasks_summaries.labour_summary_task", args=[WEEK.value])
        stored = wait_until(lambda: _one_summary(db, district.pk), worker, log, timeout=90)

    assert stored.pop("_row_open") == expected["vacancies_open"]
    assert stored == expected
    assert expected["vacancies_open"] > 0
    assert expected["closed"] == 1
    assert len(_stored(db, district.pk)) == 1


@pytest.fixture
def redis_db():
    """Redis database 7, emptied before and after (never the others)."""
    require_service(redis_reachable(), "Redis at 127.0.0.1:6379")
    import redis

    client = redis.Redis.from_url(REDIS_TEST_URL)
    client.flushdb()
    yield REDIS_TEST_URL
    client.flushdb()
    client.close()


def test_worker_over_redis_stores_the_summary_a_direct_computation_gives(
    market, redis_db, tmp_path
):
    _summary_end_to_end(market.district, tmp_path, REDIS_URL=redis_db)


def test_worker_over_the_filesystem_transport_stores_the_same_summary(market, tmp_path):
    _summary_end_to_end(market.district, tmp_path)


def test_worker_killed_mid_summary_leaves_no_half_snapshot_and_catch_up_completes_it(
    market, tmp_path
):
    db = SharedDatabase.for_test(tmp_path)
    district = market.district
    expected = _expected_figures(district)
    db.publish()
    env = worker_env(tmp_path, DATABASE_URL=db.url)
    client = celery_client(env)
    log = tmp_path / "worker.log"

    with db.write_locked(SUMMARY_TABLE) as waiting, running_worker(env, log) as worker:
        client.send_task("labour.tasks_summaries.labour_summary_task", args=[WEEK.value])

        def blocked() -> bool | None:
            if db.sqlite_file is None:
                # PostgreSQL: the worker has read the figures and waits for the table.
                return True if waiting() else None
            # SQLite: the worker has the task; its transaction waits for the write lock.
            return True if RECEIVED.search(log.read_text()) else None

        wait_until(blocked, worker, log, timeout=60)
        if db.sqlite_file is not None:
            # Into the task, well within the 20 s busy timeout of settings.py (after which
            # the task would give up and retry).
            time.sleep(1)
        kill_group(worker)
        assert worker.returncode == -signal.SIGKILL
    # PostgreSQL: the killed worker's server process rolls back once the lock is released.
    deadline = time.monotonic() + 30
    while not db.backends_gone(SUMMARY_TABLE) and time.monotonic() < deadline:
        time.sleep(0.2)

    assert _stored(db, district.pk) == []  # no half snapshot

    log_after = tmp_path / "worker-after.log"
    with running_worker(env, log_after) as worker:
        client.send_task("labour.tasks_summaries.labour_summaries_catch_up_task")
        stored = wait_until(lambda: _one_summary(db, district.pk), worker, log_after, timeout=90)
        # Once more: the catch-up finds nothing missing and stores nothing twice.
        result = client.send_task("labour.tasks_summaries.labour_summaries_catch_up_task")
        assert result.get(timeout=60) == []

    assert stored.pop("_row_open") == expected["vacancies_open"]
    assert stored == expected
    assert len(_stored(db, district.pk)) == 1


def test_beat_of_the_embedded_default_produces_the_summary_without_a_manual_step(market, tmp_path):
    db = SharedDatabase.for_test(tmp_path)
    call_command("sync_schedule", stdout=StringIO())
    # Due at once instead of one interval after beat starts.
    PeriodicTask.objects.filter(name="labour_summaries_catch_up").update(
        last_run_at=timezone.now() - datetime.timedelta(hours=1)
    )
    PeriodicTask.objects.exclude(name="labour_summaries_catch_up").update(enabled=False)
    expected = _expected_figures(market.district)
    db.publish()
    env = worker_env(tmp_path, DATABASE_URL=db.url)
    log = tmp_path / "worker.log"

    with running_worker(env, log, "--beat") as worker:
        stored = wait_until(lambda: _one_summary(db, market.district.pk), worker, log, timeout=120)

    assert stored.pop("_row_open") == expected["vacancies_open"]
    assert stored == expected
