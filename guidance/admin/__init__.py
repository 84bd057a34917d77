"""The coordinator's admin of career guidance: questionnaires, professions, events."""

from guidance.admin import events, professions, questionnaires  # noqa: F401 (registers)
