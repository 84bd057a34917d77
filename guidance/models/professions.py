"""Professions tagged with interest types, linked to the programmes that train for them."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Profession(models.Model):
    title = models.CharField(_("профессия"), max_length=200, unique=True)
    okz_code = models.CharField(
        _("код ОКЗ"), max_length=10, blank=True, help_text=_("Код группы занятий, если известен.")
    )
    description = models.TextField(_("описание"), blank=True)
    group = models.ForeignKey(
        "labour.ProfessionGroup",
        verbose_name=_("группа профессий"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="professions",
    )
    interest_types = models.ManyToManyField(
        "guidance.Scale",
        verbose_name=_("типы интересов"),
        blank=True,
        related_name="professions",
        help_text=_("Типы по Климову и коды RIASEC, которым профессия подходит."),
    )
    programmes = models.ManyToManyField(
        "schools.Programme",
        verbose_name=_("программы техникума"),
        blank=True,
        related_name="professions",
        help_text=_("Программы, по которым готовят к этой профессии."),
    )

    class Meta:
        verbose_name = _("профессия")
        verbose_name_plural = _("профессии")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title
