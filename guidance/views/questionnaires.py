"""Questionnaire pages: assigning by one-time codes, taking by code, paper entry, results."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from guidance.forms.questionnaires import (
    AnswersForm,
    AssignmentCreateForm,
    CodeEntryForm,
    PaperEntryForm,
)
from guidance.models import Assignment, Attempt, Questionnaire
from guidance.selectors import questionnaires as selectors
from guidance.services import questionnaires as services
from resource_center import access, audit
from resource_center.throttle import FailureThrottle
from students.models import Student

# Wrong codes typed or opened, per client address: 10 per 15 minutes.
code_throttle = FailureThrottle(scope="questionnaire-code")

BATCHES_PER_PAGE = 30


# --- assigning -----------------------------------------------------------------------


def _student_param(request: HttpRequest) -> Student:
    """The pupil of ?student=<uuid> among those the user edits; 404 for anything else."""
    raw = request.GET.get("student", "").strip()
    try:
        uuid = UUID(raw)
    except ValueError:
        raise Http404 from None
    return get_object_or_404(
        access.students_editable_by(request.user).select_related("organisation"), uuid=uuid
    )


@require_http_methods(["GET", "HEAD", "POST"])
def assignment_create(request: HttpRequest) -> HttpResponse:
    if not access.can_register_pupils(request.user):
        raise PermissionDenied
    student = _student_param(request) if "student" in request.GET else None
    has_consent = selectors.student_has_consent(student=student) if student else True
    targets = None if student else selectors.assignment_targets_for(user=request.user)
    data = request.POST if request.method == "POST" and has_consent else None
    form = AssignmentCreateForm(
        data, questionnaires=list(selectors.questionnaires_active()), targets=targets
    )
    if data is not None and form.is_valid():
        if student is not None:
            students, skipped = [student], []
            title = f"{student.full_name}, {student.class_name}"
        else:
            target = form.cleaned_data["target"]
            in_class = selectors.class_students_for(user=request.user, target=target)
            students = [s for s in in_class if s.has_consent]
            skipped = [s for s in in_class if not s.has_consent]
            title = target.class_name
        try:
            batch = services.assignment_batch_create(
                questionnaire=form.cleaned_data["questionnaire"],
                students=students,
                title=title,
                expires_at=form.expires_at(),
                by=request.user,
                request=request,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Анкета назначена. Кодов выдано: %(count)s.") % {"count": len(students)},
            )
            if skipped:
                messages.warning(
                    request,
                    _(
                        "Не получили код — нет действующего согласия родителя на обработку "
                        "персональных данных: %(count)s (%(names)s)."
                    )
                    % {
                        "count": len(skipped),
                        "names": ", ".join(s.full_name for s in skipped),
                    },
                )
            return redirect("guidance:assignment_detail", uuid=batch.uuid)
    return render(
        request,
        "guidance/assignment_form.html",
        {
            "form": form,
            "student": student,
            "has_consent": has_consent,
            "no_classes": targets == [],
        },
    )


@require_safe
def assignment_list(request: HttpRequest) -> HttpResponse:
    if not access.can_register_pupils(request.user):
        raise PermissionDenied
    paginator = Paginator(selectors.assignment_batches_for(user=request.user), BATCHES_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    return render(request, "guidance/assignment_list.html", {"page_obj": page})


@require_safe
def assignment_detail(request: HttpRequest, uuid: UUID) -> HttpResponse:
    batch = access.assignment_batch_for(request.user, uuid)
    rows = selectors.assignment_rows_for(batch=batch)
    audit.record_many(
        actor=request.user,
        action=audit.Action.VIEW,
        students=[row.student for row in rows],
        details=_("Список кодов анкеты «%(title)s»: %(batch)s")
        % {"title": batch.questionnaire.short_title, "batch": batch.title},
        request=request,
    )
    for row in rows:
        row.code_display = services.assignment_code_format(row.code)
        row.link = request.build_absolute_uri(
            reverse("guidance:questionnaire_take", kwargs={"code": row.code_display})
        )
    return render(
        request,
        "guidance/assignment_detail.html",
        {
            "batch": batch,
            "rows": rows,
            "done": sum(1 for row in rows if row.used_at),
            "expired": batch.is_expired(),
            "entry_url": request.build_absolute_uri(reverse("guidance:code_entry")),
        },
    )


# --- taking by code ------------------------------------------------------------------


def _too_many_attempts(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "guidance/code_blocked.html",
        {"window_minutes": code_throttle.window_minutes},
        status=429,
    )


@login_not_required
@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
def code_entry(request: HttpRequest) -> HttpResponse:
    if code_throttle.blocked(request):
        return _too_many_attempts(request)
    if request.method != "POST":
        return render(request, "guidance/code_entry.html", {"form": CodeEntryForm()})
    form = CodeEntryForm(request.POST)
    if form.is_valid():
        code = form.cleaned_data["code"]
        if selectors.assignment_by_code(code=code) is not None:
            return redirect(
                "guidance:questionnaire_take", code=services.assignment_code_format(code)
            )
        form.add_error("code", ValidationError(services.CODE_UNKNOWN, code="invalid"))
    if form.has_error("code", "invalid"):
        code_throttle.fail(request)
    return render(request, "guidance/code_entry.html", {"form": form})


def _unusable(request: HttpRequest, assignment: Assignment | None) -> HttpResponse | None:
    """The page for a code that cannot be used now, or None when it can."""
    if assignment is None:
        code_throttle.fail(request)
        return render(
            request,
            "guidance/code_unusable.html",
            {"reason": "unknown", "message": services.CODE_UNKNOWN},
            status=404,
        )
    batch = assignment.batch
    if assignment.used_at is not None:
        reason, message = "used", services.CODE_USED
    elif batch.is_expired():
        reason = "expired"
        message = services.CODE_EXPIRED % {
            "date": _date_time(batch.expires_at),
        }
    elif not assignment.has_consent:
        reason, message = "no_consent", services.CODE_NO_CONSENT
    else:
        return None
    return render(request, "guidance/code_unusable.html", {"reason": reason, "message": message})


def _date_time(value: Any) -> str:
    return timezone.localtime(value).strftime("%d.%m.%Y %H:%M")


@login_not_required
@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
def questionnaire_take(request: HttpRequest, code: str) -> HttpResponse:
    if code_throttle.blocked(request):
        return _too_many_attempts(request)
    normalised = services.assignment_code_normalise(code)
    assignment = (
        selectors.assignment_by_code(code=normalised)
        if services.assignment_code_is_well_formed(normalised)
        else None
    )
    refusal = _unusable(request, assignment)
    if refusal is not None:
        return refusal
    questionnaire = assignment.batch.questionnaire
    questions = selectors.questions_of(questionnaire=questionnaire)
    form = AnswersForm(request.POST if request.method == "POST" else None, questions=questions)
    if request.method == "POST" and form.is_valid():
        try:
            attempt = services.questionnaire_complete_by_code(
                code=normalised, option_ids=form.option_ids(), request=request
            )
        except services.CodeRefused:
            # Spent, expired or consent withdrawn between showing the form and now.
            assignment = selectors.assignment_by_code(code=normalised)
            return _unusable(request, assignment) or redirect(request.path)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            # Shown straight from the POST: the code is spent, and the result is not
            # reachable again by the code (never_cache keeps it out of caches).
            page = selectors.result_page_for(attempt=attempt)
            # The pupil without an account sees this result only, not earlier ones.
            page.chart = {**page.chart, "previous": None}
            return render(
                request,
                "guidance/result_done.html",
                {
                    "page": page,
                    "questionnaire": questionnaire,
                    "first_name": attempt.student.first_name,
                },
            )
    return render(
        request,
        "guidance/questionnaire_take.html",
        {
            "form": form,
            "questionnaire": questionnaire,
            "first_name": assignment.student.first_name,
            "expires_at": assignment.batch.expires_at,
        },
    )


# --- paper forms ---------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
def paper_entry(request: HttpRequest, uuid: UUID) -> HttpResponse:
    student = access.student_for(request.user, uuid, write=True)
    context: dict[str, Any] = {"student": student}
    if not selectors.student_has_consent(student=student):
        return render(request, "guidance/paper_entry.html", {**context, "no_consent": True})
    questionnaires = list(selectors.questionnaires_active())
    code = request.GET.get("q", "")
    questionnaire: Questionnaire | None = next((q for q in questionnaires if q.code == code), None)
    context |= {"questionnaires": questionnaires, "unknown": bool(code) and not questionnaire}
    if questionnaire is None:
        return render(request, "guidance/paper_entry.html", context)
    questions = selectors.questions_of(questionnaire=questionnaire)
    form = PaperEntryForm(request.POST if request.method == "POST" else None, questions=questions)
    if request.method == "POST" and form.is_valid():
        try:
            attempt = services.attempt_record(
                questionnaire=questionnaire,
                student=student,
                option_ids=form.option_ids(),
                source=Attempt.Source.PAPER,
                by=request.user,
                request=request,
                completed_at=form.completed_at(),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Ответы с бланка сохранены."))
            return redirect("guidance:result_detail", uuid=attempt.uuid)
    return render(
        request,
        "guidance/paper_entry.html",
        {**context, "questionnaire": questionnaire, "form": form},
    )


# --- results -------------------------------------------------------------------------


@require_safe
def result_detail(request: HttpRequest, uuid: UUID) -> HttpResponse:
    attempt = access.attempt_for(request.user, uuid)
    student = attempt.student
    # Without an active processing consent the school keeps no guidance data to show.
    if not selectors.student_has_consent(student=student):
        return render(
            request, "guidance/result_detail.html", {"attempt": attempt, "no_consent": True}
        )
    audit.record(
        actor=request.user,
        action=audit.Action.VIEW,
        student=student,
        details=_("Результат анкеты «%(title)s» от %(date)s")
        % {
            "title": attempt.questionnaire.short_title,
            "date": _date_time(attempt.completed_at),
        },
        request=request,
    )
    return render(
        request,
        "guidance/result_detail.html",
        {
            "attempt": attempt,
            "page": selectors.result_page_for(attempt=attempt),
            "can_edit": access.can_edit_student(request.user, student),
        },
    )
