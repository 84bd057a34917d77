"""Subscribing to the e-mail digest of each new labour-market summary."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from labour.forms.digest import DigestSubscriptionForm
from labour.models import DigestSubscription
from labour.services.digest import digest_subscription_delete, digest_subscription_save
from resource_center import access


@require_http_methods(["GET", "HEAD", "POST"])
def digest_subscription(request: HttpRequest) -> HttpResponse:
    """Subscribe to one of the user's districts (weekly and/or monthly) or unsubscribe."""
    if not access.can_subscribe_to_digest(request.user):
        raise PermissionDenied
    user = request.user
    districts = access.labour_districts_of(user)
    subscription = DigestSubscription.objects.filter(user=user).select_related("district").first()
    if request.method == "POST" and "unsubscribe" in request.POST:
        if digest_subscription_delete(user=user):
            messages.success(request, _("Вы отписались от сводок по рынку труда."))
        return redirect("labour:digest")

    if subscription is not None:
        initial = {
            "district": subscription.district_id,
            "weekly": subscription.weekly,
            "monthly": subscription.monthly,
        }
    else:
        initial = {"weekly": True, "monthly": True}
    data = request.POST if request.method == "POST" else None
    form = DigestSubscriptionForm(data, initial=initial, districts=districts)
    if data is not None and form.is_valid():
        try:
            digest_subscription_save(
                user=user,
                district=form.cleaned_data["district"],
                weekly=form.cleaned_data["weekly"],
                monthly=form.cleaned_data["monthly"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Подписка на сводки по рынку труда сохранена."))
            return redirect("labour:digest")
    return render(
        request,
        "labour/digest_form.html",
        {"form": form, "subscription": subscription, "has_email": bool(user.email)},
    )
