"""The public catalogue of dual-training places: search, filters, free seats, no mentor
names for the public, nothing unpublished."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from employers.models import Placement
from tests import factories as f

pytestmark = pytest.mark.django_db

URL = reverse("employers:place_list")


@pytest.fixture
def welder(world):
    return f.ProgrammeFactory(
        technikum=world.technikum, okso_code="15.01.05", title="Сварщик", qualification="Сварщик"
    )


@pytest.fixture
def cook(world):
    return f.ProgrammeFactory(
        technikum=world.technikum,
        okso_code="43.01.09",
        title="Повар, кондитер",
        qualification="Повар",
    )


@pytest.fixture
def places(world, welder, cook):
    """A full place of welders at the plant, one with a free seat at the other employer,
    a cook's place, and places no visitor may see."""
    full = f.DualTrainingPlaceFactory(
        programme=welder,
        employer=world.employer,
        workplace="Цех сварки",
        seats=1,
        mentor_name="Сидоров Пётр Алексеевич",
    )
    f.PlacementFactory(place=full, status=Placement.Status.ACTIVE)
    free = f.DualTrainingPlaceFactory(
        programme=welder, employer=world.other_employer, workplace="Ремонтный участок", seats=2
    )
    f.PlacementFactory(place=free, status=Placement.Status.PROPOSED)
    kitchen = f.DualTrainingPlaceFactory(
        programme=cook, employer=world.other_employer, workplace="Столовая", seats=2
    )
    past = timezone.localdate() - datetime.timedelta(days=10)
    hidden = [
        f.DualTrainingPlaceFactory(
            programme=welder, employer=world.employer, workplace="Черновик", status="draft"
        ),
        f.DualTrainingPlaceFactory(
            programme=welder, employer=world.employer, workplace="Закрытое", status="closed"
        ),
        f.DualTrainingPlaceFactory(
            programme=welder,
            employer=world.employer,
            workplace="Прошлогоднее",
            starts_on=past - datetime.timedelta(days=200),
            ends_on=past,
        ),
        f.DualTrainingPlaceFactory(
            programme=welder,
            employer=f.EmployerFactory(district=world.district, is_active=False),
            workplace="Закрытое предприятие",
        ),
    ]
    return {"full": full, "free": free, "kitchen": kitchen, "hidden": hidden}


def shown(response) -> list[str]:
    return sorted(p.workplace for p in response.context["places"])


def test_anonymous_visitor_sees_current_published_places_only(client, places):
    response = client.get(URL)

    assert response.status_code == 200
    assert shown(response) == ["Ремонтный участок", "Столовая", "Цех сварки"]
    page = response.content.decode()
    for place in places["hidden"]:
        assert place.workplace not in page
        assert str(place.uuid) not in page


def test_rows_keep_their_anchor_link_to_the_place_and_show_free_seats(client, places):
    page = client.get(URL).content.decode()

    free = places["free"]
    assert f'id="place-{free.pk}"' in page
    assert reverse("employers:place_detail", args=[free.uuid]) in page
    assert "свободно 2 из 2" in page  # a proposal holds no seat
    assert "мест нет" in page  # the full place


def test_public_list_has_no_mentor_names(client, places):
    page = client.get(URL).content.decode()

    assert "Сидоров" not in page
    assert "Наставник" not in page


def test_signed_in_staff_see_mentor_names(client, places, counsellor_a):
    client.force_login(counsellor_a)

    assert "Сидоров Пётр Алексеевич" in client.get(URL).content.decode()


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "сварщик"}, ["Ремонтный участок", "Цех сварки"]),
        ({"q": "15.01"}, ["Ремонтный участок", "Цех сварки"]),
        ({"q": "столовая"}, ["Столовая"]),
        ({"q": "Другое"}, ["Ремонтный участок", "Столовая"]),
        ({"free": "on"}, ["Ремонтный участок", "Столовая"]),
        ({"free": "on", "q": "свар"}, ["Ремонтный участок"]),
    ],
)
def test_search_and_filters_narrow_the_list(client, places, params, expected):
    assert shown(client.get(URL, params)) == expected


def test_filter_by_programme_and_employer(client, world, places, welder, cook):
    assert shown(client.get(URL, {"programme": cook.pk})) == ["Столовая"]
    assert shown(client.get(URL, {"employer": world.employer.pk})) == ["Цех сварки"]
    assert shown(
        client.get(URL, {"programme": welder.pk, "employer": world.other_employer.pk})
    ) == ["Ремонтный участок"]


def test_filter_choices_offer_only_what_the_catalogue_shows(client, world, places, welder, cook):
    hidden_programme = f.ProgrammeFactory(technikum=world.technikum, okso_code="09.02.07")
    f.DualTrainingPlaceFactory(programme=hidden_programme, employer=world.employer, status="draft")

    form = client.get(URL).context["filter"].form

    assert set(form.fields["programme"].queryset) == {welder, cook}
    assert set(form.fields["employer"].queryset) == {world.employer, world.other_employer}


@pytest.mark.parametrize(
    "params",
    [
        {"programme": "abc"},
        {"programme": "999999"},
        {"employer": "-1"},
        {"free": "perhaps"},
        {"page": "abc"},
        {"page": "100"},
        {"q": "x" * 300},
    ],
)
def test_bad_parameters_show_the_list_not_an_error(client, places, params):
    response = client.get(URL, params)

    assert response.status_code == 200
    assert len(response.context["places"]) >= 1


def test_a_draft_chosen_as_filter_value_reveals_nothing(client, places):
    draft = places["hidden"][0]

    response = client.get(URL, {"programme": draft.programme.pk, "q": "Черновик"})

    assert "Черновик" not in [p.workplace for p in response.context["places"]]


def test_list_queries_do_not_grow(client, world, welder, django_assert_num_queries):
    def make(n: int) -> None:
        for _ in range(n):
            employer = f.EmployerFactory(district=world.district)
            place = f.DualTrainingPlaceFactory(programme=welder, employer=employer)
            f.PlacementFactory(place=place)

    make(2)
    params = {"q": "Сварщик", "programme": welder.pk}
    # the chosen programme (validating the filter); the count; the page of places with
    # free seats, programme, technikum and employer; the programme and employer choices
    with django_assert_num_queries(5):
        client.get(URL, params)
    make(28)
    with django_assert_num_queries(5):
        response = client.get(URL, params)
    assert len(response.context["places"]) == 30
