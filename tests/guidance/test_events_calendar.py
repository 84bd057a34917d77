"""The public events calendar: list and month views, the iCalendar feed, who sees what."""

from __future__ import annotations

import datetime
import zoneinfo

import icalendar
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from guidance.models import Event
from tests import factories as f

pytestmark = pytest.mark.django_db

LIST = reverse("guidance:event_list")
ICAL = reverse("guidance:event_ical")
LOCAL = zoneinfo.ZoneInfo("Asia/Yekaterinburg")


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=LOCAL)


@pytest.fixture
def events(world, technikum_staff, counsellor_a):
    """An open technikum event, a closed school one, a cancelled one and one of another
    district that only its own people see."""
    return {
        "open": f.EventFactory(
            organiser=world.technikum, created_by=technikum_staff, title="Профпроба «Сварщик»"
        ),
        "closed": f.EventFactory(
            organiser=world.school_a, is_public=False, title="Классный час 9А"
        ),
        "cancelled": f.EventFactory(
            organiser=world.technikum, is_cancelled=True, title="Отменённый мастер-класс"
        ),
        "far": f.EventFactory(
            organiser=world.other_district_school, is_public=False, title="Оханская экскурсия"
        ),
    }


def titles(response) -> str:
    return response.content.decode()


# --- who sees what ----------------------------------------------------------------------


def test_anonymous_visitor_sees_public_events_only(client, events):
    page = titles(client.get(LIST))

    assert "Профпроба «Сварщик»" in page
    for hidden in ("Классный час 9А", "Отменённый мастер-класс", "Оханская экскурсия"):
        assert hidden not in page


@pytest.mark.parametrize("persona", ["parent_of_pupil_a", "pupil_a_user"])
def test_parents_and_pupils_see_public_events_only(request, client, events, persona):
    client.force_login(request.getfixturevalue(persona))

    page = titles(client.get(LIST))

    assert "Профпроба «Сварщик»" in page
    assert "Классный час 9А" not in page
    assert "Отменённый мастер-класс" not in page


def test_staff_see_the_closed_events_of_their_district(client, events, employer_rep):
    client.force_login(employer_rep)

    page = titles(client.get(LIST))

    assert "Классный час 9А" in page
    assert "Оханская экскурсия" not in page
    assert "Отменённый мастер-класс" not in page  # cancelled: only for its managers


def test_managers_still_see_their_cancelled_event(client, events, technikum_staff):
    client.force_login(technikum_staff)

    page = titles(client.get(LIST))

    assert "Отменённый мастер-класс" in page
    assert "отменено" in page


def test_closed_event_of_another_district_is_404(client, events, coordinator):
    client.force_login(coordinator)

    response = client.get(reverse("guidance:event_detail", args=[events["far"].uuid]))

    assert response.status_code == 404


def test_public_pages_show_no_pupil(client, events, pupil_a):
    f.RegistrationFactory(event=events["open"], student=pupil_a)

    for url in (
        LIST,
        f"{LIST}?view=month",
        reverse("guidance:event_detail", args=[events["open"].uuid]),
        ICAL,
    ):
        body = client.get(url).content.decode()
        assert pupil_a.last_name not in body, url


# --- the list ---------------------------------------------------------------------------


def test_list_shows_upcoming_events_soonest_first_and_past_ones_apart(client, world):
    now = timezone.now()
    later = f.EventFactory(
        organiser=world.technikum, title="Позже", starts_at=now + datetime.timedelta(days=9)
    )
    sooner = f.EventFactory(
        organiser=world.technikum, title="Раньше", starts_at=now + datetime.timedelta(days=2)
    )
    f.EventFactory(
        organiser=world.technikum, title="Прошло", starts_at=now - datetime.timedelta(days=3)
    )

    upcoming = titles(client.get(LIST))
    past = titles(client.get(LIST, {"period": "past"}))

    assert upcoming.index(sooner.title) < upcoming.index(later.title)
    assert "Прошло" not in upcoming
    assert "Прошло" in past
    assert "Раньше" not in past


