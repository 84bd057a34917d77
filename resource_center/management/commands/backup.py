"""`manage.py backup [--output DIR]`: one archive of the database and the uploaded files."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from resource_center import backup


class Command(BaseCommand):
    help = (
        "Writes portal-backup-<UTC time>.tar.gz into DIR (var/backups by default): the "
        "database (pg_dump in custom format, or SQLite's online backup) and MEDIA_ROOT, with "
        "row counts and checksums. Safe to run while the portal is in use. Restore it with "
        "`manage.py restore ARCHIVE --yes`."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--output",
            type=Path,
            default=settings.BASE_DIR / "var" / "backups",
            help="Folder for the archive (created if missing).",
        )

    def handle(self, *args: Any, output: Path, **options: Any) -> None:
        try:
            result = backup.backup_create(output_dir=output)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        manifest = result.manifest
        self.stdout.write(
            f"Backup written: {result.path} ({result.size / 1024:.0f} KiB). "
            f"Database ({manifest.engine}): {manifest.rows} rows in "
            f"{sum(1 for n in manifest.counts.values() if n)} non-empty tables; "
            f"uploaded files: {manifest.media_files}."
        )
