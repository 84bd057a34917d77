"""Forms of the questionnaire pages: assigning, typing a code, answering, paper entry."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from guidance.models import Question, Questionnaire
from guidance.selectors.questionnaires import ClassTarget
from guidance.services.questionnaires import (
    CODE_UNKNOWN,
    assignment_code_is_well_formed,
    assignment_code_normalise,
)

DAYS_DEFAULT = 14
DAYS_MAX = 60


class AssignmentCreateForm(forms.Form):
    """A questionnaire for a class (or, without the class field, for one pupil)."""

    questionnaire = forms.ChoiceField(
        label=_("Анкета"),
        error_messages={
            "required": _("Выберите анкету."),
            "invalid_choice": _("Выберите анкету из списка."),
        },
    )
    target = forms.ChoiceField(
        label=_("Класс"),
        error_messages={
            "required": _("Выберите класс."),
            "invalid_choice": _("Выберите класс из списка."),
        },
    )
    days = forms.IntegerField(
        label=_("Сколько дней действуют коды"),
        min_value=1,
        max_value=DAYS_MAX,
        initial=DAYS_DEFAULT,
        help_text=_("От 1 до 60 дней. Каждый код подходит только для одного прохождения."),
        error_messages={
            "required": _("Укажите срок действия кодов в днях."),
            "invalid": _("Срок — целое число дней от 1 до 60."),
            "min_value": _("Срок — не меньше 1 дня."),
            "max_value": _("Срок — не больше 60 дней."),
        },
    )

    def __init__(
        self,
        *args: Any,
        questionnaires: list[Questionnaire],
        targets: list[ClassTarget] | None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self._questionnaires = {str(q.pk): q for q in questionnaires}
        self.fields["questionnaire"].choices = [(str(q.pk), q.title) for q in questionnaires]
        self._targets = {t.key: t for t in targets or []}
        if targets is None:
            del self.fields["target"]
        else:
            self.fields["target"].choices = [
                ("", gettext("— выберите класс —")),
                *(
                    (
                        t.key,
                        gettext("%(title)s: обучающихся %(total)s, с согласием %(consent)s")
                        % {"title": t.title, "total": t.total, "consent": t.with_consent},
                    )
                    for t in targets
                ),
            ]

    def clean_questionnaire(self) -> Questionnaire:
        return self._questionnaires[self.cleaned_data["questionnaire"]]

    def clean_target(self) -> ClassTarget:
        return self._targets[self.cleaned_data["target"]]

    def expires_at(self) -> datetime.datetime:
        """The end of the last day the codes work, in the portal's time zone."""
        last_day = timezone.localdate() + datetime.timedelta(days=self.cleaned_data["days"])
        return timezone.make_aware(datetime.datetime.combine(last_day, datetime.time(23, 59)))


class CodeField(forms.CharField):
    """A code as typed: any case, with or without the hyphen and spaces, Cyrillic
    look-alike letters."""

    default_error_messages = {"invalid": CODE_UNKNOWN, "required": _("Введите код.")}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Код"))
        kwargs.setdefault("max_length", 30)
        kwargs.setdefault(
            "help_text", _("Код из 8 знаков с листка от педагога, например ABCD-EFGH.")
        )
        super().__init__(**kwargs)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        return {
            **super().widget_attrs(widget),
            "autocomplete": "off",
            "autocapitalize": "characters",
            "spellcheck": "false",
        }

    def clean(self, value: Any) -> str:
        code = assignment_code_normalise(super().clean(value))
        if not assignment_code_is_well_formed(code):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return code


class CodeEntryForm(forms.Form):
    code = CodeField()


class AnswersForm(forms.Form):
    """One required radio choice per question; the choices are the question's option ids."""

    def __init__(self, *args: Any, questions: list[Question], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            options = list(question.options.all())
            paired = all(len(o.label) == 1 for o in options)
            self.fields[self.field_name(question)] = forms.TypedChoiceField(
                label=question.text or gettext("Пара № %(n)s") % {"n": question.number},
                choices=[
                    (str(o.pk), f"{o.label}) {o.text}" if paired else o.text) for o in options
                ],
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={
                    "required": _("Выберите ответ."),
                    "invalid_choice": _("Выберите один из предложенных ответов."),
                },
            )

    @staticmethod
    def field_name(question: Question) -> str:
        return f"q{question.number}"

    def items(self) -> list[tuple[Question, forms.BoundField]]:
        """Each question with its bound field, for the template."""
        return [(q, self[self.field_name(q)]) for q in self.questions]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        missing = [q.number for q in self.questions if self.field_name(q) in self.errors]
        if missing:
            raise forms.ValidationError(
                gettext("Нет ответа или ответ не подходит в вопросах № %(numbers)s.")
                % {"numbers": ", ".join(map(str, missing))},
                code="answers",
            )
        return cleaned

    def option_ids(self) -> list[int]:
        return [self.cleaned_data[self.field_name(q)] for q in self.questions]


class PaperEntryForm(AnswersForm):
    """Answers copied from a paper form, and the day the pupil filled it in."""

    completed_on = forms.DateField(
        label=_("Дата заполнения бланка"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Если не указать, будет сегодняшняя дата."),
        error_messages={"invalid": _("Введите дату в формате ДД.ММ.ГГГГ.")},
    )

    def clean_completed_on(self) -> datetime.date | None:
        day = self.cleaned_data.get("completed_on")
        if day is None:
            return None
        if day > timezone.localdate():
            raise forms.ValidationError(_("Дата заполнения не может быть в будущем."))
        if day.year < 2000:
            raise forms.ValidationError(_("Проверьте год: дата слишком давняя."))
        return day

    def completed_at(self) -> datetime.datetime | None:
        day = self.cleaned_data.get("completed_on")
        if day is None or day == timezone.localdate():
            return None
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12, 0)))
