"""Admin of career events, their registrations and pupils' feedback, scoped to the
coordinator's districts. Pupils are registered on the portal only (consent and seats are
checked there); here registrations can be looked at, marked and removed, each audited."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.db.models import Count, Q, QuerySet
from django.forms import BaseInlineFormSet, ModelForm, ModelMultipleChoiceField
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from guidance.models import Event, Feedback, Registration, Scale
from resource_center import audit
from resource_center.admin import DistrictScopedAdmin
from students.models import TRANSFER_SCOPE_OF_KIND, Consent, active_consent


def with_required_consents(queryset: QuerySet[Registration]) -> QuerySet[Registration]:
    """Registrations whose pupils still hold what their event needs (Event.
    required_consent_scopes, as SQL): a withdrawn consent hides the pupil at once."""
    condition = Q(active_consent(Consent.Scope.PROCESSING, "student_id"))
    for kind, scope in TRANSFER_SCOPE_OF_KIND.items():
        condition &= ~Q(event__organiser__kind=kind) | Q(active_consent(scope, "student_id"))
    return queryset.filter(condition)


class RegistrationInline(admin.TabularInline):
    model = Registration
    extra = 0
    fields = ["student", "registered_by", "registered_at", "attended"]
    readonly_fields = ["student", "registered_by", "registered_at"]
    verbose_name_plural = _("записи (обучающиеся с действующим согласием)")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Registration]:
        return with_required_consents(
            super().get_queryset(request).select_related("student", "registered_by")
        )

    def has_add_permission(self, request: HttpRequest, obj: Event | None = None) -> bool:
        return False


@admin.register(Event)
class EventAdmin(DistrictScopedAdmin):
    district_path = "organiser__district"
    list_display = [
        "title",
        "kind",
        "organiser",
        "starts_at",
        "capacity",
        "registered",
        "is_public",
        "is_cancelled",
    ]
    list_filter = [
        "kind",
        "is_public",
        "is_cancelled",
        ("organiser__district", admin.RelatedOnlyFieldListFilter),
        ("organiser", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["organiser"]
    search_fields = ["title", "place", "organiser__short_name"]
    date_hierarchy = "starts_at"
    autocomplete_fields = ["organiser", "programme"]
    filter_horizontal = ["interest_types"]
    readonly_fields = ["uuid", "created_by", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["kind", "title", "organiser", "description", "programme"]}),
        (
            _("Время и место"),
            {"fields": ["starts_at", "ends_at", "place", "min_grade", "max_grade", "capacity"]},
        ),
        (_("Публикация"), {"fields": ["interest_types", "is_public", "is_cancelled"]}),
        (_("Служебное"), {"fields": ["uuid", "created_by", "created_at", "updated_at"]}),
    ]
    inlines = [RegistrationInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Event]:
        return super().get_queryset(request).annotate(registered_count=Count("registrations"))

    @admin.display(description=_("записано"), ordering="registered_count")
    def registered(self, obj: Event) -> int:
        return obj.registered_count

    def formfield_for_manytomany(
        self, db_field: models.ManyToManyField, request: HttpRequest, **kwargs: Any
    ) -> ModelMultipleChoiceField | None:
        if db_field.name == "interest_types":
            # Each label names the questionnaire too: fetch it in the same query.
            kwargs["queryset"] = Scale.objects.select_related("questionnaire")
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: Event, form: ModelForm, change: bool) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)
        # The inline lists pupils' names: a page actually shown counts as viewing them.
        context = getattr(response, "context_data", None) or {}
        if request.method == "GET" and response.status_code == 200 and context.get("original"):
            for inline in context.get("inline_admin_formsets", []):
                if inline.formset.model is Registration:
                    audit.record_many(
                        actor=request.user,
                        action=audit.Action.VIEW,
                        students=[f.instance.student for f in inline.formset.initial_forms],
                        details=gettext("Участники мероприятия «%(title)s»")
                        % {"title": context["original"].title},
                        request=request,
                    )
        return response

    def save_formset(
        self, request: HttpRequest, form: ModelForm, formset: BaseInlineFormSet, change: bool
    ) -> None:
        super().save_formset(request, form, formset, change)
        if formset.model is not Registration:
            return
        title = form.instance.title
        for registration in formset.deleted_objects:
            audit.record(
                actor=request.user,
                action=audit.Action.DELETE,
                student=registration.student,
                details=gettext("Запись на мероприятие «%(title)s» удалена") % {"title": title},
                request=request,
            )
        for registration, _fields in formset.changed_objects:
            audit.record(
                actor=request.user,
                action=audit.Action.UPDATE,
                student=registration.student,
                details=gettext("Присутствие на мероприятии «%(title)s» изменено")
                % {"title": title},
                request=request,
            )


@admin.register(Registration)
class RegistrationAdmin(DistrictScopedAdmin):
    """Registrations as the organiser's district sees them; added on the portal only."""

    district_path = "event__organiser__district"
    list_display = ["student", "event", "registered_at", "attended"]
    list_filter = [
        "attended",
        ("event__organiser__district", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["student", "event"]
    search_fields = ["student__last_name", "student__last_name_folded", "event__title"]
    fields = ["student", "event", "registered_by", "registered_at", "attended"]
    readonly_fields = ["student", "event", "registered_by", "registered_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Registration]:
        return with_required_consents(super().get_queryset(request))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)
        context = getattr(response, "context_data", None) or {}
        registration = context.get("original")
        if request.method == "GET" and response.status_code == 200 and registration is not None:
            audit.record(
                actor=request.user,
                action=audit.Action.VIEW,
                student=registration.student,
                request=request,
            )
        return response

    def log_change(self, request: HttpRequest, obj: Registration, message: Any) -> Any:
        entry = super().log_change(request, obj, message)
        audit.record(
            actor=request.user,
            action=audit.Action.UPDATE,
            student=obj.student,
            details=entry.get_change_message(),
            request=request,
        )
        return entry

    def log_deletions(self, request: HttpRequest, queryset: QuerySet[Registration]) -> Any:
        for registration in queryset.select_related("student"):
            audit.record(
                actor=request.user,
                action=audit.Action.DELETE,
                student=registration.student,
                request=request,
            )
        return super().log_deletions(request, queryset)


@admin.register(Feedback)
class FeedbackAdmin(DistrictScopedAdmin):
    """Pupils' feedback for moderation: the event, the rating and the text, never the name."""

    district_path = "registration__event__organiser__district"
    list_display = ["event", "rating", "comment", "created_at"]
    list_filter = ["rating"]
    list_select_related = ["registration__event"]
    search_fields = ["comment", "registration__event__title"]
    fields = ["event", "rating", "comment", "created_at"]
    readonly_fields = ["event", "rating", "comment", "created_at"]
    # The bulk-action checkbox is labelled with str(feedback), which names the pupil.
    actions = None

    @admin.display(description=_("мероприятие"), ordering="registration__event__starts_at")
    def event(self, obj: Feedback) -> Event:
        return obj.registration.event

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Feedback | None = None) -> bool:
        return False
