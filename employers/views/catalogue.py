"""The public catalogue of vacancies and dual-training places."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.db.models import QuerySet
from django.views.generic import ListView

from employers.models import DualTrainingPlace, Vacancy


class VacancyListView(ListView):
    template_name = "employers/vacancy_list.html"
    context_object_name = "vacancies"
    http_method_names = ["get", "head"]
    paginate_by = 50

    def get_queryset(self) -> QuerySet[Vacancy]:
        """Published vacancies with their employer (one JOIN), newest first."""
        return Vacancy.objects.published().select_related("employer")


class PlaceListView(ListView):
    template_name = "employers/place_list.html"
    context_object_name = "places"
    http_method_names = ["get", "head"]
    paginate_by = 50

    def get_queryset(self) -> QuerySet[DualTrainingPlace]:
        """Published dual-training places with their programme and employer (two JOINs)."""
        return DualTrainingPlace.objects.published().select_related("programme", "employer")


vacancy_list = login_not_required(VacancyListView.as_view())
place_list = login_not_required(PlaceListView.as_view())
