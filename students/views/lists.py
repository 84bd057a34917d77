"""The pupil list and its export."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_safe

from resource_center import access, page_cache
from resource_center.models import Role
from students import selectors
from students.filters import StudentFilter
from students.services import exports
from students.tables import StudentTable

PAGE_SIZE = 50

# Parameters of the list that are not filters: the export ignores them.
_NOT_FILTERS = ("page", "sort", "format")


def _filtered(request: HttpRequest) -> StudentFilter:
    return StudentFilter(
        request.GET,
        selectors.student_list_for(user=request.user),
        years=selectors.student_years_for(user=request.user),
    )


def _table(request: HttpRequest, filterset: StudentFilter) -> StudentTable:
    acc = access.access_of(request.user)
    several_organisations = acc.is_superuser or acc.has(Role.COORDINATOR)
    table = StudentTable(filterset.qs, exclude=() if several_organisations else ("organisation",))
    # Unknown columns in ?sort= are dropped by django-tables2; ?per_page= is not honoured
    # so that nobody pulls the whole district in one page.
    table.order_by = request.GET.getlist("sort")
    try:
        table.paginate(per_page=PAGE_SIZE, page=request.GET.get("page") or 1)
    except PageNotAnInteger:
        table.paginate(per_page=PAGE_SIZE, page=1)
    except EmptyPage:
        table.paginate(per_page=PAGE_SIZE, page=table.paginator.num_pages)
    table.request = request
    return table


def _export_url(request: HttpRequest, file_format: str) -> str:
    params = request.GET.copy()
    for key in _NOT_FILTERS:
        params.pop(key, None)
    params["format"] = file_format
    return f"{reverse('students:student_export')}?{params.urlencode()}"


@require_safe
def student_list(request: HttpRequest) -> HttpResponse:
    if not access.can_list_students(request.user):
        raise PermissionDenied

    def page() -> HttpResponse:
        filterset = _filtered(request)
        table = _table(request, filterset)
        may_add = access.schools_for_import(request.user).exists()
        return render(
            request,
            "students/student_list.html",
            {
                "filter": filterset,
                "table": table,
                "year_label": dict(filterset.filters["year"].extra["choices"]).get(
                    str(filterset.chosen_year), filterset.chosen_year
                ),
                "without_consent": filterset.qs.filter(has_consent=False).count(),
                "export_xlsx_url": _export_url(request, exports.XLSX),
                "export_csv_url": _export_url(request, exports.CSV),
                "may_add": may_add,
            },
        )

    return page_cache.cached_page(request, page)


# GET only: a HEAD would write the audit rows of a download nobody receives.
@require_GET
def student_export(request: HttpRequest) -> HttpResponse:
    if not access.can_list_students(request.user):
        raise PermissionDenied
    file_format = request.GET.get("format") or exports.XLSX
    if file_format not in exports.FORMATS:
        return HttpResponseBadRequest(
            _("Неизвестный формат выгрузки. Выберите XLSX или CSV."),
            content_type="text/plain; charset=utf-8",
        )
    filterset = _filtered(request)
    export = exports.student_list_export(
        students=selectors.student_export_rows_for(students=filterset.qs),
        file_format=file_format,
        by=request.user,
        request=request,
    )
    response = HttpResponse(export.content, content_type=export.content_type)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=export.file_name
    )
    return response
