"""`manage.py sync_schedule [--dry-run]`: seed the database scheduler from the code schedule."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from resource_center import services


class Command(BaseCommand):
    help = (
        "Adds the periodic tasks of resource_center/schedule.py that django-celery-beat's "
        "tables lack. Existing tasks, as edited in the admin, are left alone. Run at deploy, "
        "after migrate."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Write nothing.")

    def handle(self, *args: Any, dry_run: bool, **options: Any) -> None:
        names = services.periodic_tasks_sync(dry_run=dry_run)
        verb = "Would add" if dry_run else "Added"
        if names:
            self.stdout.write(f"{verb} {len(names)} periodic task(s): {', '.join(names)}.")
        else:
            self.stdout.write("The schedule is up to date: nothing to add.")
