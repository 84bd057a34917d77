"""Reader of «Работа России» (trudvsem.ru) open-data vacancies: plain typed records.

Three layouts are accepted, told apart by their shape, not by a flag:

- the API v1 response ``{"status", "meta", "results": {"vacancies": [{"vacancy": {…}}]}}``
  (hyphenated keys such as ``job-name``; ``status`` a string or an int; salaries and
  experience ints or numeric strings; ``addresses.address`` a list);
- the legacy 2016 export: the same envelope, but ``addresses.address`` a single object,
  ``term`` a string, ``category.industry``, dates like ``2016-10-02 00:00:00 MSK`` and the
  company's ``phone``/``email``/``contact-name`` on the company itself;
- the bulk dataset ``{"vacancies": [{…}]}`` with snake_case names (``vacancy_name``,
  ``professionalSphereName``, ``state_region_code``, ``busy_type``, ``schedule_type``…).

The file is streamed with ijson: one vacancy object is built at a time, so a federal
district's dataset of hundreds of megabytes never sits in memory whole. A file that is
not JSON, is cut short or has no list of vacancies raises ``TrudvsemFormatError`` (one
Russian message) while it is being read; the import service reads it inside its
transaction, so nothing is saved. A vacancy that cannot be imported (no id, no title, no
employer) is yielded with ``error`` set, and the rest of the file goes on.

Values are normalised the way the evidence of public clients says: 0 salaries mean «not
specified» (None), a ``salary_min`` above ``salary_max`` is swapped (the source mixes the
two up; both numbers are kept), HTML is stripped from ``duty``, ``qualification`` and
``requirements``, schedule and employment type are mapped from the official Russian
enumerations to ``Vacancy.Schedule`` / ``Vacancy.EmploymentType`` (anything else → blank).
"""

from __future__ import annotations

import datetime
import html
import io
import re
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo

import ijson

from employers.models import Vacancy
from resource_center.lib.checks import inn_is_valid

API_URL = "https://opendata.trudvsem.ru/api/v1/vacancies/region/{region}"
PERM_KRAI = "5900000000000"
# The service refuses pages past the 100th and more than 100 vacancies a page.
PAGE_LIMIT = 100
MAX_PAGES = 100
HTTP_TIMEOUT = 30  # seconds per page

MOSCOW = ZoneInfo("Europe/Moscow")

# Where the vacancies of each layout sit in the stream (ijson prefixes).
_ITEM_PREFIXES = frozenset({"results.vacancies.item", "vacancies.item", "item"})
_KNOWN_TOP_KEYS = frozenset({"results", "vacancies"})

# Bounds of the model's columns (PositiveIntegerField, PositiveSmallIntegerField).
_MAX_SALARY = 2_147_483_647
_MAX_SMALL = 32_767


