"""Vacancies left without a profession by the mapping rules, mapped by the coordinator."""

from __future__ import annotations

from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST, require_safe

from resource_center import access


@require_safe
def unmapped_list(request: HttpRequest) -> HttpResponse:
    if not access.can_map_vacancies(request.user):
        raise PermissionDenied
    return HttpResponse("unmapped")  # replaced by the list


@require_POST
def vacancy_map(request: HttpRequest, uuid: UUID) -> HttpResponse:
    access.vacancy_to_map_for(request.user, uuid)
    return redirect("labour:unmapped_list")  # replaced by the mapping form
