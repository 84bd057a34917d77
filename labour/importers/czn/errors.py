"""Errors of an export as a whole: ``CznExportError`` and why a file is not a readable table."""

from __future__ import annotations

from django.utils.translation import gettext as _

from resource_center.lib.tabular import TableError


class CznExportError(Exception):
    """The file as a whole cannot be imported; ``message`` is for the user (Russian)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def table_error_message(error: TableError) -> str:
    """A Russian explanation of why a file is not a readable table."""
    upload = _("Загрузите выгрузку в формате CSV или XLSX.")
    messages = {
        "empty": _("Файл пуст."),
        "pdf": _("Это PDF-документ, а не таблица.") + " " + upload,
        "image": _("Это изображение, а не таблица.") + " " + upload,
        "ole": _(
            "Старые форматы Microsoft Office (.xls, .doc) не поддерживаются. "
            "Откройте файл в Excel и сохраните как «Книга Excel (*.xlsx)» или "
            "«CSV (разделители — точка с запятой)»."
        ),
        "rtf": _("Это текстовый документ, а не таблица.") + " " + upload,
        "document": _("Это текстовый документ, а не таблица.") + " " + upload,
        "ods": _("Таблицы OpenDocument (.ods) не поддерживаются: сохраните файл как XLSX или CSV."),
        "archive": _("Это архив, а не таблица.") + " " + upload,
        "binary": _("Файл не похож на таблицу: в нём двоичные данные.") + " " + upload,
        "broken": _(
            "Файл повреждён или не является таблицей CSV или XLSX. "
            "Откройте его в Excel и сохраните заново."
        ),
    }
    return messages.get(error.code, messages["broken"])
