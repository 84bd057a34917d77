"""Import of pupil lists: preview (the file read and checked once), commit (all or nothing).

The preview validates every row of the upload and keeps the checked rows, compressed, in
``PupilImport.content`` (``students.importers.checked``) instead of the file. The commit
reads those rows back, never anything posted; refuses the list if any row has an error;
matches the rows against the school's pupils of the year; and writes them in chunks
inside one transaction through ``resource_center.bulk`` (COPY on PostgreSQL), so memory
stays flat however long the list is: only the school's existing pupils are held as a map.
A worker thread reads, matches and encodes the next chunk while this one is written, so
the database is kept busy rather than waiting for Python between chunks.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from operator import itemgetter
from typing import IO, TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from resource_center.bulk import BulkInsert, PreparedRows, bulk_update, prefetch, uuid4_hex
from resource_center.lib.text import fold, megabytes
from resource_center.models import AuditEntry, Organisation
from students.importers.checked import CheckedRow, check_pupil_list, open_checked
from students.importers.matching import Existing, ExistingPupil, existing_pupils, match_pupil
from students.importers.pupils import PupilListError, open_pupil_list
from students.models import PupilImport, Student, current_academic_year

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser
    from django.http import HttpRequest

# Rows per write: COPY and the sort below pay off with thousands; memory stays bounded.
CHUNK_SIZE = 5000

CREATED_FIELDS = [
    "uuid",
    "last_name",
    "first_name",
    "patronymic",
    "last_name_folded",
    "birth_date",
    "grade",
    "class_letter",
    "sex",
]
UPDATED_FIELDS = [
    "last_name",
    "first_name",
    "patronymic",
    "last_name_folded",
    "grade",
    "class_letter",
    "sex",
    "phone",
    "email",
    "is_active",
    "updated_at",
]


def _fields_of_checked_row(*names: str) -> itemgetter:
    return itemgetter(*map(CheckedRow._fields.index, names))


# New pupils are written in the order of the natural-key index: each insert then lands
# next to the previous one in the (school, year, ФИО, birth date) and surname indexes.
_NATURAL_ORDER = _fields_of_checked_row("last_name", "first_name", "patronymic", "birth_date")
# What a new pupil's row gives, in this order.
_NEW_FIELDS = _fields_of_checked_row(
    "last_name", "first_name", "patronymic", "birth_date", "grade", "class_letter", "sex"
)


class PupilImportError(Exception):
    """The import cannot go on; ``message`` is for the counsellor."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class ImportCounts:
    created: int
    updated: int


def _read_upload(file: IO[bytes]) -> bytes:
    limit = settings.PUPIL_IMPORT_MAX_BYTES
    data = file.read(limit + 1)
    if len(data) > limit:
        raise PupilImportError(
            _("Файл слишком большой: можно загрузить не более %(mb)s МБ.")
            % {"mb": megabytes(limit)}
        )
    if not data or data.isspace():
        raise PupilImportError(_("Файл пуст."))
    return data


@transaction.atomic
def pupil_import_preview(
    *, file: IO[bytes], school: Organisation, by: AbstractBaseUser
) -> PupilImport:
    """Check an uploaded list row by row and keep the checked rows; no pupil is saved."""
    data = _read_upload(file)
    academic_year = current_academic_year()
    try:
        with open_pupil_list(data, academic_year=academic_year) as pupils:
            checked = check_pupil_list(pupils)
            file_format, encoding = pupils.file_format, pupils.encoding
    except PupilListError as exc:
        raise PupilImportError(exc.message) from exc
    if not checked.total:
        raise PupilImportError(_("В файле есть заголовки, но нет ни одной строки с обучающимися."))
    return PupilImport.objects.create(
        organisation=school,
        uploaded_by=by,
        file_name=(getattr(file, "name", "") or "")[:255],
        file_format=file_format,
        encoding=encoding,
        content=checked.content,
        academic_year=academic_year,
        rows_total=checked.total,
        rows_invalid=checked.invalid,
    )


