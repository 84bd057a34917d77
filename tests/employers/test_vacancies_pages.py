"""Publishers' pages: adding and editing a vacancy, the list of their vacancies with the
coordinator's moderation queue, a vacancy's page for its managers, the home panels."""

from __future__ import annotations

import pytest
from django.urls import reverse

from employers.models import Vacancy
from tests import factories as f

pytestmark = pytest.mark.django_db

Status = Vacancy.Status
CREATE = reverse("employers:vacancy_create")
MANAGE = reverse("employers:vacancy_manage")


def filled(employer, **values) -> dict:
    return {
        "employer": employer.pk,
        "title": "Оператор станков с ЧПУ",
        "salary_from": "45000",
        "salary_to": "60000",
        "schedule": "shift",
        "employment_type": "full",
        "for_graduates": "on",
        "requirements": "Среднее профессиональное образование",
        **values,
    }


# --- adding a vacancy -------------------------------------------------------------------


def test_employer_rep_gets_its_own_employer_preselected(client, world, employer_rep):
    client.force_login(employer_rep)
    form = client.get(CREATE).context["form"]
    assert list(form.fields["employer"].queryset) == [world.employer]
    assert form.fields["employer"].initial == world.employer.pk


def test_employment_centre_picks_any_employer_of_its_district(client, world, centre_specialist):
    far = f.EmployerFactory(district=world.other_district_school.district)
    client.force_login(centre_specialist)
    choices = set(client.get(CREATE).context["form"].fields["employer"].queryset)
    assert {world.employer, world.other_employer} <= choices
    assert far not in choices


def test_saving_a_draft_keeps_it_out_of_the_catalogue(client, world, employer_rep):
    client.force_login(employer_rep)
    response = client.post(CREATE, filled(world.employer, action="save"))
    vacancy = Vacancy.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("employers:vacancy_detail", args=[vacancy.uuid])
    assert (vacancy.status, vacancy.source) == (Status.DRAFT, Vacancy.Source.MANUAL)
    assert (vacancy.salary_from, vacancy.salary_to, vacancy.for_graduates) == (45000, 60000, True)
    assert vacancy.published_at is None


def test_saving_and_submitting_puts_it_on_moderation(client, world, centre_specialist):
    client.force_login(centre_specialist)
    client.post(CREATE, filled(world.other_employer, action="submit"))
    vacancy = Vacancy.objects.get()
    assert (vacancy.employer, vacancy.status) == (world.other_employer, Status.MODERATION)


