"""Optional two-factor login with an authenticator app (TOTP, django-otp).

Coordinators and district administration may enrol a device. After the password, a user
with a confirmed device is logged in but held on the code page by ``SecondFactorMiddleware``
until a right code marks the session verified (``user.is_verified()`` of django-otp's
OTPMiddleware). Users without a device never meet any of this.

Enrolment also issues ten single-use backup codes (django-otp's static device), shown once:
each may stand in for the app's code (at login, and to turn two-factor login off or to issue
new backup codes) when the phone is lost or flat.
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
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from resource_center import access

if TYPE_CHECKING:
    from collections.abc import Callable

    from django.contrib.auth.models import AbstractBaseUser

# Set at login for a user with a confirmed device: this session still owes a code.
SESSION_KEY = "rc_second_factor"
# The backup codes just issued, kept in the session until the settings page shows them once.
NEW_BACKUP_CODES_KEY = "rc_new_backup_codes"
BACKUP_CODE_COUNT = 10
# StaticToken.random_token(): 8 characters of lower-case base32.
BACKUP_CODE_RE = re.compile(r"[a-z2-7]{8}")


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


def code_entered(request: HttpRequest, device: TOTPDevice | StaticDevice) -> None:
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
def totp_device_confirm(*, device: TOTPDevice, session_key: str | None = None) -> TOTPDevice:
    """Make the device the user's second factor (after a right code from it). The user's
    other sessions, opened with the password alone, are signed out (as a password change
    does): their next page asks for the password and then the code."""
    TOTPDevice.objects.filter(user_id=device.user_id).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    _sign_out_other_sessions(user_id=device.user_id, keep=session_key)
    return device


def _sign_out_other_sessions(*, user_id: int, keep: str | None) -> None:
    """Delete the user's unexpired sessions but ``keep``. Sessions do not say whose they are
    without decoding, so every live one is read: a rare step (turning the code on)."""
    from django.contrib.auth import SESSION_KEY as USER_ID_KEY
    from django.contrib.sessions.models import Session

    others = [
        session.session_key
        for session in Session.objects.filter(expire_date__gt=timezone.now())
        .exclude(session_key=keep)
        .iterator(chunk_size=500)
        if session.get_decoded().get(USER_ID_KEY) == str(user_id)
    ]
    Session.objects.filter(session_key__in=others).delete()


@transaction.atomic
def totp_device_delete(*, user: AbstractBaseUser) -> None:
    """Turn two-factor login off: every TOTP device of the user goes, and the backup codes."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


@transaction.atomic
def backup_codes_issue(*, user: AbstractBaseUser) -> list[str]:
    """Ten new single-use backup codes for the user; the earlier ones stop working."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=str(_("Резервные коды")), confirmed=True)
    codes: set[str] = set()
    while len(codes) < BACKUP_CODE_COUNT:
        codes.add(StaticToken.random_token())
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return sorted(codes)


def backup_codes_hand_out(request: HttpRequest) -> None:
    """New backup codes for the signed-in user, kept in the session to be shown once."""
    request.session[NEW_BACKUP_CODES_KEY] = backup_codes_issue(user=request.user)


def backup_codes_to_show(request: HttpRequest) -> list[str] | None:
    """The codes just handed out, once: the next page no longer has them."""
    return request.session.pop(NEW_BACKUP_CODES_KEY, None)


def backup_codes_left(user: AbstractBaseUser) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


@dataclass(frozen=True)
class CodeCheck:
    ok: bool
    wait_seconds: int = 0  # above 0: refused unchecked, too many wrong codes in a row
    # The device whose code was right: the app's, or the backup codes'.
    device: TOTPDevice | StaticDevice | None = None


def is_backup_code(code: str) -> bool:
    return BACKUP_CODE_RE.fullmatch(code) is not None


def code_check(*, device: TOTPDevice, code: str) -> CodeCheck:
    """Check a code cleaned by CodeForm: the app's six digits against ``device``, a backup
    code against the user's backup codes (which it uses up when right)."""
    if not is_backup_code(code):
        return totp_code_check(device=device, code=code)
    backup = StaticDevice.objects.filter(user_id=device.user_id, confirmed=True).first()
    if backup is None:
        return CodeCheck(ok=False)
    return _checked(StaticDevice, backup, code)


def totp_code_check(*, device: TOTPDevice, code: str) -> CodeCheck:
    """Check an app's code against the device, counting wrong ones (django-otp's back-off)."""
    return _checked(TOTPDevice, device, code)


@transaction.atomic
def _checked(
    model: type[TOTPDevice] | type[StaticDevice],
    device: TOTPDevice | StaticDevice,
    code: str,
) -> CodeCheck:
    # Locked, so concurrent guesses are counted one after another and a code is used once.
    locked = model.objects.select_for_update().get(pk=device.pk)
    allowed, info = locked.verify_is_allowed()
    if not allowed:
        return CodeCheck(ok=False, wait_seconds=_seconds_until(info))
    if not locked.verify_token(code):
        return CodeCheck(ok=False)
    device.refresh_from_db()
    return CodeCheck(ok=True, device=device)


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
    """The app's six-digit code; with ``allow_backup`` a backup code is taken too."""

    code = forms.CharField(
        label=_("Код из приложения"),
        max_length=16,
        help_text=_("Шесть цифр, которые сейчас показывает приложение-аутентификатор."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def __init__(self, *args: object, allow_backup: bool = False, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.allow_backup = allow_backup
        if allow_backup:
            field = self.fields["code"]
            field.label = _("Код из приложения или резервный код")
            field.help_text = _(
                "Шесть цифр из приложения-аутентификатора или один из резервных кодов "
                "(восемь латинских букв и цифр), если телефона нет под рукой."
            )
            field.widget.attrs.pop("inputmode", None)

    def clean_code(self) -> str:
        code = re.sub(r"[\s-]+", "", self.cleaned_data["code"])
        if re.fullmatch(r"\d{6}", code):
            return code
        if self.allow_backup and is_backup_code(code.lower()):
            return code.lower()
        if self.allow_backup:
            raise forms.ValidationError(
                _("Введите шесть цифр кода из приложения или резервный код из восьми знаков.")
            )
        raise forms.ValidationError(_("Введите шесть цифр кода."))

    def add_check_error(self, check: CodeCheck) -> None:
        """Explain a refused code on the form."""
        if check.wait_seconds:
            self.add_error(
                "code",
                _("Слишком много неверных кодов подряд. Повторите попытку через %(seconds)s с.")
                % {"seconds": check.wait_seconds},
            )
        elif is_backup_code(self.cleaned_data.get("code", "")):
            self.add_error("code", _("Неверный или уже использованный резервный код."))
        else:
            self.add_error(
                "code",
                _("Неверный код. Проверьте время на телефоне и введите новый код."),
            )
