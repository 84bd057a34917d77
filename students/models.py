"""Pupils of schools and students of the technikum, their guardians and consents."""

from __future__ import annotations

import datetime
import uuid
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from resource_center.models import Organisation
from resource_center.validators import validate_phone

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser


def current_academic_year(today: datetime.date | None = None) -> int:
    """The starting year of the academic year (2026 for 2026/27); it turns on 1 September."""
    today = today or timezone.localdate()
    return today.year if today.month >= 9 else today.year - 1


class PersonName(models.Model):
    """ФИО of a person; the patronymic is optional."""

    last_name = models.CharField(_("фамилия"), max_length=100)
    first_name = models.CharField(_("имя"), max_length=100)
    patronymic = models.CharField(_("отчество"), max_length=100, blank=True)

    class Meta:
        abstract = True

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name, self.patronymic) if p)


class StudentQuerySet(models.QuerySet["Student"]):
    def visible_to(self, user: AbstractBaseUser | AnonymousUser) -> StudentQuerySet:
        """The students this user may see; the rule itself lives in resource_center.access."""
        from resource_center import access

        return access.students_visible_to(user, self)

    def pupils(self) -> StudentQuerySet:
        return self.filter(organisation__kind=Organisation.Kind.SCHOOL)

    def technikum_students(self) -> StudentQuerySet:
        return self.filter(organisation__kind=Organisation.Kind.TECHNIKUM)

    def current(self) -> StudentQuerySet:
        return self.filter(academic_year=current_academic_year(), is_active=True)


class Student(PersonName):
    """A school pupil or a technikum student in one academic year."""

    class Sex(models.TextChoices):
        FEMALE = "f", _("Женский")
        MALE = "m", _("Мужской")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("школа или техникум"),
        on_delete=models.PROTECT,
        related_name="students",
        limit_choices_to={"kind__in": [Organisation.Kind.SCHOOL, Organisation.Kind.TECHNIKUM]},
    )
    birth_date = models.DateField(_("дата рождения"))
    sex = models.CharField(_("пол"), max_length=1, choices=Sex.choices, blank=True)
    grade = models.PositiveSmallIntegerField(
        _("класс или курс"), help_text=_("Класс школы (1–11) или курс техникума (1–4).")
    )
    class_letter = models.CharField(_("буква класса или группа"), max_length=10, blank=True)
    academic_year = models.PositiveSmallIntegerField(
        _("учебный год"), default=current_academic_year, help_text=_("Год начала: 2026 = 2026/27.")
    )
    programme = models.ForeignKey(
        "schools.Programme",
        verbose_name=_("программа техникума"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="students",
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("учётная запись обучающегося"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="student",
    )
    is_active = models.BooleanField(_("обучается"), default=True)
    created_at = models.DateTimeField(_("создано"), auto_now_add=True)
    updated_at = models.DateTimeField(_("изменено"), auto_now=True)

    objects = StudentQuerySet.as_manager()

    class Meta:
        verbose_name = _("обучающийся")
        verbose_name_plural = _("обучающиеся")
        ordering = ["last_name", "first_name", "patronymic"]
        constraints = [
            models.CheckConstraint(
                condition=Q(grade__gte=1) & Q(grade__lte=11), name="student_grade_range"
            ),
            models.CheckConstraint(
                condition=Q(academic_year__gte=2000) & Q(academic_year__lte=2100),
                name="student_academic_year_range",
            ),
            models.CheckConstraint(condition=Q(sex__in=["", "f", "m"]), name="student_sex_valid"),
        ]
        indexes = [
            # The counsellor's list: one school, one year, by class.
            models.Index(fields=["organisation", "academic_year", "grade", "class_letter"]),
            models.Index(fields=["last_name", "first_name"]),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def class_name(self) -> str:
        return f"{self.grade}{self.class_letter}"

    def age_on(self, day: datetime.date) -> int:
        born = self.birth_date
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


class Guardian(PersonName):
    """A parent or other legal representative of one student."""

    class Relation(models.TextChoices):
        MOTHER = "mother", _("Мать")
        FATHER = "father", _("Отец")
        GUARDIAN = "guardian", _("Опекун (попечитель)")
        OTHER = "other", _("Иной законный представитель")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    student = models.ForeignKey(
        Student, verbose_name=_("обучающийся"), on_delete=models.CASCADE, related_name="guardians"
    )
    relation = models.CharField(_("кем приходится"), max_length=20, choices=Relation.choices)
    phone = models.CharField(_("телефон"), max_length=30, blank=True, validators=[validate_phone])
    email = models.EmailField(_("e-mail"), blank=True)
    # One parent account may be linked to the records of several children.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("учётная запись родителя"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="guardianships",
    )

    class Meta:
        verbose_name = _("родитель (законный представитель)")
        verbose_name_plural = _("родители (законные представители)")
        ordering = ["student", "relation"]
        constraints = [
            models.UniqueConstraint(
                fields=["student", "last_name", "first_name", "patronymic"],
                name="guardian_unique_per_student",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name


class ConsentQuerySet(models.QuerySet["Consent"]):
    def active(self) -> ConsentQuerySet:
        return self.filter(withdrawn_at__isnull=True)


class Consent(models.Model):
    """A guardian's consent to the processing or transfer of a student's personal data."""

    class Scope(models.TextChoices):
        PROCESSING = "processing", _("Обработка школой и ресурсным центром")
        TRANSFER_TECHNIKUM = "transfer_technikum", _("Передача техникуму")
        TRANSFER_EMPLOYERS = "transfer_employers", _("Передача работодателям")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    student = models.ForeignKey(
        Student, verbose_name=_("обучающийся"), on_delete=models.CASCADE, related_name="consents"
    )
    guardian = models.ForeignKey(
        Guardian,
        verbose_name=_("кто дал согласие"),
        on_delete=models.PROTECT,
        related_name="consents",
    )
    scope = models.CharField(_("на что"), max_length=30, choices=Scope.choices)
    given_on = models.DateField(_("дата согласия"))
    document_number = models.CharField(_("номер документа"), max_length=50, blank=True)
    withdrawn_at = models.DateTimeField(_("отозвано"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("кто внёс"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(_("внесено"), auto_now_add=True)

    objects = ConsentQuerySet.as_manager()

    class Meta:
        verbose_name = _("согласие на обработку персональных данных")
        verbose_name_plural = _("согласия на обработку персональных данных")
        ordering = ["-given_on", "-created_at"]
        constraints = [
            # A scope is given once at a time; a new consent follows a withdrawal.
            models.UniqueConstraint(
                fields=["student", "scope"],
                condition=Q(withdrawn_at__isnull=True),
                name="consent_one_active_per_scope",
            ),
            models.CheckConstraint(
                condition=Q(scope__in=["processing", "transfer_technikum", "transfer_employers"]),
                name="consent_scope_valid",
            ),
        ]
        indexes = [models.Index(fields=["student", "scope"])]

    def __str__(self) -> str:
        return f"{self.student}: {self.get_scope_display()}"

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None
