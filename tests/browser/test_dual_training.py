"""Dual training in the browser: the technikum publishes a place, it appears in the public
catalogue, a student is proposed, the employer agrees, the contract is signed, the mentor
evaluates and the technikum sees the evaluation."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from employers.models import DualTrainingPlace, Evaluation, Placement
from students.models import Consent
from tests import factories as f

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


@pytest.fixture
def welding(world):
    programme = f.ProgrammeFactory(
        technikum=world.technikum, okso_code="15.01.05", title="Сварщик", is_dual=True
    )
    for n, title in enumerate(["Подготовка металла к сварке", "Ручная дуговая сварка"]):
        f.CompetenceFactory(programme=programme, title=title, order=n)
    return programme


@pytest.fixture
def welding_student(world, welding):
    """A 17-year-old second-year student whose parent consented to transfer to employers."""
    today = timezone.localdate()
    student = f.StudentFactory(
        organisation=world.technikum,
        programme=welding,
        grade=2,
        class_letter="С-25",
        last_name="Сварщиков",
        first_name="Денис",
        birth_date=datetime.date(today.year - 17, 1, 15),
    )
    guardian = f.GuardianFactory(student=student)
    for scope in (Consent.Scope.PROCESSING, Consent.Scope.TRANSFER_EMPLOYERS):
        f.ConsentFactory(student=student, guardian=guardian, scope=scope)
    return student


def test_technikum_publishes_a_place_and_the_employer_agrees_and_evaluates(
    page: Page,
    browser,
    live_server,
    log_in,
    world,
    welding,
    welding_student,
    technikum_staff,
    employer_rep,
):
    today = timezone.localdate()
    workplace = "Участок сборки металлоконструкций"

    # The technikum publishes a place at the employer.
    log_in(technikum_staff)
    page.goto(reverse("employers:place_create"))
    form = page.get_by_test_id("place-form")
    form.get_by_label("Программа").select_option(str(welding.pk))
    form.get_by_label("Работодатель").select_option(str(world.employer.pk))
    form.get_by_label("Рабочее место, участок").fill(workplace)
    form.get_by_label("Адрес рабочего места").fill("г. Нытва, ул. Карла Маркса, 75")
    form.get_by_label("Наставник (ФИО)").fill("Кузнецов Олег Петрович")
    form.get_by_role("spinbutton", name=re.compile("^Мест")).fill("2")
    form.get_by_label("Начало").fill((today - datetime.timedelta(days=30)).isoformat())
    form.get_by_label("Окончание").fill((today + datetime.timedelta(days=200)).isoformat())
    form.get_by_label("Статус").select_option("published")
    form.get_by_role("button", name="Сохранить").click()
    expect(page.get_by_test_id("place-title")).to_contain_text(workplace)
    place = DualTrainingPlace.objects.get(workplace=workplace)
    assert place.status == DualTrainingPlace.Status.PUBLISHED

    # It appears in the public catalogue, without the mentor's name.
    visitor = browser.new_context(base_url=live_server.url, locale="ru-RU")
    public = visitor.new_page()
    public.goto(reverse("employers:place_list"))
    row = public.locator(f"#place-{place.pk}")
    expect(row).to_contain_text(workplace)
    expect(public.locator("main")).not_to_contain_text("Кузнецов")
    visitor.close()

    # The technikum proposes its student.
    page.goto(reverse("employers:place_detail", args=[place.uuid]))
    page.get_by_test_id("placement-propose").click()
    proposal = page.get_by_test_id("proposal-form")
    proposal.get_by_label("Студент").select_option(str(welding_student.uuid))
    proposal.get_by_role("button", name="Предложить работодателю").click()
    expect(page.get_by_test_id("placement-status")).to_have_text("Предложен техникумом")
    placement = Placement.objects.get(place=place, student=welding_student)

    # The employer's representative agrees.
    page.context.clear_cookies()
    log_in(employer_rep)
    page.goto(reverse("employers:placement_detail", args=[placement.uuid]))
    page.get_by_test_id("move-agreed").get_by_role("button").click()
    expect(page.get_by_test_id("placement-status")).to_have_text("Согласован работодателем")
    # The employer cannot sign the contract: that form is not offered.
    expect(page.get_by_test_id("move-contract_signed")).to_have_count(0)

    # The technikum signs the ученический договор and starts the training (the mentor could
    # already evaluate once the employer agreed).
    page.context.clear_cookies()
    log_in(technikum_staff)
    page.goto(reverse("employers:placement_detail", args=[placement.uuid]))
    signing = page.get_by_test_id("move-contract_signed")
    signing.get_by_label("Номер договора").fill("УД-15/26")
    signing.get_by_label("Дата договора").fill(today.isoformat())
    signing.get_by_role("button").click()
    page.get_by_test_id("move-active").get_by_role("button").click()
    expect(page.get_by_test_id("placement-status")).to_have_text("Проходит обучение")

    # The mentor's side records an evaluation.
    page.context.clear_cookies()
    log_in(employer_rep)
    page.goto(reverse("employers:placement_detail", args=[placement.uuid]))
    page.get_by_test_id("evaluation-add").click()
    evaluation = page.get_by_test_id("evaluation-form")
    evaluation.get_by_label("Дата оценки").fill(today.isoformat())
    evaluation.get_by_label("Отработано часов").fill("48")
    for n, mark in enumerate(["4", "5"]):
        evaluation.get_by_test_id("mark-row").nth(n).locator(f'input[value="{mark}"]').check()
    evaluation.get_by_role("button", name="Сохранить оценку").click()
    expect(page.get_by_test_id("evaluation-row")).to_have_count(1)

    # The technikum sees it, and every step is in the history.
    page.context.clear_cookies()
    log_in(technikum_staff)
    page.goto(reverse("employers:placement_detail", args=[placement.uuid]))
    expect(page.get_by_test_id("evaluation-average")).to_contain_text(re.compile(r"4[,.]50"))
    expect(page.get_by_test_id("history-step")).to_have_count(4)
    stored = Evaluation.objects.get(placement=placement)
    assert stored.hours_worked == 48
    assert sorted(stored.marks.values_list("mark", flat=True)) == [4, 5]
