"""Forms of career events: the event itself, the calendar's filters, registering pupils,
attendance marks and a pupil's feedback. They validate and normalise; services write."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from crispy_forms.helper import FormHelper
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from career_minimum.models import Direction
from guidance.models import Event, Registration, Scale
from resource_center.models import Organisation
from schools.models import Programme
from students.models import Student

DATE_FORMATS = ["%Y-%m-%d", "%d.%m.%Y"]
TIME_FORMATS = ["%H:%M", "%H:%M:%S"]
GRADES = range(1, 12)
MAX_CAPACITY = 1000
MAX_DAYS = 14
MAX_YEARS_AHEAD = 2
MAX_CAREER_HOURS = Decimal("40")
DEFAULT_CAREER_HOURS: Decimal = Event._meta.get_field("career_hours").default


def _helper() -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    return helper


def _one_line(value: str) -> str:
    return " ".join(value.split())


def _date_time_field(label: str) -> forms.SplitDateTimeField:
    return forms.SplitDateTimeField(
        label=label,
        input_date_formats=DATE_FORMATS,
        input_time_formats=TIME_FORMATS,
        widget=forms.SplitDateTimeWidget(
            date_attrs={"type": "date"},
            time_attrs={"type": "time"},
            date_format="%Y-%m-%d",
            time_format="%H:%M",
        ),
        error_messages={
            "required": _("Укажите дату и время."),
            "incomplete": _("Укажите и дату, и время."),
            "invalid_date": _("Введите дату в виде ДД.ММ.ГГГГ."),
            "invalid_time": _("Введите время в виде ЧЧ:ММ."),
        },
    )


def _grade_field(label: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=GRADES.start,
        max_value=GRADES.stop - 1,
        error_messages={
            "required": _("Укажите класс от 1 до 11."),
            "invalid": _("Укажите класс числом от 1 до 11."),
            "min_value": _("Укажите класс от 1 до 11."),
            "max_value": _("Укажите класс от 1 до 11."),
        },
    )


class EventForm(forms.ModelForm):
    """An event as its organiser publishes it; cancelling is a tick on the edit form."""

    starts_at = _date_time_field(_("Начало"))
    ends_at = _date_time_field(_("Окончание"))
    min_grade = _grade_field(_("Для классов с"))
    max_grade = _grade_field(_("по"))
    capacity = forms.IntegerField(
        label=_("Мест"),
        min_value=1,
        max_value=MAX_CAPACITY,
        error_messages={
            "required": _("Укажите, сколько обучающихся можно записать."),
            "invalid": _("Укажите число мест целым числом."),
            "min_value": _("Мест должно быть не меньше одного."),
            "max_value": _("Мест может быть не больше %(limit_value)s."),
        },
    )
    career_direction = forms.ModelChoiceField(
        label=_("Направление профминимума"),
        queryset=Direction.objects.none(),
        required=False,
        empty_label=_("Профориентационные мероприятия (по умолчанию)"),
        help_text=_("В какое направление профминимума засчитать часы тем, кто был на мероприятии."),
        error_messages={"invalid_choice": _("Выберите направление профминимума из списка.")},
    )
    career_hours = forms.DecimalField(
        label=_("Часов профминимума"),
        required=False,
        min_value=Decimal("0"),
        max_value=MAX_CAREER_HOURS,
        max_digits=4,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.5", "min": "0", "max": "40"}),
        error_messages={
            "invalid": _("Укажите часы числом, например 2 или 1,5."),
            "min_value": _("Часов профминимума не может быть меньше нуля."),
            "max_value": _("Часов профминимума — не больше %(limit_value)s."),
            "max_digits": _("Укажите часы не точнее сотых."),
            "max_decimal_places": _("Укажите часы не точнее сотых."),
            "max_whole_digits": _("Часов профминимума — не больше 40."),
        },
    )

    class Meta:
        model = Event
        fields = [
            "kind",
            "title",
            "organiser",
            "starts_at",
            "ends_at",
            "place",
            "min_grade",
            "max_grade",
            "capacity",
            "description",
            "programme",
            "interest_types",
            "career_direction",
            "career_hours",
            "is_public",
            "is_cancelled",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 5}),
            "interest_types": forms.CheckboxSelectMultiple,
        }
        error_messages = {
            "kind": {
                "required": _("Выберите вид мероприятия."),
                "invalid_choice": _("Выберите вид мероприятия из списка."),
            },
            "title": {
                "required": _("Введите название мероприятия."),
                "max_length": _("Название не длиннее %(limit_value)d знаков."),
            },
            "organiser": {
                "required": _("Выберите организатора."),
                "invalid_choice": _("Выберите организатора из списка."),
            },
            "place": {
                "required": _("Укажите место проведения."),
                "max_length": _("Место проведения не длиннее %(limit_value)d знаков."),
            },
            "programme": {"invalid_choice": _("Выберите программу техникума из списка.")},
            "interest_types": {
                "invalid_choice": _("Выберите типы интересов из списка."),
                "invalid_pk_value": _("Выберите типы интересов из списка."),
            },
        }
        help_texts = {
            "programme": _("Если мероприятие знакомит с программой техникума."),
            "interest_types": _("Кому из обучающихся мероприятие подойдёт по результатам анкет."),
        }

    def __init__(
        self, *args: Any, organisers: QuerySet[Organisation], registered: int = 0, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.creating = self.instance.pk is None
        self.registered = registered
        organiser = self.fields["organiser"]
        if not self.creating:
            organisers = organisers | Organisation.objects.filter(pk=self.instance.organiser_id)
        organiser.queryset = organisers.select_related("district").order_by(
            "district__name", "kind", "short_name"
        )
        if self.creating and len(organiser.queryset) == 1:
            organiser.initial = organiser.queryset[0].pk
            organiser.empty_label = None
        self.fields["programme"].queryset = (
            Programme.objects.published()
            .filter(technikum__district__in=organisers.values("district"))
            .select_related("technikum")
            .order_by("technikum__short_name", "okso_code", "title")
        )
        self.fields["interest_types"].queryset = Scale.objects.select_related(
            "questionnaire"
        ).order_by("questionnaire", "order", "code")
        directions = Direction.objects.filter(is_active=True)
        if self.instance.career_direction_id:
            # A direction switched off later still shows on the events that have it.
            directions = directions | Direction.objects.filter(pk=self.instance.career_direction_id)
        self.fields["career_direction"].queryset = directions.order_by("position", "title")
        self.fields["career_hours"].help_text = _(
            "Сколько часов засчитать каждому обучающемуся, отмеченному как присутствовавший "
            "(0 — не засчитывать). Пусто — %(default)s ч."
        ) % {"default": f"{DEFAULT_CAREER_HOURS:g}"}
        if self.creating:
            del self.fields["is_cancelled"]
            self.fields["min_grade"].initial = Event._meta.get_field("min_grade").default
            self.fields["max_grade"].initial = Event._meta.get_field("max_grade").default
            self.fields["starts_at"].initial = _next_morning()
            self.fields["ends_at"].initial = _next_morning() + datetime.timedelta(hours=2)
        else:
            self.fields["is_cancelled"].help_text = _(
                "Отменённое мероприятие видят только организаторы; записаться на него нельзя."
            )
            if registered:
                self.fields["capacity"].help_text = _("Уже записано: %(n)s.") % {"n": registered}
        self.helper = _helper()

    def clean_title(self) -> str:
        return _one_line(self.cleaned_data["title"])

    def clean_career_hours(self) -> Decimal:
        value = self.cleaned_data["career_hours"]
        return DEFAULT_CAREER_HOURS if value is None else value

    def clean_place(self) -> str:
        return _one_line(self.cleaned_data["place"])

    def clean_description(self) -> str:
        value = self.cleaned_data["description"].strip()
        if len(value) > 5000:
            raise ValidationError(_("Описание не длиннее 5000 знаков."), code="max_length")
        return value

    def clean_capacity(self) -> int:
        value = self.cleaned_data["capacity"]
        if value < self.registered:
            raise ValidationError(
                _("На мероприятие уже записано обучающихся: %(n)s. Мест не может быть меньше."),
                code="below",
                params={"n": self.registered},
            )
        return value

    def clean_starts_at(self) -> datetime.datetime:
        value = self.cleaned_data["starts_at"]
        now = timezone.now()
        # The form edits to the minute: an event already under way keeps its start.
        unchanged = not self.creating and value == self.instance.starts_at.replace(
            second=0, microsecond=0
        )
        if not unchanged and value < now:
            raise ValidationError(_("Это время уже прошло: проверьте дату начала."), code="past")
        if value > now + datetime.timedelta(days=365 * MAX_YEARS_AHEAD):
            raise ValidationError(
                _("Мероприятие можно запланировать не дальше чем на два года вперёд."),
                code="far",
            )
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends:
            if ends <= starts:
                self.add_error("ends_at", _("Окончание должно быть позже начала."))
            elif ends - starts > datetime.timedelta(days=MAX_DAYS):
                self.add_error(
                    "ends_at",
                    _("Мероприятие не может длиться дольше %(n)s дней.") % {"n": MAX_DAYS},
                )
        low, high = data.get("min_grade"), data.get("max_grade")
        if low and high and low > high:
            self.add_error("max_grade", _("Последний класс не может быть меньше первого."))
        return data

    def event_data(self) -> dict[str, Any]:
        """The cleaned values for the service, without the many-to-many interest types."""
        return {k: v for k, v in self.cleaned_data.items() if k != "interest_types"}


def _next_morning() -> datetime.datetime:
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(tomorrow, datetime.time(10)))


# --- the calendar -----------------------------------------------------------------------

UPCOMING, PAST = "upcoming", "past"
LIST, MONTH = "list", "month"
_MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")


class EventFilterForm(forms.Form):
    """The calendar's filters; a wrong value is dropped with a notice, never an error page."""

    kind = forms.ChoiceField(
        label=_("Вид"), required=False, choices=[("", _("Все виды")), *Event.Kind.choices]
    )
    grade = forms.TypedChoiceField(
        label=_("Класс"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("Все классы"))] + [(str(g), _("%(g)s класс") % {"g": g}) for g in GRADES],
    )
    period = forms.ChoiceField(
        label=_("Когда"),
        required=False,
        choices=[(UPCOMING, _("Предстоящие")), (PAST, _("Прошедшие"))],
    )


