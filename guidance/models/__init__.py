"""Career guidance: questionnaires and their results, professions, career events."""

from guidance.models.events import Event, Feedback, Registration
from guidance.models.professions import Profession
from guidance.models.questionnaires import (
    Answer,
    Assignment,
    AssignmentBatch,
    Attempt,
    AttemptScore,
    Band,
    Option,
    Question,
    Questionnaire,
    Scale,
)

__all__ = [
    "Answer",
    "Assignment",
    "AssignmentBatch",
    "Attempt",
    "AttemptScore",
    "Band",
    "Event",
    "Feedback",
    "Option",
    "Profession",
    "Question",
    "Questionnaire",
    "Registration",
    "Scale",
]
