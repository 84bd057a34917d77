"""Admin of employers' vacancies, dual-training places and placements."""

from __future__ import annotations

from django.contrib import admin

from employers.models import DualTrainingPlace, Placement, Vacancy
from resource_center.admin import DistrictScopedAdmin


@admin.register(Vacancy)
class VacancyAdmin(DistrictScopedAdmin):
    district_path = "employer__district"
    list_display = [
        "title",
        "employer",
        "status",
        "for_minors",
        "is_summer_job",
        "salary_from",
        "salary_to",
        "source",
        "published_at",
    ]
    list_filter = [
        "status",
        "for_minors",
        "is_summer_job",
        "source",
        ("employer__district", admin.RelatedOnlyFieldListFilter),
        ("employer", admin.RelatedOnlyFieldListFilter),
        ("profession", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["employer"]
    search_fields = [
        "title",
        "okpdtr_code",
        "profession__title",
        "employer__short_name",
        "employer__full_name",
        "employer__inn",
        "external_id",
    ]
    autocomplete_fields = ["employer", "profession"]
    readonly_fields = ["uuid", "created_at", "updated_at"]
    date_hierarchy = "published_at"


@admin.register(DualTrainingPlace)
class DualTrainingPlaceAdmin(DistrictScopedAdmin):
    district_path = "employer__district"
    list_display = [
        "workplace",
        "employer",
        "programme",
        "mentor_name",
        "seats",
        "starts_on",
        "ends_on",
        "is_published",
    ]
    list_filter = [
        "is_published",
        "programme__is_dual",
        "programme__form_of_study",
        ("employer__district", admin.RelatedOnlyFieldListFilter),
        ("employer", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["employer", "programme"]
    search_fields = [
        "workplace",
        "mentor_name",
        "employer__short_name",
        "employer__inn",
        "programme__okso_code",
        "programme__title",
    ]
    autocomplete_fields = ["programme", "employer", "mentor"]
    readonly_fields = ["uuid", "created_at"]
    date_hierarchy = "starts_on"


@admin.register(Placement)
class PlacementAdmin(DistrictScopedAdmin):
    district_path = "place__employer__district"
    list_display = ["student", "place", "status", "created_at", "updated_at"]
    list_filter = [
        "status",
        ("place__employer__district", admin.RelatedOnlyFieldListFilter),
        ("place__employer", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["student", "place", "place__employer"]
    search_fields = [
        "student__last_name",
        "student__first_name",
        "place__workplace",
        "place__employer__short_name",
        "place__programme__okso_code",
    ]
    autocomplete_fields = ["place", "student"]
    readonly_fields = ["uuid", "created_at", "updated_at"]
