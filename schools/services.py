"""Writes of the technikum's programmes and their competences."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from employers.models import EvaluationMark
from resource_center.models import Organisation
from schools.models import Competence, Programme

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    from guidance.models import Scale

# Fields of a programme that its form edits; the technikum is passed on its own.
PROGRAMME_FIELDS = (
    "okso_code",
    "title",
    "qualification",
    "base_education",
    "duration_months",
    "form_of_study",
    "budget_seats",
    "paid_seats",
    "is_dual",
    "description",
    "is_published",
)

PROGRAMME_TAKEN = _(
    "У техникума уже есть программа с этим кодом ОКСО, формой обучения и уровнем "
    "образования при приёме. Откройте её и измените, вместо того чтобы заводить вторую."
)
DUAL_NEEDS_COMPETENCE = _(
    "Для программы с дуальным обучением укажите хотя бы одну компетенцию: по ним наставники "
    "оценивают студентов."
)
COMPETENCE_MARKED = _(
    "Компетенцию «%(title)s» удалить нельзя: по ней уже выставлены отметки наставников."
)
COMPETENCE_TAKEN = _("Компетенции программы должны называться по-разному.")


@dataclass(frozen=True)
class CompetenceRow:
    """One competence as the form lists it: a stored one (pk) or a new one (pk None)."""

    title: str
    pk: int | None = None


def _apply(programme: Programme, data: Mapping[str, Any]) -> None:
    for name in PROGRAMME_FIELDS:
        if name in data:
            setattr(programme, name, data[name])


def _save(programme: Programme) -> None:
    # The technikum was chosen from the user's own; leaving it out of full_clean also leaves
    # the unique constraint to the query below, which words the clash for people.
    programme.full_clean(exclude=["technikum"])
    clash = Programme.objects.filter(
        technikum_id=programme.technikum_id,
        okso_code=programme.okso_code,
        form_of_study=programme.form_of_study,
        base_education=programme.base_education,
    ).exclude(pk=programme.pk)
    if clash.exists():
        raise ValidationError({"okso_code": PROGRAMME_TAKEN}, code="taken")
    try:
        # A savepoint: two staff saving the same code at once meet the unique constraint
        # here, and the outer transaction stays usable for the error message.
        with transaction.atomic():
            programme.save()
    except IntegrityError as exc:
        raise ValidationError({"okso_code": PROGRAMME_TAKEN}, code="taken") from exc


def _set_competences(programme: Programme, rows: Sequence[CompetenceRow]) -> None:
    titles = [" ".join(r.title.split()).casefold() for r in rows]
    if len(set(titles)) != len(titles):
        raise ValidationError(COMPETENCE_TAKEN, code="competence_taken")
    if programme.is_dual and not rows:
        raise ValidationError(DUAL_NEEDS_COMPETENCE, code="no_competence")
    existing = {c.pk: c for c in programme.competences.all()}
    kept = {r.pk for r in rows if r.pk is not None}
    if kept - existing.keys():
        raise ValidationError(_("Список компетенций устарел: откройте форму заново."))
    leaving = [c for pk, c in existing.items() if pk not in kept]
    marked = set(
        EvaluationMark.objects.filter(competence__in=leaving).values_list(
            "competence_id", flat=True
        )
    )
    if marked:
        raise ValidationError(
            [
                ValidationError(COMPETENCE_MARKED, params={"title": c.title})
                for c in leaving
                if c.pk in marked
            ]
        )
    try:
        with transaction.atomic():
            _write_competences(programme, rows, existing, leaving)
    except IntegrityError as exc:  # another user saved the same list meanwhile
        raise ValidationError(COMPETENCE_TAKEN, code="competence_taken") from exc


def _write_competences(
    programme: Programme,
    rows: Sequence[CompetenceRow],
    existing: dict[int, Competence],
    leaving: list[Competence],
) -> None:
    Competence.objects.filter(pk__in=[c.pk for c in leaving]).delete()
    # Titles are unique per programme: a renamed row may take a title another row is giving
    # up in the same save, so the renamed rows step aside under unique placeholders first.
    renamed = [r for r in rows if r.pk is not None and existing[r.pk].title != r.title]
    for row in renamed:
        Competence.objects.filter(pk=row.pk).update(title=f"#{uuid.uuid4().hex}")
    for order, row in enumerate(rows, start=1):
        if row.pk is None:
            Competence.objects.create(programme=programme, title=row.title, order=order)
        else:
            current = existing[row.pk]
            if current.title != row.title or current.order != order:
                Competence.objects.filter(pk=row.pk).update(title=row.title, order=order)


@transaction.atomic
def programme_create(
    *,
    technikum: Organisation,
    data: Mapping[str, Any],
    competences: Sequence[CompetenceRow] = (),
    interest_types: Iterable[Scale] = (),
    by: AbstractBaseUser,
) -> Programme:
    """Add a programme to a technikum the form offered to the user, with its competences."""
    programme = Programme(technikum=technikum)
    _apply(programme, data)
    _save(programme)
    _set_competences(programme, competences)
    programme.interest_types.set(interest_types)
    return programme


@transaction.atomic
def programme_update(
    *,
    programme: Programme,
    data: Mapping[str, Any],
    technikum: Organisation | None = None,
    competences: Sequence[CompetenceRow] = (),
    interest_types: Iterable[Scale] = (),
    by: AbstractBaseUser,
) -> Programme:
    """Change a programme and replace its list of competences (marked ones stay)."""
    if technikum is not None:
        programme.technikum = technikum
    _apply(programme, data)
    _save(programme)
    _set_competences(programme, competences)
    programme.interest_types.set(interest_types)
    return programme
