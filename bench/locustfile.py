"""Load scenario of the portal for locust (run by bench/load.py; usable on its own too).

    locust -f bench/locustfile.py --headless -u 20 -r 20 -t 90s --host http://127.0.0.1:8000

Three kinds of people and a baseline, each page under its own name so the statistics group
by page:

- counsellors (``counsellor``, a school's педагог-навигатор): log in once, then browse the
  pupil list (plain, filtered, searched by surname, paged), open pupils, open a pupil's
  profile form and save it back (POST with the CSRF token, a note changed);
- anonymous visitors: the programme catalogue and a programme, the vacancies and the
  dual-training places for young people, the in-demand professions;
- the district administration (``admin_district``): the reports dashboard and three
  reports with filters;
- ``ping``: the trivial view (``/ping/``, no database), the baseline the pages are compared
  with.

Two modes:

- the mixed scenario (default user classes ``Counsellor``, ``Visitor``, ``Administration``,
  ``Baseline``): 10, 6, 3 and 1 of 20 users, people waiting 0.5–1.5 s between pages;
- one page in a closed loop (``LOAD_PAGE=<page name>``, then the only user class is
  ``OnePage``): every user requests that page again as soon as the previous answer came,
  no waiting, to measure the page's throughput.

Variables: ``LOAD_PASSWORD`` (default the demo password), ``LOAD_COUNSELLOR`` and
``LOAD_ADMINISTRATION`` (the logins); ``LOAD_SECONDS`` and ``LOAD_WARMUP``: when set, the
statistics are reset once every user has logged in and ``LOAD_WARMUP`` (default 2) more
seconds have passed, and the run stops ``LOAD_SECONDS`` later, so that only that window is
counted (the logins' password hashing and each worker's first requests are not).
"""

# Random choices here pick pages and filters, nothing secret.
# ruff: noqa: S311

from __future__ import annotations

import os
import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from html.parser import HTMLParser
from urllib.parse import urlencode

import gevent
from locust import FastHttpUser, between, constant, events, task
from locust.exception import StopUser

PASSWORD = os.environ.get("LOAD_PASSWORD", "demo12345")
COUNSELLOR = os.environ.get("LOAD_COUNSELLOR", "counsellor")
ADMINISTRATION = os.environ.get("LOAD_ADMINISTRATION", "admin_district")
ONE_PAGE = os.environ.get("LOAD_PAGE", "")

PUPIL_LINK = re.compile(r'href="/students/([0-9a-f-]{36})/"')
PROGRAMME_LINK = re.compile(r'href="/programmes/(\d+)/"')
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
# Beginnings of surnames common in the demo district (and in Perm Krai).
SURNAME_STARTS = ["Ш", "К", "По", "Ми", "Бе", "Ч", "Кузн", "Ме", "Ба", "Ф"]


# Users that have finished logging in (or failed to): the measured window starts after all.
_ready = 0


@events.init.add_listener
def _measured_window(environment, **_kwargs):
    """With LOAD_SECONDS set: reset the statistics once every user has logged in and
    LOAD_WARMUP more seconds have passed, then stop after LOAD_SECONDS."""
    seconds = float(os.environ.get("LOAD_SECONDS", "0"))
    if seconds <= 0:
        return
    warmup = float(os.environ.get("LOAD_WARMUP", "2"))

    def window() -> None:
        users = environment.parsed_options.num_users if environment.parsed_options else 1
        while _ready < users:
            gevent.sleep(0.2)
        gevent.sleep(warmup)
        environment.stats.reset_all()
        gevent.sleep(seconds)
        environment.runner.quit()

    gevent.spawn(window)


class _Forms(HTMLParser):
    """The fields of every <form method="post"> of a page, as a browser would submit them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict[str, list[str]]] = []
        self._form: dict[str, list[str]] | None = None
        self._select: str | None = None
        self._select_first: str | None = None
        self._select_chosen = False
        self._option: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("method", "").lower() == "post":
            self._form = {}
            self.forms.append(self._form)
        if self._form is None:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind in {"checkbox", "radio"} and "checked" not in a:
                return
            if kind in {"submit", "button", "file", "image"}:
                return
            default = "on" if kind in {"checkbox", "radio"} else ""
            self._form.setdefault(name, []).append(a.get("value", default))
        elif tag == "select" and name:
            self._select, self._select_first, self._select_chosen = name, None, False
        elif tag == "option" and self._select:
            value = a.get("value", "")
            if self._select_first is None:
                self._select_first = value
            if "selected" in a:
                self._form.setdefault(self._select, []).append(value)
                self._select_chosen = True
        elif tag == "textarea" and name:
            self._textarea = name
            self._form.setdefault(name, []).append("")

    def handle_data(self, data: str) -> None:
        if self._form is not None and self._textarea:
            self._form[self._textarea][-1] += data

    def handle_endtag(self, tag: str) -> None:
        if self._form is None:
            return
        if tag == "select" and self._select:
            if not self._select_chosen and self._select_first is not None:
                self._form.setdefault(self._select, []).append(self._select_first)
            self._select = None
        elif tag == "textarea" and self._textarea:
            # As browsers do, one newline right after <textarea> is not part of the value.
            value = self._form[self._textarea][-1]
            self._form[self._textarea][-1] = value.removeprefix("\r\n").removeprefix("\n")
            self._textarea = None
        elif tag == "form":
            self._form = None


def post_fields(html: str) -> dict[str, list[str]]:
    """The fields of the page's main POST form (the one with the most fields: not logout)."""
    parser = _Forms()
    parser.feed(html)
    return max(parser.forms, key=len, default={})


