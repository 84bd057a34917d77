"""The vacancy's way to the public catalogue: submitted by its publisher, approved or
returned with a comment by the coordinator; every move only by the role that owns it."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from employers.models import Vacancy
from employers.services import vacancies as services
from tests import factories as f

pytestmark = pytest.mark.django_db

Status = Vacancy.Status


def move(client, vacancy, to_status, **extra):
    return client.post(
        reverse("employers:vacancy_transition", args=[vacancy.uuid]),
        {"to_status": to_status, **extra},
    )


def texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def public_titles(client) -> list[str]:
    client.logout()
    response = client.get(reverse("employers:vacancy_list"))
    return [v.title for v in response.context["vacancies"]]


@pytest.fixture
def draft(world):
    return f.VacancyFactory(employer=world.employer, status=Status.DRAFT, title="Ученик повара")


@pytest.fixture
def on_moderation(world):
    return f.VacancyFactory(employer=world.employer, status=Status.MODERATION, title="Курьер")


# --- the whole way, as its people walk it ----------------------------------------------


def test_publisher_submits_and_coordinator_approves_into_the_public_catalogue(
    client, draft, employer_rep, coordinator
):
    client.force_login(employer_rep)
    response = move(client, draft, Status.MODERATION)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Status.MODERATION
    assert "Ученик повара" not in public_titles(client)

    client.force_login(coordinator)
    queue = client.get(reverse("employers:vacancy_manage"))
    assert "На модерации: 1" in queue.content.decode()
    assert [v.pk for v in queue.context["queue"]] == [draft.pk]
    move(client, draft, Status.PUBLISHED)

    draft.refresh_from_db()
    assert draft.status == Status.PUBLISHED
    assert draft.published_at is not None
    assert "Ученик повара" in public_titles(client)


def test_coordinator_returns_with_a_comment_that_the_publisher_reads(
    client, on_moderation, employer_rep, coordinator
):
    client.force_login(coordinator)
    response = move(client, on_moderation, Status.DRAFT, comment="  Уточните график работы.  ")
    assert any("возвращена на доработку" in t for t in texts(response))
    on_moderation.refresh_from_db()
    assert on_moderation.status == Status.DRAFT
    assert on_moderation.moderation_comment == "Уточните график работы."

    client.force_login(employer_rep)
    page = client.get(reverse("employers:vacancy_detail", args=[on_moderation.uuid]))
    assert "Уточните график работы." in page.content.decode()
    form = client.get(reverse("employers:vacancy_update", args=[on_moderation.uuid]))
    assert "Уточните график работы." in form.content.decode()


def test_moderation_comment_is_never_shown_to_the_public(client, world):
    vacancy = f.VacancyFactory(employer=world.employer, moderation_comment="Секретное замечание")
    page = client.get(reverse("employers:vacancy_detail", args=[vacancy.uuid]))
    assert page.status_code == 200
    assert "Секретное замечание" not in page.content.decode()


def test_approval_clears_the_old_comment(client, on_moderation, coordinator):
    on_moderation.moderation_comment = "Исправьте зарплату."
    on_moderation.save()
    client.force_login(coordinator)
    move(client, on_moderation, Status.PUBLISHED)
    on_moderation.refresh_from_db()
    assert on_moderation.moderation_comment == ""


def test_return_without_a_comment_is_refused_and_changes_nothing(
    client, on_moderation, coordinator
):
    client.force_login(coordinator)
    response = move(client, on_moderation, Status.DRAFT, comment="   ")
    assert response.status_code == 302
    assert response["Location"] == reverse("employers:vacancy_detail", args=[on_moderation.uuid])
    assert any("что нужно исправить" in t for t in texts(response))
    on_moderation.refresh_from_db()
    assert on_moderation.status == Status.MODERATION


def test_publisher_closes_a_published_vacancy_and_reopens_it_as_a_draft(
    client, world, employer_rep
):
    vacancy = f.VacancyFactory(employer=world.employer)
    client.force_login(employer_rep)
    move(client, vacancy, Status.CLOSED)
    vacancy.refresh_from_db()
    assert vacancy.status == Status.CLOSED
    move(client, vacancy, Status.DRAFT)
    vacancy.refresh_from_db()
    assert vacancy.status == Status.DRAFT


def test_approving_from_the_queue_returns_to_the_queue(client, on_moderation, coordinator):
    client.force_login(coordinator)
    back = reverse("employers:vacancy_manage") + "?status=moderation"
    response = move(client, on_moderation, Status.PUBLISHED, next=back)
    assert response["Location"] == back


def test_a_foreign_next_address_is_ignored(client, on_moderation, coordinator):
    client.force_login(coordinator)
    response = move(client, on_moderation, Status.PUBLISHED, next="https://evil.example/")
    assert response["Location"] == reverse("employers:vacancy_detail", args=[on_moderation.uuid])


@pytest.mark.parametrize("target", ["-1", "home", "employers:vacancy_list", "abc"])
def test_a_next_that_is_not_a_path_is_ignored(client, on_moderation, coordinator, target):
    client.force_login(coordinator)
    response = move(client, on_moderation, Status.PUBLISHED, next=target)
    assert response["Location"] == reverse("employers:vacancy_detail", args=[on_moderation.uuid])
    on_moderation.refresh_from_db()
    assert on_moderation.status == Status.PUBLISHED


# --- refusals: the wrong role, the wrong move, the wrong moment ------------------------


@pytest.mark.parametrize("who", ["employer_rep", "centre_specialist"])
def test_a_publisher_cannot_approve_its_own_vacancy(request, client, on_moderation, who):
    client.force_login(request.getfixturevalue(who))
    response = move(client, on_moderation, Status.PUBLISHED)
    assert response.status_code == 403
    on_moderation.refresh_from_db()
    assert on_moderation.status == Status.MODERATION
    assert on_moderation.published_at is None


def test_a_publisher_cannot_return_a_vacancy_in_the_moderators_name(
    client, on_moderation, employer_rep
):
    client.force_login(employer_rep)
    response = move(client, on_moderation, Status.DRAFT, comment="сам себе")
    assert response.status_code == 403
    on_moderation.refresh_from_db()
    assert on_moderation.status == Status.MODERATION


def test_a_counsellor_gets_403_on_a_published_vacancy_and_404_on_a_draft(
    client, world, counsellor_a, draft
):
    published = f.VacancyFactory(employer=world.employer)
    client.force_login(counsellor_a)
    assert move(client, published, Status.CLOSED).status_code == 403
    assert move(client, draft, Status.MODERATION).status_code == 404
    published.refresh_from_db()
    draft.refresh_from_db()
    assert (published.status, draft.status) == (Status.PUBLISHED, Status.DRAFT)


def test_another_employers_representative_cannot_see_or_move_a_draft(client, world, draft):
    other = f.UserFactory(username="other_rep")
    f.MembershipFactory(user=other, organisation=world.other_employer, role="employer_rep")
    client.force_login(other)
    assert move(client, draft, Status.MODERATION).status_code == 404
    assert client.get(reverse("employers:vacancy_detail", args=[draft.uuid])).status_code == 404
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_a_coordinator_of_another_district_gets_404(client, world, on_moderation):
    far_centre = f.OrganisationFactory(
        district=world.other_district_school.district, kind="resource_centre"
    )
    far = f.UserFactory(username="far_coordinator")
    f.MembershipFactory(user=far, organisation=far_centre, role="coordinator")
    client.force_login(far)
    assert move(client, on_moderation, Status.PUBLISHED).status_code == 404
    on_moderation.refresh_from_db()
    assert on_moderation.status == Status.MODERATION


def test_skipping_moderation_is_refused_with_a_message(client, draft, coordinator):
    client.force_login(coordinator)
    response = move(client, draft, Status.PUBLISHED)
    assert response.status_code == 302
    assert any("нельзя перевести" in t for t in texts(response))
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_approving_twice_says_it_is_already_published(client, on_moderation, coordinator):
    client.force_login(coordinator)
    move(client, on_moderation, Status.PUBLISHED)
    on_moderation.refresh_from_db()
    first = on_moderation.published_at
    response = move(client, on_moderation, Status.PUBLISHED)
    assert any("уже в статусе" in t for t in texts(response))
    on_moderation.refresh_from_db()
    assert on_moderation.published_at == first


@pytest.mark.parametrize("data", [{}, {"to_status": "archived"}, {"to_status": "x" * 5000}])
def test_a_tampered_or_empty_post_is_refused_with_a_message(client, draft, employer_rep, data):
    client.force_login(employer_rep)
    response = client.post(reverse("employers:vacancy_transition", args=[draft.uuid]), data)
    assert response.status_code == 302
    assert texts(response)
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_a_vacancy_past_its_date_cannot_be_published(client, world, coordinator):
    vacancy = f.VacancyFactory(
        employer=world.employer,
        status=Status.MODERATION,
        valid_until=timezone.localdate() - datetime.timedelta(days=1),
    )
    client.force_login(coordinator)
    response = move(client, vacancy, Status.PUBLISHED)
    assert any("Срок действия вакансии истёк" in t for t in texts(response))
    vacancy.refresh_from_db()
    assert vacancy.status == Status.MODERATION


def test_a_vacancy_past_its_date_cannot_be_submitted(client, world, employer_rep):
    vacancy = f.VacancyFactory(
        employer=world.employer,
        status=Status.DRAFT,
        valid_until=timezone.localdate() - datetime.timedelta(days=3),
    )
    client.force_login(employer_rep)
    move(client, vacancy, Status.MODERATION)
    vacancy.refresh_from_db()
    assert vacancy.status == Status.DRAFT


def test_transition_service_checks_the_role_against_the_table(world, employer_rep):
    vacancy = f.VacancyFactory(employer=world.employer, status=Status.MODERATION)
    with pytest.raises(PermissionDenied):
        services.vacancy_transition(
            vacancy=vacancy, to_status=Status.PUBLISHED, by=employer_rep, roles={"publisher"}
        )
    with pytest.raises(ValidationError) as exc:
        services.vacancy_transition(
            vacancy=vacancy, to_status="archived", by=employer_rep, roles={"moderator"}
        )
    assert exc.value.code == "unknown_status"


@pytest.mark.parametrize(("frm", "to"), sorted(Vacancy.TRANSITIONS))
def test_every_move_in_the_table_is_made_by_its_owner_only(world, coordinator, frm, to):
    owner = Vacancy.TRANSITIONS[(frm, to)]
    other = {"publisher": "moderator", "moderator": "publisher"}[owner]
    vacancy = f.VacancyFactory(employer=world.employer, status=frm)
    with pytest.raises(PermissionDenied):
        services.vacancy_transition(
            vacancy=vacancy, to_status=to, by=coordinator, roles={other}, comment="x"
        )
    moved = services.vacancy_transition(
        vacancy=vacancy, to_status=to, by=coordinator, roles={owner}, comment="Замечание"
    )
    vacancy.refresh_from_db()
    assert vacancy.status == moved.status == to


MOVES_NOT_IN_TABLE = [
    (frm, to)
    for frm in Status.values
    for to in Status.values
    if frm != to and (frm, to) not in Vacancy.TRANSITIONS
]


@pytest.mark.parametrize(("frm", "to"), MOVES_NOT_IN_TABLE)
def test_every_move_outside_the_table_is_refused_even_for_both_roles(world, coordinator, frm, to):
    vacancy = f.VacancyFactory(employer=world.employer, status=frm)
    with pytest.raises(ValidationError) as exc:
        services.vacancy_transition(
            vacancy=vacancy,
            to_status=to,
            by=coordinator,
            roles={"publisher", "moderator"},
            comment="x",
        )
    assert exc.value.code == "forbidden_move"
    vacancy.refresh_from_db()
    assert vacancy.status == frm


# --- editing sends a published vacancy back to moderation -------------------------------


def edit(client, vacancy, **values):
    data = {
        "employer": vacancy.employer_id,
        "title": vacancy.title,
        "salary_from": vacancy.salary_from or "",
        "salary_to": vacancy.salary_to or "",
        **values,
    }
    return client.post(reverse("employers:vacancy_update", args=[vacancy.uuid]), data)


def test_editing_a_published_vacancy_sends_it_back_to_moderation(client, world, employer_rep):
    vacancy = f.VacancyFactory(employer=world.employer, title="Кладовщик")
    client.force_login(employer_rep)
    form = client.get(reverse("employers:vacancy_update", args=[vacancy.uuid]))
    assert "снова уйдёт на модерацию" in form.content.decode()

    response = edit(client, vacancy, title="Кладовщик-комплектовщик", action="save")
    assert response.status_code == 302
    vacancy.refresh_from_db()
    assert (vacancy.title, vacancy.status) == ("Кладовщик-комплектовщик", Status.MODERATION)
    assert "Кладовщик-комплектовщик" not in public_titles(client)


def test_editing_a_vacancy_on_moderation_keeps_it_there(client, on_moderation, employer_rep):
    client.force_login(employer_rep)
    edit(client, on_moderation, title="Курьер на велосипеде")
    on_moderation.refresh_from_db()
    assert (on_moderation.title, on_moderation.status) == ("Курьер на велосипеде", "moderation")


def test_editing_a_draft_can_submit_it_at_once(client, draft, employer_rep):
    client.force_login(employer_rep)
    edit(client, draft, action="submit")
    draft.refresh_from_db()
    assert draft.status == Status.MODERATION


def test_a_counsellor_cannot_edit_a_published_vacancy(client, world, counsellor_a):
    vacancy = f.VacancyFactory(employer=world.employer, title="Кладовщик")
    client.force_login(counsellor_a)
    assert edit(client, vacancy, title="Взломано").status_code == 403
    vacancy.refresh_from_db()
    assert vacancy.title == "Кладовщик"


def test_closing_dates_the_vacancy_and_reopening_clears_the_date(world, employer_rep):
    vacancy = f.VacancyFactory(employer=world.employer, status=Vacancy.Status.PUBLISHED)
    services.vacancy_transition(
        vacancy=vacancy, to_status=Vacancy.Status.CLOSED, by=employer_rep, roles={"publisher"}
    )
    vacancy.refresh_from_db()
    assert vacancy.closed_at is not None
    assert abs(timezone.now() - vacancy.closed_at) < datetime.timedelta(minutes=1)
    services.vacancy_transition(
        vacancy=vacancy, to_status=Vacancy.Status.DRAFT, by=employer_rep, roles={"publisher"}
    )
    vacancy.refresh_from_db()
    assert vacancy.closed_at is None
