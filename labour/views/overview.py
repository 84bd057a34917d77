"""The labour-market overview, the balance table and the public page of in-demand professions."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from resource_center import access


@require_safe
def labour_overview(request: HttpRequest) -> HttpResponse:
    if not access.can_read_labour_market(request.user):
        raise PermissionDenied
    return HttpResponse("overview")  # replaced by the overview page


@require_safe
def labour_balance(request: HttpRequest) -> HttpResponse:
    if not access.can_read_labour_market(request.user):
        raise PermissionDenied
    return HttpResponse("balance")  # replaced by the balance page


@login_not_required
@require_safe
def in_demand(request: HttpRequest) -> HttpResponse:
    return HttpResponse("in demand")  # replaced by the public page
