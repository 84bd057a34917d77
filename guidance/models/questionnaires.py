"""Interest questionnaires stored as data, their assignment by one-time codes, and results.

A questionnaire has scales (the interest types it measures), questions, and for each
question its answer options; each option carries its scoring key: which scale it adds to
and how many points. Bands word the score ranges. So Klimov's ДДО (a forced choice between
two activities) and a RIASEC inventory (an item per activity, answered «да / не знаю /
нет») are the same four tables with different rows.
"""

from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from resource_center.models import Organisation


class QuestionnaireQuerySet(models.QuerySet["Questionnaire"]):
    def active(self) -> QuestionnaireQuerySet:
        return self.filter(is_active=True)


class Questionnaire(models.Model):
    code = models.SlugField(
        _("код"), max_length=30, unique=True, help_text=_("Латиницей, например klimov-ddo.")
    )
    title = models.CharField(_("название"), max_length=200)
    short_title = models.CharField(_("краткое название"), max_length=50)
    description = models.TextField(_("о методике"), blank=True)
    instructions = models.TextField(_("инструкция для обучающегося"))
    result_code_length = models.PositiveSmallIntegerField(
        _("ведущих типов в результате"),
        default=1,
        help_text=_("Сколько типов с наибольшими баллами составляют результат (RIASEC: 3)."),
    )
    is_active = models.BooleanField(_("используется"), default=True)

    objects = QuestionnaireQuerySet.as_manager()

    class Meta:
        verbose_name = _("анкета")
        verbose_name_plural = _("анкеты")
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(result_code_length__gte=1) & Q(result_code_length__lte=6),
                name="questionnaire_code_length_range",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Scale(models.Model):
    """One interest type a questionnaire measures («человек — техника», «R»)."""

    questionnaire = models.ForeignKey(
        Questionnaire, verbose_name=_("анкета"), on_delete=models.CASCADE, related_name="scales"
    )
    code = models.CharField(_("код"), max_length=3)
    name = models.CharField(_("название"), max_length=100)
    description = models.TextField(
        _("пояснение"), help_text=_("Что любят люди этого типа и какие профессии им подходят.")
    )
    order = models.PositiveSmallIntegerField(
        _("порядок"), default=0, help_text=_("При равных баллах раньше идёт тип с меньшим числом.")
    )

    class Meta:
        verbose_name = _("тип интересов")
        verbose_name_plural = _("типы интересов")
        ordering = ["questionnaire", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "code"], name="scale_unique_code"),
        ]

    def __str__(self) -> str:
        return f"{self.questionnaire.short_title}: {self.name}"


class Band(models.Model):
    """How a score range of any scale is worded («выраженный интерес» for 7–8)."""

    questionnaire = models.ForeignKey(
        Questionnaire, verbose_name=_("анкета"), on_delete=models.CASCADE, related_name="bands"
    )
    min_score = models.PositiveSmallIntegerField(_("баллов от"))
    max_score = models.PositiveSmallIntegerField(_("баллов до"))
    label = models.CharField(_("название"), max_length=100)
    text = models.TextField(_("пояснение"), blank=True)

    class Meta:
        verbose_name = _("уровень баллов")
        verbose_name_plural = _("уровни баллов")
        ordering = ["questionnaire", "min_score"]
        constraints = [
            models.CheckConstraint(
                condition=Q(max_score__gte=F("min_score")), name="band_range_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.min_score}–{self.max_score}: {self.label}"


class Question(models.Model):
    questionnaire = models.ForeignKey(
        Questionnaire,
        verbose_name=_("анкета"),
        on_delete=models.CASCADE,
        related_name="questions",
    )
    number = models.PositiveSmallIntegerField(_("номер"))
    text = models.CharField(
        _("текст"), max_length=500, blank=True, help_text=_("Для пары занятий можно не заполнять.")
    )

    class Meta:
        verbose_name = _("вопрос")
        verbose_name_plural = _("вопросы")
        ordering = ["questionnaire", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "number"], name="question_unique_number"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.text}" if self.text else str(self.number)


class Option(models.Model):
    """An answer to a question, with its scoring key: the scale it adds points to."""

    question = models.ForeignKey(
        Question, verbose_name=_("вопрос"), on_delete=models.CASCADE, related_name="options"
    )
    label = models.CharField(_("буква"), max_length=10, help_text=_("Например «а» или «да»."))
    text = models.CharField(_("текст"), max_length=500)
    scale = models.ForeignKey(
        Scale,
        verbose_name=_("тип интересов"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="options",
        help_text=_("Пусто: ответ не добавляет баллов."),
    )
    points = models.PositiveSmallIntegerField(_("баллов"), default=1)
    order = models.PositiveSmallIntegerField(_("порядок"), default=0)

    class Meta:
        verbose_name = _("вариант ответа")
        verbose_name_plural = _("варианты ответа")
        ordering = ["question", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["question", "label"], name="option_unique_label"),
        ]

    def __str__(self) -> str:
        return f"{self.label}) {self.text}"

    def clean(self) -> None:
        if (
            self.scale_id
            and self.question_id
            and self.scale.questionnaire_id != self.question.questionnaire_id
        ):
            raise ValidationError(
                {"scale": _("Тип интересов должен быть из той же анкеты, что и вопрос.")}
            )


class AssignmentBatch(models.Model):
    """A questionnaire given at once to a class or to one pupil, with a common deadline."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    questionnaire = models.ForeignKey(
        Questionnaire,
        verbose_name=_("анкета"),
        on_delete=models.PROTECT,
        related_name="batches",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("школа"),
        on_delete=models.CASCADE,
        related_name="assignment_batches",
    )
    title = models.CharField(_("кому"), max_length=200, help_text=_("Класс или ФИО."))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("кто назначил"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("назначено"), auto_now_add=True)
    expires_at = models.DateTimeField(_("действует до"))

    class Meta:
        verbose_name = _("назначение анкеты")
        verbose_name_plural = _("назначения анкет")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["organisation", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.questionnaire.short_title}: {self.title}"

    def is_expired(self, now: datetime.datetime | None = None) -> bool:
        return (now or timezone.now()) >= self.expires_at


class Assignment(models.Model):
    """One pupil's one-time code for a batch; it works once, until the batch expires."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    batch = models.ForeignKey(
        AssignmentBatch,
        verbose_name=_("назначение"),
        on_delete=models.CASCADE,
        related_name="assignments",
    )
    student = models.ForeignKey(
        "students.Student",
        verbose_name=_("обучающийся"),
        on_delete=models.CASCADE,
        related_name="assignments",
    )
    # Kept readable: the counsellor prints the class list of codes again when needed. A code
    # opens nothing but one empty questionnaire, for a limited time, once.
    code = models.CharField(_("код"), max_length=16, unique=True)
    used_at = models.DateTimeField(_("пройдено"), null=True, blank=True)

    class Meta:
        verbose_name = _("код для прохождения анкеты")
        verbose_name_plural = _("коды для прохождения анкет")
        ordering = ["batch", "student__last_name", "student__first_name"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "student"], name="assignment_unique_student"),
        ]

    def __str__(self) -> str:
        return f"{self.batch}: {self.student}"

    def is_usable(self, now: datetime.datetime | None = None) -> bool:
        return self.used_at is None and not self.batch.is_expired(now)


