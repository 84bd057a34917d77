"""The employment centre's CSV/XLSX exports: upload → preview with per-row errors → commit."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from labour import selectors_imports as selectors
from labour.forms.imports import VacancyImportForm
from labour.models import VacancyImport
from labour.services import uploads as services
from resource_center import access

HISTORY_PAGE_SIZE = 50


@require_safe
def import_list(request: HttpRequest) -> HttpResponse:
    if not access.can_import_vacancies(request.user):
        raise PermissionDenied
    page = Paginator(selectors.vacancy_import_history(user=request.user), HISTORY_PAGE_SIZE)
    page = page.get_page(request.GET.get("page"))
    several = access.districts_for_vacancy_import(request.user)[:2].count() > 1
    return render(
        request, "labour/vacancyimport_list.html", {"page": page, "several_districts": several}
    )


@require_http_methods(["GET", "HEAD", "POST"])
def import_upload(request: HttpRequest) -> HttpResponse:
    if not access.can_import_vacancies(request.user):
        raise PermissionDenied
    data = (request.POST, request.FILES) if request.method == "POST" else (None, None)
    form = VacancyImportForm(*data, districts=access.districts_for_vacancy_import(request.user))
    if not form.districts:
        raise PermissionDenied
    if request.method == "POST" and form.is_valid():
        try:
            run = services.vacancy_import_preview(
                file=form.cleaned_data["file"], district=form.district, by=request.user
            )
        except services.VacancyUploadError as exc:
            form.add_error("file", exc.message)
        else:
            return redirect("labour:import_preview", uuid=run.uuid)
    return render(request, "labour/vacancyimport_form.html", {"form": form})


@require_safe
def import_preview(request: HttpRequest, uuid: UUID) -> HttpResponse:
    run = access.vacancy_import_for(request.user, uuid)
    only_errors = request.GET.get("errors") == "1" and run.rows_invalid > 0
    preview = selectors.vacancy_import_preview_page(
        vacancy_import=run, page_number=request.GET.get("page"), only_errors=only_errors
    )
    return render(
        request,
        "labour/vacancyimport_preview.html",
        {
            "run": run,
            "preview": preview,
            "page": preview.page,
            "only_errors": only_errors,
            "rows_valid": run.rows_total - run.rows_invalid,
            "is_preview": run.status == VacancyImport.Status.PREVIEW,
            "can_commit": (
                run.status == VacancyImport.Status.PREVIEW
                and not run.rows_invalid
                and not preview.error
            ),
        },
    )


@require_POST
def import_commit(request: HttpRequest, uuid: UUID) -> HttpResponse:
    run = access.vacancy_import_for(request.user, uuid)
    try:
        run = services.vacancy_import_commit(vacancy_import=run, by=request.user)
    except services.VacancyUploadError as exc:
        messages.error(request, exc.message)
        return redirect("labour:import_preview", uuid=run.uuid)
    messages.success(
        request,
        _(
            "Выгрузка «%(file)s» сохранена: добавлено %(created)d, обновлено %(updated)d, "
            "без изменений %(unchanged)d, закрыто %(closed)d."
        )
        % {
            "file": run.origin,
            "created": run.created_count,
            "updated": run.updated_count,
            "unchanged": run.unchanged_count,
            "closed": run.closed_count,
        },
    )
    return redirect("labour:import_list")


@require_POST
def import_discard(request: HttpRequest, uuid: UUID) -> HttpResponse:
    run = access.vacancy_import_for(request.user, uuid)
    try:
        services.vacancy_import_discard(vacancy_import=run, by=request.user)
    except services.VacancyUploadError as exc:
        messages.error(request, exc.message)
        return redirect("labour:import_preview", uuid=run.uuid)
    messages.info(request, _("Загрузка отменена, файл удалён. Ничего не сохранено."))
    return redirect("labour:import_upload")
