"""The coordinator's admin of the minimum: directions, schools' levels, activities."""

from __future__ import annotations

from django.contrib import admin

from career_minimum.models import Activity, Direction, Participation, SchoolPlan
from resource_center.admin import DistrictScopedAdmin


@admin.register(Direction)
class DirectionAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "counts_towards_level", "questionnaire_hours", "position"]
    list_editable = ["counts_towards_level", "position"]
    list_filter = ["counts_towards_level", "is_active"]
    search_fields = ["title", "slug", "description"]


@admin.register(SchoolPlan)
class SchoolPlanAdmin(DistrictScopedAdmin):
    district_path = "school__district"
    list_display = ["school", "academic_year", "level", "updated_at"]
    list_filter = ["academic_year", "level"]
    list_select_related = ["school"]
    search_fields = ["school__short_name", "school__full_name"]
    raw_id_fields = ["updated_by"]


class ParticipationInline(admin.TabularInline):
    model = Participation
    fields = ["student", "attended"]
    raw_id_fields = ["student"]
    extra = 0


@admin.register(Activity)
class ActivityAdmin(DistrictScopedAdmin):
    district_path = "school__district"
    list_display = ["held_on", "school", "grade", "class_letter", "direction", "hours", "topic"]
    list_filter = ["academic_year", "direction", "grade"]
    list_select_related = ["school", "direction"]
    search_fields = ["topic", "school__short_name"]
    raw_id_fields = ["recorded_by"]
    inlines = [ParticipationInline]


@admin.register(Participation)
class ParticipationAdmin(DistrictScopedAdmin):
    district_path = "activity__school__district"
    list_display = ["activity", "student", "attended"]
    list_filter = ["attended"]
    list_select_related = ["activity", "student"]
    raw_id_fields = ["activity", "student"]
    search_fields = ["activity__topic"]
