"""Career events, pupils' registrations with attendance, and pupils' feedback."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from resource_center.models import Organisation


class EventQuerySet(models.QuerySet["Event"]):
    def public(self) -> EventQuerySet:
        return self.filter(is_public=True, is_cancelled=False)

    def upcoming(self) -> EventQuerySet:
        return self.filter(starts_at__gte=timezone.now(), is_cancelled=False)

    def for_grade(self, grade: int) -> EventQuerySet:
        return self.filter(min_grade__lte=grade, max_grade__gte=grade)


class Event(models.Model):
    class Kind(models.TextChoices):
        EXCURSION = "excursion", _("Экскурсия на предприятие")
        TRIAL = "trial", _("Профпроба")
        OPEN_DAY = "open_day", _("День открытых дверей")
        JOB_FAIR = "job_fair", _("Ярмарка вакансий")
        MASTER_CLASS = "master_class", _("Мастер-класс")
        CLASS_HOUR = "class_hour", _("Классный час")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("вид"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("название"), max_length=300)
    organiser = models.ForeignKey(
        Organisation,
        verbose_name=_("организатор"),
        on_delete=models.PROTECT,
        related_name="organised_events",
    )
    starts_at = models.DateTimeField(_("начало"))
    ends_at = models.DateTimeField(_("окончание"))
    place = models.CharField(_("место проведения"), max_length=500)
    min_grade = models.PositiveSmallIntegerField(_("для классов с"), default=8)
    max_grade = models.PositiveSmallIntegerField(_("по"), default=11)
    capacity = models.PositiveSmallIntegerField(_("мест"))
    description = models.TextField(_("описание"), blank=True)
    programme = models.ForeignKey(
        "schools.Programme",
        verbose_name=_("программа техникума"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="events",
    )
    interest_types = models.ManyToManyField(
        "guidance.Scale",
        verbose_name=_("типы интересов"),
        blank=True,
        related_name="events",
    )
    is_public = models.BooleanField(
        _("открытое"), default=True, help_text=_("Показывать в календаре без входа на портал.")
    )
    is_cancelled = models.BooleanField(_("отменено"), default=False)
    # What the event gives the pupils who attend it towards the career-guidance minimum.
    career_direction = models.ForeignKey(
        "career_minimum.Direction",
        verbose_name=_("направление профминимума"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="events",
        help_text=_("Пусто — «Профориентационные мероприятия»."),
    )
    career_hours = models.DecimalField(
        _("часов профминимума"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("2"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("40"))],
        help_text=_("Сколько часов засчитать каждому, кто был на мероприятии."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("кто создал"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("создано"), auto_now_add=True)
    updated_at = models.DateTimeField(_("изменено"), auto_now=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("мероприятие")
        verbose_name_plural = _("мероприятия")
        ordering = ["starts_at", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gte=F("starts_at")), name="event_period_valid"
            ),
            models.CheckConstraint(
                condition=Q(min_grade__gte=1)
                & Q(max_grade__lte=11)
                & Q(min_grade__lte=F("max_grade")),
                name="event_grades_valid",
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="event_capacity_positive"),
            models.CheckConstraint(
                condition=Q(
                    kind__in=[
                        "excursion",
                        "trial",
                        "open_day",
                        "job_fair",
                        "master_class",
                        "class_hour",
                    ]
                ),
                name="event_kind_valid",
            ),
        ]
        indexes = [models.Index(fields=["starts_at"])]

    def __str__(self) -> str:
        return f"{self.title} ({self.starts_at:%d.%m.%Y})"

    @property
    def required_consent_scopes(self) -> tuple[str, ...]:
        """The consents a pupil needs to be registered: the pupil's name reaches the organiser."""
        from students.models import TRANSFER_SCOPE_OF_KIND, Consent

        transfer = TRANSFER_SCOPE_OF_KIND.get(self.organiser.kind)
        scopes = [Consent.Scope.PROCESSING.value]
        if transfer:
            scopes.append(str(transfer))
        return tuple(scopes)


class Registration(models.Model):
    """A pupil registered for an event by their counsellor; attendance marked by the organiser."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    event = models.ForeignKey(
        Event, verbose_name=_("мероприятие"), on_delete=models.CASCADE, related_name="registrations"
    )
    student = models.ForeignKey(
        "students.Student",
        verbose_name=_("обучающийся"),
        on_delete=models.CASCADE,
        related_name="event_registrations",
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("кто записал"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    registered_at = models.DateTimeField(_("записан"), auto_now_add=True)
    # None until the organiser marks it.
    attended = models.BooleanField(_("присутствовал"), null=True, blank=True)

    class Meta:
        verbose_name = _("запись на мероприятие")
        verbose_name_plural = _("записи на мероприятия")
        ordering = ["event", "student__last_name", "student__first_name"]
        constraints = [
            models.UniqueConstraint(fields=["event", "student"], name="registration_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.student} → {self.event}"


class Feedback(models.Model):
    """A pupil's short feedback on an event they attended."""

    registration = models.OneToOneField(
        Registration,
        verbose_name=_("запись"),
        on_delete=models.CASCADE,
        related_name="feedback",
    )
    rating = models.PositiveSmallIntegerField(_("оценка"))
    comment = models.TextField(_("отзыв"), max_length=1000, blank=True)
    created_at = models.DateTimeField(_("оставлен"), auto_now_add=True)

    class Meta:
        verbose_name = _("отзыв о мероприятии")
        verbose_name_plural = _("отзывы о мероприятиях")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__gte=1) & Q(rating__lte=5), name="feedback_rating_range"
            ),
        ]

    def __str__(self) -> str:
        # No pupil's name: it shows in the admin's titles.
        return f"{self.registration.event}: {self.rating}"
