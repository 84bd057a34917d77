"""Career events of the demo district, seeded by resource_center.demo.

Upcoming events in the coming weeks with a few registrations, and events held in the past
months of this academic year and of the earlier ones with their registrations, attendance
and pupils' feedback. Upcoming events are found among the upcoming ones by organiser and
title, so a run after they have passed plans the next ones; past events are found by
organiser and title among the events of their academic year. Registrations, attendance and
feedback are written only for an event just created, so a re-run adds nothing twice.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Iterable, Sequence

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from guidance.models import Event, Feedback, Registration, Scale
from guidance.questionnaire_data import KLIMOV, RIASEC
from guidance.selectors.events import consented
from guidance.services.events import event_register
from resource_center import demo_data
from resource_center import demo_guidance_data as data
from resource_center.demo_people_data import HISTORY_YEARS
from resource_center.models import District, Organisation
from schools.models import Programme
from students.models import Student


def demo_events_seed(
    *,
    orgs: dict[str, Organisation],
    programmes: dict[str, Programme],
    users: dict[str, AbstractBaseUser],
    family: Sequence[int],
    year: int,
) -> None:
    """Add the missing events of the demo district (see the module docstring)."""
    # The interest types of both questionnaires (installed by demo_guidance): Klimov's codes
    # are Cyrillic, Holland's Latin, so a code names one type.
    by_code = {s.code: s for s in Scale.objects.filter(questionnaire__code__in=[KLIMOV, RIASEC])}
    events = _events_save(orgs=orgs, programmes=programmes, users=users, scales=by_code)
    # The schools with a demo counsellor, by key: their pupils are registered and tested.
    counsellors = {
        org_key: (orgs[org_key], users[username])
        for username, _first, _last, org_key, role, _position in demo_data.DEMO_STAFF
        if role == "counsellor"
    }
    _registrations_save(events=events, counsellors=counsellors, family=family, year=year)
    for back in range(HISTORY_YEARS, -1, -1):
        _past_events_save(
            year=year - back,
            current=back == 0,
            orgs=orgs,
            programmes=programmes,
            users=users,
            scales=by_code,
            counsellors=counsellors,
        )


def demo_events_counts(*, district: District) -> dict[str, int]:
    """Row counts of the district's events, registrations and feedback."""
    events = Event.objects.filter(organiser__district=district)
    return {
        "events": events.count(),
        "past_events": events.filter(starts_at__lt=timezone.now()).count(),
        "registrations": Registration.objects.filter(event__in=events).count(),
        "attended": Registration.objects.filter(event__in=events, attended=True).count(),
        "feedback": Feedback.objects.filter(registration__event__in=events).count(),
    }


def _types(scales: dict[str, Scale], codes: str) -> list[Scale]:
    return [scales[code] for code in codes.split()]


# --- upcoming events ---------------------------------------------------------------------


def _planned_start(days: int, hour: int) -> datetime.datetime:
    """A working day `days` ahead (a weekend moves to Monday), at the hour, local time."""
    day = timezone.localdate() + datetime.timedelta(days=days)
    if day.weekday() >= 5:
        day += datetime.timedelta(days=7 - day.weekday())
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _events_save(
    *,
    orgs: dict[str, Organisation],
    programmes: dict[str, Programme],
    users: dict[str, AbstractBaseUser],
    scales: dict[str, Scale],
) -> dict[str, Event]:
    """The upcoming demo events by title; the missing ones are planned from today."""
    now = timezone.now()
    upcoming = {
        (e.organiser_id, e.title): e
        for e in Event.objects.filter(
            organiser__in=orgs.values(), starts_at__gt=now, is_cancelled=False
        ).select_related("organiser")
    }
    events = {}
    for row in data.DEMO_EVENTS:
        kind, org_key, author, title, days, hour, hours, low, high, seats, public = row[:11]
        okso, codes, place, description = row[11:]
        organiser = orgs[org_key]
        event = upcoming.get((organiser.pk, title))
        if event is None:
            starts = _planned_start(days, hour)
            event = Event(
                kind=kind,
                title=title,
                organiser=organiser,
                starts_at=starts,
                ends_at=starts + datetime.timedelta(hours=hours),
                place=place,
                min_grade=low,
                max_grade=high,
                capacity=seats,
                description=description,
                programme=programmes[okso] if okso else None,
                is_public=public,
                created_by=users[author],
            )
            event.full_clean()
            event.save()
            event.interest_types.set(_types(scales, codes))
        events[title] = event
    return events


def _registrations_save(
    *,
    events: dict[str, Event],
    counsellors: dict[str, tuple[Organisation, AbstractBaseUser]],
    family: Sequence[int],
    year: int,
) -> None:
    """Counsellors register their pupils who hold every consent the event needs."""
    for title, school_key, n in data.DEMO_REGISTRATIONS:
        event = events[title]
        school, counsellor = counsellors[school_key]
        pupils = (
            Student.objects.filter(
                organisation=school,
                academic_year=year,
                is_active=True,
                grade__gte=event.min_grade,
                grade__lte=event.max_grade,
            )
            .filter(consented(event.required_consent_scopes))
            .exclude(pk__in=family)
            .order_by("last_name", "first_name", "pk")[:n]
        )
        _register(event, pupils, by=counsellor)
    event = events[data.FAMILY_EVENT]
    child = (
        Student.objects.filter(pk=family[0])
        .filter(consented(event.required_consent_scopes))
        .first()
    )
    if child is not None:
        _register(event, [child], by=_counsellor_of(counsellors)[child.organisation_id])