def test_list_filters_by_kind_and_grade(client, world):
    f.EventFactory(
        organiser=world.technikum,
        title="Ярмарка для выпускников",
        kind=Event.Kind.JOB_FAIR,
        min_grade=10,
        max_grade=11,
    )
    f.EventFactory(
        organiser=world.technikum, title="Профпроба для восьмых", min_grade=8, max_grade=9
    )

    by_kind = titles(client.get(LIST, {"kind": Event.Kind.JOB_FAIR}))
    by_grade = titles(client.get(LIST, {"grade": "8"}))

    assert "Ярмарка для выпускников" in by_kind
    assert "Профпроба для восьмых" not in by_kind
    assert "Профпроба для восьмых" in by_grade
    assert "Ярмарка для выпускников" not in by_grade


@pytest.mark.parametrize(
    "params",
    [
        {"grade": "12"},
        {"grade": "abc"},
        {"kind": "party"},
        {"period": "x"},
        {"page": "-1"},
        {"page": "999"},
    ],
)
def test_wrong_filters_are_dropped_with_a_notice(client, events, params):
    response = client.get(LIST, params)

    assert response.status_code == 200
    assert "Профпроба «Сварщик»" in titles(response)
    if "page" not in params:
        assert "указаны неверно и не применены" in titles(response)


def test_list_is_paginated_and_keeps_the_filters(client, world):
    f.EventFactory.create_batch(25, organiser=world.technikum, kind=Event.Kind.TRIAL)

    response = client.get(LIST, {"kind": Event.Kind.TRIAL})

    assert len(response.context["page"]) == 20
    assert "?kind=trial&amp;page=2" in titles(response)
    assert len(client.get(LIST, {"kind": "trial", "page": "2"}).context["page"]) == 5


def test_seats_left_are_shown(client, events):
    f.RegistrationFactory.create_batch(3, event=events["open"])

    assert "свободных мест: 7" in titles(client.get(LIST))


# --- the month ----------------------------------------------------------------------------


def test_month_grid_starts_on_monday_and_puts_events_on_their_days(client, world):
    # October 2030 begins on a Tuesday.
    f.EventFactory(
        organiser=world.technikum,
        title="Октябрьская профпроба",
        starts_at=at(datetime.date(2030, 10, 15)),
    )
    f.EventFactory(
        organiser=world.technikum,
        title="Ноябрьская профпроба",
        starts_at=at(datetime.date(2030, 11, 20)),
    )

    response = client.get(LIST, {"view": "month", "month": "2030-10"})

    month = response.context["month"]
    assert month.weeks[0][0].date == datetime.date(2030, 9, 30)
    assert all(len(week) == 7 and week[0].date.weekday() == 0 for week in month.weeks)
    days = {day.date: [e.title for e in day.events] for week in month.weeks for day in week}
    assert days[datetime.date(2030, 10, 15)] == ["Октябрьская профпроба"]
    assert "Ноябрьская профпроба" not in titles(response)
    assert "Октябрь 2030" in titles(response)
    assert "month=2030-09" in titles(response)
    assert "month=2030-11" in titles(response)


def test_month_of_an_event_late_in_the_evening_is_its_local_day(client, world):
    # 23:30 in Perm is 18:30 UTC the same day, and 00:30 the next day is still local.
    f.EventFactory(
        organiser=world.technikum,
        title="Ночная",
        starts_at=at(datetime.date(2030, 10, 31), 23),
        ends_at=at(datetime.date(2030, 10, 31), 23) + datetime.timedelta(minutes=50),
    )

    month = client.get(LIST, {"view": "month", "month": "2030-10"}).context["month"]

    days = {day.date: [e.title for e in day.events] for week in month.weeks for day in week}
    assert days[datetime.date(2030, 10, 31)] == ["Ночная"]
    assert days[datetime.date(2030, 11, 1)] == []


