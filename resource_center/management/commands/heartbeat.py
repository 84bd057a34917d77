"""`manage.py heartbeat [--dry-run]`: the periodic heartbeat job, run by hand."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from resource_center import services
from resource_center.models import ServiceHeartbeat


class Command(BaseCommand):
    help = (
        "Records a heartbeat as the Celery task does, under its own source, so that a run by "
        "hand does not pass for a working worker on /health/."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Write nothing.")

    def handle(self, *args: Any, dry_run: bool, **options: Any) -> None:
        source = ServiceHeartbeat.Source.COMMAND
        if dry_run:
            self.stdout.write(f"Dry run: would record a heartbeat for {source.value!r}.")
            return
        beat = services.service_heartbeat_record(source=source)
        self.stdout.write(f"Heartbeat recorded for {source.value!r} at {beat.seen_at.isoformat()}.")
