"""Forms of the class activities: which class, the activity itself and who was absent, the
list's filters. They validate and normalise; services write."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from crispy_forms.helper import FormHelper
from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from career_minimum.models import MAX_HOURS, MIN_HOURS, Activity, Direction, SchoolPlan
from career_minimum.selectors_activities import SchoolClass, class_choices
from resource_center.models import Organisation
from students.models import Student, current_academic_year

DATE_FORMATS = ["%Y-%m-%d", "%d.%m.%Y"]
TOPIC_MAX = Activity._meta.get_field("topic").max_length


def _helper() -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    return helper


class ClassChoiceForm(forms.Form):
    """The class the activity is for, among the classes of the user's schools that have
    pupils this year (grouped by school when there are several)."""

    school_class = forms.ChoiceField(
        label=_("Класс"),
        error_messages={
            "required": _("Выберите класс."),
            "invalid_choice": _("Выберите класс из списка: в нём должны быть обучающиеся."),
        },
    )

    def __init__(self, *args: Any, classes: list[SchoolClass], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.classes = {c.key: c for c in classes}
        self.fields["school_class"].choices = [("", "—"), *class_choices(classes)]
        self.helper = _helper()

    def clean_school_class(self) -> SchoolClass:
        return self.classes[self.cleaned_data["school_class"]]


class ActivityForm(forms.Form):
    """Date, hours, direction and topic of an activity; for a new one also the class's
    pupils, each with a «was absent» tick."""

    held_on = forms.DateField(
        label=_("Дата"),
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": _("Укажите дату занятия."),
            "invalid": _("Введите дату в виде ДД.ММ.ГГГГ."),
        },
    )
    hours = forms.DecimalField(
        label=_("Часов"),
        min_value=MIN_HOURS,
        max_value=MAX_HOURS,
        max_digits=4,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.25", "min": MIN_HOURS, "max": MAX_HOURS}),
        help_text=_("Урок — 1 час (академический); от 0,25 до 8."),
        error_messages={
            "required": _("Укажите продолжительность в часах."),
            "invalid": _("Укажите часы числом, например 1 или 1,5."),
            "min_value": _("Продолжительность — не меньше 0,25 часа."),
            "max_value": _("Продолжительность — не больше 8 часов."),
            "max_digits": _("Укажите часы не точнее сотых."),
            "max_decimal_places": _("Укажите часы не точнее сотых."),
            "max_whole_digits": _("Продолжительность — не больше 8 часов."),
        },
    )
    direction = forms.ChoiceField(
        label=_("Направление"),
        error_messages={
            "required": _("Выберите направление."),
            "invalid_choice": _("Выберите направление из списка."),
        },
    )
    topic = forms.CharField(
        label=_("Тема"),
        max_length=TOPIC_MAX,
        help_text=_("Например: «Россия индустриальная: атомная промышленность»."),
        error_messages={
            "required": _("Укажите тему занятия."),
            "max_length": _("Тема не длиннее %(limit_value)d знаков."),
        },
    )
    absent = forms.MultipleChoiceField(
        label=_("Отсутствовали"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": _("Список класса изменился: обновите страницу и отметьте снова."),
            "invalid_list": _("Список класса изменился: обновите страницу и отметьте снова."),
        },
    )

    def __init__(
        self,
        *args: Any,
        pupils: list[Student] | None = None,
        activity: Activity | None = None,
        **kwargs: Any,
    ) -> None:
        if activity is not None:
            kwargs.setdefault(
                "initial",
                {
                    "held_on": activity.held_on,
                    "hours": activity.hours,
                    "direction": activity.direction_id,
                    "topic": activity.topic,
                },
            )
        super().__init__(*args, **kwargs)
        # A direction switched off later still shows on the activities that have it.
        offered = Q(is_active=True)
        if activity is not None:
            offered |= Q(pk=activity.direction_id)
        self.directions = {
            str(d.pk): d for d in Direction.objects.filter(offered).order_by("position", "title")
        }
        self.fields["direction"].choices = [(k, d.title) for k, d in self.directions.items()]
        if pupils is None:
            del self.fields["absent"]
        else:
            self.pupils = {str(p.uuid): p for p in pupils}
            self.fields["absent"].choices = [(k, p.full_name) for k, p in self.pupils.items()]
        if activity is None:
            self.fields["held_on"].initial = timezone.localdate
            self.fields["hours"].initial = Decimal("1")
            self.fields["direction"].initial = next(
                (k for k, d in self.directions.items() if d.slug == Direction.HORIZONS), None
            )
        self.helper = _helper()

    def clean_direction(self) -> Direction:
        return self.directions[self.cleaned_data["direction"]]

    def clean_absent(self) -> list[Student]:
        return [self.pupils[k] for k in self.cleaned_data["absent"]]

    def clean_topic(self) -> str:
        return " ".join(self.cleaned_data["topic"].split())

    def clean_held_on(self) -> datetime.date:
        value = self.cleaned_data["held_on"]
        if value > timezone.localdate():
            raise forms.ValidationError(
                _("Занятие ещё не прошло: внесите его в день проведения или позже."),
                code="future",
            )
        return value

    def activity_data(self) -> dict[str, Any]:
        """The cleaned values for the services, without the absent pupils."""
        return {k: v for k, v in self.cleaned_data.items() if k != "absent"}


class ActivityFilterForm(forms.Form):
    """The list's filters; a wrong value is dropped, never an error page."""

    school_class = forms.ChoiceField(label=_("Класс"), required=False)
    direction = forms.ChoiceField(label=_("Направление"), required=False)

    def __init__(self, *args: Any, classes: list[SchoolClass], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.classes = {c.key: c for c in classes}
        self.fields["school_class"].choices = [
            ("", _("Все классы")),
            *class_choices(classes),
        ]
        directions = Direction.objects.order_by("position", "title").values_list("pk", "title")
        self.fields["direction"].choices = [
            ("", _("Все направления")),
            *((str(pk), title) for pk, title in directions),
        ]

    def filters(self) -> dict[str, Any]:
        """The valid filters: ``school_class`` (a SchoolClass) and ``direction_id``."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        direction = data.get("direction")
        return {
            "school_class": self.classes.get(data.get("school_class") or ""),
            "direction_id": int(direction) if direction else None,
        }


# --- the school's level of the year -----------------------------------------------------


def year_label(year: int) -> str:
    return f"{year}/{(year + 1) % 100:02d}"


class SchoolPlanForm(forms.Form):
    school = forms.ModelChoiceField(
        label=_("Школа"),
        queryset=Organisation.objects.none(),
        error_messages={
            "required": _("Выберите школу."),
            "invalid_choice": _("Эта школа вам недоступна: выберите школу из списка."),
        },
    )
    academic_year = forms.TypedChoiceField(
        label=_("Учебный год"),
        coerce=int,
        error_messages={
            "required": _("Выберите учебный год."),
            "invalid_choice": _("Уровень выбирается на текущий или следующий учебный год."),
        },
    )
    level = forms.ChoiceField(
        label=_("Уровень профминимума"),
        choices=SchoolPlan.Level.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Выберите уровень: базовый, основной или продвинутый."),
            "invalid_choice": _("Такого уровня нет: выберите базовый, основной или продвинутый."),
        },
    )

    def __init__(self, *args: Any, schools: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools
        year = current_academic_year()
        self.fields["academic_year"].choices = [(y, year_label(y)) for y in (year, year + 1)]
        self.fields["academic_year"].initial = year
