"""Navigation for the base layout: each role sees its own sections."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from resource_center import access


def navigation(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    items: list[tuple[str, str]] = [
        ("schools:programme_list", _("Программы техникума")),
        ("employers:place_list", _("Дуальное обучение")),
        ("employers:vacancy_list", _("Вакансии")),
        ("guidance:event_list", _("Мероприятия")),
        ("labour:in_demand", _("Востребованные профессии")),
    ]
    if user is not None and user.is_authenticated:
        if access.can_read_labour_market(user):
            # Staff reach the public page from the overview; one labour entry is enough.
            items[-1] = ("labour:overview", _("Рынок труда"))
        if access.can_read_reports(user):
            items.append(("reports:dashboard", _("Отчёты")))
        if access.can_list_placements(user):
            items.insert(0, ("employers:placement_list", _("Направления")))
        if access.can_publish_vacancies(user):
            items.insert(0, ("employers:vacancy_manage", _("Мои вакансии")))
        if access.can_read_career_minimum(user):
            items.insert(0, ("career_minimum:class_sheet", _("Профминимум")))
        if access.can_register_pupils(user):
            items.insert(0, ("guidance:assignment_list", _("Анкеты")))
        if access.can_list_students(user):
            items.insert(0, ("students:student_list", _("Обучающиеся")))
    return {
        "nav_items": items,
        "nav_admin": bool(user and access.is_admin_user(user)),
        "nav_two_factor": bool(user and user.is_authenticated and access.can_use_two_factor(user)),
    }
