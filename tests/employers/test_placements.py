"""Placements: proposing a student, the lifecycle as each side may move it, seats, the
consent rules, the list and the placement's page."""

from __future__ import annotations

import datetime
from itertools import product
from unittest import mock

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from employers.models import DualTrainingPlace, Placement
from employers.services import placements as services
from resource_center.models import AuditEntry
from students.models import Consent
from tests import factories as f

pytestmark = pytest.mark.django_db

S = Placement.Status
STATUSES = list(S.values)
TODAY = timezone.localdate


# --- helpers of this file -----------------------------------------------------------------


@pytest.fixture
def place(world):
    """A published place of the technikum's programme at world.employer, running now."""
    today = TODAY()
    programme = f.ProgrammeFactory(technikum=world.technikum)
    return f.DualTrainingPlaceFactory(
        programme=programme,
        employer=world.employer,
        starts_on=today - datetime.timedelta(days=60),
        ends_on=today + datetime.timedelta(days=200),
        seats=3,
    )


def _student(place, *, adult: bool = False, consents=Placement.REQUIRED_CONSENT_SCOPES, **kw):
    """A current student of the place's programme; a minor unless adult, with the consents."""
    if adult:
        kw.setdefault("birth_date", TODAY() - datetime.timedelta(days=19 * 366))
    student = f.StudentFactory(
        organisation=place.programme.technikum, programme=place.programme, grade=2, **kw
    )
    if consents:
        guardian = f.GuardianFactory(student=student)
        for scope in consents:
            f.ConsentFactory(student=student, guardian=guardian, scope=scope)
    return student


def _placement(place, status: str, **kw) -> Placement:
    student = kw.pop("student", None) or _student(place)
    return f.PlacementFactory(place=place, student=student, status=status, **kw)


def _errors(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "error"]


def _transition_url(placement: Placement) -> str:
    return reverse("employers:placement_transition", args=[placement.uuid])


def _post_move(client, placement: Placement, to_status: str, **extra):
    data = {
        "to_status": to_status,
        "reason": "Студент переехал в другой город.",
        "contract_number": "УД-2026/17",
        "contract_date": TODAY().isoformat(),
        **extra,
    }
    return client.post(_transition_url(placement), data)


# --- the state machine --------------------------------------------------------------------

# Written out from the issue, not read from the model: the technikum proposes, signs the
# contract, starts and completes the training; the employer agrees or declines a proposal;
# either side ends an agreed, signed or running placement; a proposal is withdrawn by the
# technikum (the employer declines it instead).
ALLOWED = {
    ("proposed", "agreed"): {"employer_rep"},
    ("proposed", "declined"): {"employer_rep"},
    ("proposed", "terminated"): {"technikum_staff"},
    ("agreed", "contract_signed"): {"technikum_staff"},
    ("agreed", "terminated"): {"technikum_staff", "employer_rep"},
    ("contract_signed", "active"): {"technikum_staff"},
    ("contract_signed", "terminated"): {"technikum_staff", "employer_rep"},
    ("active", "completed"): {"technikum_staff"},
    ("active", "terminated"): {"technikum_staff", "employer_rep"},
}
# The statuses each side ever moves a placement to: another target is never theirs (403).
TARGETS = {
    "technikum_staff": {"contract_signed", "active", "completed", "terminated"},
    "employer_rep": {"agreed", "declined", "terminated"},
}
# The employer sees a placement from the proposal on, but not one declined or ended.
HIDDEN_FROM_EMPLOYER = {"declined", "terminated"}
PERSONAS = ["technikum_staff", "employer_rep", "coordinator", "counsellor_a"]
CASES = list(product(STATUSES, STATUSES, PERSONAS))


def _expected_refusal(current: str, target: str, persona: str) -> int:
    """The status code of a refused move: 404 where the placement is not visible, 403 for a
    move the other side owns or the user never makes, a redirect with a message for a move
    of the user's side that is impossible from the current status (a stale page)."""
    if persona == "counsellor_a":
        return 404
    if persona == "employer_rep" and current in HIDDEN_FROM_EMPLOYER:
        return 404
    if persona == "coordinator":
        return 403
    if (current, target) in ALLOWED:
        return 403
    return 302 if target in TARGETS[persona] else 403


def test_the_allowed_table_covers_the_model_and_nothing_else():
    allowed_pairs = {pair for pair, who in ALLOWED.items() if who}
    assert allowed_pairs == set(Placement.TRANSITIONS)


