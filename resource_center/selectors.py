"""Reads shaped for the home pages: each returns exactly the figures its panel shows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Count, Q, QuerySet, Sum

from employers.models import DualTrainingPlace, Placement, Vacancy
from guidance.models import Event
from resource_center import access
from resource_center.models import Organisation
from schools.models import Programme
from students.models import Consent, Student, current_academic_year

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

# Counts below this are hidden from the administration so no child can be singled out.
SMALL_COUNT_THRESHOLD = 5

_ACTIVE_PROCESSING = Q(
    consents__scope=Consent.Scope.PROCESSING, consents__withdrawn_at__isnull=True
)


def suppress_small(value: int | None) -> int | None:
    """None for a count from 1 to 4; zero and larger counts pass unchanged."""
    if value is None or value == 0 or value >= SMALL_COUNT_THRESHOLD:
        return value
    return None


@dataclass(frozen=True)
class GradeRow:
    grade: int
    total: int | None
    with_consent: int | None
    with_questionnaire: int | None = None


def pupils_by_grade(*, students: QuerySet[Student], suppress: bool = False) -> list[GradeRow]:
    """Current-year students by grade, with how many have active processing consent (one query)."""
    rows = (
        students.current()
        .values("grade")
        .annotate(
            total=Count("id", distinct=True),
            with_consent=Count("id", filter=_ACTIVE_PROCESSING, distinct=True),
        )
        .order_by("grade")
    )
    shown = suppress_small if suppress else (lambda v: v)
    return [GradeRow(r["grade"], shown(r["total"]), shown(r["with_consent"])) for r in rows]


def school_panels(*, schools: QuerySet[Organisation]) -> list[dict]:
    """For each school: its pupils by grade (with consent, with a completed questionnaire)
    and the totals (two queries in all)."""
    schools = list(schools)
    rows = (
        Student.objects.current()
        .filter(organisation__in=schools)
        .values("organisation_id", "grade")
        .annotate(
            total=Count("id", distinct=True),
            with_consent=Count("id", filter=_ACTIVE_PROCESSING, distinct=True),
            with_questionnaire=Count("id", filter=Q(attempts__isnull=False), distinct=True),
        )
        .order_by("organisation_id", "grade")
    )
    by_school: dict[int, list[GradeRow]] = {s.pk: [] for s in schools}
    for r in rows:
        by_school[r["organisation_id"]].append(
            GradeRow(r["grade"], r["total"], r["with_consent"], r["with_questionnaire"])
        )
    return [
        {
            "school": s,
            "grades": by_school[s.pk],
            "total": sum(g.total or 0 for g in by_school[s.pk]),
            "with_consent": sum(g.with_consent or 0 for g in by_school[s.pk]),
            "with_questionnaire": sum(g.with_questionnaire or 0 for g in by_school[s.pk]),
        }
        for s in schools
    ]


def technikum_panel(*, technikum_ids: set[int]) -> dict:
    """Programmes with budget seats and current students, dual places and placements by status."""
    programmes = (
        Programme.objects.filter(technikum_id__in=technikum_ids)
        .annotate(
            student_count=Count(
                "students",
                filter=Q(students__academic_year=current_academic_year(), students__is_active=True),
            ),
            place_count=Count("dual_places", distinct=True),
        )
        .order_by("okso_code")
    )
    places = DualTrainingPlace.objects.filter(programme__technikum_id__in=technikum_ids)
    return {
        "programmes": programmes,
        "places": places.aggregate(count=Count("id"), seats=Sum("seats")),
        "placements": _placements_by_status(Placement.objects.filter(place__in=places)),
    }


def employer_panel(*, employer_ids: set[int]) -> dict:
    """The employer's vacancies by status, its dual places and its placed students."""
    places = DualTrainingPlace.objects.filter(employer_id__in=employer_ids)
    return {
        "vacancies": dict(
            Vacancy.objects.filter(employer_id__in=employer_ids)
            .values_list("status")
            .annotate(n=Count("id"))
            .order_by()
        ),
        "places": places.aggregate(count=Count("id"), seats=Sum("seats")),
        "placements": _placements_by_status(Placement.objects.filter(place__in=places)),
    }


def district_vacancies_panel(*, district_ids: set[int]) -> dict:
    """Published vacancies of the district: totals, for minors, summer jobs, top employers."""
    published = Vacancy.objects.published().filter(employer__district_id__in=district_ids)
    return {
        "totals": published.aggregate(
            total=Count("id"),
            for_minors=Count("id", filter=Q(for_minors=True)),
            summer=Count("id", filter=Q(is_summer_job=True)),
        ),
        "top_employers": published.values("employer__short_name")
        .annotate(n=Count("id"))
        .order_by("-n", "employer__short_name")[:5],
    }


def vacancies_on_moderation(*, district_ids: set[int]) -> int:
    """How many vacancies of the districts' employers wait for the coordinator (one query)."""
    return Vacancy.objects.filter(
        status=Vacancy.Status.MODERATION, employer__district_id__in=district_ids
    ).count()


def district_panel(*, district_ids: set[int], suppress: bool) -> dict:
    """District totals; with suppress, counts of children from 1 to 4 are hidden."""
    students = Student.objects.filter(organisation__district_id__in=district_ids)
    orgs = dict(
        Organisation.objects.filter(district_id__in=district_ids, is_active=True)
        .values_list("kind")
        .annotate(n=Count("id"))
        .order_by()
    )
    places = DualTrainingPlace.objects.filter(employer__district_id__in=district_ids)
    shown = suppress_small if suppress else (lambda v: v)
    technikum_students = students.current().technikum_students().count()
    return {
        "organisations": [(kind.label, orgs.get(kind.value, 0)) for kind in Organisation.Kind],
        "pupils_by_grade": pupils_by_grade(students=students.pupils(), suppress=suppress),
        "technikum_students": shown(technikum_students),
        "programmes": Programme.objects.published()
        .filter(technikum__district_id__in=district_ids)
        .aggregate(count=Count("id"), budget_seats=Sum("budget_seats")),
        "places": places.aggregate(count=Count("id"), seats=Sum("seats")),
        "active_placements": shown(
            Placement.objects.filter(place__in=places, status__in=Placement.SEAT_HOLDING).count()
        ),
        "vacancies": district_vacancies_panel(district_ids=district_ids)["totals"],
    }


def upcoming_events(*, user: AbstractBaseUser | AnonymousUser, limit: int = 5) -> list[Event]:
    """The nearest career events the user may see, with their organiser (one query)."""
    return list(
        access.events_visible_to(user)
        .upcoming()
        .select_related("organiser")
        .order_by("starts_at", "pk")[:limit]
    )


def _placements_by_status(placements: QuerySet[Placement]) -> list[tuple[str, int]]:
    counts = dict(placements.values_list("status").annotate(n=Count("id")).order_by())
    return [(s.label, counts.get(s.value, 0)) for s in Placement.Status]
