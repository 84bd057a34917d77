"""`manage.py labour_summary [--period week|month] [--start YYYY-MM-DD] [--district ID]
[--dry-run]`: the periodic labour-market summary, run by hand."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from labour.models import LabourSummary
from labour.services.summaries import labour_summaries_due, labour_summary_compute
from resource_center.models import District


class Command(BaseCommand):
    help = gettext_lazy(
        "Рассчитывает сводку по рынку труда за неделю или месяц (по умолчанию — за последние "
        "завершённые) для каждого района. Повторный расчёт заменяет сводку периода."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--period",
            choices=LabourSummary.Period.values,
            help=gettext_lazy("week или month; без него — оба."),
        )
        parser.add_argument(
            "--start",
            help=gettext_lazy(
                "Начало периода ГГГГ-ММ-ДД: понедельник недели или первое число месяца."
            ),
        )
        parser.add_argument(
            "--district", type=int, help=gettext_lazy("Код района; без него — все районы.")
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help=gettext_lazy("Рассчитать и показать итог, ничего не сохраняя."),
        )

    def handle(
        self,
        *args: Any,
        period: str | None,
        start: str | None,
        district: int | None,
        dry_run: bool,
        **options: Any,
    ) -> None:
        due = labour_summaries_due(today=timezone.localdate())
        if start:
            if not period:
                raise CommandError(_("С --start укажите и --period."))
            try:
                start_date = datetime.date.fromisoformat(start)
            except ValueError as error:
                raise CommandError(_("Дата --start не в формате ГГГГ-ММ-ДД.")) from error
            jobs = [(period, start_date)]
        else:
            jobs = [(p, s) for p, s in due if period in (None, p)]
        districts = District.objects.order_by("pk")
        if district is not None:
            districts = districts.filter(pk=district)
            if not districts.exists():
                raise CommandError(_("Района с кодом %(id)d нет.") % {"id": district})
        with transaction.atomic():
            for district_row in districts:
                for job_period, job_start in jobs:
                    try:
                        summary = labour_summary_compute(
                            district=district_row, period=job_period, period_start=job_start
                        )
                    except ValidationError as error:
                        raise CommandError(" ".join(error.messages)) from error
                    self.stdout.write(
                        _("%(district)s, %(start)s–%(end)s: открытых вакансий %(n)d.")
                        % {
                            "district": district_row,
                            "start": summary.period_start.strftime("%d.%m.%Y"),
                            "end": summary.period_end.strftime("%d.%m.%Y"),
                            "n": summary.vacancies_open,
                        }
                    )
            if dry_run:
                transaction.set_rollback(True)
        if dry_run:
            self.stdout.write(self.style.WARNING(_("Пробный запуск: сводки не сохранены.")))
