"""The federal career-guidance minimum (профминимум): each pupil's hours against the level
the school chose for the year, by direction.

Hours come from three sources, all counted by the database:
- class activities recorded by the counsellor (``Activity``) for the pupils who took part
  (``Participation.attended``), kept per pupil so a pupil who changes class keeps them;
- career events of the guidance app the pupil attended (``guidance.Event.career_hours`` in
  ``Event.career_direction``, or the events direction when none is set);
- questionnaires completed in the year, each worth ``Direction.questionnaire_hours`` in
  every direction where that is set (normally «Диагностика»).
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from students.models import current_academic_year

# Grades the federal model covers.
MIN_GRADE = 6
MAX_GRADE = 11
# Hours of one recorded activity: from a quarter of an hour to a full day.
MIN_HOURS = Decimal("0.25")
MAX_HOURS = Decimal("8")


class Direction(models.Model):
    """One direction of the federal model; the coordinator edits them in the admin."""

    # Directions the code refers to (the defaults installed by the migration).
    EVENTS = "events"
    HORIZONS = "horizons"
    DIAGNOSTICS = "diagnostics"

    title = models.CharField(_("направление"), max_length=200, unique=True)
    slug = models.SlugField(_("код"), max_length=40, unique=True)
    description = models.TextField(_("что сюда относится"), blank=True)
    counts_towards_level = models.BooleanField(
        _("часы идут в уровень"),
        default=True,
        help_text=_("Снимите, если часы направления не засчитываются в часы уровня."),
    )
    questionnaire_hours = models.DecimalField(
        _("часов за пройденную анкету"),
        max_digits=4,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(MAX_HOURS)],
        help_text=_("Только для диагностики: каждая пройденная за год анкета даёт столько часов."),
    )
    position = models.PositiveSmallIntegerField(_("порядок"), default=100)
    is_active = models.BooleanField(_("используется"), default=True)

    class Meta:
        verbose_name = _("направление профминимума")
        verbose_name_plural = _("направления профминимума")
        ordering = ["position", "title"]

    def __str__(self) -> str:
        return self.title


class SchoolPlan(models.Model):
    """The level of the minimum a school chose for an academic year."""

    class Level(models.TextChoices):
        BASIC = "basic", _("Базовый (не менее 40 часов)")
        MAIN = "main", _("Основной (не менее 60 часов)")
        ADVANCED = "advanced", _("Продвинутый (не менее 80 часов)")

    # Hours a year each level requires of every pupil of grades 6–11.
    TARGET_HOURS = {Level.BASIC: 40, Level.MAIN: 60, Level.ADVANCED: 80}

    school = models.ForeignKey(
        "resource_center.Organisation",
        verbose_name=_("школа"),
        on_delete=models.CASCADE,
        related_name="career_plans",
        limit_choices_to={"kind": "school"},
    )
    academic_year = models.PositiveSmallIntegerField(
        _("учебный год"), default=current_academic_year, help_text=_("Год начала: 2026 = 2026/27.")
    )
    level = models.CharField(_("уровень"), max_length=10, choices=Level.choices)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("кто выбрал"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("изменён"), auto_now=True)

    class Meta:
        verbose_name = _("уровень профминимума школы")
        verbose_name_plural = _("уровни профминимума школ")
        ordering = ["-academic_year", "school"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "academic_year"], name="career_plan_once_per_year"
            ),
            models.CheckConstraint(
                condition=Q(level__in=["basic", "main", "advanced"]),
                name="career_plan_level_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school}: {self.academic_year}/{(self.academic_year + 1) % 100:02d}"

    @property
    def target_hours(self) -> int:
        return self.TARGET_HOURS[self.Level(self.level)]


class Activity(models.Model):
    """An activity held in school for a class: a «Россия — мои горизонты» lesson, a lesson
    with career content, a class hour, a parents' meeting."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    school = models.ForeignKey(
        "resource_center.Organisation",
        verbose_name=_("школа"),
        on_delete=models.CASCADE,
        related_name="career_activities",
    )
    academic_year = models.PositiveSmallIntegerField(_("учебный год"))
    grade = models.PositiveSmallIntegerField(
        _("класс"), validators=[MinValueValidator(MIN_GRADE), MaxValueValidator(MAX_GRADE)]
    )
    class_letter = models.CharField(_("буква класса"), max_length=10, blank=True)
    held_on = models.DateField(_("дата"))
    hours = models.DecimalField(
        _("часов"),
        max_digits=4,
        decimal_places=2,
        validators=[MinValueValidator(MIN_HOURS), MaxValueValidator(MAX_HOURS)],
    )
    direction = models.ForeignKey(
        Direction,
        verbose_name=_("направление"),
        on_delete=models.PROTECT,
        related_name="activities",
    )
    topic = models.CharField(_("тема"), max_length=300)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("кто внёс"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("внесено"), auto_now_add=True)
    updated_at = models.DateTimeField(_("изменено"), auto_now=True)

    class Meta:
        verbose_name = _("занятие профминимума")
        verbose_name_plural = _("занятия профминимума")
        ordering = ["-held_on", "grade", "class_letter"]
        indexes = [models.Index(fields=["school", "academic_year", "grade", "class_letter"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(hours__gte=MIN_HOURS, hours__lte=MAX_HOURS),
                name="career_activity_hours_valid",
            ),
            models.CheckConstraint(
                condition=Q(grade__gte=MIN_GRADE, grade__lte=MAX_GRADE),
                name="career_activity_grade_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.held_on:%d.%m.%Y} {self.grade}{self.class_letter}: {self.topic}"


class Participation(models.Model):
    """A pupil of the class on the day of an activity, present or absent."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    activity = models.ForeignKey(
        Activity,
        verbose_name=_("занятие"),
        on_delete=models.CASCADE,
        related_name="participations",
    )
    student = models.ForeignKey(
        "students.Student",
        verbose_name=_("обучающийся"),
        on_delete=models.CASCADE,
        related_name="career_participations",
    )
    attended = models.BooleanField(_("присутствовал"), default=True)

    class Meta:
        verbose_name = _("участие в занятии")
        verbose_name_plural = _("участие в занятиях профминимума")
        ordering = ["activity", "student"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "student"], name="career_participation_once"
            )
        ]
        indexes = [models.Index(fields=["student", "attended"])]

    def __str__(self) -> str:
        return f"{self.student} — {self.activity}"
