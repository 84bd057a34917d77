"""Forms of vacancies, their moderation and employers' profiles. They validate and
normalise; employers.services.vacancies writes."""

from __future__ import annotations

import datetime
import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from employers.models import Vacancy
from guidance.models import Profession
from resource_center.models import Organisation
from resource_center.validators import validate_inn

DATE_FORMATS = ["%Y-%m-%d", "%d.%m.%Y"]
MAX_SALARY = 10_000_000
MIN_AGE, MAX_AGE = 14, 70
ADULT_AGE = 18
MAX_YEARS_AHEAD = 2
MAX_TEXT = 5000
MAX_COMMENT = 2000

# ОКВЭД 2 codes: a class NN, then subclass, group, subgroup and kind (NN.N, NN.NN, NN.NN.N,
# NN.NN.NN); a third part only after a two-digit second one.
OKVED_RE = re.compile(r"^\d{2}(?:\.\d(?:\d(?:\.\d{1,2})?)?)?$")


def validate_okved(value: str) -> None:
    if not OKVED_RE.match(value):
        raise ValidationError(
            _(
                "Код ОКВЭД записывается цифрами через точку: NN, NN.N, NN.NN, NN.NN.N или "
                "NN.NN.NN, например 24.10."
            ),
            code="invalid_okved",
        )


def _one_line(value: str) -> str:
    return " ".join(value.split())


def _long_text(value: str, what: str) -> str:
    value = value.strip()
    if len(value) > MAX_TEXT:
        raise ValidationError(
            _("%(what)s: не длиннее %(n)s знаков.") % {"what": what, "n": MAX_TEXT},
            code="max_length",
        )
    return value


def _salary_field(label: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=0,
        max_value=MAX_SALARY,
        error_messages={
            "invalid": _("Укажите зарплату целым числом рублей, без пробелов и букв."),
            "min_value": _("Зарплата не может быть отрицательной."),
            "max_value": _("Зарплата не больше 10 000 000 ₽ в месяц: проверьте число."),
        },
        widget=forms.NumberInput(attrs={"min": 0, "max": MAX_SALARY, "step": 1}),
    )


