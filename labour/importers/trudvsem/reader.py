"""``TrudvsemReader``: the records of one or more «Работа России» documents, streamed, and
the readers of a file on disk or a document in memory."""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

from django.utils.translation import gettext as _

from labour.importers.trudvsem.errors import TrudvsemFormatError
from labour.importers.trudvsem.layouts import stream_vacancies, vacancy_record
from labour.importers.trudvsem.records import VacancyRecord


class TrudvsemReader:
    """Iterates the ``VacancyRecord`` of one or more JSON documents, streamed.

    ``complete`` says whether the whole source was read: False when the pages stopped
    early (the service's 100-page cap, an HTTP 500 on a late page), so vacancies missing
    from it must not be closed. ``notes`` are remarks for the import's report.
    """

    def __init__(self, documents: Iterable[IO[bytes]]) -> None:
        self._documents = documents
        self.complete = True
        self.notes: list[str] = []
        self.total: int | None = None
        self.last_document_count = 0  # vacancies in the document read last

    def __iter__(self) -> Iterator[VacancyRecord]:
        position = 0
        for document in self._documents:
            for raw in stream_vacancies(document, reader=self):
                position += 1
                yield vacancy_record(raw, position=position)


def open_trudvsem_file(path: str | Path) -> TrudvsemReader:
    """A reader of a saved API response, legacy export or bulk dataset on disk."""
    path = Path(path)
    if not path.is_file():
        raise TrudvsemFormatError(_("Файл «%(path)s» не найден.") % {"path": path})

    def documents() -> Iterator[IO[bytes]]:
        with path.open("rb") as stream:
            yield stream

    return TrudvsemReader(documents())


def read_trudvsem_bytes(content: bytes) -> TrudvsemReader:
    """A reader of one document already in memory (a page of the API, a test payload)."""
    return TrudvsemReader([io.BytesIO(content)])
