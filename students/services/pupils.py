"""Writes of pupil records: adding, editing and clearing the data kept under consent."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from resource_center import audit
from students import selectors
from students.models import Achievement, Consent, Guardian, Student

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser
    from django.http import HttpRequest

    from resource_center.models import Organisation

Row = TypeVar("Row", Guardian, Achievement)

DUPLICATE_IN_SCHOOL = _(
    "В этой организации в этом учебном году уже есть обучающийся с такими же ФИО и датой "
    "рождения. Откройте его карточку вместо того, чтобы добавлять ещё одну."
)
DUPLICATE_GUARDIAN = _("Родитель с такими ФИО у этого обучающегося уже указан.")
OPTIONAL_WITHOUT_CONSENT = _(
    "Профориентационные сведения вносятся только при действующем согласии родителя на "
    "обработку персональных данных."
)
GUARDIAN_WITH_CONSENTS = _(
    "Нельзя удалить родителя, от которого записано согласие: история согласий должна сохраниться."
)


@dataclass
class RowEdits(Generic[Row]):
    """An inline list as the form left it: rows to add, rows to change, rows to remove."""

    added: list[dict[str, Any]] = field(default_factory=list)
    changed: list[tuple[Row, dict[str, Any]]] = field(default_factory=list)
    deleted: list[Row] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.added or self.changed or self.deleted)

    def summary(self) -> str:
        return f"+{len(self.added)} ~{len(self.changed)} -{len(self.deleted)}"


def _optional_filled(data: dict[str, Any]) -> list[str]:
    return [name for name in Student.OPTIONAL_FIELDS if data.get(name)]


def natural_key_taken(student: Student) -> bool:
    """Whether another record holds the student's school, year, ФИО and birth date."""
    return (
        Student.objects.filter(
            organisation_id=student.organisation_id,
            academic_year=student.academic_year,
            last_name=student.last_name,
            first_name=student.first_name,
            patronymic=student.patronymic,
            birth_date=student.birth_date,
        )
        .exclude(pk=student.pk)
        .exists()
    )


def _save_student(student: Student, **kwargs: Any) -> None:
    # A savepoint, so that a clash with student_unique_person_per_year (a concurrent
    # save or a confirmed near-duplicate) becomes a form error and the outer
    # transaction stays usable.
    try:
        with transaction.atomic():
            student.save(**kwargs)
    except IntegrityError as exc:
        if natural_key_taken(student):
            raise ValidationError(DUPLICATE_IN_SCHOOL, code="duplicate") from exc
        raise


def _apply_rows(student: Student, model: type[Row], edits: RowEdits[Row] | None) -> None:
    if not edits:
        return
    for row in [*edits.deleted, *(row for row, _data in edits.changed)]:
        if row.student_id != student.pk:
            raise ValueError(f"{model.__name__} {row.pk} belongs to another student")
    if model is Guardian and Consent.objects.filter(guardian__in=edits.deleted).exists():
        raise ValidationError(GUARDIAN_WITH_CONSENTS, code="guardian_with_consents")
    try:
        with transaction.atomic():
            for row in edits.deleted:
                row.delete()
            for row, data in edits.changed:
                for name, value in data.items():
                    setattr(row, name, value)
                row.save(update_fields=list(data))
            for data in edits.added:
                model.objects.create(student=student, **data)
    except IntegrityError as exc:
        if model is Guardian:
            raise ValidationError(DUPLICATE_GUARDIAN, code="duplicate_guardian") from exc
        raise


def _details(fields: list[str], **rows: RowEdits[Any] | None) -> str:
    parts = [f"fields: {', '.join(fields)}"] if fields else []
    parts += [f"{name}: {edits.summary()}" for name, edits in rows.items() if edits]
    return "; ".join(parts)


@transaction.atomic
def student_create(
    *,
    school: Organisation,
    data: dict[str, Any],
    guardians: RowEdits[Guardian] | None = None,
    by: AbstractBaseUser,
    request: HttpRequest | None = None,
) -> Student:
    """Add a pupil with guardians; career-guidance data waits for a processing consent."""
    if _optional_filled(data):
        raise ValidationError(OPTIONAL_WITHOUT_CONSENT, code="no_consent")
    student = Student(organisation=school, **data)
    _save_student(student)
    _apply_rows(student, Guardian, guardians)
    filled = [name for name, value in data.items() if value not in ("", None, False)]
    audit.record(
        actor=by,
        action=audit.Action.CREATE,
        student=student,
        details=_details(filled, guardians=guardians),
        request=request,
    )
    return student


@transaction.atomic
def student_update(
    *,
    student: Student,
    data: dict[str, Any],
    guardians: RowEdits[Guardian] | None = None,
    achievements: RowEdits[Achievement] | None = None,
    by: AbstractBaseUser,
    request: HttpRequest | None = None,
) -> Student:
    """Change a student's record; the audit row names the changed fields, never the values."""
    # The row lock makes a concurrent consent withdrawal wait, so optional data cannot be
    # written just after it was cleared.
    locked = (
        Student.objects.select_for_update(of=("self",))
        .select_related("organisation", "programme")
        .get(pk=student.pk)
    )
    if not selectors.student_has_consent(student=locked):
        optional_changes = [n for n in _optional_filled(data) if data[n] != getattr(locked, n)]
        if optional_changes or achievements:
            raise ValidationError(OPTIONAL_WITHOUT_CONSENT, code="no_consent")
    changed = [name for name, value in data.items() if getattr(locked, name) != value]
    for name in changed:
        setattr(locked, name, data[name])
        setattr(student, name, data[name])
    if changed:
        _save_student(locked, update_fields=[*changed, "updated_at"])
    _apply_rows(locked, Guardian, guardians)
    _apply_rows(locked, Achievement, achievements)
    if changed or guardians or achievements:
        audit.record(
            actor=by,
            action=audit.Action.UPDATE,
            student=locked,
            details=_details(changed, guardians=guardians, achievements=achievements),
            request=request,
        )
    return locked


@transaction.atomic
def student_optional_data_clear(
    *, student: Student, by: AbstractBaseUser, request: HttpRequest | None = None
) -> list[str]:
    """Blank the career-guidance fields and delete achievements; returns what was cleared."""
    locked = Student.objects.select_for_update().get(pk=student.pk)
    cleared = [name for name in Student.OPTIONAL_FIELDS if getattr(locked, name)]
    for name in Student.OPTIONAL_FIELDS:
        setattr(locked, name, "")
        setattr(student, name, "")
    if cleared:
        locked.save(update_fields=[*cleared, "updated_at"])
    removed, _per_model = Achievement.objects.filter(student=locked).delete()
    if removed:
        cleared.append("achievements")
    if cleared:
        audit.record(
            actor=by,
            action=audit.Action.UPDATE,
            student=locked,
            details=f"cleared: {', '.join(cleared)}",
            request=request,
        )
    return cleared
