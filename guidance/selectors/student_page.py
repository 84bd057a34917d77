"""What the student page shows of career guidance: results, events, recommendations."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from guidance.recommendations import recommendations_for
from guidance.selectors.events import registrations_of_student
from guidance.selectors.questionnaires import attempts_of_student
from students.models import Consent, Student


@dataclass
class StudentGuidance:
    attempts: Any
    registrations: Any
    recommendations: Any


def student_guidance_for(
    *, student: Student, consents: Iterable[Consent] | None = None
) -> StudentGuidance:
    """Each part in a fixed number of queries, whatever the student's history; the
    student's consents, when the page has them already, are not read again."""
    return StudentGuidance(
        attempts=attempts_of_student(student=student),
        registrations=registrations_of_student(student=student),
        recommendations=recommendations_for(student=student, consents=consents),
    )
