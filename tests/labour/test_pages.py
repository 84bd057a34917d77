"""The labour-market pages: the overview with trends, the balance and the public page."""

from __future__ import annotations

import datetime
import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from guidance.models import Profession
from labour.models import LabourSummary, ProfessionGroup
from labour.selectors import SHORTAGE_FROM, SURPLUS_BELOW
from labour.services.summaries import labour_summaries_due, labour_summary_compute
from students.models import current_academic_year
from tests import factories as f

pytestmark = pytest.mark.django_db

WEEK = LabourSummary.Period.WEEK
MONTH = LabourSummary.Period.MONTH
WEEKS = [datetime.date(2026, 3, 2), datetime.date(2026, 3, 9), datetime.date(2026, 3, 16)]
MONTHS = [datetime.date(2026, 2, 1), datetime.date(2026, 3, 1)]


def at(day: datetime.date, hour: int = 12) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def d(day: int, month: int = 3) -> datetime.date:
    return datetime.date(2026, month, day)


def text(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def by_testid(html: str, name: str) -> str:
    """The text inside the first element with data-testid=name (tags stripped)."""
    match = re.search(rf'data-testid="{re.escape(name)}"[^>]*>(.*?)</', html, re.S)
    assert match, name
    return match.group(1).strip()


def profession(title: str, group: str) -> Profession:
    """The profession (the default ones may be installed already) in the group."""
    made, _ = Profession.objects.update_or_create(
        title=title, defaults={"group": ProfessionGroup.objects.get_or_create(title=group)[0]}
    )
    return made


@pytest.fixture
def market(world):
    """Welders and cooks of the district across three weeks of March 2026, an unmapped job,
    a far district's job, the technikum's welding programme with its graduates."""
    welder = profession("Сварщик", "Сварка")
    cook = profession("Повар", "Общественное питание")
    programme = f.ProgrammeFactory(
        technikum=world.technikum, okso_code="15.01.05", title="Сварщик (ручной сварки)"
    )
    welder.programmes.add(programme)
    hidden = f.ProgrammeFactory(
        technikum=world.technikum, okso_code="43.01.09", title="Повар, кондитер", is_published=False
    )
    cook.programmes.add(hidden)
    employer = world.employer
    f.VacancyFactory(
        employer=employer,
        title="Электрогазосварщик",
        profession=welder,
        published_at=at(d(1, 2)),
        salary_from=40000,
        salary_to=60000,
        sector="Промышленность",
        work_places=3,
    )
    f.VacancyFactory(
        employer=world.other_employer,
        title="Сварщик на полуавтомат",
        profession=welder,
        published_at=at(d(10)),
        salary_from=30000,
        salary_to=None,
        for_graduates=True,
    )
    f.VacancyFactory(
        employer=employer,
        title="Повар горячего цеха",
        profession=cook,
        published_at=at(d(3)),
        salary_from=20000,
        salary_to=None,
        for_minors=True,
        status="closed",
        closed_at=at(d(18)),
    )
    f.VacancyFactory(
        employer=employer,
        title="Разнорабочий склада",
        published_at=at(d(15, 2)),
        salary_from=None,
        salary_to=None,
    )
    far = f.EmployerFactory(district=world.other_district_school.district, short_name="Оханск")
    f.VacancyFactory(employer=far, title="Тракторист", profession=welder, published_at=at(d(1, 2)))
    for _ in range(2):
        f.StudentFactory(
            organisation=world.technikum,
            programme=programme,
            grade=3,
            academic_year=current_academic_year(d(31)),
        )
    return {"welder": welder, "cook": cook, "programme": programme, "far": far}


def compute(district, period: str = WEEK, starts=WEEKS) -> list[LabourSummary]:
    return [
        labour_summary_compute(district=district, period=period, period_start=start)
        for start in starts
    ]


@pytest.fixture
def weeks(world, market) -> list[LabourSummary]:
    return compute(world.district)


@pytest.fixture
def months(world, market) -> list[LabourSummary]:
    return compute(world.district, MONTH, MONTHS)


# --- the overview ---------------------------------------------------------------------


def test_overview_shows_the_latest_weekly_summary_as_stored(client, counsellor_a, weeks):
    latest = weeks[-1]
    figures = latest.figures
    client.force_login(counsellor_a)

    html = text(client.get(reverse("labour:overview")))

    assert by_testid(html, "figure-vacancies-open-value") == str(latest.vacancies_open)
    assert by_testid(html, "figure-work-places-value") == str(figures["work_places_open"])
    assert by_testid(html, "figure-new-value") == str(figures["new"])
    assert by_testid(html, "figure-closed-value") == str(figures["closed"])
    for key in ("q1", "median", "q3"):
        assert by_testid(html, f"salary-{key}") == str(figures["salary"][key])
    shares = html[html.index('data-testid="share-minors"') :]
    assert f"<td>{figures['for_minors']['count']}</td>" in shares
    assert f"{round(figures['for_minors']['share'] * 100)}&nbsp;%" in shares
    top = html[html.index('data-testid="top-professions"') :]
    assert [row["title"] for row in figures["top_professions"]] == ["Сварщик"]
    assert "<td>Сварщик</td>" in top
    assert "Повар" not in top.split("</table>")[0]  # closed before the end of the week
    groups = html[html.index('data-testid="by-group"') :].split("</table>")[0]
    assert "Без профессии или группы" in groups  # the unmapped job
    assert f"{latest.computed_at.astimezone(timezone.get_current_timezone()):%d.%m.%Y %H:%M}" in (
        by_testid(html, "summary-dates")
    )
    assert "за неделю с 16.03.2026 по 22.03.2026" in by_testid(html, "summary-dates")


def test_figures_follow_the_fixture_vacancies(weeks):
    # Opened on 3 March and closed on 18 March, the cook's job is open at the end of the
    # first two weeks only; the welder from 10 March is new in the second.
    opened = [s.vacancies_open for s in weeks]
    assert opened[1] == opened[0] + 1 == opened[2] + 1
    assert [s.figures["new"] for s in weeks] == [1, 1, 0]
    assert [s.figures["closed"] for s in weeks] == [0, 0, 1]


def test_period_switch_shows_the_monthly_summary(client, counsellor_a, weeks, months):
    client.force_login(counsellor_a)

    html = text(client.get(reverse("labour:overview"), {"period": MONTH}))

    assert "за месяц с 01.03.2026 по 31.03.2026" in by_testid(html, "summary-dates")
    assert by_testid(html, "figure-new-value") == str(months[-1].figures["new"])
    assert 'aria-current="page" href="?period=month"' in html


def test_trends_hold_every_summary_oldest_first_in_the_chart_and_the_tables(
    client, counsellor_a, weeks
):
    client.force_login(counsellor_a)

    html = text(client.get(reverse("labour:overview")))

    data = json.loads(script_data(html, "labour-trend-data"))
    assert data["labels"] == [f"{s.period_start:%d.%m.%Y}" for s in weeks]
    assert data["series"]["open"] == [s.vacancies_open for s in weeks]
    assert data["series"]["new"] == [s.figures["new"] for s in weeks]
    assert data["series"]["closed"] == [s.figures["closed"] for s in weeks]
    assert data["series"]["salary"] == [s.figures["salary"]["median"] for s in weeks]
    assert len(set(data["series"]["open"])) > 1  # not flat
    for key in ("open", "new", "closed", "salary"):
        section = html[html.index(f'data-testid="trend-{key}"') :].split("</section>")[0]
        assert section.count('data-testid="trend-row"') == len(weeks)
        assert f'data-series="{key}"' in section
    assert "js/labour_charts.js" in html
    assert "vendor/chart.js/chart.umd.min.js" in html
    assert "<script>" not in html  # no inline scripts


def script_data(html: str, element_id: str) -> str:
    match = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', html)
    assert match, element_id
    return match.group(1)


def test_trend_keeps_only_the_last_twelve_summaries(client, counsellor_a, world, market):
    starts = [WEEKS[0] - datetime.timedelta(weeks=n) for n in range(14)]
    compute(world.district, WEEK, starts)
    client.force_login(counsellor_a)

    data = json.loads(
        script_data(text(client.get(reverse("labour:overview"))), "labour-trend-data")
    )

    assert data["labels"] == [f"{s:%d.%m.%Y}" for s in sorted(starts)[-12:]]


def test_without_summaries_the_overview_says_when_the_first_comes(client, counsellor_a, market):
    client.force_login(counsellor_a)

    html = text(client.get(reverse("labour:overview")))

    start = dict(labour_summaries_due(today=timezone.localdate()))[WEEK]
    assert "Сводок ещё нет: первая будет рассчитана" in by_testid(html, "no-summary")
    assert f"{start:%d.%m.%Y}" in by_testid(html, "no-summary")
    assert 'data-testid="summary-figures"' not in html
    assert "labour_charts.js" not in html


def test_a_week_without_a_monthly_summary_shows_the_empty_month(client, counsellor_a, weeks):
    client.force_login(counsellor_a)
    html = text(client.get(reverse("labour:overview"), {"period": MONTH}))
    assert 'data-testid="no-summary"' in html


def test_a_single_summary_shows_the_table_without_a_chart(client, counsellor_a, world, market):
    compute(world.district, WEEK, WEEKS[:1])
    client.force_login(counsellor_a)
    html = text(client.get(reverse("labour:overview")))
    assert html.count('data-testid="trend-row"') == 4
    assert "labour-chart" not in html
    assert "labour_charts.js" not in html


# --- the district shown ---------------------------------------------------------------


@pytest.fixture
def far_summary(world, market):
    """A summary of the far district, whose one open vacancy tells it apart."""
    return compute(world.other_district_school.district, WEEK, WEEKS[-1:])[0]


@pytest.mark.parametrize("url", ["labour:overview", "labour:balance"])
def test_a_foreign_district_is_refused_and_the_own_one_shown(
    client, coordinator, world, weeks, far_summary, url
):
    far = far_summary.district
    client.force_login(coordinator)

    html = text(client.get(reverse(url), {"district": far.pk}))

    assert far.name not in html
    assert world.district.name in html
    assert 'data-testid="district-refused"' in html


@pytest.mark.parametrize("value", ["abc", "999999", ""])
def test_a_bad_district_value_shows_the_own_district(client, counsellor_a, world, weeks, value):
    client.force_login(counsellor_a)
    html = text(client.get(reverse("labour:overview"), {"district": value}))
    assert by_testid(html, "figure-vacancies-open-value") == str(weeks[-1].vacancies_open)


def test_a_superuser_chooses_any_district(client, world, weeks, far_summary):
    admin = f.UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(admin)

    html = text(client.get(reverse("labour:overview"), {"district": far_summary.district.pk}))

    assert by_testid(html, "figure-vacancies-open-value") == str(far_summary.vacancies_open)
    assert far_summary.vacancies_open != weeks[-1].vacancies_open
    assert 'data-testid="district-switch"' in html


# --- the balance ----------------------------------------------------------------------


def test_balance_lists_the_trained_professions_with_a_verdict(client, technikum_staff, months):
    summary = months[-1]
    rows = {row["title"]: row for row in summary.figures["balance"]}
    client.force_login(technikum_staff)

    html = text(client.get(reverse("labour:balance")))

    assert "за месяц с 01.03.2026 по 31.03.2026" in by_testid(
        html, "summary-dates"
    )  # monthly by default
    assert html.count('data-testid="balance-row"') == len(rows) == 2
    welder = html[html.index("<td>Сварщик") :].split("</tr>")[0]
    row = rows["Сварщик"]
    for key in ("vacancies", "work_places", "graduates", "dual_seats"):
        assert f"<td>{row[key]}</td>" in welder
    assert f"{row['work_places_per_graduate']:.2f}".replace(".", ",") in welder
    ratio = row["work_places"] / row["graduates"]
    expected = (
        "shortage" if ratio >= SHORTAGE_FROM else "surplus" if ratio < SURPLUS_BELOW else "balance"
    )
    assert f'data-verdict="{expected}"' in html[: html.index("<td>Сварщик")].rsplit("<tr", 1)[1]
    assert "15.01.05 Сварщик (ручной сварки)</a>" in welder
    cook = html[html.index("<td>Повар") :].split("</tr>")[0]
    assert "43.01.09 Повар, кондитер" in cook
    assert "43.01.09 Повар, кондитер</a>" not in cook  # unpublished: no link
    assert "Как считается" in html


def test_balance_without_summary_shows_the_empty_state(client, technikum_staff, market):
    client.force_login(technikum_staff)
    html = text(client.get(reverse("labour:balance")))
    assert "Сводок ещё нет" in by_testid(html, "no-summary")


# --- the public page ------------------------------------------------------------------


def test_in_demand_is_open_to_anonymous_and_reads_the_monthly_summary(
    client, world, market, weeks, months
):
    top = months[-1].figures["top_professions"]

    html = text(client.get(reverse("labour:in_demand")))

    assert "за месяц с 01.03.2026 по 31.03.2026" in by_testid(html, "summary-dates")
    assert html.count('data-testid="in-demand-profession"') == len(top)
    assert f"вакансий: {top[0]['vacancies']}" in html
    programme = market["programme"]
    link = reverse("schools:programme_detail", args=[programme.pk])
    assert f'href="{link}"' in html
    salary = months[-1].figures["salary"]
    assert f"— {salary['median']} ₽" in by_testid(html, "in-demand-salary")


def test_in_demand_falls_back_to_the_weekly_summary(client, weeks):
    html = text(client.get(reverse("labour:in_demand")))
    assert "за неделю с 16.03.2026 по 22.03.2026" in by_testid(html, "summary-dates")


def test_in_demand_shows_no_employer_vacancy_or_person(client, world, market, months):
    html = text(client.get(reverse("labour:in_demand")))
    for private in (
        world.employer.short_name,
        world.other_employer.short_name,
        "Электрогазосварщик",
        "Разнорабочий склада",
        "Учеников",  # the graduates' surnames
    ):
        assert private not in html


def test_in_demand_shows_any_district_chosen(client, world, market, far_summary):
    html = text(client.get(reverse("labour:in_demand"), {"district": far_summary.district.pk}))
    assert "Оханский городской округ" in html
    assert 'data-testid="district-refused"' not in html


def test_in_demand_without_summaries_says_so(client, world):
    html = text(client.get(reverse("labour:in_demand")))
    assert "Сводок ещё нет" in by_testid(html, "no-summary")


# --- navigation -----------------------------------------------------------------------


def test_navigation_leads_staff_to_the_overview_and_everyone_to_in_demand(
    client, counsellor_a, parent_of_pupil_a
):
    overview, public = reverse("labour:overview"), reverse("labour:in_demand")
    html = text(client.get(reverse("labour:in_demand")))
    assert f'href="{public}"' in html
    assert f'href="{overview}"' not in html
    client.force_login(parent_of_pupil_a)
    html = text(client.get(reverse("labour:in_demand")))
    assert f'href="{public}"' in html
    assert f'href="{overview}"' not in html
    client.force_login(counsellor_a)
    html = text(client.get(reverse("labour:in_demand")))
    assert f'href="{overview}"' in html


# --- queries --------------------------------------------------------------------------


def grow(world, market, n: int) -> None:
    """n more vacancies and professions, and summaries of fourteen more weeks."""
    group = ProfessionGroup.objects.create(title=f"Группа для проверки {n}")
    for i in range(n):
        profession = f.ProfessionFactory(group=group)
        profession.programmes.add(market["programme"])
        f.VacancyFactory(
            employer=world.employer,
            profession=profession,
            published_at=at(d(1, 2)),
            sector=f"Сфера {i}",
        )
    starts = [WEEKS[0] - datetime.timedelta(weeks=k) for k in range(1, 15)]
    compute(world.district, WEEK, [*starts, *WEEKS])
    compute(world.district, MONTH, MONTHS)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        # session, user, memberships, parent?, pupil?; districts, latest summaries, trend
        ("labour:overview", 8),
        # session, user, memberships, parent?, pupil?; districts, latest summaries, programmes
        ("labour:balance", 8),
        # session, user, memberships, parent?, pupil?; districts, latest summaries, programmes
        ("labour:in_demand", 8),
    ],
)
def test_pages_run_the_same_queries_for_a_small_and_a_large_market(
    client, counsellor_a, world, weeks, months, market, url, expected, django_assert_num_queries
):
    client.force_login(counsellor_a)
    with django_assert_num_queries(expected):
        text(client.get(reverse(url)))
    grow(world, market, 30)
    with django_assert_num_queries(expected):
        html = text(client.get(reverse(url)))
    assert "Профессия" in html or "Сварщик" in html


def test_anonymous_in_demand_runs_three_queries(client, months, django_assert_num_queries):
    # districts, latest summaries, programmes
    with django_assert_num_queries(3):
        text(client.get(reverse("labour:in_demand")))
