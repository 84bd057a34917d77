"""The filter form of the reports: every GET parameter is checked, bad ones are dropped."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from reports.scope import ReportFilters, ReportScope
from students.models import current_academic_year

FIRST_YEAR = 2015


def year_choices() -> list[tuple[str, str]]:
    last = current_academic_year() + 1
    return [("", _("Текущий"))] + [
        (str(y), f"{y}/{(y + 1) % 100:02d}") for y in range(last, FIRST_YEAR - 1, -1)
    ]


class ReportFilterForm(forms.Form):
    academic_year = forms.TypedChoiceField(
        label=_("Учебный год"), required=False, coerce=int, empty_value=None
    )
    school = forms.ModelChoiceField(
        label=_("Школа"), queryset=None, required=False, empty_label=_("Все школы")
    )
    grade = forms.TypedChoiceField(
        label=_("Класс"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("Все классы"))] + [(str(g), str(g)) for g in range(1, 12)],
    )
    date_from = forms.DateField(
        label=_("Период с"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("по"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    error_messages = {
        "period": _("Начало периода позже его окончания: период не применён."),
        "long_period": _("Период длиннее пяти лет: период не применён."),
    }

    def __init__(self, *args: object, scope: ReportScope, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["academic_year"].choices = year_choices()
        self.fields["school"].queryset = scope.schools()
        self.fields["school"].error_messages["invalid_choice"] = _(
            "Такой школы нет среди доступных вам: показаны все школы."
        )
        self.fields["academic_year"].error_messages["invalid_choice"] = _(
            "Нет такого учебного года: показан текущий."
        )
        self.fields["grade"].error_messages["invalid_choice"] = _(
            "Класс должен быть числом от 1 до 11: показаны все классы."
        )

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end:
            if start > end:
                self.add_error("date_to", self.error_messages["period"])
            elif (end - start).days > 5 * 366:
                self.add_error("date_to", self.error_messages["long_period"])
        return data

    def filters(self) -> ReportFilters:
        """The valid filters; a field with an error is left out (the report is unfiltered)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        period_ok = "date_to" not in self.errors and "date_from" not in self.errors
        school = data.get("school")
        return ReportFilters(
            academic_year=data.get("academic_year"),
            school_id=school.pk if school else None,
            grade=data.get("grade"),
            date_from=data.get("date_from") if period_ok else None,
            date_to=data.get("date_to") if period_ok else None,
        )

    def labels(self) -> list[str]:
        """The applied filters in words, for the exports' heading."""
        f = self.filters()
        data = getattr(self, "cleaned_data", {})
        parts = [
            str(
                _("Учебный год: %(year)s/%(next)02d") % {"year": f.year, "next": (f.year + 1) % 100}
            )
        ]
        if data.get("school"):
            parts.append(str(_("Школа: %(name)s") % {"name": data["school"].short_name}))
        if f.grade:
            parts.append(str(_("Класс: %(grade)s") % {"grade": f.grade}))
        if f.date_from or f.date_to:
            start, end = f.period_dates()
            parts.append(
                str(
                    _("Период: %(start)s — %(end)s")
                    % {"start": start.strftime("%d.%m.%Y"), "end": end.strftime("%d.%m.%Y")}
                )
            )
        return parts
