"""The reports on the demo district, as a new user meets them: the demo administration login
opens a dashboard whose coverage figures agree with counts made in the database, and no page
or export reachable from it names a pupil."""

from __future__ import annotations

import datetime
import io
import re
from collections import Counter
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from guidance.models import Attempt
from reports.registry import REPORTS
from resource_center.models import District, Organisation
from students.models import Consent, Student, current_academic_year

pytestmark = pytest.mark.django_db

PASSWORD = "demo12345"
COVERAGE = REPORTS["coverage"]
COUNTS = ("pupils", "with_profile", "with_consent", "with_attempt")
HIDDEN = "< 5"
# A count of 5 or more hidden so that a small one cannot be worked out from a total.
DERIVED = "скрыто"


class TableReader(HTMLParser):
    """The cells of the table marked data-testid=<testid>, by part (thead, tbody, tfoot)."""

    def __init__(self, testid: str) -> None:
        super().__init__()
        self.testid = testid
        self.depth = 0  # >0 while inside the table
        self.part = ""
        self.parts: dict[str, list[list[str]]] = {"thead": [], "tbody": [], "tfoot": []}
        self.cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table" and ("data-testid", self.testid) in attrs:
            self.depth = 1
        elif self.depth and tag == "table":
            self.depth += 1
        elif self.depth and tag in self.parts:
            self.part = tag
        elif self.depth and tag == "tr":
            self.parts[self.part].append([])
        elif self.depth and tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag: str) -> None:
        if self.depth and tag in ("td", "th") and self.cell is not None:
            self.parts[self.part][-1].append(" ".join("".join(self.cell).split()))
            self.cell = None
        elif self.depth and tag == "table":
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


def read_table(html: str, testid: str) -> dict[str, list[list[str]]]:
    reader = TableReader(testid)
    reader.feed(html)
    return reader.parts


def links(html: str, pattern: str) -> set[str]:
    return {
        href.replace("&amp;", "&")
        for href in re.findall(r'href="([^"]+)"', html)
        if re.match(pattern, href)
    }


@pytest.fixture
def demo() -> District:
    call_command("seed_demo", stdout=io.StringIO())
    return District.objects.get(name="Нытвенский городской округ", region="Пермский край")


