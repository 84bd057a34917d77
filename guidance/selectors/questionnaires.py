"""Reads of questionnaires and their results (being built)."""

from __future__ import annotations


def attempts_of_student(*, student):
    """The student's questionnaire results for the student page."""
    return []
