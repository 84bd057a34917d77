"""The upload form of the employment centre's vacancy export."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from labour.services.uploads import upload_max_bytes
from resource_center.models import District
from resource_center.validators import validate_upload_size


class VacancyImportForm(forms.Form):
    """A CSV or XLSX file; the district is asked for only when the user imports into several."""

    file = forms.FileField(
        label=_("Файл выгрузки вакансий"),
        help_text=_(
            "CSV (с разделителем «;» или «,», в кодировке Windows-1251 или UTF-8) или XLSX, "
            "как их сохраняет программа центра занятости или Excel. В первой строке — "
            "заголовки: Номер вакансии, Наименование вакансии, Работодатель, ИНН; по желанию "
            "Код профессии, Зарплата от, Зарплата до, Количество рабочих мест, График работы, "
            "Тип занятости, Образование, Опыт работы (лет), Адрес, Телефон, Дата размещения."
        ),
        error_messages={
            "required": _("Выберите файл выгрузки."),
            "empty": _("Файл пуст."),
            "invalid": _("Файл не получен: попробуйте загрузить его ещё раз."),
        },
    )

    def __init__(self, *args: Any, districts: QuerySet[District], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.districts = list(districts)
        if len(self.districts) > 1:
            self.fields["district"] = forms.ModelChoiceField(
                queryset=districts,
                label=_("Район"),
                empty_label=None,
                error_messages={"invalid_choice": _("Выберите один из своих районов.")},
            )
            self.order_fields(["district", "file"])

    def clean_file(self) -> UploadedFile:
        file = self.cleaned_data["file"]
        validate_upload_size(file, upload_max_bytes())
        return file

    @property
    def district(self) -> District:
        """The district to import into (call after is_valid())."""
        if "district" in self.fields:
            return self.cleaned_data["district"]
        return self.districts[0]
