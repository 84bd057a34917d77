"""Filters for showing figures in reports."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def count_or_hidden(value: int | None) -> str | int:
    """A count, or «менее 5» where selectors.suppress_small hid it."""
    return _("менее 5") if value is None else value
