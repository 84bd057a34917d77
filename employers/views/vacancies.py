"""Vacancies: a vacancy's page, publishing by employers and the employment centre,
moderation by the coordinator, and the employer's profile."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from employers.forms.vacancies import (
    EmployerProfileForm,
    TransitionForm,
    VacancyForm,
    VacancyManageFilterForm,
)
from employers.models import Vacancy
from employers.services import vacancies as services
from resource_center import access
from resource_center.lib.urls import safe_next
from resource_center.models import Organisation

PAGE_SIZE = 30
QUEUE_SIZE = 20
SUBMIT = "submit"
Status = Vacancy.Status


@dataclass(frozen=True)
class Action:
    to_status: str
    label: str
    style: str
    needs_comment: bool = False


# The button of each move in Vacancy.TRANSITIONS, in the order they are offered.
ACTIONS: dict[tuple[str, str], Action] = {
    (Status.DRAFT, Status.MODERATION): Action(
        Status.MODERATION, gettext_lazy("Отправить на модерацию"), "btn-primary"
    ),
    (Status.MODERATION, Status.PUBLISHED): Action(
        Status.PUBLISHED, gettext_lazy("Одобрить и опубликовать"), "btn-success"
    ),
    (Status.MODERATION, Status.DRAFT): Action(
        Status.DRAFT, gettext_lazy("Вернуть на доработку"), "btn-outline-danger", True
    ),
    (Status.PUBLISHED, Status.CLOSED): Action(
        Status.CLOSED, gettext_lazy("Снять с публикации"), "btn-outline-secondary"
    ),
    (Status.CLOSED, Status.DRAFT): Action(
        Status.DRAFT, gettext_lazy("Вернуть в черновики"), "btn-outline-primary"
    ),
}
DONE = {
    Status.MODERATION: gettext_lazy(
        "Вакансия отправлена на модерацию. Она появится в каталоге после проверки координатором."
    ),
    Status.PUBLISHED: gettext_lazy("Вакансия опубликована в каталоге."),
    Status.DRAFT: gettext_lazy("Вакансия возвращена в черновики."),
    Status.CLOSED: gettext_lazy("Вакансия снята с публикации."),
}
RETURNED = gettext_lazy("Вакансия возвращена на доработку: автор увидит ваши замечания.")


def _actions(vacancy: Vacancy, roles: set[str]) -> list[Action]:
    """The moves of the vacancy's current status that one of the user's roles owns."""
    return [
        action
        for (frm, to), action in ACTIONS.items()
        if frm == vacancy.status and Vacancy.TRANSITIONS[(frm, to)] in roles
    ]


def _moderation_queue(user: Any) -> QuerySet[Vacancy] | None:
    """Vacancies awaiting the user's moderation (the coordinator's district's employers),
    oldest first; None for a user who does not moderate. Mirrors the "moderator" role of
    access.vacancy_roles, which the service checks again on every decision."""
    if not access.can_moderate_vacancies(user):
        return None
    return (
        access.vacancies_moderated_by(user)
        .select_related("employer", "profession")
        .order_by("updated_at", "pk")
    )


def _submitting(request: HttpRequest) -> bool:
    return request.POST.get("action") == SUBMIT


def _safe_next(request: HttpRequest) -> str | None:
    return safe_next(request, request.POST.get("next", "")) or None


# --- a vacancy ------------------------------------------------------------------------


@login_not_required
@require_safe
def vacancy_detail(request: HttpRequest, uuid: UUID) -> HttpResponse:
    vacancy = access.vacancy_for(request.user, uuid)
    roles = access.vacancy_roles(request.user, vacancy) if request.user.is_authenticated else set()
    expired = vacancy.valid_until is not None and vacancy.valid_until < timezone.localdate()
    context = {
        "vacancy": vacancy,
        "is_publisher": "publisher" in roles,
        "is_manager": bool(roles),
        "actions": _actions(vacancy, roles),
        "expired": expired,
        "manage_url": reverse("employers:vacancy_manage"),
    }
    return render(request, "employers/vacancy_detail.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
def vacancy_create(request: HttpRequest) -> HttpResponse:
    if not access.can_publish_vacancies(request.user):
        raise PermissionDenied
    employers = access.organisations_managed_by(request.user, Organisation.Kind.EMPLOYER)
    data = request.POST if request.method == "POST" else None
    initial = {}
    if (chosen := request.GET.get("employer", "")).isdigit():
        initial["employer"] = int(chosen)
    form = VacancyForm(data, employers=employers, initial=initial)
    if data is not None and form.is_valid():
        try:
            vacancy = services.vacancy_create(
                data=form.vacancy_data(), by=request.user, submit=_submitting(request)
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if vacancy.status == Status.MODERATION:
                messages.success(request, DONE[Status.MODERATION])
            else:
                messages.success(
                    request,
                    _(
                        "Черновик вакансии сохранён. Чтобы её увидели в каталоге, отправьте "
                        "её на модерацию."
                    ),
                )
            return redirect("employers:vacancy_detail", uuid=vacancy.uuid)
    return render(request, "employers/vacancy_form.html", {"form": form, "vacancy": None})


@require_http_methods(["GET", "HEAD", "POST"])
def vacancy_update(request: HttpRequest, uuid: UUID) -> HttpResponse:
    vacancy = access.vacancy_for(request.user, uuid, manage=True)
    # The bound form writes the typed values onto the instance; the page keeps the saved ones.
    title, status = vacancy.title, vacancy.status
    status_label = vacancy.get_status_display()
    data = request.POST if request.method == "POST" else None
    form = VacancyForm(
        data,
        instance=vacancy,
        employers=access.organisations_managed_by(request.user, Organisation.Kind.EMPLOYER),
    )
    if data is not None and form.is_valid():
        try:
            saved = services.vacancy_update(
                vacancy=vacancy,
                data=form.vacancy_data(),
                by=request.user,
                submit=_submitting(request),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if saved.status == Status.MODERATION and status != Status.MODERATION:
                messages.success(request, DONE[Status.MODERATION])
            else:
                messages.success(request, _("Изменения сохранены."))
            return redirect("employers:vacancy_detail", uuid=uuid)
    return render(
        request,
        "employers/vacancy_form.html",
        {
            "form": form,
            "vacancy": vacancy,
            "title": title,
            "status": status,
            "status_label": status_label,
        },
    )


@require_POST
def vacancy_transition(request: HttpRequest, uuid: UUID) -> HttpResponse:
    vacancy = access.vacancy_for(request.user, uuid)
    roles = access.vacancy_roles(request.user, vacancy)
    if not roles:
        raise PermissionDenied
    back = redirect("employers:vacancy_detail", uuid=vacancy.uuid)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return back
    to_status, previous = form.cleaned_data["to_status"], vacancy.status
    try:
        services.vacancy_transition(
            vacancy=vacancy,
            to_status=to_status,
            by=request.user,
            roles=roles,
            comment=form.cleaned_data["comment"],
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return back
    if previous == Status.MODERATION and to_status == Status.DRAFT:
        messages.success(request, RETURNED)
    else:
        messages.success(request, DONE[to_status])
    target = _safe_next(request)
    return redirect(target) if target else back


# --- the publisher's list and the moderation queue ------------------------------------


@require_safe
def vacancy_manage(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not access.can_publish_vacancies(user):
        raise PermissionDenied
    employers = access.organisations_managed_by(user, Organisation.Kind.EMPLOYER)
    mine = Vacancy.objects.filter(employer__in=employers)
    filters = VacancyManageFilterForm(request.GET or None, employers=employers)
    notices: list[str] = []
    vacancies = mine.select_related("employer", "profession").order_by("-updated_at", "-pk")
    chosen_employer = None
    if filters.is_bound:
        if not filters.is_valid():
            notices.append(_("Некоторые условия отбора указаны неверно и не применены."))
        values = getattr(filters, "cleaned_data", {})
        if values.get("status"):
            vacancies = vacancies.filter(status=values["status"])
        if values.get("employer"):
            chosen_employer = values["employer"]
            vacancies = vacancies.filter(employer=chosen_employer)
    page = Paginator(vacancies, PAGE_SIZE).get_page(request.GET.get("page"))
    counts = dict(mine.values_list("status").annotate(n=Count("id")).order_by())
    queue = _moderation_queue(user)
    context: dict[str, Any] = {
        "filters": filters,
        "notices": notices,
        "page": page,
        "chosen_employer": chosen_employer,
        "counts": [(s, counts.get(s.value, 0)) for s in Status],
        "moderates": queue is not None,
        "manage_url": request.get_full_path(),
    }
    if queue is not None:
        context["queue_count"] = queue.count()
        context["queue"] = list(queue[:QUEUE_SIZE])
    return render(request, "employers/vacancy_manage.html", context)


# --- the employer's profile -----------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
def employer_profile(request: HttpRequest, pk: int) -> HttpResponse:
    employer = access.employer_for(request.user, pk)
    name = employer.short_name
    data = request.POST if request.method == "POST" else None
    form = EmployerProfileForm(data, instance=employer)
    if data is not None and form.is_valid():
        try:
            services.employer_profile_update(
                employer=employer, data=form.profile_data(), by=request.user
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Профиль работодателя сохранён."))
            return redirect("employers:employer_profile", pk=employer.pk)
    return render(
        request,
        "employers/employer_profile_form.html",
        {"form": form, "employer": employer, "name": name},
    )
