"""Reads of students shaped for their pages."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Prefetch, QuerySet

from employers.models import Placement
from resource_center import access
from students.models import Consent, Guardian, Student

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
    """Visible enrolled students of every year with ``has_consent`` (processing) and their
    organisation (one JOIN), by class and name; StudentFilter narrows it to one year."""
    return (
        access.students_visible_to(user)
        .filter(is_active=True)
        .annotate_consent()
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
    """The student with guardians, achievements, consents (with who gave, recorded and
    withdrew them) and placements (with the employer) prefetched: one query each."""
    return (
        Student.objects.filter(pk=student.pk)
        .select_related("organisation", "programme")
        .prefetch_related(
            Prefetch("guardians", queryset=Guardian.objects.order_by("relation", "last_name")),
            "achievements",
            Prefetch(
                "consents",
                queryset=Consent.objects.select_related("guardian", "recorded_by", "withdrawn_by"),
            ),
            Prefetch("placements", queryset=Placement.objects.select_related("place__employer")),
        )
        .get()
    )


def student_has_consent(*, student: Student, scope: str = Consent.Scope.PROCESSING) -> bool:
    """Whether an active consent of the scope exists (processing: data beyond what the
    school must keep may be stored, 152-FZ)."""
    return Consent.objects.active().filter(student=student, scope=scope).exists()
