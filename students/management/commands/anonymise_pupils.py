"""`manage.py anonymise_pupils [--years N] [--dry-run]`: the daily data-retention job, by hand."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from students.models import DataDeletionRequest
from students.services.retention import (
    deletion_requests_process,
    pupils_anonymise,
    retention_years,
)


class Command(BaseCommand):
    help = gettext_lazy(
        "Исполняет поданные запросы на удаление данных и обезличивает обучающихся, у которых "
        "нет записей за последние PUPIL_RETENTION_YEARS учебных лет. Сводные отчёты не меняются."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--years",
            type=int,
            help=gettext_lazy("Срок хранения в учебных годах; без него — PUPIL_RETENTION_YEARS."),
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help=gettext_lazy("Показать, сколько записей будет обезличено, ничего не меняя."),
        )

    def handle(self, *args: Any, years: int | None, dry_run: bool, **options: Any) -> None:
        years = retention_years() if years is None else years
        if years < 1:
            raise CommandError(_("Срок хранения — не меньше одного учебного года."))
        today = timezone.localdate()
        if dry_run:
            pending = DataDeletionRequest.objects.filter(done_at__isnull=True).aggregate(
                n=Count("pk")
            )["n"]
            run = pupils_anonymise(today=today, years=years, dry_run=True)
            self.stdout.write(
                _(
                    "Пробный запуск: запросов на удаление к исполнению — %(requests)d, записей "
                    "к обезличиванию (%(year)d/%(next)02d учебный год и раньше) — %(records)d. "
                    "Ничего не изменено."
                )
                % {
                    "requests": pending,
                    "year": run.keep_from_year - 1,
                    "next": run.keep_from_year % 100,
                    "records": run.counts.records,
                }
            )
            return
        done = deletion_requests_process(today=today)
        run = pupils_anonymise(today=today, years=years)
        self.stdout.write(
            _(
                "Исполнено запросов на удаление: %(requests)d. Обезличено записей: %(records)d, "
                "родителей: %(guardians)d, отключено учётных записей: %(accounts)d."
            )
            % {
                "requests": len(done),
                "records": run.counts.records,
                "guardians": run.counts.guardians,
                "accounts": run.counts.pupil_accounts + run.counts.parent_accounts,
            }
        )
