"""The upload form of a pupil list."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from resource_center.models import Organisation
from resource_center.validators import validate_upload_size


class PupilImportForm(forms.Form):
    """A CSV or XLSX file; the school is asked for only when the user imports into several."""

    file = forms.FileField(
        label=_("Файл со списком обучающихся"),
        help_text=_(
            "CSV (как сохраняет Excel: с разделителем «;» или «,», в кодировке Windows-1251 "
            "или UTF-8) или XLSX. В первой строке — заголовки: Фамилия, Имя, Отчество, "
            "Дата рождения, Класс; по желанию Пол, Телефон, E-mail."
        ),
        error_messages={
            "required": _("Выберите файл со списком."),
            "empty": _("Файл пуст."),
            "invalid": _("Файл не получен: попробуйте загрузить его ещё раз."),
        },
    )

    def __init__(self, *args: Any, schools: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.schools = list(schools)
        if len(self.schools) > 1:
            self.fields["school"] = forms.ModelChoiceField(
                queryset=schools,
                label=_("Школа"),
                empty_label=None,
                error_messages={"invalid_choice": _("Выберите одну из своих школ.")},
            )
            self.order_fields(["school", "file"])

    def clean_file(self) -> UploadedFile:
        file = self.cleaned_data["file"]
        validate_upload_size(file, settings.PUPIL_IMPORT_MAX_BYTES)
        return file

    @property
    def school(self) -> Organisation:
        """The school to import into (call after is_valid())."""
        if "school" in self.fields:
            return self.cleaned_data["school"]
        return self.schools[0]
