"""The employment centre's uploaded CSV/XLSX exports: preview → commit or discard.

``vacancy_import_preview`` checks the upload row by row (``labour.importers.czn``) and keeps
the file on a ``VacancyImport`` in status PREVIEW, saving no vacancy;
``vacancy_import_commit`` saves all its rows or none through the same upsert as «Работа
России» (``labour.services.imports.vacancies_import``), then maps the new vacancies to
professions; ``vacancy_import_discard`` drops the file. Each district's centre numbers its
vacancies on its own, so they are stored with the district's prefix (``centre_id_prefix``).
"""

from __future__ import annotations

from typing import IO, TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from employers.models import Vacancy
from labour.importers.czn import CznExportError, open_czn_export
from labour.models import VacancyImport
from labour.services.imports import vacancies_import
from labour.services.mapping import vacancies_map
from resource_center.lib.text import megabytes
from resource_center.models import District

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

DEFAULT_UPLOAD_MAX_BYTES = 10 * 1024 * 1024
MAP_CHUNK_SIZE = 1000  # external ids per query of the mapping after a commit


class VacancyUploadError(Exception):
    """An uploaded export cannot be previewed, saved or discarded; ``message`` is Russian."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def upload_max_bytes() -> int:
    """The largest export accepted (settings.VACANCY_IMPORT_MAX_BYTES, 10 MB by default)."""
    return int(getattr(settings, "VACANCY_IMPORT_MAX_BYTES", DEFAULT_UPLOAD_MAX_BYTES))


def centre_id_prefix(district: District) -> str:
    """How the district's centre numbers are stored as external ids: «<district id>:<number>».

    Each district's centre numbers its vacancies on its own, so two centres' «125» must be
    two vacancies; the prefix also tells which vacancies a district's export may close.
    """
    return f"{district.pk}:"


def centre_vacancies_of(district: District) -> QuerySet[Vacancy]:
    """Every vacancy (any status) the district's centre exports brought in."""
    return Vacancy.objects.filter(
        source=Vacancy.Source.EMPLOYMENT_CENTRE,
        external_id__startswith=centre_id_prefix(district),
    )


def _read_upload(file: IO[bytes]) -> bytes:
    limit = upload_max_bytes()
    data = file.read(limit + 1)
    if len(data) > limit:
        raise VacancyUploadError(
            _("Файл слишком большой: можно загрузить не более %(mb)s МБ.")
            % {"mb": megabytes(limit)}
        )
    if not data or data.isspace():
        raise VacancyUploadError(_("Файл пуст."))
    return data


@transaction.atomic
def vacancy_import_preview(
    *, file: IO[bytes], district: District, by: AbstractBaseUser
) -> VacancyImport:
    """Check an uploaded centre export row by row and keep it for the commit; no vacancy is
    saved. The file is kept as it came (``content``), with the counts of rows and of rows
    with errors."""
    data = _read_upload(file)
    total = invalid = 0
    try:
        with open_czn_export(data) as export:
            for record in export:
                total += 1
                invalid += bool(record.errors)
            file_format, encoding = export.file_format, export.encoding
    except CznExportError as exc:
        raise VacancyUploadError(exc.message) from exc
    if not total:
        raise VacancyUploadError(
            _("В выгрузке есть заголовки, но нет ни одной строки с вакансией.")
        )
    return VacancyImport.objects.create(
        source=Vacancy.Source.EMPLOYMENT_CENTRE,
        origin=(getattr(file, "name", "") or _("выгрузка центра занятости"))[:500],
        district=district,
        started_by=by,
        status=VacancyImport.Status.PREVIEW,
        file_format=file_format,
        encoding=encoding,
        content=data,
        rows_total=total,
        rows_invalid=invalid,
    )