class PortalUser(FastHttpUser):
    abstract = True
    login: str | None = None

    def on_start(self) -> None:
        global _ready
        self.pupils: list[str] = []
        self.programmes: list[str] = []
        try:
            if self.login:
                self.log_in(self.login)
        finally:
            _ready += 1

    def log_in(self, username: str) -> None:
        page = self.client.get("/accounts/login/", name="login form")
        token = CSRF_INPUT.search(page.text or "")
        with self.client.post(
            "/accounts/login/",
            data={
                "username": username,
                "password": PASSWORD,
                "csrfmiddlewaretoken": token.group(1) if token else "",
            },
            name="login",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302 or "/accounts/login/" in response.headers.get(
                "Location", ""
            ):
                response.failure(f"login of {username} refused ({response.status_code})")
                raise StopUser

    def get(self, url: str, name: str) -> str:
        with self.client.get(url, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
            return response.text or ""

    # --- the pages -----------------------------------------------------------------------

    def pupil_uuid(self) -> str:
        if not self.pupils:
            html = self.get("/students/?page=2", name="pupils: list ?page")
            self.pupils = PUPIL_LINK.findall(html)
            if not self.pupils:
                raise StopUser
        return random.choice(self.pupils)

    def programme_pk(self) -> str:
        if not self.programmes:
            self.programmes = PROGRAMME_LINK.findall(
                self.get("/programmes/", "catalogue: programmes")
            )
            if not self.programmes:
                raise StopUser
        return random.choice(self.programmes)

    def pupil_list(self) -> None:
        self.pupils = PUPIL_LINK.findall(self.get("/students/", "pupils: list")) or self.pupils

    def pupil_list_filtered(self) -> None:
        grade = random.randint(7, 11)
        self.get(f"/students/?grade={grade}&consent=yes", "pupils: list ?grade&consent")

    def pupil_search(self) -> None:
        q = random.choice(SURNAME_STARTS)
        self.get(f"/students/?q={q}", "pupils: list ?q (surname)")

    def pupil_list_page(self) -> None:
        self.get(f"/students/?page={random.randint(2, 30)}&sort=last_name", "pupils: list ?page")

    def pupil_detail(self) -> None:
        self.get(f"/students/{self.pupil_uuid()}/", "pupils: detail")

    def pupil_form(self) -> None:
        self.get(f"/students/{self.pupil_uuid()}/edit/", "pupils: edit form")

    def pupil_save(self) -> None:
        url = f"/students/{self.pupil_uuid()}/edit/"
        # The form is fetched under its own name; only the POST counts as the save.
        fields = post_fields(self.get(url, "pupils: edit form"))
        if "notes" in fields:
            fields["notes"] = [f"Беседа о профессиях {random.randint(1, 9999)}"]
        with self.client.post(
            url,
            data=urlencode(fields, doseq=True),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            name="pupils: save",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"not saved (HTTP {response.status_code})")

    def programme_list(self) -> None:
        self.programmes = (
            PROGRAMME_LINK.findall(self.get("/programmes/", "catalogue: programmes"))
            or self.programmes
        )

    def programme_detail(self) -> None:
        self.get(f"/programmes/{self.programme_pk()}/", "catalogue: programme detail")

    def vacancy_list(self) -> None:
        self.get("/employers/vacancies/", "catalogue: vacancies")

    def place_list(self) -> None:
        self.get("/employers/dual-training/", "catalogue: dual-training places")

    def in_demand(self) -> None:
        self.get("/labour/in-demand/", "labour: in-demand professions")

    def report_dashboard(self) -> None:
        self.get("/reports/", "reports: dashboard")

    def report_coverage(self) -> None:
        self.get(f"/reports/coverage/?grade={random.randint(6, 11)}", "reports: coverage ?grade")

    def report_paths(self) -> None:
        today = datetime.now(tz=UTC).date()
        last_year = today.year - (today.month < 9) - 1
        self.get(f"/reports/paths/?academic_year={last_year}", "reports: paths ?year")

    def report_minimum(self) -> None:
        self.get("/reports/career_minimum/?grade=9", "reports: career minimum ?grade")

    def ping(self) -> None:
        self.get("/ping/", "ping (trivial view)")


@dataclass(frozen=True)
class Page:
    """One page of the closed-loop measurement: who requests it, how, and what kind it is."""

    login: str | None
    request: Callable[[PortalUser], None]
    kind: str  # "baseline", "list", "detail", "report" or "write"


PAGES: dict[str, Page] = {
    "ping (trivial view)": Page(None, PortalUser.ping, "baseline"),
    "pupils: list": Page(COUNSELLOR, PortalUser.pupil_list, "list"),
    "pupils: list ?grade&consent": Page(COUNSELLOR, PortalUser.pupil_list_filtered, "list"),
    "pupils: list ?q (surname)": Page(COUNSELLOR, PortalUser.pupil_search, "list"),
    "pupils: list ?page": Page(COUNSELLOR, PortalUser.pupil_list_page, "list"),
    "pupils: detail": Page(COUNSELLOR, PortalUser.pupil_detail, "detail"),
    "pupils: edit form": Page(COUNSELLOR, PortalUser.pupil_form, "detail"),
    "pupils: save": Page(COUNSELLOR, PortalUser.pupil_save, "write"),
    "catalogue: programmes": Page(None, PortalUser.programme_list, "list"),
    "catalogue: programme detail": Page(None, PortalUser.programme_detail, "detail"),
    "catalogue: vacancies": Page(None, PortalUser.vacancy_list, "list"),
    "catalogue: dual-training places": Page(None, PortalUser.place_list, "list"),
    "labour: in-demand professions": Page(None, PortalUser.in_demand, "list"),
    "reports: dashboard": Page(ADMINISTRATION, PortalUser.report_dashboard, "report"),
    "reports: coverage ?grade": Page(ADMINISTRATION, PortalUser.report_coverage, "report"),
    "reports: paths ?year": Page(ADMINISTRATION, PortalUser.report_paths, "report"),
    "reports: career minimum ?grade": Page(ADMINISTRATION, PortalUser.report_minimum, "report"),
}


# --- the mixed scenario -------------------------------------------------------------------


class Counsellor(PortalUser):
    abstract = bool(ONE_PAGE)
    fixed_count = 10
    wait_time = between(0.5, 1.5)
    login = COUNSELLOR

    tasks = {
        PortalUser.pupil_list: 4,
        PortalUser.pupil_list_filtered: 2,
        PortalUser.pupil_search: 2,
        PortalUser.pupil_list_page: 2,
        PortalUser.pupil_detail: 6,
        PortalUser.pupil_form: 1,
        PortalUser.pupil_save: 1,
    }


class Visitor(PortalUser):
    abstract = bool(ONE_PAGE)
    fixed_count = 6
    wait_time = between(0.5, 1.5)

    tasks = {
        PortalUser.programme_list: 3,
        PortalUser.programme_detail: 4,
        PortalUser.vacancy_list: 2,
        PortalUser.place_list: 1,
        PortalUser.in_demand: 2,
    }


class Administration(PortalUser):
    abstract = bool(ONE_PAGE)
    fixed_count = 3
    wait_time = between(0.5, 1.5)
    login = ADMINISTRATION

    tasks = {
        PortalUser.report_dashboard: 1,
        PortalUser.report_coverage: 2,
        PortalUser.report_paths: 2,
        PortalUser.report_minimum: 2,
    }


class Baseline(PortalUser):
    abstract = bool(ONE_PAGE)
    fixed_count = 1
    wait_time = between(0.5, 1.5)

    @task
    def trivial(self) -> None:
        self.ping()


# --- one page in a closed loop --------------------------------------------------------------


class OnePage(PortalUser):
    """Requests ``LOAD_PAGE`` again and again with no wait (the only user class then)."""

    abstract = not ONE_PAGE
    wait_time = constant(0)

    def on_start(self) -> None:
        self.page = PAGES[ONE_PAGE]
        self.login = self.page.login
        super().on_start()

    @task
    def request_page(self) -> None:
        self.page.request(self)


if __name__ == "__main__":
    # bench/load.py asks for the pages it measures one by one, and their kinds.
    import json
    import sys

    if sys.argv[1:] == ["--pages"]:
        print(json.dumps({name: page.kind for name, page in PAGES.items()}))
