"""Technikum staff add and edit programmes with their competences."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from schools import services
from schools.models import Competence, Programme
from tests import factories as f

pytestmark = pytest.mark.django_db

CREATE_URL = reverse("schools:programme_create")


def update_url(programme) -> str:
    return reverse("schools:programme_update", args=[programme.pk])


def competence_rows(*rows: tuple[int | None, str, str], delete: tuple[int, ...] = ()) -> dict:
    """The competence formset's POST: (stored id or None, number, title) per row."""
    data = {
        "competences-TOTAL_FORMS": str(len(rows)),
        "competences-INITIAL_FORMS": str(sum(1 for pk, _, _ in rows if pk)),
        "competences-MIN_NUM_FORMS": "0",
        "competences-MAX_NUM_FORMS": "100",
    }
    for i, (pk, order, title) in enumerate(rows):
        data[f"competences-{i}-id"] = str(pk or "")
        data[f"competences-{i}-order"] = order
        data[f"competences-{i}-title"] = title
        if i in delete:
            data[f"competences-{i}-DELETE"] = "on"
    return data


def programme_post(technikum, **overrides) -> dict:
    data = {
        "technikum": str(technikum.pk),
        "okso_code": "15.01.05",
        "title": "Сварщик (ручной и частично механизированной сварки (наплавки))",
        "qualification": "Сварщик ручной дуговой сварки плавящимся покрытым электродом",
        "base_education": "9",
        "duration_months": "34",
        "form_of_study": "full_time",
        "budget_seats": "25",
        "paid_seats": "5",
        "is_dual": "on",
        "description": "Работа на производстве.",
        "is_published": "on",
        **competence_rows((None, "", "Сварка в нижнем положении"), (None, "", "")),
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


# --- adding -------------------------------------------------------------------------------


def test_technikum_staff_add_a_programme_with_competences(client, world, technikum_staff):
    client.force_login(technikum_staff)
    data = programme_post(
        world.technikum,
        **competence_rows(
            (None, "2", "Сварка труб"), (None, "1", "Чтение чертежей"), (None, "", "")
        ),
    )

    response = client.post(CREATE_URL, data)

    programme = Programme.objects.get(okso_code="15.01.05")
    assert response.status_code == 302
    assert response["Location"] == reverse("schools:programme_detail", args=[programme.pk])
    assert programme.technikum == world.technikum
    assert (programme.budget_seats, programme.paid_seats, programme.duration_months) == (25, 5, 34)
    assert programme.is_dual
    assert programme.is_published
    assert [(c.order, c.title) for c in programme.competences.all()] == [
        (1, "Чтение чертежей"),
        (2, "Сварка труб"),
    ]


def test_the_only_technikum_is_preselected(client, world, technikum_staff):
    client.force_login(technikum_staff)

    form = client.get(CREATE_URL).context["form"]

    assert form.fields["technikum"].initial == world.technikum.pk
    assert list(form.fields["technikum"].queryset) == [world.technikum]


def test_another_technikum_cannot_be_chosen(client, world, technikum_staff):
    other = f.TechnikumFactory(district=world.district)
    client.force_login(technikum_staff)

    response = client.post(CREATE_URL, programme_post(other))

    assert response.status_code == 200
    assert "Выберите техникум из списка." in response.content.decode()
    assert not Programme.objects.exists()


@pytest.mark.parametrize("code", ["15.1.05", "150105", "15.01.0A", "ab.cd.ef"])
def test_okso_code_is_validated(client, world, technikum_staff, code):
    client.force_login(technikum_staff)

    response = client.post(CREATE_URL, programme_post(world.technikum, okso_code=code))

    assert response.status_code == 200
    assert "Код ОКСО записывается в виде NN.NN.NN" in response.content.decode()
    assert not Programme.objects.exists()


def test_okso_code_typed_with_spaces_or_commas_is_normalised(client, world, technikum_staff):
    client.force_login(technikum_staff)

    client.post(CREATE_URL, programme_post(world.technikum, okso_code=" 15,01,05 "))

    assert Programme.objects.get().okso_code == "15.01.05"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("duration_months", "5", "не меньше 6 месяцев"),
        ("duration_months", "100", "не больше 72 месяцев"),
        ("duration_months", "два года", "целым числом месяцев"),
        ("budget_seats", "-1", "не может быть отрицательным"),
        ("paid_seats", "5000", "не больше 1000"),
        ("title", "", "Укажите наименование программы."),
        ("form_of_study", "evening", "Выберите форму обучения из списка."),
    ],
)
def test_wrong_values_get_a_russian_message(client, world, technikum_staff, field, value, message):
    client.force_login(technikum_staff)

    response = client.post(CREATE_URL, programme_post(world.technikum, **{field: value}))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Programme.objects.exists()


