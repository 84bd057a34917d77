"""Celery tasks of the labour-market summaries: thin wrappers over labour.services.summaries.

Celery's autodiscovery imports ``labour.tasks`` only: that module (or the app config) must
import this one for the worker to know these tasks.
"""

from __future__ import annotations

import datetime
import logging
import smtplib

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from labour.services.digest import labour_digests_send
from labour.services.summaries import (
    labour_summaries_catch_up,
    labour_summaries_due,
    labour_summary_compute,
)
from resource_center.models import District

logger = logging.getLogger(__name__)

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
    """Compute every due week and month a district has no summary for (all those missed while
    the worker or the broker was down), then mail the digests now due; run often."""
    today = timezone.localdate()
    stored = [summary.pk for summary in labour_summaries_catch_up(today=today)]
    try:
        labour_digests_send(today=today)
    except (smtplib.SMTPException, OSError):
        # The summaries are stored; the labour_digests_send job retries the mail.
        logger.warning("Labour digests not sent, the mail server refused", exc_info=True)
    return stored


# Sending claims each summary before mailing it (labour.services.digest), so a re-run never
# mails twice; a mail server that is briefly away is retried with growing pauses.
@shared_task(
    acks_late=True,
    autoretry_for=(OperationalError, smtplib.SMTPException, OSError),
    retry_backoff=60,
    retry_backoff_max=60 * 60,
    retry_jitter=True,
    max_retries=10,
)
def labour_digests_send_task() -> dict[str, int]:
    """Mail the digest of every summary now due that has not been mailed; return the
    number of messages per summary id."""
    sent = labour_digests_send(today=timezone.localdate())
    return {str(summary_id): count for summary_id, count in sent.items()}
