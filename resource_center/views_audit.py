"""The audit-trail page: read-only, the head's school or the coordinator's district."""

from __future__ import annotations

from typing import Any

import django_filters
import django_tables2 as tables
from django import forms
from django.core.exceptions import PermissionDenied
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from resource_center import access
from resource_center.lib.text import fold
from resource_center.models import AuditEntry

PAGE_SIZE = 50


class AuditEntryFilterForm(forms.Form):
    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError(_("Дата «с» позже даты «по»."))
        return data


class AuditEntryFilter(django_filters.FilterSet):
    """Action, a date range (local dates, inclusive) and the pupil's surname."""

    action = django_filters.ChoiceFilter(
        label=_("Действие"), choices=AuditEntry.Action.choices, empty_label=_("все")
    )
    date_from = django_filters.DateFilter(
        label=_("С"),
        field_name="at",
        lookup_expr="date__gte",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    date_to = django_filters.DateFilter(
        label=_("По"),
        field_name="at",
        lookup_expr="date__lte",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    surname = django_filters.CharFilter(
        label=_("Фамилия обучающегося"), method="filter_surname", max_length=100
    )

    class Meta:
        model = AuditEntry
        fields: list[str] = []
        form = AuditEntryFilterForm

    def filter_surname(
        self, queryset: QuerySet[AuditEntry], name: str, value: str
    ) -> QuerySet[AuditEntry]:
        folded = fold(value)
        if not folded:
            return queryset
        typed = value.strip()
        # A deleted pupil's rows keep only the subject (the full name as it was written).
        return queryset.filter(
            Q(student__last_name_folded__startswith=folded)
            | Q(student__isnull=True, subject__startswith=typed)
            | Q(student__isnull=True, subject__startswith=typed.capitalize())
        )


class AuditEntryTable(tables.Table):
    at = tables.DateTimeColumn(verbose_name=_("Когда"), format="d.m.Y H:i")
    actor = tables.Column(verbose_name=_("Кто"), order_by=("actor__last_name", "actor__username"))
    action = tables.Column(verbose_name=_("Действие"))
    subject = tables.Column(verbose_name=_("Чьи данные"))
    details = tables.Column(verbose_name=_("Подробности"), orderable=False, empty_values=())
    ip_address = tables.Column(verbose_name=_("IP-адрес"), orderable=False)

    class Meta:
        model = AuditEntry
        fields: tuple[str, ...] = ()
        sequence = ("at", "actor", "action", "subject", "details", "ip_address")
        attrs = {"class": "table table-sm table-hover", "data-testid": "audit-table"}
        empty_text = _("Записей не найдено.")
        order_by_field = "sort"

    def render_actor(self, value: Any) -> str:
        return value.get_full_name() or value.get_username()

    def render_details(self, record: AuditEntry) -> SafeString:
        return format_html(
            '{}<div class="small text-muted text-break">{}</div>', record.details, record.path
        )


@require_safe
def audit_list(request: HttpRequest) -> HttpResponse:
    """Who viewed, changed or exported whose personal data; nothing here writes."""
    if not access.can_see_audit_of(request.user):
        raise PermissionDenied
    entries = (
        access.audit_entries_visible_to(request.user).select_related("actor").order_by("-at", "-pk")
    )
    filterset = AuditEntryFilter(request.GET, entries)
    table = AuditEntryTable(filterset.qs)
    table.order_by = request.GET.getlist("sort")
    try:
        table.paginate(per_page=PAGE_SIZE, page=request.GET.get("page") or 1)
    except PageNotAnInteger:
        table.paginate(per_page=PAGE_SIZE, page=1)
    except EmptyPage:
        table.paginate(per_page=PAGE_SIZE, page=table.paginator.num_pages)
    table.request = request
    return render(
        request, "resource_center/auditentry_list.html", {"filter": filterset, "table": table}
    )
