from __future__ import annotations

from django.urls import path

from career_minimum.views import activities, hours

app_name = "career_minimum"

urlpatterns = [
    # Activities held in school for a class, recorded by the counsellor.
    path("", activities.activity_list, name="activity_list"),
    path("activities/new/", activities.activity_create, name="activity_create"),
    path("activities/<uuid:uuid>/", activities.activity_detail, name="activity_detail"),
    path("activities/<uuid:uuid>/edit/", activities.activity_update, name="activity_update"),
    path(
        "participations/<uuid:uuid>/toggle/",
        activities.participation_toggle,
        name="participation_toggle",
    ),
    # Hours: the class sheet (and its XLSX), one pupil's page, the school's level.
    path("sheet/", hours.class_sheet, name="class_sheet"),
    path("sheet/export/", hours.class_sheet_export, name="class_sheet_export"),
    path("students/<uuid:uuid>/", hours.student_hours, name="student_hours"),
    path("plan/", hours.school_plan, name="school_plan"),
]
