"""The audit trail of personal-data access: every view or change of a student's data."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

from resource_center.models import AuditEntry

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    from students.models import Student

Action = AuditEntry.Action


def record(
    *,
    actor: AbstractBaseUser,
    action: str,
    student: Student | None = None,
    subject: str = "",
    details: str = "",
    request: HttpRequest | None = None,
) -> AuditEntry:
    """Write one audit row; the subject defaults to the student's name so it outlives the row."""
    return AuditEntry.objects.create(
        actor=actor,
        action=action,
        student=student,
        subject=(subject or (student.full_name if student else ""))[:300],
        details=details[:500],
        path=(request.get_full_path() if request else "")[:500],
    )
