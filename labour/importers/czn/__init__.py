"""Reader of the employment centre's (ЦЗН) vacancy exports: CSV or XLSX, checked row by row.

The file is opened with ``resource_center.lib.tabular`` (CSV in UTF-8 with or without BOM
or Windows-1251, any of the usual delimiters, XLSX with Excel dates). The header row is
looked for among the first rows (a title such as «Выгрузка вакансий на 01.09.2026» may
stand above it) and its columns are recognised in the spellings the centres' programs and
people use («Наименование вакансии», «Профессия (должность)», «Должность»…), compared
without case, spaces, punctuation or «ё» (``headers``).

Every data row becomes a ``CznRecord`` — the ``VacancyRecord`` that
``labour.services.imports.vacancies_import`` consumes — with the line of the file and the
list of what is wrong with it, in Russian (the rules of each cell are in ``values``);
``error`` holds them joined, so a record with any error is never saved. A file that cannot
be read as a whole (not a table, no recognisable headers, a required column missing)
raises ``CznExportError`` (``errors``). The rows are streamed by ``reader``.

The vacancy's number in the centre's system is its external id: the column is required,
because without a stable id a second upload of the same export could only add the
vacancies again instead of updating them. Nothing here touches the database.

The public names are all importable from here: ``from labour.importers.czn import X``.
"""

from labour.importers.czn.errors import CznExportError, table_error_message
from labour.importers.czn.headers import (
    FIELD_LABELS,
    HEADER_SEARCH_ROWS,
    Columns,
    find_columns,
    header_field,
    map_columns,
    missing_columns,
    normalize_header,
)
from labour.importers.czn.reader import MAX_ROWS, CznExport, CznRecord, open_czn_export
from labour.importers.czn.values import MAX_ID_LENGTH, cell_text

__all__ = [
    "FIELD_LABELS",
    "HEADER_SEARCH_ROWS",
    "MAX_ID_LENGTH",
    "MAX_ROWS",
    "Columns",
    "CznExport",
    "CznExportError",
    "CznRecord",
    "cell_text",
    "find_columns",
    "header_field",
    "map_columns",
    "missing_columns",
    "normalize_header",
    "open_czn_export",
    "table_error_message",
]
