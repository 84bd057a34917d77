"""The pupil list as a django-tables2 table (ordering through ?sort=)."""

from __future__ import annotations

from functools import cached_property

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from students.models import Student

# Stands for the pupil's UUID in the detail link, which is reversed once per page.
_UUID_SLOT = "00000000-0000-0000-0000-000000000000"


class StudentTable(tables.Table):
    """ФИО (a link to the page), birth date, class, consent badge, latest questionnaire
    result, plans; never the ОВЗ flag.

    The columns give the header, the sorting and the pagination; the cells are written out by
    the template (``students/_student_table.html``) from each row's record and its
    annotations, so rendering a page adds no queries.
    """

    name = tables.Column(
        verbose_name=_("ФИО"),
        accessor="last_name",
        order_by=("last_name", "first_name", "patronymic"),
    )
    birth_date = tables.Column(verbose_name=_("Дата рождения"))
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
        template_name = "students/_student_table.html"

    @cached_property
    def shows_organisation(self) -> bool:
        return "organisation" in self.columns

    def body_html(self) -> SafeString:
        """The page's rows, in the order of Meta.sequence.

        Written out here in one pass over the records: django-tables2's per-cell rendering
        (a signature inspection, an attribute dict and a template for each cell) took more
        time than the rest of the page, queries included. Labels are translated once per
        page, the link is reversed once and the UUID put in it.
        """
        link = reverse("students:student_detail", args=[_UUID_SLOT])
        labels = {
            True: format_html('<span class="badge text-bg-success">{}</span>', _("есть согласие")),
            False: format_html(
                '<span class="badge text-bg-secondary">{}</span>', _("нет согласия")
            ),
        }
        after_9, after_11 = str(_("после 9")), str(_("после 11"))
        paths_9 = dict(Student.PathAfter9.choices)
        paths_11 = dict(Student.PathAfter11.choices)
        rows = []
        for row in self.paginated_rows:
            pupil = row.record
            plans = [
                format_html('<span class="text-muted small">{}:</span> {}', label, paths[value])
                for label, paths, value in (
                    (after_9, paths_9, pupil.path_after_9),
                    (after_11, paths_11, pupil.path_after_11),
                )
                if value
            ]
            cells = [
                format_html(
                    '<a href="{}">{}</a>',
                    link.replace(_UUID_SLOT, str(pupil.uuid)),
                    pupil.full_name,
                ),
                pupil.birth_date.strftime("%d.%m.%Y") if pupil.birth_date else "—",
                pupil.class_name,
            ]
            if self.shows_organisation:
                cells.append(pupil.organisation.short_name or "—")
            cells += [
                labels[bool(pupil.has_consent)],
                "—"
                if pupil.latest_result is None
                else format_html(
                    '<span class="text-muted small">{}:</span> {}',
                    pupil.latest_questionnaire,
                    pupil.latest_result or "—",
                ),
                format_html_join(mark_safe("<br>"), "{}", ((plan,) for plan in plans))
                if plans
                else "—",
            ]
            rows.append(format_html_join("", "<td>{}</td>", ((cell,) for cell in cells)))
        if not rows:
            return format_html(
                '<tr><td colspan="{}">{}</td></tr>', len(self.columns), self.empty_text
            )
        return format_html_join("\n", "<tr>{}</tr>", ((cells,) for cells in rows))
