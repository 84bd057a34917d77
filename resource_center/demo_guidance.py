"""The career-guidance part of the demo district, seeded by resource_center.demo.

Professions with their interest types and programmes, the programmes' and vacancies'
tags, career events in the coming weeks with a few registrations, and questionnaire
results entered from paper forms. Tags are set only where none are set yet (after that
they are the coordinator's to edit); events are found among the upcoming ones by organiser
and title; registrations and results are added only where missing. So a re-run adds
nothing twice, and a run after the events have passed plans the next ones.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Iterable, Sequence
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Prefetch
from django.utils import timezone

from employers.models import Vacancy
from guidance.models import (
    Attempt,
    Event,
    Option,
    Profession,
    Question,
    Questionnaire,
    Registration,
    Scale,
)
from guidance.questionnaire_data import KLIMOV, RIASEC, install_questionnaires
from guidance.selectors.events import consented
from guidance.services.events import event_register
from guidance.services.questionnaires import attempt_record
from resource_center import demo_data as data
from resource_center.models import District, Organisation
from schools.models import Programme
from students.models import Student


def demo_guidance_seed(
    *,
    district: District,
    orgs: dict[str, Organisation],
    programmes: dict[str, Programme],
    users: dict[str, AbstractBaseUser],
    family: Sequence[int],
    year: int,
) -> None:
    """Add the missing guidance data of the demo district (see the module docstring)."""
    questionnaires = install_questionnaires()
    scales = {s.code: s for s in Scale.objects.filter(questionnaire__in=questionnaires.values())}
    professions = _professions_save(scales=scales, programmes=programmes)
    _programme_types_save(scales=scales, programmes=programmes)
    _vacancy_professions_save(district=district, professions=professions)
    events = _events_save(orgs=orgs, programmes=programmes, users=users, scales=scales)
    # The schools with a demo counsellor, by key: their pupils are registered and tested.
    counsellors = {
        org_key: (orgs[org_key], users[username])
        for username, _first, _last, org_key, role, _position in data.DEMO_STAFF
        if role == "counsellor"
    }
    _registrations_save(events=events, counsellors=counsellors, family=family, year=year)
    _results_save(questionnaires=questionnaires, counsellors=counsellors, family=family, year=year)


def demo_guidance_counts(*, district: District) -> dict[str, int]:
    """Row counts of the district's guidance demo data (professions are shared by all)."""
    events = Event.objects.filter(organiser__district=district)
    return {
        "professions": Profession.objects.filter(title__in=_profession_titles()).count(),
        "events": events.count(),
        "registrations": Registration.objects.filter(event__in=events).count(),
        "attempts": Attempt.objects.filter(student__organisation__district=district).count(),
    }


def _types(scales: dict[str, Scale], codes: str) -> list[Scale]:
    return [scales[code] for code in codes.split()]


# --- professions and tags -----------------------------------------------------------------


def _professions_save(
    *, scales: dict[str, Scale], programmes: dict[str, Programme]
) -> dict[str, Profession]:
    """Create the missing professions with their types and programmes. An existing one (the
    default professions are installed by a migration) gets the types, programmes and ОКЗ code
    it has none of; what is set already is left alone."""
    existing = Profession.objects.filter(title__in=_profession_titles()).prefetch_related(
        "interest_types", "programmes"
    )
    saved = {p.title: p for p in existing}
    for title, okz_code, codes, okso_codes in data.PROFESSIONS_OF_DISTRICT:
        if title in saved:
            _profession_complete(
                saved[title],
                scales=scales,
                programmes=programmes,
                okz_code=okz_code,
                codes=codes,
                okso_codes=okso_codes,
            )
            continue
        profession = Profession(title=title, okz_code=okz_code)
        profession.full_clean()
        profession.save()
        profession.interest_types.set(_types(scales, codes))
        profession.programmes.set([programmes[code] for code in okso_codes])
        saved[title] = profession
    return saved


def _profession_complete(
    profession: Profession,
    *,
    scales: dict[str, Scale],
    programmes: dict[str, Programme],
    okz_code: str,
    codes: str,
    okso_codes: tuple[str, ...],
) -> None:
    if not profession.okz_code and okz_code:
        profession.okz_code = okz_code
        profession.full_clean()
        profession.save(update_fields=["okz_code"])
    if not profession.interest_types.all():
        profession.interest_types.set(_types(scales, codes))
    if not profession.programmes.all():
        profession.programmes.set([programmes[code] for code in okso_codes])


