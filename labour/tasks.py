"""Celery tasks of the labour app: thin wrappers over its services."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from employers.models import Vacancy
from labour.importers.trudvsem import PERM_KRAI, TrudvsemNetworkError, fetch_trudvsem, region_url
from labour.services.imports import district_for_import, vacancies_import

# The summary tasks live in their own module; importing them here registers them with the
# worker, which discovers `tasks` modules only.
from labour.tasks_summaries import (  # noqa: F401
    labour_digests_send_task,
    labour_summaries_catch_up_task,
    labour_summary_task,
)


# Idempotent (re-importing the same vacancies changes nothing), so acknowledged late; a
# network failure rolls the whole import back and is retried with growing pauses.
@shared_task(
    acks_late=True,
    autoretry_for=(TrudvsemNetworkError,),
    retry_backoff=60,
    retry_backoff_max=30 * 60,
    retry_jitter=True,
    max_retries=5,
)
def import_trudvsem_task(url: str | None = None, district_id: int | None = None) -> dict:
    """Import the region's vacancies from «Работа России»; return the run's counts."""
    region = getattr(settings, "TRUDVSEM_REGION_CODE", PERM_KRAI)
    district = district_for_import(pk=district_id)
    origin = url or region_url(region)
    run = vacancies_import(
        records=fetch_trudvsem(origin),
        source=Vacancy.Source.TRUDVSEM,
        origin=origin,
        district=district,
        region_code=region,
    )
    return {
        "import": str(run.uuid),
        "created": run.created_count,
        "updated": run.updated_count,
        "unchanged": run.unchanged_count,
        "closed": run.closed_count,
        "skipped": run.skipped_count,
    }
