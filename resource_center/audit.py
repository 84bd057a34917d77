"""The audit trail of personal-data access: every view or change of a student's data."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.http import HttpRequest

from resource_center.models import AuditEntry

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    from students.models import Student

Action = AuditEntry.Action


def _entry(
    *,
    actor: AbstractBaseUser,
    action: str,
    student: Student | None,
    subject: str,
    details: str,
    request: HttpRequest | None,
) -> AuditEntry:
    return AuditEntry(
        actor=actor,
        action=action,
        student=student,
        # Kept on the row so the school's part of the trail outlives a deleted student.
        organisation_id=student.organisation_id if student else None,
        subject=(subject or (student.full_name if student else ""))[:300],
        details=details[:500],
        path=(request.get_full_path() if request else "")[:500],
        ip_address=(request.META.get("REMOTE_ADDR") or None) if request else None,
    )


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
    entry = _entry(
        actor=actor,
        action=action,
        student=student,
        subject=subject,
        details=details,
        request=request,
    )
    entry.save()
    return entry


def record_many(
    *,
    actor: AbstractBaseUser,
    action: str,
    students: Iterable[Student],
    details: str = "",
    request: HttpRequest | None = None,
    batch_size: int = 1000,
) -> int:
    """One row per student in bulk (exports, imports); returns how many were written."""
    entries = [
        _entry(actor=actor, action=action, student=s, subject="", details=details, request=request)
        for s in students
    ]
    AuditEntry.objects.bulk_create(entries, batch_size=batch_size)
    return len(entries)
