"""Coverage: pupils with a profile, an active consent and a completed questionnaire."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from guidance.models import Attempt
from reports.registry import Chart, Column, Report, ReportTable, register
from reports.scope import ReportFilters, ReportScope, pupils_in_scope
from students.models import Consent, active_consent

# A pupil "has a profile" when the counsellor has filled in any of its guidance fields.
PROFILE_FILLED = (
    ~Q(interests="") | ~Q(preferred_professions="") | ~Q(path_after_9="") | ~Q(path_after_11="")
)

COLUMNS = (
    Column("school", _("Школа"), "dim"),
    Column("grade", _("Класс"), "dim"),
    Column("pupils", _("Обучающихся"), "count"),
    Column("with_profile", _("Заполнен профиль"), "count"),
    Column("with_consent", _("Есть согласие"), "count"),
    Column("with_attempt", _("Прошли анкету"), "count"),
    Column("consent_share", _("Согласие, %"), "share", share_of=("with_consent", "pupils")),
    Column("attempt_share", _("Анкета, %"), "share", share_of=("with_attempt", "pupils")),
)


def compute(*, scope: ReportScope, filters: ReportFilters) -> ReportTable:
    """One grouped query: pupils of the year by school and grade with three counts."""
    start, end = filters.period()
    attempted = Exists(
        Attempt.objects.filter(
            student=OuterRef("pk"), completed_at__gte=start, completed_at__lt=end
        )
    )
    rows = (
        pupils_in_scope(scope, filters)
        .values("organisation__short_name", "organisation_id", "grade")
        .annotate(
            pupils=Count("pk"),
            with_profile=Count("pk", filter=PROFILE_FILLED),
            with_consent=Count("pk", filter=Q(active_consent(Consent.Scope.PROCESSING))),
            with_attempt=Count("pk", filter=Q(attempted)),
        )
        .order_by("organisation__short_name", "organisation_id", "grade")
    )
    return ReportTable(
        columns=list(COLUMNS),
        rows=[
            {
                "school": r["organisation__short_name"],
                "grade": r["grade"],
                "pupils": r["pupils"],
                "with_profile": r["with_profile"],
                "with_consent": r["with_consent"],
                "with_attempt": r["with_attempt"],
            }
            for r in rows
        ],
    )


register(
    Report(
        slug="coverage",
        title=_("Охват"),
        description=_(
            "Обучающиеся учебного года по школам и классам: сколько с заполненным профилем, "
            "с действующим согласием на обработку данных и с пройденной за период анкетой."
        ),
        columns=COLUMNS,
        compute=compute,
        chart=Chart(
            type="bar",
            label_columns=("school", "grade"),
            series=("pupils", "with_profile", "with_consent", "with_attempt"),
        ),
    )
)
