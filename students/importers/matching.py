"""Which of the school's stored pupils a row of a list stands for.

A row matches a pupil of the same school and academic year with the same ФИО and birth
date, compared folded (case and «ё»): the natural key of ``student_unique_person_per_year``.
The school's pupils of the year are read once into a map; matching is then pure Python.
"""

from __future__ import annotations

from typing import NamedTuple

from resource_center.lib.text import fold
from resource_center.models import Organisation
from students.importers.checked import CheckedRow, Key
from students.models import Student


class ExistingPupil(NamedTuple):
    """A stored pupil as an import compares it: names as stored, the fields a list may
    change, and whether a consent to processing is active."""

    pk: int
    names: tuple[str, str, str]
    grade: int
    class_letter: str
    sex: str
    phone: str
    email: str
    is_active: bool
    has_consent: bool


Existing = dict[Key, list[ExistingPupil]]


def existing_pupils(school: Organisation, academic_year: int) -> Existing:
    """The school's pupils of the year by folded natural key, with their consent (one query)."""
    found: Existing = {}
    rows = (
        Student.objects.filter(organisation=school, academic_year=academic_year)
        .annotate_consent()
        .values_list(
            "pk",
            "last_name",
            "first_name",
            "patronymic",
            "birth_date",
            "grade",
            "class_letter",
            "sex",
            "phone",
            "email",
            "is_active",
            "has_consent",
        )
    )
    for pk, last, first, patronymic, birth_date, *rest in rows.iterator(chunk_size=5000):
        key = (fold(last), fold(first), fold(patronymic), birth_date.isoformat())
        found.setdefault(key, []).append(ExistingPupil(pk, (last, first, patronymic), *rest))
    return found


def match_pupil(existing: Existing, row: CheckedRow) -> ExistingPupil | None:
    """The stored pupil a row stands for, or None for a new pupil."""
    if not existing:
        return None
    candidates = existing.get(row.key())
    if not candidates:
        return None
    if len(candidates) > 1:
        # «Ёлкин» and «Елкин» may both be stored: the exact spelling wins.
        names = (row.last_name, row.first_name, row.patronymic)
        for candidate in candidates:
            if candidate.names == names:
                return candidate
    return candidates[0]
