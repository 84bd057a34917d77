"""The recommendations section of the student page, as the counsellor, parent and pupil see it."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests import factories as f

pytestmark = pytest.mark.django_db


def page(client, user, student) -> str:
    client.force_login(user)
    response = client.get(reverse("students:student_detail", args=[student.uuid]))
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def consented_pupil(pupil_a):
    f.ConsentFactory(student=pupil_a, guardian__first_name="Ольга")
    pupil_a.path_after_9 = "technikum"
    pupil_a.save()
    return pupil_a


@pytest.fixture
def offers(world):
    """A programme in demand, a dual place with free seats, a teenager's job and two events."""
    welder = f.ProgrammeFactory(technikum=world.technikum, title="Сварщик", okso_code="15.01.05")
    profession = f.ProfessionFactory(title="Электрогазосварщик")
    profession.programmes.add(welder)
    f.VacancyFactory(employer=world.employer, profession=profession, title="Электрогазосварщик")
    f.VacancyFactory(employer=world.employer, title="Трудовой отряд", for_minors=True, min_age=14)
    f.DualTrainingPlaceFactory(
        programme=welder, employer=world.employer, workplace="Участок сварки", seats=4
    )
    starts = timezone.now() + datetime.timedelta(days=5)
    public = f.EventFactory(
        title="Профпроба «Сварщик»", organiser=world.technikum, starts_at=starts
    )
    closed = f.EventFactory(
        title="Классный час «Профессии района»",
        organiser=world.school_a,
        is_public=False,
        starts_at=starts,
    )
    return {"programme": welder, "public": public, "closed": closed}


def test_counsellor_sees_each_kind_ranked_with_its_reasons(
    client, counsellor_a, consented_pupil, offers
):
    html = page(client, counsellor_a, consented_pupil)

    for kind in ("programmes", "places", "vacancies", "events"):
        assert f'data-testid="recommendations-{kind}"' in html
    assert "15.01.05 Сварщик" in html
    assert "Вы планируете учиться в техникуме" in html
    # No labour-market summary yet: the published vacancies are counted, and it is said.
    assert "Работодатели района ищут таких специалистов, вакансий: 1 (опубликованных" in html
    assert "Свободных мест: 4" in html
    assert "Трудовой отряд" in html
    assert "Электрогазосварщик</a>" not in html  # an adult's job, the pupil is 15
    assert "Пройдите анкету, чтобы рекомендации учитывали интересы." in html
    assert f'href="/programmes/#programme-{offers["programme"].pk}"' in html
    assert f'href="/guidance/events/{offers["closed"].uuid}/"' in html


def test_parent_sees_a_closed_event_without_a_link_they_could_not_open(
    client, parent_of_pupil_a, consented_pupil, offers
):
    html = page(client, parent_of_pupil_a, consented_pupil)

    assert "Классный час «Профессии района»" in html
    assert f'href="/guidance/events/{offers["closed"].uuid}/"' not in html
    assert f'href="/guidance/events/{offers["public"].uuid}/"' in html


def test_pupil_sees_own_recommendations(client, pupil_a_user, consented_pupil, offers):
    html = page(client, pupil_a_user, consented_pupil)
    assert 'data-testid="recommendations"' in html
    assert "Профпроба «Сварщик»" in html


def test_without_consent_the_page_has_no_recommendations(client, counsellor_a, pupil_a, offers):
    html = page(client, counsellor_a, pupil_a)
    assert 'data-testid="recommendations"' not in html
    assert "Профпроба «Сварщик»" not in html


def test_a_pupil_with_nothing_to_offer_sees_that_per_kind(client, counsellor_a, consented_pupil):
    html = page(client, counsellor_a, consented_pupil)
    assert html.count("Подходящих пока нет.") == 4
