"""Vacancy imports: upsert a source's records into the district's vacancies, all or nothing.

``vacancies_import`` reads the records (a streaming reader or any iterable of
``VacancyRecord``) in chunks inside one transaction: a file found malformed or cut short
half-way raises, the transaction rolls back and nothing is changed; only the failed
``VacancyImport`` row is then written, to say what happened. Per chunk it costs a fixed
number of queries whatever the chunk's size: one for the chunk's existing vacancies, one
for employers by ИНН not yet known, a bulk insert of new employers, a bulk insert and a
bulk update of vacancies, one UPDATE of ``last_seen_at``. The district's employers are read
once, for matching by name.

The employment centre's CSV/XLSX exports go through the same upsert after a preview: see
``labour.services.uploads``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from employers.models import Vacancy
from labour.importers.trudvsem import TrudvsemFormatError, TrudvsemNetworkError, VacancyRecord
from labour.models import VacancyImport
from resource_center.models import District, Organisation
from resource_center.validators import validate_phone

if TYPE_CHECKING:
    import datetime

    from django.contrib.auth.models import AbstractBaseUser

# Records per round of queries; the query count of an import grows only with chunks.
CHUNK_SIZE = 1000
# Error lines kept on the VacancyImport row (the count of skipped records is always exact).
MAX_STORED_ERRORS = 200

# The vacancy columns an import writes; an existing vacancy is updated only when one differs.
IMPORTED_FIELDS = (
    "employer_id",
    "title",
    "okpdtr_code",
    "description",
    "requirements",
    "salary_from",
    "salary_to",
    "schedule",
    "employment_type",
    "education",
    "experience_years",
    "address",
    "sector",
    "work_places",
    "source_url",
    "status",
    "published_at",
    "closed_at",
)


class VacancyImportError(Exception):
    """The import failed as a whole and changed nothing; ``vacancy_import`` is the failed row."""

    def __init__(self, message: str, vacancy_import: VacancyImport) -> None:
        super().__init__(message)
        self.message = message
        self.vacancy_import = vacancy_import


class _DryRun(Exception):
    pass


def district_for_import(*, name: str | None = None, pk: int | None = None) -> District:
    """The district an import goes to: the one named (or with this id), else the only one."""
    districts = District.objects.all()
    if pk is not None:
        found = districts.filter(pk=pk).first()
        if found is None:
            raise LookupError(_("Района с номером %(pk)s нет.") % {"pk": pk})
        return found
    if name:
        found = districts.filter(name=name).first()
        if found is None:
            known = ", ".join(districts.values_list("name", flat=True)[:20])
            raise LookupError(
                _("Района «%(name)s» нет. Есть: %(known)s.")
                % {"name": name, "known": known or _("ни одного")}
            )
        return found
    only = list(districts[:2])
    if len(only) != 1:
        raise LookupError(
            _("Районов нет: сначала заполните справочник.")
            if not only
            else _("Районов несколько: укажите, в какой загружать (--district).")
        )
    return only[0]


@dataclass
class _Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    other_region: int = 0
    errors: list[str] = field(default_factory=list)

    def error(self, record: VacancyRecord, reason: str) -> None:
        self.skipped += 1
        if len(self.errors) < MAX_STORED_ERRORS:
            self.errors.append(
                _("%(label)s: %(reason)s.") % {"label": record.label, "reason": reason}
            )


def _norm_name(name: str) -> str:
    """Employer names compared the way people write them: case, «ё», quotes, spaces."""
    folded = name.lower().replace("ё", "е")
    folded = re.sub(r"[«»\"'“”„]", "", folded)
    return re.sub(r"\s+", " ", folded).strip()


class _Employers:
    """The employers matched so far: by ИНН (any district, ИНН is unique) and by the name of
    the district's employers (read once). New employers are created per chunk in bulk."""

    def __init__(self, district: District) -> None:
        self.district = district
        self.by_inn: dict[str, int] = {}
        self.by_name: dict[str, tuple[int, str]] = {}  # folded name → (id, inn)
        self.short_names: set[str] = set()
        rows = Organisation.objects.filter(district=district).values_list(
            "pk", "kind", "inn", "full_name", "short_name"
        )
        for pk, kind, inn, full_name, short_name in rows:
            if kind != Organisation.Kind.EMPLOYER:
                continue
            self.short_names.add(short_name)
            if inn:
                self.by_inn[inn] = pk
            for name in (full_name, short_name):
                self.by_name.setdefault(_norm_name(name), (pk, inn))

    def resolve(self, records: list[VacancyRecord]) -> dict[int, int]:
        """Employer id per record position, creating the missing employers in bulk."""
        unknown_inns = {r.employer_inn for r in records if r.employer_inn} - set(self.by_inn)
        if unknown_inns:
            # Any organisation with the ИНН (the technikum or a school hires too).
            for pk, inn in Organisation.objects.filter(inn__in=unknown_inns).values_list(
                "pk", "inn"
            ):
                self.by_inn[inn] = pk
        result: dict[int, int] = {}
        pending: dict[str, tuple[Organisation, list[int]]] = {}  # key → new employer
        pending_names: dict[str, str] = {}  # folded name → key in pending
        for record in records:
            if record.employer_inn and record.employer_inn in self.by_inn:
                result[record.position] = self.by_inn[record.employer_inn]
                continue
            name = record.employer_name or _("ИНН %(inn)s") % {"inn": record.employer_inn}
            folded = _norm_name(name)
            match = self.by_name.get(folded)
            # A namesake with another ИНН is another employer.
            if match and not (record.employer_inn and match[1] and match[1] != record.employer_inn):
                result[record.position] = match[0]
                continue
            # New in this chunk: the same ИНН, or the same name for a record without one.
            key = record.employer_inn or pending_names.get(folded) or f"name:{folded}"
            if key not in pending:
                pending[key] = (self._new_employer(record, name), [])
                pending_names.setdefault(folded, key)
            pending[key][1].append(record.position)
        if pending:
            created = Organisation.objects.bulk_create([org for org, _pos in pending.values()])
            for org, (_org, positions) in zip(created, pending.values(), strict=True):
                if org.inn:
                    self.by_inn[org.inn] = org.pk
                self.by_name.setdefault(_norm_name(org.full_name), (org.pk, org.inn))
                for position in positions:
                    result[position] = org.pk
        return result

    def _new_employer(self, record: VacancyRecord, name: str) -> Organisation:
        short_name = name[:200]
        if short_name in self.short_names:  # a namesake with another ИНН
            suffix = " " + _("(ИНН %(inn)s)") % {"inn": record.employer_inn}
            short_name = name[: 200 - len(suffix)] + suffix
        self.short_names.add(short_name)
        return Organisation(
            district=self.district,
            kind=Organisation.Kind.EMPLOYER,
            full_name=name[:500],
            short_name=short_name,
            inn=record.employer_inn,
            phone=_valid_phone(record.employer_phone),
            email=record.employer_email[:254] if "@" in record.employer_email else "",
            website=(
                record.employer_site[:200]
                if record.employer_site.startswith(("http://", "https://"))
                else ""
            ),
        )


