"""The coordinator's mapping of one vacancy to a profession, and the search of the list."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from employers.models import Vacancy
from guidance.models import Profession
from labour.services.mapping import title_folded

MAX_SEARCH = 100
MIN_KEYWORD = 3


class UnmappedSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Поиск по названию"),
        required=False,
        max_length=MAX_SEARCH,
        widget=forms.TextInput(attrs={"type": "search"}),
    )

    def clean_q(self) -> str:
        return " ".join(self.cleaned_data["q"].split())


class VacancyMapForm(forms.Form):
    """A profession for the vacancy and, optionally, a word of its title that becomes a
    keyword rule for that profession."""

    profession = forms.ModelChoiceField(
        label=_("Профессия"),
        queryset=Profession.objects.all(),
        error_messages={
            "required": _("Выберите профессию."),
            "invalid_choice": _("Такой профессии нет в справочнике."),
        },
    )
    keyword = forms.CharField(
        label=_("Создать правило по слову"),
        required=False,
        max_length=100,
        help_text=_("Часть названия вакансии, например «сварщ»: так найдутся и другие вакансии."),
    )

    def __init__(self, *args: Any, vacancy: Vacancy, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.vacancy = vacancy

    def clean_keyword(self) -> str:
        keyword = " ".join(self.cleaned_data["keyword"].split())
        if not keyword:
            return ""
        folded = title_folded(keyword)
        if len(folded) < MIN_KEYWORD:
            raise forms.ValidationError(
                _("Слово для правила — не короче %(n)d букв или цифр.") % {"n": MIN_KEYWORD}
            )
        if folded not in title_folded(self.vacancy.title):
            raise forms.ValidationError(
                _("Слова «%(word)s» нет в названии вакансии: правило её не нашло бы.")
                % {"word": keyword}
            )
        return keyword
