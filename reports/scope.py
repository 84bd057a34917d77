"""Who a report is computed for (ReportScope) and what the reader asked for (ReportFilters)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from resource_center.models import Organisation
from students.models import Student, current_academic_year


@dataclass(frozen=True)
class ReportScope:
    """The districts and (for a school head) the schools a reader sees; ``exact`` is False
    for the administration, whose reports hide small counts."""

    district_ids: frozenset[int]
    school_ids: frozenset[int] | None = None
    exact: bool = True

    def schools(self) -> QuerySet[Organisation]:
        """The schools the reports of this scope cover (a filter form's choices)."""
        qs = Organisation.objects.schools().filter(district_id__in=self.district_ids)
        if self.school_ids is not None:
            qs = qs.filter(pk__in=self.school_ids)
        return qs.order_by("short_name")

    def organisation_q(self, path: str) -> Q:
        """The condition that the school at ``path`` (e.g. "organisation") is in the scope."""
        q = Q(**{f"{path}__district_id__in": self.district_ids})
        if self.school_ids is not None:
            q &= Q(**{f"{path}_id__in": self.school_ids})
        return q

    @property
    def is_school_level(self) -> bool:
        return self.school_ids is not None


@dataclass(frozen=True)
class ReportFilters:
    academic_year: int | None = None
    school_id: int | None = None
    grade: int | None = None
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None

    @property
    def year(self) -> int:
        """The academic year the report is about (the current one unless chosen)."""
        return self.academic_year or current_academic_year()

    def period(self) -> tuple[datetime.datetime, datetime.datetime]:
        """[start, end) as aware datetimes: the chosen dates, else the academic year
        (1 September to 31 August)."""
        start = self.date_from or datetime.date(self.year, 9, 1)
        end = self.date_to or datetime.date(self.year + 1, 8, 31)
        tz = timezone.get_current_timezone()
        return (
            datetime.datetime.combine(start, datetime.time.min, tzinfo=tz),
            datetime.datetime.combine(
                end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz
            ),
        )

    def period_dates(self) -> tuple[datetime.date, datetime.date]:
        start, end = self.period()
        return start.date(), (end - datetime.timedelta(days=1)).date()


def pupils_in_scope(
    scope: ReportScope, filters: ReportFilters, *, year: bool = True, grade: bool = True
) -> QuerySet[Student]:
    """Active pupils of the scope's schools, narrowed by the filters (year and grade where
    the report uses them)."""
    qs = Student.objects.filter(
        scope.organisation_q("organisation"),
        organisation__kind=Organisation.Kind.SCHOOL,
        is_active=True,
    )
    if year:
        qs = qs.filter(academic_year=filters.year)
    if filters.school_id is not None:
        qs = qs.filter(organisation_id=filters.school_id)
    if grade and filters.grade is not None:
        qs = qs.filter(grade=filters.grade)
    return qs
