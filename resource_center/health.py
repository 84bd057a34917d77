"""Health checks beyond the ones django-health-check ships, and the worker's heartbeat."""

from __future__ import annotations

import dataclasses
import datetime
from pathlib import Path

from django.db import DatabaseError
from django.utils import timezone
from health_check.base import HealthCheck
from health_check.exceptions import ServiceUnavailable

from resource_center.models import ServiceHeartbeat

# Beat sends a heartbeat every 60 s: three missed in a row is worth a warning.
HEARTBEAT_MAX_AGE = datetime.timedelta(minutes=3)


@dataclasses.dataclass
class Broker(HealthCheck):
    """The Celery broker answers: Redis when REDIS_URL is set, else the filesystem queue."""

    def run(self) -> None:
        from resource_center.celery import app

        if app.conf.broker_url.startswith("filesystem"):
            options = app.conf.broker_transport_options
            for key in ("data_folder_in", "data_folder_out", "control_folder"):
                folder = Path(options[key])
                try:
                    folder.mkdir(parents=True, exist_ok=True)
                    probe = folder / ".health"
                    probe.write_text("ok")
                    probe.unlink()
                except OSError as exc:
                    raise ServiceUnavailable(f"broker folder {key} is not writable") from exc
            return
        try:
            with app.connection_for_write() as conn:
                conn.ensure_connection(max_retries=1, timeout=2)
        except Exception as exc:
            raise ServiceUnavailable("broker unreachable") from exc

    @property
    def labels(self) -> dict[str, str]:
        from resource_center.celery import app

        return {"check": "Broker", "transport": app.conf.broker_url.split(":", 1)[0]}


@dataclasses.dataclass(frozen=True)
class WorkerHeartbeat:
    """When the Celery worker last ran the heartbeat job sent by beat.

    Shown on /health/ as information, not as a check: django-health-check 4.8 counts a
    ServiceWarning as an error (HTTP 500), and a late heartbeat should not fail the page.
    """

    seen_at: datetime.datetime | None
    readable: bool = True

    @property
    def is_recent(self) -> bool:
        return self.seen_at is not None and timezone.now() - self.seen_at <= HEARTBEAT_MAX_AGE


async def worker_heartbeat() -> WorkerHeartbeat:
    """The Celery source's last heartbeat; unreadable when the database is down."""
    try:
        seen_at = await (
            ServiceHeartbeat.objects.filter(name=ServiceHeartbeat.Source.CELERY)
            .values_list("seen_at", flat=True)
            .afirst()
        )
    except DatabaseError:
        # The Database row already reports the outage; the page must still render.
        return WorkerHeartbeat(seen_at=None, readable=False)
    return WorkerHeartbeat(seen_at=seen_at)
