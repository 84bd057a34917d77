"""Fill the database with the made-up demo district and print the demo logins."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from resource_center import demo_data
from resource_center.demo import demo_district_seed
from resource_center.models import Role


class Command(BaseCommand):
    help = gettext_lazy(
        "Создаёт демонстрационные данные Нытвенского городского округа (все люди выдуманы) "
        "и по одной учётной записи на каждую роль. Повторный запуск ничего не дублирует."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--pupils",
            type=int,
            default=demo_data.DEFAULT_PUPILS,
            help=gettext_lazy(
                "Сколько учеников 7–11 классов текущего учебного года создать "
                "(по умолчанию %(default)s); их записи прошлых лет добавляются сами."
            ),
        )
        parser.add_argument(
            "--password",
            default=demo_data.DEMO_PASSWORD,
            help=gettext_lazy(
                "Пароль всех демонстрационных учётных записей (по умолчанию %(default)s)."
            ),
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help=gettext_lazy("Показать итог и откатить изменения."),
        )

    def handle(self, *args: Any, pupils: int, password: str, dry_run: bool, **options: Any) -> None:
        if pupils < 0:
            raise CommandError(_("Число учеников не может быть отрицательным."))
        if not password:
            raise CommandError(_("Пароль не может быть пустым."))
        with transaction.atomic():
            counts = demo_district_seed(pupils=pupils, password=password)
            if dry_run:
                transaction.set_rollback(True)
        self._summary(counts, password=password, dry_run=dry_run)

    def _summary(self, counts: dict[str, int], *, password: str, dry_run: bool) -> None:
        out = self.stdout.write
        if dry_run:
            out(self.style.WARNING(_("Пробный запуск: изменения отменены.")))
        out(
            self.style.SUCCESS(
                _("Демонстрационный район готов, новых записей: %(n)d.") % {"n": counts["created"]}
            )
        )
        lines = [
            (_("Школ"), "schools"),
            (_("Работодателей"), "employers"),
            (_("Программ техникума"), "programmes"),
            (_("Учеников школ"), "pupils"),
            (_("Записей учеников прошлых учебных лет"), "earlier_pupils"),
            (_("Студентов техникума"), "technikum_students"),
            (_("Родителей"), "guardians"),
            (_("Действующих согласий"), "consents"),
            (_("Мест дуального обучения"), "dual_places"),
            (_("Направлений на дуальное обучение"), "placements"),
            (_("Вакансий"), "vacancies"),
            (_("Компетенций программ"), "competences"),
            (_("Шагов истории направлений"), "placement_steps"),
            (_("Оценок наставников"), "evaluations"),
            (_("Профессий"), "professions"),
            (_("Мероприятий"), "events"),
            (_("Из них проведённых"), "past_events"),
            (_("Записей на мероприятия"), "registrations"),
            (_("Отметок «присутствовал»"), "attended"),
            (_("Отзывов о мероприятиях"), "feedback"),
            (_("Результатов анкет"), "attempts"),
            (_("Занятий профминимума в 6–11 классах"), "career_activities"),
        ]
        for label, key in lines:
            out(f"  {label}: {counts[key]}")
        out(_("Вход для каждой роли, пароль «%(password)s»:") % {"password": password})
        for username, first, last, _org, role, _position in demo_data.DEMO_STAFF:
            out(f"  {username:<15} {Role(role).label} ({first} {last})")
        parent, pupil = demo_data.PARENT_LOGIN, demo_data.PUPIL_LOGIN
        out(f"  {parent[0]:<15} {_('Родитель')} ({parent[1]} {parent[2]})")
        out(f"  {pupil[0]:<15} {_('Ученик')} ({pupil[1]} {pupil[2]})")
