"""Giving and withdrawing guardians' consents (152-FZ), each scope on its own."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from employers.services.placements import placements_end_for_withdrawn_consent
from guidance.services.student_data import guidance_data_clear
from resource_center import audit
from students.models import Consent, Guardian, Student
from students.services.pupils import student_optional_data_clear

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser
    from django.http import HttpRequest

# Passing data on is only lawful while the data may be processed at all, so these scopes
# need an active processing consent and end together with it.
TRANSFER_SCOPES = (Consent.Scope.TRANSFER_TECHNIKUM, Consent.Scope.TRANSFER_EMPLOYERS)

ALREADY_ACTIVE = _(
    "Согласие «%(scope)s» уже действует. Чтобы записать новое, сначала отзовите прежнее."
)
TRANSFER_NEEDS_PROCESSING = _(
    "Согласие «%(scope)s» можно записать только при действующем согласии на обработку "
    "персональных данных. Сначала запишите его."
)
ALREADY_WITHDRAWN = _("Это согласие уже отозвано.")


def _lock_student(student: Student) -> None:
    # Consents of one student change one at a time: the scope rules read the active set
    # and then write, which two concurrent requests could otherwise both pass.
    Student.objects.select_for_update().filter(pk=student.pk).values_list("pk").get()


def _active_scopes(student: Student) -> set[str]:
    return set(Consent.objects.active().filter(student=student).values_list("scope", flat=True))


@transaction.atomic
def consent_give(
    *,
    student: Student,
    guardian: Guardian,
    scope: str,
    given_on: datetime.date,
    document_number: str = "",
    by: AbstractBaseUser,
    request: HttpRequest | None = None,
) -> Consent:
    """Record a guardian's consent to one scope; a transfer scope needs processing first."""
    if guardian.student_id != student.pk:
        raise ValueError("the guardian is not one of the student's guardians")
    _lock_student(student)
    active = _active_scopes(student)
    label = Consent.Scope(scope).label
    if scope in active:
        raise ValidationError(ALREADY_ACTIVE, code="active", params={"scope": label})
    if scope in TRANSFER_SCOPES and Consent.Scope.PROCESSING not in active:
        raise ValidationError(
            TRANSFER_NEEDS_PROCESSING, code="no_processing", params={"scope": label}
        )
    try:
        with transaction.atomic():
            consent = Consent.objects.create(
                student=student,
                guardian=guardian,
                scope=scope,
                given_on=given_on,
                document_number=document_number,
                recorded_by=by,
            )
    except IntegrityError as exc:  # consent_one_active_per_scope, on a database without locks
        raise ValidationError(ALREADY_ACTIVE, code="active", params={"scope": label}) from exc
    audit.record(
        actor=by,
        action=audit.Action.CONSENT_GIVEN,
        student=student,
        details=f"scope: {scope}",
        request=request,
    )
    return consent


@transaction.atomic
def consent_withdraw(
    *, consent: Consent, by: AbstractBaseUser, request: HttpRequest | None = None
) -> list[Consent]:
    """Withdraw at once; withdrawing processing also ends the transfers and clears optional data.

    Returns every consent withdrawn, the requested one first.
    """
    student = consent.student
    _lock_student(student)
    locked = Consent.objects.select_for_update().get(pk=consent.pk)
    if not locked.is_active:
        raise ValidationError(ALREADY_WITHDRAWN, code="withdrawn")
    withdrawn = [locked]
    if locked.scope == Consent.Scope.PROCESSING:
        withdrawn += list(
            Consent.objects.active()
            .select_for_update()
            .filter(student=student, scope__in=TRANSFER_SCOPES)
            .order_by("scope")
        )
    now = timezone.now()
    for item in withdrawn:
        item.withdrawn_at = now
        item.withdrawn_by = by
        item.save(update_fields=["withdrawn_at", "withdrawn_by"])
        details = f"scope: {item.scope}"
        if item is not locked:
            details += f"; with: {locked.scope}"
        audit.record(
            actor=by,
            action=audit.Action.CONSENT_WITHDRAWN,
            student=student,
            details=details,
            request=request,
        )
    consent.withdrawn_at, consent.withdrawn_by = now, by
    if locked.scope == Consent.Scope.PROCESSING:
        student_optional_data_clear(student=student, by=by, request=request)
    scopes = [item.scope for item in withdrawn]
    guidance_data_clear(student=student, scopes=scopes, by=by, request=request)
    placements_end_for_withdrawn_consent(student=student, scopes=scopes, by=by, request=request)
    return withdrawn
