"""Continuity: the district's school leavers who became students of the technikum."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Subquery
from django.utils.translation import gettext_lazy as _

from reports.registry import Chart, Column, Report, ReportTable, register
from reports.scope import ReportFilters, ReportScope
from resource_center.models import Organisation
from students.models import Student

COLUMNS = (
    Column("school", _("Школа, где учился"), "dim"),
    Column("programme", _("Программа техникума"), "dim"),
    Column("students", _("Студентов"), "count"),
)


def compute(*, scope: ReportScope, filters: ReportFilters) -> ReportTable:
    """One query: technikum students of the year, each matched (same folded surname, first
    name, patronymic and birth date) to their latest earlier record in a school of the
    scope, counted by that school and the programme.

    The students with an earlier record are chosen with EXISTS, which the database runs as
    one (hash) semi-join; only theirs are looked up one by one for the school, through the
    index on the folded surname and birth date (student_person_key)."""
    earlier = Student.objects.filter(
        scope.organisation_q("organisation"),
        organisation__kind=Organisation.Kind.SCHOOL,
        last_name_folded=OuterRef("last_name_folded"),
        first_name=OuterRef("first_name"),
        patronymic=OuterRef("patronymic"),
        birth_date=OuterRef("birth_date"),
        academic_year__lt=OuterRef("academic_year"),
    ).order_by("-academic_year", "-pk")
    if filters.school_id is not None:
        earlier = earlier.filter(organisation_id=filters.school_id)
    rows = (
        Student.objects.filter(
            organisation__kind=Organisation.Kind.TECHNIKUM,
            organisation__district_id__in=scope.district_ids,
            academic_year=filters.year,
            is_active=True,
        )
        .filter(Exists(earlier))
        .annotate(
            former_school=Subquery(earlier.values("organisation_id")[:1]),
            former_school_name=Subquery(earlier.values("organisation__short_name")[:1]),
        )
        .values("former_school", "former_school_name", "programme__okso_code", "programme__title")
        .annotate(students=Count("pk"))
        .order_by("former_school_name", "former_school", "programme__okso_code")
    )
    return ReportTable(
        columns=list(COLUMNS),
        rows=[
            {
                "school": r["former_school_name"],
                "programme": (
                    f"{r['programme__okso_code']} {r['programme__title']}"
                    if r["programme__okso_code"]
                    else str(_("без программы"))
                ),
                "students": r["students"],
            }
            for r in rows
        ],
    )


register(
    Report(
        slug="continuity",
        title=_("Преемственность: из школ в техникум"),
        description=_(
            "Студенты техникума учебного года, которые раньше учились в школах района "
            "(совпадают ФИО и дата рождения), по школам и программам."
        ),
        columns=COLUMNS,
        compute=compute,
        chart=Chart(type="bar", label_columns=("school", "programme"), series=("students",)),
        filters=frozenset({"academic_year", "school"}),
    )
)
