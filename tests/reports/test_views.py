"""The reports' pages and exports: access, privacy, filters, exports and query counts."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from reports.exports import cell_text
from reports.registry import REPORTS, SUPPRESSED, is_hidden
from tests import factories as f
from tests.reports.conftest import build, counted, default_specs
from tests.reports.test_other_reports import make_events

pytestmark = pytest.mark.django_db

PUPIL_NAME_PARTS = ("Секретов", "Тайна")


def page_lines(table) -> list[list[str]]:
    keys = [c.key for c in table.columns]
    lines = [[cell_text(row.get(k)) for k in keys] for row in table.rows]
    if table.totals is not None:
        lines.append([cell_text(table.totals.get(k)) for k in keys])
    return lines


def test_dashboard_shows_every_report_with_chart_data_and_table(client, coordinator, report_data):
    client.force_login(coordinator)
    response = client.get(reverse("reports:dashboard"))
    assert response.status_code == 200
    html = response.content.decode()
    shown = {section["report"].slug: section for section in response.context["sections"]}
    assert set(shown) == set(REPORTS)
    for slug, report in REPORTS.items():
        assert f'data-testid="report-{slug}"' in html
        assert str(report.title) in html
        # A chart and its data where the table has rows; a short notice otherwise.
        assert (f'id="chart-{slug}-data"' in html) == bool(shown[slug]["table"].rows)
    assert 'id="chart-coverage-data"' in html
    assert "chart.umd.min.js" in html
    assert "report_charts.js" in html
    assert "<script>" not in html.replace('<script type="application/json"', "")


def test_coordinator_sees_exact_small_counts(client, coordinator, report_data, world):
    client.force_login(coordinator)
    response = client.get(reverse("reports:report_detail", args=["coverage"]))
    table = response.context["section"]["table"]
    school_b = [r for r in table.rows if r["school"] == world.school_b.short_name]
    expected = sum(1 for s in counted(report_data.specs) if s.school == "school_b" and s.grade == 9)
    assert expected < 5
    assert [r["pupils"] for r in school_b if r["grade"] == 9] == [expected]
    assert "&lt; 5" not in response.content.decode()


def test_administration_sees_small_counts_hidden_and_no_pupil_name(
    client, district_admin, report_data, world
):
    client.force_login(district_admin)
    urls = [reverse("reports:dashboard")]
    for slug in REPORTS:
        urls.append(reverse("reports:report_detail", args=[slug]))
    responses = {url: client.get(url) for url in urls}
    for url, response in responses.items():
        html = response.content.decode()
        for part in PUPIL_NAME_PARTS:
            assert part not in html, url
    response = responses[reverse("reports:report_detail", args=["coverage"])]
    table = response.context["section"]["table"]
    row_b9 = next(
        r for r in table.rows if r["school"] == world.school_b.short_name and r["grade"] == 9
    )
    assert row_b9["pupils"] is SUPPRESSED
    assert "&lt; 5" in response.content.decode()
    # The lone hidden cell of its column cannot be recovered from the total.
    for column in ("pupils", "with_profile", "with_consent", "with_attempt"):
        values = [r[column] for r in table.rows] + [table.totals[column]]
        assert sum(1 for v in values if is_hidden(v)) != 1, column


@pytest.mark.parametrize("slug", list(REPORTS))
def test_exports_hold_the_same_table_as_the_page(client, district_admin, report_data, slug):
    client.force_login(district_admin)
    page = client.get(reverse("reports:report_detail", args=[slug]))
    table = page.context["section"]["table"]
    expected = page_lines(table)
    header = [str(c.label) for c in table.columns]

    xlsx = client.get(reverse("reports:report_export", args=[slug]), {"format": "xlsx"})
    assert xlsx.status_code == 200
    assert xlsx["Content-Disposition"].startswith("attachment;")
    ws = load_workbook(io.BytesIO(xlsx.content)).active
    values = [list(r) for r in ws.iter_rows(values_only=True)]
    assert values[0][0] == str(REPORTS[slug].title)
    assert any(str(v[0]).startswith("Данные на ") for v in values[:5])
    start = next(i for i, r in enumerate(values) if list(r[: len(header)]) == header)
    assert ws.cell(row=start + 1, column=1).font.b
    kinds = [c.kind for c in table.columns]
    body = [
        # A share of 100.0 reads back from the sheet as the number 100.
        [
            ""
            if v is None
            else cell_text(float(v) if kind == "share" and isinstance(v, int) else v)
            for v, kind in zip(r[: len(header)], kinds, strict=True)
        ]
        for r in values[start + 1 :]
    ]
    assert body == expected
    for part in PUPIL_NAME_PARTS:
        assert part not in str(values)

    response = client.get(reverse("reports:report_export", args=[slug]), {"format": "csv"})
    assert response.content.startswith("\ufeff".encode())
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    start = rows.index(header)
    assert rows[start + 1 :] == expected
    for part in PUPIL_NAME_PARTS:
        assert part not in text


def test_export_keeps_the_filters_in_its_heading(client, coordinator, report_data, world):
    client.force_login(coordinator)
    response = client.get(
        reverse("reports:report_export", args=["coverage"]),
        {"format": "xlsx", "school": world.school_a.pk, "grade": 9},
    )
    ws = load_workbook(io.BytesIO(response.content)).active
    heading = [ws.cell(row=i, column=1).value for i in range(1, 6)]
    assert f"Школа: {world.school_a.short_name}" in heading
    assert "Класс: 9" in heading
    totals_row = [c.value for c in ws[ws.max_row]]
    assert totals_row[2] == sum(
        1 for s in counted(report_data.specs) if s.school == "school_a" and s.grade == 9
    )


def test_school_head_gets_only_their_school(client, head_a, report_data, world):
    client.force_login(head_a)
    response = client.get(reverse("reports:dashboard"))
    for section in response.context["sections"]:
        schools = {r.get("school") for r in section["table"].rows if "school" in r}
        assert schools <= {world.school_a.short_name}, section["report"].slug
    response = client.get(reverse("reports:dashboard"), {"school": world.school_b.pk})
    assert "Такой школы нет среди доступных вам" in response.content.decode()


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"grade": "12"}, "Класс должен быть числом от 1 до 11"),
        ({"grade": "девятый"}, "Класс должен быть числом от 1 до 11"),
        ({"academic_year": "1999"}, "Нет такого учебного года"),
        ({"academic_year": "x"}, "Нет такого учебного года"),
        ({"date_from": "2026-13-45"}, "Введите правильную дату"),
        ({"date_from": "2026-05-01", "date_to": "2026-01-01"}, "Начало периода позже"),
    ],
)
def test_bad_filters_give_a_message_and_the_unfiltered_report(
    client, coordinator, report_data, params, message
):
    client.force_login(coordinator)
    response = client.get(reverse("reports:report_detail", args=["coverage"]), params)
    assert response.status_code == 200
    assert message in response.content.decode()
    table = response.context["section"]["table"]
    assert table.totals["pupils"] == len(counted(report_data.specs))


def test_foreign_school_filter_is_refused(client, coordinator, report_data, world):
    client.force_login(coordinator)
    response = client.get(
        reverse("reports:report_detail", args=["coverage"]),
        {"school": world.other_district_school.pk},
    )
    assert "Такой школы нет среди доступных вам" in response.content.decode()
    assert response.context["section"]["table"].totals["pupils"] == len(counted(report_data.specs))


def test_unknown_report_is_404_and_unknown_format_400(client, coordinator):
    client.force_login(coordinator)
    assert client.get(reverse("reports:report_detail", args=["nothing"])).status_code == 404
    response = client.get(reverse("reports:report_export", args=["coverage"]), {"format": "pdf"})
    assert response.status_code == 400
    assert "Неизвестный формат" in response.content.decode()


@pytest.mark.parametrize("scale", [1, 6])
def test_dashboard_queries_do_not_grow_with_data(
    client, district_admin, world, django_assert_max_num_queries, scale
):
    data = build(world, default_specs() * scale)
    assert len(data.students) == len(default_specs()) * scale
    for _ in range(scale):
        make_events(world)
        f.PlacementFactory(place=f.DualTrainingPlaceFactory(employer=world.employer))
    client.force_login(district_admin)
    # session, user, memberships, guardian and pupil checks (5); the school filter checked
    # and its choices rendered (2); coverage 1, interests 2, paths 1, events 1, dual
    # training 2, continuity 1, labour balance 1, trends 1; career minimum: on track 2,
    # hours by direction 6.
    with django_assert_max_num_queries(QUERIES_DASHBOARD):
        response = client.get(reverse("reports:dashboard"), {"school": world.school_a.pk})
    assert response.status_code == 200


QUERIES_DASHBOARD = 25


def test_district_home_panel_links_the_dashboard(client, district_admin, coordinator):
    for user in (district_admin, coordinator):
        client.force_login(user)
        html = client.get(reverse("home")).content.decode()
        assert f'href="{reverse("reports:dashboard")}"' in html


@pytest.mark.parametrize("user", ["counsellor_a", "technikum_staff", "employer_rep"])
def test_other_staff_get_403(request, client, user):
    client.force_login(request.getfixturevalue(user))
    assert client.get(reverse("reports:dashboard")).status_code == 403
    export = client.get(reverse("reports:report_export", args=["coverage"]), {"format": "csv"})
    assert export.status_code == 403
