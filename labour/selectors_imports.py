"""Reads of the vacancy-import screens: the history of a user's districts and the preview."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.core.paginator import Page, Paginator

from employers.models import Vacancy
from labour.importers.czn import CznExportError, CznRecord, open_czn_export
from labour.models import VacancyImport
from labour.services.uploads import centre_id_prefix, centre_vacancies_of
from resource_center import access

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from resource_center.access import AnyUser

PREVIEW_PAGE_SIZE = 100


@dataclass
class PreviewRow:
    """A row of the export as the preview shows it: the record and what the commit does."""

    record: CznRecord
    is_update: bool = False


@dataclass
class ImportPreview:
    """One page of an export's rows, and what saving the whole export would do."""

    page: Page
    rows: list[PreviewRow] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    error: str = ""  # the stored file cannot be read (then there are no rows)
    new: int = 0
    updates: int = 0
    closes: int = 0


def vacancy_import_preview_page(
    *, vacancy_import: VacancyImport, page_number: str | int | None, only_errors: bool = False
) -> ImportPreview:
    """A page of rows (100) of a previewed export with their errors, and the counts of
    vacancies to add, update and close (one query: the district's centre vacancies)."""
    count = vacancy_import.rows_invalid if only_errors else vacancy_import.rows_total
    page = Paginator(range(count), PREVIEW_PAGE_SIZE).get_page(page_number)
    result = ImportPreview(page=page)
    if vacancy_import.status != VacancyImport.Status.PREVIEW or vacancy_import.district is None:
        return result
    prefix = centre_id_prefix(vacancy_import.district)
    stored = dict(
        centre_vacancies_of(vacancy_import.district).order_by().values_list("external_id", "status")
    )
    first, last = page.start_index() - 1, page.end_index()
    listed: set[str] = set()
    position = 0
    try:
        with open_czn_export(bytes(vacancy_import.content)) as export:
            result.columns = export.columns.recognised()
            result.ignored_columns = export.columns.ignored
            for record in export:
                is_update = False
                if not record.errors:
                    external_id = prefix + record.file_id
                    listed.add(external_id)
                    is_update = external_id in stored
                    result.updates += is_update
                    result.new += not is_update
                if only_errors and not record.errors:
                    continue
                if first <= position < last:
                    result.rows.append(PreviewRow(record, is_update))
                position += 1
    except CznExportError as exc:
        result.error = exc.message
        result.rows = []
        return result
    result.closes = sum(
        1
        for external_id, status in stored.items()
        if status != Vacancy.Status.CLOSED and external_id not in listed
    )
    return result


def vacancy_import_history(*, user: AnyUser) -> QuerySet[VacancyImport]:
    """Imports of every source into the user's districts, newest first, with the district and
    who started them; never the stored file."""
    return (
        access.vacancy_imports_visible_to(user)
        .select_related("district", "started_by")
        .defer("content")
        .order_by("-started_at", "-pk")
    )
