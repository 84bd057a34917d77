"""An employer's profile: kept by its representative, the employment centre and the
coordinator of its district; checked ИНН, ОКВЭД and contacts; nobody else's to open."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse

from employers.services import vacancies as services
from resource_center.lib.checks import inn_with_check_digits
from tests import factories as f

pytestmark = pytest.mark.django_db


def url(employer) -> str:
    return reverse("employers:employer_profile", args=[employer.pk])


def card(employer, **values) -> dict:
    return {
        "full_name": "Открытое акционерное общество «Нытва»",
        "short_name": employer.short_name,
        "inn": inn_with_check_digits("594200777"),
        "okved": "24.10",
        "address": "Пермский край, г. Нытва, ул. Карла Маркса, 75",
        "phone": "+7 (34272) 3-12-34",
        "email": "hr@nytva.ru",
        "website": "https://nytva.ru",
        **values,
    }


@pytest.mark.parametrize("who", ["employer_rep", "centre_specialist", "coordinator"])
def test_keepers_of_the_profile_save_it(request, client, world, who):
    client.force_login(request.getfixturevalue(who))
    response = client.post(url(world.employer), card(world.employer))
    assert response.status_code == 302
    assert response["Location"] == url(world.employer)
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Профиль работодателя сохранён."
    ]
    world.employer.refresh_from_db()
    assert world.employer.full_name == "Открытое акционерное общество «Нытва»"
    assert world.employer.inn == inn_with_check_digits("594200777")
    assert (world.employer.okved, world.employer.email) == ("24.10", "hr@nytva.ru")
    assert world.employer.website == "https://nytva.ru"


def test_profile_form_shows_the_saved_card(client, world, employer_rep):
    world.employer.okved = "24.10"
    world.employer.save()
    client.force_login(employer_rep)
    response = client.get(url(world.employer))
    assert response.status_code == 200
    assert response.context["form"]["okved"].value() == "24.10"
    assert response.context["form"]["inn"].value() == world.employer.inn


def test_inn_of_another_organisation_is_refused_and_nothing_is_saved(client, world, employer_rep):
    before = world.employer.inn
    client.force_login(employer_rep)
    response = client.post(url(world.employer), card(world.employer, inn=world.school_a.inn))
    assert response.status_code == 200
    assert "Организация с таким ИНН уже есть на портале" in response.content.decode()
    world.employer.refresh_from_db()
    assert world.employer.inn == before


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("inn", "5942000001", "контрольными цифрами"),
        ("okved", "24-10", "NN.NN.NN"),
        ("phone", "звоните", "телефон цифрами"),
        ("email", "hr@", "электронной почты"),
        ("website", "http://", "адрес сайта"),
    ],
)
def test_invalid_card_is_shown_again_with_a_russian_message(
    client, world, employer_rep, field, value, message
):
    client.force_login(employer_rep)
    response = client.post(url(world.employer), card(world.employer, **{field: value}))
    assert response.status_code == 200
    assert message in response.content.decode()
    world.employer.refresh_from_db()
    assert world.employer.full_name != "Открытое акционерное общество «Нытва»"


def test_another_employers_representative_gets_404(client, world):
    other = f.UserFactory(username="other_rep")
    f.MembershipFactory(user=other, organisation=world.other_employer, role="employer_rep")
    client.force_login(other)
    assert client.get(url(world.employer)).status_code == 404
    assert client.post(url(world.employer), card(world.employer)).status_code == 404


def test_employment_centre_of_another_district_gets_404(client, world, centre_specialist):
    far = f.EmployerFactory(district=world.other_district_school.district)
    client.force_login(centre_specialist)
    assert client.get(url(far)).status_code == 404


@pytest.mark.parametrize("who", ["counsellor_a", "technikum_staff", "district_admin"])
def test_others_cannot_open_a_profile(request, client, world, who):
    client.force_login(request.getfixturevalue(who))
    before = world.employer.full_name
    assert client.post(url(world.employer), card(world.employer)).status_code == 404
    world.employer.refresh_from_db()
    assert world.employer.full_name == before


def test_a_school_is_not_an_employer_profile(client, world, coordinator):
    client.force_login(coordinator)
    assert client.get(url(world.school_a)).status_code == 404


def test_service_answers_an_inn_taken_meanwhile_in_russian(world, employer_rep):
    # The form checked the ИНН; another organisation took it before the save.
    with pytest.raises(ValidationError) as exc:
        services.employer_profile_update(
            employer=world.employer, data={"inn": world.school_b.inn}, by=employer_rep
        )
    assert "с таким ИНН уже есть" in exc.value.message_dict["inn"][0]


def test_service_answers_a_short_name_taken_meanwhile_in_russian(world, employer_rep):
    with pytest.raises(ValidationError) as exc:
        services.employer_profile_update(
            employer=world.employer,
            data={"short_name": world.other_employer.short_name},
            by=employer_rep,
        )
    assert "кратким наименованием" in exc.value.message_dict["short_name"][0]


@pytest.mark.parametrize("n", [2, 30])
def test_profile_page_queries_do_not_grow(
    client, world, employer_rep, n, django_assert_num_queries
):
    f.VacancyFactory.create_batch(n, employer=world.employer)
    client.force_login(employer_rep)
    # session, user, memberships, guardian?, pupil?; the employer with its district
    with django_assert_num_queries(6):
        client.get(url(world.employer))
