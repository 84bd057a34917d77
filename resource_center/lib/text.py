"""Text normalisation shared by search and imports."""

from __future__ import annotations


def fold(value: str) -> str:
    """Lower case with «ё» as «е»: how surnames are compared (students.models.folded in SQL)."""
    return value.strip().lower().replace("ё", "е")
