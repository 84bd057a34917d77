"""`manage.py restore ARCHIVE [--yes]`: replace the database with a backup archive."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from resource_center import backup


class Command(BaseCommand):
    help = (
        "Checks ARCHIVE (written by `manage.py backup`) and, with --yes, replaces the "
        "database's tables and MEDIA_ROOT with its contents, then prints the row counts. "
        "Without --yes only the check runs and nothing changes. Stop the web and Celery "
        "processes first."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("archive", type=Path, help="portal-backup-….tar.gz")
        parser.add_argument("--yes", action="store_true", help="Really replace the current data.")

    def handle(self, *args: Any, archive: Path, yes: bool, **options: Any) -> None:
        try:
            manifest = backup.backup_inspect(archive)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Archive {archive}: made {manifest.created_at}, {manifest.engine}, "
            f"{manifest.rows} rows, {manifest.media_files} uploaded files; checksums match."
        )
        if not yes:
            raise CommandError(
                _(
                    "Восстановление заменит все данные портала данными архива. Ничего не "
                    "изменено; чтобы восстановить, повторите команду с --yes. "
                    "(Restore replaces all data: nothing changed, repeat with --yes.)"
                )
            )
        try:
            result = backup.backup_restore(archive=archive)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        for label, count in result.counts.items():
            if count or result.manifest.counts.get(label):
                self.stdout.write(f"  {label}: {count}")
        self.stdout.write(
            f"Restored {sum(result.counts.values())} rows "
            f"({result.manifest.rows} in the archive) and "
            f"{result.manifest.media_files} uploaded files."
        )
        for label, (expected, found) in result.mismatches.items():
            self.stderr.write(f"Count differs for {label}: {expected} in the archive, {found} now.")
        if result.unapplied_migrations:
            self.stdout.write(
                f"The archive predates {len(result.unapplied_migrations)} migration(s) of "
                "this code: run `manage.py migrate`."
            )
