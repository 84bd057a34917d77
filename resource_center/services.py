"""Writes of the resource_center app: service heartbeats and the periodic-task schedule."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

from celery.schedules import crontab
from celery.schedules import schedule as every
from django.db import transaction
from django.utils import timezone
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

from resource_center.models import ServiceHeartbeat
from resource_center.schedule import DEFAULT_SCHEDULE, PeriodicJob


@transaction.atomic
def service_heartbeat_record(*, source: str) -> ServiceHeartbeat:
    """Record that ``source`` (a ServiceHeartbeat.Source) is alive now."""
    heartbeat, _created = ServiceHeartbeat.objects.update_or_create(
        name=source, defaults={"seen_at": timezone.now()}
    )
    return heartbeat


@transaction.atomic
def periodic_tasks_sync(
    *, jobs: Mapping[str, PeriodicJob] = DEFAULT_SCHEDULE, dry_run: bool = False
) -> list[str]:
    """Add the jobs the database scheduler lacks and return their names; leave existing rows."""
    existing = set(PeriodicTask.objects.filter(name__in=jobs).values_list("name", flat=True))
    missing = [name for name in jobs if name not in existing]
    if dry_run:
        return missing
    added = []
    for name in missing:
        job = jobs[name]
        # get_or_create: a deploy running the sync concurrently must not fail on the unique name.
        _task, created = PeriodicTask.objects.get_or_create(
            name=name,
            defaults={
                "task": job["task"],
                "description": str(job["description"]),
                "expire_seconds": job.get("expire_seconds"),
                **_schedule_fields(job["schedule"]),
            },
        )
        if created:
            added.append(name)
    return added


def _schedule_fields(schedule: timedelta | crontab) -> dict[str, object]:
    # from_schedule finds an equal schedule row or returns an unsaved one.
    row: IntervalSchedule | CrontabSchedule
    if isinstance(schedule, timedelta):
        row, field = IntervalSchedule.from_schedule(every(run_every=schedule)), "interval"
    else:
        row, field = CrontabSchedule.from_schedule(schedule), "crontab"
    if row.pk is None:
        row.save()
    return {field: row}