def _previewed(vacancy_import: VacancyImport) -> VacancyImport:
    """The import locked for the rest of the transaction, if it still waits in preview."""
    locked = (
        VacancyImport.objects.select_for_update(of=("self",))
        .select_related("district")
        .get(pk=vacancy_import.pk)
    )
    if (
        locked.status != VacancyImport.Status.PREVIEW
        or locked.source != Vacancy.Source.EMPLOYMENT_CENTRE
        or locked.district is None
    ):
        raise VacancyUploadError(_("Эта выгрузка уже сохранена или отменена."))
    return locked


def vacancy_import_commit(*, vacancy_import: VacancyImport, by: AbstractBaseUser) -> VacancyImport:
    """Save every vacancy of a previewed centre export in one transaction, or none.

    Refused while any row has an error (the stored file is read and checked again: the
    counts are not what decides). The rows are upserted by ``vacancies_import`` as the
    source «Выгрузка центра занятости», keyed by the district's prefix and the centre's
    vacancy number, so uploading the same export again updates instead of adding. The
    export is taken as full: the vacancies earlier exports of this district's centre
    brought in and this one no longer lists are closed (those of other districts, of
    «Работа России» and those entered on the portal are left alone). After the commit the
    export's vacancies without a profession are mapped by the rules. The file is dropped.
    """
    try:
        with transaction.atomic():
            run, external_ids = _commit(vacancy_import=vacancy_import, by=by)
    except IntegrityError as exc:
        # Another import or user wrote the same employer or vacancy meanwhile: rolled back.
        raise VacancyUploadError(
            _(
                "Выгрузка не сохранена: за это время вакансии района изменились. "
                "Попробуйте сохранить её ещё раз."
            )
        ) from exc
    for start in range(0, len(external_ids), MAP_CHUNK_SIZE):
        vacancies_map(
            vacancies=Vacancy.objects.filter(
                source=Vacancy.Source.EMPLOYMENT_CENTRE,
                external_id__in=external_ids[start : start + MAP_CHUNK_SIZE],
            )
        )
    vacancy_import.refresh_from_db()
    return run


def _commit(*, vacancy_import: VacancyImport, by: AbstractBaseUser) -> tuple[VacancyImport, list]:
    locked = _previewed(vacancy_import)
    if locked.rows_invalid:
        raise VacancyUploadError(
            _("В выгрузке есть строки с ошибками: исправьте файл и загрузите его снова.")
        )
    district = locked.district
    try:
        with open_czn_export(bytes(locked.content)) as export:
            records = list(export)
    except CznExportError as exc:
        raise VacancyUploadError(exc.message) from exc
    wrong = next((r for r in records if r.errors), None)
    if wrong is not None:
        raise VacancyUploadError(
            _("Строка %(line)d: %(error)s Исправьте файл и загрузите его снова.")
            % {"line": wrong.line, "error": wrong.errors[0]}
        )
    if not records:
        raise VacancyUploadError(_("В выгрузке нет ни одной строки с вакансией."))
    prefix = centre_id_prefix(district)
    for record in records:
        record.external_id = prefix + record.file_id
    # The vacancies are saved; the file is not kept twice.
    locked.content = b""
    run = vacancies_import(
        records=records,
        source=Vacancy.Source.EMPLOYMENT_CENTRE,
        origin=locked.origin,
        district=district,
        by=by,
        close_missing=True,
        close_scope=centre_vacancies_of(district),
        run=locked,
    )
    if run.skipped_count:
        # Every row was checked above; a skipped one means the rules differ: save nothing.
        raise VacancyUploadError(run.errors or _("Выгрузка не сохранена."))
    return run, [r.external_id for r in records]


@transaction.atomic
def vacancy_import_discard(*, vacancy_import: VacancyImport, by: AbstractBaseUser) -> VacancyImport:
    """Drop a previewed centre export: the file is deleted, the history row stays."""
    locked = _previewed(vacancy_import)
    locked.status = VacancyImport.Status.DISCARDED
    locked.finished_at = timezone.now()
    locked.content = b""
    locked.save(update_fields=["status", "finished_at", "content"])
    vacancy_import.refresh_from_db()
    return locked