def _valid_phone(phone: str) -> str:
    try:
        validate_phone(phone)
    except ValidationError:
        return ""
    return phone


def _chunks(records: Iterable[VacancyRecord], size: int) -> Iterator[list[VacancyRecord]]:
    iterator = iter(records)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _values(record: VacancyRecord, employer_id: int, now: datetime.datetime) -> dict[str, Any]:
    return {
        "employer_id": employer_id,
        "title": record.title,
        "okpdtr_code": record.okpdtr_code,
        "description": record.duty,
        "requirements": record.requirements,
        "salary_from": record.salary_from,
        "salary_to": record.salary_to,
        "schedule": record.schedule,
        "employment_type": record.employment_type,
        "education": record.education,
        "experience_years": record.experience_years,
        "address": record.address,
        "sector": record.sector,
        "work_places": record.work_places,
        "source_url": record.source_url,
        # A public source: its vacancies are published as they are, dated by their creation.
        "status": Vacancy.Status.PUBLISHED,
        "published_at": record.created_at or record.modified_at or now,
        "closed_at": None,
    }


def _import_chunk(
    chunk: list[VacancyRecord],
    *,
    source: str,
    region_code: str,
    employers: _Employers,
    seen: set[str],
    counts: _Counts,
    now: datetime.datetime,
) -> None:
    valid: list[VacancyRecord] = []
    for record in chunk:
        if record.error:
            counts.error(record, record.error)
        elif region_code and record.region_code and record.region_code != region_code:
            counts.skipped += 1
            counts.other_region += 1
        elif record.external_id in seen:
            counts.error(record, _("повторяет вакансию, уже прочитанную выше в файле"))
        else:
            seen.add(record.external_id)
            valid.append(record)
    if not valid:
        return
    existing = {
        v.external_id: v
        for v in Vacancy.objects.filter(
            source=source, external_id__in=[r.external_id for r in valid]
        ).only("pk", "external_id", *(f for f in IMPORTED_FIELDS if f != "employer_id"), "employer")
    }
    employer_ids = employers.resolve(valid)
    to_create: list[Vacancy] = []
    to_update: list[Vacancy] = []
    seen_pks: list[int] = []
    for record in valid:
        values = _values(record, employer_ids[record.position], now)
        vacancy = existing.get(record.external_id)
        if vacancy is None:
            to_create.append(
                Vacancy(source=source, external_id=record.external_id, last_seen_at=now, **values)
            )
            continue
        seen_pks.append(vacancy.pk)
        if (
            not (record.created_at or record.modified_at)
            and vacancy.status != Vacancy.Status.CLOSED
        ):
            # An undated record keeps its publication date: re-reading it changes nothing.
            values["published_at"] = vacancy.published_at or now
        changed = [name for name, value in values.items() if getattr(vacancy, name) != value]
        if changed:
            for name in changed:
                setattr(vacancy, name, values[name])
            to_update.append(vacancy)
        else:
            counts.unchanged += 1
    if to_create:
        Vacancy.objects.bulk_create(to_create, batch_size=CHUNK_SIZE)
        counts.created += len(to_create)
    if to_update:
        for vacancy in to_update:
            vacancy.updated_at = now
        Vacancy.objects.bulk_update(
            to_update, [*IMPORTED_FIELDS, "updated_at"], batch_size=CHUNK_SIZE
        )
        counts.updated += len(to_update)
    if seen_pks:
        Vacancy.objects.filter(pk__in=seen_pks).update(last_seen_at=now)


