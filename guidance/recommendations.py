"""Recommendations for a pupil (being built)."""

from __future__ import annotations


def recommendations_for(*, student):
    return []
