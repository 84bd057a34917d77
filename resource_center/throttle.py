"""Limits on failed guesses per client address: one-time codes, and the login lockout page."""

from __future__ import annotations

import math
from dataclasses import dataclass

from axes.helpers import get_client_username, get_cool_off
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@dataclass
class FailureThrottle:
    """At most ``limit`` failures per client address per ``window`` seconds for one scope.

    The address is REMOTE_ADDR, which resource_center.middleware sets to the client's own
    address behind a trusted proxy.
    """

    scope: str
    limit: int = 10
    window: int = 15 * 60  # seconds

    def _key(self, request: HttpRequest) -> str:
        return f"throttle:{self.scope}:{request.META.get('REMOTE_ADDR') or 'unknown'}"

    def blocked(self, request: HttpRequest) -> bool:
        return cache.get(self._key(request), 0) >= self.limit

    def fail(self, request: HttpRequest) -> None:
        key = self._key(request)
        # add() starts the window at the first failure and incr() keeps its expiry: a fixed
        # window, so at most `limit` guesses per address per window.
        cache.add(key, 0, self.window)
        try:
            cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.set(key, 1, self.window)

    @property
    def window_minutes(self) -> int:
        """The window in whole minutes, rounded up: «try again in N minutes» is never early."""
        return max(1, math.ceil(self.window / 60))


# AccessAttempt.username of django-axes is a varchar(255).
_AXES_USERNAME_LENGTH = 255


def login_username(request: HttpRequest, credentials: dict | None = None) -> str | None:
    """The username django-axes counts a login attempt under (AXES_USERNAME_CALLABLE).

    Axes' own lookup, cut to the length its table holds: Django's login form does not
    enforce the username's max_length before authenticate(), and a longer string would
    make PostgreSQL refuse the row (a server error instead of a failed login).
    """
    field = settings.AXES_USERNAME_FORM_FIELD
    if credentials:
        username = credentials.get(field)
    else:
        username = getattr(request, "data", request.POST).get(field)
    return username[:_AXES_USERNAME_LENGTH] if isinstance(username, str) else username


def login_lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict | None = None,
) -> HttpResponse:
    """The page shown instead of the login form while django-axes locks a login out.

    Set as AXES_LOCKOUT_CALLABLE; serves the portal's login and the admin's alike.
    """
    cool_off = get_cool_off(request)
    return render(
        request,
        "registration/lockout.html",
        {
            "username": get_client_username(request, credentials) or "",
            "cooloff_minutes": max(1, math.ceil(cool_off.total_seconds() / 60))
            if cool_off
            else None,
        },
        status=429,
    )
