"""Reads of career events (being built)."""

from __future__ import annotations


def registrations_of_student(*, student):
    """The student's event registrations for the student page."""
    return []
