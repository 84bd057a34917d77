"""Celery tasks of resource_center: thin wrappers over services."""

from __future__ import annotations

from celery import shared_task

from resource_center import services
from resource_center.models import ServiceHeartbeat


# Idempotent, so acknowledged late; no stored result, as beat sends one every minute.
@shared_task(acks_late=True, ignore_result=True)
def heartbeat() -> str:
    """Record that the worker ran a job sent by beat; return the time as ISO 8601."""
    beat = services.service_heartbeat_record(source=ServiceHeartbeat.Source.CELERY)
    return beat.seen_at.isoformat()


@shared_task
def ping() -> str:
    """Round-trip probe through broker, worker and result backend (by hand, and in tests)."""
    return "pong"
