"""The labour-market part of the demo district: vacancies of past months that have closed
since, and summaries of past weeks and months, so the trend charts have points to draw.

The archived vacancies are found by their identifier in the employment centre's exports
(``source`` + ``external_id``), so a re-run adds none twice; their dates are set relative to
the first run and never moved. The summaries are computed again on each run (one per
district, period and start), which replaces rather than duplicates them.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from employers.models import Vacancy
from labour.models import LabourSummary
from labour.services.summaries import labour_summaries_due, labour_summary_compute
from resource_center import demo_data as data
from resource_center.models import District, Organisation

HISTORY_WEEKS = 8
HISTORY_MONTHS = 6
ARCHIVE_SIZE = 36
# The first archived vacancy was published this many days ago, each next one this many
# days later; each stayed open for a while that varies with its number.
ARCHIVE_FIRST_DAYS_AGO = 190
ARCHIVE_STEP_DAYS = 5


def demo_vacancy_archive_save(*, orgs: dict[str, Organisation]) -> None:
    """Closed vacancies of the last six months from the employment centre's exports."""
    now = timezone.now()
    found = set(
        Vacancy.objects.filter(
            source=Vacancy.Source.EMPLOYMENT_CENTRE, external_id__startswith=data.ARCHIVE_PREFIX
        ).values_list("external_id", flat=True)
    )
    new = []
    for n in range(ARCHIVE_SIZE):
        external_id = f"{data.ARCHIVE_PREFIX}{n + 1:03d}"
        if external_id in found:
            continue
        key, title, salary_from, salary_to, minors, min_age = data.VACANCY_ARCHIVE[
            n % len(data.VACANCY_ARCHIVE)
        ]
        days_ago = ARCHIVE_FIRST_DAYS_AGO - ARCHIVE_STEP_DAYS * n
        open_days = min(10 + (n * 11) % 45, days_ago - 1)
        published = now - datetime.timedelta(days=days_ago, hours=n % 7)
        employer = orgs[key]
        vacancy = Vacancy(
            employer=employer,
            title=title,
            salary_from=salary_from,
            salary_to=salary_to,
            for_minors=minors,
            is_summer_job=minors,
            min_age=min_age,
            work_places=1 + n % 3,
            status=Vacancy.Status.CLOSED,
            source=Vacancy.Source.EMPLOYMENT_CENTRE,
            external_id=external_id,
            address=employer.address,
            description=data.ARCHIVE_DESCRIPTION,
            schedule=Vacancy.Schedule.PART_TIME if minors else Vacancy.Schedule.FULL_DAY,
            employment_type=(
                Vacancy.EmploymentType.TEMPORARY if minors else Vacancy.EmploymentType.FULL
            ),
            published_at=published,
            closed_at=published + datetime.timedelta(days=open_days),
        )
        vacancy.full_clean()
        new.append(vacancy)
    Vacancy.objects.bulk_create(new)


def _months_back(first_of_month: datetime.date, n: int) -> datetime.date:
    month = first_of_month.month - 1 - n
    return datetime.date(first_of_month.year + month // 12, month % 12 + 1, 1)


def demo_summary_starts(*, today: datetime.date) -> list[tuple[str, datetime.date]]:
    """The last HISTORY_WEEKS complete weeks and HISTORY_MONTHS complete months, oldest first."""
    due = dict(labour_summaries_due(today=today))
    week, month = due[LabourSummary.Period.WEEK], due[LabourSummary.Period.MONTH]
    weeks = [
        (LabourSummary.Period.WEEK.value, week - datetime.timedelta(weeks=k))
        for k in reversed(range(HISTORY_WEEKS))
    ]
    months = [
        (LabourSummary.Period.MONTH.value, _months_back(month, k))
        for k in reversed(range(HISTORY_MONTHS))
    ]
    return weeks + months


def demo_labour_history_seed(*, district: District) -> list[LabourSummary]:
    """The district's summaries of the past weeks and months, as the scheduler would have
    computed them each week and month."""
    return [
        labour_summary_compute(district=district, period=period, period_start=start)
        for period, start in demo_summary_starts(today=timezone.localdate())
    ]


def demo_labour_counts(*, district: District) -> dict[str, Any]:
    return {
        "labour_summaries": LabourSummary.objects.filter(district=district).count(),
    }
