"""Placements of technikum students to dual-training places and mentors' evaluations:
proposing a student, the list, a placement's page with its history and evaluations, its
moves between statuses and recording an evaluation."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from employers import selectors
from employers.forms.placements import (
    EvaluationForm,
    PlacementFilterForm,
    ProposalForm,
    TransitionForm,
)
from employers.models import Placement
from employers.services import placements as services
from resource_center import access, audit

PAGE_SIZE = 25
Status = Placement.Status

# The wording of each move on the placement's page.
MOVE_LABELS = {
    Status.AGREED: gettext_lazy("Согласовать"),
    Status.DECLINED: gettext_lazy("Отклонить"),
    Status.CONTRACT_SIGNED: gettext_lazy("Заключён ученический договор"),
    Status.ACTIVE: gettext_lazy("Начать обучение"),
    Status.COMPLETED: gettext_lazy("Завершить обучение"),
    Status.TERMINATED: gettext_lazy("Прекратить"),
}


def _messages_of(exc: ValidationError) -> list[str]:
    return [str(m) for m in exc.messages]


# --- proposing a student ----------------------------------------------------------------


def _blocked(candidates: list[Any], *, today: Any) -> dict[str, str]:
    """Why each candidate who cannot be proposed is left out, by UUID."""
    blocked = {}
    for student in candidates:
        if student.open_here:
            blocked[str(student.uuid)] = _("уже направлен(а) на это место")
            continue
        missing = services.consents_missing(
            student=student,
            active_scopes=selectors.active_scopes_of(student),
            today=today,
        )
        if missing:
            blocked[str(student.uuid)] = _("несовершеннолетний, нет согласия родителя: %(s)s") % {
                "s": services.scope_labels(missing)
            }
    return blocked


@require_http_methods(["GET", "HEAD", "POST"])
def placement_create(request: HttpRequest, uuid: UUID) -> HttpResponse:
    place = access.place_for(request.user, uuid)
    if not access.can_propose_to(request.user, place):
        raise PermissionDenied
    today = timezone.localdate()
    candidates_qs = selectors.proposal_candidates_for(place=place)
    candidates = list(candidates_qs)
    blocked = _blocked(candidates, today=today)
    closed = services.place_closed_reason(place, today=today)
    data = request.POST if request.method == "POST" else None
    form = ProposalForm(data, candidates=candidates_qs, blocked=blocked)
    if data is not None and closed is None and form.is_valid():
        try:
            placement = services.placement_propose(
                place=place,
                student=form.cleaned_data["student"],
                by=request.user,
                request=request,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("Студент предложен работодателю. Направление ждёт согласования."),
            )
            return redirect("employers:placement_detail", uuid=placement.uuid)
    # A closed place: the page says why in place of the form.
    return render(
        request,
        "employers/placement_form.html",
        {
            "place": place,
            "form": form,
            "closed": closed,
            "candidates": candidates,
            "blocked": [(s, blocked[str(s.uuid)]) for s in candidates if str(s.uuid) in blocked],
        },
    )


# --- the list ---------------------------------------------------------------------------


@require_safe
def placement_list(request: HttpRequest) -> HttpResponse:
    if not access.can_list_placements(request.user):
        raise PermissionDenied
    places, programmes = selectors.placement_filter_choices_for(user=request.user)
    filters = PlacementFilterForm(request.GET or None, places=places, programmes=programmes)
    values = filters.values() if request.GET else {}
    placements = selectors.placement_list_for(
        user=request.user,
        status=values.get("status") or None,
        place=values.get("place"),
        programme=values.get("programme"),
    )
    page = Paginator(placements, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "employers/placement_list.html",
        {
            "filters": filters,
            "filters_wrong": bool(request.GET) and bool(filters.errors),
            "page": page,
        },
    )


# --- one placement ----------------------------------------------------------------------


def _moves(placement: Placement, sides: set[str]) -> list[dict[str, Any]]:
    return [
        {
            "status": to,
            "label": MOVE_LABELS.get(to, Status(to).label),
            "needs_reason": to in Placement.NEEDS_REASON,
            "needs_contract": to == Status.CONTRACT_SIGNED,
            "danger": to in Placement.NEEDS_REASON,
        }
        for to in services.moves_for(status=placement.status, sides=sides)
    ]


@require_safe
def placement_detail(request: HttpRequest, uuid: UUID) -> HttpResponse:
    placement = access.placement_for(request.user, uuid)
    audit.record(
        actor=request.user,
        action=audit.Action.VIEW,
        student=placement.student,
        details=_("Направление на дуальное обучение"),
        request=request,
    )
    sides = access.placement_sides(request.user, placement)
    page = selectors.placement_page_for(placement=placement)
    can_evaluate = access.can_evaluate(request.user, placement)
    chart = {**page.chart, "label": _("Средняя отметка")}
    return render(
        request,
        "employers/placement_detail.html",
        {
            "placement": placement,
            "place": placement.place,
            "student": placement.student,
            "page": page,
            "moves": _moves(placement, sides),
            "transition_form": TransitionForm(),
            "can_evaluate": can_evaluate,
            "evaluable": placement.status in services.EVALUABLE,
            "chart": chart,
            "is_technikum": "technikum" in sides,
            "is_employer": "employer" in sides,
        },
    )


@require_POST
def placement_transition(request: HttpRequest, uuid: UUID) -> HttpResponse:
    placement = access.placement_for(request.user, uuid)
    sides = access.placement_sides(request.user, placement)
    if not sides:
        raise PermissionDenied
    form = TransitionForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("employers:placement_detail", uuid=placement.uuid)
    data = form.cleaned_data
    try:
        moved = services.placement_transition(
            placement=placement,
            to_status=data["to_status"],
            by=request.user,
            sides=sides,
            reason=data["reason"],
            contract_number=data["contract_number"],
            contract_date=data["contract_date"],
            request=request,
        )
    except ValidationError as exc:
        for message in _messages_of(exc):
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("Статус направления: «%(status)s».") % {"status": moved.get_status_display()},
        )
    return redirect("employers:placement_detail", uuid=placement.uuid)


# --- evaluations ------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
def evaluation_create(request: HttpRequest, uuid: UUID) -> HttpResponse:
    placement = access.placement_for(request.user, uuid)
    if not access.can_evaluate(request.user, placement):
        raise PermissionDenied
    if placement.status not in services.EVALUABLE:
        messages.error(
            request,
            services.NOT_EVALUABLE % {"status": placement.get_status_display()},
        )
        return redirect("employers:placement_detail", uuid=placement.uuid)
    competences = list(placement.place.programme.competences.all())
    data = request.POST if request.method == "POST" else None
    form = EvaluationForm(data, competences=competences, today=timezone.localdate())
    if data is not None and competences and form.is_valid():
        try:
            services.evaluation_record(
                placement=placement,
                by=request.user,
                evaluated_on=form.cleaned_data["evaluated_on"],
                hours_worked=form.cleaned_data["hours_worked"],
                marks=form.marks(),
                comment=form.cleaned_data["comment"],
                request=request,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Оценка сохранена."))
            return redirect("employers:placement_detail", uuid=placement.uuid)
    return render(
        request,
        "employers/evaluation_form.html",
        {
            "placement": placement,
            "place": placement.place,
            "student": placement.student,
            "form": form,
            "competences": competences,
        },
    )
