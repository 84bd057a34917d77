"""Mentors' evaluations: the employer records marks per competence, hours and a comment;
the placement's page shows them over time to the employer and the technikum."""

from __future__ import annotations

import datetime
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from employers.models import Evaluation, EvaluationMark, Placement
from employers.services import placements as services
from resource_center.models import AuditEntry
from tests import factories as f

pytestmark = pytest.mark.django_db

S = Placement.Status
TODAY = timezone.localdate


@pytest.fixture
def place(world):
    """A published place at world.employer running now, its programme with competences."""
    today = TODAY()
    programme = f.ProgrammeFactory(technikum=world.technikum)
    for n, title in enumerate(
        ("Чтение чертежей", "Сварка в нижнем положении", "Охрана труда"), start=1
    ):
        f.CompetenceFactory(programme=programme, title=title, order=n)
    return f.DualTrainingPlaceFactory(
        programme=programme,
        employer=world.employer,
        starts_on=today - datetime.timedelta(days=60),
        ends_on=today + datetime.timedelta(days=200),
    )


@pytest.fixture
def placement(place):
    return f.PlacementFactory(place=place, status=S.ACTIVE)


def _competences(place) -> list:
    return list(place.programme.competences.order_by("order"))


def _url(placement) -> str:
    return reverse("employers:evaluation_create", args=[placement.uuid])


def _form(place, *, marks=(5, 4, 3), **extra) -> dict:
    data = {
        "evaluated_on": TODAY().isoformat(),
        "hours_worked": "64",
        "comment": "Аккуратно ведёт шов, нужно больше практики в потолочном положении.",
    }
    for competence, mark in zip(_competences(place), marks, strict=False):
        data[f"mark_{competence.pk}"] = str(mark)
    return {**data, **extra}


def test_employer_records_an_evaluation_with_a_mark_per_competence(
    client, place, placement, employer_rep
):
    client.force_login(employer_rep)

    response = client.post(_url(placement), _form(place))

    assert response.status_code == 302
    assert response["Location"] == reverse("employers:placement_detail", args=[placement.uuid])
    evaluation = Evaluation.objects.get(placement=placement)
    assert (evaluation.evaluated_on, evaluation.hours_worked, evaluation.by) == (
        TODAY(),
        64,
        employer_rep,
    )
    assert evaluation.comment.startswith("Аккуратно ведёт шов")
    marks = {m.competence.title: m.mark for m in evaluation.marks.select_related("competence")}
    assert marks == {
        "Чтение чертежей": 5,
        "Сварка в нижнем положении": 4,
        "Охрана труда": 3,
    }
    audit = AuditEntry.objects.get(student=placement.student, action=AuditEntry.Action.CREATE)
    assert audit.actor == employer_rep


def test_the_form_asks_a_mark_for_each_competence(client, place, placement, employer_rep):
    client.force_login(employer_rep)
    html = client.get(_url(placement)).content.decode()
    for competence in _competences(place):
        assert competence.title in html
        for mark in range(1, 6):
            assert f'name="mark_{competence.pk}" value="{mark}"' in html


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"marks": (5, 4)}, "mark", "Поставьте отметку от 1 до 5."),
        ({"marks": (5, 4, 6)}, "mark", "Отметка — от 1 до 5."),
        ({"marks": (5, 4, "хорошо")}, "mark", "Отметка — от 1 до 5."),
        ({"hours_worked": "745"}, "hours_worked", "Часы — целое число от 0 до 744."),
        ({"hours_worked": "-1"}, "hours_worked", "Часы — целое число от 0 до 744."),
        ({"hours_worked": "много"}, "hours_worked", "Часы — целое число."),
        ({"evaluated_on": "32.13.2026"}, "evaluated_on", "Введите дату в виде ДД.ММ.ГГГГ."),
        ({"evaluated_on": "tomorrow"}, "evaluated_on", "Дата оценки не может быть позже"),
        ({"evaluated_on": "before start"}, "evaluated_on", "в пределах срока обучения"),
        ({"comment": "x" * 2001}, "comment", "Комментарий слишком длинный"),
    ],
)
def test_wrong_input_is_explained_and_nothing_is_stored(
    client, place, placement, employer_rep, change, field, message
):
    dates = {
        "tomorrow": (TODAY() + datetime.timedelta(days=1)).isoformat(),
        "before start": (place.starts_on - datetime.timedelta(days=1)).isoformat(),
    }
    change = dict(change)
    marks = change.pop("marks", (5, 4, 3))
    if "evaluated_on" in change:
        change["evaluated_on"] = dates.get(change["evaluated_on"], change["evaluated_on"])
    client.force_login(employer_rep)

    response = client.post(_url(placement), _form(place, marks=marks, **change))

    assert response.status_code == 200
    errors = response.context["form"].errors
    keys = [k for k in errors if k.startswith(field)]
    assert keys, errors
    assert any(message in e for k in keys for e in errors[k]), errors
    assert message in response.content.decode()
    assert not Evaluation.objects.exists()


