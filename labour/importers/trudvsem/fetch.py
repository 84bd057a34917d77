"""The «Работа России» open-data API read over the network, page by page."""

from __future__ import annotations

import io
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from typing import IO

from django.utils.translation import gettext as _

from labour.importers.trudvsem.errors import TrudvsemNetworkError, short_reason
from labour.importers.trudvsem.reader import TrudvsemReader

API_URL = "https://opendata.trudvsem.ru/api/v1/vacancies/region/{region}"
PERM_KRAI = "5900000000000"
# The service refuses pages past the 100th and more than 100 vacancies a page.
PAGE_LIMIT = 100
MAX_PAGES = 100
HTTP_TIMEOUT = 30  # seconds per page

Opener = Callable[[str, float], bytes]


def urllib_opener(url: str, timeout: float) -> bytes:
    """GET ``url`` and return the body; HTTP errors raise ``urllib.error.HTTPError``."""
    if not url.startswith(("https://", "http://")):
        raise TrudvsemNetworkError(
            _("Адрес «%(url)s» не начинается с https:// или http://.") % {"url": url}
        )
    request = urllib.request.Request(  # noqa: S310 (scheme checked above)
        url, headers={"Accept": "application/json", "User-Agent": "resource-center-portal"}
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
        return response.read()


def region_url(region_code: str = PERM_KRAI) -> str:
    return API_URL.format(region=region_code)


def _page_url(url: str, *, offset: int, limit: int) -> str:
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}offset={offset}&limit={limit}"


def fetch_trudvsem(
    url: str,
    *,
    opener: Opener = urllib_opener,
    limit: int = PAGE_LIMIT,
    timeout: float = HTTP_TIMEOUT,
) -> TrudvsemReader:
    """A reader of the API's pages for one region URL.

    Pages are read while ``offset < 100`` and ``offset * limit < meta.total``; an HTTP 500
    on a page after the first is taken as the end (the service's way of saying so), and the
    reader is then marked incomplete, as it is when the 100-page cap stops it short.
    A failure on the first page, or a network error, raises ``TrudvsemNetworkError``.
    """
    reader = TrudvsemReader(())

    def documents() -> Iterator[IO[bytes]]:
        offset = 0
        while offset < MAX_PAGES:
            page_url = _page_url(url, offset=offset, limit=limit)
            try:
                body = opener(page_url, timeout)
            except urllib.error.HTTPError as exc:
                if exc.code == 500 and offset > 0:
                    reader.complete = False
                    reader.notes.append(
                        _(
                            "Сервис ответил ошибкой 500 на странице %(page)s: "
                            "загрузка остановлена, пропавшие вакансии не закрыты."
                        )
                        % {"page": offset + 1}
                    )
                    return
                raise TrudvsemNetworkError(
                    _("Сервис «Работа России» ответил ошибкой %(code)s на %(url)s.")
                    % {"code": exc.code, "url": page_url}
                ) from exc
            except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
                raise TrudvsemNetworkError(
                    _("Сервис «Работа России» недоступен (%(reason)s).")
                    % {"reason": short_reason(exc)}
                ) from exc
            before = reader.total
            yield io.BytesIO(body)
            total = reader.total if reader.total is not None else before
            offset += 1
            if total is None or offset * limit >= total or reader.last_document_count == 0:
                return
        reader.complete = False
        reader.notes.append(
            _(
                "Сервис отдаёт не больше %(pages)s страниц: прочитано %(read)s "
                "вакансий из %(total)s, пропавшие вакансии не закрыты."
            )
            % {"pages": MAX_PAGES, "read": MAX_PAGES * limit, "total": reader.total}
        )

    reader._documents = documents()
    return reader
