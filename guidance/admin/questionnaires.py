"""Admin of questionnaires: the coordinator edits questions, answer options with their
scoring key, types and score bands; assignments and results are read-only and audited."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.db.models import Count, QuerySet
from django.forms import ModelChoiceField
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from guidance.models import (
    Answer,
    Assignment,
    AssignmentBatch,
    Attempt,
    AttemptScore,
    Band,
    Option,
    Question,
    Questionnaire,
    Scale,
)
from resource_center import audit
from resource_center.admin import DistrictScopedAdmin

# --- questionnaires as data ------------------------------------------------------------


class ScaleInline(admin.TabularInline):
    model = Scale
    extra = 0
    fields = ["order", "code", "name", "description"]


class BandInline(admin.TabularInline):
    model = Band
    extra = 0
    fields = ["min_score", "max_score", "label", "text"]


class QuestionInline(admin.TabularInline):
    model = Question
    extra = 0
    fields = ["number", "text"]
    show_change_link = True


@admin.register(Questionnaire)
class QuestionnaireAdmin(admin.ModelAdmin):
    list_display = ["title", "code", "short_title", "result_code_length", "questions", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["title", "short_title", "code"]
    inlines = [ScaleInline, BandInline, QuestionInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Questionnaire]:
        return super().get_queryset(request).annotate(question_count=Count("questions"))

    def get_readonly_fields(
        self, request: HttpRequest, obj: Questionnaire | None = None
    ) -> list[str]:
        # The code names a shipped questionnaire: changed, the next install would add the
        # original again beside the edited one.
        return ["code"] if obj else []

    @admin.display(description=_("вопросов"), ordering="question_count")
    def questions(self, obj: Questionnaire) -> int:
        return obj.question_count


class OptionInline(admin.TabularInline):
    model = Option
    extra = 0
    fields = ["order", "label", "text", "scale", "points"]

    def get_formset(self, request: HttpRequest, obj: Question | None = None, **kwargs: Any) -> Any:
        formset = super().get_formset(request, obj, **kwargs)
        # The scoring key points only at types of the question's own questionnaire.
        field = formset.form.base_fields.get("scale")
        if field is not None:
            field.queryset = (
                Scale.objects.filter(questionnaire_id=obj.questionnaire_id).select_related(
                    "questionnaire"
                )
                if obj
                else Scale.objects.none()
            )
        return formset


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "questionnaire"]
    list_filter = [("questionnaire", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["questionnaire"]
    search_fields = ["text", "options__text"]
    inlines = [OptionInline]


@admin.register(Option)
class OptionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "question", "scale", "points"]
    list_filter = [("question__questionnaire", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["question", "scale", "scale__questionnaire"]
    search_fields = ["text", "question__text"]
    autocomplete_fields = ["question"]

    def formfield_for_foreignkey(
        self, db_field: models.ForeignKey, request: HttpRequest, **kwargs: Any
    ) -> ModelChoiceField | None:
        if db_field.name == "scale":
            kwargs["queryset"] = Scale.objects.select_related("questionnaire")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Scale)
class ScaleAdmin(admin.ModelAdmin):
    list_display = ["__str__", "code", "order"]
    list_filter = [("questionnaire", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["questionnaire"]
    search_fields = ["name", "code", "description"]


@admin.register(Band)
class BandAdmin(admin.ModelAdmin):
    list_display = ["__str__", "questionnaire", "label"]
    list_filter = [("questionnaire", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["questionnaire"]
    search_fields = ["label", "text"]


# --- assignments and results: personal data, read-only ----------------------------------


class ReadOnlyAdmin(DistrictScopedAdmin):
    """Written by the portal's pages only; the coordinator reads them (and may delete)."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AuditedViewMixin:
    """An opened change page of a row about a pupil leaves a VIEW row in the audit trail."""

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)  # type: ignore[misc]
        context = getattr(response, "context_data", None) or {}
        obj = context.get("original")
        if request.method == "GET" and response.status_code == 200 and obj is not None:
            audit.record(
                actor=request.user,
                action=audit.Action.VIEW,
                student=obj.student,
                details=str(self.model._meta.verbose_name),  # type: ignore[attr-defined]
                request=request,
            )
        return response


@admin.register(AssignmentBatch)
class AssignmentBatchAdmin(ReadOnlyAdmin):
    district_path = "organisation__district"
    list_display = ["title", "questionnaire", "organisation", "created_by", "created_at"]
    list_filter = [
        ("questionnaire", admin.RelatedOnlyFieldListFilter),
        ("organisation", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["questionnaire", "organisation", "created_by"]
    search_fields = ["title", "organisation__short_name"]
    readonly_fields = ["uuid", "created_at"]


@admin.register(Assignment)
class AssignmentAdmin(AuditedViewMixin, ReadOnlyAdmin):
    district_path = "batch__organisation__district"
    list_display = ["student", "batch", "code", "used_at"]
    list_select_related = ["student", "batch", "batch__questionnaire"]
    search_fields = ["student__last_name", "student__first_name", "code"]
    readonly_fields = ["uuid"]


class AttemptScoreInline(admin.TabularInline):
    model = AttemptScore
    extra = 0
    fields = ["scale", "score"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[AttemptScore]:
        return super().get_queryset(request).select_related("scale", "scale__questionnaire")


class AnswerInline(admin.TabularInline):
    model = Answer
    extra = 0
    fields = ["question", "option"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Answer]:
        return super().get_queryset(request).select_related("question", "option")


@admin.register(Attempt)
class AttemptAdmin(AuditedViewMixin, ReadOnlyAdmin):
    district_path = "student__organisation__district"
    list_display = ["student", "questionnaire", "completed_at", "source", "result_code"]
    list_filter = ["source", ("questionnaire", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["student", "questionnaire"]
    search_fields = ["student__last_name", "student__first_name", "result_code"]
    readonly_fields = ["uuid"]
    inlines = [AttemptScoreInline, AnswerInline]


@admin.register(AttemptScore)
class AttemptScoreAdmin(ReadOnlyAdmin):
    district_path = "attempt__student__organisation__district"
    list_display = ["attempt", "scale", "score"]
    list_select_related = [
        "attempt",
        "attempt__student",
        "attempt__questionnaire",
        "scale",
        "scale__questionnaire",
    ]
    search_fields = ["attempt__student__last_name", "scale__name"]


@admin.register(Answer)
class AnswerAdmin(ReadOnlyAdmin):
    district_path = "attempt__student__organisation__district"
    list_display = ["attempt", "question", "option"]
    list_select_related = [
        "attempt",
        "attempt__student",
        "attempt__questionnaire",
        "question",
        "option",
    ]
    search_fields = ["attempt__student__last_name"]
