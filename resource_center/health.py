"""Health checks beyond the ones django-health-check ships."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from django.conf import settings
from health_check.base import HealthCheck
from health_check.exceptions import ServiceUnavailable


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
        return {"check": "Broker", "transport": settings.CELERY_BROKER_URL.split(":", 1)[0]}
