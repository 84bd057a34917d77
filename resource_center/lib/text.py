"""Text normalisation shared by search and imports."""

from __future__ import annotations

import re


def fold(value: str) -> str:
    """Lower case with «ё» as «е»: how surnames are compared (students.models.folded in SQL)."""
    return value.strip().lower().replace("ё", "е")


_HEADER_JUNK = re.compile(r"[\W_]+")


def normalize_header(value: object) -> str:
    """«Дата рожд.» → «датарожд»: a column header compared without case, spaces,
    punctuation or «ё» (pupil lists and vacancy exports alike)."""
    if value is None:
        return ""
    return _HEADER_JUNK.sub("", fold(str(value)))


def megabytes(size: int) -> str:
    """10485760 → «10», 1572864 → «1,5»: a size as people read it, in MB."""
    return f"{size / (1024 * 1024):.1f}".removesuffix(".0").replace(".", ",")
