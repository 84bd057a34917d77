"""Reads of students shaped for their pages."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Prefetch, QuerySet

from resource_center import access
from students.models import Consent, Guardian, Student


def student_list_for(*, user: AbstractBaseUser) -> QuerySet[Student]:
    """Visible current-year students with their organisation (one JOIN), by class and name."""
    return (
        access.students_visible_to(user)
        .current()
        .select_related("organisation")
        .only(
            "uuid",
            "last_name",
            "first_name",
            "patronymic",
            "birth_date",
            "grade",
            "class_letter",
            "organisation__short_name",
        )
        .order_by("organisation__short_name", "grade", "class_letter", "last_name", "first_name")
    )


def student_detail_for(*, student: Student) -> Student:
    """The student with guardians, consents (with their guardian) and placements prefetched."""
    return (
        Student.objects.filter(pk=student.pk)
        .select_related("organisation", "programme")
        .prefetch_related(
            Prefetch("guardians", queryset=Guardian.objects.order_by("relation", "last_name")),
            Prefetch("consents", queryset=Consent.objects.select_related("guardian")),
            "placements__place__employer",
        )
        .get()
    )
