"""The coordinator's admin of the labour market: profession groups, mapping rules, imports."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from labour.models import (
    DigestSubscription,
    LabourSummary,
    MappingRule,
    ProfessionGroup,
    VacancyImport,
)
from resource_center.admin import DistrictScopedAdmin


@admin.register(ProfessionGroup)
class ProfessionGroupAdmin(admin.ModelAdmin):
    list_display = ["title"]
    search_fields = ["title", "description"]


@admin.register(MappingRule)
class MappingRuleAdmin(admin.ModelAdmin):
    list_display = ["pattern", "kind", "profession", "priority"]
    list_filter = ["kind", ("profession__group", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["profession"]
    search_fields = ["pattern", "profession__title"]
    autocomplete_fields = ["profession"]


@admin.register(VacancyImport)
class VacancyImportAdmin(DistrictScopedAdmin):
    """The history of imports is written by the import service and read here."""

    list_display = [
        "started_at",
        "source",
        "origin",
        "status",
        "created_count",
        "updated_count",
        "closed_count",
        "skipped_count",
    ]
    list_filter = ["source", "status", ("district", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["started_by"]
    search_fields = ["origin", "errors"]
    readonly_fields = [f.name for f in VacancyImport._meta.fields if f.name != "content"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(LabourSummary)
class LabourSummaryAdmin(DistrictScopedAdmin):
    """Summaries are computed by the periodic job; the admin reads them."""

    list_display = ["period_start", "period", "district", "vacancies_open", "computed_at"]
    list_filter = ["period", ("district", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["district"]
    search_fields = ["district__name"]
    readonly_fields = [f.name for f in LabourSummary._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(DigestSubscription)
class DigestSubscriptionAdmin(DistrictScopedAdmin):
    list_display = ["user", "district", "weekly", "monthly", "created_at"]
    list_filter = ["weekly", "monthly", ("district", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["user", "district"]
    search_fields = ["user__username", "user__email", "user__last_name"]
    raw_id_fields = ["user"]
