"""Admin of the technikum's programmes."""

from __future__ import annotations

from django.contrib import admin

from resource_center.admin import DistrictScopedAdmin
from schools.models import Programme


@admin.register(Programme)
class ProgrammeAdmin(DistrictScopedAdmin):
    district_path = "technikum__district"
    list_display = [
        "okso_code",
        "title",
        "technikum",
        "form_of_study",
        "base_education",
        "duration_months",
        "budget_seats",
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
