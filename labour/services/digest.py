"""The e-mail digest of each new labour-market summary, and the subscriptions to it.

A summary's digest goes out once: ``labour_digest_send`` claims it with a conditional
UPDATE of ``digest_sent_at`` (only one worker's UPDATE finds the column still empty), sends,
and gives the claim back if sending fails, so that the next attempt sends it. A worker
killed between the claim and the send loses that one digest rather than risk sending it
twice. Re-computing a summary keeps its ``digest_sent_at``, so only the first computation
of a period is ever mailed.

Only the summaries of the periods now due (the last complete week and month) are mailed:
after an outage the catch-up stores every missed period, but the subscribers get the
latest one, not a pile of old ones.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from labour.models import DigestSubscription, LabourSummary
from labour.services.summaries import labour_summaries_due
from resource_center import access
from resource_center.models import District, Membership

TOP_IN_DIGEST = 5


def digest_recipients(*, summary: LabourSummary) -> QuerySet[DigestSubscription]:
    """Subscriptions to the summary's district and period kind whose user can still read it:
    an active account with an e-mail and an active membership in that district."""
    kind = Q(weekly=True) if summary.period == LabourSummary.Period.WEEK else Q(monthly=True)
    member = Membership.objects.active().filter(
        user=OuterRef("user"), organisation__district=OuterRef("district")
    )
    return (
        DigestSubscription.objects.filter(kind, district_id=summary.district_id)
        .filter(user__is_active=True)
        .exclude(user__email="")
        .filter(Q(user__is_superuser=True) | Exists(member))
        .select_related("user")
        .order_by("user__email")
    )


def portal_url(path: str) -> str:
    """An absolute link into the portal, for e-mails (no request to take the host from)."""
    return settings.PORTAL_URL.rstrip("/") + path


def _digest_context(summary: LabourSummary) -> dict[str, Any]:
    figures = summary.figures or {}
    return {
        "summary": summary,
        "district": summary.district,
        "is_week": summary.period == LabourSummary.Period.WEEK,
        "vacancies_open": figures.get("vacancies_open", summary.vacancies_open),
        "work_places_open": figures.get("work_places_open"),
        "new": figures.get("new"),
        "closed": figures.get("closed"),
        "median_salary": (figures.get("salary") or {}).get("median"),
        "top_professions": (figures.get("top_professions") or [])[:TOP_IN_DIGEST],
        "overview_url": portal_url(reverse("labour:overview")),
        "subscription_url": portal_url(reverse("labour:digest")),
    }


def digest_messages(
    *, summary: LabourSummary, recipients: list[str], connection: Any = None
) -> list[EmailMultiAlternatives]:
    """One message per recipient (nobody sees the others' addresses), text with HTML."""
    with translation.override(settings.LANGUAGE_CODE):
        context = _digest_context(summary)
        subject = " ".join(render_to_string("labour/email/digest_subject.txt", context).split())
        text = render_to_string("labour/email/digest.txt", context)
        html = render_to_string("labour/email/digest.html", context)
    messages = []
    for address in recipients:
        message = EmailMultiAlternatives(
            subject=subject, body=text, to=[address], connection=connection
        )
        message.attach_alternative(html, "text/html")
        messages.append(message)
    return messages


def labour_digest_send(*, summary_id: int) -> int:
    """Mail the summary's digest to its subscribers unless it went already; return how many
    messages were sent (0 when another run had claimed it)."""
    claimed_at = timezone.now()
    claimed = LabourSummary.objects.filter(pk=summary_id, digest_sent_at__isnull=True).update(
        digest_sent_at=claimed_at
    )
    if not claimed:
        return 0
    try:
        summary = LabourSummary.objects.select_related("district").get(pk=summary_id)
        recipients = [s.user.email for s in digest_recipients(summary=summary)]
        if not recipients:
            return 0
        connection = get_connection()
        messages = digest_messages(summary=summary, recipients=recipients, connection=connection)
        return connection.send_messages(messages) or 0
    except BaseException:
        # Give the claim back (only ours: the timestamp is the one we wrote) so a retry
        # sends the digest.
        LabourSummary.objects.filter(pk=summary_id, digest_sent_at=claimed_at).update(
            digest_sent_at=None
        )
        raise


def labour_digests_pending(*, today: datetime.date) -> QuerySet[LabourSummary]:
    """Summaries of the periods now due whose digest has not gone yet."""
    due = Q(pk__in=[])
    for period, period_start in labour_summaries_due(today=today):
        due |= Q(period=period, period_start=period_start)
    return LabourSummary.objects.filter(due, digest_sent_at__isnull=True).order_by("pk")


def labour_digests_send(*, today: datetime.date) -> dict[int, int]:
    """Send every pending digest; return the messages sent per summary id."""
    return {
        summary_id: labour_digest_send(summary_id=summary_id)
        for summary_id in labour_digests_pending(today=today).values_list("pk", flat=True)
    }


@transaction.atomic
def digest_subscription_save(
    *, user: AbstractBaseUser, district: District, weekly: bool, monthly: bool
) -> DigestSubscription:
    """Subscribe the user to the district's digests (replacing their earlier choice)."""
    if not access.labour_districts_of(user).filter(pk=district.pk).exists():
        raise ValidationError(_("Подписаться можно только на сводки своего района."))
    if not (weekly or monthly):
        raise ValidationError(_("Выберите хотя бы одну сводку: еженедельную или ежемесячную."))
    subscription, _created = DigestSubscription.objects.update_or_create(
        user=user, defaults={"district": district, "weekly": weekly, "monthly": monthly}
    )
    return subscription


@transaction.atomic
def digest_subscription_delete(*, user: AbstractBaseUser) -> bool:
    """Unsubscribe the user; return whether there was a subscription."""
    deleted, _rows = DigestSubscription.objects.filter(user=user).delete()
    return bool(deleted)
