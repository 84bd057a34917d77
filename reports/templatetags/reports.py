"""Cells of report tables as the page shows them."""

from __future__ import annotations

from typing import Any

from django import template

from reports.exports import cell_text
from reports.registry import HIDDEN, SUPPRESSED, Column

register = template.Library()


@register.filter
def cell(row: dict[str, Any], column: Column) -> str:
    """The cell of a row: «< 5» for a hidden count, «—» for nothing to show."""
    return cell_text(row.get(column.key))


@register.filter
def hidden_kind(row: dict[str, Any], column: Column) -> str:
    """«small» for a count from 1 to 4, «derived» for one hidden to protect it, else ""."""
    value = row.get(column.key)
    if value is SUPPRESSED:
        return "small"
    if value is HIDDEN:
        return "derived"
    return ""
