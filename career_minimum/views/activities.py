"""Class activities of the career-guidance minimum: list, record for a class, correct."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from career_minimum import selectors_activities as selectors
from career_minimum import services
from career_minimum.forms import ActivityFilterForm, ActivityForm, ClassChoiceForm
from resource_center import access, audit
from resource_center.lib.urls import safe_next
from students.models import current_academic_year

PAGE_SIZE = 50


@require_safe
def activity_list(request: HttpRequest) -> HttpResponse:
    if not access.can_read_career_minimum(request.user):
        raise PermissionDenied
    year = current_academic_year()
    classes = selectors.school_classes(
        schools=access.career_schools_of(request.user), academic_year=year
    )
    filters = ActivityFilterForm(request.GET, classes=classes)
    activities = selectors.activity_list_for(
        activities=access.activities_visible_to(request.user),
        academic_year=year,
        **filters.filters(),
    )
    page = Paginator(activities, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "career_minimum/activity_list.html",
        {
            "page": page,
            "filters": filters,
            "year": year,
            "several_schools": len({c.school_id for c in classes}) > 1,
            "can_record": access.can_record_activities(request.user),
        },
    )


def _audit_list(request: HttpRequest, pupils: list, what: str) -> None:
    audit.record_many(
        actor=request.user,
        action=audit.Action.VIEW,
        students=pupils,
        details=what,
        request=request,
    )


@require_http_methods(["GET", "HEAD", "POST"])
def activity_create(request: HttpRequest) -> HttpResponse:
    if not access.can_record_activities(request.user):
        raise PermissionDenied
    year = current_academic_year()
    classes = selectors.school_classes(
        schools=access.career_schools_of(request.user, record=True), academic_year=year
    )
    source = request.POST if request.method == "POST" else request.GET
    chooser = ClassChoiceForm(
        {"school_class": source["school_class"]} if source.get("school_class") else None,
        classes=classes,
    )
    if not chooser.is_valid():
        # First step (or a class that no longer has pupils): choose the class.
        return render(
            request,
            "career_minimum/activity_form.html",
            {"chooser": chooser, "classes": classes, "year": year, "form": None},
        )
    school_class = chooser.cleaned_data["school_class"]
    pupils = selectors.class_pupils(
        school=school_class.school_id,
        academic_year=year,
        grade=school_class.grade,
        class_letter=school_class.class_letter,
    )
    listed = list(pupils)
    form = ActivityForm(request.POST if request.method == "POST" else None, pupils=listed)
    if request.method == "POST" and form.is_valid():
        school = access.career_schools_of(request.user, record=True).get(pk=school_class.school_id)
        try:
            activity = services.activity_record(
                school=school,
                academic_year=year,
                grade=school_class.grade,
                class_letter=school_class.class_letter,
                absent=form.cleaned_data["absent"],
                by=request.user,
                request=request,
                **form.activity_data(),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            absent = len(form.cleaned_data["absent"])
            messages.success(
                request,
                _("Занятие внесено для %(name)s: отсутствовали %(absent)s.")
                % {"name": school_class.name, "absent": absent},
            )
            return redirect("career_minimum:activity_detail", uuid=activity.uuid)
    _audit_list(
        request,
        listed,
        _("Список класса %(name)s для занятия профминимума") % {"name": school_class.name},
    )
    return render(
        request,
        "career_minimum/activity_form.html",
        {
            "chooser": chooser,
            "classes": classes,
            "year": year,
            "form": form,
            "school_class": school_class,
            "pupils": listed,
            "checked": set(form["absent"].value() or []),
        },
    )


def _can_manage(request: HttpRequest, school_id: int) -> bool:
    return access.career_schools_of(request.user, record=True).filter(pk=school_id).exists()


@require_safe
def activity_detail(request: HttpRequest, uuid: UUID) -> HttpResponse:
    activity = access.activity_for(request.user, uuid)
    participants = selectors.activity_participants(activity=activity)
    _audit_list(
        request,
        [p.student for p in participants],
        _("Участники занятия профминимума %(date)s, %(name)s")
        % {"date": date_format(activity.held_on, "d.m.Y"), "name": _class(activity)},
    )
    return render(
        request,
        "career_minimum/activity_detail.html",
        {
            "activity": activity,
            "class_name": _class(activity),
            "participants": participants,
            "present": sum(p.attended for p in participants),
            "can_manage": _can_manage(request, activity.school_id),
        },
    )


def _class(activity) -> str:
    return f"{activity.grade}{activity.class_letter}"


@require_http_methods(["GET", "HEAD", "POST"])
def activity_update(request: HttpRequest, uuid: UUID) -> HttpResponse:
    activity = access.activity_for(request.user, uuid, manage=True)
    form = ActivityForm(request.POST if request.method == "POST" else None, activity=activity)
    if request.method == "POST" and form.is_valid():
        try:
            services.activity_update(activity=activity, by=request.user, **form.activity_data())
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Изменения сохранены."))
            return redirect("career_minimum:activity_detail", uuid=activity.uuid)
    return render(
        request,
        "career_minimum/activity_form.html",
        {"form": form, "activity": activity, "class_name": _class(activity)},
    )


ATTENDED_VALUES = {"1": True, "0": False}


@require_POST
def participation_toggle(request: HttpRequest, uuid: UUID) -> HttpResponse:
    participation = access.participation_for(request.user, uuid)
    back = safe_next(
        request,
        request.POST.get("next", ""),
        reverse("career_minimum:activity_detail", args=[participation.activity.uuid]),
    )
    attended = ATTENDED_VALUES.get(request.POST.get("attended", ""))
    if attended is None:
        messages.error(
            request, _("Не указано, присутствовал обучающийся или нет: ничего не изменено.")
        )
        return redirect(back)
    services.participation_toggle(
        participation=participation, attended=attended, by=request.user, request=request
    )
    name = participation.student.full_name
    if attended:
        messages.success(request, _("%(name)s: отмечено присутствие.") % {"name": name})
    else:
        messages.success(request, _("%(name)s: отмечено отсутствие.") % {"name": name})
    return redirect(back)
