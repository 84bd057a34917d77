from __future__ import annotations

from django.urls import path

from students.views import consents, deletion, imports, invitations, lists, pupils

app_name = "students"

urlpatterns = [
    path("", lists.student_list, name="student_list"),
    path("export/", lists.student_export, name="student_export"),
    path("new/", pupils.student_create, name="student_create"),
    path("<uuid:uuid>/", pupils.student_detail, name="student_detail"),
    path("<uuid:uuid>/edit/", pupils.student_update, name="student_update"),
    path("<uuid:uuid>/consents/new/", consents.consent_create, name="consent_create"),
    path(
        "<uuid:uuid>/consents/<uuid:consent_uuid>/withdraw/",
        consents.consent_withdraw,
        name="consent_withdraw",
    ),
    path(
        "<uuid:uuid>/guardians/<uuid:guardian_uuid>/invite/",
        invitations.invitation_create,
        name="invitation_create",
    ),
    path("<uuid:uuid>/deletion/", deletion.deletion_request, name="deletion_request"),
    path("invitation/", invitations.invitation_accept, name="invitation_accept"),
    path("import/", imports.import_upload, name="import_upload"),
    path("import/history/", imports.import_list, name="import_list"),
    path("import/<uuid:uuid>/", imports.import_preview, name="import_preview"),
    path("import/<uuid:uuid>/commit/", imports.import_commit, name="import_commit"),
    path("import/<uuid:uuid>/discard/", imports.import_discard, name="import_discard"),
]
