"""The distribution of interest types (the leading type of each pupil's latest result)."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count, Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from guidance.models import Attempt, Scale
from reports.registry import Chart, Column, Report, ReportTable, Row, register
from reports.scope import ReportFilters, ReportScope, pupils_in_scope

COLUMNS = (
    Column("school", _("Школа"), "dim"),
    Column("grade", _("Класс"), "dim"),
)


def compute(*, scope: ReportScope, filters: ReportFilters) -> ReportTable:
    """Two queries: the interest types of the active questionnaires, and pupils counted by
    school, grade and the leading type of their latest result of each questionnaire."""
    scales = list(
        Scale.objects.filter(questionnaire__is_active=True)
        .select_related("questionnaire")
        .order_by("questionnaire__title", "order", "code")
    )
    start, end = filters.period()
    later = Attempt.objects.filter(
        student=OuterRef("student"),
        questionnaire=OuterRef("questionnaire"),
        completed_at__gt=OuterRef("completed_at"),
        completed_at__lt=end,
    )
    counted = (
        Attempt.objects.filter(
            student__in=pupils_in_scope(scope, filters).values("pk"),
            completed_at__gte=start,
            completed_at__lt=end,
            leading_scale__isnull=False,
            questionnaire__is_active=True,
        )
        .filter(~Exists(later))
        .values(
            "student__organisation__short_name",
            "student__organisation_id",
            "student__grade",
            "leading_scale_id",
        )
        .annotate(pupils=Count("student", distinct=True))
        .order_by("student__organisation__short_name", "student__organisation_id", "student__grade")
    )

    columns = list(COLUMNS)
    groups: dict[int, list[str]] = defaultdict(list)
    scale_questionnaire: dict[int, int] = {}
    for scale in scales:
        key = f"s{scale.pk}"
        columns.append(Column(key, f"{scale.questionnaire.short_title}: {scale.name}", "count"))
        groups[scale.questionnaire_id].append(key)
        scale_questionnaire[scale.pk] = scale.questionnaire_id
        if len(groups[scale.questionnaire_id]) == sum(
            1 for s in scales if s.questionnaire_id == scale.questionnaire_id
        ):
            columns.append(
                Column(
                    f"q{scale.questionnaire_id}",
                    _("%(questionnaire)s: всего")
                    % {"questionnaire": scale.questionnaire.short_title},
                    "count",
                )
            )

    rows: dict[tuple[int, int], Row] = {}
    for item in counted:
        scale_id = item["leading_scale_id"]
        if scale_id not in scale_questionnaire:
            continue
        row = rows.setdefault(
            (item["student__organisation_id"], item["student__grade"]),
            {
                "school": item["student__organisation__short_name"],
                "grade": item["student__grade"],
                **{c.key: 0 for c in columns if c.kind == "count"},
            },
        )
        row[f"s{scale_id}"] += item["pupils"]
        row[f"q{scale_questionnaire[scale_id]}"] += item["pupils"]

    return ReportTable(
        columns=columns,
        rows=list(rows.values()),
        row_groups=tuple((*keys, f"q{qid}") for qid, keys in groups.items()),
        chart_series=tuple(key for keys in groups.values() for key in keys),
    )


register(
    Report(
        slug="interests",
        title=_("Типы интересов"),
        description=_(
            "Ведущий тип интересов по последнему за период результату каждой анкеты: "
            "число обучающихся по школам и классам."
        ),
        columns=COLUMNS,
        compute=compute,
        chart=Chart(type="bar", label_columns=("school", "grade"), stacked=True),
    )
)
