"""Admin of the participants registry, and the district scoping every app's admin shares."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.db.models import QuerySet
from django.forms import ModelChoiceField
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from resource_center.access import coordinated_scope
from resource_center.models import (
    AuditEntry,
    District,
    Membership,
    Organisation,
    ServiceHeartbeat,
)


class DistrictScopedAdmin(admin.ModelAdmin):
    """An admin whose rows, pages, autocompletes and FK choices stop at the coordinator's districts.

    ``district_path`` leads from the model to its District (``"pk"`` for District itself).
    Pages of objects outside the scope answer like missing objects, because the admin
    fetches every object through ``get_queryset``.
    """

    district_path: str = "district"
    # Addresses typed without a scheme are read as https (Django 6.0's default).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return coordinated_scope(
            request.user, super().get_queryset(request), district_path=self.district_path
        )

    def formfield_for_foreignkey(
        self, db_field: models.ForeignKey, request: HttpRequest, **kwargs: Any
    ) -> ModelChoiceField | None:
        # Without this a coordinator could post the id of another district's organisation:
        # the form would validate it against the unscoped default manager.
        related = db_field.related_model
        if "queryset" not in kwargs and self.admin_site.is_registered(related):
            related_admin = self.admin_site.get_model_admin(related)
            if isinstance(related_admin, DistrictScopedAdmin):
                kwargs["queryset"] = related_admin.get_queryset(request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(District)
class DistrictAdmin(DistrictScopedAdmin):
    district_path = "pk"
    list_display = ["name", "region", "oktmo"]
    list_filter = ["region"]
    search_fields = ["name", "oktmo"]


@admin.register(Organisation)
class OrganisationAdmin(DistrictScopedAdmin):
    # No Membership inline: the resource centre and large schools have many members, and
    # each inline row would cost a query for its user widget.
    list_display = ["short_name", "kind", "district", "inn", "okved", "phone", "is_active"]
    list_filter = ["kind", ("district", admin.RelatedOnlyFieldListFilter), "is_active"]
    list_select_related = ["district"]
    search_fields = ["short_name", "full_name", "inn", "okved", "address"]
    fieldsets = [
        (None, {"fields": ["district", "kind", "full_name", "short_name", "is_active"]}),
        (
            _("Реквизиты и контакты"),
            {"fields": ["inn", "okved", "address", "phone", "email", "website"]},
        ),
    ]


@admin.register(Membership)
class MembershipAdmin(DistrictScopedAdmin):
    district_path = "organisation__district"
    list_display = ["user", "organisation", "role", "position", "is_active", "created_at"]
    list_filter = [
        "role",
        "is_active",
        "organisation__kind",
        ("organisation__district", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["user", "organisation"]
    search_fields = [
        "user__username",
        "user__last_name",
        "user__first_name",
        "user__email",
        "organisation__short_name",
        "position",
    ]
    autocomplete_fields = ["user", "organisation"]
    readonly_fields = ["created_at"]


@admin.register(AuditEntry)
class AuditEntryAdmin(DistrictScopedAdmin):
    """The personal-data audit trail: readable with the view permission, never editable."""

    district_path = "student__organisation__district"
    list_display = ["at", "actor", "action", "subject", "details", "path"]
    list_filter = ["action"]
    list_select_related = ["actor"]
    search_fields = ["subject", "details", "actor__username", "actor__last_name"]
    date_hierarchy = "at"
    # The trail only grows: counting it in full on every page is the slow query here.
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEntry | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEntry | None = None) -> bool:
        return False


@admin.register(ServiceHeartbeat)
class ServiceHeartbeatAdmin(admin.ModelAdmin):
    """When Celery and the heartbeat command last reported in; written by them only."""

    list_display = ["name", "seen_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(
        self, request: HttpRequest, obj: ServiceHeartbeat | None = None
    ) -> bool:
        return False
