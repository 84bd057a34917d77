"""A school counsellor's day in the browser: log in, see the school, open a pupil, log out."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from tests import factories as f

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

BOOTSTRAP_CSS = "/static/vendor/bootstrap/css/bootstrap.min.css"


def test_counsellor_logs_in_sees_only_own_school_and_logs_out(
    page: Page, live_server, world, counsellor_a, pupil_a, pupil_b
):
    own = [
        pupil_a,
        f.StudentFactory(organisation=world.school_a, last_name="Смирнова", grade=9),
        f.StudentFactory(organisation=world.school_a, last_name="Кузнецов", grade=9),
    ]
    foreign = [
        pupil_b,
        f.StudentFactory(organisation=world.school_b, last_name="Соколова", grade=9),
    ]
    navbar = page.locator("nav.navbar")

    with page.expect_response(lambda r: r.url.endswith(BOOTSTRAP_CSS)) as css:
        page.goto(reverse("home"))
    assert css.value.status == 200

    navbar.get_by_role("link", name="Войти", exact=True).click()
    page.locator('input[name="username"]').fill(counsellor_a.username)
    page.locator('input[name="password"]').fill("test-pass-123")
    page.locator("main form").get_by_role("button", name="Войти").click()

    expect(page).to_have_url(live_server.url + reverse("home"))
    panel = page.get_by_test_id("school-panel")
    expect(panel).to_have_count(1)
    expect(panel.get_by_role("heading")).to_contain_text("СОШ № 1")
    expect(panel).to_contain_text(re.compile(r"Всего обучающихся:\s*3,"))

    navbar.get_by_role("link", name="Обучающиеся", exact=True).click()
    expect(page).to_have_url(live_server.url + reverse("students:student_list"))
    table = page.get_by_test_id("student-table")
    # Ordered by class, then surname; the full name, because "Петров" is in "Петрович".
    expect(table.locator("tbody").get_by_role("link")).to_have_text(
        sorted(p.full_name for p in own)
    )
    for pupil in foreign:
        expect(table).not_to_contain_text(pupil.full_name)

    table.get_by_role("link", name=pupil_a.full_name).click()
    expect(page.get_by_test_id("student-name")).to_have_text(pupil_a.full_name)

    page.get_by_test_id("user-menu").click()
    page.get_by_role("button", name="Выйти").click()
    expect(navbar.get_by_role("link", name="Войти", exact=True)).to_be_visible()
    expect(page.get_by_test_id("user-menu")).to_have_count(0)


def test_counsellor_typing_url_of_other_school_pupil_gets_404(
    page: Page, log_in, counsellor_a, pupil_b
):
    log_in(counsellor_a)

    response = page.goto(reverse("students:student_detail", args=[pupil_b.uuid]))

    assert response is not None
    assert response.status == 404
    expect(page.locator("body")).not_to_contain_text(pupil_b.last_name)
