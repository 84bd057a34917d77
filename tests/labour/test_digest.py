"""The e-mail digest of each new labour-market summary and the subscription page."""

from __future__ import annotations

import datetime
import smtplib
from unittest import mock

import pytest
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from labour.models import DigestSubscription, LabourSummary
from labour.services.digest import labour_digest_send, labour_digests_send
from labour.services.summaries import labour_summaries_due, labour_summary_compute
from labour.tasks_summaries import labour_digests_send_task, labour_summaries_catch_up_task
from resource_center.models import Role
from tests import factories as f

pytestmark = pytest.mark.django_db

URL = reverse("labour:digest")
WEEK = LabourSummary.Period.WEEK
MONTH = LabourSummary.Period.MONTH
LOCMEM = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture(autouse=True)
def _mail(settings):
    settings.EMAIL_BACKEND = LOCMEM
    settings.PORTAL_URL = "https://portal.example.ru"


def _due(period: str) -> datetime.date:
    return dict(labour_summaries_due(today=timezone.localdate()))[period]


def _at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


@pytest.fixture
def market(world):
    """Seven professions with 7, 6, … 1 open vacancies in the district, salaries 20–80k."""
    week_start = _due(WEEK)
    for k in range(7):
        profession = f.ProfessionFactory(title=f"Профессия дайджеста {k}")
        for _n in range(7 - k):
            f.VacancyFactory(
                employer=world.employer,
                profession=profession,
                published_at=_at(week_start),
                salary_from=20000 + 10000 * k,
                salary_to=None,
            )
    # Closed during the week.
    f.VacancyFactory(
        employer=world.employer,
        published_at=_at(week_start - datetime.timedelta(days=30)),
        closed_at=_at(week_start + datetime.timedelta(days=1)),
        status="closed",
    )
    return world


def _subscriber(username: str, organisation, *, email: str = "", **subscription):
    user = f.UserFactory(username=username, email=email or f"{username}@example.ru")
    f.MembershipFactory(user=user, organisation=organisation, role=Role.COUNSELLOR)
    DigestSubscription.objects.create(
        user=user,
        district=organisation.district,
        **{"weekly": True, "monthly": True, **subscription},
    )
    return user


def _week_summary(world) -> LabourSummary:
    return labour_summary_compute(district=world.district, period=WEEK, period_start=_due(WEEK))


# --- who gets it, and only once ------------------------------------------------------------


def test_digest_goes_once_to_the_active_subscribers_of_the_district_and_period(market):
    world = market
    wants_weekly = _subscriber("weekly_reader", world.school_a)
    _subscriber("monthly_only", world.school_b, weekly=False)
    _subscriber("other_district", world.other_district_school)
    no_email = _subscriber("no_email", world.school_a)
    no_email.email = ""
    no_email.save()
    left = _subscriber("left_school", world.school_a)
    left.memberships.update(is_active=False)
    blocked = _subscriber("blocked", world.school_a)
    blocked.is_active = False
    blocked.save()
    summary = _week_summary(world)

    sent = labour_digest_send(summary_id=summary.pk)
    again = labour_digest_send(summary_id=summary.pk)

    assert (sent, again) == (1, 0)
    assert [m.to for m in mail.outbox] == [[wants_weekly.email]]
    summary.refresh_from_db()
    assert summary.digest_sent_at is not None


def test_digest_shows_the_figures_of_the_summary_and_links_the_overview(market):
    _subscriber("reader", market.school_a)
    summary = _week_summary(market)
    figures = summary.figures

    labour_digest_send(summary_id=summary.pk)

    (message,) = mail.outbox
    html = message.alternatives[0][0]
    assert market.district.name in message.subject
    assert summary.period_end.strftime("%d.%m.%Y") in message.subject
    for body in (message.body, html):
        assert str(figures["vacancies_open"]) in body
        assert f"Новых за период: {figures['new']}" in body.replace("</td><td>", ": ")
        assert f"Закрытых за период: {figures['closed']}" in body.replace("</td><td>", ": ")
        assert intcomma(figures["salary"]["median"]) in body
        top = [row["title"] for row in figures["top_professions"]]
        assert all(title in body for title in top[:5])
        assert not any(title in body for title in top[5:])
        assert "https://portal.example.ru" + reverse("labour:overview") in body
    assert figures["closed"] == 1
    assert len(figures["top_professions"]) == 7


def test_recomputing_the_period_does_not_send_it_again(market):
    _subscriber("reader", market.school_a)
    summary = _week_summary(market)
    labour_digest_send(summary_id=summary.pk)

    again = _week_summary(market)
    assert labour_digests_send(today=timezone.localdate()) == {}

    assert again.pk == summary.pk
    assert len(mail.outbox) == 1


def test_a_failed_send_releases_the_claim_and_the_retry_sends(market):
    _subscriber("reader", market.school_a)
    summary = _week_summary(market)

    with (
        mock.patch(f"{LOCMEM}.send_messages", side_effect=smtplib.SMTPServerDisconnected("gone")),
        pytest.raises(smtplib.SMTPServerDisconnected),
    ):
        labour_digest_send(summary_id=summary.pk)
    summary.refresh_from_db()
    assert summary.digest_sent_at is None
    assert mail.outbox == []

    assert labour_digest_send(summary_id=summary.pk) == 1
    assert len(mail.outbox) == 1