def log_in(client, username: str) -> None:
    """Through the login form, as a person does (django-axes watches it)."""
    response = client.post(reverse("login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302, username


def coverage_in_database(district: District) -> dict[tuple[str, str], dict[str, int]]:
    """Pupils of the district's schools this academic year by school and grade, with those
    who have a guidance field filled in, an active processing consent and a questionnaire
    completed this academic year."""
    year = current_academic_year()
    tz = timezone.get_current_timezone()
    start = datetime.datetime(year, 9, 1, tzinfo=tz)
    end = datetime.datetime(year + 1, 9, 1, tzinfo=tz)
    pupils = Student.objects.filter(
        organisation__district=district,
        organisation__kind=Organisation.Kind.SCHOOL,
        academic_year=year,
        is_active=True,
    )
    consenting = set(
        Consent.objects.filter(
            scope=Consent.Scope.PROCESSING, withdrawn_at__isnull=True
        ).values_list("student_id", flat=True)
    )
    attempted = set(
        Attempt.objects.filter(completed_at__gte=start, completed_at__lt=end).values_list(
            "student_id", flat=True
        )
    )
    with_profile = set(
        pupils.exclude(
            interests="", preferred_professions="", path_after_9="", path_after_11=""
        ).values_list("pk", flat=True)
    )
    counts: dict[tuple[str, str], Counter] = {}
    for pk, school, grade in pupils.values_list("pk", "organisation__short_name", "grade"):
        row = counts.setdefault((school, str(grade)), Counter())
        row["pupils"] += 1
        row["with_profile"] += pk in with_profile
        row["with_consent"] += pk in consenting
        row["with_attempt"] += pk in attempted
    return {key: {c: row[c] for c in COUNTS} for key, row in counts.items()}


def coverage_on_page(html: str) -> tuple[dict[tuple[str, str], dict[str, str]], dict[str, str]]:
    table = read_table(html, "report-table-coverage")
    (header,) = table["thead"]
    at = {str(c.key): header.index(str(c.label)) for c in COVERAGE.columns}
    rows = {
        (r[at["school"]], r[at["grade"]]): {c: r[at[c]] for c in COUNTS} for r in table["tbody"]
    }
    (totals,) = table["tfoot"]
    return rows, {c: totals[at[c]] for c in COUNTS}


def test_demo_administration_sees_coverage_as_counted_with_small_counts_hidden(client, demo):
    log_in(client, "admin_district")
    home = client.get(reverse("home")).content.decode()
    assert reverse("reports:dashboard") in links(home, r"^/reports/")

    html = client.get(reverse("reports:dashboard")).content.decode()
    rows, totals = coverage_on_page(html)
    expected = coverage_in_database(demo)
    assert set(rows) == set(expected)
    assert len(expected) >= 6 * 3  # six schools, several grades each

    shown = hidden = 0
    for key, counts in expected.items():
        for column, n in counts.items():
            cell = rows[key][column]
            if 0 < n < 5:
                assert cell == HIDDEN, (key, column, n)
            else:
                # Shown as counted, or hidden because it would give a small one away:
                # then it reads «скрыто», never «< 5», which would be untrue.
                assert cell in (str(n), DERIVED), (key, column, n, cell)
            shown += cell == str(n)
            hidden += cell in (HIDDEN, DERIVED)
    assert hidden > 0
    assert shown > hidden
    district_pupils = sum(c["pupils"] for c in expected.values())
    assert totals["pupils"] == str(district_pupils)


def test_demo_coordinator_sees_every_coverage_figure_as_counted(client, demo):
    log_in(client, "coordinator")
    html = client.get(reverse("reports:dashboard")).content.decode()
    rows, totals = coverage_on_page(html)
    expected = coverage_in_database(demo)
    assert rows == {key: {c: str(n) for c, n in counts.items()} for key, counts in expected.items()}
    assert totals == {c: str(sum(row[c] for row in expected.values())) for c in COUNTS}
    assert HIDDEN not in html
    assert DERIVED not in html


def test_no_demo_pupil_is_named_on_any_report_page_or_export(client, demo):
    surnames = set(
        Student.objects.filter(organisation__district=demo).values_list("last_name", flat=True)
    )
    assert len(surnames) > 50
    named = re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, sorted(surnames))) + r")(?!\w)")
    pupil = Student.objects.filter(organisation__district=demo).first()
    assert named.search(f"<td>{pupil.full_name}</td>")

    log_in(client, "admin_district")
    dashboard = reverse("reports:dashboard")
    # The dashboard as it opens and narrowed to each school of the filter.
    schools = Organisation.objects.schools().filter(district=demo)
    pages = {dashboard} | {f"{dashboard}?school={s.pk}" for s in schools}
    seen: set[str] = set()
    exports: set[str] = set()
    while pages - seen:
        url = min(pages - seen)
        seen.add(url)
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        # The signed-in user's own name is in the menu; the pupils' names must be nowhere.
        main = html[html.index("<main") : html.index("</main>")]
        assert not named.search(main), (url, named.search(main))
        pages |= links(html, r"^/reports/[\w-]+/(\?|$)")
        exports |= links(html, r"^/reports/[\w-]+/export/")

    assert {urlsplit(u).path for u in seen} >= {
        reverse("reports:report_detail", args=[slug]) for slug in REPORTS
    }
    assert {urlsplit(u).path for u in exports} == {
        reverse("reports:report_export", args=[slug]) for slug in REPORTS
    }
    assert len(exports) >= 2 * len(REPORTS) * (1 + schools.count())
    for url in sorted(exports):
        response = client.get(url)
        assert response.status_code == 200, url
        if "format=xlsx" in url:
            sheet = load_workbook(io.BytesIO(response.content)).active
            text = " ".join(str(v) for row in sheet.iter_rows(values_only=True) for v in row if v)
        else:
            text = response.content.decode("utf-8-sig")
        assert not named.search(text), (url, named.search(text))


def test_demo_xlsx_of_the_coverage_holds_the_page_figures(client, demo):
    log_in(client, "admin_district")
    school = Organisation.objects.schools().filter(district=demo).order_by("short_name").first()
    query = f"?school={school.pk}"
    rows, totals = coverage_on_page(
        client.get(reverse("reports:dashboard") + query).content.decode()
    )
    assert {key[0] for key in rows} == {school.short_name}
    response = client.get(
        reverse("reports:report_export", args=["coverage"]) + query + "&format=xlsx"
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    lines = [
        ["" if v is None else str(v) for v in line] for line in sheet.iter_rows(values_only=True)
    ]
    header = [str(c.label) for c in COVERAGE.columns]
    start = lines.index(header)
    at = {str(c.key): i for i, c in enumerate(COVERAGE.columns)}
    in_file = {
        (line[at["school"]], line[at["grade"]]): {c: line[at[c]] for c in COUNTS}
        for line in lines[start + 1 : -1]
    }
    assert in_file == rows
    assert {c: lines[-1][at[c]] for c in COUNTS} == totals
    # The heading says which school the figures are for.
    assert any(school.short_name in line[0] for line in lines[:start] if line)
