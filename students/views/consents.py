"""Recording and withdrawing consents: staff from the paper form, parents online."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from resource_center import access
from students.forms.consents import ConsentForm, ParentConsentForm
from students.models import Consent
from students.services import consents as services


@require_http_methods(["GET", "HEAD", "POST"])
def consent_create(request: HttpRequest, uuid: UUID) -> HttpResponse:
    student = access.student_for(request.user, uuid)
    if not access.can_manage_consents(request.user, student):
        raise PermissionDenied
    # Staff enter a signed paper form; a parent (who is not also staff of the student's
    # organisation) gives their own consent here, as themselves and dated today.
    own_guardian = (
        None
        if access.can_edit_student(request.user, student)
        else access.guardian_record_of(request.user, student)
    )
    data = request.POST if request.method == "POST" else None
    initial = {"scope": request.GET.get("scope")} if request.GET.get("scope") else None
    form: ConsentForm | ParentConsentForm
    if own_guardian is None:
        form = ConsentForm(data, initial=initial, student=student)
    else:
        form = ParentConsentForm(data, initial=initial)
    if data is not None and form.is_valid():
        values = form.cleaned_data
        try:
            consent = services.consent_give(
                student=student,
                guardian=own_guardian or values["guardian"],
                scope=values["scope"],
                given_on=timezone.localdate() if own_guardian else values["given_on"],
                document_number="" if own_guardian else values["document_number"],
                by=request.user,
                request=request,
            )
        except ValidationError as exc:
            form.add_error("scope", exc)
        else:
            messages.success(
                request,
                _("Согласие «%(scope)s» записано.") % {"scope": consent.get_scope_display()},
            )
            return redirect("students:student_detail", uuid=student.uuid)
    return render(
        request,
        "students/consent_form.html",
        {"student": student, "form": form, "own_guardian": own_guardian},
    )


@require_POST
def consent_withdraw(request: HttpRequest, uuid: UUID, consent_uuid: UUID) -> HttpResponse:
    student = access.student_for(request.user, uuid)
    if not access.can_manage_consents(request.user, student):
        raise PermissionDenied
    consent = get_object_or_404(Consent.objects.filter(student=student), uuid=consent_uuid)
    consent.student = student
    try:
        withdrawn = services.consent_withdraw(consent=consent, by=request.user, request=request)
    except ValidationError as exc:
        messages.info(request, " ".join(exc.messages))
        return redirect("students:student_detail", uuid=student.uuid)
    if consent.scope == Consent.Scope.PROCESSING:
        message = _(
            "Согласие на обработку персональных данных отозвано. Профориентационные сведения "
            "удалены; обучающийся больше не участвует в анкетировании, мероприятиях, "
            "рекомендациях и выгрузках."
        )
        if len(withdrawn) > 1:
            message += " " + _("Вместе с ним отозваны согласия на передачу данных: %(scopes)s.") % {
                "scopes": ", ".join(f"«{c.get_scope_display()}»" for c in withdrawn[1:])
            }
    else:
        message = _("Согласие «%(scope)s» отозвано.") % {"scope": consent.get_scope_display()}
    messages.success(request, message)
    return redirect("students:student_detail", uuid=student.uuid)
