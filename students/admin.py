"""Admin of pupils and students, their guardians and consents: personal data, audited."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.db.models import QuerySet
from django.forms import BaseInlineFormSet, ModelForm
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from resource_center import audit
from resource_center.admin import DistrictScopedAdmin
from students.models import (
    Achievement,
    Consent,
    DataDeletionRequest,
    Guardian,
    GuardianInvitation,
    PupilImport,
    Student,
)


class GuardianInline(admin.TabularInline):
    model = Guardian
    extra = 0
    fields = ["last_name", "first_name", "patronymic", "relation", "phone", "email", "user"]
    autocomplete_fields = ["user"]


class ConsentInline(admin.TabularInline):
    model = Consent
    extra = 0
    fields = ["scope", "guardian", "given_on", "document_number", "withdrawn_at", "recorded_by"]
    readonly_fields = ["recorded_by"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Consent]:
        return super().get_queryset(request).select_related("guardian", "recorded_by")

    def get_formset(
        self, request: HttpRequest, obj: Student | None = None, **kwargs: Any
    ) -> type[BaseInlineFormSet]:
        formset = super().get_formset(request, obj, **kwargs)
        # Consent comes from one of this student's own guardians, never anyone else's.
        field = formset.form.base_fields.get("guardian")
        if field is not None:
            field.queryset = obj.guardians.all() if obj else Guardian.objects.none()
        return formset


class AchievementInline(admin.TabularInline):
    model = Achievement
    extra = 0
    fields = ["title", "kind", "level", "year", "result"]


@admin.register(Student)
class StudentAdmin(DistrictScopedAdmin):
    """Every opening of a student's page and every write through it leaves an audit row."""

    district_path = "organisation__district"
    list_display = ["full_name", "organisation", "class_name", "academic_year", "is_active"]
    list_filter = [
        "academic_year",
        "grade",
        "is_active",
        "organisation__kind",
        ("organisation__district", admin.RelatedOnlyFieldListFilter),
        ("organisation", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["organisation"]
    search_fields = [
        "last_name",
        "last_name_folded",
        "first_name",
        "patronymic",
        "organisation__short_name",
    ]
    autocomplete_fields = ["organisation", "programme", "user"]
    readonly_fields = ["uuid", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["last_name", "first_name", "patronymic", "birth_date", "sex"]}),
        (
            _("Обучение"),
            {
                "fields": [
                    "organisation",
                    "academic_year",
                    "grade",
                    "class_letter",
                    "programme",
                    "is_active",
                ]
            },
        ),
        (
            _("Профориентация"),
            {
                "fields": [
                    "phone",
                    "email",
                    "interests",
                    "preferred_professions",
                    "path_after_9",
                    "path_after_11",
                    "has_special_needs",
                    "notes",
                ]
            },
        ),
        (_("Служебное"), {"fields": ["user", "uuid", "created_at", "updated_at"]}),
    ]
    inlines = [GuardianInline, AchievementInline, ConsentInline]

    @admin.display(description=_("ФИО"), ordering="last_name")
    def full_name(self, obj: Student) -> str:
        return obj.full_name

    @admin.display(description=_("класс"), ordering="grade")
    def class_name(self, obj: Student) -> str:
        return obj.class_name

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)
        # Only a page actually shown counts as a view; a missing or foreign id redirects.
        context = getattr(response, "context_data", None) or {}
        student = context.get("original")
        if request.method == "GET" and response.status_code == 200 and student is not None:
            audit.record(
                actor=request.user, action=audit.Action.VIEW, student=student, request=request
            )
        return response

    def save_formset(
        self, request: HttpRequest, form: ModelForm, formset: BaseInlineFormSet, change: bool
    ) -> None:
        if formset.model is Consent:
            for consent_form in formset.forms:
                if consent_form.instance._state.adding:
                    consent_form.instance.recorded_by = request.user
        super().save_formset(request, form, formset, change)

    # The admin calls log_addition/log_change once per successful save, after the inlines,
    # inside the same transaction, with a message that names the changed fields and rows.
    def log_addition(self, request: HttpRequest, obj: Student, message: Any) -> LogEntry:
        entry = super().log_addition(request, obj, message)
        audit.record(
            actor=request.user,
            action=audit.Action.CREATE,
            student=obj,
            details=entry.get_change_message(),
            request=request,
        )
        return entry

    def log_change(self, request: HttpRequest, obj: Student, message: Any) -> LogEntry:
        entry = super().log_change(request, obj, message)
        audit.record(
            actor=request.user,
            action=audit.Action.UPDATE,
            student=obj,
            details=entry.get_change_message(),
            request=request,
        )
        return entry

    def log_deletions(self, request: HttpRequest, queryset: QuerySet[Student]) -> Any:
        for student in queryset:
            audit.record(
                actor=request.user, action=audit.Action.DELETE, student=student, request=request
            )
        return super().log_deletions(request, queryset)