@pytest.mark.parametrize(("current", "target", "persona"), CASES)
def test_each_move_is_allowed_only_to_the_side_that_owns_it(
    request, client, place, current, target, persona
):
    user = request.getfixturevalue(persona)
    placement = _placement(place, current)
    f.PlacementTransitionFactory(placement=placement, to_status=current)
    client.force_login(user)

    response = _post_move(client, placement, target)

    placement.refresh_from_db()
    history = list(placement.history.values_list("from_status", "to_status"))
    if persona in ALLOWED.get((current, target), set()):
        assert response.status_code == 302
        assert _errors(response) == []
        assert placement.status == target
        assert history == [("", current), (current, target)]
    else:
        assert response.status_code == _expected_refusal(current, target, persona)
        if response.status_code == 302:
            assert _errors(response)
        assert placement.status == current
        assert history == [("", current)]


def test_service_refuses_a_side_that_does_not_own_the_move_with_permission_denied(place, world):
    placement = _placement(place, S.AGREED)
    user = f.UserFactory()
    with pytest.raises(PermissionDenied):
        services.placement_transition(
            placement=placement,
            to_status=S.CONTRACT_SIGNED,
            by=user,
            sides={"employer"},
            contract_number="1",
            contract_date=TODAY(),
        )
    with pytest.raises(PermissionDenied):
        services.placement_transition(
            placement=placement, to_status=S.TERMINATED, by=user, sides=set(), reason="x"
        )
    placement.refresh_from_db()
    assert placement.status == S.AGREED
    assert not placement.history.exists()


def test_a_stale_move_from_an_old_page_is_refused_with_a_message(client, place, employer_rep):
    placement = _placement(place, S.PROPOSED)
    client.force_login(employer_rep)
    assert _post_move(client, placement, S.AGREED).status_code == 302

    response = _post_move(client, placement, S.DECLINED)

    assert response.status_code == 302
    assert "Из статуса «Согласован работодателем»" in _errors(response)[0]
    placement.refresh_from_db()
    assert placement.status == S.AGREED
    assert placement.history.count() == 1


def test_a_tampered_status_is_refused_with_a_message(client, place, technikum_staff):
    placement = _placement(place, S.ACTIVE)
    client.force_login(technikum_staff)
    response = _post_move(client, placement, "hired")
    assert response.status_code == 302
    assert _errors(response) == ["Неизвестный статус направления."]
    placement.refresh_from_db()
    assert placement.status == S.ACTIVE


def test_transition_page_answers_only_post(client, place, technikum_staff):
    placement = _placement(place, S.ACTIVE)
    client.force_login(technikum_staff)
    assert client.get(_transition_url(placement)).status_code == 405


# --- reasons and contracts ----------------------------------------------------------------


def test_declining_without_a_reason_changes_nothing(client, place, employer_rep):
    placement = _placement(place, S.PROPOSED)
    client.force_login(employer_rep)
    response = _post_move(client, placement, S.DECLINED, reason="   ")
    assert _errors(response) == ["Укажите причину."]
    placement.refresh_from_db()
    assert placement.status == S.PROPOSED


def test_declining_keeps_the_reason_on_the_placement_and_in_the_history(
    client, place, employer_rep
):
    placement = _placement(place, S.PROPOSED)
    client.force_login(employer_rep)
    _post_move(client, placement, S.DECLINED, reason="Нет наставника в эту смену.")
    placement.refresh_from_db()
    assert placement.status == S.DECLINED
    assert placement.reason == "Нет наставника в эту смену."
    step = placement.history.get()
    assert (step.by, step.comment) == (employer_rep, "Нет наставника в эту смену.")


def test_signing_stores_the_contract_and_names_it_in_the_history(client, place, technikum_staff):
    placement = _placement(place, S.AGREED)
    day = place.starts_on - datetime.timedelta(days=10)
    client.force_login(technikum_staff)
    _post_move(
        client,
        placement,
        S.CONTRACT_SIGNED,
        contract_number="  УД-17  ",
        contract_date=f"{day:%d.%m.%Y}",
    )
    placement.refresh_from_db()
    assert placement.status == S.CONTRACT_SIGNED
    assert (placement.contract_number, placement.contract_date) == ("УД-17", day)
    assert placement.history.get().comment == f"Ученический договор № УД-17 от {day:%d.%m.%Y}"


