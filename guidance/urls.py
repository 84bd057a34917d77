from __future__ import annotations

from django.urls import path

from guidance.views import events, questionnaires

app_name = "guidance"

urlpatterns = [
    # Questionnaires: assignment by counsellors, one-time codes for pupils, paper forms, results.
    path("assign/", questionnaires.assignment_create, name="assignment_create"),
    path("assignments/", questionnaires.assignment_list, name="assignment_list"),
    path("assignments/<uuid:uuid>/", questionnaires.assignment_detail, name="assignment_detail"),
    path("q/", questionnaires.code_entry, name="code_entry"),
    path("q/<str:code>/", questionnaires.questionnaire_take, name="questionnaire_take"),
    path("pupils/<uuid:uuid>/paper/", questionnaires.paper_entry, name="paper_entry"),
    path("results/<uuid:uuid>/", questionnaires.result_detail, name="result_detail"),
    # Career events.
    path("events/", events.event_list, name="event_list"),
    path("events/calendar.ics", events.event_ical, name="event_ical"),
    path("events/new/", events.event_create, name="event_create"),
    path("events/<uuid:uuid>/", events.event_detail, name="event_detail"),
    path("events/<uuid:uuid>/edit/", events.event_update, name="event_update"),
    path("events/<uuid:uuid>/register/", events.event_register, name="event_register"),
    path("events/<uuid:uuid>/attendance/", events.event_attendance, name="event_attendance"),
    path(
        "registrations/<uuid:uuid>/cancel/",
        events.registration_cancel,
        name="registration_cancel",
    ),
    path(
        "registrations/<uuid:uuid>/feedback/",
        events.feedback_create,
        name="feedback_create",
    ),
]
