"""What the labour market keeps doing while Redis is down, and how the schedule catches up."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from labour.models import LabourSummary
from labour.services.summaries import (
    CATCH_UP_LIMIT,
    labour_summaries_catch_up,
    labour_summaries_due,
    labour_summary_compute,
)
from labour.tasks_summaries import labour_summaries_catch_up_task, labour_summary_task
from resource_center.celery import app
from tests import factories as f

pytestmark = pytest.mark.django_db

WEEK = LabourSummary.Period.WEEK
MONTH = LabourSummary.Period.MONTH
# Port 1 is closed: connections are refused at once.
REDIS_DOWN = "redis://127.0.0.1:1/0"


def _noon(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


# --- Redis down --------------------------------------------------------------------------------


@pytest.fixture
def redis_down(settings, monkeypatch):
    """The production configuration (Redis for broker and cache) with Redis stopped."""
    monkeypatch.setitem(app.conf, "broker_url", REDIS_DOWN)
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_DOWN,
        }
    }


@pytest.fixture
def stored_summary(world):
    today = timezone.localdate()
    week_start = dict(labour_summaries_due(today=today))[WEEK]
    for k in range(13):
        f.VacancyFactory(
            employer=world.employer, published_at=_noon(week_start) - datetime.timedelta(days=k)
        )
    for period, start in labour_summaries_due(today=today):
        labour_summary_compute(district=world.district, period=period, period_start=start)
    return LabourSummary.objects.get(district=world.district, period=WEEK, period_start=week_start)


def test_labour_pages_show_the_last_summary_while_redis_is_down(
    client, counsellor_a, stored_summary, redis_down
):
    client.force_login(counsellor_a)

    overview = client.get(reverse("labour:overview"))
    balance = client.get(reverse("labour:balance"))
    in_demand = client.get(reverse("labour:in_demand"))

    assert (overview.status_code, balance.status_code, in_demand.status_code) == (200, 200, 200)
    value = re.search(
        r'data-testid="figure-vacancies-open-value">\s*([^<]*?)\s*<', overview.content.decode()
    )
    assert value is not None
    assert value.group(1) == str(stored_summary.vacancies_open)
    assert stored_summary.vacancies_open == 13


def test_health_page_names_the_broker_while_redis_is_down(client, redis_down):
    response = client.get(reverse("health"))

    assert response.status_code == 503
    assert "broker unreachable" in response.content.decode()


# --- the catch-up after an outage -------------------------------------------------------------


def _stored_periods() -> set[tuple[int, str, datetime.date]]:
    return set(LabourSummary.objects.values_list("district_id", "period", "period_start"))


def test_catch_up_after_an_outage_computes_every_missed_period_once(world):
    today = datetime.date(2026, 3, 18)  # Wednesday; last complete week 9–15 March
    before_outage = datetime.date(2026, 1, 20)
    for period, start in labour_summaries_due(today=before_outage):
        labour_summary_compute(district=world.district, period=period, period_start=start)
    # Before the outage: the week of 12 January and December. Missed: the weeks of 19 January
    # to 9 March (eight) and the months January and February.
    missed_weeks = [datetime.date(2026, 1, 19) + datetime.timedelta(weeks=k) for k in range(8)]
    missed_months = [datetime.date(2026, 1, 1), datetime.date(2026, 2, 1)]

    first = labour_summaries_catch_up(today=today)
    second = labour_summaries_catch_up(today=today)

    own = {(s.period, s.period_start) for s in first if s.district_id == world.district.pk}
    assert own == {(WEEK.value, d) for d in missed_weeks} | {
        (MONTH.value, d) for d in missed_months
    }
    assert len(first) == len({s.pk for s in first})  # each once
    # The other district had no summary at all: it starts with the last complete periods.
    other = world.other_district_school.district
    assert {(s.period, s.period_start) for s in first if s.district_id == other.pk} == {
        (WEEK.value, datetime.date(2026, 3, 9)),
        (MONTH.value, datetime.date(2026, 2, 1)),
    }
    assert second == []
    assert LabourSummary.objects.count() == 2 + len(first)


def test_catch_up_goes_no_further_back_than_its_limit(world):
    labour_summary_compute(
        district=world.district, period=WEEK, period_start=datetime.date(2020, 1, 6)
    )

    stored = labour_summaries_catch_up(today=datetime.date(2026, 3, 18))

    weeks = [s for s in stored if s.district_id == world.district.pk and s.period == WEEK]
    assert len(weeks) == CATCH_UP_LIMIT[WEEK]
    assert max(s.period_start for s in weeks) == datetime.date(2026, 3, 9)


def test_catch_up_task_twice_gives_the_same_rows(world):
    f.VacancyFactory(
        employer=world.employer, published_at=timezone.now() - datetime.timedelta(days=60)
    )

    first = labour_summaries_catch_up_task.apply().get()
    rows = sorted(
        LabourSummary.objects.values_list(
            "pk", "district_id", "period", "period_start", "vacancies_open", "figures"
        )
    )
    second = labour_summaries_catch_up_task.apply().get()

    assert len(first) == 4
    assert second == []
    assert (
        sorted(
            LabourSummary.objects.values_list(
                "pk", "district_id", "period", "period_start", "vacancies_open", "figures"
            )
        )
        == rows
    )


def test_summary_task_run_twice_stores_the_same_result(world):
    f.VacancyFactory(
        employer=world.employer, published_at=timezone.now() - datetime.timedelta(days=60)
    )

    first = labour_summary_task.apply(args=(WEEK.value,)).get()
    figures = dict(LabourSummary.objects.values_list("pk", "figures"))
    second = labour_summary_task.apply(args=(WEEK.value,)).get()

    assert first == second
    assert dict(LabourSummary.objects.values_list("pk", "figures")) == figures
    assert LabourSummary.objects.count() == 2  # two districts, one week


def test_digest_task_retries_transient_mail_errors():
    from labour.tasks_summaries import labour_digests_send_task

    assert labour_digests_send_task.acks_late is True
    assert labour_digests_send_task.max_retries > 0
    assert "SMTPException" in repr(labour_digests_send_task.autoretry_for)