def test_a_second_evaluation_for_the_same_date_is_refused(client, place, placement, employer_rep):
    client.force_login(employer_rep)
    client.post(_url(placement), _form(place))
    response = client.post(_url(placement), _form(place, marks=(1, 1, 1)))
    assert "уже внесена" in response.content.decode()
    assert Evaluation.objects.count() == 1


# A proposal is sent back with a message; a declined or terminated placement is no longer
# the employer's to see at all.
@pytest.mark.parametrize(
    ("status", "answer"), [(S.PROPOSED, 302), (S.DECLINED, 404), (S.TERMINATED, 404)]
)
def test_a_placement_not_agreed_or_ended_is_not_evaluated(
    client, place, employer_rep, status, answer
):
    placement = f.PlacementFactory(place=place, status=status)
    client.force_login(employer_rep)
    response = client.post(_url(placement), _form(place))
    assert response.status_code == answer
    assert not Evaluation.objects.exists()
    with pytest.raises(ValidationError, match="Оценки вносятся после согласования"):
        services.evaluation_record(
            placement=placement,
            by=employer_rep,
            evaluated_on=TODAY(),
            hours_worked=8,
            marks={c.pk: 5 for c in _competences(place)},
        )


@pytest.mark.parametrize("status", [S.AGREED, S.CONTRACT_SIGNED, S.COMPLETED])
def test_an_agreed_signed_or_completed_placement_can_be_evaluated(place, employer_rep, status):
    placement = f.PlacementFactory(place=place, status=status)
    services.evaluation_record(
        placement=placement,
        by=employer_rep,
        evaluated_on=TODAY(),
        hours_worked=0,
        marks={c.pk: 5 for c in _competences(place)},
    )
    assert placement.evaluations.count() == 1


def test_without_competences_the_page_says_the_technikum_must_add_them(client, world, employer_rep):
    bare = f.DualTrainingPlaceFactory(
        programme=f.ProgrammeFactory(technikum=world.technikum, title="Повар, кондитер"),
        employer=world.employer,
        starts_on=TODAY() - datetime.timedelta(days=10),
        ends_on=TODAY() + datetime.timedelta(days=100),
    )
    placement = f.PlacementFactory(place=bare, status=S.ACTIVE)
    client.force_login(employer_rep)

    page = client.get(_url(placement)).content.decode()
    posted = client.post(_url(placement), {"evaluated_on": TODAY().isoformat(), "hours_worked": 8})
    detail = client.get(reverse("employers:placement_detail", args=[placement.uuid]))

    assert "Техникум должен добавить компетенции" in page
    assert 'data-testid="evaluation-form"' not in page
    assert posted.status_code == 200
    assert not Evaluation.objects.exists()
    assert 'data-testid="no-competences"' in detail.content.decode()
    assert 'data-testid="evaluation-add"' not in detail.content.decode()
    with pytest.raises(ValidationError, match="не указаны компетенции"):
        services.evaluation_record(
            placement=placement, by=employer_rep, evaluated_on=TODAY(), hours_worked=8, marks={}
        )


