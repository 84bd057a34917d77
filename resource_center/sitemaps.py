"""The sitemap of the public catalogue: static pages, published programmes, places and
vacancies, public upcoming events. Nothing unpublished and no one's name is listed."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.sitemaps import Sitemap
from django.db.models import QuerySet
from django.urls import reverse

from employers.models import DualTrainingPlace, Vacancy
from guidance.models import Event
from schools.models import Programme


class StaticSitemap(Sitemap):
    """The public pages anyone can open without logging in."""

    changefreq = "daily"
    priority = 0.8

    def items(self) -> list[str]:
        return [
            "home",
            "schools:programme_list",
            "employers:place_list",
            "employers:vacancy_list",
            "guidance:event_list",
        ]

    def location(self, item: str) -> str:
        return reverse(item)


class ProgrammeSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.6

    def items(self) -> QuerySet[Programme]:
        return Programme.objects.published().order_by("pk").only("pk")

    def location(self, item: Programme) -> str:
        return reverse("schools:programme_detail", kwargs={"pk": item.pk})


class PlaceSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.6

    def items(self) -> QuerySet[DualTrainingPlace]:
        return DualTrainingPlace.objects.published().order_by("pk").only("uuid", "updated_at")

    def location(self, item: DualTrainingPlace) -> str:
        return reverse("employers:place_detail", kwargs={"uuid": item.uuid})

    def lastmod(self, item: DualTrainingPlace) -> datetime.datetime:
        return item.updated_at


class VacancySitemap(Sitemap):
    changefreq = "daily"
    priority = 0.5

    def items(self) -> QuerySet[Vacancy]:
        return Vacancy.objects.published().order_by("pk").only("uuid", "updated_at")

    def location(self, item: Vacancy) -> str:
        return reverse("employers:vacancy_detail", kwargs={"uuid": item.uuid})

    def lastmod(self, item: Vacancy) -> datetime.datetime:
        return item.updated_at


class EventSitemap(Sitemap):
    changefreq = "daily"
    priority = 0.5

    def items(self) -> QuerySet[Event]:
        return (
            Event.objects.public().upcoming().order_by("starts_at", "pk").only("uuid", "updated_at")
        )

    def location(self, item: Event) -> str:
        return reverse("guidance:event_detail", kwargs={"uuid": item.uuid})

    def lastmod(self, item: Event) -> datetime.datetime:
        return item.updated_at


sitemaps: dict[str, Any] = {
    "static": StaticSitemap,
    "programmes": ProgrammeSitemap,
    "places": PlaceSitemap,
    "vacancies": VacancySitemap,
    "events": EventSitemap,
}
