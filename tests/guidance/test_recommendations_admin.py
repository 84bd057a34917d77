"""The coordinator's editable data behind recommendations: professions, programmes' and
vacancies' tags in the admin."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from guidance.models import Profession
from tests import factories as f

# These tests build their own professions, groups and rules.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_mapping_defaults")]


@pytest.fixture
def admin_coordinator(client, coordinator):
    coordinator.user_permissions.add(
        *Permission.objects.filter(content_type__app_label__in=("guidance", "schools", "employers"))
    )
    client.force_login(coordinator)
    return coordinator


@pytest.fixture
def scales():
    questionnaire = f.QuestionnaireFactory(code="mini-ddo", short_title="ДДО")
    return {
        code: f.ScaleFactory(questionnaire=questionnaire, code=code, name=name)
        for code, name in (("Т", "человек — техника"), ("П", "человек — природа"))
    }


def test_coordinator_adds_a_profession_with_types_and_programmes(
    client, admin_coordinator, world, scales
):
    welder = f.ProgrammeFactory(technikum=world.technikum)
    response = client.post(
        reverse("admin:guidance_profession_add"),
        {
            "title": "Сварщик",
            "okz_code": "7212",
            "description": "",
            "interest_types": [scales["Т"].pk],
            "programmes": [welder.pk],
        },
    )

    assert response.status_code == 302
    profession = Profession.objects.get(title="Сварщик")
    assert list(profession.interest_types.all()) == [scales["Т"]]
    assert list(profession.programmes.all()) == [welder]


def test_form_offers_only_own_district_programmes_and_keeps_other_districts_links(
    client, admin_coordinator, world, scales
):
    own = f.ProgrammeFactory(technikum=world.technikum, title="Своя программа")
    far_technikum = f.TechnikumFactory(district=world.other_district_school.district)
    far = f.ProgrammeFactory(technikum=far_technikum, title="Программа другого района")
    profession = f.ProfessionFactory(title="Сварщик")
    profession.programmes.add(far)
    url = reverse("admin:guidance_profession_change", args=[profession.pk])

    form = client.get(url).content.decode()
    response = client.post(
        url,
        {
            "title": "Сварщик",
            "okz_code": "",
            "description": "",
            "interest_types": [scales["П"].pk],
            "programmes": [own.pk],
        },
    )

    assert "Своя программа" in form
    assert "Программа другого района" not in form
    assert response.status_code == 302
    assert set(profession.programmes.all()) == {own, far}


def test_profession_list_is_searchable_and_its_queries_do_not_grow(
    client, admin_coordinator, scales
):
    url = reverse("admin:guidance_profession_changelist")

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    for _ in range(2):
        f.ProfessionFactory().interest_types.add(scales["Т"], scales["П"])
    few = queries()
    for _ in range(10):
        f.ProfessionFactory().interest_types.add(scales["Т"])
    assert queries() == few
    f.ProfessionFactory(title="Электромонтёр", okz_code="7411")
    found = client.get(url, {"q": "7411"}).content.decode()
    assert "Электромонтёр" in found


def test_programme_and_vacancy_forms_edit_their_tags(client, admin_coordinator, world, scales):
    programme = f.ProgrammeFactory(technikum=world.technikum)
    vacancy = f.VacancyFactory(employer=world.employer)

    programme_form = client.get(reverse("admin:schools_programme_change", args=[programme.pk]))
    vacancy_form = client.get(reverse("admin:employers_vacancy_change", args=[vacancy.pk]))

    assert 'name="interest_types"' in programme_form.content.decode()
    assert "ДДО: человек — техника" in programme_form.content.decode()
    assert 'name="profession"' in vacancy_form.content.decode()
