"""Employers' vacancies, dual-training places and the placements of students to them."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from resource_center.models import Organisation

EMPLOYER_CHOICES = {"kind": Organisation.Kind.EMPLOYER}


class VacancyQuerySet(models.QuerySet["Vacancy"]):
    def published(self) -> VacancyQuerySet:
        return self.filter(status=Vacancy.Status.PUBLISHED, employer__is_active=True)

    def for_minors(self) -> VacancyQuerySet:
        return self.filter(for_minors=True)


class Vacancy(models.Model):
    """A job offered by an employer, entered by hand or imported."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Черновик")
        PUBLISHED = "published", _("Опубликована")
        CLOSED = "closed", _("Закрыта")

    class Source(models.TextChoices):
        MANUAL = "manual", _("Внесена на портале")
        TRUDVSEM = "trudvsem", _("«Работа России»")
        EMPLOYMENT_CENTRE = "employment_centre", _("Выгрузка центра занятости")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    employer = models.ForeignKey(
        Organisation,
        verbose_name=_("работодатель"),
        on_delete=models.CASCADE,
        related_name="vacancies",
        limit_choices_to=EMPLOYER_CHOICES,
    )
    title = models.CharField(_("должность"), max_length=300)
    okpdtr_code = models.CharField(_("код ОКПДТР"), max_length=10, blank=True)
    profession = models.ForeignKey(
        "guidance.Profession",
        verbose_name=_("профессия"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="vacancies",
    )
    description = models.TextField(_("описание"), blank=True)
    salary_from = models.PositiveIntegerField(_("зарплата от, ₽"), null=True, blank=True)
    salary_to = models.PositiveIntegerField(_("зарплата до, ₽"), null=True, blank=True)
    for_minors = models.BooleanField(_("подходит несовершеннолетним"), default=False)
    is_summer_job = models.BooleanField(_("летняя (временная) работа"), default=False)
    min_age = models.PositiveSmallIntegerField(_("возраст от"), null=True, blank=True)
    address = models.CharField(_("адрес места работы"), max_length=500, blank=True)
    status = models.CharField(
        _("статус"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    source = models.CharField(
        _("источник"), max_length=20, choices=Source.choices, default=Source.MANUAL
    )
    external_id = models.CharField(_("идентификатор в источнике"), max_length=100, blank=True)
    published_at = models.DateTimeField(_("опубликована"), null=True, blank=True)
    created_at = models.DateTimeField(_("создана"), auto_now_add=True)
    updated_at = models.DateTimeField(_("изменена"), auto_now=True)

    objects = VacancyQuerySet.as_manager()

    class Meta:
        verbose_name = _("вакансия")
        verbose_name_plural = _("вакансии")
        ordering = ["-published_at", "-created_at"]
        constraints = [
            # Re-running an import updates a vacancy instead of adding it twice.
            models.UniqueConstraint(
                fields=["source", "external_id"],
                condition=~Q(external_id=""),
                name="vacancy_unique_external_id",
            ),
            models.CheckConstraint(
                condition=Q(salary_from__isnull=True)
                | Q(salary_to__isnull=True)
                | Q(salary_from__lte=F("salary_to")),
                name="vacancy_salary_range",
            ),
            models.CheckConstraint(
                condition=Q(min_age__isnull=True) | (Q(min_age__gte=14) & Q(min_age__lte=70)),
                name="vacancy_min_age_range",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "published", "closed"]),
                name="vacancy_status_valid",
            ),
        ]
        indexes = [models.Index(fields=["status", "for_minors"])]

    def __str__(self) -> str:
        return f"{self.title} ({self.employer})"


class DualTrainingPlaceQuerySet(models.QuerySet["DualTrainingPlace"]):
    def published(self) -> DualTrainingPlaceQuerySet:
        return self.filter(is_published=True, employer__is_active=True)


class DualTrainingPlace(models.Model):
    """Seats at an employer where technikum students of one programme train under a mentor."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    programme = models.ForeignKey(
        "schools.Programme",
        verbose_name=_("программа"),
        on_delete=models.PROTECT,
        related_name="dual_places",
    )
    employer = models.ForeignKey(
        Organisation,
        verbose_name=_("работодатель"),
        on_delete=models.PROTECT,
        related_name="dual_places",
        limit_choices_to=EMPLOYER_CHOICES,
    )
    workplace = models.CharField(_("рабочее место, участок"), max_length=300)
    mentor_name = models.CharField(_("наставник (ФИО)"), max_length=200, blank=True)
    mentor_position = models.CharField(_("должность наставника"), max_length=200, blank=True)
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("учётная запись наставника"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="mentored_places",
    )
    seats = models.PositiveSmallIntegerField(_("мест"))
    starts_on = models.DateField(_("начало"))
    ends_on = models.DateField(_("окончание"))
    is_published = models.BooleanField(_("опубликовано"), default=True)
    created_at = models.DateTimeField(_("создано"), auto_now_add=True)

    objects = DualTrainingPlaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("место дуального обучения")
        verbose_name_plural = _("места дуального обучения")
        ordering = ["starts_on", "employer"]
        constraints = [
            models.CheckConstraint(condition=Q(seats__gte=1), name="dual_place_seats_positive"),
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="dual_place_period_valid"
            ),
            models.UniqueConstraint(
                fields=["programme", "employer", "workplace", "starts_on"],
                name="dual_place_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.employer}: {self.workplace}"


class Placement(models.Model):
    """A technikum student placed (or applying) to a dual-training place."""

    class Status(models.TextChoices):
        APPLIED = "applied", _("Заявка")
        ACCEPTED = "accepted", _("Принят")
        ACTIVE = "active", _("Проходит обучение")
        COMPLETED = "completed", _("Завершено")
        REJECTED = "rejected", _("Отклонено")
        CANCELLED = "cancelled", _("Отменено")

    # The statuses that hold one of the place's seats.
    SEAT_HOLDING = (Status.ACCEPTED, Status.ACTIVE)

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    place = models.ForeignKey(
        DualTrainingPlace,
        verbose_name=_("место"),
        on_delete=models.PROTECT,
        related_name="placements",
    )
    student = models.ForeignKey(
        "students.Student",
        verbose_name=_("студент"),
        on_delete=models.CASCADE,
        related_name="placements",
    )
    status = models.CharField(
        _("статус"), max_length=10, choices=Status.choices, default=Status.APPLIED
    )
    created_at = models.DateTimeField(_("создано"), auto_now_add=True)
    updated_at = models.DateTimeField(_("изменено"), auto_now=True)

    class Meta:
        verbose_name = _("направление на дуальное обучение")
        verbose_name_plural = _("направления на дуальное обучение")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["place", "student"], name="placement_unique"),
            models.CheckConstraint(
                condition=Q(
                    status__in=[
                        "applied",
                        "accepted",
                        "active",
                        "completed",
                        "rejected",
                        "cancelled",
                    ]
                ),
                name="placement_status_valid",
            ),
        ]
        indexes = [models.Index(fields=["place", "status"])]

    def __str__(self) -> str:
        return f"{self.student} → {self.place}"
