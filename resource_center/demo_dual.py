"""The dual-training part of the demo district beyond places and placements (those are in
resource_center.demo): the programmes' competences, a draft and a closed place, the history
of every placement and mentors' evaluations of the students training at the demo employer.

Competences are added while a programme has none and the unpublished places are created
once (after that both are the technikum's to edit); history is written only for a
placement without any, evaluations only for a placement without any. So a re-run adds
nothing twice.
"""

from __future__ import annotations

import datetime
import random
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count
from django.utils import timezone

from employers.models import DualTrainingPlace, Evaluation, Placement, PlacementTransition
from employers.services.placements import evaluation_record
from resource_center import demo_data as data
from resource_center.models import District, Organisation
from schools.models import Competence, Programme

Status = Placement.Status

# The steps that led a demo placement to its status: (from, to, side, days from the place's
# start, hour). Proposals go out in June, employers answer within a week or two, contracts
# are signed on the first day (the demo contract date) and the training starts that day.
_PATHS: dict[str, list[tuple[str, str, str, int, int]]] = {
    Status.PROPOSED: [("", Status.PROPOSED, "technikum", -75, 10)],
    Status.AGREED: [
        ("", Status.PROPOSED, "technikum", -75, 10),
        (Status.PROPOSED, Status.AGREED, "employer", -68, 14),
    ],
    Status.CONTRACT_SIGNED: [
        ("", Status.PROPOSED, "technikum", -75, 10),
        (Status.PROPOSED, Status.AGREED, "employer", -68, 14),
        (Status.AGREED, Status.CONTRACT_SIGNED, "technikum", 0, 9),
    ],
    Status.ACTIVE: [
        ("", Status.PROPOSED, "technikum", -75, 10),
        (Status.PROPOSED, Status.AGREED, "employer", -68, 14),
        (Status.AGREED, Status.CONTRACT_SIGNED, "technikum", 0, 9),
        (Status.CONTRACT_SIGNED, Status.ACTIVE, "technikum", 0, 11),
    ],
    Status.COMPLETED: [
        ("", Status.PROPOSED, "technikum", -75, 10),
        (Status.PROPOSED, Status.AGREED, "employer", -68, 14),
        (Status.AGREED, Status.CONTRACT_SIGNED, "technikum", 0, 9),
        (Status.CONTRACT_SIGNED, Status.ACTIVE, "technikum", 0, 11),
        (Status.ACTIVE, Status.COMPLETED, "technikum", 0, 16),
    ],
    Status.DECLINED: [
        ("", Status.PROPOSED, "technikum", -75, 10),
        (Status.PROPOSED, Status.DECLINED, "employer", -70, 15),
    ],
    Status.TERMINATED: [
        ("", Status.PROPOSED, "technikum", -75, 10),
        (Status.PROPOSED, Status.AGREED, "employer", -68, 14),
        (Status.AGREED, Status.TERMINATED, "technikum", -5, 12),
    ],
}
MAX_EVALUATIONS = 4


def demo_dual_seed(
    *,
    orgs: dict[str, Organisation],
    programmes: dict[str, Programme],
    users: dict[str, AbstractBaseUser],
    year: int,
) -> None:
    """Add the missing dual-training demo data (see the module docstring)."""
    _competences_save(programmes=programmes)
    _unpublished_places_save(orgs=orgs, programmes=programmes, year=year)
    places = DualTrainingPlace.objects.filter(
        programme__in=programmes.values(), employer__in=orgs.values()
    )
    _history_save(places=places, technikum=users["technikum"], employer=users["employer"])
    employer_key = next(row[3] for row in data.DEMO_STAFF if row[0] == "employer")
    _evaluations_save(places=places.filter(employer=orgs[employer_key]), by=users["employer"])


def demo_dual_counts(*, district: District) -> dict[str, int]:
    """Row counts of the district's dual-training demo data beyond places and placements."""
    placements = Placement.objects.filter(place__employer__district=district)
    return {
        "competences": Competence.objects.filter(programme__technikum__district=district).count(),
        "placement_steps": PlacementTransition.objects.filter(placement__in=placements).count(),
        "evaluations": Evaluation.objects.filter(placement__in=placements).count(),
    }


def _competences_save(*, programmes: dict[str, Programme]) -> None:
    have = set(
        Competence.objects.filter(programme__in=programmes.values()).values_list(
            "programme_id", flat=True
        )
    )
    Competence.objects.bulk_create(
        [
            Competence(programme=programme, title=title, order=n)
            for okso, titles in data.COMPETENCES.items()
            if (programme := programmes[okso]).pk not in have
            for n, title in enumerate(titles, start=1)
        ]
    )