def pupil_import_commit(
    *, pupil_import: PupilImport, by: AbstractBaseUser, request: HttpRequest | None = None
) -> ImportCounts:
    """Save every row of a previewed list in one transaction, or nothing if any row is wrong.

    Pupils already stored (same school, year, ФИО and birth date) are updated; phone and
    e-mail are kept only for pupils with an active consent to processing (152-FZ); a pupil
    the file changes nothing about is left as stored but still counted as updated. One
    audit row per created or updated pupil.
    """
    try:
        counts = _commit(pupil_import=pupil_import, by=by, request=request)
    except IntegrityError as exc:
        # Another user saved one of these pupils between our read and our write; the
        # transaction is rolled back as a whole.
        raise PupilImportError(
            _(
                "Список не сохранён: за это время данные обучающихся школы изменились. "
                "Загрузите файл ещё раз."
            )
        ) from exc
    pupil_import.refresh_from_db()
    return counts


@transaction.atomic
def _commit(
    *, pupil_import: PupilImport, by: AbstractBaseUser, request: HttpRequest | None
) -> ImportCounts:
    locked = (
        PupilImport.objects.select_for_update(of=("self",))
        .select_related("organisation")
        .get(pk=pupil_import.pk)
    )
    if locked.status != PupilImport.Status.PREVIEW:
        raise PupilImportError(_("Этот список уже сохранён или отменён."))
    if locked.rows_invalid:
        raise PupilImportError(
            _("В списке есть строки с ошибками: исправьте файл и загрузите его снова.")
        )
    school = locked.organisation
    year = locked.academic_year
    existing = existing_pupils(school, year)
    writer = _ChunkWriter(
        school=school,
        academic_year=year,
        by=by,
        request=request,
        file_name=locked.file_name,
    )
    try:
        with (
            open_checked(bytes(locked.content), academic_year=year) as checked,
            # The next chunk is read and prepared in a worker while this one is written;
            # closing() stops the worker before the rows it reads are closed.
            closing(prefetch(_chunks(checked.rows(), existing, writer))) as chunks,
        ):
            for chunk in chunks:
                if chunk.error:
                    # The counts said otherwise: they are not what decides.
                    raise PupilImportError(
                        _("Строка %(line)s: %(error)s Исправьте файл и загрузите его снова.")
                        % {"line": chunk.error.line, "error": chunk.error.error_list()[0]}
                    )
                writer.write(chunk)
    except PupilListError as exc:
        raise PupilImportError(exc.message) from exc
    if not writer.created and not writer.updated:
        raise PupilImportError(_("В списке нет ни одной строки с обучающимися."))

    locked.status = PupilImport.Status.COMMITTED
    locked.committed_at = timezone.now()
    locked.created_count = writer.created
    locked.updated_count = writer.updated
    # The pupils are saved; a second copy of their personal data is not kept.
    locked.content = b""
    locked.save(
        update_fields=["status", "committed_at", "created_count", "updated_count", "content"]
    )
    return ImportCounts(created=writer.created, updated=writer.updated)


@transaction.atomic
def pupil_import_discard(*, pupil_import: PupilImport, by: AbstractBaseUser) -> PupilImport:
    """Drop a previewed list: its stored rows are deleted, the history row stays."""
    locked = PupilImport.objects.select_for_update().get(pk=pupil_import.pk)
    if locked.status != PupilImport.Status.PREVIEW:
        raise PupilImportError(_("Этот список уже сохранён или отменён."))
    locked.status = PupilImport.Status.DISCARDED
    locked.content = b""
    locked.save(update_fields=["status", "content"])
    pupil_import.refresh_from_db()
    return locked


@dataclass
class _Chunk:
    """Up to CHUNK_SIZE rows, ready to write."""

    created: PreparedRows | None = None  # values of CREATED_FIELDS, prepared for insert
    created_names: list[str] = field(default_factory=list)  # their audit subjects
    updated: list[tuple] = field(default_factory=list)  # pk and values of UPDATED_FIELDS
    matched: PreparedRows | None = None  # audit rows (pk, subject) of every match
    error: CheckedRow | None = None  # the first row with an error: nothing is written