def test_event_over_two_days_appears_on_both(client, world):
    start = at(datetime.date(2030, 10, 14))
    f.EventFactory(
        organiser=world.technikum,
        title="Двухдневная",
        starts_at=start,
        ends_at=start + datetime.timedelta(days=1),
    )

    month = client.get(LIST, {"view": "month", "month": "2030-10"}).context["month"]

    days = {day.date: [e.title for e in day.events] for week in month.weeks for day in week}
    assert days[datetime.date(2030, 10, 14)] == days[datetime.date(2030, 10, 15)] == ["Двухдневная"]


@pytest.mark.parametrize("month", ["abc", "2030-13", "2030-1", "1999-01", "2030-00", "2030-10-01"])
def test_wrong_month_shows_the_current_one_with_a_notice(client, month):
    response = client.get(LIST, {"view": "month", "month": month})

    assert response.status_code == 200
    assert "Месяц указан неверно" in titles(response)
    assert response.context["month"].first == timezone.localdate().replace(day=1)


# --- the feed ---------------------------------------------------------------------------


def test_feed_parses_back_with_local_times_and_a_link(client, world):
    event = f.EventFactory(
        organiser=world.technikum,
        title="Профпроба «Повар, кондитер»",
        place="Нытва, ул. Комсомольская, 1; кабинет 5",
        description="Готовим пиццу.",
        starts_at=at(datetime.date(2030, 10, 15), 14),
    )

    response = client.get(ICAL)

    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = icalendar.Calendar.from_ical(response.content)
    (item,) = calendar.walk("VEVENT")
    assert str(item["UID"]) == str(event.uuid)
    assert item.decoded("DTSTART") == at(datetime.date(2030, 10, 15), 14)
    assert item["DTSTART"].params["TZID"] == "Asia/Yekaterinburg"
    assert item.decoded("DTEND") - item.decoded("DTSTART") == datetime.timedelta(hours=2)
    assert str(item["SUMMARY"]) == "Профпроба: Профпроба «Повар, кондитер»"
    assert str(item["LOCATION"]) == "Нытва, ул. Комсомольская, 1; кабинет 5"
    assert "Готовим пиццу." in str(item["DESCRIPTION"])
    assert str(item["URL"]).endswith(reverse("guidance:event_detail", args=[event.uuid]))
    assert calendar.walk("VTIMEZONE")


def test_feed_leaves_out_closed_cancelled_and_old_events(client, events, world):
    f.EventFactory(
        organiser=world.technikum,
        title="Давнее",
        starts_at=timezone.now() - datetime.timedelta(days=90),
    )

    calendar = icalendar.Calendar.from_ical(client.get(ICAL).content)

    assert [str(e["SUMMARY"]) for e in calendar.walk("VEVENT")] == [
        "Профпроба: Профпроба «Сварщик»"
    ]


# --- bounded queries ----------------------------------------------------------------------


def queries_of(client, url: str, params: dict | None = None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(ctx.captured_queries)


def make_events(world, n: int) -> None:
    base = at(timezone.localdate() + datetime.timedelta(days=1))
    for i in range(n):
        event = f.EventFactory(
            organiser=world.technikum, starts_at=base + datetime.timedelta(hours=i % 200)
        )
        f.RegistrationFactory(event=event)


@pytest.mark.parametrize(
    ("persona", "url", "params", "expected"),
    [
        # the page of events with organiser and counts, and the paginator's count
        ("anonymous", LIST, None, 2),
        # the month's events with their organiser
        ("anonymous", LIST, {"view": "month"}, 1),
        # the feed's events with their organiser
        ("anonymous", ICAL, None, 1),
        # session, user; memberships, guardian, pupil (access); may they publish (one
        # EXISTS); the paginator's count; the page of events
        ("counsellor_a", LIST, None, 8),
    ],
)
def test_calendar_queries_do_not_grow_with_events(
    request, client, world, django_assert_num_queries, persona, url, params, expected
):
    user = request.getfixturevalue(persona)
    if user.is_authenticated:
        client.force_login(user)
    make_events(world, 2)
    few = queries_of(client, url, params)
    make_events(world, 38)

    assert few == expected
    with django_assert_num_queries(expected):
        client.get(url, params or {})
