"""The reports dashboard, one report's page, and its XLSX/CSV export."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from reports import exports
from reports.forms import ReportFilterForm
from reports.registry import REPORTS, Report, ReportTable, is_hidden, reports_for
from reports.scope import ReportFilters, ReportScope
from resource_center import access, page_cache


def _filter_form(
    request: HttpRequest, scope: ReportScope
) -> tuple[ReportFilterForm, ReportFilters]:
    form = ReportFilterForm(request.GET, scope=scope)
    return form, form.filters()


def _report_or_404(slug: str, scope: ReportScope) -> Report:
    report = REPORTS.get(slug)
    if report is None or not report.available_for(scope):
        raise Http404
    return report


def chart_data(report: Report, table: ReportTable) -> dict[str, Any]:
    """What report_charts.js draws: labels, one dataset per series; hidden counts are gaps."""
    chart = report.chart
    series = (
        table.chart_series
        or chart.series
        or tuple(c.key for c in table.columns if c.kind == "count")
    )
    # Joined with a comma: "СОШ № 1 7" would read as school № 17.
    labels = [
        ", ".join(str(row[k]) for k in chart.label_columns if row.get(k) not in (None, ""))
        for row in table.rows
    ]
    # A stacked bar adds up one group of parts (one questionnaire's types, the plans after
    # grade 9): a pupil counted in two groups must not be stacked twice into one bar.
    stack_of = {key: str(n) for n, group in enumerate(table.row_groups) for key in group}
    return {
        "type": chart.type,
        "stacked": chart.stacked,
        "labels": labels,
        "datasets": [
            {
                "label": str(table.column(key).label),
                "data": [None if is_hidden(row.get(key)) else row.get(key) for row in table.rows],
                "stack": stack_of.get(key, ""),
            }
            for key in series
        ],
    }


def _section(report: Report, scope: ReportScope, filters: ReportFilters) -> dict[str, Any]:
    table = report.run(scope=scope, filters=filters)
    return {
        "report": report,
        "table": table,
        "chart": chart_data(report, table),
        "chart_id": f"chart-{report.slug}",
        "data_id": f"chart-{report.slug}-data",
    }


@require_safe
def dashboard(request: HttpRequest) -> HttpResponse:
    scope = access.report_scope_for(request.user)

    def page() -> HttpResponse:
        form, filters = _filter_form(request, scope)
        sections = [_section(r, scope, filters) for r in reports_for(scope)]
        return render(
            request,
            "reports/dashboard.html",
            {
                "form": form,
                "sections": sections,
                "scope": scope,
                "query": request.GET.urlencode(),
                "today": timezone.localdate(),
            },
        )

    return page_cache.cached_page(request, page)


@require_safe
def report_detail(request: HttpRequest, slug: str) -> HttpResponse:
    scope = access.report_scope_for(request.user)
    report = _report_or_404(slug, scope)

    def page() -> HttpResponse:
        form, filters = _filter_form(request, scope)
        return render(
            request,
            "reports/report_detail.html",
            {
                "form": form,
                "section": _section(report, scope, filters),
                "scope": scope,
                "query": request.GET.urlencode(),
                "today": timezone.localdate(),
            },
        )

    return page_cache.cached_page(request, page)


@require_safe
def report_export(request: HttpRequest, slug: str) -> HttpResponse:
    scope = access.report_scope_for(request.user)
    report = _report_or_404(slug, scope)
    form, filters = _filter_form(request, scope)
    table = report.run(scope=scope, filters=filters)
    fmt = request.GET.get("format", "xlsx")
    stamp = timezone.localdate().isoformat()
    if fmt == "csv":
        body = exports.to_csv(report, table, form.labels())
        response = HttpResponse(body, content_type=exports.CSV_CONTENT_TYPE)
        name = f"{report.slug}-{stamp}.csv"
    elif fmt == "xlsx":
        body = exports.to_xlsx(report, table, form.labels())
        response = HttpResponse(body, content_type=exports.XLSX_CONTENT_TYPE)
        name = f"{report.slug}-{stamp}.xlsx"
    else:
        return HttpResponse(
            _("Неизвестный формат выгрузки: выберите XLSX или CSV."),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
