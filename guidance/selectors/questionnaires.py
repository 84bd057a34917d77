"""Reads of questionnaires, their assignments and results, shaped for their pages."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Count, F, Prefetch, Q, QuerySet, Window
from django.db.models.functions import Lag
from django.utils import timezone
from django.utils.translation import gettext

from guidance.models import (
    Assignment,
    AssignmentBatch,
    Attempt,
    AttemptScore,
    Band,
    Option,
    Question,
    Questionnaire,
    Scale,
)
from resource_center import access
from students.models import Consent, Student, active_consent

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser


def scores_ranked(pairs: Iterable[tuple[Scale, int]]) -> list[tuple[Scale, int]]:
    """Highest score first; equal scores by Scale.order, then code, so ties always break
    the same way."""
    return sorted(pairs, key=lambda p: (-p[1], p[0].order, p[0].code))


# --- questionnaires ------------------------------------------------------------------


def questionnaires_active() -> QuerySet[Questionnaire]:
    """Questionnaires in use, by title (one query)."""
    return Questionnaire.objects.active().order_by("title")


def questions_of(*, questionnaire: Questionnaire) -> list[Question]:
    """The questions in order with their options prefetched in order (two queries)."""
    return list(
        Question.objects.filter(questionnaire=questionnaire)
        .order_by("number")
        .prefetch_related(Prefetch("options", queryset=Option.objects.order_by("order", "pk")))
    )


# --- assignment ----------------------------------------------------------------------


@dataclass(frozen=True)
class ClassTarget:
    """A class (or technikum group) of the current year to which a questionnaire is given."""

    organisation_id: int
    organisation_name: str
    grade: int
    class_letter: str
    total: int
    with_consent: int

    @property
    def key(self) -> str:
        return f"{self.organisation_id}:{self.grade}:{self.class_letter}"

    @property
    def class_name(self) -> str:
        return f"{self.grade}{self.class_letter}"

    @property
    def title(self) -> str:
        return f"{self.class_name} ({self.organisation_name})"


def assignment_targets_for(*, user: AbstractBaseUser) -> list[ClassTarget]:
    """Current-year classes of the students the user edits, with how many pupils each has
    and how many of them have an active processing consent (one grouped query)."""
    rows = (
        access.students_editable_by(user)
        .current()
        .values("organisation_id", "organisation__short_name", "grade", "class_letter")
        .annotate(
            total=Count("pk"),
            with_consent=Count("pk", filter=Q(active_consent(Consent.Scope.PROCESSING))),
        )
        .order_by("organisation__short_name", "organisation_id", "grade", "class_letter")
    )
    return [
        ClassTarget(
            organisation_id=r["organisation_id"],
            organisation_name=r["organisation__short_name"],
            grade=r["grade"],
            class_letter=r["class_letter"],
            total=r["total"],
            with_consent=r["with_consent"],
        )
        for r in rows
    ]


def class_students_for(*, user: AbstractBaseUser, target: ClassTarget) -> list[Student]:
    """The class's current students the user edits, with ``has_consent``, by name (one
    query)."""
    return list(
        access.students_editable_by(user)
        .current()
        .filter(
            organisation_id=target.organisation_id,
            grade=target.grade,
            class_letter=target.class_letter,
        )
        .annotate_consent()
        .order_by("last_name", "first_name", "patronymic", "pk")
    )


def student_has_consent(*, student: Student) -> bool:
    """Whether the student has an active processing consent (one query)."""
    return Student.objects.with_consent().filter(pk=student.pk).exists()


def assignment_batches_for(*, user: AbstractBaseUser) -> QuerySet[AssignmentBatch]:
    """The user's organisations' batches, newest first, with the questionnaire, the school
    and who assigned it (JOINs) and ``total`` and ``done`` counts of codes (one grouped
    query per page)."""
    return (
        access.assignment_batches_visible_to(user)
        .select_related("questionnaire", "organisation", "created_by")
        .annotate(
            total=Count("assignments"),
            done=Count("assignments", filter=Q(assignments__used_at__isnull=False)),
        )
        .order_by("-created_at", "-pk")
    )


def assignment_rows_for(*, batch: AssignmentBatch) -> list[Assignment]:
    """The batch's codes with their pupil, the attempt made with each (JOINs) and the
    pupil's ``has_consent``, by name (one query)."""
    return list(
        batch.assignments.select_related("student", "attempt")
        .annotate(has_consent=active_consent(Consent.Scope.PROCESSING, "student_id"))
        .order_by("student__last_name", "student__first_name", "student__patronymic", "pk")
    )


def assignment_by_code(*, code: str) -> Assignment | None:
    """The assignment of a normalised code with its batch, questionnaire and pupil (JOINs)
    and the pupil's ``has_consent`` (one query), or None."""
    return (
        Assignment.objects.select_related("batch", "batch__questionnaire", "student")
        .annotate(has_consent=active_consent(Consent.Scope.PROCESSING, "student_id"))
        .filter(code=code)
        .first()
    )


