"""Search and filters of the public vacancy catalogue."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from employers.models import Vacancy
from resource_center.models import Organisation

MAX_SALARY = 10_000_000
MAX_SEARCH = 100


def _spellings(value: str) -> list[str]:
    # SQLite compares Cyrillic case-sensitively (PostgreSQL's icontains does not), so the
    # usual spellings of a word are looked for: as typed, lower case, capitalised.
    return list(dict.fromkeys([value, value.lower(), value.capitalize(), value.upper()]))


class VacancyFilter(django_filters.FilterSet):
    """Search over title, employer and profession, and the catalogue's filters."""

    q = django_filters.CharFilter(
        label=_("Поиск"),
        method="filter_search",
        max_length=MAX_SEARCH,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Должность, работодатель или профессия")}
        ),
    )
    employer = django_filters.ModelChoiceFilter(
        label=_("Работодатель"),
        queryset=Organisation.objects.none(),
        empty_label=_("все"),
    )
    for_minors = django_filters.BooleanFilter(
        label=_("Для подростков 14–17 лет"),
        method="filter_flag",
        widget=forms.CheckboxInput,
    )
    for_graduates = django_filters.BooleanFilter(
        label=_("Для выпускников"), method="filter_flag", widget=forms.CheckboxInput
    )
    for_students = django_filters.BooleanFilter(
        label=_("Для студентов"), method="filter_flag", widget=forms.CheckboxInput
    )
    salary = django_filters.NumberFilter(
        label=_("Зарплата от, ₽"),
        method="filter_salary",
        min_value=0,
        max_value=MAX_SALARY,
        widget=forms.NumberInput(attrs={"min": 0, "step": 1000, "inputmode": "numeric"}),
        error_messages={
            "invalid": _("Укажите зарплату числом рублей."),
            "min_value": _("Зарплата не может быть отрицательной."),
            "max_value": _("Укажите зарплату не больше 10 000 000 ₽."),
        },
    )
    schedule = django_filters.ChoiceFilter(
        label=_("График"), choices=Vacancy.Schedule.choices, empty_label=_("любой")
    )
    employment_type = django_filters.ChoiceFilter(
        label=_("Занятость"), choices=Vacancy.EmploymentType.choices, empty_label=_("любая")
    )

    class Meta:
        model = Vacancy
        fields: list[str] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only employers that have something in the catalogue; no contacts, just names.
        self.filters["employer"].queryset = (
            Organisation.objects.filter(pk__in=Vacancy.objects.published().values("employer_id"))
            .only("pk", "short_name")
            .order_by("short_name")
        )

    def filter_search(self, queryset: QuerySet[Vacancy], name: str, value: str) -> QuerySet:
        value = " ".join(value.split())
        if not value:
            return queryset
        found = Q()
        for spelling in _spellings(value):
            found |= (
                Q(title__icontains=spelling)
                | Q(employer__short_name__icontains=spelling)
                | Q(employer__full_name__icontains=spelling)
                | Q(profession__title__icontains=spelling)
            )
        return queryset.filter(found)

    def filter_flag(self, queryset: QuerySet[Vacancy], name: str, value: bool | None) -> QuerySet:
        # An unticked box means "any", not "not for minors".
        return queryset.filter(**{name: True}) if value else queryset

    def filter_salary(self, queryset: QuerySet[Vacancy], name: str, value: Any) -> QuerySet:
        if value is None:
            return queryset
        # A vacancy that names only an upper bound counts when that bound reaches the sum.
        return queryset.filter(
            Q(salary_from__gte=value) | Q(salary_from__isnull=True, salary_to__gte=value)
        )
