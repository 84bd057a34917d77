"""`manage.py import_trudvsem [--file PATH | --url URL] [--region CODE] [--district NAME]
[--no-close] [--dry-run]`: import «Работа России» vacancies into a district."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from employers.models import Vacancy
from labour.importers.trudvsem import (
    PERM_KRAI,
    Opener,
    TrudvsemFormatError,
    TrudvsemNetworkError,
    fetch_trudvsem,
    open_trudvsem_file,
    region_url,
    urllib_opener,
)
from labour.services.imports import VacancyImportError, district_for_import, vacancies_import


class Command(BaseCommand):
    help = gettext_lazy(
        "Загружает вакансии «Работы России» из файла (ответ API, выгрузка 2016 года или набор "
        "данных) или с сервиса по коду региона. Повторная загрузка ничего не меняет; вакансии, "
        "пропавшие из полной выгрузки, закрываются."
    )

    # Tests replace it with a fake; the network is never used by them.
    opener: Opener = staticmethod(urllib_opener)

    def add_arguments(self, parser: CommandParser) -> None:
        source = parser.add_mutually_exclusive_group()
        source.add_argument("--file", help=gettext_lazy("Путь к файлу JSON."))
        source.add_argument(
            "--url",
            help=gettext_lazy("Адрес API (по умолчанию — вакансии региона --region)."),
        )
        parser.add_argument(
            "--region",
            default=PERM_KRAI,
            help=gettext_lazy("Код региона из 13 цифр (по умолчанию Пермский край)."),
        )
        parser.add_argument(
            "--district",
            help=gettext_lazy("Район, в который загружать (если районов несколько)."),
        )
        parser.add_argument(
            "--no-close",
            action="store_true",
            help=gettext_lazy("Не закрывать вакансии, которых нет в загрузке."),
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help=gettext_lazy("Прочитать и посчитать, ничего не записывать."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        region = (options["region"] or "").strip()
        if not (region.isdigit() and len(region) == 13):
            raise CommandError(_("Код региона — 13 цифр, например 5900000000000."))
        try:
            district = district_for_import(name=options["district"])
        except LookupError as exc:
            raise CommandError(str(exc)) from exc
        try:
            if options["file"]:
                origin = options["file"]
                records = open_trudvsem_file(origin)
            else:
                origin = options["url"] or region_url(region)
                records = fetch_trudvsem(origin, opener=self.opener)
            run = vacancies_import(
                records=records,
                source=Vacancy.Source.TRUDVSEM,
                origin=origin,
                district=district,
                region_code=region,
                close_missing=not options["no_close"],
                dry_run=options["dry_run"],
            )
        except (VacancyImportError, TrudvsemFormatError) as exc:
            raise CommandError(exc.message) from exc
        except TrudvsemNetworkError as exc:
            raise CommandError(_("Загрузка не выполнена, ничего не изменено. %s") % exc) from exc

        if options["dry_run"]:
            self.stdout.write(self.style.WARNING(_("Пробный запуск: ничего не записано.")))
        self.stdout.write(
            _(
                "Район «%(district)s». Добавлено: %(created)d. Обновлено: %(updated)d. "
                "Без изменений: %(unchanged)d. Закрыто: %(closed)d. Пропущено: %(skipped)d."
            )
            % {
                "district": district,
                "created": run.created_count,
                "updated": run.updated_count,
                "unchanged": run.unchanged_count,
                "closed": run.closed_count,
                "skipped": run.skipped_count,
            }
        )
        if run.errors:
            self.stdout.write(run.errors)
