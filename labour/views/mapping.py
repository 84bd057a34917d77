"""Vacancies left without a profession by the mapping rules, mapped by the coordinator."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from guidance.models import Profession
from labour.forms.mapping import UnmappedSearchForm, VacancyMapForm
from labour.services.mapping import vacancy_profession_set
from resource_center import access
from resource_center.lib.urls import safe_next

PAGE_SIZE = 25


def _spellings(value: str) -> list[str]:
    # SQLite compares Cyrillic case-sensitively (PostgreSQL's icontains does not), so the
    # usual spellings of a word are looked for: as typed, lower case, capitalised.
    return list(dict.fromkeys([value, value.lower(), value.capitalize(), value.upper()]))


@require_safe
def unmapped_list(request: HttpRequest) -> HttpResponse:
    """The published vacancies of the coordinator's districts without a profession, each
    with a form to pick one. Queries: the count, the page (with the employer) and the
    professions of the choice list (with their group)."""
    user = request.user
    if not access.can_map_vacancies(user):
        raise PermissionDenied
    search = UnmappedSearchForm(request.GET or None)
    query = search.cleaned_data["q"] if search.is_valid() else ""
    vacancies = (
        access.vacancies_mapped_by(user)
        .published()
        .filter(profession__isnull=True)
        .select_related("employer", "employer__district")
        .only(
            "uuid",
            "title",
            "okpdtr_code",
            "sector",
            "work_places",
            "published_at",
            "source",
            "employer__short_name",
            "employer__district__name",
        )
        .order_by("-published_at", "-pk")
    )
    if query:
        found = Q()
        for spelling in _spellings(query):
            found |= Q(title__icontains=spelling)
        vacancies = vacancies.filter(found)
    page = Paginator(vacancies, PAGE_SIZE).get_page(request.GET.get("page"))
    professions = (
        list(
            Profession.objects.select_related("group")
            .only("title", "group__title")
            .order_by("group__title", "title")
        )
        if page.object_list
        else []
    )
    context = {
        "search": search,
        "query": query,
        "page": page,
        "professions": professions,
        "back": request.get_full_path(),
    }
    return render(request, "labour/unmapped_list.html", context)


def _back(request: HttpRequest) -> str:
    """Where the form came from (the list with its page and search), else the list."""
    return safe_next(request, request.POST.get("next", ""))


@require_POST
def vacancy_map(request: HttpRequest, uuid: UUID) -> HttpResponse:
    vacancy = access.vacancy_to_map_for(request.user, uuid)
    back = _back(request)
    form = VacancyMapForm(request.POST, vacancy=vacancy)
    if not form.is_valid():
        errors = [str(e) for field_errors in form.errors.values() for e in field_errors]
        messages.error(
            request,
            _("Вакансия «%(title)s» не сопоставлена: %(errors)s")
            % {"title": vacancy.title, "errors": " ".join(errors)},
        )
        return redirect(back or "labour:unmapped_list")
    profession = form.cleaned_data["profession"]
    try:
        done = vacancy_profession_set(
            vacancy=vacancy, profession=profession, keyword=form.cleaned_data["keyword"]
        )
    except ValidationError as error:
        messages.error(
            request,
            _("Вакансия «%(title)s» не сопоставлена: %(errors)s")
            % {"title": vacancy.title, "errors": " ".join(error.messages)},
        )
        return redirect(back or "labour:unmapped_list")
    messages.success(
        request,
        _("Вакансии «%(title)s» назначена профессия «%(profession)s».")
        % {"title": vacancy.title, "profession": profession.title},
    )
    if done.rule is not None:
        messages.success(
            request,
            _(
                "Правило по слову «%(word)s» действует; по нему сопоставлено ещё "
                "вакансий района: %(n)d."
            )
            % {"word": done.rule.pattern, "n": done.also_mapped},
        )
    return redirect(back or "labour:unmapped_list")
