"""The public catalogue of vacancies and dual-training places."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.db.models import QuerySet
from django.views.generic import ListView

from employers.filters import PlaceFilter
from employers.filters_vacancies import VacancyFilter
from employers.models import DualTrainingPlace, Vacancy
from resource_center import access
from resource_center.page_cache import CachedPageMixin


class VacancyListView(CachedPageMixin, ListView):
    """Published vacancies not past their date, with search and filters
    (employers.filters_vacancies); a wrong filter value is dropped with a notice, a wrong
    page gives the nearest one."""

    template_name = "employers/vacancy_list.html"
    context_object_name = "vacancies"
    http_method_names = ["get", "head"]
    paginate_by = 30

    def get_queryset(self) -> QuerySet[Vacancy]:
        """The filtered catalogue with each vacancy's employer and profession (two JOINs),
        newest first."""
        self.filterset = VacancyFilter(
            self.request.GET or None,
            queryset=Vacancy.objects.published()
            .select_related("employer", "profession")
            .order_by("-published_at", "-created_at", "-pk"),
        )
        return self.filterset.qs

    def paginate_queryset(self, queryset, page_size):  # type: ignore[no-untyped-def]
        paginator = self.get_paginator(queryset, page_size)
        page = paginator.get_page(self.request.GET.get(self.page_kwarg))
        return paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs: object) -> dict[str, object]:
        # The filters beyond the search stay unfolded once one of them is in use.
        filters_open = any(
            self.request.GET.get(name) for name in self.filterset.filters if name != "q"
        )
        return super().get_context_data(filter=self.filterset, filters_open=filters_open, **kwargs)


class PlaceListView(CachedPageMixin, ListView):
    """Published places with free seats, search and filters (employers.filters.PlaceFilter);
    the mentor only for signed-in staff. A wrong filter value is dropped with a notice, a
    wrong page gives the nearest one."""

    template_name = "employers/place_list.html"
    context_object_name = "places"
    http_method_names = ["get", "head"]
    paginate_by = 50

    def get_queryset(self) -> QuerySet[DualTrainingPlace]:
        """The filtered places with ``free_seats``, their programme, its technikum and the
        employer (three JOINs), soonest first."""
        base = DualTrainingPlace.objects.published()
        self.filterset = PlaceFilter(
            self.request.GET,
            base.with_free_seats()
            .select_related("programme", "programme__technikum", "employer")
            .order_by("starts_on", "employer__short_name", "workplace", "pk"),
            places=base,
        )
        return self.filterset.qs

    def paginate_queryset(self, queryset, page_size):  # type: ignore[no-untyped-def]
        paginator = self.get_paginator(queryset, page_size)
        page = paginator.get_page(self.request.GET.get(self.page_kwarg))
        return paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs: object) -> dict[str, object]:
        return super().get_context_data(
            filter=self.filterset,
            can_see_mentor=access.can_see_mentor(self.request.user),
            may_manage=access.can_manage_programmes(self.request.user),
            **kwargs,
        )


vacancy_list = login_not_required(VacancyListView.as_view())
place_list = login_not_required(PlaceListView.as_view())
