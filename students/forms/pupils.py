"""The counsellor's pupil profile form with its guardians and achievements."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Field, Fieldset, Layout, Row
from django import forms
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from resource_center import access
from resource_center.lib.text import fold
from resource_center.models import Organisation
from students.importers.values import (
    AGE_ABOVE_GRADE_MAX,
    AGE_ABOVE_GRADE_MIN,
    age_on_first_september,
    birth_date_fits_grade,
)
from students.models import Achievement, Consent, Guardian, Student, current_academic_year
from students.services.pupils import DUPLICATE_IN_SCHOOL, RowEdits, natural_key_taken

SCHOOL_GRADES = (1, 11)
TECHNIKUM_COURSES = (1, 4)
FIRST_ACHIEVEMENT_YEAR = 2000

CLASS_LETTER = re.compile(r"^[А-ЯЁ]$")
DATE_FORMATS = ["%Y-%m-%d", "%d.%m.%Y"]


def clean_phone(value: str) -> str:
    """Phones as people type them; a handful of digits at least, so «---» is refused."""
    value = " ".join(value.split())
    if value and not 6 <= sum(ch.isdigit() for ch in value) <= 15:
        raise ValidationError(
            _("Введите телефон цифрами, например +7 (34272) 3-12-34."), code="invalid_phone"
        )
    return value


EMAIL_ERRORS = {"invalid": _("Введите e-mail в виде имя@домен, например ivanova@mail.ru.")}


def date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


@dataclass(frozen=True)
class Duplicate:
    """A record that looks like the person being entered; linked only when it is visible."""

    student: Student
    visible: bool


def likely_duplicates(
    *,
    user: AbstractBaseUser,
    district_id: int,
    academic_year: int,
    last_name: str,
    first_name: str,
    patronymic: str,
    birth_date: datetime.date,
) -> list[Duplicate]:
    """Students of the district and year with the same folded ФИО and birth date."""
    # SQLite cannot fold Cyrillic, so SQL narrows by the stored surname key and the birth
    # date (a handful of rows at most) and the first name and patronymic are folded here.
    candidates = list(
        Student.objects.filter(
            organisation__district_id=district_id,
            academic_year=academic_year,
            last_name_folded=fold(last_name),
            birth_date=birth_date,
        ).select_related("organisation")
    )
    matches = [
        s
        for s in candidates
        if fold(s.first_name) == fold(first_name) and fold(s.patronymic) == fold(patronymic)
    ]
    if not matches:
        return []
    visible = set(
        access.students_visible_to(user)
        .filter(pk__in=[s.pk for s in matches])
        .values_list("pk", flat=True)
    )
    return [Duplicate(student=s, visible=s.pk in visible) for s in matches]


class StudentForm(forms.ModelForm):
    """Profile of a pupil; what a user may not see or the consent does not allow is left out."""

    school = forms.ModelChoiceField(
        label=_("Школа"),
        queryset=Organisation.objects.none(),
        empty_label=None,
        error_messages={"invalid_choice": _("Выберите одну из своих школ.")},
    )
    academic_year = forms.TypedChoiceField(label=_("Учебный год"), coerce=int)
    confirm_duplicate = forms.BooleanField(
        label=_("Это другой человек, всё равно сохранить"), required=False
    )

    class Meta:
        model = Student
        fields = [
            "last_name",
            "first_name",
            "patronymic",
            "birth_date",
            "sex",
            "grade",
            "class_letter",
            "academic_year",
            "has_special_needs",
            "phone",
            "email",
            "interests",
            "preferred_professions",
            "path_after_9",
            "path_after_11",
            "notes",
        ]
        widgets = {
            "birth_date": date_input(),
            "interests": forms.Textarea(attrs={"rows": 3}),
            "preferred_professions": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
        error_messages = {
            "last_name": {"required": _("Укажите фамилию.")},
            "first_name": {"required": _("Укажите имя.")},
            "birth_date": {
                "required": _("Укажите дату рождения."),
                "invalid": _("Введите дату рождения в виде ДД.ММ.ГГГГ."),
            },
            "grade": {
                "required": _("Укажите класс."),
                "invalid": _("Класс указывается числом."),
            },
            "email": EMAIL_ERRORS,
        }

    def __init__(
        self,
        *args: Any,
        user: AbstractBaseUser,
        schools: list[Organisation] | None = None,
        show_special_needs: bool,
        with_optional: bool,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.creating = self.instance.pk is None
        self.duplicates: list[Duplicate] = []
        if self.creating:
            self.schools = schools or []
            self.fields["school"].queryset = Organisation.objects.filter(
                pk__in=[s.pk for s in self.schools]
            )
            self.fields["school"].initial = self.schools[0].pk if self.schools else None
            self.is_school = True
        else:
            self.schools = [self.instance.organisation]
            self.is_school = self.instance.organisation.kind == Organisation.Kind.SCHOOL
        if not self.creating or len(self.schools) == 1:
            del self.fields["school"]
        if not self.creating:
            del self.fields["confirm_duplicate"]

        year = current_academic_year()
        years = sorted({year - 1, year, year + 1, self.instance.academic_year or year})
        self.fields["academic_year"].choices = [(y, f"{y}/{(y + 1) % 100:02d}") for y in years]
        self.fields["academic_year"].initial = self.instance.academic_year or year
        self.fields["birth_date"].input_formats = DATE_FORMATS

        grade = self.fields["grade"]
        grade.help_text = ""
        low, high = SCHOOL_GRADES if self.is_school else TECHNIKUM_COURSES
        grade.widget.attrs.update(min=low, max=high)
        if not self.is_school:
            grade.label = _("Курс")
            self.fields["class_letter"].label = _("Группа")
        else:
            grade.label = _("Класс")
            self.fields["class_letter"].label = _("Буква класса")

        if not show_special_needs:
            del self.fields["has_special_needs"]
        if not with_optional:
            for name in Student.OPTIONAL_FIELDS:
                del self.fields[name]
        elif not self.is_school:
            del self.fields["path_after_9"], self.fields["path_after_11"]
        self.helper = self._helper()

    def _helper(self) -> FormHelper:
        def present(*names: str) -> list[str]:
            return [n for n in names if n in self.fields]

        def row(*names: str) -> Row:
            return Row(*(Column(Field(n), css_class="col-md") for n in present(*names)))

        sections = [
            Fieldset(
                _("Основные сведения"),
                *present("school"),
                row("last_name", "first_name", "patronymic"),
                row("birth_date", "sex"),
            ),
            Fieldset(
                _("Обучение"),
                row("grade", "class_letter", "academic_year"),
                *present("has_special_needs"),
            ),
        ]
        if "phone" in self.fields:
            sections += [
                Fieldset(_("Контакты обучающегося"), row("phone", "email")),
                Fieldset(
                    _("Профориентация"),
                    "interests",
                    "preferred_professions",
                    row("path_after_9", "path_after_11"),
                    "notes",
                ),
            ]
        helper = FormHelper()
        helper.form_tag = False
        helper.disable_csrf = True
        helper.layout = Layout(*sections)
        return helper

    # --- field checks -------------------------------------------------------------------

    def clean_last_name(self) -> str:
        return " ".join(self.cleaned_data["last_name"].split())

    def clean_first_name(self) -> str:
        return " ".join(self.cleaned_data["first_name"].split())

    def clean_patronymic(self) -> str:
        return " ".join(self.cleaned_data["patronymic"].split())

    def clean_birth_date(self) -> datetime.date:
        value = self.cleaned_data["birth_date"]
        if value > timezone.localdate():
            raise ValidationError(_("Дата рождения не может быть в будущем."), code="future")
        return value

    def clean_grade(self) -> int:
        value = self.cleaned_data["grade"]
        low, high = SCHOOL_GRADES if self.is_school else TECHNIKUM_COURSES
        if not low <= value <= high:
            message = (
                _("Класс — число от %(low)s до %(high)s.")
                if self.is_school
                else _("Курс техникума — число от %(low)s до %(high)s.")
            )
            raise ValidationError(message, code="grade_range", params={"low": low, "high": high})
        return value

    def clean_class_letter(self) -> str:
        value = self.cleaned_data["class_letter"].strip()
        if not self.is_school:
            return value
        value = value.upper()
        if value and not CLASS_LETTER.match(value):
            raise ValidationError(
                _("Буква класса — одна русская буква, например «А»."), code="class_letter"
            )
        return value

    def clean_phone(self) -> str:
        return clean_phone(self.cleaned_data["phone"])

    # --- checks across fields -------------------------------------------------------------

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        birth_date, grade, year = (data.get(k) for k in ("birth_date", "grade", "academic_year"))
        if self.is_school and birth_date and grade and year:
            self._check_age(birth_date, grade, year)
        needed = ("last_name", "first_name", "patronymic", "birth_date", "academic_year")
        if not self.errors and all(k in data for k in needed):
            self._check_duplicates(data)
        return data

    def _check_age(self, birth_date: datetime.date, grade: int, year: int) -> None:
        if birth_date_fits_grade(birth_date, grade, year):
            return
        self.add_error(
            "birth_date",
            ValidationError(
                _(
                    "Дата рождения не подходит к классу: в %(grade)s классе в %(year)s/%(next)s "
                    "учебном году на 1 сентября ожидается возраст от %(low)s до %(high)s лет, "
                    "а по этой дате — %(age)s. Проверьте дату рождения и класс."
                ),
                code="age_for_grade",
                params={
                    "grade": grade,
                    "year": year,
                    "next": f"{(year + 1) % 100:02d}",
                    "low": grade + AGE_ABOVE_GRADE_MIN,
                    "high": grade + AGE_ABOVE_GRADE_MAX,
                    "age": age_on_first_september(birth_date, year),
                },
            ),
        )

    def _check_duplicates(self, data: dict[str, Any]) -> None:
        school = self.selected_school
        if school is None:
            return
        probe = Student(
            pk=self.instance.pk,
            organisation=school,
            academic_year=data["academic_year"],
            last_name=data["last_name"],
            first_name=data["first_name"],
            patronymic=data["patronymic"],
            birth_date=data["birth_date"],
        )
        if natural_key_taken(probe):
            raise ValidationError(DUPLICATE_IN_SCHOOL, code="duplicate")
        if not self.creating:
            return
        self.duplicates = likely_duplicates(
            user=self.user,
            district_id=school.district_id,
            academic_year=data["academic_year"],
            last_name=data["last_name"],
            first_name=data["first_name"],
            patronymic=data["patronymic"],
            birth_date=data["birth_date"],
        )
        if self.duplicates and not data.get("confirm_duplicate"):
            self.add_error(
                "confirm_duplicate",
                ValidationError(
                    _(
                        "Похоже, этот обучающийся уже есть в базе района. Проверьте записи "
                        "выше; если это другой человек, отметьте флажок и сохраните ещё раз."
                    ),
                    code="likely_duplicate",
                ),
            )

    # --- what the view hands to the service -------------------------------------------------

    @property
    def selected_school(self) -> Organisation | None:
        """The school of the record: the chosen one, the only one, or the record's own."""
        if not self.creating:
            return self.instance.organisation
        if "school" in self.fields:
            return self.cleaned_data.get("school")
        return self.schools[0] if self.schools else None

    def student_data(self) -> dict[str, Any]:
        """The cleaned model fields only (not the school choice or the confirmation)."""
        return {k: v for k, v in self.cleaned_data.items() if k in self._meta.fields}