def test_same_code_form_and_base_education_twice_gets_a_message_not_an_error(
    client, world, technikum_staff
):
    f.ProgrammeFactory(technikum=world.technikum, okso_code="15.01.05")
    client.force_login(technikum_staff)

    response = client.post(CREATE_URL, programme_post(world.technikum))

    assert response.status_code == 200
    assert "уже есть программа с этим кодом ОКСО" in response.content.decode()
    assert Programme.objects.count() == 1


def test_same_code_in_another_form_of_study_is_a_new_programme(client, world, technikum_staff):
    f.ProgrammeFactory(technikum=world.technikum, okso_code="15.01.05")
    client.force_login(technikum_staff)

    client.post(CREATE_URL, programme_post(world.technikum, form_of_study="extramural"))

    assert Programme.objects.count() == 2


def test_dual_programme_needs_a_competence(client, world, technikum_staff):
    client.force_login(technikum_staff)
    data = programme_post(world.technikum, **competence_rows((None, "", ""), (None, "", "")))

    response = client.post(CREATE_URL, data)

    assert response.status_code == 200
    assert "укажите хотя бы одну компетенцию" in response.content.decode()
    assert not Programme.objects.exists()


def test_programme_without_dual_training_needs_no_competence(client, world, technikum_staff):
    client.force_login(technikum_staff)
    data = programme_post(
        world.technikum, is_dual=None, **competence_rows((None, "", ""), (None, "", ""))
    )

    client.post(CREATE_URL, data)

    assert not Programme.objects.get().is_dual


def test_the_same_competence_twice_is_refused(client, world, technikum_staff):
    client.force_login(technikum_staff)
    data = programme_post(
        world.technikum, **competence_rows((None, "", "Сварка"), (None, "", "сварка"))
    )

    response = client.post(CREATE_URL, data)

    assert "уже есть в списке" in response.content.decode()
    assert not Programme.objects.exists()


def test_tampered_formset_counts_do_not_break_the_page(client, world, technikum_staff):
    client.force_login(technikum_staff)
    data = programme_post(world.technikum, **{"competences-TOTAL_FORMS": "abc"})

    response = client.post(CREATE_URL, data)

    assert response.status_code == 200
    assert not Programme.objects.exists()


@pytest.mark.parametrize("role", ["counsellor_a", "employer_rep", "district_admin", "pupil_a_user"])
def test_others_may_not_add_programmes(client, request, world, role):
    client.force_login(request.getfixturevalue(role))

    assert client.post(CREATE_URL, programme_post(world.technikum)).status_code == 403
    assert not Programme.objects.exists()


def test_coordinator_adds_a_programme_for_the_district_technikum(client, world, coordinator):
    client.force_login(coordinator)

    client.post(CREATE_URL, programme_post(world.technikum))

    assert Programme.objects.get().technikum == world.technikum


# --- editing ------------------------------------------------------------------------------


@pytest.fixture
def welder(world):
    programme = f.ProgrammeFactory(technikum=world.technikum, okso_code="15.01.05", is_dual=True)
    f.CompetenceFactory(programme=programme, title="Чтение чертежей", order=1)
    f.CompetenceFactory(programme=programme, title="Сварка труб", order=2)
    return programme


def stored(programme) -> list[tuple[int | None, str, str]]:
    return [(c.pk, str(c.order), c.title) for c in programme.competences.order_by("order")]


def test_edit_form_lists_the_competences_in_order(client, welder, technikum_staff):
    client.force_login(technikum_staff)

    formset = client.get(update_url(welder)).context["competences"]

    assert [form.initial.get("title") for form in formset.forms[:2]] == [
        "Чтение чертежей",
        "Сварка труб",
    ]


def test_technikum_staff_edit_a_programme_and_reorder_rename_and_add_competences(
    client, world, welder, technikum_staff
):
    drawing, pipes = welder.competences.order_by("order")
    client.force_login(technikum_staff)
    data = programme_post(
        world.technikum,
        title="Сварщик",
        budget_seats="30",
        **competence_rows(
            (drawing.pk, "3", "Чтение чертежей"),
            (pipes.pk, "1", "Сварка труб большого диаметра"),
            (None, "2", "Контроль качества швов"),
        ),
    )

    response = client.post(update_url(welder), data)

    assert response.status_code == 302
    welder.refresh_from_db()
    assert (welder.title, welder.budget_seats) == ("Сварщик", 30)
    assert [(c.pk, c.title) for c in welder.competences.order_by("order")] == [
        (pipes.pk, "Сварка труб большого диаметра"),
        (Competence.objects.get(title="Контроль качества швов").pk, "Контроль качества швов"),
        (drawing.pk, "Чтение чертежей"),
    ]


