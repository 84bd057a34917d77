"""What the vacancy form and the employer's profile form accept and refuse, and why."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from employers.forms.vacancies import EmployerProfileForm, VacancyForm, validate_okved
from employers.models import Vacancy
from employers.services import vacancies as services
from resource_center.lib.checks import inn_with_check_digits
from resource_center.models import Organisation
from tests import factories as f

# These tests build their own professions, groups and rules.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_mapping_defaults")]


def vacancy_form(world, **values) -> VacancyForm:
    data = {"employer": world.employer.pk, "title": "Продавец-консультант", **values}
    return VacancyForm(
        {k: v for k, v in data.items() if v is not None},
        employers=Organisation.objects.filter(pk=world.employer.pk),
    )


def profile_form(employer, **values) -> EmployerProfileForm:
    data = {
        "full_name": employer.full_name,
        "short_name": employer.short_name,
        "inn": employer.inn,
        **values,
    }
    return EmployerProfileForm(data, instance=employer)


# --- salary -----------------------------------------------------------------------------


def test_salary_from_not_above_salary_to_is_accepted(world):
    form = vacancy_form(world, salary_from="30000", salary_to="30000")
    assert form.is_valid(), form.errors


def test_salary_from_above_salary_to_is_refused_on_the_upper_bound(world):
    form = vacancy_form(world, salary_from="50000", salary_to="30000")
    assert not form.is_valid()
    assert "не может быть меньше" in form.errors["salary_to"][0]


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("-1", "отрицательной"),
        ("10000001", "10 000 000"),
        ("тридцать", "целым числом"),
        ("25000.50", "целым числом"),
    ],
)
def test_salary_must_be_a_sensible_whole_number(world, value, fragment):
    form = vacancy_form(world, salary_from=value)
    assert not form.is_valid()
    assert fragment in form.errors["salary_from"][0]


def test_database_refuses_a_salary_range_upside_down(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        f.VacancyFactory(employer=world.employer, salary_from=50000, salary_to=30000)


def test_service_refuses_salary_range_upside_down_with_a_russian_message(world, employer_rep):
    data = {"employer": world.employer, "title": "Грузчик", "salary_from": 9, "salary_to": 1}
    with pytest.raises(ValidationError) as exc:
        services.vacancy_create(data=data, by=employer_rep)
    assert "не может быть больше" in exc.value.message_dict["salary_to"][0]
    assert not Vacancy.objects.exists()


# --- dates ------------------------------------------------------------------------------


def test_valid_until_today_or_later_is_accepted(world):
    today = timezone.localdate()
    assert vacancy_form(world, valid_until=today.isoformat()).is_valid()
    assert vacancy_form(world, valid_until=f"{today:%d.%m.%Y}").is_valid()


def test_valid_until_in_the_past_is_refused(world):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    form = vacancy_form(world, valid_until=yesterday.isoformat())
    assert not form.is_valid()
    assert "уже прошла" in form.errors["valid_until"][0]


def test_valid_until_more_than_two_years_ahead_is_refused(world):
    far = timezone.localdate() + datetime.timedelta(days=800)
    form = vacancy_form(world, valid_until=far.isoformat())
    assert not form.is_valid()
    assert "два года" in form.errors["valid_until"][0]


def test_valid_until_that_is_not_a_date_is_refused(world):
    form = vacancy_form(world, valid_until="31.02.2026")
    assert not form.is_valid()
    assert "ДД.ММ.ГГГГ" in form.errors["valid_until"][0]


def test_closed_vacancy_keeps_its_past_date_when_a_typo_is_fixed(world):
    past = timezone.localdate() - datetime.timedelta(days=30)
    vacancy = f.VacancyFactory(employer=world.employer, status="closed", valid_until=past)
    form = VacancyForm(
        {"employer": world.employer.pk, "title": "Исправлено", "valid_until": past.isoformat()},
        instance=vacancy,
        employers=Organisation.objects.filter(pk=world.employer.pk),
    )
    assert form.is_valid(), form.errors


# --- age --------------------------------------------------------------------------------


@pytest.mark.parametrize("age", ["14", "17"])
def test_vacancy_for_minors_accepts_an_age_from_14_to_17(world, age):
    assert vacancy_form(world, for_minors="on", min_age=age).is_valid()


def test_vacancy_for_minors_accepts_no_age_at_all(world):
    assert vacancy_form(world, for_minors="on").is_valid()


def test_vacancy_for_minors_with_an_adult_age_is_refused_with_an_explanation(world):
    form = vacancy_form(world, for_minors="on", min_age="18")
    assert not form.is_valid()
    assert "несовершеннолетним 14–17 лет" in form.errors["min_age"][0]


def test_age_under_18_without_the_minors_mark_asks_to_tick_it(world):
    form = vacancy_form(world, min_age="16")
    assert not form.is_valid()
    assert "подходит несовершеннолетним" in form.errors["for_minors"][0]


@pytest.mark.parametrize(("age", "fragment"), [("13", "с 14 лет"), ("71", "от 14 до 70")])
def test_age_outside_14_to_70_is_refused(world, age, fragment):
    form = vacancy_form(world, min_age=age)
    assert not form.is_valid()
    assert fragment in form.errors["min_age"][0]


def test_database_refuses_an_age_under_14(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        f.VacancyFactory(employer=world.employer, min_age=12)


# --- choices and text -------------------------------------------------------------------


def test_employer_outside_the_users_list_is_refused(world):
    form = vacancy_form(world, employer=world.other_employer.pk)
    assert not form.is_valid()
    assert "из списка" in form.errors["employer"][0]


def test_only_employer_offered_is_preselected(world):
    form = VacancyForm(employers=Organisation.objects.filter(pk=world.employer.pk))
    assert form.fields["employer"].initial == world.employer.pk


def test_unknown_schedule_is_refused(world):
    form = vacancy_form(world, schedule="nights")
    assert not form.is_valid()
    assert "график" in form.errors["schedule"][0]


def test_title_is_kept_on_one_line(world):
    form = vacancy_form(world, title="  Оператор \n станка  ")
    assert form.is_valid()
    assert form.cleaned_data["title"] == "Оператор станка"


def test_profession_is_optional_and_must_exist(world):
    profession = f.ProfessionFactory(title="Сварщик")
    assert vacancy_form(world, profession=profession.pk).is_valid()
    form = vacancy_form(world, profession="999999")
    assert not form.is_valid()
    assert "профессию из списка" in form.errors["profession"][0]


# --- ИНН, ОКВЭД, contacts ---------------------------------------------------------------


def test_inn_with_right_check_digits_is_accepted_and_spaces_are_dropped(world):
    inn = inn_with_check_digits("590400123")
    form = profile_form(world.employer, inn=f"{inn[:4]} {inn[4:]}")
    assert form.is_valid(), form.errors
    assert form.cleaned_data["inn"] == inn


def test_inn_of_a_sole_trader_with_12_digits_is_accepted(world):
    form = profile_form(world.employer, inn=inn_with_check_digits("5904001234"))
    assert form.is_valid(), form.errors


def _wrong_last_digit(inn: str) -> str:
    return inn[:-1] + str((int(inn[-1]) + 1) % 10)


@pytest.mark.parametrize(
    "bad",
    [
        _wrong_last_digit(inn_with_check_digits("590400123")),
        _wrong_last_digit(inn_with_check_digits("5904001234")),
        "590400123",
        "59040012AB",
        "５９０４００１２３４",
    ],
    ids=["check-digit-10", "check-digit-12", "nine-digits", "letters", "full-width-digits"],
)
def test_inn_with_wrong_check_digits_or_length_is_refused(world, bad):
    form = profile_form(world.employer, inn=bad)
    assert not form.is_valid()
    assert "контрольными цифрами" in form.errors["inn"][0]


def test_inn_of_another_organisation_is_refused_in_russian(world):
    form = profile_form(world.employer, inn=world.other_employer.inn)
    assert not form.is_valid()
    assert "с таким ИНН уже есть" in form.errors["inn"][0]


@pytest.mark.parametrize("code", ["24", "24.1", "24.10", "24.10.1", "24.10.11"])
def test_okved_codes_of_every_level_are_accepted(code):
    validate_okved(code)


@pytest.mark.parametrize("code", ["2", "24.", "24.1.1", "24.10.111", "24-10", "АБ.10", "241"])
def test_malformed_okved_codes_are_refused(code):
    with pytest.raises(ValidationError) as exc:
        validate_okved(code)
    assert "NN.NN.NN" in exc.value.messages[0]


def test_okved_written_with_a_comma_is_normalised(world):
    form = profile_form(world.employer, okved=" 24,10 ")
    assert form.is_valid(), form.errors
    assert form.cleaned_data["okved"] == "24.10"


@pytest.mark.parametrize(
    ("field", "value", "fragment"),
    [
        ("phone", "позвоните Ивану", "телефон"),
        ("email", "hr-at-nytva", "электронной почты"),
        ("website", "не сайт", "адрес сайта"),
        ("short_name", "ООО «Другое»", "кратким наименованием"),
        ("full_name", "", "полное наименование"),
    ],
)
def test_profile_contacts_and_names_are_checked(world, field, value, fragment):
    form = profile_form(world.employer, **{field: value})
    assert not form.is_valid()
    assert fragment in form.errors[field][0].lower()


def test_website_without_a_scheme_gets_https(world):
    form = profile_form(world.employer, website="nytva.ru")
    assert form.is_valid(), form.errors
    assert form.cleaned_data["website"] == "https://nytva.ru"