def _unpublished_places_save(
    *, orgs: dict[str, Organisation], programmes: dict[str, Programme], year: int
) -> None:
    for okso, employer, workplace, mentor, position, seats, status in data.UNPUBLISHED_PLACES:
        starts_on = datetime.date(year, 9, 1)
        key = dict(programme=programmes[okso], employer=orgs[employer], workplace=workplace)
        if DualTrainingPlace.objects.filter(**key, starts_on=starts_on).exists():
            continue
        place = DualTrainingPlace(
            **key,
            starts_on=starts_on,
            ends_on=datetime.date(year + 1, 6, 30),
            mentor_name=mentor,
            mentor_position=position,
            seats=seats,
            status=status,
            schedule="2 дня на предприятии / 3 дня в техникуме",
        )
        place.full_clean()
        place.save()


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    moment = datetime.datetime.combine(day, datetime.time(hour))
    return timezone.make_aware(moment, timezone.get_current_timezone())


def _history_save(*, places: Any, technikum: AbstractBaseUser, employer: AbstractBaseUser) -> None:
    """The steps behind each placement without a history, by the demo technikum and employer
    logins, dated around the start of the place's period (never after now)."""
    placements = list(
        Placement.objects.filter(place__in=places)
        .annotate(steps=Count("history"))
        .filter(steps=0)
        .select_related("place")
        .order_by("pk")
    )
    by = {"technikum": technikum, "employer": employer}
    now = timezone.now()
    steps, moments = [], []
    for placement in placements:
        for from_status, to_status, side, days, hour in _PATHS[placement.status]:
            comment = ""
            if to_status in Placement.NEEDS_REASON:
                comment = placement.reason
            elif to_status == Status.CONTRACT_SIGNED:
                comment = f"Ученический договор № {placement.contract_number} от " + (
                    f"{placement.contract_date:%d.%m.%Y}"
                )
            steps.append(
                PlacementTransition(
                    placement=placement,
                    from_status=from_status,
                    to_status=to_status,
                    by=by[side],
                    comment=comment,
                )
            )
            start = placement.place.starts_on
            moments.append(min(_at(start + datetime.timedelta(days=days), hour), now))
    # `at` is set on insert; the dates of the story are written afterwards.
    PlacementTransition.objects.bulk_create(steps)
    for step, moment in zip(steps, moments, strict=True):
        step.at = moment
    PlacementTransition.objects.bulk_update(steps, ["at"])


def _evaluation_days(start: datetime.date, last: datetime.date, n: int) -> list[datetime.date]:
    """Up to n distinct days spread evenly from a week after the start until the last day."""
    first = min(start + datetime.timedelta(days=7), last)
    span = (last - first).days
    count = min(n, span + 1)
    return sorted({first + datetime.timedelta(days=span * (k + 1) // count) for k in range(count)})


def _evaluations_save(*, places: Any, by: AbstractBaseUser) -> None:
    """Two to four evaluations over time of each active placement without any, recorded as
    the mentor's side records them (through the service, with its audit rows); the marks
    grow a little as the student settles in."""
    today = timezone.localdate()
    placements = list(
        Placement.objects.filter(place__in=places, status=Status.ACTIVE)
        .annotate(evaluated=Count("evaluations"))
        .filter(evaluated=0)
        .select_related("place", "place__programme")
        .order_by("pk")
    )
    competences: dict[int, list[int]] = {}
    for competence in Competence.objects.filter(programme__dual_places__in=places).distinct():
        competences.setdefault(competence.programme_id, []).append(competence.pk)
    for placement in placements:
        place = placement.place
        wanted = competences.get(place.programme_id)
        if not wanted or place.starts_on > today:
            continue
        rng = random.Random(f"nytva-demo-evaluation-{placement.pk}")  # noqa: S311 (repeatable)
        last = min(today, place.ends_on)
        days = _evaluation_days(place.starts_on, last, rng.randint(2, MAX_EVALUATIONS))
        level = rng.choice((3, 3, 4))
        for n, day in enumerate(days):
            marks = {pk: max(1, min(5, level + rng.choice((-1, 0, 0, 1)))) for pk in wanted}
            evaluation_record(
                placement=placement,
                by=by,
                evaluated_on=day,
                hours_worked=rng.choice((48, 56, 64, 72)),
                marks=marks,
                comment=data.EVALUATION_COMMENTS[
                    (n + placement.pk) % len(data.EVALUATION_COMMENTS)
                ],
            )
            level = min(5, level + rng.choice((0, 1)))
