"""The labour market: vacancy imports, profession groups and the rules that map vacancies."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from employers.models import Vacancy


class ProfessionGroup(models.Model):
    """A group of professions the district's reports count vacancies by."""

    title = models.CharField(_("группа профессий"), max_length=200, unique=True)
    description = models.TextField(_("описание"), blank=True)

    class Meta:
        verbose_name = _("группа профессий")
        verbose_name_plural = _("группы профессий")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class MappingRule(models.Model):
    """How a vacancy finds its profession: by the start of its ОКПДТР code or by a word of
    its title. Rules are tried by priority (smaller first), codes before words."""

    class Kind(models.TextChoices):
        CODE = "code", _("Код ОКПДТР начинается с")
        KEYWORD = "keyword", _("Название содержит слово")

    profession = models.ForeignKey(
        "guidance.Profession",
        verbose_name=_("профессия"),
        on_delete=models.CASCADE,
        related_name="mapping_rules",
    )
    kind = models.CharField(_("вид правила"), max_length=10, choices=Kind.choices)
    pattern = models.CharField(
        _("образец"),
        max_length=100,
        help_text=_("Начало кода ОКПДТР (например 19756) или слово названия (например сварщ)."),
    )
    priority = models.PositiveSmallIntegerField(
        _("приоритет"), default=100, help_text=_("Меньше — раньше.")
    )

    class Meta:
        verbose_name = _("правило сопоставления")
        verbose_name_plural = _("правила сопоставления вакансий")
        ordering = ["priority", "kind", "pattern"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "pattern"], name="mapping_rule_unique"),
            models.CheckConstraint(
                condition=Q(kind__in=["code", "keyword"]), name="mapping_rule_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} «{self.pattern}» → {self.profession}"


class VacancyImport(models.Model):
    """One run of a vacancy import (a file, a URL, the employment centre's export)."""

    class Status(models.TextChoices):
        PREVIEW = "preview", _("Предпросмотр")
        RUNNING = "running", _("Выполняется")
        DONE = "done", _("Завершён")
        FAILED = "failed", _("Ошибка")
        DISCARDED = "discarded", _("Отменён")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    source = models.CharField(_("источник"), max_length=20, choices=Vacancy.Source.choices)
    origin = models.CharField(_("файл или адрес"), max_length=500)
    # The district whose vacancies the run imports (None for runs made before it was kept).
    district = models.ForeignKey(
        "resource_center.District",
        verbose_name=_("район"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="vacancy_imports",
    )
    # An uploaded file (the employment centre's export), kept between preview and commit.
    file_format = models.CharField(_("формат"), max_length=10, blank=True)
    encoding = models.CharField(_("кодировка"), max_length=20, blank=True)
    content = models.BinaryField(_("содержимое"), editable=False, blank=True, default=b"")
    rows_total = models.PositiveIntegerField(_("строк"), default=0)
    rows_invalid = models.PositiveIntegerField(_("строк с ошибками"), default=0)
    region_code = models.CharField(_("код региона"), max_length=13, blank=True)
    status = models.CharField(
        _("статус"), max_length=10, choices=Status.choices, default=Status.RUNNING
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("кто запустил"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    started_at = models.DateTimeField(_("начат"), auto_now_add=True)
    finished_at = models.DateTimeField(_("завершён"), null=True, blank=True)
    created_count = models.PositiveIntegerField(_("добавлено"), default=0)
    updated_count = models.PositiveIntegerField(_("обновлено"), default=0)
    unchanged_count = models.PositiveIntegerField(_("без изменений"), default=0)
    closed_count = models.PositiveIntegerField(_("закрыто"), default=0)
    skipped_count = models.PositiveIntegerField(_("пропущено"), default=0)
    errors = models.TextField(_("ошибки"), blank=True)

    class Meta:
        verbose_name = _("загрузка вакансий")
        verbose_name_plural = _("загрузки вакансий")
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["district", "-started_at"])]

    def __str__(self) -> str:
        return f"{self.get_source_display()}: {self.origin} ({self.started_at:%d.%m.%Y %H:%M})"


class LabourSummary(models.Model):
    """A snapshot of a district's vacancies for one week or month, stored once per period."""

    class Period(models.TextChoices):
        WEEK = "week", _("Неделя")
        MONTH = "month", _("Месяц")

    district = models.ForeignKey(
        "resource_center.District",
        verbose_name=_("район"),
        on_delete=models.CASCADE,
        related_name="labour_summaries",
    )
    period = models.CharField(_("период"), max_length=10, choices=Period.choices)
    period_start = models.DateField(_("начало периода"))
    period_end = models.DateField(_("конец периода"))
    computed_at = models.DateTimeField(_("рассчитана"))
    vacancies_open = models.PositiveIntegerField(_("открытых вакансий на конец периода"))
    # The figures of the snapshot (by profession group and sector, salary quartiles, shares,
    # new and closed, the top professions, the balance of demand and supply), written whole
    # by labour.services.summaries in the same transaction as the row.
    figures = models.JSONField(_("показатели"), default=dict)
    # Set when the digest of this snapshot has gone to the subscribers (sent once).
    digest_sent_at = models.DateTimeField(_("рассылка отправлена"), null=True, blank=True)

    class Meta:
        verbose_name = _("сводка по рынку труда")
        verbose_name_plural = _("сводки по рынку труда")
        ordering = ["-period_start", "period"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "period", "period_start"], name="labour_summary_once"
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="labour_summary_period_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.district}: {self.get_period_display()} с {self.period_start:%d.%m.%Y}"


class DigestSubscription(models.Model):
    """A user who receives the e-mail digest of each new summary of a district."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("пользователь"),
        on_delete=models.CASCADE,
        related_name="labour_digest",
    )
    district = models.ForeignKey(
        "resource_center.District",
        verbose_name=_("район"),
        on_delete=models.CASCADE,
        related_name="labour_digest_subscriptions",
    )
    weekly = models.BooleanField(_("еженедельные сводки"), default=True)
    monthly = models.BooleanField(_("ежемесячные сводки"), default=True)
    created_at = models.DateTimeField(_("подписка оформлена"), auto_now_add=True)

    class Meta:
        verbose_name = _("подписка на сводки")
        verbose_name_plural = _("подписки на сводки по рынку труда")
        ordering = ["district", "user"]

    def __str__(self) -> str:
        return f"{self.user} — {self.district}"
