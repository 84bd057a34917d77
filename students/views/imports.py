"""Import of pupil lists: upload → preview with per-row errors → commit or discard; history."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from resource_center import access
from students import selectors
from students.forms.imports import PupilImportForm
from students.models import PupilImport
from students.services import imports as services

HISTORY_PAGE_SIZE = 50


@require_http_methods(["GET", "HEAD", "POST"])
def import_upload(request: HttpRequest) -> HttpResponse:
    schools = access.schools_for_import(request.user)
    data = (request.POST, request.FILES) if request.method == "POST" else (None, None)
    form = PupilImportForm(*data, schools=schools)
    if not form.schools:
        raise PermissionDenied
    if request.method == "POST" and form.is_valid():
        try:
            pupil_import = services.pupil_import_preview(
                file=form.cleaned_data["file"], school=form.school, by=request.user
            )
        except services.PupilImportError as exc:
            form.add_error("file", exc.message)
        else:
            return redirect("students:import_preview", uuid=pupil_import.uuid)
    return render(request, "students/pupilimport_form.html", {"form": form})


@require_safe
def import_preview(request: HttpRequest, uuid: UUID) -> HttpResponse:
    pupil_import = access.pupil_import_for(request.user, uuid)
    only_errors = request.GET.get("errors") == "1" and pupil_import.rows_invalid > 0
    preview = selectors.pupil_import_preview_page(
        pupil_import=pupil_import,
        page_number=request.GET.get("page"),
        only_errors=only_errors,
    )
    return render(
        request,
        "students/pupilimport_preview.html",
        {
            "pupil_import": pupil_import,
            "preview": preview,
            "page": preview.page,
            "only_errors": only_errors,
            "rows_valid": pupil_import.rows_total - pupil_import.rows_invalid,
            "can_commit": (
                pupil_import.status == PupilImport.Status.PREVIEW and pupil_import.rows_invalid == 0
            ),
        },
    )


@require_POST
def import_commit(request: HttpRequest, uuid: UUID) -> HttpResponse:
    pupil_import = access.pupil_import_for(request.user, uuid)
    try:
        counts = services.pupil_import_commit(
            pupil_import=pupil_import, by=request.user, request=request
        )
    except services.PupilImportError as exc:
        messages.error(request, exc.message)
        return redirect("students:import_preview", uuid=pupil_import.uuid)
    messages.success(
        request,
        _("Список «%(file)s» сохранён: добавлено %(created)d, обновлено %(updated)d.")
        % {"file": pupil_import.file_name, "created": counts.created, "updated": counts.updated},
    )
    return redirect("students:import_list")


@require_POST
def import_discard(request: HttpRequest, uuid: UUID) -> HttpResponse:
    pupil_import = access.pupil_import_for(request.user, uuid)
    try:
        services.pupil_import_discard(pupil_import=pupil_import, by=request.user)
    except services.PupilImportError as exc:
        messages.error(request, exc.message)
        return redirect("students:import_preview", uuid=pupil_import.uuid)
    messages.info(request, _("Загрузка отменена, файл удалён. Ничего не сохранено."))
    return redirect("students:import_upload")


@require_safe
def import_list(request: HttpRequest) -> HttpResponse:
    schools = list(access.schools_for_import(request.user))
    if not schools:
        raise PermissionDenied
    page = Paginator(selectors.pupil_import_history(schools=schools), HISTORY_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "students/pupilimport_list.html",
        {"page": page, "several_schools": len(schools) > 1},
    )
