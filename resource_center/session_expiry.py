"""Sessions end after SESSION_COOKIE_AGE without activity, not that long after the login.

Django moves a session's expiry forward only when the session is saved. Saving it on every
request (SESSION_SAVE_EVERY_REQUEST) would write to the session table on every page view;
this middleware saves an otherwise unchanged session at most once a minute instead, so an
active user stays signed in and an idle one is signed out SESSION_COOKIE_AGE (less up to a
minute) after their last request.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

# Seconds since the epoch when the session's expiry was last moved forward.
REFRESHED_AT_KEY = "_expiry_refreshed_at"
REFRESH_INTERVAL = 60  # seconds


class IdleSessionMiddleware:
    """Move a used session's expiry forward, writing it at most once per REFRESH_INTERVAL.

    Placed after SessionMiddleware, so the session it marks as modified is saved (and its
    cookie re-sent with the new max-age) on the way out. A session the request never read
    (a request refused before authentication) is left alone and gets no ``Vary: Cookie``.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or not session.accessed or session.is_empty():
            return response
        now = int(time.time())
        if session.modified:
            # Saved anyway (a login, for one): the stamp rides along at no cost.
            session[REFRESHED_AT_KEY] = now
            return response
        refreshed_at = session.get(REFRESHED_AT_KEY)
        # A session without the stamp was created outside a request (a management command, a
        # test client's force_login) or before this middleware; its next change stamps it.
        if isinstance(refreshed_at, int) and now - refreshed_at >= REFRESH_INTERVAL:
            session[REFRESHED_AT_KEY] = now
        return response
