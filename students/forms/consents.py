"""Consents: recorded from a paper form by staff, or given online by a parent."""

from __future__ import annotations

import datetime
from typing import Any

from crispy_forms.helper import FormHelper
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from students.forms.pupils import DATE_FORMATS, date_input
from students.models import Consent, Student


def _helper() -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    return helper


class ConsentForm(forms.ModelForm):
    """A guardian's signed consent, entered by the school: who, what, when, which document."""

    class Meta:
        model = Consent
        fields = ["guardian", "scope", "given_on", "document_number"]
        widgets = {"given_on": date_input()}
        error_messages = {
            "guardian": {
                "required": _("Выберите родителя, который дал согласие."),
                "invalid_choice": _("Выберите одного из родителей этого обучающегося."),
            },
            "scope": {
                "required": _("Выберите, на что дано согласие."),
                "invalid_choice": _("Выберите, на что дано согласие, из списка."),
            },
            "given_on": {
                "required": _("Укажите дату согласия."),
                "invalid": _("Введите дату согласия в виде ДД.ММ.ГГГГ."),
            },
        }

    def __init__(self, *args: Any, student: Student, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.student = student
        self.fields["guardian"].queryset = student.guardians.order_by("relation", "last_name")
        self.fields["guardian"].empty_label = None
        self.fields["given_on"].input_formats = DATE_FORMATS
        self.fields["given_on"].initial = timezone.localdate()
        self.fields["document_number"].help_text = _(
            "Номер или иная отметка бумажного заявления, по которой его можно найти."
        )
        self.helper = _helper()

    def clean_given_on(self) -> datetime.date:
        value = self.cleaned_data["given_on"]
        if value > timezone.localdate():
            raise ValidationError(_("Дата согласия не может быть в будущем."), code="future")
        if value < self.student.birth_date:
            raise ValidationError(
                _("Дата согласия не может быть раньше даты рождения обучающегося."),
                code="before_birth",
            )
        return value

    def clean_document_number(self) -> str:
        return " ".join(self.cleaned_data["document_number"].split())


class ParentConsentForm(forms.Form):
    """A parent's own consent given on the portal: the scope and an explicit confirmation."""

    scope = forms.ChoiceField(
        label=_("На что даёте согласие"),
        choices=Consent.Scope.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Выберите, на что даёте согласие."),
            "invalid_choice": _("Выберите, на что даёте согласие, из списка."),
        },
    )
    confirm = forms.BooleanField(
        label=_(
            "Я — родитель (законный представитель) ребёнка и даю согласие на обработку его "
            "персональных данных в выбранных целях. Я знаю, что могу отозвать согласие в любой "
            "момент на этой странице."
        ),
        error_messages={"required": _("Подтвердите, что даёте согласие.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper()
