"""Where a form may send its user back to."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request: HttpRequest, target: str, default: str = "") -> str:
    """``target`` (a form's or link's ``next``) if it is a path of this site, else ``default``.

    Only a path: redirect() would take any other text for the name of a URL, and a full
    address could lead off the site.
    """
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default
