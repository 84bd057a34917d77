"""The coordinator's list of vacancies without a profession and mapping them by hand."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from employers.models import Vacancy
from labour.models import MappingRule
from labour.services.mapping import COORDINATOR_RULE_PRIORITY, title_folded
from labour.views.mapping import PAGE_SIZE
from tests import factories as f

pytestmark = pytest.mark.django_db

LIST = reverse("labour:unmapped_list")


def unmapped(employer, title: str, **fields) -> Vacancy:
    """A published vacancy no rule maps (the default rules are installed by a migration)."""
    return f.VacancyFactory(employer=employer, title=title, profession=None, **fields)


def map_url(vacancy: Vacancy) -> str:
    return reverse("labour:vacancy_map", args=[vacancy.uuid])


def said(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def profession():
    return f.ProfessionFactory(title="Оператор линии розлива")


@pytest.fixture
def jobs(world):
    """Three unmapped jobs of the district (one a draft), one mapped, one of another district."""
    far = f.EmployerFactory(district=world.other_district_school.district, short_name="Оханск")
    return {
        "bottling": unmapped(world.employer, "Оператор линии розлива кваса"),
        "bottling_2": unmapped(world.other_employer, "ОПЕРАТОР ЛИНИИ РОЗЛИВА (смена)"),
        "draft": unmapped(world.employer, "Оператор розлива (черновик)", status="draft"),
        "mapped": f.VacancyFactory(
            employer=world.employer,
            title="Линия розлива: мастер",
            profession=f.ProfessionFactory(title="Мастер смены"),
        ),
        "far": unmapped(far, "Оператор линии розлива пива"),
    }


# --- the list -------------------------------------------------------------------------


def test_list_shows_the_districts_published_unmapped_vacancies_only(client, coordinator, jobs):
    client.force_login(coordinator)

    html = client.get(LIST).content.decode()

    assert html.count('data-testid="unmapped-row"') == 2
    for key in ("bottling", "bottling_2"):
        assert f'action="{map_url(jobs[key])}"' in html
    for key in ("draft", "mapped", "far"):
        assert map_url(jobs[key]) not in html
    assert "Оператор линии розлива пива" not in html


def test_search_by_title_ignores_case(client, coordinator, jobs):
    client.force_login(coordinator)

    html = client.get(LIST, {"q": "кваса"}).content.decode()
    assert html.count('data-testid="unmapped-row"') == 1
    assert map_url(jobs["bottling"]) in html

    html = client.get(LIST, {"q": "смена"}).content.decode()
    assert html.count('data-testid="unmapped-row"') == 1
    assert map_url(jobs["bottling_2"]) in html

    html = client.get(LIST, {"q": "нет такой"}).content.decode()
    assert 'data-testid="unmapped-empty"' in html


def test_list_is_paginated(client, coordinator, world):
    for n in range(PAGE_SIZE + 3):
        unmapped(world.employer, f"Оператор участка {n}")
    client.force_login(coordinator)

    first = client.get(LIST).content.decode()
    second = client.get(LIST, {"page": 2}).content.decode()

    assert first.count('data-testid="unmapped-row"') == PAGE_SIZE
    assert second.count('data-testid="unmapped-row"') == 3
    assert "Страница 2 из 2" in second


def test_list_offers_every_profession(client, coordinator, jobs, profession):
    client.force_login(coordinator)
    html = client.get(LIST).content.decode()
    assert f'<option value="{profession.pk}">{profession.title}</option>' in html


def test_without_unmapped_vacancies_the_list_says_all_are_mapped(client, coordinator, world):
    client.force_login(coordinator)
    html = client.get(LIST).content.decode()
    assert "Все опубликованные вакансии района сопоставлены" in html


def test_list_queries_do_not_grow(client, coordinator, world, jobs, django_assert_num_queries):
    client.force_login(coordinator)
    # session, user, memberships, parent?, pupil?; count, page with employers, professions
    with django_assert_num_queries(8):
        client.get(LIST)
    for n in range(40):
        unmapped(world.employer, f"Оператор участка {n}")
        f.ProfessionFactory()
    with django_assert_num_queries(8):
        html = client.get(LIST).content.decode()
    assert html.count('data-testid="unmapped-row"') == PAGE_SIZE


# --- mapping one vacancy --------------------------------------------------------------


def test_mapping_sets_the_profession_and_goes_back_to_the_page(
    client, coordinator, jobs, profession
):
    client.force_login(coordinator)
    back = f"{LIST}?q=%D0%BA%D0%B2%D0%B0%D1%81%D0%B0&page=1"

    response = client.post(map_url(jobs["bottling"]), {"profession": profession.pk, "next": back})

    assert response.status_code == 302
    assert response.url == back
    jobs["bottling"].refresh_from_db()
    jobs["bottling_2"].refresh_from_db()
    assert jobs["bottling"].profession == profession
    assert jobs["bottling_2"].profession is None  # no rule asked for
    assert any("назначена профессия «Оператор линии розлива»" in m for m in said(response))
    assert not MappingRule.objects.filter(profession=profession).exists()


def test_a_keyword_rule_maps_the_districts_other_unmapped_vacancies(
    client, coordinator, jobs, profession
):
    client.force_login(coordinator)

    response = client.post(
        map_url(jobs["bottling"]), {"profession": profession.pk, "keyword": "Линии Розлива"}
    )

    assert response.status_code == 302
    assert response.url == LIST
    rule = MappingRule.objects.get(profession=profession)
    assert (rule.kind, rule.pattern) == (MappingRule.Kind.KEYWORD, "линии розлива")
    assert rule.priority == COORDINATOR_RULE_PRIORITY
    for key in ("bottling", "bottling_2", "draft", "mapped", "far"):
        jobs[key].refresh_from_db()
    assert jobs["bottling"].profession == profession
    assert jobs["bottling_2"].profession == profession
    assert jobs["draft"].profession is None  # «розлива» without «линии»
    assert jobs["mapped"].profession.title == "Мастер смены"  # mapped ones keep theirs
    assert jobs["far"].profession is None  # another district's
    assert any("сопоставлено ещё вакансий района: 1" in m for m in said(response))


def test_reusing_the_same_rule_adds_no_second_one(client, coordinator, jobs, profession):
    client.force_login(coordinator)
    for key in ("bottling", "bottling_2"):
        client.post(map_url(jobs[key]), {"profession": profession.pk, "keyword": "розлива"})
    assert MappingRule.objects.filter(pattern="розлива").count() == 1


@pytest.mark.parametrize(
    ("keyword", "error"),
    [
        ("пива", "нет в названии вакансии"),
        ("кв", "не короче 3"),
    ],
)
def test_a_keyword_that_would_not_find_the_vacancy_changes_nothing(
    client, coordinator, jobs, profession, keyword, error
):
    client.force_login(coordinator)
    rules = MappingRule.objects.count()

    response = client.post(
        map_url(jobs["bottling"]), {"profession": profession.pk, "keyword": keyword}
    )

    assert response.status_code == 302
    jobs["bottling"].refresh_from_db()
    assert jobs["bottling"].profession is None
    assert MappingRule.objects.count() == rules
    assert any(error in m for m in said(response))


def test_a_word_already_ruled_to_another_profession_changes_nothing(
    client, coordinator, jobs, profession
):
    other = f.ProfessionFactory(title="Аппаратчик")
    MappingRule.objects.create(kind="keyword", pattern=title_folded("Розлива"), profession=other)
    client.force_login(coordinator)

    response = client.post(
        map_url(jobs["bottling"]), {"profession": profession.pk, "keyword": "розлива"}
    )

    assert response.status_code == 302
    jobs["bottling"].refresh_from_db()
    assert jobs["bottling"].profession is None
    assert any("уже есть и ведёт к профессии «Аппаратчик»" in m for m in said(response))


@pytest.mark.parametrize(
    "data", [{}, {"profession": ""}, {"profession": "999999"}, {"profession": "x"}]
)
def test_an_empty_or_bad_post_redirects_back_with_an_error(client, coordinator, jobs, data):
    client.force_login(coordinator)

    response = client.post(map_url(jobs["bottling"]), data)

    assert response.status_code == 302
    assert response.url == LIST
    jobs["bottling"].refresh_from_db()
    assert jobs["bottling"].profession is None
    assert any("не сопоставлена" in m for m in said(response))


def test_a_foreign_next_is_not_followed(client, coordinator, jobs, profession):
    client.force_login(coordinator)
    response = client.post(
        map_url(jobs["bottling"]), {"profession": profession.pk, "next": "https://evil.example/"}
    )
    assert response.url == LIST


@pytest.mark.parametrize("target", ["-1", "home", "labour:overview"])
def test_a_next_that_is_not_a_path_is_not_followed(client, coordinator, jobs, profession, target):
    client.force_login(coordinator)
    refused = client.post(map_url(jobs["bottling"]), {"next": target})
    mapped = client.post(map_url(jobs["bottling"]), {"profession": profession.pk, "next": target})
    assert refused.url == LIST
    assert mapped.url == LIST
    jobs["bottling"].refresh_from_db()
    assert jobs["bottling"].profession == profession


def test_another_districts_vacancy_is_404(client, coordinator, jobs, profession):
    client.force_login(coordinator)
    response = client.post(map_url(jobs["far"]), {"profession": profession.pk})
    assert response.status_code == 404
    jobs["far"].refresh_from_db()
    assert jobs["far"].profession is None


def test_others_may_not_map(client, centre_specialist, jobs, profession):
    client.force_login(centre_specialist)
    assert client.get(LIST).status_code == 403
    response = client.post(map_url(jobs["bottling"]), {"profession": profession.pk})
    assert response.status_code == 403
    jobs["bottling"].refresh_from_db()
    assert jobs["bottling"].profession is None


def test_mapping_answers_only_post(client, coordinator, jobs):
    client.force_login(coordinator)
    assert client.get(map_url(jobs["bottling"])).status_code == 405