class VacancyForm(forms.ModelForm):
    """A vacancy as its publisher enters it; the status moves through vacancy_transition."""

    salary_from = _salary_field(_("Зарплата от, ₽ в месяц"))
    salary_to = _salary_field(_("Зарплата до, ₽ в месяц"))
    min_age = forms.IntegerField(
        label=_("Возраст от, лет"),
        required=False,
        min_value=MIN_AGE,
        max_value=MAX_AGE,
        help_text=_("Оставьте пустым, если ограничений по возрасту нет."),
        error_messages={
            "invalid": _("Укажите возраст целым числом лет."),
            "min_value": _("Работать можно с 14 лет: укажите возраст от 14 до 70."),
            "max_value": _("Укажите возраст от 14 до 70 лет."),
        },
    )
    valid_until = forms.DateField(
        label=_("Действует до"),
        required=False,
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("После этой даты вакансия пропадёт из каталога. Можно оставить пустым."),
        error_messages={"invalid": _("Введите дату в виде ДД.ММ.ГГГГ.")},
    )

    class Meta:
        model = Vacancy
        fields = [
            "employer",
            "title",
            "profession",
            "salary_from",
            "salary_to",
            "schedule",
            "employment_type",
            "for_minors",
            "min_age",
            "for_graduates",
            "for_students",
            "is_summer_job",
            "requirements",
            "description",
            "address",
            "valid_until",
        ]
        labels = {
            "title": _("Должность"),
            "profession": _("Профессия"),
            "requirements": _("Требования"),
            "description": _("Обязанности и условия"),
            "address": _("Адрес места работы"),
        }
        widgets = {
            "requirements": forms.Textarea(attrs={"rows": 3}),
            "description": forms.Textarea(attrs={"rows": 5}),
        }
        help_texts = {
            "profession": _("По профессии вакансию найдут в каталоге и порекомендуют ученикам."),
            "for_minors": _(
                "Подросткам можно предлагать только лёгкий труд без вреда здоровью и учёбе "
                "(ст. 63 и 265 ТК РФ)."
            ),
        }
        error_messages = {
            "employer": {
                "required": _("Выберите работодателя."),
                "invalid_choice": _("Выберите работодателя из списка."),
            },
            "title": {
                "required": _("Укажите должность."),
                "max_length": _("Должность не длиннее %(limit_value)d знаков."),
            },
            "profession": {"invalid_choice": _("Выберите профессию из списка.")},
            "schedule": {"invalid_choice": _("Выберите график работы из списка.")},
            "employment_type": {"invalid_choice": _("Выберите тип занятости из списка.")},
            "address": {"max_length": _("Адрес не длиннее %(limit_value)d знаков.")},
        }

    def __init__(self, *args: Any, employers: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.creating = self.instance.pk is None
        employer = self.fields["employer"]
        choices = employers.filter(is_active=True)
        if not self.creating:
            choices = choices | Organisation.objects.filter(pk=self.instance.employer_id)
        employer.queryset = choices.select_related("district").order_by("short_name")
        employer.label_from_instance = lambda org: org.short_name
        employer.empty_label = _("выберите работодателя")
        if self.creating and len(employer.queryset) == 1:
            employer.initial = employer.queryset[0].pk
            employer.empty_label = None
        profession = self.fields["profession"]
        profession.queryset = Profession.objects.order_by("title")
        profession.required = False
        profession.empty_label = _("не указана")
        self.fields["schedule"].choices = [("", _("не указан")), *Vacancy.Schedule.choices]
        self.fields["employment_type"].choices = [
            ("", _("не указан")),
            *Vacancy.EmploymentType.choices,
        ]

    def clean_title(self) -> str:
        return _one_line(self.cleaned_data["title"])

    def clean_address(self) -> str:
        return _one_line(self.cleaned_data["address"])

    def clean_requirements(self) -> str:
        return _long_text(self.cleaned_data["requirements"], _("Требования"))

    def clean_description(self) -> str:
        return _long_text(self.cleaned_data["description"], _("Обязанности и условия"))

    def clean_valid_until(self) -> datetime.date | None:
        value = self.cleaned_data["valid_until"]
        if value is None:
            return None
        today = timezone.localdate()
        # A closed vacancy may keep its old date when a typo is fixed; anything that can be
        # published again needs a date ahead.
        unchanged = not self.creating and value == self.instance.valid_until
        if value < today and not (unchanged and self.instance.status == Vacancy.Status.CLOSED):
            raise ValidationError(
                _("Эта дата уже прошла: укажите сегодняшнюю или более позднюю."), code="past"
            )
        if value > today + datetime.timedelta(days=365 * MAX_YEARS_AHEAD):
            raise ValidationError(
                _("Срок действия — не дальше чем на два года вперёд."), code="far"
            )
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        low, high = data.get("salary_from"), data.get("salary_to")
        if low is not None and high is not None and low > high:
            self.add_error("salary_to", _("Зарплата «до» не может быть меньше зарплаты «от»."))
        min_age = data.get("min_age")
        if data.get("for_minors") and min_age is not None and min_age >= ADULT_AGE:
            self.add_error(
                "min_age",
                _(
                    "Вакансия отмечена как подходящая несовершеннолетним 14–17 лет, а возраст "
                    "«от» — %(age)s: укажите возраст не больше 17 или оставьте поле пустым."
                )
                % {"age": min_age},
            )
        if not data.get("for_minors") and min_age is not None and min_age < ADULT_AGE:
            self.add_error(
                "for_minors",
                _(
                    "Возраст «от» — %(age)s лет: если вакансия открыта подросткам, отметьте "
                    "«подходит несовершеннолетним»; иначе укажите возраст от 18."
                )
                % {"age": min_age},
            )
        return data

    def vacancy_data(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class TransitionForm(forms.Form):
    """One move of a vacancy; whether it is allowed is the service's decision."""

    to_status = forms.ChoiceField(
        choices=Vacancy.Status.choices,
        error_messages={
            "required": _("Не указано, что сделать с вакансией."),
            "invalid_choice": _("Такого статуса вакансии нет."),
        },
    )
    comment = forms.CharField(
        label=_("Замечания"),
        required=False,
        max_length=MAX_COMMENT,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"max_length": _("Замечания не длиннее %(limit_value)d знаков.")},
    )


class VacancyManageFilterForm(forms.Form):
    """The publisher's list: status and employer; a wrong value is dropped with a notice."""

    status = forms.ChoiceField(
        label=_("Статус"),
        required=False,
        choices=[("", _("все")), *Vacancy.Status.choices],
    )
    employer = forms.ModelChoiceField(
        label=_("Работодатель"),
        required=False,
        queryset=Organisation.objects.none(),
        empty_label=_("все"),
    )

    def __init__(self, *args: Any, employers: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["employer"]
        field.queryset = employers.order_by("short_name")
        field.label_from_instance = lambda org: org.short_name


class EmployerProfileForm(forms.ModelForm):
    """An employer's card. ИНН with its check digits, ОКВЭД as NN.NN.NN, contacts."""

    inn = forms.CharField(
        label=_("ИНН"),
        required=False,
        # Room for the spaces people copy from documents; the digits are checked below.
        max_length=20,
        help_text=_("10 цифр, у ИП — 12."),
        error_messages={"max_length": _("ИНН — 10 цифр у организации или 12 у предпринимателя.")},
    )
    website = forms.URLField(
        label=_("Сайт"),
        required=False,
        assume_scheme="https",
        max_length=200,
        error_messages={
            "invalid": _("Введите адрес сайта, например https://nytva.ru."),
            "max_length": _("Адрес сайта не длиннее %(limit_value)d знаков."),
        },
    )

    class Meta:
        model = Organisation
        fields = ["full_name", "short_name", "inn", "okved", "address", "phone", "email", "website"]
        error_messages = {
            "full_name": {
                "required": _("Укажите полное наименование."),
                "max_length": _("Полное наименование не длиннее %(limit_value)d знаков."),
            },
            "short_name": {
                "required": _("Укажите краткое наименование."),
                "max_length": _("Краткое наименование не длиннее %(limit_value)d знаков."),
            },
            "okved": {"max_length": _("Код ОКВЭД не длиннее %(limit_value)d знаков.")},
            "address": {"max_length": _("Адрес не длиннее %(limit_value)d знаков.")},
            "phone": {"max_length": _("Телефон не длиннее %(limit_value)d знаков.")},
            "email": {
                "invalid": _("Введите адрес электронной почты, например hr@nytva.ru."),
                "max_length": _("Адрес электронной почты не длиннее %(limit_value)d знаков."),
            },
        }
        help_texts = {
            "okved": _("Основной, например 24.10."),
            "phone": _("Например +7 (34272) 3-12-34."),
        }

    def clean_full_name(self) -> str:
        return _one_line(self.cleaned_data["full_name"])

    def clean_short_name(self) -> str:
        value = _one_line(self.cleaned_data["short_name"])
        taken = (
            Organisation.objects.filter(
                district_id=self.instance.district_id, kind=self.instance.kind, short_name=value
            )
            .exclude(pk=self.instance.pk)
            .exists()
        )
        if taken:
            raise ValidationError(
                _("В районе уже есть работодатель с таким кратким наименованием."), code="taken"
            )
        return value

    def clean_inn(self) -> str:
        # People copy ИНН with spaces from documents: the digits are what counts.
        value = re.sub(r"\s+", "", self.cleaned_data["inn"])
        if not value:
            return value
        validate_inn(value)
        if Organisation.objects.filter(inn=value).exclude(pk=self.instance.pk).exists():
            raise ValidationError(
                _(
                    "Организация с таким ИНН уже есть на портале. Проверьте цифры; если это "
                    "ваша организация, обратитесь к координатору ресурсного центра."
                ),
                code="inn_taken",
            )
        return value

    def clean_okved(self) -> str:
        value = self.cleaned_data["okved"].strip().replace(",", ".")
        if value:
            validate_okved(value)
        return value

    def clean_address(self) -> str:
        return _one_line(self.cleaned_data["address"])

    def clean_phone(self) -> str:
        return _one_line(self.cleaned_data["phone"])

    def profile_data(self) -> dict[str, Any]:
        return dict(self.cleaned_data)