@pytest.mark.parametrize(
    ("number", "date", "message"),
    [
        ("", "today", "Укажите номер ученического договора."),
        ("УД-1", "", "Укажите дату ученического договора."),
        ("УД-1", "31.02.2026", "Введите дату в виде ДД.ММ.ГГГГ."),
        ("УД-1", "tomorrow", "Дата договора не может быть позже сегодняшней."),
        ("УД-1", "too early", "Дата договора не может быть раньше"),
        ("x" * 51, "today", "Номер договора — не длиннее 50 знаков."),
    ],
)
def test_a_contract_needs_a_number_and_a_plausible_date(
    client, place, technikum_staff, number, date, message
):
    today = TODAY()
    dates = {
        "today": today.isoformat(),
        "tomorrow": (today + datetime.timedelta(days=1)).isoformat(),
        # Three months before the start are accepted, a day more is not.
        "too early": (place.starts_on - datetime.timedelta(days=93)).isoformat(),
    }
    placement = _placement(place, S.AGREED)
    client.force_login(technikum_staff)
    response = _post_move(
        client,
        placement,
        S.CONTRACT_SIGNED,
        contract_number=number,
        contract_date=dates.get(date, date),
    )
    assert any(e.startswith(message) for e in _errors(response)), _errors(response)
    placement.refresh_from_db()
    assert (placement.status, placement.contract_number) == (S.AGREED, "")


def test_a_contract_dated_after_the_training_ended_is_refused(place, technikum_staff):
    today = TODAY()
    place.starts_on = today - datetime.timedelta(days=300)
    place.ends_on = today - datetime.timedelta(days=30)
    place.save()
    placement = _placement(place, S.AGREED)
    with pytest.raises(ValidationError) as caught:
        services.placement_transition(
            placement=placement,
            to_status=S.CONTRACT_SIGNED,
            by=technikum_staff,
            sides={"technikum"},
            contract_number="УД-1",
            contract_date=today,
        )
    assert "позже окончания обучения" in caught.value.messages[0]


# --- seats --------------------------------------------------------------------------------


def test_agreeing_beyond_the_seats_is_refused(client, place, employer_rep):
    for _ in range(place.seats):
        _placement(place, S.ACTIVE)
    proposal = _placement(place, S.PROPOSED)
    client.force_login(employer_rep)

    response = _post_move(client, proposal, S.AGREED)

    assert _errors(response) == ["Свободных мест нет: все 3 мест(а) заняты."]
    proposal.refresh_from_db()
    assert proposal.status == S.PROPOSED


def test_a_seat_freed_by_an_ended_placement_can_be_agreed(client, place, employer_rep):
    held = [_placement(place, S.AGREED) for _ in range(place.seats)]
    _placement(place, S.COMPLETED)
    proposal = _placement(place, S.PROPOSED)
    client.force_login(employer_rep)
    _post_move(client, held[0], S.TERMINATED)
    _post_move(client, proposal, S.AGREED)
    proposal.refresh_from_db()
    assert proposal.status == S.AGREED
    assert place.placements.filter(status__in=Placement.SEAT_HOLDING).count() == place.seats


def test_moves_between_seat_holding_statuses_do_not_need_a_free_seat(
    client, place, technikum_staff
):
    for _ in range(place.seats - 1):
        _placement(place, S.ACTIVE)
    agreed = _placement(place, S.AGREED)
    client.force_login(technikum_staff)
    _post_move(client, agreed, S.CONTRACT_SIGNED)
    _post_move(client, agreed, S.ACTIVE)
    agreed.refresh_from_db()
    assert agreed.status == S.ACTIVE


@pytest.mark.parametrize(
    "status", [DualTrainingPlace.Status.CLOSED, DualTrainingPlace.Status.DRAFT]
)
def test_a_proposal_to_a_place_taken_off_publication_cannot_be_agreed(
    client, place, employer_rep, status
):
    proposal = _placement(place, S.PROPOSED)
    place.status = status
    place.save()
    client.force_login(employer_rep)
    response = _post_move(client, proposal, S.AGREED)
    assert _errors(response) == ["Место не опубликовано: направлять на него студентов нельзя."]
    proposal.refresh_from_db()
    assert proposal.status == S.PROPOSED


# --- proposing a student ------------------------------------------------------------------


