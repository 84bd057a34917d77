"""The programme catalogue, a programme's page and the technikum's list of programmes."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from employers.models import DualTrainingPlace, Placement
from tests import factories as f

pytestmark = pytest.mark.django_db

LIST_URL = reverse("schools:programme_list")
MANAGE_URL = reverse("schools:programme_manage")


def detail_url(programme) -> str:
    return reverse("schools:programme_detail", args=[programme.pk])


@pytest.fixture
def welder(world):
    return f.ProgrammeFactory(
        technikum=world.technikum, okso_code="15.01.05", title="Сварщик", is_dual=True
    )


@pytest.fixture
def cook(world):
    return f.ProgrammeFactory(
        technikum=world.technikum,
        okso_code="43.01.09",
        title="Повар, кондитер",
        qualification="Повар",
        is_dual=False,
        form_of_study="part_time",
        base_education="11",
    )


@pytest.fixture
def hidden(world):
    return f.ProgrammeFactory(
        technikum=world.technikum, okso_code="09.02.07", title="Программист", is_published=False
    )


def shown_titles(response) -> list[str]:
    return [p.title for p in response.context["programmes"]]


# --- the public list ----------------------------------------------------------------------


def test_anonymous_visitor_sees_published_programmes_only(client, welder, cook, hidden):
    response = client.get(LIST_URL)

    assert response.status_code == 200
    assert sorted(shown_titles(response)) == ["Повар, кондитер", "Сварщик"]
    assert "Программист" not in response.content.decode()


def test_programme_rows_keep_their_anchor_and_link_to_the_detail_page(client, welder):
    page = client.get(LIST_URL).content.decode()

    assert f'id="programme-{welder.pk}"' in page
    assert f'href="{detail_url(welder)}"' in page


def test_list_counts_places_and_free_seats_of_published_places_only(client, world, welder):
    place = f.DualTrainingPlaceFactory(programme=welder, employer=world.employer, seats=3)
    f.PlacementFactory(place=place, status=Placement.Status.ACTIVE)
    f.PlacementFactory(place=place, status=Placement.Status.PROPOSED)
    f.DualTrainingPlaceFactory(programme=welder, employer=world.employer, status="draft", seats=9)
    f.DualTrainingPlaceFactory(
        programme=welder, employer=world.other_employer, status="closed", seats=9
    )

    row = client.get(LIST_URL).context["programmes"][0]

    assert (row.place_count, row.place_seats, row.free_seats) == (1, 3, 2)


def test_places_whose_period_ended_are_not_counted(client, world, welder):
    last_year = timezone.localdate() - datetime.timedelta(days=365)
    f.DualTrainingPlaceFactory(
        programme=welder,
        employer=world.employer,
        starts_on=last_year - datetime.timedelta(days=200),
        ends_on=last_year,
    )

    row = client.get(LIST_URL).context["programmes"][0]

    assert row.place_count == 0


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "сварщик"}, ["Сварщик"]),
        ({"q": "СВАРЩИК"}, ["Сварщик"]),
        ({"q": "15.01"}, ["Сварщик"]),
        ({"q": "кондитер"}, ["Повар, кондитер"]),
        ({"form_of_study": "part_time"}, ["Повар, кондитер"]),
        ({"base_education": "9"}, ["Сварщик"]),
        ({"dual": "on"}, ["Сварщик"]),
        ({"dual": ""}, ["Повар, кондитер", "Сварщик"]),
    ],
)
def test_search_and_filters_narrow_the_list(client, welder, cook, params, expected):
    assert sorted(shown_titles(client.get(LIST_URL, params))) == expected


@pytest.mark.parametrize(
    "params",
    [
        {"form_of_study": "evening"},
        {"base_education": "abc"},
        {"page": "abc"},
        {"page": "999"},
        {"q": "x" * 500},
        {"dual": "maybe"},
    ],
)
def test_bad_parameters_show_the_list_not_an_error(client, welder, params):
    response = client.get(LIST_URL, params)

    assert response.status_code == 200
    assert "Сварщик" in shown_titles(response)


def test_a_wrong_filter_value_is_reported(client, welder):
    page = client.get(LIST_URL, {"form_of_study": "evening"}).content.decode()

    assert "указаны неверно" in page


def test_list_queries_do_not_grow(client, world, django_assert_num_queries):
    def make(n: int) -> None:
        for _ in range(n):
            programme = f.ProgrammeFactory(technikum=world.technikum)
            place = f.DualTrainingPlaceFactory(programme=programme, employer=world.employer)
            f.PlacementFactory(place=place)

    make(2)
    # the count; the page of programmes with their technikum and the place figures
    # (subqueries in the same SELECT)
    with django_assert_num_queries(2):
        response = client.get(LIST_URL, {"q": "Сварщик", "dual": "on"})
    assert len(response.context["programmes"]) == 2
    make(28)
    with django_assert_num_queries(2):
        response = client.get(LIST_URL, {"q": "Сварщик", "dual": "on"})
    assert len(response.context["programmes"]) == 30


# --- a programme's page -------------------------------------------------------------------


def test_programme_page_shows_facts_competences_and_published_places(client, world, welder):
    f.CompetenceFactory(programme=welder, title="Сварка в нижнем положении", order=2)
    f.CompetenceFactory(programme=welder, title="Чтение чертежей", order=1)
    place = f.DualTrainingPlaceFactory(
        programme=welder,
        employer=world.employer,
        workplace="Цех № 3",
        seats=4,
        stipend=8000,
        schedule="2 дня на предприятии / 3 дня в техникуме",
    )
    f.PlacementFactory(place=place)
    f.DualTrainingPlaceFactory(
        programme=welder, employer=world.employer, workplace="Черновик", status="draft"
    )

    response = client.get(detail_url(welder))
    page = response.content.decode()

    assert response.status_code == 200
    assert [c.title for c in response.context["competences"]] == [
        "Чтение чертежей",
        "Сварка в нижнем положении",
    ]
    assert "Цех № 3" in page
    assert "Черновик" not in page
    assert "свободно 3 из 4" in page
    assert "8\xa0000 ₽ в месяц" in page
    assert "2 дня на предприятии / 3 дня в техникуме" in page
    assert reverse("employers:place_detail", args=[place.uuid]) in page


def test_anonymous_visitor_does_not_see_mentor_names(client, world, welder):
    f.DualTrainingPlaceFactory(
        programme=welder, employer=world.employer, mentor_name="Сидоров Пётр Алексеевич"
    )

    assert "Сидоров" not in client.get(detail_url(welder)).content.decode()


def test_signed_in_staff_see_mentor_names(client, world, welder, counsellor_a):
    f.DualTrainingPlaceFactory(
        programme=welder, employer=world.employer, mentor_name="Сидоров Пётр Алексеевич"
    )
    client.force_login(counsellor_a)

    assert "Сидоров" in client.get(detail_url(welder)).content.decode()


@pytest.mark.parametrize("role", ["anonymous", "counsellor_a", "employer_rep", "pupil_a_user"])
def test_unpublished_programme_is_404_for_those_who_do_not_manage_it(client, request, hidden, role):
    user = request.getfixturevalue(role)
    if user.is_authenticated:
        client.force_login(user)

    assert client.get(detail_url(hidden)).status_code == 404


@pytest.mark.parametrize("role", ["technikum_staff", "coordinator"])
def test_managers_open_an_unpublished_programme_with_an_edit_link(client, request, hidden, role):
    client.force_login(request.getfixturevalue(role))

    response = client.get(detail_url(hidden))

    assert response.status_code == 200
    assert reverse("schools:programme_update", args=[hidden.pk]) in response.content.decode()
    assert "не опубликована" in response.content.decode()


def test_visitors_get_no_edit_link(client, welder, counsellor_a):
    client.force_login(counsellor_a)

    page = client.get(detail_url(welder)).content.decode()

    assert reverse("schools:programme_update", args=[welder.pk]) not in page


def test_programme_of_an_inactive_technikum_is_404_for_the_public(client, world, welder):
    world.technikum.is_active = False
    world.technikum.save(update_fields=["is_active"])

    assert client.get(detail_url(welder)).status_code == 404


def test_detail_queries_do_not_grow(
    client, world, welder, technikum_staff, django_assert_num_queries
):
    def make(n: int) -> None:
        for _ in range(n):
            f.CompetenceFactory(programme=welder)
            employer = f.EmployerFactory(district=world.district)
            place = f.DualTrainingPlaceFactory(programme=welder, employer=employer)
            f.PlacementFactory(place=place)

    make(2)
    url = detail_url(welder)
    # the programme with its technikum; its competences; its places with free seats and
    # their employers
    with django_assert_num_queries(3):
        client.get(url)
    client.force_login(technikum_staff)
    # + session, user; memberships, guardian, pupil (access); may the user edit it
    with django_assert_num_queries(9):
        client.get(url)
    make(28)
    with django_assert_num_queries(9):
        response = client.get(url)
    assert len(response.context["places"]) == 30
    client.logout()
    with django_assert_num_queries(3):
        client.get(url)


# --- the technikum's list -----------------------------------------------------------------


def test_technikum_staff_list_their_programmes_including_unpublished(
    client, world, welder, hidden, technikum_staff
):
    foreign = f.ProgrammeFactory(technikum=f.TechnikumFactory(district=world.district))
    client.force_login(technikum_staff)

    response = client.get(MANAGE_URL)

    shown = {p.pk for p in response.context["programmes"]}
    assert shown == {welder.pk, hidden.pk}
    assert foreign.pk not in shown


def test_technikum_list_counts_places_and_seats_of_all_but_closed_places(
    client, world, welder, technikum_staff
):
    open_place = f.DualTrainingPlaceFactory(programme=welder, employer=world.employer, seats=3)
    f.PlacementFactory(place=open_place, status=Placement.Status.AGREED)
    f.DualTrainingPlaceFactory(programme=welder, employer=world.employer, status="draft", seats=2)
    f.DualTrainingPlaceFactory(
        programme=welder, employer=world.other_employer, status="closed", seats=7
    )
    f.CompetenceFactory(programme=welder)
    client.force_login(technikum_staff)

    row = client.get(MANAGE_URL).context["programmes"][0]

    assert (row.place_count, row.place_seats, row.free_seats, row.competence_count) == (2, 5, 4, 1)
    assert DualTrainingPlace.objects.filter(programme=welder).count() == 3


@pytest.mark.parametrize(
    "role", ["counsellor_a", "employer_rep", "centre_specialist", "district_admin", "pupil_a_user"]
)
def test_others_may_not_open_the_technikum_list(client, request, role):
    client.force_login(request.getfixturevalue(role))

    assert client.get(MANAGE_URL).status_code == 403


def test_manage_queries_do_not_grow(client, world, technikum_staff, django_assert_num_queries):
    def make(n: int) -> None:
        for _ in range(n):
            programme = f.ProgrammeFactory(technikum=world.technikum)
            f.CompetenceFactory(programme=programme)
            place = f.DualTrainingPlaceFactory(programme=programme, employer=world.employer)
            f.PlacementFactory(place=place)

    client.force_login(technikum_staff)
    make(2)
    # session, user; memberships, guardian, pupil (access); the count; the page of
    # programmes with their technikum and figures (subqueries in the same SELECT)
    with django_assert_num_queries(7):
        client.get(MANAGE_URL)
    make(28)
    with django_assert_num_queries(7):
        response = client.get(MANAGE_URL)
    assert len(response.context["programmes"]) == 30
