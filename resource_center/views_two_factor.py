"""Two-factor login pages: the code step after the password, and the user's own settings."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from resource_center import access
from resource_center import two_factor as tf
from resource_center.lib.urls import safe_next


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    return safe_next(request, target, resolve_url(settings.LOGIN_REDIRECT_URL))


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def login_code(request: HttpRequest) -> HttpResponse:
    """The second step of login: the code from the user's authenticator app."""
    if not tf.code_owed(request):
        return HttpResponseRedirect(_next_url(request))
    device = tf.confirmed_device(request.user)
    if device is None:  # removed in the admin meanwhile: nothing left to ask for
        tf.code_no_longer_owed(request)
        return HttpResponseRedirect(_next_url(request))
    form = tf.CodeForm(request.POST if request.method == "POST" else None, allow_backup=True)
    if form.is_valid():
        check = tf.code_check(device=device, code=form.cleaned_data["code"])
        if check.ok:
            tf.code_entered(request, check.device)
            if check.device != device:
                _backup_code_used(request)
            return HttpResponseRedirect(_next_url(request))
        form.add_check_error(check)
    return render(
        request,
        "registration/login_code.html",
        {"form": form, "next": _next_url(request)},
    )


def _backup_code_used(request: HttpRequest) -> None:
    left = tf.backup_codes_left(request.user)
    messages.warning(
        request,
        _(
            "Вы вошли по резервному коду, он больше не действует. Осталось резервных кодов: "
            "%(left)d. Новые можно получить в настройках входа с кодом."
        )
        % {"left": left},
    )


def _settings_page(
    request: HttpRequest,
    *,
    confirm_form: tf.CodeForm | None = None,
    disable_form: tf.CodeForm | None = None,
    backup_form: tf.CodeForm | None = None,
) -> HttpResponse:
    confirmed = tf.confirmed_device(request.user)
    pending = None if confirmed else tf.pending_device(request.user)
    context: dict[str, object] = {"confirmed": confirmed, "pending": pending}
    if pending is not None:
        context |= {
            "secret": tf.secret_text(pending),
            "otpauth_uri": pending.config_url,
            "qr_code": tf.qr_data_uri(pending),
            "confirm_form": confirm_form or tf.CodeForm(),
        }
    if confirmed is not None:
        context |= {
            "disable_form": disable_form or tf.CodeForm(allow_backup=True),
            "backup_form": backup_form or tf.CodeForm(allow_backup=True),
            "backup_codes_left": tf.backup_codes_left(request.user),
            # Shown once, on the first page after they were issued.
            "new_backup_codes": tf.backup_codes_to_show(request),
        }
    return render(request, "registration/two_factor.html", context)


def _may_enrol(request: HttpRequest) -> None:
    if not access.can_use_two_factor(request.user):
        raise PermissionDenied


@never_cache
@require_safe
def two_factor(request: HttpRequest) -> HttpResponse:
    """The user's two-factor settings: turn on, confirm the app, turn off."""
    _may_enrol(request)
    return _settings_page(request)


@require_POST
def two_factor_start(request: HttpRequest) -> HttpResponse:
    """A new secret for the user's authenticator app (not in force until confirmed)."""
    _may_enrol(request)
    if tf.confirmed_device(request.user) is not None:
        messages.info(request, _("Вход с кодом уже включён."))
    else:
        tf.totp_device_start(user=request.user)
    return redirect("two_factor")


@never_cache
@require_POST
def two_factor_confirm(request: HttpRequest) -> HttpResponse:
    """A right code from the app turns two-factor login on and verifies this session."""
    _may_enrol(request)
    device = tf.pending_device(request.user)
    if device is None or tf.confirmed_device(request.user) is not None:
        return redirect("two_factor")
    form = tf.CodeForm(request.POST)
    if form.is_valid():
        check = tf.totp_code_check(device=device, code=form.cleaned_data["code"])
        if check.ok:
            device = tf.totp_device_confirm(device=device, session_key=request.session.session_key)
            tf.code_entered(request, device)
            tf.backup_codes_hand_out(request)
            messages.success(
                request, _("Вход с кодом включён: после пароля портал будет спрашивать код.")
            )
            return redirect("two_factor")
        form.add_check_error(check)
    return _settings_page(request, confirm_form=form)


def _after_current_code(
    request: HttpRequest, form_name: str, action: Callable[[], str]
) -> HttpResponse:
    """A change of a confirmed two-factor login: done by ``action`` after a right code
    (from the app or a backup code); ``action`` returns the message shown after it."""
    _may_enrol(request)
    device = tf.confirmed_device(request.user)
    if device is None:
        return redirect("two_factor")
    form = tf.CodeForm(request.POST, allow_backup=True)
    if form.is_valid():
        check = tf.code_check(device=device, code=form.cleaned_data["code"])
        if check.ok:
            messages.success(request, action())
            return redirect("two_factor")
        form.add_check_error(check)
    return _settings_page(request, **{form_name: form})


@never_cache
@require_POST
def two_factor_disable(request: HttpRequest) -> HttpResponse:
    """Turning two-factor login off takes a current code too."""

    def disable() -> str:
        tf.totp_device_delete(user=request.user)
        tf.code_no_longer_owed(request)
        return _("Вход с кодом выключен.")

    return _after_current_code(request, "disable_form", disable)


@never_cache
@require_POST
def two_factor_backup_codes(request: HttpRequest) -> HttpResponse:
    """New backup codes (the earlier ones stop working), after a current code."""

    def reissue() -> str:
        tf.backup_codes_hand_out(request)
        return _("Выданы новые резервные коды, прежние больше не действуют.")

    return _after_current_code(request, "backup_form", reissue)