def _chunks(
    rows: Iterable[CheckedRow], existing: Existing, writer: _ChunkWriter
) -> Iterator[_Chunk]:
    """The rows matched, grouped and encoded for writing; no database, so it can run in a
    worker."""
    now = writer.now
    updated: list[tuple] = []
    matched: list[tuple[int, str]] = []
    new: list[CheckedRow] = []
    for row in rows:
        if row.errors:
            yield _Chunk(error=row)
            return
        match = match_pupil(existing, row)
        if match is None:
            new.append(row)
        else:
            changes = _changes(row, match, now)
            if changes:
                updated.append(changes)
            matched.append((match.pk, _full_name(row.last_name, row.first_name, row.patronymic)))
        if len(new) + len(matched) >= CHUNK_SIZE:
            yield _prepared(writer, new, updated, matched)
            updated, matched, new = [], [], []
    if new or matched:
        yield _prepared(writer, new, updated, matched)


def _changes(row: CheckedRow, match: ExistingPupil, now: datetime.datetime) -> tuple | None:
    """The pk and values of UPDATED_FIELDS for a stored pupil; None if the file changes nothing.

    Phone and e-mail come from the file only under an active consent (152-FZ); what the
    file leaves blank keeps its stored value.
    """
    keep = match.has_consent
    names = (row.last_name, row.first_name, row.patronymic)
    values = (
        int(row.grade),
        row.class_letter,
        row.sex or match.sex,
        (row.phone or match.phone) if keep else match.phone,
        (row.email or match.email) if keep else match.email,
    )
    stored = (match.grade, match.class_letter, match.sex, match.phone, match.email)
    # An unchanged pupil is not rewritten: each UPDATE costs a new row version and an entry
    # in every index of the table. It still counts as updated and gets its audit row.
    if match.is_active and names == match.names and values == stored:
        return None
    return (match.pk, *names, fold(row.last_name), *values, True, now)


def _prepared(
    writer: _ChunkWriter,
    new: list[CheckedRow],
    updated: list[tuple],
    matched: list[tuple[int, str]],
) -> _Chunk:
    new.sort(key=_NATURAL_ORDER)
    # Field by field (zip() turns the rows into columns): cheaper than a tuple per row.
    last, first, patronymic, birth_date, grade, class_letter, sex = (
        zip(*map(_NEW_FIELDS, new), strict=True) if new else ((),) * 7
    )
    # A new pupil has no consent yet, so no phone or e-mail is stored (152-FZ).
    created = list(
        zip(
            uuid4_hex(len(new)),
            last,
            first,
            patronymic,
            map(fold, last),
            birth_date,
            map(int, grade),
            class_letter,
            sex,
            strict=True,
        )
    )
    return _Chunk(
        created=writer.students.prepare(created),
        created_names=list(map(_full_name, last, first, patronymic)),
        updated=updated,
        matched=writer.audit.prepare(matched),
    )


class _ChunkWriter:
    """Writes chunks of pupils with their audit rows."""

    def __init__(
        self,
        *,
        school: Organisation,
        academic_year: int,
        by: AbstractBaseUser,
        request: HttpRequest | None,
        file_name: str,
    ) -> None:
        now = timezone.now()
        self.now = now
        self.students = BulkInsert(
            Student,
            Student(
                organisation=school, academic_year=academic_year, created_at=now, updated_at=now
            ),
            varying=CREATED_FIELDS,
        )
        details = _("Загрузка списка «%(file)s»") % {"file": file_name}
        # The fields resource_center.audit.record() writes (actor, action, student and its
        # organisation, subject, details, path, IP, time), without a model per row.
        self.audit = BulkInsert(
            AuditEntry,
            AuditEntry(
                at=now,
                actor=by,
                action=AuditEntry.Action.IMPORT,
                organisation_id=school.pk,
                details=details[:500],
                path=(request.get_full_path() if request else "")[:500],
                ip_address=(request.META.get("REMOTE_ADDR") or None) if request else None,
            ),
            varying=["student_id", "subject"],
            returning=False,
        )
        self.created = 0
        self.updated = 0

    def write(self, chunk: _Chunk) -> None:
        if chunk.created:
            ids = self.students.insert(chunk.created)
            self.audit.insert(list(zip(ids, chunk.created_names, strict=True)))
            self.created += len(ids)
        if chunk.updated:
            bulk_update(Student, UPDATED_FIELDS, chunk.updated)
        if chunk.matched:
            self.audit.insert(chunk.matched)
            self.updated += len(chunk.matched)


def _full_name(last: str, first: str, patronymic: str) -> str:
    return (f"{last} {first} {patronymic}" if patronymic else f"{last} {first}")[:300]
