"""The technikum's programmes (специальности и профессии СПО)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from resource_center.models import Organisation
from resource_center.validators import validate_okso


class ProgrammeQuerySet(models.QuerySet["Programme"]):
    def published(self) -> ProgrammeQuerySet:
        return self.filter(is_published=True, technikum__is_active=True)

    def dual(self) -> ProgrammeQuerySet:
        return self.filter(is_dual=True)


class Programme(models.Model):
    """A programme of the technikum, identified by its ОКСО code and form of study."""

    class FormOfStudy(models.TextChoices):
        FULL_TIME = "full_time", _("Очная")
        PART_TIME = "part_time", _("Очно-заочная")
        EXTRAMURAL = "extramural", _("Заочная")

    class BaseEducation(models.TextChoices):
        GRADE_9 = "9", _("На базе 9 классов")
        GRADE_11 = "11", _("На базе 11 классов")

    technikum = models.ForeignKey(
        Organisation,
        verbose_name=_("техникум"),
        on_delete=models.PROTECT,
        related_name="programmes",
        limit_choices_to={"kind": Organisation.Kind.TECHNIKUM},
    )
    okso_code = models.CharField(_("код ОКСО"), max_length=8, validators=[validate_okso])
    title = models.CharField(_("наименование"), max_length=300)
    qualification = models.CharField(_("квалификация"), max_length=300)
    base_education = models.CharField(
        _("уровень образования при приёме"),
        max_length=2,
        choices=BaseEducation.choices,
        default=BaseEducation.GRADE_9,
    )
    duration_months = models.PositiveSmallIntegerField(
        _("срок обучения, месяцев"), help_text=_("Например, 34 месяца = 2 года 10 месяцев.")
    )
    form_of_study = models.CharField(
        _("форма обучения"),
        max_length=20,
        choices=FormOfStudy.choices,
        default=FormOfStudy.FULL_TIME,
    )
    budget_seats = models.PositiveSmallIntegerField(_("бюджетных мест"), default=0)
    paid_seats = models.PositiveSmallIntegerField(_("платных мест"), default=0)
    is_dual = models.BooleanField(_("дуальное обучение"), default=False)
    description = models.TextField(_("описание"), blank=True)
    is_published = models.BooleanField(_("опубликована"), default=True)
    interest_types = models.ManyToManyField(
        "guidance.Scale",
        verbose_name=_("типы интересов"),
        blank=True,
        related_name="programmes",
        help_text=_("Типы по Климову и коды RIASEC, которым программа подходит."),
    )

    objects = ProgrammeQuerySet.as_manager()

    class Meta:
        verbose_name = _("образовательная программа")
        verbose_name_plural = _("образовательные программы")
        ordering = ["okso_code", "form_of_study"]
        constraints = [
            models.UniqueConstraint(
                fields=["technikum", "okso_code", "form_of_study", "base_education"],
                name="programme_unique_code_form",
            ),
            models.CheckConstraint(
                condition=Q(okso_code__regex=r"^[0-9]{2}\.[0-9]{2}\.[0-9]{2}$"),
                name="programme_okso_format",
            ),
            models.CheckConstraint(
                condition=Q(duration_months__gte=6) & Q(duration_months__lte=72),
                name="programme_duration_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.okso_code} {self.title}"

    @property
    def duration_display(self) -> str:
        years, months = divmod(self.duration_months, 12)
        parts = []
        if years:
            parts.append(_("%(n)d г.") % {"n": years})
        if months:
            parts.append(_("%(n)d мес.") % {"n": months})
        return " ".join(str(p) for p in parts)


class Competence(models.Model):
    """A competence of a programme that mentors mark (1–5) during dual training."""

    programme = models.ForeignKey(
        Programme,
        verbose_name=_("программа"),
        on_delete=models.CASCADE,
        related_name="competences",
    )
    title = models.CharField(_("компетенция"), max_length=300)
    order = models.PositiveSmallIntegerField(_("порядок"), default=0)

    class Meta:
        verbose_name = _("компетенция программы")
        verbose_name_plural = _("компетенции программ")
        ordering = ["programme", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "title"], name="competence_unique_title"),
        ]

    def __str__(self) -> str:
        return self.title