def test_invalid_vacancy_is_shown_again_with_messages_and_nothing_saved(
    client, world, employer_rep
):
    client.force_login(employer_rep)
    response = client.post(
        CREATE, filled(world.employer, salary_from="70000", for_minors="on", min_age="19")
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "не может быть меньше" in html
    assert "несовершеннолетним 14–17 лет" in html
    assert not Vacancy.objects.exists()


def test_employer_rep_cannot_post_for_another_employer(client, world, employer_rep):
    client.force_login(employer_rep)
    response = client.post(CREATE, filled(world.other_employer))
    assert response.status_code == 200
    assert not Vacancy.objects.exists()


def test_a_counsellor_may_not_add_vacancies(client, world, counsellor_a):
    client.force_login(counsellor_a)
    assert client.post(CREATE, filled(world.employer)).status_code == 403
    assert not Vacancy.objects.exists()


# --- a vacancy's page for its managers ---------------------------------------------------


def test_publisher_sees_a_draft_with_its_edit_and_submit_buttons(client, world, employer_rep):
    vacancy = f.VacancyFactory(employer=world.employer, status=Status.DRAFT)
    client.force_login(employer_rep)
    response = client.get(reverse("employers:vacancy_detail", args=[vacancy.uuid]))
    assert response.status_code == 200
    assert [a.to_status for a in response.context["actions"]] == [Status.MODERATION]
    assert "Изменить" in response.content.decode()


def test_coordinator_sees_approve_and_return_on_a_vacancy_on_moderation(client, world, coordinator):
    vacancy = f.VacancyFactory(employer=world.employer, status=Status.MODERATION)
    client.force_login(coordinator)
    response = client.get(reverse("employers:vacancy_detail", args=[vacancy.uuid]))
    actions = {a.to_status: a for a in response.context["actions"]}
    assert set(actions) == {Status.PUBLISHED, Status.DRAFT}
    assert actions[Status.DRAFT].needs_comment


def test_employer_rep_sees_no_moderation_buttons(client, world, employer_rep):
    vacancy = f.VacancyFactory(employer=world.employer, status=Status.MODERATION)
    client.force_login(employer_rep)
    response = client.get(reverse("employers:vacancy_detail", args=[vacancy.uuid]))
    assert response.context["actions"] == []
    assert "Одобрить" not in response.content.decode()


def test_a_published_vacancy_of_another_employer_is_read_only(client, world, employer_rep):
    vacancy = f.VacancyFactory(employer=world.other_employer)
    client.force_login(employer_rep)
    response = client.get(reverse("employers:vacancy_detail", args=[vacancy.uuid]))
    assert response.status_code == 200
    assert response.context["actions"] == []
    update = reverse("employers:vacancy_update", args=[vacancy.uuid])
    assert client.get(update).status_code == 403


def test_bad_uuid_in_the_address_is_404(client):
    response = client.get("/employers/vacancies/not-a-uuid/")
    assert response.status_code == 404


# --- the publisher's list and the moderation queue --------------------------------------


def test_publisher_sees_its_vacancies_in_every_state_and_no_one_elses(client, world, employer_rep):
    for status in Status.values:
        f.VacancyFactory(employer=world.employer, status=status, title=f"Своя {status}")
    f.VacancyFactory(employer=world.other_employer, title="Чужая")
    client.force_login(employer_rep)
    response = client.get(MANAGE)
    shown = sorted(v.title for v in response.context["page"].object_list)
    assert shown == sorted(f"Своя {s}" for s in Status.values)
    assert not response.context["moderates"]
    assert 'data-testid="moderation-queue"' not in response.content.decode()


def test_publisher_filters_by_status_and_employer(client, world, centre_specialist):
    f.VacancyFactory(employer=world.employer, status=Status.DRAFT, title="Черновик Нытвы")
    f.VacancyFactory(employer=world.employer, title="Опубликована Нытвы")
    f.VacancyFactory(employer=world.other_employer, status=Status.DRAFT, title="Черновик другого")
    client.force_login(centre_specialist)

    def shown(**params) -> list[str]:
        page = client.get(MANAGE, params).context["page"]
        return sorted(v.title for v in page.object_list)

    assert shown(status="draft") == sorted(["Черновик другого", "Черновик Нытвы"])
    assert shown(status="draft", employer=world.employer.pk) == ["Черновик Нытвы"]
    response = client.get(MANAGE, {"employer": world.employer.pk})
    assert reverse("employers:employer_profile", args=[world.employer.pk]) in (
        response.content.decode()
    )


@pytest.mark.parametrize(
    "params",
    [
        {"status": "lost"},
        {"employer": "abc"},
        {"employer": "99999"},
        {"employer": "9" * 30},
        {"page": "x"},
    ],
)
def test_bad_filter_values_are_dropped_with_a_notice(client, world, employer_rep, params):
    f.VacancyFactory(employer=world.employer)
    client.force_login(employer_rep)
    response = client.get(MANAGE, params)
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 1
    if "page" not in params:
        assert "указаны неверно" in response.content.decode()


def test_coordinator_sees_the_queue_of_the_district_first(client, world, coordinator):
    waiting = f.VacancyFactory.create_batch(
        3, employer=world.other_employer, status=Status.MODERATION
    )
    far = f.EmployerFactory(district=world.other_district_school.district)
    f.VacancyFactory(employer=far, status=Status.MODERATION)
    f.VacancyFactory(employer=world.employer, status=Status.DRAFT)
    client.force_login(coordinator)
    response = client.get(MANAGE)
    html = response.content.decode()
    assert "На модерации: 3" in html
    assert html.index("На модерации: 3") < html.index('data-testid="vacancy-manage-filter"')
    assert {v.pk for v in response.context["queue"]} == {v.pk for v in waiting}
    assert html.count('data-testid="approve"') == 3
    assert html.count('data-testid="return"') == 3


@pytest.mark.parametrize("n", [2, 30])
def test_manage_page_queries_do_not_grow(client, world, coordinator, n, django_assert_num_queries):
    for i in range(n):
        f.VacancyFactory(
            employer=world.employer if i % 2 else world.other_employer,
            status=Status.MODERATION if i % 3 else Status.DRAFT,
            profession=f.ProfessionFactory(),
        )
    client.force_login(coordinator)
    # session, user, memberships, guardian?, pupil?; the chosen employer; the count, counts
    # by status; the queue's count and its rows; employers for the filter; the page of rows
    with django_assert_num_queries(12):
        client.get(MANAGE, {"employer": world.employer.pk})


# --- home panels ------------------------------------------------------------------------


def test_employer_rep_home_links_to_its_vacancies_and_profile(client, world, employer_rep):
    f.VacancyFactory(employer=world.employer, status=Status.MODERATION)
    client.force_login(employer_rep)
    html = client.get(reverse("home")).content.decode()
    assert MANAGE in html
    assert CREATE in html
    assert reverse("employers:employer_profile", args=[world.employer.pk]) in html
    assert "на модерации: 1" in html


def test_employment_centre_home_links_to_publishing(client, centre_specialist):
    client.force_login(centre_specialist)
    html = client.get(reverse("home")).content.decode()
    assert MANAGE in html
    assert CREATE in html


def test_coordinator_home_links_to_the_moderation_queue(client, coordinator):
    client.force_login(coordinator)
    html = client.get(reverse("home")).content.decode()
    assert "Вакансии на модерации" in html
    assert MANAGE in html


def test_district_administration_home_has_no_moderation_link(client, district_admin):
    client.force_login(district_admin)
    html = client.get(reverse("home")).content.decode()
    assert "Вакансии на модерации" not in html