def test_a_digest_claimed_by_another_worker_is_not_sent(market):
    _subscriber("reader", market.school_a)
    summary = _week_summary(market)
    # What a second worker's conditional UPDATE finds once the first has claimed the row.
    LabourSummary.objects.filter(pk=summary.pk).update(digest_sent_at=timezone.now())

    assert labour_digest_send(summary_id=summary.pk) == 0
    assert mail.outbox == []


def test_only_the_summaries_of_the_due_periods_are_mailed(market):
    _subscriber("reader", market.school_a)
    older = labour_summary_compute(
        district=market.district,
        period=WEEK,
        period_start=_due(WEEK) - datetime.timedelta(days=7),
    )
    current = _week_summary(market)
    month = labour_summary_compute(district=market.district, period=MONTH, period_start=_due(MONTH))

    sent = labour_digests_send_task.apply().get()

    assert sent == {str(current.pk): 1, str(month.pk): 1}
    older.refresh_from_db()
    assert older.digest_sent_at is None
    assert len(mail.outbox) == 2


def test_catch_up_mails_the_new_summaries_once(market):
    _subscriber("reader", market.school_a, monthly=False)

    labour_summaries_catch_up_task.apply().get()
    labour_summaries_catch_up_task.apply().get()
    labour_digests_send_task.apply().get()

    assert len(mail.outbox) == 1
    assert LabourSummary.objects.filter(digest_sent_at__isnull=False).count() == 4


def test_catch_up_keeps_the_summaries_when_the_mail_server_is_down(market):
    _subscriber("reader", market.school_a)

    with mock.patch(f"{LOCMEM}.send_messages", side_effect=ConnectionRefusedError):
        stored = labour_summaries_catch_up_task.apply().get()

    assert len(stored) == 4
    assert not LabourSummary.objects.filter(
        district=market.district, digest_sent_at__isnull=False
    ).exists()
    labour_digests_send_task.apply().get()
    assert len(mail.outbox) == 2  # the week and the month


# --- the subscription page -----------------------------------------------------------------


def test_page_offers_only_the_users_districts_and_warns_without_e_mail(client, counsellor_a, world):
    client.force_login(counsellor_a)

    response = client.get(URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert world.district.name in html
    assert "Оханский городской округ" not in html
    assert 'data-testid="digest-no-email"' in html


def test_page_has_no_warning_when_the_account_has_an_e_mail(client, counsellor_a):
    counsellor_a.email = "counsellor@example.ru"
    counsellor_a.save()
    client.force_login(counsellor_a)

    response = client.get(URL)

    assert 'data-testid="digest-no-email"' not in response.content.decode()


def test_subscribe_stores_the_choice_and_changing_it_keeps_one_row(client, counsellor_a, world):
    client.force_login(counsellor_a)

    first = client.post(URL, {"district": world.district.pk, "weekly": "on", "monthly": "on"})
    second = client.post(URL, {"district": world.district.pk, "monthly": "on"})

    assert first.status_code == second.status_code == 302
    subscription = DigestSubscription.objects.get()
    assert (subscription.user, subscription.district) == (counsellor_a, world.district)
    assert (subscription.weekly, subscription.monthly) == (False, True)
    page = client.get(URL).content.decode()
    assert "Вы подписаны на сводки района" in page
    assert "ежемесячные." in page


def test_subscribing_to_another_district_is_refused(client, counsellor_a, world):
    client.force_login(counsellor_a)
    other = world.other_district_school.district

    response = client.post(URL, {"district": other.pk, "weekly": "on"})

    assert response.status_code == 200
    assert "Подписаться можно только на сводки своего района" in response.content.decode()
    assert not DigestSubscription.objects.exists()


def test_subscribing_to_nothing_is_refused(client, counsellor_a, world):
    client.force_login(counsellor_a)

    response = client.post(URL, {"district": world.district.pk})

    assert response.status_code == 200
    assert "Выберите хотя бы одну сводку" in response.content.decode()
    assert not DigestSubscription.objects.exists()


def test_unsubscribe_deletes_the_subscription(client, counsellor_a, world):
    DigestSubscription.objects.create(user=counsellor_a, district=world.district)
    client.force_login(counsellor_a)

    response = client.post(URL, {"unsubscribe": "1"})

    assert response.status_code == 302
    assert not DigestSubscription.objects.exists()


def test_wrong_method_is_405(client, counsellor_a):
    client.force_login(counsellor_a)

    assert client.put(URL).status_code == 405


def test_page_queries_do_not_grow(client, counsellor_a, world, django_assert_max_num_queries):
    DigestSubscription.objects.create(user=counsellor_a, district=world.district)
    for k in range(30):
        f.DistrictFactory(name=f"Район {k}")
    client.force_login(counsellor_a)
    # session, user, memberships, guardian/pupil flags, subscription with its district,
    # the district choices (one query), navigation
    with django_assert_max_num_queries(12):
        response = client.get(URL)
    assert response.status_code == 200