# --- guardians and achievements ---------------------------------------------------------


class GuardianForm(forms.ModelForm):
    class Meta:
        model = Guardian
        fields = ["last_name", "first_name", "patronymic", "relation", "phone", "email"]
        error_messages = {
            "last_name": {"required": _("Укажите фамилию родителя.")},
            "first_name": {"required": _("Укажите имя родителя.")},
            "relation": {"required": _("Укажите, кем приходится.")},
            "email": EMAIL_ERRORS,
        }

    def clean_phone(self) -> str:
        return clean_phone(self.cleaned_data["phone"])


class BaseGuardianFormSet(forms.BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        leaving = [f.instance.pk for f in self.deleted_forms if f.instance.pk]
        if not leaving:
            return
        with_consents = set(
            Consent.objects.filter(guardian_id__in=leaving).values_list("guardian_id", flat=True)
        )
        for form in self.deleted_forms:
            if form.instance.pk in with_consents:
                form.add_error(
                    None,
                    _(
                        "%(name)s: от этого родителя записано согласие, удалить его нельзя — "
                        "история согласий должна сохраниться."
                    )
                    % {"name": form.instance.full_name},
                )
        if with_consents:
            raise ValidationError(_("Исправьте ошибки в списке родителей."), code="guardian")


class AchievementForm(forms.ModelForm):
    class Meta:
        model = Achievement
        fields = ["title", "kind", "level", "year", "result"]
        error_messages = {
            "title": {"required": _("Укажите название.")},
            "level": {"required": _("Укажите уровень.")},
            "year": {"required": _("Укажите год."), "invalid": _("Год указывается числом.")},
        }

    def clean_year(self) -> int:
        value = self.cleaned_data["year"]
        last = timezone.localdate().year
        if not FIRST_ACHIEVEMENT_YEAR <= value <= last:
            raise ValidationError(
                _("Год — от %(first)s до %(last)s."),
                code="year_range",
                params={"first": FIRST_ACHIEVEMENT_YEAR, "last": last},
            )
        return value


# A ceiling on the forms a POST may ask for: Django's default lets a forged
# TOTAL_FORMS make every request build and render a thousand forms.
MAX_GUARDIANS = 20
MAX_ACHIEVEMENTS = 200
GuardianFormSet = forms.inlineformset_factory(
    Student,
    Guardian,
    form=GuardianForm,
    formset=BaseGuardianFormSet,
    extra=1,
    can_delete=True,
    max_num=MAX_GUARDIANS,
    absolute_max=MAX_GUARDIANS,
)
# A new pupil usually comes with both parents' names.
NewPupilGuardianFormSet = forms.inlineformset_factory(
    Student,
    Guardian,
    form=GuardianForm,
    formset=BaseGuardianFormSet,
    extra=2,
    can_delete=True,
    max_num=MAX_GUARDIANS,
    absolute_max=MAX_GUARDIANS,
)
AchievementFormSet = forms.inlineformset_factory(
    Student,
    Achievement,
    form=AchievementForm,
    extra=1,
    can_delete=True,
    max_num=MAX_ACHIEVEMENTS,
    absolute_max=MAX_ACHIEVEMENTS,
)


def _inline_helper(*rows: tuple[str, ...]) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    helper.render_hidden_fields = True
    helper.layout = Layout(
        *(Row(*(Column(Field(n), css_class="col-md") for n in names)) for names in rows)
    )
    return helper


def guardian_helper(*, deletable: bool) -> FormHelper:
    """Rows of a guardian; only a stored one has the «Удалить» box."""
    rows = [("last_name", "first_name", "patronymic"), ("relation", "phone", "email")]
    return _inline_helper(*rows, *([("DELETE",)] if deletable else []))


def achievement_helper(*, deletable: bool) -> FormHelper:
    """Rows of an achievement; only a stored one has the «Удалить» box."""
    rows = [("title",), ("kind", "level", "year", "result")]
    return _inline_helper(*rows, *([("DELETE",)] if deletable else []))


def formset_edits(formset: forms.BaseInlineFormSet) -> RowEdits[Any]:
    """What a valid inline formset asks for, as rows for a service; it writes nothing."""
    edits: RowEdits[Any] = RowEdits()
    fields = [n for n in formset.form._meta.fields if n != formset.fk.name]
    deleted = set(map(id, formset.deleted_forms))
    for form in formset.forms:
        known = form.instance.pk is not None
        if id(form) in deleted:
            if known:
                edits.deleted.append(form.instance)
            continue
        if not form.has_changed():
            continue
        if known:
            changes = {n: form.cleaned_data[n] for n in form.changed_data if n in fields}
            if changes:
                edits.changed.append((form.instance, changes))
        else:
            edits.added.append({n: form.cleaned_data[n] for n in fields})
    return edits