def _create_url(place) -> str:
    return reverse("employers:placement_create", args=[place.uuid])


def test_technikum_proposes_a_student_and_the_history_starts(client, place, technikum_staff):
    student = _student(place, last_name="Зубарев")
    client.force_login(technikum_staff)

    response = client.post(_create_url(place), {"student": str(student.uuid)})

    placement = Placement.objects.get(student=student)
    assert response.status_code == 302
    assert response["Location"] == reverse("employers:placement_detail", args=[placement.uuid])
    assert (placement.place, placement.status) == (place, S.PROPOSED)
    step = placement.history.get()
    assert (step.from_status, step.to_status, step.by) == ("", S.PROPOSED, technikum_staff)
    audit = AuditEntry.objects.get(student=student)
    assert (audit.action, audit.actor) == (AuditEntry.Action.CREATE, technikum_staff)


def test_the_proposal_page_offers_the_programmes_students_and_says_who_cannot_go(
    client, place, technikum_staff, world
):
    ready = _student(place, last_name="Готовый")
    lacking = _student(place, last_name="Безсогласия", consents=[Consent.Scope.PROCESSING])
    adult = _student(place, last_name="Взрослый", adult=True, consents=())
    placed = _student(place, last_name="Направленный")
    _placement(place, S.PROPOSED, student=placed)
    other_programme = f.StudentFactory(
        organisation=world.technikum, programme=f.ProgrammeFactory(technikum=world.technikum)
    )
    last_year = _student(place, last_name="Прошлогодний")
    last_year.academic_year -= 1
    last_year.save()
    client.force_login(technikum_staff)

    response = client.get(_create_url(place))

    html = response.content.decode()
    assert response.status_code == 200
    options = {
        s.last_name: f'value="{s.uuid}"' in html
        for s in (ready, lacking, adult, placed, other_programme, last_year)
    }
    assert options == {
        "Готовый": True,
        "Безсогласия": True,
        "Взрослый": True,
        "Направленный": True,
        other_programme.last_name: False,
        "Прошлогодний": False,
    }
    disabled = response.context["form"].fields["student"].widget.blocked
    assert set(disabled) == {str(lacking.uuid), str(placed.uuid)}
    assert "нет согласия родителя" in disabled[str(lacking.uuid)]
    assert "«Передача работодателям»" in disabled[str(lacking.uuid)]
    assert "ученическом договоре" in html
    assert f'value="{lacking.uuid}" disabled' in html


def test_a_minor_without_the_transfer_consent_is_not_proposed(client, place, technikum_staff):
    student = _student(place, consents=[Consent.Scope.PROCESSING])
    client.force_login(technikum_staff)
    response = client.post(_create_url(place), {"student": str(student.uuid)})
    assert response.status_code == 200
    assert "несовершеннолетний" in response.content.decode()
    assert not Placement.objects.exists()


def test_a_withdrawn_consent_does_not_count(place, technikum_staff):
    student = _student(place)
    student.consents.filter(scope=Consent.Scope.TRANSFER_EMPLOYERS).update(
        withdrawn_at=timezone.now()
    )
    with pytest.raises(ValidationError, match="Передача работодателям"):
        services.placement_propose(place=place, student=student, by=technikum_staff)


def test_an_adult_student_is_proposed_without_a_guardians_consent(client, place, technikum_staff):
    student = _student(place, adult=True, consents=())
    client.force_login(technikum_staff)
    client.post(_create_url(place), {"student": str(student.uuid)})
    assert Placement.objects.get(student=student).status == S.PROPOSED


def test_a_student_of_another_programme_cannot_be_posted(client, place, technikum_staff, world):
    _student(place)
    stranger = f.StudentFactory(
        organisation=world.technikum, programme=f.ProgrammeFactory(technikum=world.technikum)
    )
    client.force_login(technikum_staff)
    response = client.post(_create_url(place), {"student": str(stranger.uuid)})
    assert "Выберите студента из списка." in response.content.decode()
    assert not Placement.objects.exists()


@pytest.mark.parametrize("value", ["", "not-a-uuid", "00000000-0000-0000-0000-000000000000"])
def test_a_bad_student_value_is_a_form_error(client, place, technikum_staff, value):
    client.force_login(technikum_staff)
    response = client.post(_create_url(place), {"student": value})
    assert response.status_code == 200
    assert response.context["form"].errors["student"]


