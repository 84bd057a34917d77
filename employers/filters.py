"""Filters of the dual-training places: the public catalogue and the technikum's list.
(The vacancies' filters are in employers/filters_vacancies.py.)"""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from employers.models import DualTrainingPlace
from resource_center.models import Organisation
from schools.filters import text_variants
from schools.models import Programme


def _programme_label(programme: Programme) -> str:
    return f"{programme.okso_code} {programme.title}"


def _employer_label(employer: Organisation) -> str:
    return employer.short_name or employer.full_name


class PlaceFilter(django_filters.FilterSet):
    """The public catalogue: programme, employer, free seats only and a search in the
    workplace, the employer and the programme. An invalid value is dropped, never an error.

    The queryset must carry ``free_seats`` (DualTrainingPlaceQuerySet.with_free_seats).
    """

    q = django_filters.CharFilter(
        label=_("Поиск"),
        method="filter_search",
        max_length=100,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Профессия, предприятие, участок")}
        ),
    )
    programme = django_filters.ModelChoiceFilter(
        label=_("Программа"), queryset=Programme.objects.none(), empty_label=_("все")
    )
    employer = django_filters.ModelChoiceFilter(
        label=_("Работодатель"), queryset=Organisation.objects.none(), empty_label=_("все")
    )
    free = django_filters.BooleanFilter(
        label=_("Только со свободными местами"),
        method="filter_free",
        widget=forms.CheckboxInput,
    )

    class Meta:
        model = DualTrainingPlace
        fields: list[str] = []

    def __init__(
        self,
        data: QueryDict | None = None,
        queryset: QuerySet[DualTrainingPlace] | None = None,
        *,
        places: QuerySet[DualTrainingPlace],
        **kwargs: Any,
    ) -> None:
        """``places``: the same places without annotations, for the choices of the lists."""
        super().__init__(data, queryset, **kwargs)
        places = places.order_by().values("pk")
        programme = self.filters["programme"]
        programme.queryset = (
            Programme.objects.filter(dual_places__in=places)
            .distinct()
            .order_by("okso_code", "title", "pk")
        )
        employer = self.filters["employer"]
        employer.queryset = (
            Organisation.objects.filter(dual_places__in=places)
            .distinct()
            .order_by("short_name", "pk")
        )
        self.form.fields["programme"].label_from_instance = _programme_label
        self.form.fields["employer"].label_from_instance = _employer_label

    def filter_search(
        self, queryset: QuerySet[DualTrainingPlace], name: str, value: str
    ) -> QuerySet[DualTrainingPlace]:
        rule = Q()
        for variant in text_variants(value):
            rule |= (
                Q(workplace__icontains=variant)
                | Q(programme__title__icontains=variant)
                | Q(programme__qualification__icontains=variant)
                | Q(employer__short_name__icontains=variant)
                | Q(employer__full_name__icontains=variant)
            )
        code = "".join(value.split()).replace(",", ".")
        if code:
            rule |= Q(programme__okso_code__startswith=code)
        return queryset.filter(rule) if rule else queryset

    def filter_free(
        self, queryset: QuerySet[DualTrainingPlace], name: str, value: bool | None
    ) -> QuerySet[DualTrainingPlace]:
        # An unticked box means every place, not "places without free seats".
        return queryset.filter(free_seats__gt=0) if value else queryset


class PlaceManageFilter(django_filters.FilterSet):
    """The technikum's (and the employer's) list: status and programme."""

    status = django_filters.ChoiceFilter(
        label=_("Статус"), choices=DualTrainingPlace.Status.choices, empty_label=_("все")
    )
    programme = django_filters.ModelChoiceFilter(
        label=_("Программа"), queryset=Programme.objects.none(), empty_label=_("все")
    )

    class Meta:
        model = DualTrainingPlace
        fields: list[str] = []

    def __init__(
        self,
        data: QueryDict | None = None,
        queryset: QuerySet[DualTrainingPlace] | None = None,
        *,
        places: QuerySet[DualTrainingPlace],
        **kwargs: Any,
    ) -> None:
        """``places``: the same places without annotations, for the choices of the lists."""
        super().__init__(data, queryset, **kwargs)
        places = places.order_by().values("pk")
        self.filters["programme"].queryset = (
            Programme.objects.filter(dual_places__in=places)
            .distinct()
            .order_by("okso_code", "title", "pk")
        )
        self.form.fields["programme"].label_from_instance = _programme_label
