"""Career events: the public calendar and feed, an event's page, publishing, registering
pupils, attendance, cancelling a registration and a pupil's feedback."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from icalendar import Calendar
from icalendar import Event as CalendarEvent

from guidance.forms.events import (
    MONTH,
    PAST,
    AttendanceForm,
    EventFilterForm,
    EventForm,
    FeedbackForm,
    RegistrationForm,
    parse_month,
)
from guidance.models import Event
from guidance.selectors import events as selectors
from guidance.services import events as services
from resource_center import access, audit
from resource_center.lib.urls import safe_next

PAGE_SIZE = 20
WEEKDAYS = (
    gettext_lazy("Пн"),
    gettext_lazy("Вт"),
    gettext_lazy("Ср"),
    gettext_lazy("Чт"),
    gettext_lazy("Пт"),
    gettext_lazy("Сб"),
    gettext_lazy("Вс"),
)


def _query(params: dict[str, Any]) -> str:
    """A query string of the non-empty parameters ("" when there are none)."""
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return f"?{query}" if query else ""


def _closed_reason(event: Event) -> str | None:
    """Why nobody can be registered any more, or None while registration is open."""
    if event.is_cancelled:
        return str(services.EVENT_CANCELLED)
    if event.starts_at <= timezone.now():
        return str(services.EVENT_STARTED)
    return None


# --- the calendar and the feed --------------------------------------------------------


@login_not_required
@require_safe
def event_list(request: HttpRequest) -> HttpResponse:
    filters = EventFilterForm(request.GET)
    notices: list[str] = []
    if not filters.is_valid():
        notices.append(_("Некоторые условия отбора указаны неверно и не применены."))
    values = filters.cleaned_data
    kind, grade = values.get("kind") or None, values.get("grade")
    keep = {"kind": kind, "grade": grade}
    context: dict[str, Any] = {
        "filters": filters,
        "notices": notices,
        "list_url": _query(keep),
        "month_url": _query({**keep, "view": MONTH}),
        "can_create": access.event_organisers_for(request.user).exists()
        if request.user.is_authenticated
        else False,
    }
    if request.GET.get("view") == MONTH:
        raw = request.GET.get("month", "")
        first = parse_month(raw) if raw else None
        if raw and first is None:
            notices.append(_("Месяц указан неверно (нужно ГГГГ-ММ): показан текущий месяц."))
        first = first or timezone.localdate().replace(day=1)
        month = selectors.event_month_for(
            user=request.user, year=first.year, month=first.month, kind=kind, grade=grade
        )
        context |= {
            "view": MONTH,
            "month": month,
            "month_title": date_format(month.first, "F Y"),
            "weekdays": WEEKDAYS,
            "previous_url": _query({**keep, "view": MONTH, "month": f"{month.previous:%Y-%m}"}),
            "next_url": _query({**keep, "view": MONTH, "month": f"{month.next:%Y-%m}"}),
        }
        return render(request, "guidance/event_list.html", context)
    past = values.get("period") == PAST
    events = selectors.event_list_for(user=request.user, kind=kind, grade=grade, past=past)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    context |= {
        "view": "list",
        "page": page,
        "past": past,
        "upcoming_url": _query(keep),
        "past_url": _query({**keep, "period": PAST}),
    }
    return render(request, "guidance/event_list.html", context)


@login_not_required
@require_safe
def event_ical(request: HttpRequest) -> HttpResponse:
    calendar = Calendar.new(
        prodid="-//Resource centre portal//Career events//RU",
        name=_("Мероприятия ресурсного центра профориентации"),
    )
    for event in selectors.event_feed_for(user=request.user):
        details = [
            event.description,
            _("Организатор: %(name)s") % {"name": event.organiser.short_name},
            _("Для классов: %(low)s–%(high)s") % {"low": event.min_grade, "high": event.max_grade},
        ]
        calendar.add_component(
            CalendarEvent.new(
                uid=str(event.uuid),
                start=timezone.localtime(event.starts_at),
                end=timezone.localtime(event.ends_at),
                stamp=event.updated_at,
                last_modified=event.updated_at,
                summary=f"{event.get_kind_display()}: {event.title}",
                location=event.place,
                description="\n\n".join(part for part in details if part),
                categories=[str(event.get_kind_display())],
                url=request.build_absolute_uri(reverse("guidance:event_detail", args=[event.uuid])),
            )
        )
    calendar.add_missing_timezones()
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="events.ics"'
    return response


# --- an event -------------------------------------------------------------------------


@login_not_required
@require_safe
def event_detail(request: HttpRequest, uuid: UUID) -> HttpResponse:
    event = access.event_for(request.user, uuid)
    user = request.user
    can_manage = access.can_manage_event(user, event)
    can_register = access.can_register_pupils(user)
    registered = selectors.event_registered_count(event=event)
    context: dict[str, Any] = {
        "event": event,
        "interest_types": list(event.interest_types.select_related("questionnaire")),
        "seats_left": max(event.capacity - registered, 0),
        "closed_reason": _closed_reason(event),
        "started": event.starts_at <= timezone.now(),
        "can_manage": can_manage,
        "can_register": can_register,
        "figures": selectors.event_figures_for(event=event) if can_manage else None,
        "own_registrations": (
            selectors.own_registrations_for(user=user, event=event) if can_register else []
        ),
        "my_registration": (
            selectors.pupil_registration_for(user=user, event=event)
            if access.access_of(user).is_pupil
            else None
        ),
    }
    return render(request, "guidance/event_detail.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
def event_create(request: HttpRequest) -> HttpResponse:
    organisers = access.event_organisers_for(request.user)
    if not organisers.exists():
        raise PermissionDenied
    data = request.POST if request.method == "POST" else None
    form = EventForm(data, organisers=organisers)
    if data is not None and form.is_valid():
        try:
            event = services.event_create(
                data=form.event_data(),
                interest_types=form.cleaned_data["interest_types"],
                by=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Мероприятие опубликовано."))
            return redirect("guidance:event_detail", uuid=event.uuid)
    return render(request, "guidance/event_form.html", {"form": form, "event": None})


@require_http_methods(["GET", "HEAD", "POST"])
def event_update(request: HttpRequest, uuid: UUID) -> HttpResponse:
    event = access.event_for(request.user, uuid, manage=True)
    # The bound form writes typed values onto the instance; the page keeps the saved title.
    title = event.title
    data = request.POST if request.method == "POST" else None
    form = EventForm(
        data,
        instance=event,
        organisers=access.event_organisers_for(request.user),
        registered=selectors.event_registered_count(event=event),
    )
    if data is not None and form.is_valid():
        try:
            services.event_update(
                event=event,
                data=form.event_data(),
                interest_types=form.cleaned_data["interest_types"],
                by=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Изменения сохранены."))
            return redirect("guidance:event_detail", uuid=uuid)
    return render(
        request, "guidance/event_form.html", {"form": form, "event": event, "title": title}
    )


# --- registrations --------------------------------------------------------------------


def _int_param(value: str | None, low: int, high: int) -> int | None:
    try:
        number = int(value or "")
    except ValueError:
        return None
    return number if low <= number <= high else None


@require_http_methods(["GET", "HEAD", "POST"])
def event_register(request: HttpRequest, uuid: UUID) -> HttpResponse:
    event = access.event_for(request.user, uuid)
    if not access.can_register_pupils(request.user):
        raise PermissionDenied
    closed_reason = _closed_reason(event)
    grade = _int_param(request.GET.get("grade"), 1, 11)
    letter = " ".join(request.GET.get("letter", "").split())[:10]
    data = request.POST if request.method == "POST" else None
    form = RegistrationForm(
        data, students=selectors.registerable_students_for(user=request.user, event=event)
    )
    if data is not None:
        if closed_reason:
            messages.error(request, closed_reason)
            return redirect("guidance:event_detail", uuid=event.uuid)
        if form.is_valid():
            try:
                created = services.event_register(
                    event=event,
                    students=form.cleaned_data["students"],
                    by=request.user,
                    request=request,
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                if created:
                    messages.success(
                        request, _("Записано обучающихся: %(n)s.") % {"n": len(created)}
                    )
                else:
                    messages.info(request, _("Отмеченные обучающиеся уже записаны."))
                return redirect("guidance:event_detail", uuid=event.uuid)
    candidates = selectors.registration_candidates_for(
        user=request.user, event=event, grade=grade, letter=letter
    )
    rows, truncated = selectors.candidate_rows(candidates=candidates, event=event)
    registered = selectors.event_registered_count(event=event)
    return render(
        request,
        "guidance/registration_form.html",
        {
            "event": event,
            "form": form,
            "rows": rows,
            "truncated": truncated,
            "several_organisations": len({r.student.organisation_id for r in rows}) > 1,
            "ticked": set(data.getlist("students")) if data is not None else set(),
            "grade": grade,
            "letter": letter,
            "grades": range(1, 12),
            "seats_left": max(event.capacity - registered, 0),
            "closed_reason": closed_reason,
            "consent_labels": [
                selectors.consent_label(scope) for scope in event.required_consent_scopes
            ],
        },
    )


def _back(request: HttpRequest, default: str) -> str:
    return safe_next(request, request.POST.get("next", ""), default)


@require_POST
def registration_cancel(request: HttpRequest, uuid: UUID) -> HttpResponse:
    registration = access.registration_for(request.user, uuid)
    if not access.can_cancel_registration(request.user, registration):
        raise PermissionDenied
    name = registration.student.full_name
    try:
        services.registration_cancel(registration=registration, by=request.user, request=request)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, _("Запись отменена: %(name)s.") % {"name": name})
    return redirect(
        _back(request, reverse("guidance:event_detail", args=[registration.event.uuid]))
    )


@require_http_methods(["GET", "HEAD", "POST"])
def event_attendance(request: HttpRequest, uuid: UUID) -> HttpResponse:
    event = access.event_for(request.user, uuid, manage=True)
    rows, hidden = selectors.attendance_list_for(event=event)
    started = event.starts_at <= timezone.now()
    data = request.POST if request.method == "POST" else None
    form = AttendanceForm(data, registrations=rows)
    if data is not None and form.is_valid():
        try:
            changed = services.event_attendance_mark(
                event=event, marks=form.marks(), by=request.user, request=request
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Отметки сохранены. Изменено: %(n)s.") % {"n": changed})
            return redirect("guidance:event_attendance", uuid=event.uuid)
    audit.record_many(
        actor=request.user,
        action=audit.Action.VIEW,
        students=[r.student for r in rows],
        details=_("Список участников мероприятия «%(title)s»") % {"title": event.title},
        request=request,
    )
    return render(
        request,
        "guidance/event_attendance.html",
        {"event": event, "form": form, "hidden": hidden, "started": started},
    )


@require_http_methods(["GET", "HEAD", "POST"])
def feedback_create(request: HttpRequest, uuid: UUID) -> HttpResponse:
    registration = access.registration_for(request.user, uuid)
    if not access.can_leave_feedback(request.user, registration):
        raise PermissionDenied
    event = registration.event
    existing = selectors.feedback_of(registration=registration)
    blocked = None
    if existing is None:
        if event.is_cancelled:
            blocked = str(services.FEEDBACK_CANCELLED)
        elif event.starts_at > timezone.now():
            blocked = str(services.FEEDBACK_EARLY)
        elif registration.attended is False:
            blocked = str(services.FEEDBACK_ABSENT)
    data = request.POST if request.method == "POST" else None
    form = FeedbackForm(data)
    if data is not None:
        if existing is not None:
            messages.info(request, services.FEEDBACK_EXISTS)
            return redirect("guidance:feedback_create", uuid=registration.uuid)
        if blocked is None and form.is_valid():
            try:
                services.feedback_create(
                    registration=registration,
                    rating=form.cleaned_data["rating"],
                    comment=form.cleaned_data["comment"],
                    by=request.user,
                    request=request,
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Спасибо за отзыв!"))
                return redirect("guidance:feedback_create", uuid=registration.uuid)
    return render(
        request,
        "guidance/feedback_form.html",
        {
            "registration": registration,
            "event": event,
            "form": form,
            "existing": existing,
            "blocked": blocked,
        },
    )
