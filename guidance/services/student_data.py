"""What a consent withdrawal removes from career guidance (152-FZ: it takes effect at once)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from guidance.models import Assignment, Attempt, Registration
from resource_center import audit
from students.models import TRANSFER_SCOPE_OF_KIND, Consent

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser
    from django.http import HttpRequest

    from students.models import Student

# Whose upcoming events a transfer consent lets a pupil's name reach.
_ORGANISER_KIND_OF_SCOPE = {scope: kind for kind, scope in TRANSFER_SCOPE_OF_KIND.items()}


@transaction.atomic
def guidance_data_clear(
    *,
    student: Student,
    scopes: Iterable[str],
    by: AbstractBaseUser,
    request: HttpRequest | None = None,
) -> list[str]:
    """Remove what the withdrawn consents covered; returns what was removed, for the audit.

    Processing: questionnaire results, unused questionnaire codes and registrations for
    upcoming events. A transfer: registrations for upcoming events of that kind of
    organiser. Attendance of events already held stays (it is a fact about the event).
    """
    scopes = set(scopes)
    removed: list[str] = []
    upcoming = Registration.objects.filter(student=student, event__starts_at__gt=timezone.now())
    if Consent.Scope.PROCESSING in scopes:
        count, _ = Attempt.objects.filter(student=student).delete()
        if count:
            removed.append("questionnaire results")
        count, _ = Assignment.objects.filter(student=student, used_at__isnull=True).delete()
        if count:
            removed.append("questionnaire codes")
    else:
        kinds = [_ORGANISER_KIND_OF_SCOPE[s] for s in scopes if s in _ORGANISER_KIND_OF_SCOPE]
        upcoming = (
            upcoming.filter(Q(event__organiser__kind__in=kinds)) if kinds else upcoming.none()
        )
    count, _ = upcoming.delete()
    if count:
        removed.append("registrations for upcoming events")
    if removed:
        audit.record(
            actor=by,
            action=audit.Action.DELETE,
            student=student,
            details=f"consent withdrawn, removed: {', '.join(removed)}",
            request=request,
        )
    return removed
