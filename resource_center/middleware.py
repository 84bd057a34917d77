"""Project-wide request guards and the one place that decides the client's address."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed

# The portal is a set of HTML pages and forms: nothing here handles PUT, DELETE, TRACE…
ALLOWED_METHODS = ("GET", "HEAD", "POST")


class AllowedMethodsMiddleware:
    """Answer 405 to any method outside GET/HEAD/POST before a view sees it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in ALLOWED_METHODS:
            return HttpResponseNotAllowed(ALLOWED_METHODS)
        return self.get_response(request)


def forwarded_client_address(forwarded_for: str, proxy_count: int) -> str | None:
    """The address the outermost of ``proxy_count`` trusted proxies saw, or None.

    Each proxy appends the address it was reached from to X-Forwarded-For, so the
    ``proxy_count``-th entry from the right was written by the outermost trusted proxy;
    anything to its left came from the client and may be forged. A missing, malformed or
    too short header gives None.
    """
    if proxy_count < 1:
        return None
    entries = [entry.strip() for entry in forwarded_for.split(",")]
    if len(entries) < proxy_count:
        return None
    try:
        return str(ipaddress.ip_address(entries[-proxy_count]))
    except ValueError:
        return None


class ClientAddressMiddleware:
    """Set REMOTE_ADDR to the client's own address when the portal sits behind proxies.

    TRUSTED_PROXY_COUNT (settings) says how many reverse proxies stand in front of the
    portal; 0 means it is reached directly and X-Forwarded-For, which any client can send,
    is ignored. Everything downstream (the audit trail, resource_center.throttle, the login
    lockout of django-axes through ``client_address``) reads REMOTE_ADDR after this.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        address = forwarded_client_address(
            request.META.get("HTTP_X_FORWARDED_FOR", ""), settings.TRUSTED_PROXY_COUNT
        )
        if address is not None:
            request.META["REMOTE_ADDR"] = address
        return self.get_response(request)


def client_address(request: HttpRequest) -> str | None:
    """The client's address as ClientAddressMiddleware left it (AXES_CLIENT_IP_CALLABLE)."""
    return request.META.get("REMOTE_ADDR") or None