def test_the_service_refuses_a_pupil_of_a_school(place, technikum_staff, pupil_a):
    with pytest.raises(ValidationError, match="не обучается"):
        services.placement_propose(place=place, student=pupil_a, by=technikum_staff)


def test_a_second_open_proposal_of_the_same_student_is_refused(client, place, technikum_staff):
    student = _student(place)
    client.force_login(technikum_staff)
    client.post(_create_url(place), {"student": str(student.uuid)})
    response = client.post(_create_url(place), {"student": str(student.uuid)})
    assert response.status_code == 200
    assert Placement.objects.filter(student=student).count() == 1


def test_the_database_constraint_backs_the_check_for_open_proposals(place, technikum_staff):
    student = _student(place)
    services.placement_propose(place=place, student=student, by=technikum_staff)
    # As if another request had proposed the student between the check and the insert.
    with (
        mock.patch.object(QuerySet, "exists", return_value=False),
        pytest.raises(ValidationError, match="направление на это место уже есть"),
    ):
        services.placement_propose(place=place, student=student, by=technikum_staff)
    assert Placement.objects.filter(student=student).count() == 1


def test_a_declined_student_may_be_proposed_again(place, technikum_staff):
    student = _student(place)
    _placement(place, S.DECLINED, student=student, reason="Нет наставника.")
    services.placement_propose(place=place, student=student, by=technikum_staff)
    assert Placement.objects.filter(student=student, status=S.PROPOSED).count() == 1


@pytest.mark.parametrize(
    "status", [DualTrainingPlace.Status.DRAFT, DualTrainingPlace.Status.CLOSED]
)
def test_nobody_is_proposed_to_an_unpublished_place(client, place, technikum_staff, status):
    place.status = status
    place.save()
    student = _student(place)
    client.force_login(technikum_staff)
    response = client.post(_create_url(place), {"student": str(student.uuid)})
    assert response.status_code == 200
    assert "Место не опубликовано" in response.content.decode()
    assert not Placement.objects.exists()


def test_nobody_is_proposed_to_a_place_whose_period_ended(place, technikum_staff):
    place.starts_on = TODAY() - datetime.timedelta(days=300)
    place.ends_on = TODAY() - datetime.timedelta(days=1)
    place.save()
    with pytest.raises(ValidationError, match="Срок обучения на этом месте закончился"):
        services.placement_propose(place=place, student=_student(place), by=technikum_staff)


def test_employer_and_coordinator_may_not_propose(client, place, employer_rep, coordinator):
    student = _student(place)
    for user in (employer_rep, coordinator):
        client.force_login(user)
        response = client.post(_create_url(place), {"student": str(student.uuid)})
        assert response.status_code == 403
    assert not Placement.objects.exists()


# --- consent withdrawal -------------------------------------------------------------------


@pytest.mark.parametrize("scope", [Consent.Scope.TRANSFER_EMPLOYERS, Consent.Scope.PROCESSING])
def test_withdrawing_a_minors_consent_ends_the_open_placements(place, technikum_staff, scope):
    student = _student(place)
    other_place = f.DualTrainingPlaceFactory(
        programme=place.programme,
        employer=place.employer,
        starts_on=place.starts_on,
        ends_on=place.ends_on,
    )
    running = _placement(place, S.ACTIVE, student=student)
    proposed = _placement(other_place, S.PROPOSED, student=student)
    done = f.PlacementFactory(
        place=f.DualTrainingPlaceFactory(programme=place.programme, employer=place.employer),
        student=student,
        status=S.COMPLETED,
    )

    ended = services.placements_end_for_withdrawn_consent(
        student=student, scopes=[scope], by=technikum_staff
    )

    assert ended == 2
    for placement in (running, proposed):
        placement.refresh_from_db()
        assert placement.status == S.TERMINATED
        assert placement.reason == "Отозвано согласие на передачу персональных данных работодателю"
        step = placement.history.get()
        assert (step.to_status, step.by) == (S.TERMINATED, technikum_staff)
    done.refresh_from_db()
    assert done.status == S.COMPLETED
    assert AuditEntry.objects.filter(student=student, action=AuditEntry.Action.UPDATE).count() == 2