def _counsellor_of(
    counsellors: dict[str, tuple[Organisation, AbstractBaseUser]],
) -> dict[int, AbstractBaseUser]:
    return {org.pk: user for org, user in counsellors.values()}


def _register(event: Event, pupils: Iterable[Student], *, by: AbstractBaseUser) -> None:
    pupils = list(pupils)
    registered = set(event.registrations.values_list("student_id", flat=True))
    left = event.capacity - len(registered)
    new = [p for p in pupils if p.pk not in registered][: max(left, 0)]
    if new:
        event_register(event=event, students=new, by=by)


# --- past events with attendance and feedback ------------------------------------------------


def _past_start(*, year: int, current: bool, days: int, hour: int) -> datetime.datetime:
    """This academic year: `days` back, squeezed into the weeks since 1 September; an
    earlier one: spread over October to May. A weekend moves to the Friday before."""
    if current:
        today = timezone.localdate()
        elapsed = (today - datetime.date(year, 9, 1)).days
        back = days if elapsed >= data.PAST_EVENTS_DAYS else days * elapsed // data.PAST_EVENTS_DAYS
        day = today - datetime.timedelta(days=max(back, 1))
    else:
        day = datetime.date(year + 1, 5, 25) - datetime.timedelta(days=3 * days)
    if day.weekday() >= 5:
        day -= datetime.timedelta(days=day.weekday() - 4)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _past_events_save(
    *,
    year: int,
    current: bool,
    orgs: dict[str, Organisation],
    programmes: dict[str, Programme],
    users: dict[str, AbstractBaseUser],
    scales: dict[str, Scale],
    counsellors: dict[str, tuple[Organisation, AbstractBaseUser]],
) -> None:
    """The academic year's past events; a new one gets its registrations, marks, feedback."""
    tz = timezone.get_current_timezone()
    held = Event.objects.filter(
        organiser__in=orgs.values(),
        starts_at__gte=datetime.datetime(year, 9, 1, tzinfo=tz),
        starts_at__lt=min(datetime.datetime(year + 1, 9, 1, tzinfo=tz), timezone.now()),
    )
    have = set(held.values_list("organiser_id", "title"))
    schools_of = {org.pk: key for key, org in orgs.items()}
    by_school = {org.pk: user for org, user in counsellors.values()}
    for row in data.PAST_EVENTS:
        kind, org_key, author, title, days, hour, hours, low, high, seats, public = row[:11]
        okso, codes, place, description, school_keys, share = row[11:]
        organiser = orgs[org_key]
        if (organiser.pk, title) in have:
            continue
        starts = _past_start(year=year, current=current, days=days, hour=hour)
        event = Event(
            kind=kind,
            title=title,
            organiser=organiser,
            starts_at=starts,
            ends_at=starts + datetime.timedelta(hours=hours),
            place=place,
            min_grade=low,
            max_grade=high,
            capacity=seats,
            description=description,
            programme=programmes[okso] if okso else None,
            is_public=public,
            created_by=users[author],
        )
        event.full_clean()
        event.save()
        event.interest_types.set(_types(scales, codes))
        # Who registered: the same pupils on every run (ordered by who they are, not by id).
        pupils = list(
            Student.objects.filter(
                organisation__in=[orgs[key] for key in school_keys or _school_keys()],
                academic_year=year,
                is_active=True,
                grade__gte=low,
                grade__lte=high,
            )
            .filter(consented(event.required_consent_scopes))
            .order_by("last_name", "first_name", "patronymic", "birth_date", "organisation_id")
            .only("pk", "organisation_id")
        )
        rng = random.Random(f"nytva-demo-past-{year}-{title}")  # noqa: S311 (seeded on purpose: repeatable)
        chosen = [p for p in pupils if rng.random() < share][:seats]
        _attendance_save(
            event,
            chosen,
            rng=rng,
            current=current,
            by={pk: by_school.get(pk, users["coordinator"]) for pk in schools_of},
        )


def _school_keys() -> set[str]:
    return {spec["key"] for spec in demo_data.SCHOOLS}


def _attendance_save(
    event: Event,
    pupils: list[Student],
    *,
    rng: random.Random,
    current: bool,
    by: dict[int, AbstractBaseUser],
) -> None:
    """Registrations a week before the event, the organiser's marks and some feedback."""
    marks = list(data.ATTENDANCE) if current else [True, False]
    weights = [data.ATTENDANCE[m] for m in marks]
    registrations = Registration.objects.bulk_create(
        [
            Registration(
                event=event,
                student=pupil,
                registered_by=by[pupil.organisation_id],
                attended=rng.choices(marks, weights)[0],
            )
            for pupil in pupils
        ]
    )
    Registration.objects.filter(event=event).update(
        registered_at=event.starts_at - datetime.timedelta(days=7)
    )
    ratings = list(data.RATINGS)
    Feedback.objects.bulk_create(
        [
            Feedback(
                registration=registration,
                rating=rng.choices(ratings, list(data.RATINGS.values()))[0],
                comment=rng.choice(data.FEEDBACK_COMMENTS),
            )
            for registration in registrations
            if registration.attended and rng.random() < data.FEEDBACK_SHARE
        ]
    )
    Feedback.objects.filter(registration__event=event).update(
        created_at=event.ends_at + datetime.timedelta(hours=2)
    )
