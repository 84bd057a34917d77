"""The sitemap lists the public catalogue and nothing unpublished."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests import factories as f

pytestmark = pytest.mark.django_db

URL = reverse("sitemap")


@pytest.fixture
def catalogue(world):
    """One public object of each kind and its unpublished neighbours."""
    now = timezone.now()
    programme = f.ProgrammeFactory(technikum=world.technikum)
    draft_programme = f.ProgrammeFactory(technikum=world.technikum, is_published=False)
    return {
        "public": {
            "programme": reverse("schools:programme_detail", args=[programme.pk]),
            "place": reverse(
                "employers:place_detail",
                args=[
                    f.DualTrainingPlaceFactory(programme=programme, employer=world.employer).uuid
                ],
            ),
            "vacancy": reverse(
                "employers:vacancy_detail", args=[f.VacancyFactory(employer=world.employer).uuid]
            ),
            "event": reverse(
                "guidance:event_detail",
                args=[
                    f.EventFactory(
                        organiser=world.technikum, starts_at=now + datetime.timedelta(days=7)
                    ).uuid
                ],
            ),
        },
        "hidden": {
            "draft programme": reverse("schools:programme_detail", args=[draft_programme.pk]),
            "draft place": reverse(
                "employers:place_detail",
                args=[
                    f.DualTrainingPlaceFactory(
                        programme=programme, employer=world.employer, status="draft"
                    ).uuid
                ],
            ),
            "closed place": reverse(
                "employers:place_detail",
                args=[
                    f.DualTrainingPlaceFactory(
                        programme=programme, employer=world.other_employer, status="closed"
                    ).uuid
                ],
            ),
            "draft vacancy": reverse(
                "employers:vacancy_detail",
                args=[f.VacancyFactory(employer=world.employer, status="draft").uuid],
            ),
            "vacancy on moderation": reverse(
                "employers:vacancy_detail",
                args=[f.VacancyFactory(employer=world.employer, status="moderation").uuid],
            ),
            "closed vacancy": reverse(
                "employers:vacancy_detail",
                args=[f.VacancyFactory(employer=world.employer, status="closed").uuid],
            ),
            "expired vacancy": reverse(
                "employers:vacancy_detail",
                args=[
                    f.VacancyFactory(
                        employer=world.employer,
                        valid_until=timezone.localdate() - datetime.timedelta(days=1),
                    ).uuid
                ],
            ),
            "non-public event": reverse(
                "guidance:event_detail",
                args=[
                    f.EventFactory(
                        organiser=world.school_a,
                        is_public=False,
                        starts_at=now + datetime.timedelta(days=7),
                    ).uuid
                ],
            ),
            "cancelled event": reverse(
                "guidance:event_detail",
                args=[
                    f.EventFactory(
                        organiser=world.technikum,
                        is_cancelled=True,
                        starts_at=now + datetime.timedelta(days=7),
                    ).uuid
                ],
            ),
            "past event": reverse(
                "guidance:event_detail",
                args=[
                    f.EventFactory(
                        organiser=world.technikum,
                        starts_at=now - datetime.timedelta(days=7),
                        ends_at=now - datetime.timedelta(days=7, hours=-2),
                    ).uuid
                ],
            ),
        },
    }


def locations(response) -> set[str]:
    body = response.content.decode()
    return {
        chunk.split("</loc>")[0].removeprefix("http://testserver")
        for chunk in body.split("<loc>")[1:]
    }


def test_sitemap_lists_the_static_public_pages(client):
    response = client.get(URL)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    assert {
        reverse("home"),
        reverse("schools:programme_list"),
        reverse("employers:place_list"),
        reverse("employers:vacancy_list"),
        reverse("guidance:event_list"),
    } <= locations(response)


def test_sitemap_lists_published_objects(client, catalogue):
    listed = locations(client.get(URL))

    for kind, path in catalogue["public"].items():
        assert path in listed, kind


def test_sitemap_never_lists_unpublished_objects(client, catalogue):
    listed = locations(client.get(URL))

    for kind, path in catalogue["hidden"].items():
        assert path not in listed, kind


def test_every_listed_page_opens_for_an_anonymous_visitor(client, catalogue):
    for path in locations(client.get(URL)):
        assert client.get(path).status_code == 200, path


def test_sitemap_queries_do_not_grow(client, world, django_assert_num_queries):
    def make(n: int) -> None:
        for _ in range(n):
            programme = f.ProgrammeFactory(technikum=world.technikum)
            f.DualTrainingPlaceFactory(programme=programme, employer=world.employer)
            f.VacancyFactory(employer=world.employer)

    make(2)
    # per section with objects a count (for paging) and the page: programmes, places,
    # vacancies; events: count only (none)
    with django_assert_num_queries(7):
        client.get(URL)
    make(28)
    with django_assert_num_queries(7):
        client.get(URL)