def test_withdrawing_another_consent_or_an_adults_consent_ends_nothing(place, technikum_staff):
    minor = _student(place)
    adult = _student(place, adult=True)
    minors = _placement(place, S.ACTIVE, student=minor)
    adults = _placement(place, S.ACTIVE, student=adult)
    assert (
        services.placements_end_for_withdrawn_consent(
            student=minor, scopes=[Consent.Scope.TRANSFER_TECHNIKUM], by=technikum_staff
        )
        == 0
    )
    assert (
        services.placements_end_for_withdrawn_consent(
            student=adult, scopes=[Consent.Scope.TRANSFER_EMPLOYERS], by=technikum_staff
        )
        == 0
    )
    for placement in (minors, adults):
        placement.refresh_from_db()
        assert placement.status == S.ACTIVE


# --- the placement's page -----------------------------------------------------------------


def _detail_url(placement) -> str:
    return reverse("employers:placement_detail", args=[placement.uuid])


def test_the_page_shows_the_history_with_who_and_when(client, place, technikum_staff, employer_rep):
    student = _student(place, last_name="Мальцев")
    client.force_login(technikum_staff)
    client.post(_create_url(place), {"student": str(student.uuid)})
    placement = Placement.objects.get(student=student)
    client.force_login(employer_rep)
    _post_move(client, placement, S.AGREED)

    response = client.get(_detail_url(placement))

    html = response.content.decode()
    steps = response.context["page"].history
    assert [(s.from_status, s.to_status, s.by) for s in steps] == [
        ("", S.PROPOSED, technikum_staff),
        (S.PROPOSED, S.AGREED, employer_rep),
    ]
    assert html.count('data-testid="history-step"') == 2
    assert "Предложен техникумом → Согласован работодателем" in html
    assert technikum_staff.get_full_name() in html
    assert employer_rep.get_full_name() in html
    assert "Мальцев" in html


def test_each_side_sees_only_its_own_actions(client, place, technikum_staff, employer_rep):
    proposed = _placement(place, S.PROPOSED)
    agreed = _placement(place, S.AGREED)
    shown = {}
    for user in (technikum_staff, employer_rep):
        client.force_login(user)
        for placement in (proposed, agreed):
            html = client.get(_detail_url(placement)).content.decode()
            shown[(user.username, placement.status)] = {
                s for s in STATUSES if f'data-testid="move-{s}"' in html
            }
    assert shown == {
        ("technikum_staff", S.PROPOSED): {S.TERMINATED},
        ("technikum_staff", S.AGREED): {S.CONTRACT_SIGNED, S.TERMINATED},
        ("employer_rep", S.PROPOSED): {S.AGREED, S.DECLINED},
        ("employer_rep", S.AGREED): {S.TERMINATED},
    }


def test_the_coordinator_reads_the_page_without_actions(client, place, coordinator):
    placement = _placement(place, S.PROPOSED)
    client.force_login(coordinator)
    response = client.get(_detail_url(placement))
    assert response.status_code == 200
    assert response.context["moves"] == []
    assert 'data-testid="placement-actions"' not in response.content.decode()


def test_viewing_a_placement_is_written_to_the_audit_trail(client, place, employer_rep):
    placement = _placement(place, S.ACTIVE)
    client.force_login(employer_rep)
    client.get(_detail_url(placement))
    entry = AuditEntry.objects.get(student=placement.student)
    assert (entry.action, entry.actor) == (AuditEntry.Action.VIEW, employer_rep)


def test_the_employer_does_not_see_a_declined_placement(client, place, employer_rep):
    placement = _placement(place, S.DECLINED, reason="Нет мест.")
    client.force_login(employer_rep)
    assert client.get(_detail_url(placement)).status_code == 404


@pytest.mark.usefixtures("uncached")
def test_detail_queries_do_not_grow_with_history_and_evaluations(
    client, place, technikum_staff, django_assert_num_queries
):
    competences = [f.CompetenceFactory(programme=place.programme) for _ in range(4)]

    def filled(n: int) -> Placement:
        placement = _placement(place, S.ACTIVE)
        for _ in range(n):
            f.PlacementTransitionFactory(placement=placement, by=technikum_staff)
            evaluation = f.EvaluationFactory(placement=placement, by=technikum_staff)
            for competence in competences:
                evaluation.marks.create(competence=competence, mark=4)
        return placement

    small, large = filled(2), filled(20)
    client.force_login(technikum_staff)
    # session, user, memberships, guardian and pupil checks, the placement with its place,
    # programme, technikum, employer and student; audit row; history with authors;
    # competences; evaluations with authors and averages; their marks
    for placement in (small, large):
        with django_assert_num_queries(11):
            response = client.get(_detail_url(placement))
        assert response.status_code == 200


