"""Admin of the technikum's programmes."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.forms import ModelMultipleChoiceField
from django.http import HttpRequest

from guidance.models import Scale
from resource_center.admin import DistrictScopedAdmin
from schools.models import Competence, Programme


class CompetenceInline(admin.TabularInline):
    model = Competence
    extra = 0
    fields = ["order", "title"]


@admin.register(Programme)
class ProgrammeAdmin(DistrictScopedAdmin):
    inlines = [CompetenceInline]
    district_path = "technikum__district"
    list_display = [
        "okso_code",
        "title",
        "technikum",
        "form_of_study",
        "base_education",
        "duration_months",
        "budget_seats",
        "paid_seats",
        "is_dual",
        "is_published",
    ]
    list_display_links = ["okso_code", "title"]
    list_filter = [
        "form_of_study",
        "base_education",
        "is_dual",
        "is_published",
        ("technikum", admin.RelatedOnlyFieldListFilter),
        ("technikum__district", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["technikum"]
    search_fields = ["okso_code", "title", "qualification", "technikum__short_name"]
    autocomplete_fields = ["technikum"]
    filter_horizontal = ["interest_types"]

    def formfield_for_manytomany(
        self, db_field: models.ManyToManyField, request: HttpRequest, **kwargs: Any
    ) -> ModelMultipleChoiceField | None:
        if db_field.name == "interest_types":
            # Each label names the questionnaire too: fetch it in the same query.
            kwargs["queryset"] = Scale.objects.select_related("questionnaire")
        return super().formfield_for_manytomany(db_field, request, **kwargs)


@admin.register(Competence)
class CompetenceAdmin(DistrictScopedAdmin):
    district_path = "programme__technikum__district"
    list_display = ["title", "programme", "order"]
    list_filter = [("programme", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["programme"]
    search_fields = ["title", "programme__okso_code", "programme__title"]
    autocomplete_fields = ["programme"]
