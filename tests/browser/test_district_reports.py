"""The district reports in the browser: the administration logs in, opens the reports from its
home page, narrows them to a school and an earlier academic year and downloads the XLSX,
which holds the figures of the page's table and no pupil's name."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from playwright.sync_api import Locator, Page, expect

from reports.registry import REPORTS
from resource_center.models import Organisation
from students.models import Consent, Student, current_academic_year
from tests import factories as f

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

CHART_JS = "/static/vendor/chart.js/chart.umd.min.js"
COVERAGE = REPORTS["coverage"]
LABELS = {c.key: str(c.label) for c in COVERAGE.columns}


@pytest.fixture
def pupils(world):
    """Pupils of both schools this year and of school A last year. Every count of a school
    and grade is 0 or at least 5, so that the administration sees all of them."""
    year = current_academic_year()
    made = []
    # (school, grade, academic year, pupils, of them with consent)
    for school, grade, academic_year, total, consenting in [
        (world.school_a, 9, year, 12, 7),
        (world.school_a, 10, year, 6, 6),
        (world.school_b, 9, year, 8, 5),
        (world.school_a, 9, year - 1, 9, 5),
        (world.school_a, 8, year - 1, 5, 0),
        (world.other_district_school, 9, year - 1, 6, 6),
    ]:
        for n in range(total):
            pupil = f.StudentFactory(
                organisation=school,
                grade=grade,
                academic_year=academic_year,
                last_name=f"Неназываемов{len(made)}",
                first_name="Секрет",
            )
            if n < consenting:
                f.ConsentFactory(student=pupil)
            made.append(pupil)
    return made


def expected_rows(world, *, year: int, school=None) -> dict[tuple[str, str], tuple[str, str]]:
    """(school, grade) → (pupils, with consent) counted in the database, as the page writes them."""
    pupils = Student.objects.filter(
        organisation__district=world.district,
        organisation__kind=Organisation.Kind.SCHOOL,
        academic_year=year,
        is_active=True,
    )
    if school is not None:
        pupils = pupils.filter(organisation=school)
    consenting_ids = set(
        Consent.objects.filter(
            scope=Consent.Scope.PROCESSING, withdrawn_at__isnull=True
        ).values_list("student_id", flat=True)
    )
    lines = list(pupils.values_list("pk", "organisation__short_name", "grade"))
    totals = Counter((name, grade) for _pk, name, grade in lines)
    consenting = Counter((name, grade) for pk, name, grade in lines if pk in consenting_ids)
    return {
        (name, str(grade)): (str(n), str(consenting[(name, grade)]))
        for (name, grade), n in totals.items()
    }


def table_lines(table: Locator) -> tuple[list[str], list[list[str]], list[str]]:
    """Header, body rows and totals row of a report table, as the reader sees them."""
    header = [t.strip() for t in table.locator("thead th").all_inner_texts()]
    rows = [
        [t.strip() for t in row.locator("td").all_inner_texts()]
        for row in table.locator("tbody tr").all()
    ]
    totals = [t.strip() for t in table.locator("tfoot td").all_inner_texts()]
    return header, rows, totals


def figures(header: list[str], rows: list[list[str]]) -> dict[tuple[str, str], tuple[str, str]]:
    at = {label: header.index(label) for label in header}
    school, grade = at[LABELS["school"]], at[LABELS["grade"]]
    pupils, consent = at[LABELS["pupils"]], at[LABELS["with_consent"]]
    return {(r[school], r[grade]): (r[pupils], r[consent]) for r in rows}


def xlsx_text(value: object) -> str:
    return "" if value is None else str(value)


def figure(text: str) -> str | float:
    """A cell as a figure where it is one: the page writes 85,9 and 100,0, the sheet holds the
    numbers 85.9 and 100."""
    try:
        return float(text.replace(",", "."))
    except ValueError:
        return text


def test_administration_filters_the_coverage_and_downloads_the_same_figures(
    page: Page, live_server, world, district_admin, pupils, tmp_path
):
    year = current_academic_year()
    last_year = f"{year - 1}/{year % 100:02d}"
    surnames = set(Student.objects.values_list("last_name", flat=True))
    assert surnames >= {p.last_name for p in pupils}

    page.goto(reverse("home"))
    page.locator("nav.navbar").get_by_role("link", name="Войти", exact=True).click()
    page.locator('input[name="username"]').fill(district_admin.username)
    page.locator('input[name="password"]').fill("test-pass-123")
    page.locator("main form").get_by_role("button", name="Войти").click()
    expect(page).to_have_url(live_server.url + reverse("home"))

    with page.expect_response(lambda r: r.url.endswith(CHART_JS)) as chart_js:
        page.get_by_test_id("reports-link").get_by_role("link").click()
    assert chart_js.value.status == 200
    expect(page).to_have_url(live_server.url + reverse("reports:dashboard"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Отчёты района")

    section = page.get_by_test_id("report-coverage")
    table = page.get_by_test_id("report-table-coverage")
    # The chart is drawn by the portal's own Chart.js over the same data as the table.
    expect(section.locator("canvas.report-chart-canvas")).to_be_visible()
    assert page.evaluate("Boolean(Chart.getChart('chart-coverage'))")

    # This year, both schools of the district; nothing of the other district.
    now = expected_rows(world, year=year)
    header, rows, totals = table_lines(table)
    assert figures(header, rows) == now
    assert totals[header.index(LABELS["pupils"])] == str(sum(int(p) for p, _c in now.values()))
    expect(table).not_to_contain_text(world.other_district_school.short_name)
    assert "< 5" not in table.inner_text()

    filters = page.get_by_test_id("report-filters")
    filters.get_by_label("Учебный год").select_option(label=last_year)
    filters.get_by_label("Школа").select_option(label=world.school_a.short_name)
    filters.get_by_role("button", name="Показать").click()
    expect(page).to_have_url(re.compile(rf"school={world.school_a.pk}"))
    expect(filters.get_by_label("Школа")).to_have_value(str(world.school_a.pk))

    then = expected_rows(world, year=year - 1, school=world.school_a)
    assert then != now
    expect(table.locator("tbody tr")).to_have_count(len(then))
    header, rows, totals = table_lines(table)
    assert figures(header, rows) == then
    assert totals[header.index(LABELS["pupils"])] == str(sum(int(p) for p, _c in then.values()))
    expect(table).not_to_contain_text(world.school_b.short_name)

    with page.expect_download() as download_info:
        page.get_by_test_id("export-xlsx-coverage").click()
    download = download_info.value
    assert download.suggested_filename.startswith("coverage-")
    assert download.suggested_filename.endswith(".xlsx")

    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    sheet = load_workbook(saved).active
    lines = [[xlsx_text(v) for v in line] for line in sheet.iter_rows(values_only=True)]
    start = lines.index(header)
    # The heading says which school and year the figures are for.
    heading = " ".join(line[0] for line in lines[:start] if line and line[0])
    assert world.school_a.short_name in heading
    assert f"{year - 1}/{year % 100:02d}" in heading
    assert [[figure(v) for v in line] for line in lines[start + 1 :]] == [
        [figure(v) for v in line] for line in [*rows, totals]
    ]

    html = page.content()
    cells = " ".join(" ".join(line) for line in lines)
    for surname in surnames:
        assert surname not in html
        assert surname not in cells
