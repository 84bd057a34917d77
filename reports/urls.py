from __future__ import annotations

from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("<slug:slug>/", views.report_detail, name="report_detail"),
    path("<slug:slug>/export/", views.report_export, name="report_export"),
]
