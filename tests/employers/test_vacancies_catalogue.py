"""The public vacancy catalogue: only published vacancies still in date, with search and
filters, readable without login, in a bounded number of queries."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from employers.models import Vacancy
from tests import factories as f

# These tests build their own professions, groups and rules.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_mapping_defaults")]

Status = Vacancy.Status
URL = reverse("employers:vacancy_list")


def titles(client, **params) -> list[str]:
    response = client.get(URL, params)
    assert response.status_code == 200
    return sorted(v.title for v in response.context["vacancies"])


# --- what is in the catalogue -----------------------------------------------------------


def test_only_published_vacancies_of_active_employers_are_listed(client, world):
    f.VacancyFactory(employer=world.employer, title="Опубликована")
    for status in (Status.DRAFT, Status.MODERATION, Status.CLOSED):
        f.VacancyFactory(employer=world.employer, title=f"Статус {status}", status=status)
    gone = f.EmployerFactory(district=world.district, is_active=False)
    f.VacancyFactory(employer=gone, title="Работодатель закрылся")
    assert titles(client) == ["Опубликована"]


def test_vacancies_past_their_date_drop_out_and_todays_stay(client, world):
    today = timezone.localdate()
    f.VacancyFactory(employer=world.employer, title="Без срока")
    f.VacancyFactory(employer=world.employer, title="До сегодня", valid_until=today)
    f.VacancyFactory(
        employer=world.employer,
        title="Вчерашняя",
        valid_until=today - datetime.timedelta(days=1),
    )
    assert titles(client) == ["Без срока", "До сегодня"]


@pytest.mark.parametrize("status", [Status.DRAFT, Status.MODERATION, Status.CLOSED])
def test_unpublished_vacancy_page_is_404_without_login(client, world, status):
    vacancy = f.VacancyFactory(employer=world.employer, status=status)
    response = client.get(reverse("employers:vacancy_detail", args=[vacancy.uuid]))
    assert response.status_code == 404


@pytest.mark.parametrize("status", [Status.DRAFT, Status.MODERATION, Status.CLOSED])
def test_unpublished_vacancy_page_is_404_for_another_employer(client, world, status):
    vacancy = f.VacancyFactory(employer=world.employer, status=status)
    other = f.UserFactory(username="rep_of_other")
    f.MembershipFactory(user=other, organisation=world.other_employer, role="employer_rep")
    client.force_login(other)
    response = client.get(reverse("employers:vacancy_detail", args=[vacancy.uuid]))
    assert response.status_code == 404


def test_each_row_links_to_the_vacancy_page_and_keeps_its_anchor(client, world):
    vacancy = f.VacancyFactory(employer=world.employer, title="Оператор линии")
    html = client.get(URL).content.decode()
    assert f'id="vacancy-{vacancy.pk}"' in html
    assert reverse("employers:vacancy_detail", args=[vacancy.uuid]) in html


def test_public_vacancy_page_shows_the_terms_and_no_contact_person(client, world):
    world.employer.phone = "+7 (34272) 3-00-01"
    world.employer.email = "ivanova.hr@nytva.ru"
    world.employer.save()
    profession = f.ProfessionFactory(title="Сварщик")
    vacancy = f.VacancyFactory(
        employer=world.employer,
        title="Ученик сварщика",
        profession=profession,
        schedule=Vacancy.Schedule.SHIFT,
        employment_type=Vacancy.EmploymentType.INTERNSHIP,
        for_minors=True,
        min_age=16,
        for_students=True,
        requirements="Медицинская справка",
        address="г. Нытва, ул. Карла Маркса, 75",
        valid_until=timezone.localdate() + datetime.timedelta(days=30),
    )
    html = client.get(reverse("employers:vacancy_detail", args=[vacancy.uuid])).content.decode()
    for shown in (
        "Ученик сварщика",
        "ОАО «Нытва»",
        "Сварщик",
        "Сменный график",
        "Стажировка",
        "подросткам с 16 лет",
        "студентам",
        "Медицинская справка",
        "ул. Карла Маркса, 75",
        "25\xa0000–35\xa0000",  # intcomma groups with a no-break space
    ):
        assert shown in html, shown
    assert "ivanova.hr" not in html
    assert "3-00-01" not in html
    assert "Изменить" not in html


# --- search and filters -----------------------------------------------------------------


@pytest.fixture
def catalogue(world):
    welder = f.ProfessionFactory(title="Сварщик")
    return {
        "welder": f.VacancyFactory(
            employer=world.employer,
            title="Ученик",
            profession=welder,
            salary_from=40000,
            salary_to=60000,
            schedule=Vacancy.Schedule.SHIFT,
            employment_type=Vacancy.EmploymentType.FULL,
            for_graduates=True,
        ),
        "summer": f.VacancyFactory(
            employer=world.other_employer,
            title="Помощник садовника",
            salary_from=None,
            salary_to=20000,
            schedule=Vacancy.Schedule.PART_TIME,
            employment_type=Vacancy.EmploymentType.SEASONAL,
            for_minors=True,
            min_age=14,
            is_summer_job=True,
        ),
        "cook": f.VacancyFactory(
            employer=world.other_employer,
            title="Повар",
            salary_from=30000,
            salary_to=None,
            schedule=Vacancy.Schedule.FULL_DAY,
            employment_type=Vacancy.EmploymentType.PART,
            for_students=True,
        ),
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Повар", ["Повар"]),
        ("повар", ["Повар"]),
        ("ПОМОЩНИК", ["Помощник садовника"]),
        ("садовника", ["Помощник садовника"]),
        ("нытва", ["Ученик"]),
        ("сварщик", ["Ученик"]),
        ("  Другое  ", ["Повар", "Помощник садовника"]),
        ("пилот", []),
    ],
)
def test_search_finds_title_employer_and_profession_in_any_case(client, catalogue, query, expected):
    assert titles(client, q=query) == expected


def test_filter_by_employer(client, world, catalogue):
    assert titles(client, employer=world.employer.pk) == ["Ученик"]


@pytest.mark.parametrize(
    ("flag", "expected"),
    [
        ("for_minors", ["Помощник садовника"]),
        ("for_graduates", ["Ученик"]),
        ("for_students", ["Повар"]),
    ],
)
def test_filters_for_minors_graduates_and_students(client, catalogue, flag, expected):
    assert titles(client, **{flag: "on"}) == expected


def test_unticked_boxes_mean_any(client, catalogue):
    assert len(titles(client, for_minors="", for_students="false")) == 3


@pytest.mark.parametrize(
    ("salary", "expected"),
    [
        ("30000", ["Повар", "Ученик"]),
        ("35000", ["Ученик"]),
        ("20000", ["Повар", "Помощник садовника", "Ученик"]),
        ("0", ["Повар", "Помощник садовника", "Ученик"]),
    ],
)
def test_salary_from_at_least(client, catalogue, salary, expected):
    assert titles(client, salary=salary) == expected


def test_filters_by_schedule_and_employment_type_combine(client, catalogue):
    assert titles(client, schedule="shift") == ["Ученик"]
    assert titles(client, employment_type="seasonal") == ["Помощник садовника"]
    assert titles(client, schedule="shift", employment_type="seasonal") == []


@pytest.mark.parametrize(
    "params",
    [
        {"salary": "много"},
        {"salary": "-5"},
        {"salary": "99999999999"},
        {"employer": "abc"},
        {"employer": "999999"},
        {"employer": "9" * 30},
        {"salary": "NaN"},
        {"q": "сварщик\x00"},
        {"schedule": "nights"},
        {"employment_type": "<script>"},
        {"q": "x" * 500},
        {"page": "abc"},
        {"page": "999"},
    ],
)
def test_bad_parameters_never_break_the_page(client, catalogue, params):
    response = client.get(URL, params)
    assert response.status_code == 200
    if "page" not in params:
        assert "указаны неверно и не применены" in response.content.decode()
        assert len(response.context["vacancies"]) == 3


def test_employer_choices_are_only_those_with_vacancies_in_the_catalogue(client, world, catalogue):
    idle = f.EmployerFactory(district=world.district, short_name="Без вакансий")
    f.VacancyFactory(employer=idle, status=Status.DRAFT)
    choices = client.get(URL).context["filter"].form.fields["employer"].queryset
    assert set(choices) == {world.employer, world.other_employer}


def test_filters_are_kept_on_the_next_page(client, world):
    f.VacancyFactory.create_batch(35, employer=world.employer, for_minors=True)
    html = client.get(URL, {"for_minors": "on"}).content.decode()
    assert "for_minors=on&amp;page=2" in html


# --- bounded queries --------------------------------------------------------------------


@pytest.mark.parametrize("n", [2, 30])
def test_catalogue_queries_do_not_grow_with_vacancies(client, world, n, django_assert_num_queries):
    profession = f.ProfessionFactory()
    for i in range(n):
        employer = world.employer if i % 2 else f.EmployerFactory(district=world.district)
        f.VacancyFactory(employer=employer, profession=profession, for_minors=True)
    # employers for the filter, the count, the page of vacancies with employer and profession
    with django_assert_num_queries(3):
        response = client.get(URL, {"q": "рабочий", "for_minors": "on", "salary": "1000"})
    assert len(response.context["vacancies"]) == n


@pytest.mark.parametrize("n", [2, 30])
def test_vacancy_page_queries_do_not_grow(client, world, n, django_assert_num_queries):
    vacancies = f.VacancyFactory.create_batch(n, employer=world.employer)
    # the vacancy with its employer, district and profession
    with django_assert_num_queries(1):
        client.get(reverse("employers:vacancy_detail", args=[vacancies[-1].uuid]))
