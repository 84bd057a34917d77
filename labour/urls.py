from __future__ import annotations

from django.urls import path

from labour.views import digest, imports, mapping, overview

app_name = "labour"

urlpatterns = [
    # The district's labour market: the overview with trends, the balance of demand and
    # supply, and the short public page of in-demand professions.
    path("", overview.labour_overview, name="overview"),
    path("balance/", overview.labour_balance, name="balance"),
    path("in-demand/", overview.in_demand, name="in_demand"),
    # Vacancies the rules left without a profession, mapped by the coordinator.
    path("unmapped/", mapping.unmapped_list, name="unmapped_list"),
    path("unmapped/<uuid:uuid>/map/", mapping.vacancy_map, name="vacancy_map"),
    # The employment centre's CSV/XLSX exports: upload → preview → commit or discard.
    path("imports/", imports.import_list, name="import_list"),
    path("imports/new/", imports.import_upload, name="import_upload"),
    path("imports/<uuid:uuid>/", imports.import_preview, name="import_preview"),
    path("imports/<uuid:uuid>/commit/", imports.import_commit, name="import_commit"),
    path("imports/<uuid:uuid>/discard/", imports.import_discard, name="import_discard"),
    # The e-mail digest of each new summary.
    path("digest/", digest.digest_subscription, name="digest"),
]