class TrudvsemFormatError(Exception):
    """The file or response cannot be read at all; ``message`` is for the user (Russian)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class TrudvsemNetworkError(Exception):
    """The service could not be reached or answered with an error (worth retrying)."""


@dataclass
class VacancyRecord:
    """One vacancy as read from the source: either valid, or ``error`` says why not."""

    position: int  # 1-based number of the vacancy in the file (or across the pages)
    external_id: str = ""
    title: str = ""
    employer_inn: str = ""
    employer_ogrn: str = ""
    employer_name: str = ""
    employer_phone: str = ""
    employer_email: str = ""
    employer_site: str = ""
    region_code: str = ""
    address: str = ""
    salary_from: int | None = None
    salary_to: int | None = None
    currency: str = ""
    schedule: str = ""
    employment_type: str = ""
    education: str = ""
    experience_years: int | None = None
    duty: str = ""
    requirements: str = ""
    sector: str = ""
    okpdtr_code: str = ""
    work_places: int = 1
    source_url: str = ""
    created_at: datetime.datetime | None = None
    modified_at: datetime.datetime | None = None
    error: str = ""

    @property
    def is_valid(self) -> bool:
        return not self.error

    @property
    def label(self) -> str:
        """How an error message names the vacancy: its number in the file and its id."""
        return (
            f"Вакансия № {self.position} (id {self.external_id})"
            if self.external_id
            else f"Вакансия № {self.position}"
        )


# --- value normalisation -------------------------------------------------------------------


def _fold(value: str) -> str:
    return re.sub(r"\s+", " ", value.strip().lower().replace("ё", "е"))


SCHEDULES: dict[str, str] = {
    _fold(k): v
    for k, v in {
        # The official enumeration (order on the format of data about vacant workplaces).
        "Полный рабочий день": Vacancy.Schedule.FULL_DAY,
        "Сменный график": Vacancy.Schedule.SHIFT,
        "Гибкий график": Vacancy.Schedule.FLEXIBLE,
        "Вахтовый метод": Vacancy.Schedule.ROTATION,
        "Неполный рабочий день": Vacancy.Schedule.PART_TIME,
        # «Ненормированный рабочий день» has no match among the portal's schedules: blank.
        # The portal's own labels, as the employment centre's exports may use them.
        "Полный день": Vacancy.Schedule.FULL_DAY,
        "Неполный день": Vacancy.Schedule.PART_TIME,
        "Удалённая работа": Vacancy.Schedule.REMOTE,
        "Удаленная": Vacancy.Schedule.REMOTE,
    }.items()
}
EMPLOYMENT_TYPES: dict[str, str] = {
    _fold(k): v
    for k, v in {
        "Полная занятость": Vacancy.EmploymentType.FULL,
        "Частичная занятость": Vacancy.EmploymentType.PART,
        "Временная": Vacancy.EmploymentType.TEMPORARY,
        "Временная работа": Vacancy.EmploymentType.TEMPORARY,
        "Стажировка": Vacancy.EmploymentType.INTERNSHIP,
        "Сезонная занятость": Vacancy.EmploymentType.SEASONAL,
        "Сезонная": Vacancy.EmploymentType.SEASONAL,
        "Сезонная работа": Vacancy.EmploymentType.SEASONAL,
    }.items()
}
_REMOTE_EMPLOYMENT = {_fold("Удаленная"), _fold("Удаленная работа")}

_TAG_RE = re.compile(r"<[^>]*>")
_BLOCK_RE = re.compile(r"<\s*(br|/p|/li|/div|/h\d|li)\b[^>]*>", re.IGNORECASE)
_SCRIPT_RE = re.compile(r"<(script|style)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)


def strip_html(value: Any) -> str:
    """Plain text of an HTML fragment: tags dropped, entities decoded, blank lines squeezed."""
    text = _text(value)
    if not text:
        return ""
    text = _SCRIPT_RE.sub("", text)
    text = _BLOCK_RE.sub("\n", text)
    text = html.unescape(_TAG_RE.sub("", text)).replace("\xa0", " ")
    lines = (re.sub(r"[ \t\r\f\v]+", " ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def _text(value: Any) -> str:
    if value is None or isinstance(value, (dict, list, bool)):
        return ""
    return str(value).strip()


def _int(value: Any) -> int | None:
    """An int from an int, a float or a numeric string ("150000", "40 000", "1.0"); else None."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        number = value
    else:
        text = re.sub(r"[\s\xa0]", "", str(value)).replace(",", ".")
        try:
            number = float(text) if text else None
        except ValueError:
            return None
    if number is None:
        return None
    try:
        return int(number)
    except (OverflowError, ValueError):  # inf, nan
        return None


def _salary(value: Any) -> int | None:
    number = _int(value)
    # 0 means «not specified»; negatives and absurd sums are not salaries.
    if number is None or number <= 0 or number > _MAX_SALARY:
        return None
    return number


def _is_roubles(currency: str) -> bool:
    folded = _fold(currency).strip("«»\"'. ")
    return not folded or "руб" in folded or folded in {"rub", "rur", "₽", "р"}


_DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d")


