"""The technikum's programmes: the public catalogue and a programme's page, and the
technikum staff's list, form and edit page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, F, IntegerField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from employers.models import DualTrainingPlace, Placement
from resource_center import access, page_cache
from resource_center.models import Organisation
from schools import services
from schools.filters import ProgrammeFilter
from schools.forms import ProgrammeForm, competence_formset, competence_helper
from schools.models import Competence, Programme

PAGE_SIZE = 50
TECHNIKUM = Organisation.Kind.TECHNIKUM


def _count(queryset: QuerySet, group: str, value: Any) -> Subquery:
    """One figure per programme as a correlated subquery, so figures from different
    relations never multiply each other in one GROUP BY."""
    return Coalesce(
        Subquery(
            queryset.order_by().values(group).annotate(figure=value).values("figure")[:1],
            output_field=IntegerField(),
        ),
        Value(0),
    )


def _with_place_figures(programmes: QuerySet[Programme], *, published_only: bool) -> QuerySet:
    """Adds ``place_count``, ``place_seats`` and ``free_seats`` of the programme's places
    (those of the public catalogue, or all but closed ones for the technikum), in the same
    query."""
    places = DualTrainingPlace.objects.filter(programme=OuterRef("pk"))
    placements = Placement.objects.filter(
        place__programme=OuterRef("pk"), status__in=Placement.SEAT_HOLDING
    )
    if published_only:
        places = places.filter(pk__in=DualTrainingPlace.objects.published().values("pk"))
        placements = placements.filter(place__in=DualTrainingPlace.objects.published().values("pk"))
    else:
        places = places.exclude(status=DualTrainingPlace.Status.CLOSED)
        placements = placements.exclude(place__status=DualTrainingPlace.Status.CLOSED)
    return programmes.annotate(
        place_count=_count(places, "programme", Count("pk")),
        place_seats=_count(places, "programme", Sum("seats")),
        held_seats=_count(placements, "place__programme", Count("pk")),
    ).annotate(free_seats=F("place_seats") - F("held_seats"))


def _page(request: HttpRequest, queryset: QuerySet) -> Any:
    # get_page: a wrong or too large ?page= shows a real page instead of an error.
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


# --- the public catalogue -------------------------------------------------------------


@login_not_required
@require_safe
def programme_list(request: HttpRequest) -> HttpResponse:
    """Published programmes with the number of published dual-training places and free seats."""

    def page() -> HttpResponse:
        programmes = _with_place_figures(
            Programme.objects.published().select_related("technikum"), published_only=True
        ).order_by("okso_code", "form_of_study", "base_education", "pk")
        filterset = ProgrammeFilter(request.GET, programmes)
        page = _page(request, filterset.qs)
        return render(
            request,
            "schools/programme_list.html",
            {
                "filter": filterset,
                "page_obj": page,
                "programmes": page.object_list,
                "may_manage": access.can_manage_programmes(request.user),
            },
        )

    return page_cache.cached_page(request, page)


@login_not_required
@require_safe
def programme_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A programme's facts, competences and its places of the public catalogue with free
    seats; managers also open unpublished programmes."""
    programme = access.programme_for(request.user, pk)

    def page() -> HttpResponse:
        places = (
            DualTrainingPlace.objects.published()
            .filter(programme=programme)
            .with_free_seats()
            .select_related("employer")
            .order_by("starts_on", "employer__short_name", "pk")
        )
        return render(
            request,
            "schools/programme_detail.html",
            {
                "programme": programme,
                "competences": list(programme.competences.all()),
                "places": list(places),
                "can_edit": access.can_edit_programme(request.user, programme),
                "can_see_mentor": access.can_see_mentor(request.user),
            },
        )

    return page_cache.cached_page(request, page)


# --- the technikum's pages ------------------------------------------------------------


@require_safe
def programme_manage(request: HttpRequest) -> HttpResponse:
    """The user's technikums' programmes, unpublished ones too, with places and seats."""
    if not access.can_manage_programmes(request.user):
        raise PermissionDenied
    programmes = (
        _with_place_figures(
            Programme.objects.filter(
                technikum__in=access.organisations_managed_by(request.user, TECHNIKUM)
            ).select_related("technikum"),
            published_only=False,
        )
        .annotate(competence_count=_count_competences())
        .order_by("technikum__short_name", "okso_code", "form_of_study", "pk")
    )
    page = _page(request, programmes)
    return render(
        request,
        "schools/programme_manage.html",
        {"page_obj": page, "programmes": page.object_list},
    )


def _count_competences() -> Coalesce:
    return _count(Competence.objects.filter(programme=OuterRef("pk")), "programme", Count("pk"))


def _technikums_for(request: HttpRequest) -> QuerySet[Organisation]:
    return access.organisations_managed_by(request.user, TECHNIKUM).filter(is_active=True)


def _validate(form: ProgrammeForm, competences: Any) -> bool:
    form_ok = form.is_valid()
    competences.dual = bool(form.cleaned_data.get("is_dual"))
    return form_ok and competences.is_valid()


def _render_form(
    request: HttpRequest,
    form: ProgrammeForm,
    competences: Any,
    programme: Programme | None,
    title: str = "",
) -> HttpResponse:
    return render(
        request,
        "schools/programme_form.html",
        {
            "form": form,
            "competences": competences,
            "competence_helper": competence_helper(deletable=True),
            "new_competence_helper": competence_helper(deletable=False),
            "programme": programme,
            "title": title,
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
def programme_create(request: HttpRequest) -> HttpResponse:
    if not access.can_manage_programmes(request.user):
        raise PermissionDenied
    technikums = _technikums_for(request)
    if not technikums.exists():
        raise PermissionDenied
    data = request.POST if request.method == "POST" else None
    form = ProgrammeForm(data, technikums=technikums)
    competences = competence_formset(data, programme=Programme())
    if data is not None and _validate(form, competences):
        try:
            programme = services.programme_create(
                technikum=form.cleaned_data["technikum"],
                data=form.programme_data(),
                competences=competences.rows(),
                interest_types=form.cleaned_data["interest_types"],
                by=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Программа добавлена."))
            return redirect("schools:programme_detail", pk=programme.pk)
    return _render_form(request, form, competences, None)


@require_http_methods(["GET", "HEAD", "POST"])
def programme_update(request: HttpRequest, pk: int) -> HttpResponse:
    programme = access.programme_for(request.user, pk, manage=True)
    # The bound form writes typed values onto the instance; the page keeps the saved title.
    title = str(programme)
    data = request.POST if request.method == "POST" else None
    form = ProgrammeForm(data, instance=programme, technikums=_technikums_for(request))
    competences = competence_formset(data, programme=programme)
    if data is not None and _validate(form, competences):
        try:
            services.programme_update(
                programme=programme,
                technikum=form.cleaned_data["technikum"],
                data=form.programme_data(),
                competences=competences.rows(),
                interest_types=form.cleaned_data["interest_types"],
                by=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Изменения сохранены."))
            return redirect("schools:programme_detail", pk=programme.pk)
    return _render_form(request, form, competences, programme, title)
