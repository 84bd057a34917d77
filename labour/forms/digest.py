"""The subscription to the labour-market digest."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from resource_center.models import District


class DigestSubscriptionForm(forms.Form):
    """One of the user's districts and which summaries to receive."""

    district = forms.ModelChoiceField(
        label=_("Район"),
        queryset=District.objects.none(),
        empty_label=None,
        error_messages={
            "required": _("Выберите район."),
            "invalid_choice": _("Подписаться можно только на сводки своего района."),
        },
    )
    weekly = forms.BooleanField(label=_("Еженедельные сводки"), required=False)
    monthly = forms.BooleanField(label=_("Ежемесячные сводки"), required=False)

    def __init__(self, *args: Any, districts: QuerySet[District], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = districts.order_by("name")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not (data.get("weekly") or data.get("monthly")):
            raise forms.ValidationError(
                _("Выберите хотя бы одну сводку: еженедельную или ежемесячную.")
            )
        return data
