"""Optional two-factor login with an authenticator app (TOTP, django-otp).

Coordinators and district administration may enrol a device. After the password, a user
with a confirmed device is logged in but held on the code page by ``SecondFactorMiddleware``
until a right code marks the session verified (``user.is_verified()`` of django-otp's
OTPMiddleware). Users without a device never meet any of this.
"""

from __future__ import annotations

import math
import re
from base64 import b32encode
from dataclasses import dataclass
from typing import TYPE_CHECKING

import segno
from django import forms
from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from resource_center import access

if TYPE_CHECKING:
    from collections.abc import Callable

    from django.contrib.auth.models import AbstractBaseUser

# Set at login for a user with a confirmed device: this session still owes a code.
SESSION_KEY = "rc_second_factor"


@receiver(user_logged_in, dispatch_uid="resource_center.two_factor.login")
def _ask_for_code_after_login(
    sender: type, request: HttpRequest | None, user: AbstractBaseUser, **kwargs: object
) -> None:
    # Decided once at login (every login path: the portal's, the admin's, the invitation's),
    # so the pages of users without a device cost no extra query.
    if request is not None and hasattr(request, "session") and access.has_second_factor(user):
        request.session[SESSION_KEY] = True


class SecondFactorMiddleware:
    """Sends a logged-in user who still owes the one-time code to the code page.

    Goes after django-otp's OTPMiddleware. Only the code page and logout stay open.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.session.get(SESSION_KEY) and code_owed(request):
            code_url = reverse("login_code")
            if request.path_info not in (code_url, reverse("logout")):
                if request.method in ("GET", "HEAD"):
                    code_url += "?" + urlencode({"next": request.get_full_path()})
                return redirect(code_url)
        return self.get_response(request)


def code_owed(request: HttpRequest) -> bool:
    """Whether the session's user has a device but has not entered its code yet."""
    user = request.user
    return user.is_authenticated and access.second_factor_pending(user)


def code_entered(request: HttpRequest, device: TOTPDevice) -> None:
    """Mark the session verified by ``device`` (django-otp keeps it in the session)."""
    from django_otp import login as otp_login

    otp_login(request, device)
    request.session[SESSION_KEY] = True


def code_no_longer_owed(request: HttpRequest) -> None:
    request.session.pop(SESSION_KEY, None)


# --- devices ---------------------------------------------------------------------------


def confirmed_device(user: AbstractBaseUser) -> TOTPDevice | None:
    """The user's confirmed TOTP device, if any."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def pending_device(user: AbstractBaseUser) -> TOTPDevice | None:
    """The device the user started to enrol and has not confirmed with a code yet."""
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()


@transaction.atomic
def totp_device_start(*, user: AbstractBaseUser) -> TOTPDevice:
    """A new unconfirmed device with a fresh secret, replacing any earlier unconfirmed one."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(
        user=user, name=str(_("Приложение-аутентификатор")), confirmed=False
    )


@transaction.atomic
def totp_device_confirm(*, device: TOTPDevice) -> TOTPDevice:
    """Make the device the user's second factor (after a right code from it)."""
    TOTPDevice.objects.filter(user_id=device.user_id).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return device


@transaction.atomic
def totp_device_delete(*, user: AbstractBaseUser) -> None:
    """Turn two-factor login off: every TOTP device of the user goes."""
    TOTPDevice.objects.filter(user=user).delete()


@dataclass(frozen=True)
class CodeCheck:
    ok: bool
    wait_seconds: int = 0  # above 0: refused unchecked, too many wrong codes in a row


@transaction.atomic
def totp_code_check(*, device: TOTPDevice, code: str) -> CodeCheck:
    """Check a code against the device, counting wrong ones (django-otp's back-off)."""
    # Locked, so concurrent guesses are counted one after another and a code is used once.
    locked = TOTPDevice.objects.select_for_update().get(pk=device.pk)
    allowed, info = locked.verify_is_allowed()
    if not allowed:
        return CodeCheck(ok=False, wait_seconds=_seconds_until(info))
    ok = locked.verify_token(code)
    if ok:
        device.refresh_from_db()
    return CodeCheck(ok=ok)


def _seconds_until(info: dict | None) -> int:
    until = (info or {}).get("locked_until")
    if until is None:
        return 1
    return max(1, math.ceil((until - timezone.now()).total_seconds()))


def secret_text(device: TOTPDevice) -> str:
    """The secret in base32 groups of four, as authenticator apps ask to type it."""
    secret = b32encode(device.bin_key).decode("ascii")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_data_uri(device: TOTPDevice) -> str:
    """The otpauth:// address as a QR code, an SVG in a data: URI (no script, no style)."""
    return segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2)


# --- forms -----------------------------------------------------------------------------


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Код из приложения"),
        max_length=16,
        help_text=_("Шесть цифр, которые сейчас показывает приложение-аутентификатор."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def clean_code(self) -> str:
        code = re.sub(r"\s+", "", self.cleaned_data["code"])
        if not re.fullmatch(r"\d{6}", code):
            raise forms.ValidationError(_("Введите шесть цифр кода."))
        return code

    def add_check_error(self, check: CodeCheck) -> None:
        """Explain a refused code on the form."""
        if check.wait_seconds:
            self.add_error(
                "code",
                _("Слишком много неверных кодов подряд. Повторите попытку через %(seconds)s с.")
                % {"seconds": check.wait_seconds},
            )
        else:
            self.add_error(
                "code",
                _("Неверный код. Проверьте время на телефоне и введите новый код."),
            )