def _profession_titles() -> list[str]:
    return [row[0] for row in data.PROFESSIONS_OF_DISTRICT]


def _programme_types_save(*, scales: dict[str, Scale], programmes: dict[str, Programme]) -> None:
    untagged = Programme.objects.filter(
        pk__in=[p.pk for p in programmes.values()], interest_types__isnull=True
    )
    for programme in untagged:
        programme.interest_types.set(_types(scales, data.PROGRAMME_TYPES[programme.okso_code]))


def _vacancy_professions_save(*, district: District, professions: dict[str, Profession]) -> None:
    untagged = Vacancy.objects.filter(
        employer__district=district,
        profession__isnull=True,
        title__in=list(data.VACANCY_PROFESSIONS),
    )
    changed = []
    for vacancy in untagged:
        vacancy.profession = professions[data.VACANCY_PROFESSIONS[vacancy.title]]
        changed.append(vacancy)
    Vacancy.objects.bulk_update(changed, ["profession"])


# --- events and registrations -------------------------------------------------------------


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


# --- questionnaire results ----------------------------------------------------------------


def _results_save(
    *,
    questionnaires: dict[str, Questionnaire],
    counsellors: dict[str, tuple[Organisation, AbstractBaseUser]],
    family: Sequence[int],
    year: int,
) -> None:
    """Paper forms of the pupil login and a few pupils with consent, each leaning to a type."""
    pupils = list(Student.objects.filter(pk=family[0]).with_consent())
    pupils += list(
        Student.objects.filter(
            organisation__in=[org for org, _user in counsellors.values()],
            academic_year=year,
            grade__gte=8,
        )
        .with_consent()
        .exclude(pk__in=family)
        .order_by("last_name", "first_name", "pk")[: data.DEMO_RESULTS]
    )
    done = set(
        Attempt.objects.filter(student__in=pupils).values_list("student_id", "questionnaire_id")
    )
    options = Prefetch("options", queryset=Option.objects.select_related("scale"))
    forms = {
        code: list(Question.objects.filter(questionnaire=q).prefetch_related(options))
        for code, q in questionnaires.items()
    }
    counsellor_of = _counsellor_of(counsellors)
    for i, pupil in enumerate(pupils):
        klimov_type, riasec_types = data.LEANINGS[i % len(data.LEANINGS)]
        seed = f"nytva-demo-answers-{pupil.last_name}-{pupil.first_name}-{pupil.birth_date}"
        rng = random.Random(seed)  # noqa: S311 (seeded on purpose: repeatable)
        answers = {
            KLIMOV: [_klimov_answer(q, klimov_type, rng) for q in forms[KLIMOV]],
            RIASEC: [_riasec_answer(q, riasec_types, rng) for q in forms[RIASEC]],
        }
        for code, option_ids in answers.items():
            questionnaire = questionnaires[code]
            if (pupil.pk, questionnaire.pk) in done:
                continue
            attempt_record(
                questionnaire=questionnaire,
                student=pupil,
                option_ids=option_ids,
                source=Attempt.Source.PAPER,
                by=counsellor_of[pupil.organisation_id],
                completed_at=timezone.now() - datetime.timedelta(days=3 + i),
            )


def _klimov_answer(question: Question, leaning: str, rng: random.Random) -> int:
    """The option of the pupil's type when the pair offers it, otherwise either one."""
    options: list[Any] = list(question.options.all())
    liked = [o for o in options if o.scale and o.scale.code == leaning]
    return (liked or [rng.choice(options)])[0].pk


def _riasec_answer(question: Question, leanings: str, rng: random.Random) -> int:
    """«Да» to the pupil's types; otherwise «нет» more often than «не знаю» or «да»."""
    options = sorted(question.options.all(), key=lambda o: -o.points)
    scale = next((o.scale for o in options if o.scale), None)
    if scale and scale.code in leanings:
        return options[0].pk
    return rng.choices(options, weights=range(1, len(options) + 1))[0].pk