# --- the list -----------------------------------------------------------------------------


def _list(client, **params):
    return client.get(reverse("employers:placement_list"), params)


def test_the_list_shows_the_users_placements_with_filters(client, place, world, technikum_staff):
    other_programme = f.ProgrammeFactory(technikum=world.technikum)
    other_place = f.DualTrainingPlaceFactory(
        programme=other_programme, employer=world.other_employer
    )
    proposed = _placement(place, S.PROPOSED)
    active = _placement(place, S.ACTIVE)
    elsewhere = f.PlacementFactory(place=other_place, status=S.ACTIVE)
    foreign = f.PlacementFactory(status=S.ACTIVE)  # another technikum's
    client.force_login(technikum_staff)

    def shown(**params) -> set:
        return {p.pk for p in _list(client, **params).context["page"].object_list}

    assert shown() == {proposed.pk, active.pk, elsewhere.pk}
    assert foreign.pk not in shown()
    assert shown(status="active") == {active.pk, elsewhere.pk}
    assert shown(place=str(place.uuid)) == {proposed.pk, active.pk}
    assert shown(programme=other_programme.pk) == {elsewhere.pk}
    assert shown(status="active", place=str(place.uuid)) == {active.pk}


@pytest.mark.parametrize(
    "params",
    [
        {"status": "hired"},
        {"place": "not-a-uuid"},
        {"place": "00000000-0000-0000-0000-000000000000"},
        {"programme": "abc"},
        {"page": "-7"},
    ],
)
def test_wrong_filters_are_reported_and_left_out(client, place, technikum_staff, params):
    placement = _placement(place, S.ACTIVE)
    client.force_login(technikum_staff)
    response = _list(client, **params)
    assert response.status_code == 200
    assert [p.pk for p in response.context["page"].object_list] == [placement.pk]
    if "page" not in params:
        assert "указаны неверно" in response.content.decode()


def test_the_employer_lists_placements_under_way_and_done_only(client, place, employer_rep):
    shown_statuses = {S.PROPOSED, S.ACTIVE, S.COMPLETED}
    for status in (*shown_statuses, S.DECLINED, S.TERMINATED):
        _placement(place, status, reason="Причина.")
    client.force_login(employer_rep)
    listed = {p.status for p in _list(client).context["page"].object_list}
    assert listed == shown_statuses


def test_the_list_shows_the_latest_average_mark(client, place, technikum_staff):
    placement = _placement(place, S.ACTIVE)
    first, second = (f.CompetenceFactory(programme=place.programme) for _ in range(2))
    earlier = f.EvaluationFactory(
        placement=placement, evaluated_on=TODAY() - datetime.timedelta(days=30)
    )
    later = f.EvaluationFactory(placement=placement, evaluated_on=TODAY())
    for evaluation, marks in ((earlier, (2, 2)), (later, (4, 5))):
        for competence, mark in zip((first, second), marks, strict=True):
            evaluation.marks.create(competence=competence, mark=mark)
    client.force_login(technikum_staff)
    response = _list(client)
    row = response.context["page"].object_list[0]
    assert row.latest_average == pytest.approx(4.5)
    assert row.latest_on == TODAY()
    assert "4,5" in response.content.decode()


@pytest.mark.parametrize("persona", ["counsellor_a", "head_a", "centre_specialist", "pupil_a_user"])
def test_others_may_not_open_the_list(request, client, persona):
    client.force_login(request.getfixturevalue(persona))
    assert _list(client).status_code == 403


def test_list_queries_do_not_grow_with_the_placements(
    client, place, technikum_staff, django_assert_num_queries
):
    client.force_login(technikum_staff)
    _placement(place, S.ACTIVE)
    # session, user, memberships, guardian and pupil checks, count, the page of placements
    # (latest marks as subqueries), the place and programme choices of the filters
    with django_assert_num_queries(9):
        assert _list(client).status_code == 200
    for _ in range(30):
        placement = _placement(place, S.PROPOSED)
        f.EvaluationFactory(placement=placement).marks.create(
            competence=f.CompetenceFactory(programme=place.programme), mark=3
        )
        f.PlacementFactory(status=S.ACTIVE, place__employer=place.employer)
    with django_assert_num_queries(9):
        assert _list(client).status_code == 200
