"""Admin of employers' vacancies, dual-training places and placements."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from employers.models import (
    DualTrainingPlace,
    Evaluation,
    EvaluationMark,
    Placement,
    PlacementTransition,
    Vacancy,
)
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
        "status",
    ]
    list_filter = [
        "status",
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


class PlacementTransitionInline(admin.TabularInline):
    """The history is written by the portal's services and never edited."""

    model = PlacementTransition
    extra = 0
    fields = ["at", "from_status", "to_status", "by", "comment"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Placement)
class PlacementAdmin(DistrictScopedAdmin):
    inlines = [PlacementTransitionInline]
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


@admin.register(PlacementTransition)
class PlacementTransitionAdmin(DistrictScopedAdmin):
    district_path = "placement__place__employer__district"
    list_display = ["placement", "from_status", "to_status", "by", "at"]
    list_filter = ["to_status"]
    list_select_related = ["placement__student", "placement__place__employer", "by"]
    search_fields = ["placement__student__last_name", "placement__place__employer__short_name"]
    readonly_fields = ["placement", "from_status", "to_status", "by", "at", "comment"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class EvaluationMarkInline(admin.TabularInline):
    model = EvaluationMark
    extra = 0
    autocomplete_fields = ["competence"]


@admin.register(Evaluation)
class EvaluationAdmin(DistrictScopedAdmin):
    district_path = "placement__place__employer__district"
    inlines = [EvaluationMarkInline]
    list_display = ["placement", "evaluated_on", "hours_worked", "by"]
    list_select_related = ["placement__student", "placement__place__employer", "by"]
    search_fields = ["placement__student__last_name", "placement__place__employer__short_name"]
    autocomplete_fields = ["placement", "by"]
    readonly_fields = ["uuid", "created_at"]
    date_hierarchy = "evaluated_on"


@admin.register(EvaluationMark)
class EvaluationMarkAdmin(DistrictScopedAdmin):
    district_path = "evaluation__placement__place__employer__district"
    list_display = ["evaluation", "competence", "mark"]
    list_select_related = [
        "evaluation__placement__student",
        "evaluation__placement__place__employer",
        "competence",
    ]
    search_fields = ["evaluation__placement__student__last_name", "competence__title"]
    autocomplete_fields = ["evaluation", "competence"]
