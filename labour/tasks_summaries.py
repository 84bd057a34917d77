"""Celery tasks of the labour-market summaries: thin wrappers over labour.services.summaries.

Celery's autodiscovery imports ``labour.tasks`` only: that module (or the app config) must
import this one for the worker to know these tasks.
"""

from __future__ import annotations

import datetime

from celery import shared_task
from django.db import OperationalError
from django.db.models import Exists, OuterRef
from django.utils import timezone

from labour.models import LabourSummary
from labour.services.summaries import labour_summaries_due, labour_summary_compute
from resource_center.models import District

# Idempotent (a re-run replaces the period's snapshot), so acknowledged late and redelivered
# when the worker dies; a database that is briefly away is retried with growing pauses.
RELIABLE = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": (OperationalError,),
    "retry_backoff": 30,
    "retry_backoff_max": 30 * 60,
    "retry_jitter": True,
    "max_retries": 8,
}


@shared_task(**RELIABLE)
def labour_summary_task(period: str, start: str | None = None) -> list[int]:
    """Compute the period's summary (the last complete one by default) for every district;
    return the ids of the stored summaries."""
    if start:
        period_start = datetime.date.fromisoformat(start)
    else:
        period_start = dict(labour_summaries_due(today=timezone.localdate()))[period]
    return [
        labour_summary_compute(district=district, period=period, period_start=period_start).pk
        for district in District.objects.order_by("pk")
    ]


@shared_task(**RELIABLE)
def labour_summaries_catch_up_task() -> list[int]:
    """Compute the last complete week and month of every district that has no summary yet:
    run often, it fills what was missed while the worker or the broker was down."""
    stored = []
    for period, period_start in labour_summaries_due(today=timezone.localdate()):
        stored_already = LabourSummary.objects.filter(
            district=OuterRef("pk"), period=period, period_start=period_start
        )
        missing = District.objects.filter(~Exists(stored_already)).order_by("pk")
        for district in missing:
            summary = labour_summary_compute(
                district=district, period=period, period_start=period_start
            )
            stored.append(summary.pk)
    return stored
