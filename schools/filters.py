"""Filters of the public list of programmes."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from schools.models import Programme


def text_variants(value: str) -> set[str]:
    """The spellings a case-insensitive search tries: SQLite folds only Latin letters, so
    «сварщик» also looks for «Сварщик» and «СВАРЩИК» (PostgreSQL folds them itself)."""
    value = " ".join(value.split())
    return {v for v in (value, value.lower(), value.capitalize(), value.upper()) if v}


class ProgrammeFilter(django_filters.FilterSet):
    """A search in the title, qualification and ОКСО code; form of study, base education,
    dual training only. An invalid value is dropped, never an error page."""

    q = django_filters.CharFilter(
        label=_("Поиск"),
        method="filter_search",
        max_length=100,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Название или код, например 15.01.05")}
        ),
    )
    form_of_study = django_filters.ChoiceFilter(
        label=_("Форма обучения"), choices=Programme.FormOfStudy.choices, empty_label=_("все")
    )
    base_education = django_filters.ChoiceFilter(
        label=_("Приём"), choices=Programme.BaseEducation.choices, empty_label=_("все")
    )
    dual = django_filters.BooleanFilter(
        label=_("Только с дуальным обучением"),
        field_name="is_dual",
        method="filter_dual",
        widget=forms.CheckboxInput,
    )

    class Meta:
        model = Programme
        fields: list[str] = []

    def filter_search(
        self, queryset: QuerySet[Programme], name: str, value: str
    ) -> QuerySet[Programme]:
        rule = Q()
        for variant in text_variants(value):
            rule |= Q(title__icontains=variant) | Q(qualification__icontains=variant)
        code = "".join(value.split()).replace(",", ".")
        if code:
            rule |= Q(okso_code__startswith=code)
        return queryset.filter(rule) if rule else queryset

    def filter_dual(
        self, queryset: QuerySet[Programme], name: str, value: bool | None
    ) -> QuerySet[Programme]:
        # An unticked box means "all programmes", not "programmes without dual training".
        return queryset.filter(is_dual=True) if value else queryset
