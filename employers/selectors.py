"""Reads of placements and mentors' evaluations shaped for their pages."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import Avg, Exists, OuterRef, QuerySet, Subquery
from django.utils.formats import date_format

from employers.models import DualTrainingPlace, Evaluation, Placement, PlacementTransition
from resource_center import access
from schools.models import Competence, Programme
from students.models import Student, active_consent

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser


# --- proposing students -------------------------------------------------------------------


def proposal_candidates_for(*, place: DualTrainingPlace) -> QuerySet[Student]:
    """Current students of the place's technikum and programme, by group and name (one
    query), with ``consents`` flags per scope a placement needs (``has_processing``,
    ``has_transfer_employers``) and ``open_here`` (an open placement at this place already)."""
    consents = {
        f"has_{scope}": active_consent(scope) for scope in Placement.REQUIRED_CONSENT_SCOPES
    }
    return (
        Student.objects.technikum_students()
        .current()
        .filter(organisation_id=place.programme.technikum_id, programme_id=place.programme_id)
        .annotate(
            **consents,
            open_here=Exists(
                Placement.objects.filter(
                    place=place, student=OuterRef("pk"), status__in=Placement.OPEN
                )
            ),
        )
        .only(
            "uuid",
            "organisation_id",
            "programme_id",
            "last_name",
            "first_name",
            "patronymic",
            "birth_date",
            "grade",
            "class_letter",
            "academic_year",
            "is_active",
        )
        .order_by("grade", "class_letter", "last_name", "first_name", "patronymic", "pk")
    )


def active_scopes_of(student: Student) -> set[str]:
    """The consent scopes a candidate holds, read from proposal_candidates_for's flags."""
    return {
        scope
        for scope in Placement.REQUIRED_CONSENT_SCOPES
        if getattr(student, f"has_{scope}", False)
    }


# --- the list of placements ---------------------------------------------------------------


def placement_list_for(
    *,
    user: AbstractBaseUser,
    status: str | None = None,
    place: DualTrainingPlace | None = None,
    programme: Programme | None = None,
) -> QuerySet[Placement]:
    """The user's placements, newest first, with student, place, employer and programme (one
    query with JOINs) and the latest evaluation's date and average mark (``latest_on``,
    ``latest_average``: subqueries); narrowed by status, place and programme."""
    latest = (
        Evaluation.objects.filter(placement=OuterRef("pk"))
        .annotate(average=Avg("marks__mark"))
        .order_by("-evaluated_on", "-pk")
    )
    qs = access.placements_visible_to(user)
    if status:
        qs = qs.filter(status=status)
    if place is not None:
        qs = qs.filter(place=place)
    if programme is not None:
        qs = qs.filter(place__programme=programme)
    return (
        qs.select_related("student", "place", "place__employer", "place__programme")
        .annotate(
            latest_on=Subquery(latest.values("evaluated_on")[:1]),
            latest_average=Subquery(latest.values("average")[:1]),
        )
        .only(
            "uuid",
            "status",
            "contract_number",
            "contract_date",
            "created_at",
            "updated_at",
            "student__uuid",
            "student__last_name",
            "student__first_name",
            "student__patronymic",
            "student__grade",
            "student__class_letter",
            "place__uuid",
            "place__workplace",
            "place__employer__short_name",
            "place__programme__okso_code",
            "place__programme__title",
        )
        .order_by("-created_at", "-pk")
    )


def placement_filter_choices_for(
    *, user: AbstractBaseUser
) -> tuple[QuerySet[DualTrainingPlace], QuerySet[Programme]]:
    """The places and programmes of the user's placements, for the list's filters (lazy:
    one query each when the form is rendered)."""
    visible = access.placements_visible_to(user)
    places = (
        DualTrainingPlace.objects.filter(pk__in=visible.values("place_id"))
        .select_related("employer")
        .order_by("employer__short_name", "workplace", "starts_on")
    )
    programmes = Programme.objects.filter(pk__in=visible.values("place__programme_id")).order_by(
        "okso_code", "title"
    )
    return places, programmes


# --- one placement ------------------------------------------------------------------------


@dataclass
class EvaluationRow:
    evaluation: Evaluation
    marks: list[int | None]
    average: float | None


@dataclass
class PlacementPage:
    history: list[PlacementTransition]
    competences: list[Competence]
    evaluations: list[EvaluationRow]
    chart: dict[str, object] = field(default_factory=dict)


def placement_page_for(*, placement: Placement) -> PlacementPage:
    """A placement's history with who made each step (one query), the competences of its
    programme (one query) and its evaluations by date with their marks (two queries) and
    the average mark of each (in the database)."""
    history = list(
        PlacementTransition.objects.filter(placement=placement)
        .select_related("by")
        .order_by("at", "pk")
    )
    competences = list(Competence.objects.filter(programme_id=placement.place.programme_id))
    evaluations = (
        Evaluation.objects.filter(placement=placement)
        .select_related("by")
        .prefetch_related("marks")
        .annotate(average=Avg("marks__mark"))
        .order_by("evaluated_on", "pk")
    )
    rows = []
    for evaluation in evaluations:
        by_competence = {m.competence_id: m.mark for m in evaluation.marks.all()}
        average = round(evaluation.average, 2) if evaluation.average is not None else None
        rows.append(
            EvaluationRow(
                evaluation=evaluation,
                marks=[by_competence.get(c.pk) for c in competences],
                average=average,
            )
        )
    charted = [row for row in rows if row.average is not None]
    chart = {
        "labels": [date_format(row.evaluation.evaluated_on, "d.m.Y") for row in charted],
        "averages": [row.average for row in charted],
    }
    return PlacementPage(history=history, competences=competences, evaluations=rows, chart=chart)
