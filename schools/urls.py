from __future__ import annotations

from django.urls import path

from schools import views

app_name = "schools"

urlpatterns = [
    path("", views.programme_list, name="programme_list"),
    path("new/", views.programme_create, name="programme_create"),
    path("manage/", views.programme_manage, name="programme_manage"),
    path("<int:pk>/", views.programme_detail, name="programme_detail"),
    path("<int:pk>/edit/", views.programme_update, name="programme_update"),
]
