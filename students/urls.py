from __future__ import annotations

from django.urls import path

from students import views

app_name = "students"

urlpatterns = [
    path("", views.student_list, name="student_list"),
    path("<uuid:uuid>/", views.student_detail, name="student_detail"),
]
