"""Pages of pupils and technikum students."""

from __future__ import annotations

from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from resource_center import access, audit
from students import selectors

PAGE_SIZE = 50


@require_safe
def student_list(request: HttpRequest) -> HttpResponse:
    if not access.can_list_students(request.user):
        raise PermissionDenied
    page = Paginator(selectors.student_list_for(user=request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "students/student_list.html", {"page": page})


@require_safe
def student_detail(request: HttpRequest, uuid: UUID) -> HttpResponse:
    student = access.student_for(request.user, uuid)
    audit.record(actor=request.user, action=audit.Action.VIEW, student=student, request=request)
    return render(
        request,
        "students/student_detail.html",
        {
            "student": selectors.student_detail_for(student=student),
            "can_edit": access.can_edit_student(request.user, student),
        },
    )
