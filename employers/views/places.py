"""Dual-training places: a place's page, the technikum's list, publishing and editing.
(The public list is in employers/views/catalogue.py.)"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from employers.filters import PlaceManageFilter
from employers.forms.places import PlaceForm, PlaceTransitionForm
from employers.models import DualTrainingPlace, Placement
from employers.services import places as services
from resource_center import access, audit
from resource_center.models import Organisation, Role
from schools.models import Programme

PAGE_SIZE = 50
TECHNIKUM = Organisation.Kind.TECHNIKUM


# --- reads shaped for these pages -------------------------------------------------------


def _technikums_for(user: Any) -> QuerySet[Organisation]:
    return access.organisations_managed_by(user, TECHNIKUM).filter(is_active=True)


def _programmes_for(user: Any) -> QuerySet[Programme]:
    """Dual programmes of the user's technikums: the ones a place may be published for."""
    return Programme.objects.dual().filter(technikum__in=_technikums_for(user))


def _employers_for(user: Any) -> QuerySet[Organisation]:
    """Active employers of the districts of the user's technikums."""
    return Organisation.objects.filter(
        kind=Organisation.Kind.EMPLOYER,
        is_active=True,
        district__in=_technikums_for(user).values("district"),
    )


def _managed_places(user: Any) -> QuerySet[DualTrainingPlace]:
    """Places in every status of the user's technikums' programmes, and those at the
    employer the user represents (read-only for the employer)."""
    acc = access.access_of(user)
    return DualTrainingPlace.objects.filter(
        Q(programme__technikum__in=access.organisations_managed_by(user, TECHNIKUM))
        | Q(employer_id__in=acc.organisations(Role.EMPLOYER_REP))
    )


def _held(place: DualTrainingPlace) -> int:
    return place.placements.filter(status__in=Placement.SEAT_HOLDING).count()


def _moves(place: DualTrainingPlace) -> list[tuple[str, str]]:
    """The status buttons of a place: (target status, label)."""
    return [
        (to, str(label)) for (frm, to), label in services.TRANSITIONS.items() if frm == place.status
    ]


# --- pages ------------------------------------------------------------------------------


@login_not_required
@require_safe
def place_detail(request: HttpRequest, uuid: UUID) -> HttpResponse:
    """A place's terms and free seats; the mentor for signed-in staff only; the placements
    for those who work with them."""
    user = request.user
    place = access.place_for(user, uuid)
    held = _held(place)
    can_edit = access.can_edit_dual_place(user, place)
    can_propose = (
        user.is_authenticated
        and place.status == DualTrainingPlace.Status.PUBLISHED
        and access.can_propose_to(user, place)
    )
    placements = None
    if user.is_authenticated:
        placements = list(
            access.placements_visible_to(user)
            .filter(place=place)
            .select_related("student")
            .order_by("student__last_name", "student__first_name", "pk")
        )
        if placements:
            audit.record_many(
                actor=user,
                action=audit.Action.VIEW,
                students=[p.student for p in placements],
                details=_("Список направленных на место дуального обучения: %(place)s")
                % {"place": place},
                request=request,
            )
        elif not (can_edit or can_propose):
            placements = None
    return render(
        request,
        "employers/place_detail.html",
        {
            "place": place,
            "held": held,
            "free_seats": max(place.seats - held, 0),
            "ended": place.ends_on < timezone.localdate(),
            "can_edit": can_edit,
            "can_propose": can_propose,
            "can_see_mentor": access.can_see_mentor(user),
            "moves": _moves(place) if can_edit else [],
            "placements": placements,
        },
    )


@require_safe
def place_manage(request: HttpRequest) -> HttpResponse:
    """The technikum's places in every status with free seats; the employer's
    representative sees the places at the employer, read-only."""
    user = request.user
    acc = access.access_of(user)
    may_manage = access.can_manage_programmes(user)
    if not (may_manage or acc.has(Role.EMPLOYER_REP)):
        raise PermissionDenied
    base = _managed_places(user)
    places = (
        base.with_free_seats()
        .select_related("programme", "programme__technikum", "employer")
        .order_by("-starts_on", "employer__short_name", "workplace", "pk")
    )
    filterset = PlaceManageFilter(request.GET, places, places=base)
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    managed = (
        set(access.organisations_managed_by(user, TECHNIKUM).values_list("pk", flat=True))
        if may_manage
        else set()
    )
    return render(
        request,
        "employers/place_manage.html",
        {
            "filter": filterset,
            "page_obj": page,
            "places": page.object_list,
            "managed_technikums": managed,
            "may_create": may_manage,
        },
    )


def _render_form(
    request: HttpRequest, form: PlaceForm, place: DualTrainingPlace | None, title: str = ""
) -> HttpResponse:
    return render(
        request,
        "employers/place_form.html",
        {
            "form": form,
            "place": place,
            "title": title,
            "no_programmes": not form.fields["programme"].queryset.exists(),
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
def place_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not access.can_manage_programmes(user):
        raise PermissionDenied
    data = request.POST if request.method == "POST" else None
    form = PlaceForm(data, programmes=_programmes_for(user), employers=_employers_for(user))
    if data is None:
        # «Добавить место» on a programme's page comes with ?programme=<pk>.
        wanted = request.GET.get("programme", "")
        if wanted.isdigit() and form.fields["programme"].queryset.filter(pk=wanted).exists():
            form.initial["programme"] = int(wanted)
    if data is not None and form.is_valid():
        try:
            place = services.place_create(data=form.place_data(), by=user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if place.status == DualTrainingPlace.Status.PUBLISHED:
                messages.success(request, _("Место опубликовано."))
            else:
                messages.success(request, _("Место сохранено как черновик."))
            return redirect("employers:place_detail", uuid=place.uuid)
    return _render_form(request, form, None)


@require_http_methods(["GET", "HEAD", "POST"])
def place_update(request: HttpRequest, uuid: UUID) -> HttpResponse:
    """The edit form; a POST with ``to`` (a status button of the place's page) only moves
    the place to that status."""
    user = request.user
    place = access.place_for(user, uuid, manage=True)
    if request.method == "POST" and "to" in request.POST:
        return _change_status(request, place)
    title = str(place)
    data = request.POST if request.method == "POST" else None
    form = PlaceForm(
        data,
        instance=place,
        programmes=_programmes_for(user),
        employers=_employers_for(user),
        held=_held(place),
        has_placements=place.placements.exists(),
    )
    if data is not None and form.is_valid():
        try:
            services.place_update(place=place, data=form.place_data(), by=user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Изменения сохранены."))
            return redirect("employers:place_detail", uuid=place.uuid)
    return _render_form(request, form, place, title)


def _change_status(request: HttpRequest, place: DualTrainingPlace) -> HttpResponse:
    form = PlaceTransitionForm(request.POST)
    if not form.is_valid():
        for error in form.errors.get("to", []):
            messages.error(request, error)
        return redirect("employers:place_detail", uuid=place.uuid)
    target = form.cleaned_data["to"]
    try:
        services.place_status_change(place=place, to=target, by=request.user)
    except ValidationError as exc:
        # The messages say what to fill in first; the page has the link to the form.
        for error in exc.messages:
            messages.error(request, error)
        return redirect("employers:place_detail", uuid=place.uuid)
    label = DualTrainingPlace.Status(target).label
    messages.success(request, _("Статус места: «%(status)s».") % {"status": label})
    return redirect("employers:place_detail", uuid=place.uuid)