def test_the_service_wants_exactly_the_programmes_competences(place, placement, employer_rep):
    competences = _competences(place)
    foreign = f.CompetenceFactory()
    for marks in (
        {c.pk: 5 for c in competences[:2]},
        {**{c.pk: 5 for c in competences}, foreign.pk: 5},
        {**{c.pk: 5 for c in competences}, competences[0].pk: 0},
        {**{c.pk: 5 for c in competences}, competences[0].pk: True},
    ):
        with pytest.raises(ValidationError, match="по каждой компетенции"):
            services.evaluation_record(
                placement=placement,
                by=employer_rep,
                evaluated_on=TODAY(),
                hours_worked=8,
                marks=marks,
            )
    assert not EvaluationMark.objects.exists()


def test_only_the_employers_side_records_evaluations(
    client, place, placement, technikum_staff, coordinator, counsellor_a, world
):
    other_rep = f.UserFactory(username="other_rep")
    f.MembershipFactory(user=other_rep, organisation=world.other_employer, role="employer_rep")
    expected = {technikum_staff: 403, coordinator: 403, counsellor_a: 404, other_rep: 404}
    for user, status in expected.items():
        client.force_login(user)
        assert client.get(_url(placement)).status_code == status, user.username
        assert client.post(_url(placement), _form(place)).status_code == status, user.username
    with pytest.raises(PermissionDenied):
        services.evaluation_record(
            placement=placement,
            by=technikum_staff,
            evaluated_on=TODAY(),
            hours_worked=8,
            marks={c.pk: 5 for c in _competences(place)},
        )
    assert not Evaluation.objects.exists()


def _evaluate(placement, on: datetime.date, marks: tuple[int, ...], hours: int = 40):
    evaluation = f.EvaluationFactory(placement=placement, evaluated_on=on, hours_worked=hours)
    for competence, mark in zip(_competences(placement.place), marks, strict=True):
        evaluation.marks.create(competence=competence, mark=mark)
    return evaluation


def test_the_technikum_sees_the_evaluations_over_time_as_a_table_and_a_chart(
    client, place, placement, technikum_staff
):
    _evaluate(placement, TODAY() - datetime.timedelta(days=40), (3, 3, 4), hours=72)
    _evaluate(placement, TODAY() - datetime.timedelta(days=10), (4, 5, 5), hours=80)
    client.force_login(technikum_staff)

    response = client.get(reverse("employers:placement_detail", args=[placement.uuid]))

    html = response.content.decode()
    rows = response.context["page"].evaluations
    assert [r.marks for r in rows] == [[3, 3, 4], [4, 5, 5]]
    assert [r.average for r in rows] == [
        pytest.approx(10 / 3, abs=0.01),
        pytest.approx(14 / 3, abs=0.01),
    ]
    assert html.count('data-testid="evaluation-row"') == 2
    assert "3,33" in html
    assert "4,67" in html
    chart = json.loads(
        html.split('id="evaluations-chart-data" type="application/json">')[1].split("<")[0]
    )
    first = (TODAY() - datetime.timedelta(days=40)).strftime("%d.%m.%Y")
    assert chart["labels"][0] == first
    assert chart["averages"] == [3.33, 4.67]
    assert "js/evaluations_chart.js" in html
    assert "vendor/chart.js/chart.umd.min.js" in html
    # The technikum reads them; recording is the employer's.
    assert 'data-testid="evaluation-add"' not in html


def test_the_employer_gets_the_add_link(client, placement, employer_rep):
    client.force_login(employer_rep)
    html = client.get(reverse("employers:placement_detail", args=[placement.uuid])).content
    assert b'data-testid="evaluation-add"' in html


def test_evaluation_form_page_answers_get_head_and_post_only(client, placement, employer_rep):
    client.force_login(employer_rep)
    assert client.head(_url(placement)).status_code == 200
    assert client.put(_url(placement)).status_code == 405
