"""Class activities of the career-guidance minimum: list, record for a class, correct."""

from __future__ import annotations

from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from resource_center import access


@require_safe
def activity_list(request: HttpRequest) -> HttpResponse:
    if not access.can_read_career_minimum(request.user):
        raise PermissionDenied
    return HttpResponse("activities")  # replaced by the list


@require_http_methods(["GET", "HEAD", "POST"])
def activity_create(request: HttpRequest) -> HttpResponse:
    if not access.can_record_activities(request.user):
        raise PermissionDenied
    return HttpResponse("new activity")  # replaced by the form


@require_safe
def activity_detail(request: HttpRequest, uuid: UUID) -> HttpResponse:
    access.activity_for(request.user, uuid)
    return HttpResponse("activity")  # replaced by the page


@require_http_methods(["GET", "HEAD", "POST"])
def activity_update(request: HttpRequest, uuid: UUID) -> HttpResponse:
    access.activity_for(request.user, uuid, manage=True)
    return HttpResponse("edit activity")  # replaced by the form


@require_POST
def participation_toggle(request: HttpRequest, uuid: UUID) -> HttpResponse:
    participation = access.participation_for(request.user, uuid)
    return redirect("career_minimum:activity_detail", uuid=participation.activity.uuid)
