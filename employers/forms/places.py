"""The form of a dual-training place. It validates and normalises; services write."""

from __future__ import annotations

import datetime
from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Field, Fieldset, Layout, Row
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from employers.models import DualTrainingPlace
from employers.services.places import (
    PERIOD_INVALID,
    PLACE_FIELDS,
    PLACE_TAKEN,
    PROGRAMME_NOT_PUBLISHED,
    SEATS_BELOW_HELD,
    next_statuses,
)
from resource_center.models import Organisation
from schools.models import Programme

Status = DualTrainingPlace.Status
DATE_FORMATS = ["%Y-%m-%d", "%d.%m.%Y"]
MAX_SEATS = 500
MAX_STIPEND = 1_000_000
MAX_PERIOD_DAYS = 366 * 5
MAX_TEXT = 5000


def _one_line(value: str) -> str:
    return " ".join(value.split())


def _date_field(label: str) -> forms.DateField:
    return forms.DateField(
        label=label,
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": _("Укажите дату."),
            "invalid": _("Введите дату в виде ДД.ММ.ГГГГ."),
        },
    )


class PlaceForm(forms.ModelForm):
    """A place as the technikum publishes it: a dual programme of one of the user's
    technikums, an active employer of the district, the mentor and the terms."""

    seats = forms.IntegerField(
        label=_("Мест"),
        min_value=1,
        max_value=MAX_SEATS,
        error_messages={
            "required": _("Укажите, сколько студентов может принять работодатель."),
            "invalid": _("Укажите число мест целым числом."),
            "min_value": _("Мест должно быть не меньше одного."),
            "max_value": _("Мест может быть не больше %(limit_value)s."),
        },
    )
    starts_on = _date_field(_("Начало"))
    ends_on = _date_field(_("Окончание"))
    stipend = forms.IntegerField(
        label=_("Стипендия от предприятия, ₽ в месяц"),
        required=False,
        min_value=0,
        max_value=MAX_STIPEND,
        help_text=_("Если предприятие её платит."),
        error_messages={
            "invalid": _("Укажите стипендию целым числом рублей."),
            "min_value": _("Стипендия не может быть отрицательной."),
            "max_value": _("Проверьте сумму стипендии: не больше %(limit_value)s ₽."),
        },
    )

    class Meta:
        model = DualTrainingPlace
        fields = list(PLACE_FIELDS)
        widgets = {
            "requirements": forms.Textarea(attrs={"rows": 4}),
            "mentor_phone": forms.TextInput(
                attrs={"type": "tel", "placeholder": "+7 (34272) 3-12-34"}
            ),
        }
        error_messages = {
            "programme": {
                "required": _("Выберите программу."),
                "invalid_choice": _("Выберите программу из списка."),
            },
            "employer": {
                "required": _("Выберите работодателя."),
                "invalid_choice": _("Выберите работодателя из списка."),
            },
            "workplace": {
                "required": _("Укажите рабочее место или участок."),
                "max_length": _("Не длиннее %(limit_value)d знаков."),
            },
            "address": {"max_length": _("Адрес не длиннее %(limit_value)d знаков.")},
            "mentor_name": {"max_length": _("ФИО не длиннее %(limit_value)d знаков.")},
            "mentor_position": {"max_length": _("Должность не длиннее %(limit_value)d знаков.")},
            "mentor_email": {
                "invalid": _("Введите e-mail в виде имя@домен, например ivanova@mail.ru.")
            },
            "schedule": {"max_length": _("Не длиннее %(limit_value)d знаков.")},
            "status": {
                "required": _("Выберите статус."),
                "invalid_choice": _("Такой статус сейчас выбрать нельзя."),
            },
        }
        help_texts = {
            "mentor_name": _(
                "Имя и контакты наставника видят только сотрудники, вошедшие на портал."
            ),
            "status": _("Опубликованное место видят все посетители портала."),
        }

    def __init__(
        self,
        *args: Any,
        programmes: QuerySet[Programme],
        employers: QuerySet[Organisation],
        held: int = 0,
        has_placements: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.creating = self.instance.pk is None
        self.held = held
        programme, employer = self.fields["programme"], self.fields["employer"]
        if not self.creating:
            programmes = programmes | Programme.objects.filter(pk=self.instance.programme_id)
            employers = employers | Organisation.objects.filter(pk=self.instance.employer_id)
        programme.queryset = programmes.select_related("technikum").order_by(
            "technikum__short_name", "okso_code", "form_of_study", "pk"
        )
        programme.label_from_instance = self._programme_label
        employer.queryset = employers.order_by("short_name", "pk")
        employer.label_from_instance = lambda o: o.short_name or o.full_name
        if self.creating:
            choices = list(programme.queryset)
            if len(choices) == 1:
                programme.initial = choices[0].pk
                programme.empty_label = None
        elif has_placements:
            # Students are already sent there: the place stays theirs (the service agrees).
            for name in ("programme", "employer"):
                self.fields[name].disabled = True
                self.fields[name].help_text = _("На место уже направлены студенты.")
        current = Status.DRAFT if self.creating else self.instance.status
        allowed = (
            [Status.DRAFT, Status.PUBLISHED]
            if self.creating
            else [current, *next_statuses(current)]
        )
        self.fields["status"].choices = [(s, Status(s).label) for s in allowed]
        if held:
            self.fields["seats"].help_text = _(
                "Занято согласованными и обучающимися студентами: %(n)s."
            ) % {"n": held}
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Fieldset(
                _("Программа и работодатель"),
                Field("programme"),
                Field("employer"),
                Row(
                    Column("workplace", css_class="col-md-6"),
                    Column("address", css_class="col-md-6"),
                ),
            ),
            Fieldset(
                _("Наставник"),
                Row(
                    Column("mentor_name", css_class="col-md-6"),
                    Column("mentor_position", css_class="col-md-6"),
                ),
                Row(
                    Column("mentor_phone", css_class="col-md-6"),
                    Column("mentor_email", css_class="col-md-6"),
                ),
            ),
            Fieldset(
                _("Условия"),
                Row(
                    Column("seats", css_class="col-md-4"),
                    Column("starts_on", css_class="col-md-4"),
                    Column("ends_on", css_class="col-md-4"),
                ),
                Row(
                    Column("schedule", css_class="col-md-8"),
                    Column("stipend", css_class="col-md-4"),
                ),
                Field("requirements"),
            ),
            Field("status"),
        )

    @staticmethod
    def _programme_label(programme: Programme) -> str:
        form = str(programme.get_form_of_study_display()).lower()
        label = f"{programme.okso_code} {programme.title}, {form}"
        if not programme.is_published:
            label += f" ({_('не опубликована')})"
        return label

    # --- one field at a time -----------------------------------------------------------

    def clean_workplace(self) -> str:
        return _one_line(self.cleaned_data["workplace"])

    def clean_address(self) -> str:
        return _one_line(self.cleaned_data["address"])

    def clean_mentor_name(self) -> str:
        return _one_line(self.cleaned_data["mentor_name"])

    def clean_mentor_position(self) -> str:
        return _one_line(self.cleaned_data["mentor_position"])

    def clean_mentor_phone(self) -> str:
        value = _one_line(self.cleaned_data["mentor_phone"])
        if value and not 6 <= sum(ch.isdigit() for ch in value) <= 15:
            raise ValidationError(
                _("Введите телефон цифрами, например +7 (34272) 3-12-34."), code="invalid_phone"
            )
        return value

    def clean_schedule(self) -> str:
        return _one_line(self.cleaned_data["schedule"])

    def clean_requirements(self) -> str:
        value = self.cleaned_data["requirements"].strip()
        if len(value) > MAX_TEXT:
            raise ValidationError(
                _("Не длиннее %(n)s знаков."), code="max_length", params={"n": MAX_TEXT}
            )
        return value

    def clean_seats(self) -> int:
        value = self.cleaned_data["seats"]
        if value < self.held:
            raise ValidationError(SEATS_BELOW_HELD, code="below_held", params={"held": self.held})
        return value

    # --- across fields -----------------------------------------------------------------

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends:
            if ends < starts:
                self.add_error("ends_on", PERIOD_INVALID)
            elif ends - starts > datetime.timedelta(days=MAX_PERIOD_DAYS):
                self.add_error("ends_on", _("Период обучения не длиннее пяти лет."))
        if data.get("status") == Status.PUBLISHED:
            if "mentor_name" in data and not data["mentor_name"]:
                self.add_error("mentor_name", _("У опубликованного места укажите наставника."))
            if "address" in data and not data["address"]:
                self.add_error("address", _("У опубликованного места укажите адрес."))
            programme = data.get("programme")
            if programme is not None and not programme.is_published:
                self.add_error("programme", PROGRAMME_NOT_PUBLISHED)
        key = ("programme", "employer", "workplace", "starts_on")
        if all(data.get(k) for k in key):
            clash = DualTrainingPlace.objects.filter(**{k: data[k] for k in key}).exclude(
                pk=self.instance.pk
            )
            if clash.exists():
                # On a field, so the model's own unique check (in Django's words) is skipped.
                self.add_error("workplace", PLACE_TAKEN)
        return data

    def place_data(self) -> dict[str, Any]:
        """The cleaned values for the service."""
        return {k: self.cleaned_data[k] for k in PLACE_FIELDS if k in self.cleaned_data}


class PlaceTransitionForm(forms.Form):
    """A status button on the place's page: the status the place is to move to."""

    to = forms.ChoiceField(
        choices=Status.choices,
        error_messages={
            "required": _("Не указано, в какой статус перевести место."),
            "invalid_choice": _("Такого статуса нет."),
        },
    )