@admin.register(Guardian)
class GuardianAdmin(DistrictScopedAdmin):
    district_path = "student__organisation__district"
    list_display = ["__str__", "relation", "student", "phone", "email"]
    list_filter = [
        "relation",
        ("student__organisation__district", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["student"]
    search_fields = [
        "last_name",
        "first_name",
        "patronymic",
        "phone",
        "email",
        "student__last_name",
    ]
    autocomplete_fields = ["student", "user"]


class ConsentActiveFilter(admin.SimpleListFilter):
    title = _("действует")
    parameter_name = "active"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("yes", _("Действует")), ("no", _("Отозвано"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Consent]) -> QuerySet[Consent]:
        if self.value() == "yes":
            return queryset.filter(withdrawn_at__isnull=True)
        if self.value() == "no":
            return queryset.filter(withdrawn_at__isnull=False)
        return queryset


class ConsentAdminForm(ModelForm):
    class Meta:
        model = Consent
        fields = ["student", "guardian", "scope", "given_on", "document_number", "withdrawn_at"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        student, guardian = cleaned.get("student"), cleaned.get("guardian")
        if student and guardian and guardian.student_id != student.pk:
            self.add_error(
                "guardian", _("Это не родитель (законный представитель) этого обучающегося.")
            )
        return cleaned


@admin.register(Consent)
class ConsentAdmin(DistrictScopedAdmin):
    form = ConsentAdminForm
    district_path = "student__organisation__district"
    list_display = ["student", "scope", "guardian", "given_on", "document_number", "is_active"]
    list_filter = [
        "scope",
        ConsentActiveFilter,
        ("student__organisation__district", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["student", "guardian"]
    search_fields = ["student__last_name", "guardian__last_name", "document_number"]
    autocomplete_fields = ["student", "guardian"]
    readonly_fields = ["recorded_by", "created_at"]
    date_hierarchy = "given_on"

    @admin.display(description=_("действует"), boolean=True)
    def is_active(self, obj: Consent) -> bool:
        return obj.is_active

    def save_model(self, request: HttpRequest, obj: Consent, form: ModelForm, change: bool) -> None:
        if not change:
            obj.recorded_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Achievement)
class AchievementAdmin(DistrictScopedAdmin):
    district_path = "student__organisation__district"
    list_display = ["title", "student", "kind", "level", "year", "result"]
    list_filter = ["kind", "level", "result", "year"]
    list_select_related = ["student"]
    search_fields = ["title", "student__last_name"]
    autocomplete_fields = ["student"]


class ReadOnlyAdmin(DistrictScopedAdmin):
    """Rows written only by the portal's own services: readable here, never edited."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(PupilImport)
class PupilImportAdmin(ReadOnlyAdmin):
    district_path = "organisation__district"
    list_display = [
        "file_name",
        "organisation",
        "uploaded_by",
        "status",
        "rows_total",
        "rows_invalid",
        "created_count",
        "updated_count",
        "created_at",
    ]
    list_filter = ["status", "file_format", ("organisation", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["organisation", "uploaded_by"]
    search_fields = ["file_name", "uploaded_by__username", "organisation__short_name"]
    exclude = ["content"]


@admin.register(GuardianInvitation)
class GuardianInvitationAdmin(ReadOnlyAdmin):
    district_path = "guardian__student__organisation__district"
    list_display = ["guardian", "created_by", "created_at", "expires_at", "used_at"]
    list_select_related = ["guardian", "created_by"]
    search_fields = ["guardian__last_name", "guardian__student__last_name"]
    exclude = ["code_hash"]


class DeletionRequestStateFilter(admin.SimpleListFilter):
    title = _("состояние")
    parameter_name = "state"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [
            ("open", _("Ожидает исполнения")),
            ("overdue", _("Просрочен")),
            ("done", _("Исполнен")),
        ]

    def queryset(
        self, request: HttpRequest, queryset: QuerySet[DataDeletionRequest]
    ) -> QuerySet[DataDeletionRequest]:
        if self.value() == "open":
            return queryset.filter(done_at__isnull=True)
        if self.value() == "overdue":
            overdue_from = timezone.now() - datetime.timedelta(
                days=DataDeletionRequest.DAYS_ALLOWED + 1
            )
            return queryset.filter(done_at__isnull=True, requested_at__lt=overdue_from)
        if self.value() == "done":
            return queryset.filter(done_at__isnull=False)
        return queryset


@admin.register(DataDeletionRequest)
class DataDeletionRequestAdmin(ReadOnlyAdmin):
    """Requests are filed on the pupil's page and carried out by the daily task (or here)."""

    district_path = "organisation__district"
    list_display = [
        "requested_at",
        "student",
        "organisation",
        "requested_by",
        "due_on",
        "overdue",
        "done_at",
        "outcome",
    ]
    list_filter = [
        DeletionRequestStateFilter,
        "outcome",
        ("organisation", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["student", "organisation", "requested_by"]
    search_fields = ["student__last_name", "organisation__short_name"]
    readonly_fields = ["uuid"]
    actions = ["carry_out"]

    # The record that a request was carried out is kept (152-FZ): never deleted here.
    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("срок исполнения"))
    def due_on(self, obj: DataDeletionRequest) -> datetime.date:
        return obj.due_on

    @admin.display(description=_("просрочен"), boolean=True)
    def overdue(self, obj: DataDeletionRequest) -> bool:
        return obj.is_overdue()

    @admin.action(description=_("Исполнить выбранные запросы сейчас"))
    def carry_out(self, request: HttpRequest, queryset: QuerySet[DataDeletionRequest]) -> None:
        from students.services.retention import deletion_request_process

        done = 0
        for item in queryset.filter(done_at__isnull=True).order_by("requested_at"):
            deletion_request_process(deletion_request=item, by=request.user)
            done += 1
        self.message_user(request, _("Исполнено запросов: %(n)d.") % {"n": done})
