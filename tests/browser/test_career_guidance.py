"""Career guidance in the browser: a class gets the ДДО, a pupil answers it through a one-time
code, the counsellor sees the result and recommendations and registers the pupil for a
профпроба."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from guidance.models import Attempt, Event, Registration
from students.models import Consent
from tests import factories as f

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


@pytest.fixture
def class_9a(world):
    """Pupils of 9А with a processing consent (and one without), a technikum with a technical
    and an arts programme, and a профпроба at the technikum."""
    pupil = f.StudentFactory(
        organisation=world.school_a, last_name="Техников", first_name="Егор", class_letter="А"
    )
    guardian = f.GuardianFactory(student=pupil)
    for scope in (Consent.Scope.PROCESSING, Consent.Scope.TRANSFER_TECHNIKUM):
        f.ConsentFactory(student=pupil, guardian=guardian, scope=scope)
    classmate = f.StudentFactory(
        organisation=world.school_a, last_name="Соседова", class_letter="А"
    )
    f.ConsentFactory(student=classmate)
    f.StudentFactory(organisation=world.school_a, last_name="Безсогласов", class_letter="А")
    return pupil


@pytest.fixture
def technikum_offer(world, questionnaires):
    scales = {s.code: s for s in questionnaires["klimov-ddo"].scales.all()}
    welding = f.ProgrammeFactory(technikum=world.technikum, okso_code="15.01.05", title="Сварщик")
    welding.interest_types.set([scales["Т"]])
    design = f.ProgrammeFactory(
        technikum=world.technikum,
        okso_code="54.02.01",
        title="Дизайн (по отраслям)",
        is_dual=False,
    )
    design.interest_types.set([scales["Х"]])
    trial = f.EventFactory(
        organiser=world.technikum, kind=Event.Kind.TRIAL, title="Профпроба «Сварщик»"
    )
    trial.interest_types.set([scales["Т"]])
    return welding, design, trial


def test_class_takes_the_ddo_and_the_counsellor_acts_on_the_result(
    page: Page,
    browser,
    live_server,
    log_in,
    counsellor_a,
    class_9a,
    technikum_offer,
    questionnaires,
):
    pupil = class_9a
    welding, design, trial = technikum_offer
    klimov = questionnaires["klimov-ddo"]

    # The counsellor gives the ДДО to 9А and reads the class list of codes.
    log_in(counsellor_a)
    page.goto(reverse("guidance:assignment_create"))
    form = page.get_by_test_id("assignment-form")
    form.get_by_label("Анкета").select_option(label=klimov.title)
    classes = form.get_by_label("Класс")
    classes.select_option(classes.locator("option", has_text="9А").first.get_attribute("value"))
    form.get_by_role("button", name="Назначить").click()
    sheet = page.get_by_test_id("assignment-sheet")
    rows = sheet.get_by_test_id("assignment-row")
    expect(rows).to_have_count(2)  # the pupil without consent gets no code
    expect(sheet).not_to_contain_text("Безсогласов")
    pupil_row = rows.filter(has_text=pupil.last_name)
    code = pupil_row.get_by_test_id("code").inner_text().strip()
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}", code)

    # The pupil, without an account, types the code and picks every technical activity.
    pupil_context = browser.new_context(base_url=live_server.url, locale="ru-RU")
    pupil_page = pupil_context.new_page()
    pupil_page.goto(reverse("guidance:code_entry"))
    pupil_page.get_by_label(re.compile("Код")).fill(code.lower().replace("-", " "))
    pupil_page.get_by_role("button", name=re.compile("Начать|Продолжить|Открыть")).click()
    expect(pupil_page.get_by_test_id("greeting")).to_contain_text(pupil.first_name)
    technical = {
        q.number: o.pk
        for q in klimov.questions.all()
        for o in q.options.all()
        if o.scale and o.scale.code == "Т"
    }
    questions = pupil_page.get_by_test_id("question")
    expect(questions).to_have_count(klimov.questions.count())
    for number in range(1, klimov.questions.count() + 1):
        fieldset = pupil_page.locator(f"#question-{number}")
        if number in technical:
            fieldset.locator(f'input[type=radio][value="{technical[number]}"]').check()
        else:
            fieldset.locator("input[type=radio]").first.check()
    pupil_page.get_by_role("button", name="Отправить ответы").click()
    leading = pupil_page.get_by_test_id("leading-type").first
    expect(leading).to_contain_text(re.compile("человек — техника", re.IGNORECASE))
    expect(pupil_page.get_by_test_id("score-Т").get_by_test_id("score-value")).to_have_text("8")
    # The code is spent: opening it again saves nothing and says why.
    pupil_page.goto(reverse("guidance:questionnaire_take", args=[code]))
    expect(pupil_page.locator("main")).to_contain_text(re.compile("уже использован|уже пройден"))
    pupil_context.close()
    assert Attempt.objects.filter(student=pupil).count() == 1

    # The counsellor sees the result and the technical programme recommended first.
    page.goto(reverse("students:student_detail", args=[pupil.uuid]))
    results = page.get_by_test_id("questionnaire-results")
    expect(results).to_contain_text(klimov.short_title)
    programmes = page.get_by_test_id("recommendations-programmes").locator("li")
    expect(programmes.first).to_contain_text(welding.title)
    expect(programmes.first).to_contain_text(re.compile("человек — техника", re.IGNORECASE))
    expect(page.get_by_test_id("recommendations-programmes")).to_contain_text(design.title)

    # …and registers the pupil for the профпроба from the event page.
    page.goto(reverse("guidance:event_detail", args=[trial.uuid]))
    page.get_by_test_id("event-register").click()
    page.get_by_test_id(f"candidate-{pupil.uuid}").get_by_role("checkbox").check()
    page.get_by_role("button", name="Записать отмеченных").click()
    expect(page.get_by_test_id("own-registrations")).to_contain_text(pupil.full_name)
    assert Registration.objects.filter(event=trial, student=pupil).exists()
    page.goto(reverse("students:student_detail", args=[pupil.uuid]))
    expect(page.get_by_test_id("student-events")).to_contain_text(trial.title)
