"""What the student page shows of career guidance: results, events, recommendations."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from guidance.recommendations import recommendations_for
from guidance.selectors.events import registrations_of_student
from guidance.selectors.questionnaires import attempts_of_student


@dataclass
class StudentGuidance:
    attempts: Any
    registrations: Any
    recommendations: Any


def student_guidance_for(*, student) -> StudentGuidance:
    """Each part in a fixed number of queries, whatever the student's history."""
    return StudentGuidance(
        attempts=attempts_of_student(student=student),
        registrations=registrations_of_student(student=student),
        recommendations=recommendations_for(student=student),
    )