def test_a_competence_can_be_deleted(client, world, welder, technikum_staff):
    client.force_login(technikum_staff)
    rows = stored(welder)

    client.post(
        update_url(welder), programme_post(world.technikum, **competence_rows(*rows, delete=(0,)))
    )

    assert [c.title for c in welder.competences.all()] == ["Сварка труб"]


def test_a_competence_marked_by_mentors_cannot_be_deleted(client, world, welder, technikum_staff):
    drawing = welder.competences.get(title="Чтение чертежей")
    place = f.DualTrainingPlaceFactory(programme=welder, employer=world.employer)
    evaluation = f.EvaluationFactory(placement=f.PlacementFactory(place=place))
    evaluation.marks.create(competence=drawing, mark=5)
    client.force_login(technikum_staff)

    response = client.post(
        update_url(welder),
        programme_post(world.technikum, **competence_rows(*stored(welder), delete=(0,))),
    )

    assert response.status_code == 200
    assert "отметки наставников" in response.content.decode()
    assert welder.competences.count() == 2


def test_two_competences_may_swap_titles(world, welder, technikum_staff):
    drawing, pipes = welder.competences.order_by("order")

    services.programme_update(
        programme=welder,
        data={},
        competences=[
            services.CompetenceRow(pk=drawing.pk, title="Сварка труб"),
            services.CompetenceRow(pk=pipes.pk, title="Чтение чертежей"),
        ],
        by=technikum_staff,
    )

    assert list(welder.competences.order_by("order").values_list("pk", "title")) == [
        (drawing.pk, "Сварка труб"),
        (pipes.pk, "Чтение чертежей"),
    ]


def test_competence_of_another_programme_in_a_tampered_form_is_refused(
    client, world, welder, technikum_staff
):
    foreign = f.CompetenceFactory(title="Чужая")
    client.force_login(technikum_staff)
    data = programme_post(world.technikum, **competence_rows((foreign.pk, "1", "Моя")))

    response = client.post(update_url(welder), data)

    assert response.status_code == 200
    foreign.refresh_from_db()
    assert foreign.title == "Чужая"


def test_editing_into_another_programmes_code_gets_a_message(
    client, world, welder, technikum_staff
):
    f.ProgrammeFactory(technikum=world.technikum, okso_code="43.01.09")
    client.force_login(technikum_staff)

    response = client.post(
        update_url(welder),
        programme_post(world.technikum, okso_code="43.01.09", **competence_rows(*stored(welder))),
    )

    assert "уже есть программа с этим кодом ОКСО" in response.content.decode()
    welder.refresh_from_db()
    assert welder.okso_code == "15.01.05"


def test_service_refuses_a_clash_with_a_message(world, welder, technikum_staff):
    other = f.ProgrammeFactory(technikum=world.technikum, okso_code="43.01.09", is_dual=False)

    with pytest.raises(ValidationError) as caught:
        services.programme_update(
            programme=other, data={"okso_code": "15.01.05"}, by=technikum_staff
        )

    assert "уже есть программа" in str(caught.value)


def test_service_refuses_a_dual_programme_without_competences(world, technikum_staff):
    with pytest.raises(ValidationError):
        services.programme_create(
            technikum=world.technikum,
            data={
                "okso_code": "15.01.05",
                "title": "Сварщик",
                "qualification": "Сварщик",
                "duration_months": 34,
                "is_dual": True,
            },
            competences=[],
            by=technikum_staff,
        )

    assert not Programme.objects.exists()


def test_employer_representative_reading_a_programme_may_not_edit_it(
    client, world, welder, employer_rep
):
    client.force_login(employer_rep)

    response = client.post(update_url(welder), programme_post(world.technikum, title="Взлом"))

    assert response.status_code == 403
    welder.refresh_from_db()
    assert welder.title != "Взлом"


def test_staff_of_another_technikum_get_404_for_an_unpublished_programme(client, world):
    hidden = f.ProgrammeFactory(technikum=world.technikum, is_published=False)
    other_staff = f.UserFactory(username="other_staff")
    f.MembershipFactory(
        user=other_staff,
        organisation=f.TechnikumFactory(district=world.district),
        role="technikum_staff",
    )
    client.force_login(other_staff)

    assert client.get(update_url(hidden)).status_code == 404