def parse_datetime(value: Any) -> datetime.datetime | None:
    """An aware datetime from the source's date shapes: ``2026-09-22``,
    ``2026-09-22T10:00:00+0300``, ``2016-10-02 00:00:00 MSK``, epoch milliseconds."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        seconds = value / 1000 if value > 10**11 else value
        try:
            return datetime.datetime.fromtimestamp(seconds, tz=datetime.UTC)
        except (OverflowError, OSError, ValueError):
            return None
    text = str(value).strip()
    if not text:
        return None
    naive_tz = MOSCOW
    if text.upper().endswith(" MSK"):
        text = text[:-4].strip()
    text = text.replace("Z", "+00:00") if text.endswith("Z") else text
    try:
        parsed = datetime.datetime.fromisoformat(text)  # handles +03:00 and +0300
    except ValueError:
        parsed = None
        for fmt in _DATE_FORMATS:
            try:
                parsed = datetime.datetime.strptime(  # noqa: DTZ007 (made aware below)
                    text[: len("2016-10-02 00:00:00")], fmt
                )
                break
            except ValueError:
                continue
        if parsed is None:
            return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=naive_tz)
    return parsed


def _get(mapping: Any, *keys: str) -> Any:
    """The first present, non-empty value among ``keys`` of a dict (None otherwise)."""
    if not isinstance(mapping, dict):
        return None
    for key in keys:
        value = mapping.get(key)
        if value not in (None, "", [], {}):
            return value
    return None


def _address(raw: dict[str, Any]) -> str:
    addresses = raw.get("addresses")
    if isinstance(addresses, dict):
        address = addresses.get("address")
        if isinstance(address, list):  # API: a list of addresses
            address = next((a for a in address if isinstance(a, dict)), None)
        if isinstance(address, dict):  # legacy 2016 export: a single object
            text = _text(_get(address, "location", "full_address", "address"))
            if text:
                return text
        elif isinstance(address, str):
            return address.strip()
    return _text(_get(raw, "vacancy_address", "address", "vacancy_address_additional_info"))


def _contacts(raw: dict[str, Any], company: dict[str, Any]) -> tuple[str, str]:
    phone = _text(_get(company, "phone"))
    email = _text(_get(company, "email"))
    contacts = raw.get("contact_list")
    if isinstance(contacts, list):
        for contact in contacts:
            if not isinstance(contact, dict):
                continue
            kind = _fold(_text(contact.get("contact_type")))
            value = _text(contact.get("contact_value"))
            if not value:
                continue
            if kind == "телефон" and not phone:
                phone = value
            elif kind in {"эл. почта", "e-mail", "email", "эл.почта"} and not email:
                email = value
    return (
        phone or _text(_get(raw, "contact_phone")),
        email or _text(_get(raw, "contact_email")),
    )


def _sector(raw: dict[str, Any]) -> str:
    category = raw.get("category")
    if isinstance(category, dict):
        text = _text(_get(category, "specialisation", "industry"))
        if text:
            return text
    elif isinstance(category, str) and category.strip():
        return category.strip()
    return _text(_get(raw, "professionalSphereName", "industry", "specialisation"))


def _join_texts(*parts: str) -> str:
    seen: list[str] = []
    for part in parts:
        if part and part not in seen:
            seen.append(part)
    return "\n".join(seen)


def vacancy_record(raw: Any, *, position: int) -> VacancyRecord:
    """Normalise one vacancy object of any layout into a ``VacancyRecord``."""
    record = VacancyRecord(position=position)
    if isinstance(raw, dict) and isinstance(raw.get("vacancy"), dict):
        raw = raw["vacancy"]  # the API wraps each vacancy in {"vacancy": {…}}
    if not isinstance(raw, dict):
        record.error = "запись не является объектом JSON"
        return record

    record.external_id = _text(_get(raw, "id", "vacancy_id"))
    company = raw.get("company") if isinstance(raw.get("company"), dict) else {}
    requirement = raw.get("requirement") if isinstance(raw.get("requirement"), dict) else {}
    region = raw.get("region")

    record.title = _text(_get(raw, "job-name", "vacancy_name", "typicalPosition", "name"))[:300]
    inn = re.sub(r"\D", "", _text(_get(company, "inn")))
    record.employer_inn = inn if inn_is_valid(inn) else ""
    record.employer_ogrn = _text(_get(company, "ogrn", "companycode"))
    record.employer_name = _text(_get(company, "name", "title")) or _text(
        _get(raw, "company_name", "full_company_name")
    )
    record.employer_phone, record.employer_email = _contacts(raw, company)
    record.employer_site = _text(_get(company, "site"))
    record.region_code = _text(
        _get(region, "region_code", "code") if isinstance(region, dict) else None
    ) or _text(_get(raw, "state_region_code", "region_code"))
    record.address = _address(raw)[:500]

    record.currency = _text(raw.get("currency"))
    salary_from, salary_to = _salary(raw.get("salary_min")), _salary(raw.get("salary_max"))
    if not _is_roubles(record.currency):
        salary_from = salary_to = None  # the portal keeps salaries in roubles only
    if salary_from is not None and salary_to is not None and salary_from > salary_to:
        salary_from, salary_to = salary_to, salary_from
    record.salary_from, record.salary_to = salary_from, salary_to

    schedule = _fold(_text(_get(raw, "schedule", "schedule_type")))
    employment = _fold(_text(_get(raw, "employment", "busy_type")))
    record.schedule = SCHEDULES.get(schedule, "")
    record.employment_type = EMPLOYMENT_TYPES.get(employment, "")
    if not record.schedule and employment in _REMOTE_EMPLOYMENT:
        record.schedule = Vacancy.Schedule.REMOTE

    record.education = _text(_get(requirement, "education") or _get(raw, "education"))[:100]
    experience = _int(_get(requirement, "experience"))
    if experience is None:
        experience = _int(_get(raw, "required_experience", "experience"))
    record.experience_years = (
        experience if experience is not None and 0 <= experience <= _MAX_SMALL else None
    )

    record.duty = strip_html(_get(raw, "duty", "description", "duties"))
    record.requirements = _join_texts(
        strip_html(_get(requirement, "qualification")),
        strip_html(raw.get("requirements") if isinstance(raw.get("requirements"), str) else None),
        strip_html(_get(raw, "qualification")),
    )
    record.sector = _sector(raw)[:200]
    record.okpdtr_code = re.sub(r"\s", "", _text(_get(raw, "code_profession")))[:10]
    places = _int(raw.get("work_places"))
    record.work_places = places if places is not None and 1 <= places <= _MAX_SMALL else 1
    url = _text(_get(raw, "vac_url", "url"))
    record.source_url = url if url.startswith(("http://", "https://")) and len(url) <= 500 else ""
    record.created_at = parse_datetime(_get(raw, "creation-date", "date_create", "date_created"))
    record.modified_at = parse_datetime(
        _get(raw, "date_modify", "modify-date", "update-date", "date_modified")
    )

    if not record.external_id:
        record.error = "нет идентификатора вакансии (id)"
    elif len(record.external_id) > 100:
        record.error = "идентификатор вакансии длиннее 100 знаков"
    elif not record.title:
        record.error = "нет названия должности"
    elif not record.employer_name and not record.employer_inn:
        record.error = "не указан работодатель (ни названия, ни ИНН)"
    return record


# --- streaming the file ---------------------------------------------------------------------


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
            for raw in _stream_vacancies(document, reader=self):
                position += 1
                yield vacancy_record(raw, position=position)


def _stream_vacancies(stream: IO[bytes], *, reader: TrudvsemReader) -> Iterator[Any]:
    """Yield each vacancy object of a JSON document, one at a time."""
    events = ijson.parse(stream, use_float=True)
    seen_layout = False
    reader.last_document_count = 0
    try:
        for prefix, event, value in events:
            if prefix == "" and event in ("string", "number", "boolean", "null"):
                raise TrudvsemFormatError(
                    "В файле нет списка вакансий: ожидался объект JSON «Работы России»."
                )
            if prefix == "" and event == "start_array":
                seen_layout = True  # a bare list of vacancies
            elif prefix == "" and event == "map_key" and value in _KNOWN_TOP_KEYS:
                seen_layout = True
            elif prefix == "status" and event in ("string", "number"):
                if str(value).strip() not in {"200", "200.0", "OK", "ok"}:
                    raise TrudvsemFormatError(
                        f"Сервис «Работа России» ответил статусом {value}: вакансий нет."
                    )
            elif prefix == "meta.total" and event in ("string", "number"):
                reader.total = _int(value)
            elif prefix in _ITEM_PREFIXES:
                if event == "start_map":
                    builder = ijson.ObjectBuilder()
                    builder.event(event, value)
                    for inner_prefix, inner_event, inner_value in events:
                        builder.event(inner_event, inner_value)
                        if inner_prefix == prefix and inner_event == "end_map":
                            break
                    reader.last_document_count += 1
                    yield builder.value
                elif event in ("string", "number", "boolean", "null"):
                    reader.last_document_count += 1
                    yield value  # not an object: reported as an invalid record
                elif event == "start_array":
                    reader.last_document_count += 1
                    yield _skip_value(events, prefix)
    except ijson.JSONError as exc:
        raise TrudvsemFormatError(
            f"Файл не читается как JSON (повреждён или обрезан): {_short(exc)}. "
            "Ничего не загружено."
        ) from exc
    except UnicodeDecodeError as exc:
        raise TrudvsemFormatError(
            "Файл не в кодировке UTF-8: это не выгрузка «Работы России». Ничего не загружено."
        ) from exc
    if not seen_layout:
        raise TrudvsemFormatError(
            "В файле нет списка вакансий («results.vacancies» или «vacancies»): "
            "это не выгрузка «Работы России». Ничего не загружено."
        )


def _skip_value(events: Iterator[tuple[str, str, Any]], prefix: str) -> list[Any]:
    for inner_prefix, inner_event, _value in events:
        if inner_prefix == prefix and inner_event == "end_array":
            break
    return []


def _short(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return (text[0].strip().rstrip(".") if text else exc.__class__.__name__)[:200]


def open_trudvsem_file(path: str | Path) -> TrudvsemReader:
    """A reader of a saved API response, legacy export or bulk dataset on disk."""
    path = Path(path)
    if not path.is_file():
        raise TrudvsemFormatError(f"Файл «{path}» не найден.")

    def documents() -> Iterator[IO[bytes]]:
        with path.open("rb") as stream:
            yield stream

    return TrudvsemReader(documents())


def read_trudvsem_bytes(content: bytes) -> TrudvsemReader:
    """A reader of one document already in memory (a page of the API, a test payload)."""
    return TrudvsemReader([io.BytesIO(content)])


# --- the API, page by page ------------------------------------------------------------------

Opener = Callable[[str, float], bytes]


def urllib_opener(url: str, timeout: float) -> bytes:
    """GET ``url`` and return the body; HTTP errors raise ``urllib.error.HTTPError``."""
    if not url.startswith(("https://", "http://")):
        raise TrudvsemNetworkError(f"Адрес «{url}» не начинается с https:// или http://.")
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
                        f"Сервис ответил ошибкой 500 на странице {offset + 1}: "
                        "загрузка остановлена, пропавшие вакансии не закрыты."
                    )
                    return
                raise TrudvsemNetworkError(
                    f"Сервис «Работа России» ответил ошибкой {exc.code} на {page_url}."
                ) from exc
            except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
                raise TrudvsemNetworkError(
                    f"Сервис «Работа России» недоступен ({_short(exc)})."
                ) from exc
            before = reader.total
            yield io.BytesIO(body)
            total = reader.total if reader.total is not None else before
            offset += 1
            if total is None or offset * limit >= total or reader.last_document_count == 0:
                return
        reader.complete = False
        reader.notes.append(
            f"Сервис отдаёт не больше {MAX_PAGES} страниц: прочитано {MAX_PAGES * limit} "
            f"вакансий из {reader.total}, пропавшие вакансии не закрыты."
        )

    reader._documents = documents()
    return reader
