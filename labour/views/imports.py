"""The employment centre's CSV/XLSX exports: upload → preview with per-row errors → commit."""

from __future__ import annotations

from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from resource_center import access


@require_safe
def import_list(request: HttpRequest) -> HttpResponse:
    if not access.can_import_vacancies(request.user):
        raise PermissionDenied
    return HttpResponse("imports")  # replaced by the history


@require_http_methods(["GET", "HEAD", "POST"])
def import_upload(request: HttpRequest) -> HttpResponse:
    if not access.can_import_vacancies(request.user):
        raise PermissionDenied
    return HttpResponse("upload")  # replaced by the upload form


@require_safe
def import_preview(request: HttpRequest, uuid: UUID) -> HttpResponse:
    access.vacancy_import_for(request.user, uuid)
    return HttpResponse("preview")  # replaced by the preview


@require_POST
def import_commit(request: HttpRequest, uuid: UUID) -> HttpResponse:
    run = access.vacancy_import_for(request.user, uuid)
    return redirect("labour:import_preview", uuid=run.uuid)  # replaced by the commit


@require_POST
def import_discard(request: HttpRequest, uuid: UUID) -> HttpResponse:
    run = access.vacancy_import_for(request.user, uuid)
    return redirect("labour:import_preview", uuid=run.uuid)  # replaced by the discard
