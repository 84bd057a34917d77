"""The periodic schedule, the heartbeat job, and real Celery workers (marked `services`)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from celery.exceptions import TimeoutError as CeleryTimeoutError
from celery.schedules import crontab
from django.core.management import call_command
from django.utils import timezone
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

from resource_center import services, tasks
from resource_center.models import ServiceHeartbeat
from resource_center.schedule import DEFAULT_SCHEDULE
from tests.conftest import require_service
from tests.workers import (
    ROOT,
    celery_client,
    redis_reachable,
    running_worker,
    wait_until,
    worker_env,
)

pytestmark = pytest.mark.django_db

REDIS_TEST_URL = "redis://127.0.0.1:6379/15"


def _sync(*args: str) -> str:
    out = StringIO()
    call_command("sync_schedule", *args, stdout=out)
    return out.getvalue()


# The schedule and its sync


def test_sync_schedule_creates_the_default_periodic_tasks():
    _sync()

    assert set(PeriodicTask.objects.values_list("name", flat=True)) == set(DEFAULT_SCHEDULE)
    heartbeat = PeriodicTask.objects.select_related("interval").get(name="heartbeat")
    assert heartbeat.task == "resource_center.tasks.heartbeat"
    assert (heartbeat.interval.every, heartbeat.interval.period) == (60, IntervalSchedule.SECONDS)
    assert heartbeat.enabled
    assert heartbeat.expire_seconds == 60


def test_sync_schedule_twice_creates_no_duplicates():
    _sync()
    out = _sync()

    assert PeriodicTask.objects.count() == len(DEFAULT_SCHEDULE)
    # One interval row per distinct interval of the default schedule, none twice.
    intervals = {
        job["schedule"]
        for job in DEFAULT_SCHEDULE.values()
        if isinstance(job["schedule"], timedelta)
    }
    assert IntervalSchedule.objects.count() == len(intervals)
    assert "nothing to add" in out


def test_sync_schedule_leaves_the_coordinators_edits_alone():
    _sync()
    edited = PeriodicTask.objects.get(name="heartbeat")
    edited.interval = IntervalSchedule.objects.create(every=5, period=IntervalSchedule.MINUTES)
    edited.enabled = False
    edited.save()

    _sync()

    edited.refresh_from_db()
    assert (edited.interval.every, edited.interval.period) == (5, IntervalSchedule.MINUTES)
    assert not edited.enabled
    assert PeriodicTask.objects.count() == len(DEFAULT_SCHEDULE)


def test_sync_schedule_dry_run_writes_nothing():
    out = _sync("--dry-run")

    expected = f"Would add {len(DEFAULT_SCHEDULE)} periodic task(s): {', '.join(DEFAULT_SCHEDULE)}."
    assert expected in out
    assert not PeriodicTask.objects.exists()
    assert not IntervalSchedule.objects.exists()


def test_sync_adds_a_crontab_job_in_the_portal_time_zone():
    jobs = {
        "nightly": {
            "task": "resource_center.tasks.ping",
            "schedule": crontab(minute="30", hour="4"),
            "description": "nightly",
        }
    }

    assert services.periodic_tasks_sync(jobs=jobs) == ["nightly"]

    row = CrontabSchedule.objects.get()
    assert (row.minute, row.hour, str(row.timezone)) == ("30", "4", "Asia/Yekaterinburg")
    assert PeriodicTask.objects.get(name="nightly").crontab == row


# The heartbeat job


def test_heartbeat_command_records_its_own_source():
    before = timezone.now()

    call_command("heartbeat", stdout=StringIO())

    beat = ServiceHeartbeat.objects.get()
    assert beat.name == ServiceHeartbeat.Source.COMMAND
    assert before <= beat.seen_at <= timezone.now()


def test_heartbeat_command_dry_run_writes_nothing():
    out = StringIO()

    call_command("heartbeat", "--dry-run", stdout=out)

    assert "Dry run" in out.getvalue()
    assert not ServiceHeartbeat.objects.exists()


def test_heartbeat_task_records_the_celery_source_and_returns_the_time():
    result = tasks.heartbeat.apply()

    beat = ServiceHeartbeat.objects.get(name=ServiceHeartbeat.Source.CELERY)
    assert result.get() == beat.seen_at.isoformat()


def test_heartbeat_twice_updates_the_one_row():
    first = tasks.heartbeat.apply().get()
    second = tasks.heartbeat.apply().get()

    assert ServiceHeartbeat.objects.count() == 1
    assert second >= first


# Real workers: subprocesses configured by the environment alone, as in production


def _ping_round_trip(env: dict[str, str], tmp_path: Path) -> None:
    client = celery_client(env)
    log = tmp_path / "worker.log"
    with running_worker(env, log) as worker:
        result = client.send_task("resource_center.tasks.ping")
        try:

            def answer() -> str | None:
                try:
                    return result.get(timeout=1)
                except CeleryTimeoutError:
                    return None

            assert wait_until(answer, worker, log) == "pong"
        finally:
            result.forget()


@pytest.mark.services
def test_worker_answers_over_the_filesystem_transport(tmp_path):
    _ping_round_trip(worker_env(tmp_path), tmp_path)


@pytest.mark.services
def test_worker_answers_over_redis(tmp_path):
    require_service(redis_reachable(), "Redis at 127.0.0.1:6379")
    _ping_round_trip(worker_env(tmp_path, REDIS_URL=REDIS_TEST_URL), tmp_path)


@pytest.mark.services
def test_beat_sends_the_synced_heartbeat_to_the_worker(tmp_path):
    env = worker_env(tmp_path)
    for command in (["migrate", "-v0"], ["sync_schedule"]):
        subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=ROOT, env=env, check=True, capture_output=True, timeout=60,
        )  # fmt: skip
    db = tmp_path / "db.sqlite3"
    # Straight SQL on the worker's database, which is not the test database: the synced
    # entry becomes due at once instead of 60 s after beat starts.
    with sqlite3.connect(db) as conn:
        conn.execute(
            "UPDATE django_celery_beat_periodictask SET last_run_at = ? WHERE name = ?",
            ((timezone.now() - timedelta(minutes=5)).strftime("%Y-%m-%d %H:%M:%S"), "heartbeat"),
        )

    def heartbeat_seen() -> str | None:
        with sqlite3.connect(db, timeout=5) as conn:
            row = conn.execute(
                "SELECT seen_at FROM resource_center_serviceheartbeat WHERE name = ?",
                (ServiceHeartbeat.Source.CELERY.value,),
            ).fetchone()
        return row[0] if row else None

    log = tmp_path / "worker.log"
    with running_worker(env, log, "--beat") as worker:
        assert wait_until(heartbeat_seen, worker, log)


def test_every_scheduled_job_names_a_registered_task():
    from resource_center.celery import app

    app.loader.import_default_modules()
    assert {job["task"] for job in DEFAULT_SCHEDULE.values()} <= set(app.tasks)
    assert DEFAULT_SCHEDULE["labour_digests_send"]["task"] == (
        "labour.tasks_summaries.labour_digests_send_task"
    )
