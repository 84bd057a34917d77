"""The counsellor's workspace in the browser: enter a pupil, consent, search, edit, import."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from students.models import Consent, Student, current_academic_year

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def _pupils_csv(rows: list[str]) -> bytes:
    """A list as Excel saves it in Russia: Windows-1251, ';', CRLF."""
    lines = ["Фамилия;Имя;Отчество;Дата рождения;Класс", *rows]
    return ("\r\n".join(lines) + "\r\n").encode("cp1251")


def test_counsellor_enters_consents_finds_edits_and_imports_pupils(
    page: Page, live_server, world, counsellor_a
):
    year = current_academic_year()
    born = datetime.date(year - 15, 3, 14)

    page.goto(reverse("login"))
    page.locator('input[name="username"]').fill(counsellor_a.username)
    page.locator('input[name="password"]').fill("test-pass-123")
    page.locator("main form").get_by_role("button", name="Войти").click()

    # A new pupil with a guardian.
    page.goto(reverse("students:student_create"))
    page.locator('input[name="last_name"]').fill("Ёлкина")
    page.locator('input[name="first_name"]').fill("Дарья")
    page.locator('input[name="patronymic"]').fill("Олеговна")
    page.locator('input[name="birth_date"]').fill(born.isoformat())  # a date input
    page.locator('select[name="sex"]').select_option("f")
    page.locator('input[name="grade"]').fill("9")
    page.locator('input[name="class_letter"]').fill("а")
    page.locator('input[name="guardians-0-last_name"]').fill("Ёлкина")
    page.locator('input[name="guardians-0-first_name"]').fill("Ольга")
    page.locator('input[name="guardians-0-patronymic"]').fill("Ивановна")
    page.locator('select[name="guardians-0-relation"]').select_option("mother")
    page.locator('input[name="guardians-0-phone"]').fill("+7 912 000-11-22")
    page.get_by_role("button", name="Сохранить").click()
    expect(page.get_by_test_id("student-name")).to_have_text("Ёлкина Дарья Олеговна")
    expect(page.get_by_test_id("no-consent")).to_be_visible()

    # The guardian's consent to processing.
    page.get_by_test_id("consent-record").click()
    page.locator('select[name="scope"]').select_option(Consent.Scope.PROCESSING)
    page.locator('input[name="document_number"]').fill("ПД-17")
    page.get_by_role("button", name="Записать согласие").click()
    expect(page.get_by_test_id("consents")).to_contain_text("действует")
    expect(page.get_by_test_id("no-consent")).to_have_count(0)

    # Found by surname, whatever the case and «ё».
    page.goto(reverse("students:student_list"))
    page.get_by_test_id("student-filter").locator('input[name="q"]').fill("елкина")
    page.get_by_test_id("student-filter").locator('input[name="q"]').press("Enter")
    table = page.get_by_test_id("student-table")
    expect(table.locator("tbody").get_by_role("link")).to_have_text(["Ёлкина Дарья Олеговна"])

    # Edited: another class letter.
    table.get_by_role("link", name="Ёлкина Дарья Олеговна").click()
    page.get_by_test_id("student-edit").click()
    page.locator('input[name="class_letter"]').fill("Б")
    page.get_by_role("button", name="Сохранить").click()
    expect(page.get_by_test_id("profile")).to_contain_text("9Б")
    pupil = Student.objects.get(last_name="Ёлкина")
    assert (pupil.class_letter, pupil.consents.active().count()) == ("Б", 1)

    # An import with one bad row: the preview names the error and nothing is saved.
    good = [
        f"Соснин;Павел;Андреевич;{datetime.date(year - 15, 1, 2):%d.%m.%Y};9Б",
        f"Кедрова;Алина;Сергеевна;{datetime.date(year - 14, 6, 30):%d.%m.%Y};8А",
    ]
    broken = [*good, "Пихтин;Лев;;31.02.2011;9Б"]
    page.goto(reverse("students:import_upload"))
    page.locator('input[name="file"]').set_input_files(
        files=[{"name": "список.csv", "mimeType": "text/csv", "buffer": _pupils_csv(broken)}]
    )
    page.get_by_role("button", name="Проверить файл").click()
    expect(page.get_by_test_id("import-has-errors")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Дата рождения «31.02.2011» не распознана")
    expect(page.get_by_test_id("import-commit")).to_be_disabled()
    assert not Student.objects.filter(last_name__in=["Соснин", "Кедрова", "Пихтин"]).exists()

    # The corrected file is saved whole.
    fixed = [*good, f"Пихтин;Лев;;{datetime.date(year - 15, 2, 1):%d.%m.%Y};9Б"]
    page.goto(reverse("students:import_upload"))
    page.locator('input[name="file"]').set_input_files(
        files=[{"name": "список.csv", "mimeType": "text/csv", "buffer": _pupils_csv(fixed)}]
    )
    page.get_by_role("button", name="Проверить файл").click()
    expect(page.get_by_test_id("count-new")).to_have_text("3")
    page.get_by_test_id("import-commit").click()
    expect(page.locator("main")).to_contain_text(re.compile(r"сохранён: добавлено 3"))
    assert Student.objects.filter(organisation=world.school_a).count() == 4
