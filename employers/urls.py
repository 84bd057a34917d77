from __future__ import annotations

from django.urls import path

from employers.views import catalogue, placements, places, vacancies

app_name = "employers"

urlpatterns = [
    # Vacancies: the public catalogue, publishing by employers and the employment centre,
    # moderation by the coordinator.
    path("vacancies/", catalogue.vacancy_list, name="vacancy_list"),
    path("vacancies/new/", vacancies.vacancy_create, name="vacancy_create"),
    path("vacancies/manage/", vacancies.vacancy_manage, name="vacancy_manage"),
    path("vacancies/<uuid:uuid>/", vacancies.vacancy_detail, name="vacancy_detail"),
    path("vacancies/<uuid:uuid>/edit/", vacancies.vacancy_update, name="vacancy_update"),
    path("vacancies/<uuid:uuid>/status/", vacancies.vacancy_transition, name="vacancy_transition"),
    path("profile/<int:pk>/", vacancies.employer_profile, name="employer_profile"),
    # Dual-training places, published by the technikum.
    path("dual-training/", catalogue.place_list, name="place_list"),
    path("dual-training/new/", places.place_create, name="place_create"),
    path("dual-training/manage/", places.place_manage, name="place_manage"),
    path("dual-training/<uuid:uuid>/", places.place_detail, name="place_detail"),
    path("dual-training/<uuid:uuid>/edit/", places.place_update, name="place_update"),
    # Placements of technikum students to places, and mentors' evaluations.
    path(
        "dual-training/<uuid:uuid>/propose/",
        placements.placement_create,
        name="placement_create",
    ),
    path("placements/", placements.placement_list, name="placement_list"),
    path("placements/<uuid:uuid>/", placements.placement_detail, name="placement_detail"),
    path(
        "placements/<uuid:uuid>/transition/",
        placements.placement_transition,
        name="placement_transition",
    ),
    path(
        "placements/<uuid:uuid>/evaluate/",
        placements.evaluation_create,
        name="evaluation_create",
    ),
]
