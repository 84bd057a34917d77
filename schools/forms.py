"""The programme form with its competences. Forms validate and normalise; services write."""

from __future__ import annotations

from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Field, Layout, Row
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from employers.models import EvaluationMark
from guidance.models import Scale
from resource_center.models import Organisation
from schools.models import Programme
from schools.services import (
    COMPETENCE_MARKED,
    DUAL_NEEDS_COMPETENCE,
    PROGRAMME_FIELDS,
    PROGRAMME_TAKEN,
    CompetenceRow,
)

# The database allows 6–72 months (programme_duration_range).
DURATION_MONTHS = (6, 72)
MAX_SEATS = 1000
MAX_DESCRIPTION = 5000


def _one_line(value: str) -> str:
    return " ".join(value.split())


def _seats_field(label: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=0,
        max_value=MAX_SEATS,
        initial=0,
        error_messages={
            "required": _("Укажите число мест (0, если их нет)."),
            "invalid": _("Укажите число мест целым числом."),
            "min_value": _("Число мест не может быть отрицательным."),
            "max_value": _("Мест может быть не больше %(limit_value)s."),
        },
    )


class ProgrammeForm(forms.ModelForm):
    """A programme as the technikum publishes it; the technikum is one of the user's own."""

    duration_months = forms.IntegerField(
        label=_("Срок обучения, месяцев"),
        min_value=DURATION_MONTHS[0],
        max_value=DURATION_MONTHS[1],
        help_text=_("Например, 34 месяца = 2 года 10 месяцев."),
        error_messages={
            "required": _("Укажите срок обучения в месяцах."),
            "invalid": _("Укажите срок обучения целым числом месяцев."),
            "min_value": _("Срок обучения — не меньше %(limit_value)s месяцев."),
            "max_value": _("Срок обучения — не больше %(limit_value)s месяцев."),
        },
    )
    budget_seats = _seats_field(_("Бюджетных мест"))
    paid_seats = _seats_field(_("Платных мест"))

    class Meta:
        model = Programme
        fields = ["technikum", *PROGRAMME_FIELDS, "interest_types"]
        widgets = {
            "okso_code": forms.TextInput(attrs={"placeholder": "15.01.05", "inputmode": "decimal"}),
            "description": forms.Textarea(attrs={"rows": 5}),
            "interest_types": forms.CheckboxSelectMultiple,
        }
        error_messages = {
            "technikum": {
                "required": _("Выберите техникум."),
                "invalid_choice": _("Выберите техникум из списка."),
            },
            "okso_code": {
                "required": _("Укажите код ОКСО, например 15.01.05."),
                "max_length": _("Код ОКСО записывается в виде NN.NN.NN, например 15.01.05."),
            },
            "title": {
                "required": _("Укажите наименование программы."),
                "max_length": _("Наименование не длиннее %(limit_value)d знаков."),
            },
            "qualification": {
                "required": _("Укажите квалификацию выпускника."),
                "max_length": _("Квалификация не длиннее %(limit_value)d знаков."),
            },
            "base_education": {
                "required": _("Выберите уровень образования при приёме."),
                "invalid_choice": _("Выберите уровень образования из списка."),
            },
            "form_of_study": {
                "required": _("Выберите форму обучения."),
                "invalid_choice": _("Выберите форму обучения из списка."),
            },
            "interest_types": {
                "invalid_choice": _("Выберите типы интересов из списка."),
                "invalid_pk_value": _("Выберите типы интересов из списка."),
            },
        }
        help_texts = {
            "is_dual": _("Часть обучения студенты проходят у работодателя под началом наставника."),
            "is_published": _("Опубликованную программу видят все посетители портала."),
            "interest_types": _("Кому из обучающихся программа подойдёт по результатам анкет."),
        }

    def __init__(self, *args: Any, technikums: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.creating = self.instance.pk is None
        field = self.fields["technikum"]
        if not self.creating:
            technikums = technikums | Organisation.objects.filter(pk=self.instance.technikum_id)
        field.queryset = technikums.order_by("short_name")
        choices = list(field.queryset)
        if len(choices) == 1:
            field.initial = choices[0].pk
            field.empty_label = None
        field.label_from_instance = lambda o: o.short_name or o.full_name
        self.fields["interest_types"].queryset = Scale.objects.select_related(
            "questionnaire"
        ).order_by("questionnaire", "order", "code")
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Field("technikum"),
            Row(
                Column("okso_code", css_class="col-md-3"),
                Column("title", css_class="col-md-9"),
            ),
            Field("qualification"),
            Row(
                Column("base_education", css_class="col-md-4"),
                Column("form_of_study", css_class="col-md-4"),
                Column("duration_months", css_class="col-md-4"),
            ),
            Row(
                Column("budget_seats", css_class="col-md-6"),
                Column("paid_seats", css_class="col-md-6"),
            ),
            Field("description"),
            Field("is_dual"),
            Field("is_published"),
            Field("interest_types"),
        )

    def clean_okso_code(self) -> str:
        # People paste codes with spaces or type commas on a phone's numeric keyboard.
        return "".join(self.cleaned_data["okso_code"].split()).replace(",", ".")

    def clean_title(self) -> str:
        return _one_line(self.cleaned_data["title"])

    def clean_qualification(self) -> str:
        return _one_line(self.cleaned_data["qualification"])

    def clean_description(self) -> str:
        value = self.cleaned_data["description"].strip()
        if len(value) > MAX_DESCRIPTION:
            raise ValidationError(
                _("Описание не длиннее %(n)s знаков."),
                code="max_length",
                params={"n": MAX_DESCRIPTION},
            )
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        key = ("technikum", "okso_code", "form_of_study", "base_education")
        if all(data.get(k) for k in key):
            clash = Programme.objects.filter(**{k: data[k] for k in key}).exclude(
                pk=self.instance.pk
            )
            if clash.exists():
                # On the field, so the model's own unique check (with Django's wording) is
                # skipped for it.
                self.add_error("okso_code", PROGRAMME_TAKEN)
        return data

    def programme_data(self) -> dict[str, Any]:
        """The cleaned values for the service, without the technikum and the interest types."""
        return {k: self.cleaned_data[k] for k in PROGRAMME_FIELDS if k in self.cleaned_data}


