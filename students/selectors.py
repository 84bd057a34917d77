"""Reads of students shaped for their pages."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.core.paginator import Page, Paginator
from django.db.models import OuterRef, Prefetch, QuerySet, Subquery, prefetch_related_objects

from employers.models import Placement
from guidance.models import Attempt
from resource_center import access
from resource_center.models import Organisation
from students.importers.checked import open_checked
from students.importers.matching import existing_pupils, match_pupil
from students.importers.pupils import Columns, PupilListError, PupilRow
from students.models import Consent, Guardian, PupilImport, Student, held_scopes

# What the list and the export show; the ОВЗ flag and notes are never among them.
LIST_FIELDS = (
    "uuid",
    "last_name",
    "first_name",
    "patronymic",
    "birth_date",
    "grade",
    "class_letter",
    "academic_year",
    "path_after_9",
    "path_after_11",
    "organisation__short_name",
)
EXPORT_FIELDS = (*LIST_FIELDS, "sex", "phone", "email")


def student_list_for(*, user: AbstractBaseUser) -> QuerySet[Student]:
    """Visible enrolled students of every year with ``has_consent`` (processing), their
    latest questionnaire result (``latest_result``, ``latest_questionnaire``: subqueries)
    and their organisation (one JOIN), by class and name; StudentFilter narrows it to one
    year."""
    latest = Attempt.objects.filter(student=OuterRef("pk")).order_by("-completed_at", "-pk")
    return (
        access.students_visible_to(user)
        .filter(is_active=True)
        .annotate_consent()
        .annotate(
            latest_result=Subquery(latest.values("result_code")[:1]),
            latest_questionnaire=Subquery(latest.values("questionnaire__short_title")[:1]),
        )
        .select_related("organisation")
        .only(*LIST_FIELDS)
        .order_by("grade", "class_letter", "last_name", "first_name", "patronymic", "pk")
    )


def student_years_for(*, user: AbstractBaseUser) -> list[int]:
    """The academic years in which the user sees enrolled students (one query)."""
    return list(
        access.students_visible_to(user)
        .filter(is_active=True)
        .order_by()
        .values_list("academic_year", flat=True)
        .distinct()
    )


def student_export_rows_for(*, students: QuerySet[Student]) -> QuerySet[Student]:
    """The filtered list narrowed to students with an active processing consent (152-FZ),
    with the contact fields the export writes, by organisation, class and name."""
    return (
        students.filter(has_consent=True)
        .only(*EXPORT_FIELDS)
        .order_by(
            "organisation__short_name", "grade", "class_letter", "last_name", "first_name", "pk"
        )
    )


def student_detail_for(*, student: Student) -> Student:
    """The student as ``access.student_for`` fetched it (with organisation and programme),
    with guardians, consents (with who gave, recorded and withdrew them), placements (with
    the employer) and, under an active processing consent (without it they are not shown),
    achievements prefetched onto it: one query each, the student's row is not read again."""
    prefetch_related_objects(
        [student],
        Prefetch("guardians", queryset=Guardian.objects.order_by("relation", "last_name")),
        Prefetch(
            "consents",
            queryset=Consent.objects.select_related("guardian", "recorded_by", "withdrawn_by"),
        ),
        Prefetch("placements", queryset=Placement.objects.select_related("place__employer")),
    )
    if Consent.Scope.PROCESSING in held_scopes(student.consents.all()):
        prefetch_related_objects([student], "achievements")
    return student


def student_has_consent(*, student: Student, scope: str = Consent.Scope.PROCESSING) -> bool:
    """Whether an active consent of the scope exists (processing: data beyond what the
    school must keep may be stored, 152-FZ)."""
    return Consent.objects.active().filter(student=student, scope=scope).exists()


# --- pupil-list imports ---------------------------------------------------------------

PREVIEW_PAGE_SIZE = 200


@dataclass
class PreviewRow:
    row: PupilRow
    is_update: bool
    contacts_dropped: bool  # phone or e-mail given but not kept: no consent on record


@dataclass
class PreviewPage:
    """One page of a previewed list and the summary of the whole list."""

    page: Page
    rows: list[PreviewRow]
    columns: Columns | None
    new: int = 0
    updates: int = 0
    contacts_dropped: int = 0
    ignored_columns: list[str] = field(default_factory=list)


def pupil_import_preview_page(
    *, pupil_import: PupilImport, page_number: str | int | None, only_errors: bool = False
) -> PreviewPage:
    """One page of checked rows (200) and the new/update summary of the list (2 queries)."""
    count = pupil_import.rows_invalid if only_errors else pupil_import.rows_total
    page = Paginator(range(count), PREVIEW_PAGE_SIZE).get_page(page_number)
    result = PreviewPage(page=page, rows=[], columns=None)
    if pupil_import.status != PupilImport.Status.PREVIEW or not count:
        return result
    first, last = page.start_index() - 1, page.end_index()
    existing = existing_pupils(pupil_import.organisation, pupil_import.academic_year)
    position = 0
    try:
        with open_checked(
            bytes(pupil_import.content), academic_year=pupil_import.academic_year
        ) as checked:
            result.columns = checked.columns
            result.ignored_columns = checked.columns.ignored
            for row in checked.rows():
                match = None if row.errors else match_pupil(existing, row)
                dropped = bool(row.phone or row.email) and not (match and match.has_consent)
                if not row.errors:
                    if match:
                        result.updates += 1
                    else:
                        result.new += 1
                    result.contacts_dropped += dropped
                if only_errors and not row.errors:
                    continue
                if first <= position < last:
                    result.rows.append(PreviewRow(row.to_pupil_row(), match is not None, dropped))
                position += 1
    except PupilListError:
        # Rows that were readable at upload and no longer are (a damaged store, or older
        # content read under newer rules) show as an empty page rather than an error page.
        result.rows = []
    return result


def pupil_import_history(*, schools: list[Organisation]) -> QuerySet[PupilImport]:
    """Imports into these schools, newest first, with school and uploader; never the file."""
    return (
        PupilImport.objects.filter(organisation__in=schools)
        .select_related("organisation", "uploaded_by")
        .defer("content")
        .order_by("-created_at", "-pk")
    )