class Attempt(models.Model):
    """A completed questionnaire: through a one-time code or entered from a paper form."""

    class Source(models.TextChoices):
        LINK = "link", _("По ссылке или коду")
        PAPER = "paper", _("С бумажного бланка")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    questionnaire = models.ForeignKey(
        Questionnaire,
        verbose_name=_("анкета"),
        on_delete=models.PROTECT,
        related_name="attempts",
    )
    student = models.ForeignKey(
        "students.Student",
        verbose_name=_("обучающийся"),
        on_delete=models.CASCADE,
        related_name="attempts",
    )
    # One completed use per code, enforced by the database.
    assignment = models.OneToOneField(
        Assignment,
        verbose_name=_("код"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="attempt",
    )
    source = models.CharField(_("как пройдена"), max_length=10, choices=Source.choices)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("кто внёс"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    completed_at = models.DateTimeField(_("пройдена"), default=timezone.now)
    # The leading types in order, e.g. «RIA» or «Т»; the first is also kept as a key for
    # the district's distribution of interest types.
    result_code = models.CharField(_("результат"), max_length=20, blank=True)
    leading_scale = models.ForeignKey(
        Scale,
        verbose_name=_("ведущий тип"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("результат анкетирования")
        verbose_name_plural = _("результаты анкетирования")
        ordering = ["-completed_at"]
        indexes = [models.Index(fields=["student", "questionnaire", "-completed_at"])]

    def __str__(self) -> str:
        return f"{self.student}: {self.questionnaire.short_title} ({self.completed_at:%d.%m.%Y})"


class AttemptScore(models.Model):
    attempt = models.ForeignKey(
        Attempt, verbose_name=_("результат"), on_delete=models.CASCADE, related_name="scores"
    )
    scale = models.ForeignKey(
        Scale, verbose_name=_("тип интересов"), on_delete=models.PROTECT, related_name="+"
    )
    score = models.PositiveSmallIntegerField(_("баллов"))

    class Meta:
        verbose_name = _("балл по типу")
        verbose_name_plural = _("баллы по типам")
        ordering = ["attempt", "scale__order"]
        constraints = [
            models.UniqueConstraint(fields=["attempt", "scale"], name="attempt_score_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.scale.code}: {self.score}"


class Answer(models.Model):
    attempt = models.ForeignKey(
        Attempt, verbose_name=_("результат"), on_delete=models.CASCADE, related_name="answers"
    )
    question = models.ForeignKey(
        Question, verbose_name=_("вопрос"), on_delete=models.PROTECT, related_name="+"
    )
    option = models.ForeignKey(
        Option, verbose_name=_("ответ"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("ответ")
        verbose_name_plural = _("ответы")
        ordering = ["attempt", "question__number"]
        constraints = [
            models.UniqueConstraint(fields=["attempt", "question"], name="answer_unique_question"),
        ]

    def __str__(self) -> str:
        return f"{self.question.number}: {self.option.label}"
