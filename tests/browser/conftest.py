"""Playwright fixtures: Debian's chromium, a fresh context per test, and no network but ours."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Browser, Page, Route, sync_playwright

from tests.conftest import require_service

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
DEFAULT_TIMEOUT_MS = 10_000
SCREENSHOTS = Path("test-artifacts") / "screenshots"


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> object:
    # Kept on the item so that the page fixture's teardown knows whether the test failed.
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    # Package scope, not session: the sync API keeps an asyncio loop running in the test
    # thread while Playwright is alive, which would break async_to_sync (async views under
    # the test client) in every test collected after this folder.
    require_service(CHROMIUM.exists(), "Debian's chromium at /usr/bin/chromium")
    # The same loop makes Django's ORM in fixtures and tests raise SynchronousOnlyOperation.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
            )
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser: Browser, live_server, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A page in a fresh Russian-locale context; any request off the live server fails the test."""
    origin = _origin(live_server.url)
    context = browser.new_context(
        base_url=live_server.url, locale="ru-RU", timezone_id="Asia/Yekaterinburg"
    )
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    outside: list[str] = []

    def block(route: Route) -> None:
        # The portal is used on school networks without internet: no CDN, fonts or analytics.
        outside.append(route.request.url)
        route.abort("blockedbyclient")

    context.route(lambda url: _origin(url) != origin, block)
    page = context.new_page()
    yield page

    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.name)
        page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)
    context.close()
    assert not outside, f"the page requested resources outside the live server: {outside}"


@pytest.fixture
def log_in(page: Page, live_server):
    """Put a session of the given user into the page's context, skipping the login form."""

    def log_in(user) -> None:
        client = Client()
        client.force_login(user)
        page.context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                    "url": live_server.url,
                }
            ]
        )

    return log_in


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme, parts.netloc
