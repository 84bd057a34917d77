"""The labour-market overview, the balance table and the public page of in-demand professions."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from labour import selectors
from labour.models import LabourSummary
from resource_center import access, page_cache

Period = LabourSummary.Period


def _base_context(request: HttpRequest, *, public: bool = False) -> dict[str, Any]:
    """The district shown, the districts to switch to and their latest summaries."""
    choice = selectors.labour_district_choice(
        user=request.user, requested=request.GET.get("district"), public=public
    )
    summaries = selectors.latest_summaries(district=choice.district) if choice.district else {}
    return {"choice": choice, "district": choice.district, "summaries": summaries}


def _empty_state(period: str) -> dict[str, Any]:
    start, end = selectors.next_summary_due(today=timezone.localdate(), period=period)
    return {"next_start": start, "next_end": end}


@require_safe
def labour_overview(request: HttpRequest) -> HttpResponse:
    """The latest summary of the chosen period and the trends over the past ones."""
    user = request.user
    if not access.can_read_labour_market(user):
        raise PermissionDenied
    context = _base_context(request)
    period = selectors.period_of(request.GET.get("period"))
    summary = context["summaries"].get(period)
    figures = summary.figures if summary else {}
    trend = (
        selectors.labour_trend(district=context["district"], period=period)
        if summary is not None
        else selectors.Trend()
    )
    context |= {
        "period": period,
        "periods": Period.choices,
        "summary": summary,
        "figures": figures,
        "by_group": selectors.named_rows(figures.get("by_group"), "title"),
        "by_sector": selectors.named_rows(figures.get("by_sector"), "sector"),
        "trend": trend,
        "trend_chart": trend.chart(),
        "trend_tables": trend.tables(),
        "due": _empty_state(period),
        "can_map": access.can_map_vacancies(user),
        "can_import": access.can_import_vacancies(user),
    }
    return render(request, "labour/overview.html", context)


@require_safe
def labour_balance(request: HttpRequest) -> HttpResponse:
    """Demand (open vacancies and work places) against the technikum's graduates."""
    if not access.can_read_labour_market(request.user):
        raise PermissionDenied
    context = _base_context(request)
    default = Period.MONTH if Period.MONTH in context["summaries"] else Period.WEEK
    period = selectors.period_of(request.GET.get("period"), default=default)
    summary = context["summaries"].get(period)
    context |= {
        "period": period,
        "periods": Period.choices,
        "summary": summary,
        "rows": selectors.labour_balance_rows(summary=summary) if summary else [],
        "shortage_from": selectors.SHORTAGE_FROM,
        "surplus_below": selectors.SURPLUS_BELOW,
        "due": _empty_state(period),
        "can_map": access.can_map_vacancies(request.user),
        "can_import": access.can_import_vacancies(request.user),
    }
    return render(request, "labour/balance.html", context)


@login_not_required
@require_safe
def in_demand(request: HttpRequest) -> HttpResponse:
    """For pupils and parents: the district's most demanded professions and where to learn
    them. Aggregates only: no employer, no vacancy, no person."""

    def page() -> HttpResponse:
        context = _base_context(request, public=True)
        summary = selectors.in_demand_summary(context["summaries"])
        context |= {
            "summary": summary,
            "professions": selectors.in_demand_professions(summary=summary) if summary else [],
            "salary": (summary.figures.get("salary") or {}) if summary else {},
        }
        return render(request, "labour/in_demand.html", context)

    return page_cache.cached_page(request, page)