def vacancies_import(
    *,
    records: Iterable[VacancyRecord],
    source: str,
    origin: str,
    district: District,
    region_code: str = "",
    by: AbstractBaseUser | None = None,
    close_missing: bool = True,
    close_scope: QuerySet[Vacancy] | None = None,
    dry_run: bool = False,
    run: VacancyImport | None = None,
) -> VacancyImport:
    """Upsert ``records`` into ``district``'s vacancies by (source, external id); return the run.

    Everything happens in one transaction. A new vacancy is published with its creation
    date; an existing one is updated only when an imported field differs (a closed one
    that is back is published again); records with an error, repeated ids and vacancies of
    another region than ``region_code`` are skipped (the first ``MAX_STORED_ERRORS``
    reasons are kept). With ``close_missing`` (a full import), the source's open vacancies
    of the district's employers that the records did not list are closed — unless the
    reader says it stopped short (``records.complete`` is False). ``dry_run`` does it all
    and rolls back, returning the unsaved counts. ``close_scope`` narrows the vacancies a full
    import may close (by default every vacancy of the source whose employer is in the
    district). ``run`` is an existing row to complete (a previewed upload) instead of a
    new one. A malformed file raises
    ``VacancyImportError`` after rolling back, with the failed run stored; so does a
    network failure of the reader, re-raised as ``TrudvsemNetworkError`` for retries.
    """
    now = timezone.now()
    if run is None:
        run = VacancyImport(
            source=source,
            origin=origin[:500],
            district=district,
            region_code=region_code,
            started_by=by,
            status=VacancyImport.Status.RUNNING,
        )
    else:
        run.status = VacancyImport.Status.RUNNING
        if run.started_by_id is None:
            run.started_by = by
    counts = _Counts()
    try:
        with transaction.atomic():
            employers = _Employers(district)
            seen: set[str] = set()
            for chunk in _chunks(records, CHUNK_SIZE):
                _import_chunk(
                    chunk,
                    source=source,
                    region_code=region_code,
                    employers=employers,
                    seen=seen,
                    counts=counts,
                    now=now,
                )
            notes = list(getattr(records, "notes", []))
            complete = bool(getattr(records, "complete", True))
            if close_missing and complete:
                scope = (
                    Vacancy.objects.filter(source=source, employer__district=district)
                    if close_scope is None
                    else close_scope
                )
                run.closed_count = (
                    scope.exclude(status=Vacancy.Status.CLOSED)
                    .filter(Q(last_seen_at__isnull=True) | Q(last_seen_at__lt=now))
                    .update(status=Vacancy.Status.CLOSED, closed_at=now, updated_at=now)
                )
            if counts.other_region:
                notes.append(
                    _("Вакансий других регионов (не %(region)s) пропущено: %(n)d.")
                    % {"region": region_code, "n": counts.other_region}
                )
            run.status = VacancyImport.Status.DONE
            run.finished_at = timezone.now()
            run.created_count = counts.created
            run.updated_count = counts.updated
            run.unchanged_count = counts.unchanged
            run.skipped_count = counts.skipped
            run.errors = _errors_text(notes, counts)
            if dry_run:
                raise _DryRun
            run.save()
    except _DryRun:
        return run
    except TrudvsemFormatError as exc:
        _failed(run, exc.message, dry_run=dry_run)
        raise VacancyImportError(exc.message, run) from exc
    except TrudvsemNetworkError as exc:
        # Rolled back like a bad file; raised as it is, so a task can retry it.
        _failed(run, _("%(error)s Ничего не изменено.") % {"error": exc}, dry_run=dry_run)
        raise
    return run


def _failed(run: VacancyImport, message: str, *, dry_run: bool) -> None:
    run.status = VacancyImport.Status.FAILED
    run.finished_at = timezone.now()
    run.created_count = run.updated_count = run.unchanged_count = 0
    run.closed_count = run.skipped_count = 0
    run.errors = message
    if not dry_run:
        run.save()


def _errors_text(notes: list[str], counts: _Counts) -> str:
    lines = [*notes, *counts.errors]
    listed = len(counts.errors)
    errors_total = counts.skipped - counts.other_region
    if errors_total > listed:
        lines.append(_("… и ещё ошибок: %(n)d.") % {"n": errors_total - listed})
    return "\n".join(lines)
