from __future__ import annotations

from django.urls import path

from schools import views

app_name = "schools"

urlpatterns = [
    path("", views.programme_list, name="programme_list"),
]
