"""Technikum staff publish and edit dual-training places; a place's page; the technikum's
and the employer's list of places."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from employers.models import DualTrainingPlace, Placement
from resource_center.models import AuditEntry
from tests import factories as f

pytestmark = pytest.mark.django_db

CREATE_URL = reverse("employers:place_create")
MANAGE_URL = reverse("employers:place_manage")
Status = DualTrainingPlace.Status


def detail_url(place) -> str:
    return reverse("employers:place_detail", args=[place.uuid])


def update_url(place) -> str:
    return reverse("employers:place_update", args=[place.uuid])


@pytest.fixture
def welder(world):
    return f.ProgrammeFactory(technikum=world.technikum, okso_code="15.01.05", is_dual=True)


@pytest.fixture
def place(world, welder):
    return f.DualTrainingPlaceFactory(
        programme=welder,
        employer=world.employer,
        workplace="Цех № 3",
        address="г. Нытва, ул. Комсомольская, 20",
        mentor_name="Сидоров Пётр Алексеевич",
        mentor_position="Мастер участка",
        mentor_phone="+7 (34272) 3-12-34",
        mentor_email="sidorov@nytva.example",
        seats=3,
        stipend=8000,
        schedule="2 дня на предприятии / 3 дня в техникуме",
        requirements="Медицинская справка.",
    )


def place_post(programme, employer, /, **overrides) -> dict:
    year = timezone.localdate().year
    data = {
        "programme": str(programme.pk),
        "employer": str(employer.pk),
        "workplace": "Сварочный участок",
        "address": "г. Нытва, ул. Комсомольская, 20",
        "mentor_name": "Сидоров Пётр Алексеевич",
        "mentor_position": "Мастер участка",
        "mentor_phone": "+7 (34272) 3-12-34",
        "mentor_email": "sidorov@nytva.example",
        "seats": "3",
        "starts_on": f"{year + 1}-09-01",
        "ends_on": f"{year + 2}-06-30",
        "schedule": "2 дня на предприятии / 3 дня в техникуме",
        "stipend": "8000",
        "requirements": "Медицинская справка.",
        "status": "published",
    }
    data.update(overrides)
    return data


def form_of(place) -> dict:
    """The POST of the edit form as it shows the place."""
    return place_post(
        place.programme,
        place.employer,
        workplace=place.workplace,
        address=place.address,
        mentor_name=place.mentor_name,
        seats=str(place.seats),
        starts_on=place.starts_on.isoformat(),
        ends_on=place.ends_on.isoformat(),
        status=place.status,
    )


# --- publishing ---------------------------------------------------------------------------


def test_technikum_staff_publish_a_place(client, world, welder, technikum_staff):
    client.force_login(technikum_staff)

    response = client.post(CREATE_URL, place_post(welder, world.employer))

    place = DualTrainingPlace.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail_url(place)
    assert (place.programme, place.employer, place.status) == (welder, world.employer, "published")
    assert (place.seats, place.stipend, place.mentor_phone) == (3, 8000, "+7 (34272) 3-12-34")
    assert place.ends_on > place.starts_on


def test_a_place_may_be_saved_as_a_draft_without_mentor_and_address(
    client, world, welder, technikum_staff
):
    client.force_login(technikum_staff)

    client.post(
        CREATE_URL,
        place_post(welder, world.employer, status="draft", mentor_name="", address=""),
    )

    assert DualTrainingPlace.objects.get().status == Status.DRAFT


def test_a_published_place_needs_a_mentor_and_an_address(client, world, welder, technikum_staff):
    client.force_login(technikum_staff)

    response = client.post(
        CREATE_URL, place_post(welder, world.employer, mentor_name="", address="")
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "У опубликованного места укажите наставника." in page
    assert "У опубликованного места укажите адрес." in page
    assert not DualTrainingPlace.objects.exists()


def test_a_new_place_cannot_be_created_closed(client, world, welder, technikum_staff):
    client.force_login(technikum_staff)

    response = client.post(CREATE_URL, place_post(welder, world.employer, status="closed"))

    assert "Такой статус сейчас выбрать нельзя." in response.content.decode()
    assert not DualTrainingPlace.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"seats": "0"}, "Мест должно быть не меньше одного."),
        ({"seats": "три"}, "Укажите число мест целым числом."),
        ({"ends_on": "2000-01-01"}, "Окончание не может быть раньше начала."),
        ({"starts_on": "31.02.2026"}, "Введите дату в виде ДД.ММ.ГГГГ."),
        ({"mentor_phone": "звонить в цех"}, "Введите телефон цифрами"),
        ({"mentor_phone": "---"}, "Введите телефон цифрами"),
        ({"mentor_email": "sidorov"}, "Введите e-mail в виде имя@домен"),
        ({"stipend": "-5"}, "Стипендия не может быть отрицательной."),
        ({"workplace": ""}, "Укажите рабочее место или участок."),
        ({"programme": "abc"}, "Выберите программу из списка."),
        ({"employer": "999999"}, "Выберите работодателя из списка."),
    ],
)
def test_wrong_values_get_a_russian_message(
    client, world, welder, technikum_staff, overrides, message
):
    client.force_login(technikum_staff)

    response = client.post(CREATE_URL, place_post(welder, world.employer, **overrides))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not DualTrainingPlace.objects.exists()


def test_only_dual_programmes_of_the_users_technikum_are_offered(
    client, world, welder, technikum_staff
):
    plain = f.ProgrammeFactory(technikum=world.technikum, is_dual=False)
    foreign = f.ProgrammeFactory(technikum=f.TechnikumFactory(district=world.district))
    client.force_login(technikum_staff)

    offered = list(client.get(CREATE_URL).context["form"].fields["programme"].queryset)

    assert offered == [welder]
    response = client.post(CREATE_URL, place_post(foreign, world.employer))
    assert "Выберите программу из списка." in response.content.decode()
    response = client.post(CREATE_URL, place_post(plain, world.employer))
    assert "Выберите программу из списка." in response.content.decode()
    assert not DualTrainingPlace.objects.exists()


def test_active_employers_of_the_district_are_offered(client, world, welder, technikum_staff):
    closed_down = f.EmployerFactory(district=world.district, is_active=False)
    far = f.EmployerFactory(district=world.other_district_school.district)
    client.force_login(technikum_staff)

    offered = set(client.get(CREATE_URL).context["form"].fields["employer"].queryset)

    assert offered == {world.employer, world.other_employer}
    assert closed_down not in offered
    assert far not in offered


def test_programme_from_the_link_is_preselected(client, welder, technikum_staff):
    client.force_login(technikum_staff)

    form = client.get(CREATE_URL, {"programme": welder.pk}).context["form"]

    assert form.initial["programme"] == welder.pk


def test_a_place_for_an_unpublished_programme_cannot_be_published(client, world, technikum_staff):
    hidden = f.ProgrammeFactory(technikum=world.technikum, is_published=False)
    client.force_login(technikum_staff)

    response = client.post(CREATE_URL, place_post(hidden, world.employer))

    assert "Программа не опубликована" in response.content.decode()
    assert not DualTrainingPlace.objects.exists()


def test_the_same_place_twice_gets_a_message(client, world, place, technikum_staff):
    client.force_login(technikum_staff)

    response = client.post(CREATE_URL, form_of(place) | {"status": "draft"})

    assert response.status_code == 200
    assert "Такое место уже есть" in response.content.decode()
    assert DualTrainingPlace.objects.count() == 1


@pytest.mark.parametrize(
    "role", ["counsellor_a", "employer_rep", "centre_specialist", "parent_of_pupil_a"]
)
def test_others_may_not_publish_places(client, request, world, welder, role):
    client.force_login(request.getfixturevalue(role))

    assert client.post(CREATE_URL, place_post(welder, world.employer)).status_code == 403
    assert not DualTrainingPlace.objects.exists()


def test_page_explains_when_there_is_no_dual_programme(client, world, coordinator):
    client.force_login(coordinator)

    response = client.get(CREATE_URL)

    assert response.status_code == 200
    assert "нет программ с дуальным обучением" in response.content.decode()


# --- editing ------------------------------------------------------------------------------


def test_technikum_staff_edit_a_place(client, place, technikum_staff):
    client.force_login(technikum_staff)

    response = client.post(update_url(place), form_of(place) | {"seats": "5", "stipend": ""})

    assert response.status_code == 302
    place.refresh_from_db()
    assert (place.seats, place.stipend) == (5, None)


def test_seats_never_drop_below_the_placements_holding_one(client, place, technikum_staff):
    f.PlacementFactory(place=place, status=Placement.Status.ACTIVE)
    f.PlacementFactory(place=place, status=Placement.Status.AGREED)
    f.PlacementFactory(place=place, status=Placement.Status.PROPOSED)
    client.force_login(technikum_staff)

    response = client.post(update_url(place), form_of(place) | {"seats": "1"})

    assert response.status_code == 200
    assert "уже заняты 2 мест(а)" in response.content.decode()
    place.refresh_from_db()
    assert place.seats == 3
    client.post(update_url(place), form_of(place) | {"seats": "2"})
    place.refresh_from_db()
    assert place.seats == 2


def test_programme_and_employer_stay_once_students_are_sent(client, world, place, technikum_staff):
    f.PlacementFactory(place=place, status=Placement.Status.PROPOSED)
    client.force_login(technikum_staff)

    client.post(update_url(place), form_of(place) | {"employer": str(world.other_employer.pk)})

    place.refresh_from_db()
    assert place.employer == world.employer


@pytest.mark.parametrize(
    ("start", "target", "allowed"),
    [
        ("draft", "published", True),
        ("published", "closed", True),
        ("closed", "draft", True),
        ("draft", "closed", False),
        ("published", "draft", False),
        ("closed", "published", False),
    ],
)
def test_status_moves_on_the_form_follow_the_transitions(
    client, place, technikum_staff, start, target, allowed
):
    DualTrainingPlace.objects.filter(pk=place.pk).update(status=start)
    place.refresh_from_db()
    client.force_login(technikum_staff)

    response = client.post(update_url(place), form_of(place) | {"status": target})

    place.refresh_from_db()
    assert place.status == (target if allowed else start)
    assert response.status_code == (302 if allowed else 200)


@pytest.mark.parametrize(
    ("start", "target", "allowed"),
    [
        ("draft", "published", True),
        ("published", "closed", True),
        ("closed", "draft", True),
        ("draft", "closed", False),
        ("closed", "published", False),
        ("published", "archived", False),
    ],
)
def test_status_buttons_follow_the_transitions(
    client, place, technikum_staff, start, target, allowed
):
    DualTrainingPlace.objects.filter(pk=place.pk).update(status=start)
    client.force_login(technikum_staff)

    response = client.post(update_url(place), {"to": target}, follow=True)

    place.refresh_from_db()
    assert place.status == (target if allowed else start)
    assert response.redirect_chain[0][0] == detail_url(place)


def test_a_draft_without_a_mentor_cannot_be_published_with_the_button(
    client, place, technikum_staff
):
    DualTrainingPlace.objects.filter(pk=place.pk).update(status="draft", mentor_name="")
    client.force_login(technikum_staff)

    response = client.post(update_url(place), {"to": "published"}, follow=True)

    place.refresh_from_db()
    assert place.status == "draft"
    assert "Чтобы опубликовать место, укажите ФИО наставника." in response.content.decode()


def test_place_page_offers_only_the_allowed_moves(client, place, technikum_staff):
    client.force_login(technikum_staff)

    page = client.get(detail_url(place)).content.decode()

    assert 'data-testid="place-move-closed"' in page
    assert 'data-testid="place-move-draft"' not in page
    assert 'data-testid="place-move-published"' not in page


def test_employer_representative_sees_the_place_but_may_not_edit_it(client, place, employer_rep):
    client.force_login(employer_rep)

    assert client.get(update_url(place)).status_code == 403
    assert client.post(update_url(place), {"to": "closed"}).status_code == 403
    place.refresh_from_db()
    assert place.status == "published"


def test_a_draft_of_another_technikum_is_404_for_technikum_staff(client, world, technikum_staff):
    other = f.ProgrammeFactory(technikum=f.TechnikumFactory(district=world.district))
    draft = f.DualTrainingPlaceFactory(programme=other, employer=world.employer, status="draft")
    client.force_login(technikum_staff)

    assert client.get(update_url(draft)).status_code == 404
    assert client.post(update_url(draft), {"to": "published"}).status_code == 404
    assert client.get(detail_url(draft)).status_code == 404


# --- a place's page -----------------------------------------------------------------------


def test_anonymous_visitor_sees_the_terms_but_not_the_mentor(client, place):
    f.PlacementFactory(place=place, status=Placement.Status.ACTIVE)

    response = client.get(detail_url(place))
    page = response.content.decode()

    assert response.status_code == 200
    for shown in ("Цех № 3", "ул. Комсомольская", "2 дня на предприятии", "Медицинская справка"):
        assert shown in page
    assert "3, свободно: 2" in page
    for hidden in ("Сидоров", "Мастер участка", "3-12-34", "sidorov@"):
        assert hidden not in page
    assert 'data-testid="place-placements"' not in page
    assert reverse("employers:placement_create", args=[place.uuid]) not in page
    assert reverse("employers:place_update", args=[place.uuid]) not in page


def test_signed_in_staff_see_the_mentor_and_contacts(client, place, counsellor_a):
    client.force_login(counsellor_a)

    page = client.get(detail_url(place)).content.decode()

    assert "Сидоров Пётр Алексеевич" in page
    assert "sidorov@nytva.example" in page
    assert 'data-testid="place-placements"' not in page


@pytest.mark.parametrize("status", ["draft", "closed"])
@pytest.mark.parametrize("role", ["anonymous", "counsellor_a", "pupil_a_user", "centre_specialist"])
def test_unpublished_places_are_404_for_those_who_do_not_manage_them(
    client, request, place, status, role
):
    DualTrainingPlace.objects.filter(pk=place.pk).update(status=status)
    user = request.getfixturevalue(role)
    if user.is_authenticated:
        client.force_login(user)

    assert client.get(detail_url(place)).status_code == 404


def test_technikum_staff_see_a_draft_with_edit_link(client, place, technikum_staff):
    DualTrainingPlace.objects.filter(pk=place.pk).update(status="draft")
    client.force_login(technikum_staff)

    response = client.get(detail_url(place))

    assert response.status_code == 200
    assert update_url(place) in response.content.decode()
    assert "Место не показывается в открытом каталоге" in response.content.decode()


def test_technikum_staff_see_the_propose_link_and_the_placements(client, place, technikum_staff):
    placement = f.PlacementFactory(place=place, status=Placement.Status.AGREED)
    client.force_login(technikum_staff)

    page = client.get(detail_url(place)).content.decode()

    assert reverse("employers:placement_create", args=[place.uuid]) in page
    assert placement.student.full_name in page
    assert reverse("employers:placement_detail", args=[placement.uuid]) in page


def test_showing_the_placed_students_is_audited(client, place, technikum_staff):
    placement = f.PlacementFactory(place=place)
    client.force_login(technikum_staff)

    client.get(detail_url(place))

    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.student, entry.action) == (
        technikum_staff,
        placement.student,
        AuditEntry.Action.VIEW,
    )


def test_no_propose_link_on_a_closed_place(client, place, technikum_staff):
    DualTrainingPlace.objects.filter(pk=place.pk).update(status="closed")
    client.force_login(technikum_staff)

    page = client.get(detail_url(place)).content.decode()

    assert reverse("employers:placement_create", args=[place.uuid]) not in page


def test_employer_representative_sees_placements_at_the_employer_without_propose_link(
    client, place, employer_rep
):
    proposed = f.PlacementFactory(place=place, status=Placement.Status.PROPOSED)
    client.force_login(employer_rep)

    page = client.get(detail_url(place)).content.decode()

    assert proposed.student.full_name in page
    assert reverse("employers:placement_create", args=[place.uuid]) not in page
    assert update_url(place) not in page


def test_other_employers_see_no_placements(client, world, place):
    other_rep = f.UserFactory(username="other_rep")
    f.MembershipFactory(user=other_rep, organisation=world.other_employer, role="employer_rep")
    placement = f.PlacementFactory(place=place)
    client.force_login(other_rep)

    page = client.get(detail_url(place)).content.decode()

    assert placement.student.last_name not in page
    assert 'data-testid="place-placements"' not in page


def test_an_ended_place_says_so(client, world, welder):
    past = timezone.localdate() - datetime.timedelta(days=30)
    ended = f.DualTrainingPlaceFactory(
        programme=welder,
        employer=world.employer,
        starts_on=past - datetime.timedelta(days=300),
        ends_on=past,
    )

    assert (
        "Период обучения на этом месте завершён." in client.get(detail_url(ended)).content.decode()
    )


def test_bad_uuid_is_404(client):
    assert client.get("/employers/dual-training/not-a-uuid/").status_code == 404


def test_detail_queries_do_not_grow(client, place, technikum_staff, django_assert_num_queries):
    def make(n: int) -> None:
        for _ in range(n):
            f.PlacementFactory(place=place, status=Placement.Status.PROPOSED)

    make(2)
    url = detail_url(place)
    # the place with programme, technikum and employer; its held seats
    with django_assert_num_queries(2):
        client.get(url)
    client.force_login(technikum_staff)
    # + session, user; memberships, guardian, pupil (access); may the user edit it; the
    # placements with their students; one bulk insert of the audit rows
    with django_assert_num_queries(10):
        client.get(url)
    make(28)
    with django_assert_num_queries(10):
        response = client.get(url)
    assert len(response.context["placements"]) == 30


# --- the technikum's and the employer's list ----------------------------------------------


@pytest.fixture
def statuses(world, welder):
    """A place in each status at world.employer, and a draft of another technikum."""
    made = {
        s: f.DualTrainingPlaceFactory(
            programme=welder, employer=world.employer, status=s, workplace=f"Участок {s}"
        )
        for s in ("draft", "published", "closed")
    }
    other = f.ProgrammeFactory(technikum=f.TechnikumFactory(district=world.district))
    made["foreign"] = f.DualTrainingPlaceFactory(
        programme=other, employer=world.other_employer, status="draft"
    )
    return made


def test_technikum_staff_list_their_places_in_every_status(client, statuses, technikum_staff):
    client.force_login(technikum_staff)

    response = client.get(MANAGE_URL)

    shown = {p.pk for p in response.context["places"]}
    assert shown == {statuses[s].pk for s in ("draft", "published", "closed")}
    assert update_url(statuses["draft"]) in response.content.decode()


def test_list_shows_free_seats(client, place, technikum_staff):
    f.PlacementFactory(place=place, status=Placement.Status.ACTIVE)
    client.force_login(technikum_staff)

    row = client.get(MANAGE_URL).context["places"][0]

    assert (row.seats, row.free_seats) == (3, 2)


@pytest.mark.parametrize(
    ("params", "expected"), [({"status": "draft"}, ["draft"]), ({"status": "closed"}, ["closed"])]
)
def test_list_filters_by_status(client, statuses, technikum_staff, params, expected):
    client.force_login(technikum_staff)

    shown = [p.status for p in client.get(MANAGE_URL, params).context["places"]]

    assert shown == expected


def test_list_filters_by_programme(client, world, statuses, technikum_staff):
    cook = f.ProgrammeFactory(technikum=world.technikum, okso_code="43.01.09")
    kitchen = f.DualTrainingPlaceFactory(programme=cook, employer=world.employer)
    client.force_login(technikum_staff)

    shown = [p.pk for p in client.get(MANAGE_URL, {"programme": cook.pk}).context["places"]]

    assert shown == [kitchen.pk]


@pytest.mark.parametrize("params", [{"status": "lost"}, {"programme": "abc"}, {"page": "-1"}])
def test_list_survives_bad_parameters(client, statuses, technikum_staff, params):
    client.force_login(technikum_staff)

    response = client.get(MANAGE_URL, params)

    assert response.status_code == 200
    assert len(response.context["places"]) == 3


def test_employer_representative_lists_the_places_at_the_employer_read_only(
    client, statuses, employer_rep
):
    client.force_login(employer_rep)

    response = client.get(MANAGE_URL)

    shown = {p.pk for p in response.context["places"]}
    assert shown == {statuses[s].pk for s in ("draft", "published", "closed")}
    page = response.content.decode()
    assert "/edit/" not in page
    assert CREATE_URL not in page


@pytest.mark.parametrize(
    "role", ["counsellor_a", "centre_specialist", "district_admin", "pupil_a_user"]
)
def test_others_may_not_open_the_list(client, request, role):
    client.force_login(request.getfixturevalue(role))

    assert client.get(MANAGE_URL).status_code == 403


def test_list_queries_do_not_grow(
    client, world, welder, technikum_staff, django_assert_num_queries
):
    def make(n: int) -> None:
        for _ in range(n):
            employer = f.EmployerFactory(district=world.district)
            place = f.DualTrainingPlaceFactory(programme=welder, employer=employer, status="draft")
            f.PlacementFactory(place=place)

    client.force_login(technikum_staff)
    make(2)
    # session, user; memberships, guardian, pupil (access); the count; the page of places
    # with free seats, programme, technikum and employer; the managed technikums; the
    # programme choices of the filter
    with django_assert_num_queries(9):
        client.get(MANAGE_URL, {"status": "draft"})
    make(28)
    with django_assert_num_queries(9):
        response = client.get(MANAGE_URL, {"status": "draft"})
    assert len(response.context["places"]) == 30
