"""Hours of the career-guidance minimum: the class sheet, a pupil's page, the school's level."""

from __future__ import annotations

from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET, require_http_methods, require_safe

from resource_center import access


@require_safe
def class_sheet(request: HttpRequest) -> HttpResponse:
    if not access.can_read_career_minimum(request.user):
        raise PermissionDenied
    return HttpResponse("sheet")  # replaced by the sheet


@require_GET
def class_sheet_export(request: HttpRequest) -> HttpResponse:
    if not access.can_read_career_minimum(request.user):
        raise PermissionDenied
    return HttpResponse("sheet xlsx")  # replaced by the export


@require_safe
def student_hours(request: HttpRequest, uuid: UUID) -> HttpResponse:
    access.career_minimum_student_for(request.user, uuid)
    return HttpResponse("hours")  # replaced by the page


@require_http_methods(["GET", "HEAD", "POST"])
def school_plan(request: HttpRequest) -> HttpResponse:
    if not access.can_choose_career_level(request.user):
        raise PermissionDenied
    return HttpResponse("plan")  # replaced by the form
