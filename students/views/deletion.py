"""Requests to delete a pupil's personal data: from the parent's account or by the counsellor."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from resource_center import access
from students.models import DataDeletionRequest
from students.services import retention as services

# How the counts kept on a done request read on its page.
REMOVED_LABELS = {
    "records": gettext_lazy("записей за учебные годы"),
    "profiles": gettext_lazy("записей с профориентационными сведениями"),
    "achievements": gettext_lazy("достижений"),
    "questionnaire_results": gettext_lazy("результатов анкетирования"),
    "consents_withdrawn": gettext_lazy("отозвано согласий"),
    "special_needs": gettext_lazy("отметок об ОВЗ"),
    "pupil_accounts": gettext_lazy("учётных записей обучающегося отключено"),
    "guardians": gettext_lazy("родителей обезличено"),
    "parent_accounts": gettext_lazy("учётных записей родителей отключено"),
    "invitations": gettext_lazy("кодов приглашения"),
    "comments": gettext_lazy("комментариев и отзывов"),
}


@require_http_methods(["GET", "HEAD", "POST"])
def deletion_request(request: HttpRequest, uuid: UUID) -> HttpResponse:
    student = access.student_for(request.user, uuid)
    if not access.can_manage_consents(request.user, student):
        raise PermissionDenied
    if request.method == "POST":
        try:
            created = services.deletion_request_create(
                student=student, by=request.user, request=request
            )
        except ValidationError as exc:
            messages.info(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _(
                    "Запрос на удаление данных записан. Он будет исполнен не позднее "
                    "%(due)s; итог появится на этой странице."
                )
                % {"due": created.due_on.strftime("%d.%m.%Y")},
            )
        return redirect("students:deletion_request", uuid=student.uuid)
    rows = list(
        DataDeletionRequest.objects.filter(student=student).select_related(
            "requested_by", "done_by"
        )
    )
    today = timezone.localdate()
    return render(
        request,
        "students/datadeletionrequest_form.html",
        {
            "student": student,
            "requests": [
                {
                    "item": row,
                    "overdue": row.is_overdue(today),
                    "removed": [
                        (REMOVED_LABELS.get(key, key), value)
                        for key, value in row.removed.items()
                        if value
                    ],
                }
                for row in rows
            ],
            "can_request": not services.is_anonymised(student)
            and not any(row.done_at is None for row in rows),
            "days_allowed": DataDeletionRequest.DAYS_ALLOWED,
        },
    )
