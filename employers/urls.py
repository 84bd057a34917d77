from __future__ import annotations

from django.urls import path

from employers import views

app_name = "employers"

urlpatterns = [
    path("vacancies/", views.vacancy_list, name="vacancy_list"),
    path("dual-training/", views.place_list, name="place_list"),
]