def parse_month(value: str) -> datetime.date | None:
    """«2026-10» as the first day of the month; None for anything else."""
    match = _MONTH_RE.match(value.strip())
    if not match:
        return None
    year, month = int(match[1]), int(match[2])
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        return None
    return datetime.date(year, month, 1)


# --- registering pupils -----------------------------------------------------------------


class RegistrationForm(forms.Form):
    """The ticked pupils, each of whom must be registerable now (consents held, not yet
    registered, the user's own); the service checks all of it again under the lock."""

    students = forms.ModelMultipleChoiceField(
        label=_("Обучающиеся"),
        queryset=Student.objects.none(),
        to_field_name="uuid",
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Отметьте хотя бы одного обучающегося."),
            "invalid_choice": _(
                "Кого-то из отмеченных записать нельзя (нет согласия или уже записан): "
                "обновите страницу и отметьте снова."
            ),
            "invalid_pk_value": _("Список обучающихся устарел: обновите страницу."),
        },
    )

    def __init__(self, *args: Any, students: QuerySet[Student], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["students"].queryset = students


# --- attendance -------------------------------------------------------------------------

ATTENDED, ABSENT = "yes", "no"
_MARKS = {"": None, ATTENDED: True, ABSENT: False}


def _mark(value: str) -> bool | None:
    return _MARKS[value]


class AttendanceForm(forms.Form):
    """One «был / не был / не отмечено» choice per listed registration."""

    def __init__(self, *args: Any, registrations: Iterable[Registration], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.registrations = list(registrations)
        for registration in self.registrations:
            current = {True: ATTENDED, False: ABSENT, None: ""}[registration.attended]
            self.fields[self.field_name(registration)] = forms.TypedChoiceField(
                label=registration.student.full_name,
                choices=[
                    (ATTENDED, _("был")),
                    (ABSENT, _("не был")),
                    ("", _("не отмечено")),
                ],
                coerce=_mark,
                empty_value=None,
                required=False,
                initial=current,
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
                error_messages={"invalid_choice": _("Выберите отметку из списка.")},
            )

    @staticmethod
    def field_name(registration: Registration) -> str:
        return f"r-{registration.uuid}"

    def rows(self) -> list[tuple[Registration, forms.BoundField]]:
        return [(r, self[self.field_name(r)]) for r in self.registrations]

    def marks(self) -> dict[Registration, bool | None]:
        """The mark of every listed registration (a missing one leaves it unmarked)."""
        return {r: self.cleaned_data.get(self.field_name(r)) for r in self.registrations}


# --- feedback ---------------------------------------------------------------------------


class FeedbackForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("Оценка"),
        choices=[(str(n), str(n)) for n in range(5, 0, -1)],
        coerce=int,
        widget=forms.RadioSelect,
        help_text=_("5 — очень понравилось, 1 — совсем не понравилось."),
        error_messages={
            "required": _("Поставьте оценку от 1 до 5."),
            "invalid_choice": _("Поставьте оценку от 1 до 5."),
        },
    )
    comment = forms.CharField(
        label=_("Отзыв"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Что понравилось, что нет, что хотелось бы ещё узнать (до 1000 знаков)."),
        error_messages={"max_length": _("Отзыв не длиннее %(limit_value)d знаков.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper()
