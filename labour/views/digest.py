"""Subscribing to the e-mail digest of each new labour-market summary."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_http_methods

from resource_center import access


@require_http_methods(["GET", "HEAD", "POST"])
def digest_subscription(request: HttpRequest) -> HttpResponse:
    if not access.can_subscribe_to_digest(request.user):
        raise PermissionDenied
    return HttpResponse("digest")  # replaced by the subscription form
