"""`manage.py map_vacancies [--overwrite] [--dry-run]`: give vacancies professions by the rules."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from labour.services.mapping import vacancies_map


class Command(BaseCommand):
    help = gettext_lazy(
        "Сопоставляет вакансии с профессиями по правилам (коды ОКПДТР и слова названия). "
        "Профессию, уже указанную у вакансии, не меняет без --overwrite."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--overwrite",
            action="store_true",
            help=gettext_lazy("Пересопоставить и вакансии, у которых профессия уже указана."),
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help=gettext_lazy("Только посчитать, ничего не записывать."),
        )

    def handle(self, *args: Any, overwrite: bool, dry_run: bool, **options: Any) -> None:
        result = vacancies_map(overwrite=overwrite, dry_run=dry_run)
        if dry_run:
            self.stdout.write(self.style.WARNING(_("Пробный запуск: ничего не записано.")))
        self.stdout.write(
            _(
                "Сопоставлено: %(mapped)d. Без изменений: %(unchanged)d. "
                "Без профессии: %(unmapped)d."
            )
            % {"mapped": result.mapped, "unchanged": result.unchanged, "unmapped": result.unmapped}
        )
