"""Reader of «Работа России» (trudvsem.ru) open-data vacancies: plain typed records.

Three layouts are accepted, told apart by their shape, not by a flag: the API v1 response,
the legacy 2016 export and the bulk dataset (``layouts``). The file is streamed with ijson:
one vacancy object is built at a time, so a federal district's dataset of hundreds of
megabytes never sits in memory whole (``reader``). A file that is not JSON, is cut short or
has no list of vacancies raises ``TrudvsemFormatError`` (one Russian message) while it is
being read; the import service reads it inside its transaction, so nothing is saved. A
vacancy that cannot be imported (no id, no title, no employer) is yielded with ``error``
set, and the rest of the file goes on. Values are normalised in ``records``; the API is
read page by page over the network in ``fetch``.

The public names are all importable from here: ``from labour.importers.trudvsem import X``.
"""

from labour.importers.trudvsem.errors import TrudvsemFormatError, TrudvsemNetworkError
from labour.importers.trudvsem.fetch import (
    API_URL,
    HTTP_TIMEOUT,
    MAX_PAGES,
    PAGE_LIMIT,
    PERM_KRAI,
    Opener,
    fetch_trudvsem,
    region_url,
    urllib_opener,
)
from labour.importers.trudvsem.layouts import vacancy_record
from labour.importers.trudvsem.reader import (
    TrudvsemReader,
    open_trudvsem_file,
    read_trudvsem_bytes,
)
from labour.importers.trudvsem.records import (
    EMPLOYMENT_TYPES,
    MOSCOW,
    SCHEDULES,
    VacancyRecord,
    parse_datetime,
    strip_html,
)

__all__ = [
    "API_URL",
    "EMPLOYMENT_TYPES",
    "HTTP_TIMEOUT",
    "MAX_PAGES",
    "MOSCOW",
    "PAGE_LIMIT",
    "PERM_KRAI",
    "SCHEDULES",
    "Opener",
    "TrudvsemFormatError",
    "TrudvsemNetworkError",
    "TrudvsemReader",
    "VacancyRecord",
    "fetch_trudvsem",
    "open_trudvsem_file",
    "parse_datetime",
    "read_trudvsem_bytes",
    "region_url",
    "strip_html",
    "urllib_opener",
    "vacancy_record",
]
