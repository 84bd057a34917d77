"""The pupil list as a django-tables2 table (ordering through ?sort=)."""

from __future__ import annotations

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from students.models import Student


class StudentTable(tables.Table):
    """ФИО (a link to the page), birth date, class, consent badge, latest questionnaire
    result, plans; never the ОВЗ flag.

    Every cell reads the row itself or its annotations, so rendering a page adds no queries.
    """

    name = tables.Column(
        verbose_name=_("ФИО"),
        accessor="last_name",
        order_by=("last_name", "first_name", "patronymic"),
    )
    birth_date = tables.DateColumn(verbose_name=_("Дата рождения"), format="d.m.Y")
    class_name = tables.Column(
        verbose_name=_("Класс"), accessor="class_name", order_by=("grade", "class_letter")
    )
    organisation = tables.Column(
        verbose_name=_("Организация"),
        accessor="organisation__short_name",
        order_by=("organisation__short_name",),
    )
    consent = tables.Column(
        verbose_name=_("Согласие"), accessor="has_consent", orderable=False, empty_values=()
    )
    questionnaire = tables.Column(
        verbose_name=_("Анкета"), accessor="latest_result", orderable=False, empty_values=()
    )
    path = tables.Column(
        verbose_name=_("Планы"), accessor="path_after_9", orderable=False, empty_values=()
    )

    class Meta:
        model = Student
        fields: tuple[str, ...] = ()
        sequence = (
            "name",
            "birth_date",
            "class_name",
            "organisation",
            "consent",
            "questionnaire",
            "path",
        )
        attrs = {"class": "table table-hover align-middle", "data-testid": "student-table"}
        empty_text = _("Обучающихся не найдено.")
        order_by_field = "sort"
        per_page = 50

    def render_name(self, record: Student) -> SafeString:
        return format_html(
            '<a href="{}">{}</a>',
            reverse("students:student_detail", args=[record.uuid]),
            record.full_name,
        )

    def render_consent(self, value: bool) -> SafeString:
        if value:
            return format_html('<span class="badge text-bg-success">{}</span>', _("есть согласие"))
        return format_html('<span class="badge text-bg-secondary">{}</span>', _("нет согласия"))

    def render_questionnaire(self, record: Student) -> SafeString | str:
        if record.latest_result is None:
            return "—"
        return format_html(
            '<span class="text-muted small">{}:</span> {}',
            record.latest_questionnaire,
            record.latest_result or "—",
        )

    def render_path(self, record: Student) -> SafeString | str:
        parts = [
            (label, value)
            for label, value in (
                (_("после 9"), record.get_path_after_9_display() if record.path_after_9 else ""),
                (_("после 11"), record.get_path_after_11_display() if record.path_after_11 else ""),
            )
            if value
        ]
        if not parts:
            return "—"
        return format_html_join(
            mark_safe("<br>"), '<span class="text-muted small">{}:</span> {}', parts
        )
