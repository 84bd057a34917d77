"""The career-guidance minimum in the browser: a counsellor records a «Россия — мои горизонты»
lesson for 9Б with one pupil absent, then opens the class sheet and sees who is behind."""

from __future__ import annotations

import datetime
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from career_minimum.directions import directions_install
from career_minimum.models import Activity, Direction, Participation, SchoolPlan
from students.models import current_academic_year
from tests import factories as f

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

BASIC_HOURS = Decimal(SchoolPlan.TARGET_HOURS[SchoolPlan.Level.BASIC])
QUARTER = Decimal("0.25")


def target_on(day: datetime.date) -> Decimal:
    """The basic level's hours due on ``day``: the year's 40 hours spread evenly over the
    school year from 1 September to 31 May, to a tenth of an hour."""
    year = current_academic_year(day)
    start, end = datetime.date(year, 9, 1), datetime.date(year + 1, 5, 31)
    share = min(Decimal(1), max(Decimal(0), Decimal((day - start).days) / (end - start).days))
    return (BASIC_HOURS * share).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def give_hours(pupil, hours: Decimal, *, direction: Direction, school) -> None:
    """Earlier lessons of the year the pupil attended, adding up to ``hours``."""
    today = timezone.localdate()
    while hours > 0:
        part = min(hours, Decimal(8))
        activity = f.ActivityFactory(
            school=school, direction=direction, hours=part, held_on=today, class_letter="Б"
        )
        f.ParticipationFactory(activity=activity, student=pupil, attended=True)
        hours -= part


def test_counsellor_records_a_horizons_lesson_and_sees_who_is_behind(
    page: Page, live_server, log_in, world, counsellor_a
):
    directions_install(Direction)  # transactional tests empty what the migration installed
    horizons = Direction.objects.get(slug=Direction.HORIZONS)
    school = world.school_a
    f.SchoolPlanFactory(school=school, level=SchoolPlan.Level.BASIC)
    today = timezone.localdate()
    target = target_on(today)
    # Just under the target, so one lesson decides: the quarter hours below it.
    near = max(Decimal(0), ((target - QUARTER) / QUARTER).to_integral_value(ROUND_DOWN) * QUARTER)
    prior = {
        "Алексеева": BASIC_HOURS,  # the whole year's hours already
        "Белов": Decimal(0),
        "Власова": near,
        "Гусев": near,  # will be absent
        "Дёмина": Decimal(0),
    }
    pupils = {
        name: f.StudentFactory(organisation=school, grade=9, class_letter="Б", last_name=name)
        for name in prior
    }
    f.StudentFactory(organisation=school, grade=9, class_letter="А", last_name="Другой")
    for name, hours in prior.items():
        give_hours(pupils[name], hours, direction=horizons, school=school)
    absent = pupils["Гусев"]
    lesson = Decimal(1)

    log_in(counsellor_a)
    page.goto(reverse("career_minimum:activity_create"))
    chooser = page.get_by_test_id("class-chooser")
    chooser.locator('select[name="school_class"]').select_option(label="9Б — обучающихся: 5")
    chooser.get_by_role("button", name="Выбрать класс").click()

    form = page.get_by_test_id("activity-form")
    expect(form.locator('select[name="direction"]')).to_have_value(str(horizons.pk))
    expect(form.locator('input[name="hours"]')).to_have_value("1")
    expect(form.locator('input[name="held_on"]')).to_have_value(today.isoformat())
    expect(form.get_by_test_id("pupil-row")).to_have_count(len(pupils))
    form.locator('input[name="topic"]').fill("Россия аграрная: растениеводство и садоводство")
    form.get_by_test_id("pupils").get_by_label(absent.full_name).check()
    form.get_by_role("button", name="Внести занятие").click()

    expect(page.get_by_role("alert")).to_contain_text("Занятие внесено для 9Б: отсутствовали 1.")
    expect(page.get_by_test_id("attendance-count")).to_contain_text(
        f"Присутствовали {len(pupils) - 1} из {len(pupils)}."
    )
    recorded = Activity.objects.get(topic="Россия аграрная: растениеводство и садоводство")
    marks = dict(
        Participation.objects.filter(activity=recorded).values_list("student_id", "attended")
    )
    assert marks == {p.pk: p.pk != absent.pk for p in pupils.values()}

    page.get_by_test_id("class-sheet-link").click()
    expect(page.get_by_test_id("sheet-head")).to_contain_text("класс 9Б")
    rows = page.get_by_test_id("sheet-row")
    expect(rows).to_have_count(len(pupils))

    hours_now = {
        name: prior[name] + (lesson if pupils[name].pk != absent.pk else 0) for name in prior
    }
    expected_behind = {str(pupils[name].uuid) for name, h in hours_now.items() if h < target}
    shown_behind = {
        rows.nth(i).get_attribute("data-student")
        for i in range(rows.count())
        if rows.nth(i).get_by_test_id("mark").inner_text().strip() == "отстаёт"
    }
    assert shown_behind == expected_behind
    if expected_behind:
        expect(page.get_by_test_id("behind-count")).to_contain_text(str(len(expected_behind)))
    else:
        expect(page.get_by_test_id("behind-count")).to_have_text("Отстающих нет.")
    for name, hours in hours_now.items():
        row = page.locator(f'[data-testid="sheet-row"][data-student="{pupils[name].uuid}"]')
        shown = row.get_by_test_id("level-total").inner_text().replace(",", ".")
        assert Decimal(shown) == hours, name
