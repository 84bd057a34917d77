"""Forms with which a parent accepts an invitation code."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import SetPasswordMixin, UsernameField
from django.utils.translation import gettext_lazy as _

from students.services.invitations import (
    invitation_code_is_well_formed,
    invitation_code_normalise,
)

# One message for an unknown, used, expired or mistyped code: the form never says which,
# so that guessing tells nothing.
INVALID_CODE_MESSAGE = _(
    "Код приглашения не подошёл. Проверьте, что он введён без ошибок. Если код уже "
    "использован или срок его действия истёк, попросите у классного руководителя новый код."
)


class InvitationCodeField(forms.CharField):
    """A code as typed: any case, with or without dashes and spaces, Cyrillic look-alikes."""

    default_error_messages = {"invalid": INVALID_CODE_MESSAGE}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Код приглашения"))
        kwargs.setdefault("max_length", 40)
        kwargs.setdefault(
            "help_text",
            _("Код с листка, который выдал классный руководитель, например 7KQM-4XPA-9TRD."),
        )
        super().__init__(**kwargs)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        return {
            **super().widget_attrs(widget),
            "autocomplete": "off",
            "autocapitalize": "characters",
            "spellcheck": "false",
        }

    def clean(self, value: Any) -> str:
        code = invitation_code_normalise(super().clean(value))
        if not invitation_code_is_well_formed(code):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return code


class InvitationCodeForm(forms.Form):
    """For a parent already logged in: the code links one more child to the account."""

    code = InvitationCodeField()


class InvitationAcceptForm(SetPasswordMixin, InvitationCodeForm):
    """For a new parent: the code, a login and a password for the account to be created."""

    username = UsernameField(
        label=_("Логин"),
        max_length=150,
        validators=[get_user_model().username_validator],
        help_text=_(
            "Придумайте логин для входа: латинские или русские буквы, цифры и знаки @ . + - _"
        ),
    )
    password1, password2 = SetPasswordMixin.create_password_fields(
        label1=_("Пароль"), label2=_("Пароль ещё раз")
    )

    error_messages = {"password_mismatch": _("Пароли не совпадают.")}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        self.validate_passwords()
        # Only the login is known before the code is checked; the service repeats the check
        # with the guardian's name once the code has told whose account this is.
        self.validate_password_for_user(get_user_model()(username=cleaned.get("username", "")))
        return cleaned
