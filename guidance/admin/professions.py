"""Admin of professions: the coordinator tags them with interest types and links programmes."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.db.models import Count, Prefetch, QuerySet
from django.forms import ModelForm, ModelMultipleChoiceField
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from guidance.models import Profession, Scale
from resource_center.access import coordinated_scope
from schools.models import Programme


def interest_type_choices() -> QuerySet[Scale]:
    """Every interest type with its questionnaire (one JOIN: the label names both)."""
    return Scale.objects.select_related("questionnaire").order_by(
        "questionnaire__title", "order", "code"
    )


def _programme_choices(request: HttpRequest) -> QuerySet[Programme]:
    """The programmes of the districts the user coordinates (all for a superuser)."""
    return coordinated_scope(
        request.user, Programme.objects.all(), district_path="technikum__district"
    ).order_by("okso_code", "base_education", "form_of_study")


@admin.register(Profession)
class ProfessionAdmin(admin.ModelAdmin):
    """Professions are a reference list shared by every district; the programmes linked to
    them are the coordinator's own district's (links to other districts' are kept)."""

    list_display = ["title", "okz_code", "group", "types", "programme_count"]
    list_filter = [("group", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["group"]
    search_fields = ["title", "okz_code", "description"]
    filter_horizontal = ["interest_types", "programmes"]
    fields = ["title", "okz_code", "group", "description", "interest_types", "programmes"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Profession]:
        return (
            super()
            .get_queryset(request)
            .annotate(programme_total=Count("programmes", distinct=True))
            .prefetch_related(
                Prefetch("interest_types", queryset=Scale.objects.only("pk", "code", "order"))
            )
        )

    @admin.display(description=_("типы интересов"))
    def types(self, obj: Profession) -> str:
        return " ".join(s.code for s in obj.interest_types.all())

    @admin.display(description=_("программ"), ordering="programme_total")
    def programme_count(self, obj: Profession) -> int:
        return obj.programme_total

    def formfield_for_manytomany(
        self, db_field: models.ManyToManyField, request: HttpRequest, **kwargs: Any
    ) -> ModelMultipleChoiceField | None:
        if db_field.name == "interest_types":
            kwargs["queryset"] = interest_type_choices()
        elif db_field.name == "programmes":
            kwargs["queryset"] = _programme_choices(request)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_related(
        self, request: HttpRequest, form: ModelForm, formsets: Any, change: bool
    ) -> None:
        # The form only offers the coordinator's own programmes, so saving it would drop the
        # links other districts' coordinators made: put those back.
        profession = form.instance
        others = list(
            profession.programmes.exclude(pk__in=_programme_choices(request).values("pk"))
            if change
            else []
        )
        super().save_related(request, form, formsets, change)
        if others:
            profession.programmes.add(*others)