# --- results -------------------------------------------------------------------------


@dataclass
class ScoreRow:
    scale: Scale
    score: int
    previous: int | None = None
    band: Band | None = None

    @property
    def delta(self) -> int | None:
        return None if self.previous is None else self.score - self.previous


@dataclass
class HistoryRow:
    attempt: Attempt
    cells: list[ScoreRow]
    is_current: bool


@dataclass
class ResultPage:
    attempt: Attempt
    ranked: list[ScoreRow]  # highest first
    leading: list[ScoreRow]
    # Scales outside the leading ones with as many points as the last leading one.
    tied: list[ScoreRow]
    history: list[HistoryRow]  # oldest first
    scales: list[Scale]  # in the questionnaire's order
    bands: list[Band]
    previous: Attempt | None
    chart: dict[str, Any] = field(default_factory=dict)


def _band_of(bands: list[Band], score: int) -> Band | None:
    return next((b for b in bands if b.min_score <= score <= b.max_score), None)


def result_page_for(*, attempt: Attempt) -> ResultPage:
    """A result with its ranked scores, the bands of the questionnaire and the history of
    the student's attempts of the same questionnaire, each score with the one of the
    attempt before (SQL window function): two queries, whatever the history."""
    questionnaire = attempt.questionnaire
    bands = list(Band.objects.filter(questionnaire=questionnaire).order_by("min_score"))
    score_rows = list(
        AttemptScore.objects.filter(
            attempt__student_id=attempt.student_id, attempt__questionnaire_id=questionnaire.pk
        )
        .select_related("scale", "attempt")
        .annotate(
            previous=Window(
                Lag("score"),
                partition_by=[F("scale_id")],
                order_by=[F("attempt__completed_at").asc(), F("attempt_id").asc()],
            )
        )
        .order_by("attempt__completed_at", "attempt_id", "scale__order", "scale__code")
    )
    history: dict[int, HistoryRow] = {}
    for row in score_rows:
        entry = history.setdefault(
            row.attempt_id, HistoryRow(row.attempt, [], row.attempt_id == attempt.pk)
        )
        entry.cells.append(ScoreRow(row.scale, row.score, row.previous, _band_of(bands, row.score)))
    current = history.get(attempt.pk)
    cells = current.cells if current else []
    ranked_pairs = scores_ranked((c.scale, c.score) for c in cells)
    by_scale = {c.scale.pk: c for c in cells}
    ranked = [by_scale[scale.pk] for scale, _ in ranked_pairs]
    leading = [c for c in ranked if c.score > 0][: questionnaire.result_code_length]
    leading_ids = {c.scale.pk for c in leading}
    tied = [
        c
        for c in ranked
        if leading and c.scale.pk not in leading_ids and c.score == leading[-1].score
    ]
    rows = list(history.values())
    index = next((i for i, r in enumerate(rows) if r.is_current), None)
    previous = rows[index - 1].attempt if index else None
    max_score = max((b.max_score for b in bands), default=None)
    chart: dict[str, Any] = {
        "labels": [c.scale.name for c in cells],
        "scores": [c.score for c in cells],
        "previous": [c.previous for c in cells] if previous else None,
        "max": max_score,
        "scoreLabel": gettext("Баллы"),
        "previousLabel": (
            gettext("Прошлый раз, %(date)s")
            % {"date": timezone.localtime(previous.completed_at).strftime("%d.%m.%Y")}
            if previous
            else ""
        ),
    }
    return ResultPage(
        attempt=attempt,
        ranked=ranked,
        leading=leading,
        tied=tied,
        history=rows,
        scales=[c.scale for c in cells],
        bands=bands,
        previous=previous,
        chart=chart,
    )


@dataclass
class StudentQuestionnaires:
    """What the student page shows of questionnaires; iterating yields the results."""

    results: list[Attempt]  # newest first
    pending: list[Assignment]  # codes not used yet and not expired

    def __iter__(self) -> Iterator[Attempt]:
        return iter(self.results)

    def __len__(self) -> int:
        return len(self.results)

    def __bool__(self) -> bool:
        return bool(self.results or self.pending)


def attempts_of_student(*, student: Student) -> StudentQuestionnaires:
    """The student's results, newest first, with questionnaire and leading type (JOINs), and
    the student's usable codes with their questionnaire (JOINs): two queries."""
    results = list(
        Attempt.objects.filter(student=student)
        .select_related("questionnaire", "leading_scale")
        .order_by("-completed_at", "-pk")
    )
    pending = list(
        Assignment.objects.filter(
            student=student, used_at__isnull=True, batch__expires_at__gt=timezone.now()
        )
        .select_related("batch", "batch__questionnaire")
        .order_by("batch__expires_at", "pk")
    )
    # Imported here: the services module imports this one for the ranking rule.
    from guidance.services.questionnaires import assignment_code_format

    for assignment in pending:
        assignment.code_display = assignment_code_format(assignment.code)
    return StudentQuestionnaires(results=results, pending=pending)