class CompetenceForm(forms.Form):
    """One row of the list; a stored competence carries its id, an empty row is skipped."""

    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    order = forms.IntegerField(
        label=_("№"),
        required=False,
        min_value=0,
        max_value=999,
        error_messages={
            "invalid": _("Порядковый номер — целое число."),
            "min_value": _("Порядковый номер — от 0 до 999."),
            "max_value": _("Порядковый номер — от 0 до 999."),
        },
    )
    title = forms.CharField(
        label=_("Компетенция"),
        required=False,
        max_length=300,
        error_messages={"max_length": _("Название компетенции не длиннее %(limit_value)d знаков.")},
    )

    def clean_title(self) -> str:
        return _one_line(self.cleaned_data["title"])


class BaseCompetenceFormSet(forms.BaseFormSet):
    """Rows of competences in the order asked for; a dual programme needs at least one, and a
    competence already marked by mentors cannot be removed."""

    def __init__(self, *args: Any, programme: Programme, dual: bool = False, **kwargs: Any) -> None:
        self.programme = programme
        self.dual = dual
        self.known = (
            {c.pk: c for c in programme.competences.order_by("order", "pk")} if programme.pk else {}
        )
        kwargs.setdefault(
            "initial",
            [{"id": c.pk, "order": c.order, "title": c.title} for c in self.known.values()],
        )
        super().__init__(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        kept = self._kept_forms()
        seen: set[str] = set()
        for form in kept:
            pk = form.cleaned_data.get("id")
            if pk is not None and pk not in self.known:
                raise ValidationError(
                    _("Список компетенций изменился: откройте форму заново."), code="stale"
                )
            key = form.cleaned_data["title"].casefold()
            if key in seen:
                form.add_error("title", _("Компетенция с таким названием уже есть в списке."))
            seen.add(key)
        kept_ids = {f.cleaned_data.get("id") for f in kept}
        leaving = [pk for pk in self.known if pk not in kept_ids]
        marked = set(
            EvaluationMark.objects.filter(competence_id__in=leaving).values_list(
                "competence_id", flat=True
            )
        )
        for form in self.forms:
            pk = form.cleaned_data.get("id") if hasattr(form, "cleaned_data") else None
            if pk in marked:
                form.add_error(None, COMPETENCE_MARKED % {"title": self.known[pk].title})
        if any(self.errors):
            raise ValidationError(_("Исправьте ошибки в списке компетенций."), code="competences")
        if self.dual and not kept:
            raise ValidationError(DUAL_NEEDS_COMPETENCE, code="no_competence")

    def _kept_forms(self) -> list[forms.Form]:
        deleted = set(map(id, self.deleted_forms))
        return [f for f in self.forms if id(f) not in deleted and f.cleaned_data.get("title")]

    def rows(self) -> list[CompetenceRow]:
        """The competences by number, then as listed (unnumbered last); writes nothing."""
        kept = sorted(
            enumerate(self._kept_forms()),
            key=lambda pair: (
                pair[1].cleaned_data.get("order") is None,
                pair[1].cleaned_data.get("order") or 0,
                pair[0],
            ),
        )
        return [
            CompetenceRow(title=f.cleaned_data["title"], pk=f.cleaned_data.get("id"))
            for _, f in kept
        ]


CompetenceFormSet = forms.formset_factory(
    CompetenceForm,
    formset=BaseCompetenceFormSet,
    extra=2,
    can_delete=True,
    can_delete_extra=False,
    max_num=100,
    validate_max=True,
    absolute_max=200,
)


def competence_formset(
    data: Any = None, *, programme: Programme, dual: bool = False
) -> BaseCompetenceFormSet:
    """The competence rows of a programme (a new one gets a few empty rows)."""
    return CompetenceFormSet(data, programme=programme, dual=dual, prefix="competences")


def competence_helper(*, deletable: bool) -> FormHelper:
    """A row of the list; only a stored competence has the «Удалить» box."""
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    helper.render_hidden_fields = True
    columns = [
        Column(Field("order"), css_class="col-3 col-md-2"),
        Column(Field("title"), css_class="col-9 col-md-8"),
    ]
    if deletable:
        columns.append(Column(Field("DELETE"), css_class="col-md-2 pt-md-4"))
    helper.layout = Layout(Row(*columns))
    return helper
