"""Filters of the pupil list and its export (the same parameters drive both)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from resource_center.lib.text import fold
from students.models import Student, current_academic_year

CONSENT_YES = "yes"
CONSENT_NO = "no"
DONE = "done"
NOT_DONE = "not_done"


def academic_year_label(year: int) -> str:
    """2026 → «2026/27»."""
    return f"{year}/{(year + 1) % 100:02d}"


class StudentFilter(django_filters.FilterSet):
    """Class, year, consent, plans and a surname search over an already visible queryset.

    The queryset must carry ``has_consent`` (StudentQuerySet.annotate_consent) and
    ``latest_result`` (students.selectors.student_list_for). The year
    is always one academic year: the current one unless another present one is chosen,
    also when the chosen value is invalid, so a bad link never widens the list.
    """

    q = django_filters.CharFilter(
        label=_("Фамилия"),
        method="filter_surname",
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Начало фамилии")}),
    )
    year = django_filters.ChoiceFilter(
        label=_("Учебный год"), field_name="academic_year", choices=(), empty_label=None
    )
    grade = django_filters.ChoiceFilter(
        label=_("Класс (курс)"),
        choices=[(str(n), str(n)) for n in range(1, 12)],
        empty_label=_("все"),
    )
    letter = django_filters.CharFilter(
        label=_("Буква (группа)"), method="filter_letter", max_length=10
    )
    consent = django_filters.ChoiceFilter(
        label=_("Согласие на обработку"),
        choices=[(CONSENT_YES, _("есть согласие")), (CONSENT_NO, _("нет согласия"))],
        method="filter_consent",
        empty_label=_("все"),
    )
    questionnaire = django_filters.ChoiceFilter(
        label=_("Анкета"),
        choices=[(DONE, _("пройдена")), (NOT_DONE, _("не пройдена"))],
        method="filter_questionnaire",
        empty_label=_("все"),
    )
    path_after_9 = django_filters.ChoiceFilter(
        label=_("Планы после 9 класса"),
        choices=Student.PathAfter9.choices,
        empty_label=_("все"),
    )
    path_after_11 = django_filters.ChoiceFilter(
        label=_("Планы после 11 класса"),
        choices=Student.PathAfter11.choices,
        empty_label=_("все"),
    )

    class Meta:
        model = Student
        fields: list[str] = []

    def __init__(
        self,
        data: QueryDict | None = None,
        queryset: QuerySet[Student] | None = None,
        *,
        years: Iterable[int] = (),
        **kwargs: Any,
    ) -> None:
        self.current_year = current_academic_year()
        data = data.copy() if data is not None else QueryDict(mutable=True)
        if not data.get("year"):
            data["year"] = str(self.current_year)
        super().__init__(data, queryset, **kwargs)
        choices = sorted({self.current_year, *years}, reverse=True)
        self.filters["year"].extra["choices"] = [(str(y), academic_year_label(y)) for y in choices]

    @property
    def chosen_year(self) -> int:
        """The academic year the list shows (the current one when the choice was invalid)."""
        self.errors  # noqa: B018 - validates the form so that cleaned_data exists
        value = self.form.cleaned_data.get("year")
        return int(value) if value else self.current_year

    def filter_queryset(self, queryset: QuerySet[Student]) -> QuerySet[Student]:
        queryset = super().filter_queryset(queryset)
        if "year" not in self.form.cleaned_data:
            queryset = queryset.filter(academic_year=self.current_year)
        return queryset

    def filter_surname(self, queryset: QuerySet[Student], name: str, value: str) -> QuerySet:
        # last_name_folded holds fold(last_name): lower case, «ё» as «е», so «ЁЛКИН»,
        # «елкин» and «Ёлкин» all find «Ёлкина»; the prefix match uses its index.
        folded = fold(value)
        return queryset.filter(last_name_folded__startswith=folded) if folded else queryset

    def filter_letter(self, queryset: QuerySet[Student], name: str, value: str) -> QuerySet:
        # SQLite compares Cyrillic case-sensitively, so «б» looks for «Б» too.
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(class_letter=value) | Q(class_letter=value.upper()) | Q(class_letter=value.lower())
        )

    def filter_consent(self, queryset: QuerySet[Student], name: str, value: str) -> QuerySet:
        return queryset.filter(has_consent=value == CONSENT_YES)

    def filter_questionnaire(self, queryset: QuerySet[Student], name: str, value: str) -> QuerySet:
        # Any questionnaire completed (results exist only under a processing consent).
        return queryset.filter(latest_result__isnull=value != DONE)
