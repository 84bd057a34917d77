"""Forms of placements: proposing a student, moving a placement, the list's filters and a
mentor's evaluation. They validate and normalise; employers.services.placements writes."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from employers.models import DualTrainingPlace, Placement
from employers.services.placements import MARKS, MAX_HOURS
from schools.models import Competence, Programme
from students.models import Student

DATE_FORMATS = ["%Y-%m-%d", "%d.%m.%Y"]
MAX_REASON = 2000
MAX_COMMENT = 2000
DATE_ERRORS = {
    "required": _("Укажите дату."),
    "invalid": _("Введите дату в виде ДД.ММ.ГГГГ."),
}


def _date_field(label: str, *, required: bool = True) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages=DATE_ERRORS,
    )


class StudentSelect(forms.Select):
    """A select whose options for students who cannot be proposed are disabled, with why."""

    def __init__(self, *args: Any, blocked: Mapping[str, str] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.blocked: Mapping[str, str] = blocked or {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        why = self.blocked.get(str(value))
        if why:
            option["attrs"]["disabled"] = True
            option["label"] = f"{label} — {why}"
        return option


class StudentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Student) -> str:
        return _("%(name)s, %(course)s курс, группа %(group)s") % {
            "name": obj.full_name,
            "course": obj.grade,
            "group": obj.class_letter or "—",
        }


class ProposalForm(forms.Form):
    """Which student of the programme the technikum proposes for the place."""

    student = StudentChoiceField(
        label=_("Студент"),
        queryset=Student.objects.none(),
        to_field_name="uuid",
        widget=StudentSelect,
        empty_label=_("— выберите студента —"),
        error_messages={
            "required": _("Выберите студента."),
            "invalid_choice": _("Выберите студента из списка."),
        },
    )

    def __init__(
        self,
        *args: Any,
        candidates: QuerySet[Student],
        blocked: Mapping[str, str],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["student"]
        field.queryset = candidates
        field.widget.blocked = blocked


class TransitionForm(forms.Form):
    """One move of a placement as posted by a button on its page."""

    to_status = forms.ChoiceField(
        choices=Placement.Status.choices,
        error_messages={
            "required": _("Не указано, что сделать с направлением."),
            "invalid_choice": _("Неизвестный статус направления."),
        },
    )
    reason = forms.CharField(
        label=_("Причина"),
        required=False,
        max_length=MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"max_length": _("Причина слишком длинная (до 2000 знаков).")},
    )
    contract_number = forms.CharField(
        label=_("Номер договора"),
        required=False,
        max_length=50,
        error_messages={"max_length": _("Номер договора — не длиннее 50 знаков.")},
    )
    contract_date = _date_field(_("Дата договора"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        status = data.get("to_status")
        if status in Placement.NEEDS_REASON and not data.get("reason", "").strip():
            self.add_error("reason", _("Укажите причину."))
        if status == Placement.Status.CONTRACT_SIGNED:
            if not " ".join(data.get("contract_number", "").split()):
                self.add_error("contract_number", _("Укажите номер ученического договора."))
            if data.get("contract_date") is None and "contract_date" not in self.errors:
                self.add_error("contract_date", _("Укажите дату ученического договора."))
        return data


class PlacementFilterForm(forms.Form):
    """The list's filters; a wrong value is reported and left out, never an error page."""

    status = forms.ChoiceField(
        label=_("Статус"),
        required=False,
        choices=[("", _("Все статусы")), *Placement.Status.choices],
    )
    place = forms.ModelChoiceField(
        label=_("Место"),
        required=False,
        queryset=DualTrainingPlace.objects.none(),
        to_field_name="uuid",
        empty_label=_("Все места"),
    )
    programme = forms.ModelChoiceField(
        label=_("Программа"),
        required=False,
        queryset=Programme.objects.none(),
        empty_label=_("Все программы"),
    )

    def __init__(
        self,
        *args: Any,
        places: QuerySet[DualTrainingPlace],
        programmes: QuerySet[Programme],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = places
        self.fields["place"].label_from_instance = lambda p: (
            f"{p.employer.short_name}: {p.workplace} ({p.starts_on:%Y}/{p.ends_on:%y})"
        )
        self.fields["programme"].queryset = programmes

    def values(self) -> dict[str, Any]:
        """The valid filters only: each field is checked on its own."""
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        return {name: cleaned.get(name) for name in self.fields if name not in self.errors}


MARK_CHOICES = [(m, str(m)) for m in MARKS]


class EvaluationForm(forms.Form):
    """A mentor's evaluation: the date, the hours and a mark 1–5 per competence."""

    evaluated_on = _date_field(_("Дата оценки"))
    hours_worked = forms.IntegerField(
        label=_("Отработано часов"),
        min_value=0,
        max_value=MAX_HOURS,
        help_text=_("С прошлой оценки, от 0 до 744."),
        error_messages={
            "required": _("Укажите, сколько часов отработано."),
            "invalid": _("Часы — целое число."),
            "min_value": _("Часы — целое число от 0 до 744."),
            "max_value": _("Часы — целое число от 0 до 744."),
        },
    )
    comment = forms.CharField(
        label=_("Комментарий наставника"),
        required=False,
        max_length=MAX_COMMENT,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": _("Комментарий слишком длинный (до 2000 знаков).")},
    )

    def __init__(
        self,
        *args: Any,
        competences: list[Competence],
        today: datetime.date,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.competences = competences
        self.fields["evaluated_on"].initial = today
        for competence in competences:
            self.fields[self.mark_name(competence)] = forms.TypedChoiceField(
                label=competence.title,
                choices=MARK_CHOICES,
                coerce=int,
                widget=forms.RadioSelect(attrs={"class": "form-check-inline"}),
                error_messages={
                    "required": _("Поставьте отметку от 1 до 5."),
                    "invalid_choice": _("Отметка — от 1 до 5."),
                },
            )
        # The marks come between the hours and the comment.
        order = ["evaluated_on", "hours_worked", *self.mark_names(), "comment"]
        self.order_fields(order)

    @staticmethod
    def mark_name(competence: Competence) -> str:
        return f"mark_{competence.pk}"

    def mark_names(self) -> list[str]:
        return [self.mark_name(c) for c in self.competences]

    def mark_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.mark_names()]

    def marks(self) -> dict[int, int]:
        return {c.pk: self.cleaned_data[self.mark_name(c)] for c in self.competences}
