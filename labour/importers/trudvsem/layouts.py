"""The three layouts of «Работа России» data: where the vacancies sit in a document and
what each vacancy's fields are called.

- the API v1 response ``{"status", "meta", "results": {"vacancies": [{"vacancy": {…}}]}}``
  (hyphenated keys such as ``job-name``; ``status`` a string or an int; salaries and
  experience ints or numeric strings; ``addresses.address`` a list);
- the legacy 2016 export: the same envelope, but ``addresses.address`` a single object,
  ``term`` a string, ``category.industry``, dates like ``2016-10-02 00:00:00 MSK`` and the
  company's ``phone``/``email``/``contact-name`` on the company itself;
- the bulk dataset ``{"vacancies": [{…}]}`` with snake_case names (``vacancy_name``,
  ``professionalSphereName``, ``state_region_code``, ``busy_type``, ``schedule_type``…).

They are told apart by their shape, not by a flag. A document is streamed with ijson: one
vacancy object is built at a time (``stream_vacancies``), and ``vacancy_record`` turns
it, whatever its layout, into a ``VacancyRecord``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import IO, TYPE_CHECKING, Any

import ijson
from django.utils.translation import gettext as _

from employers.models import Vacancy
from labour.importers.trudvsem.errors import TrudvsemFormatError, short_reason
from labour.importers.trudvsem.records import (
    EMPLOYMENT_TYPES,
    MAX_SMALL,
    REMOTE_EMPLOYMENT,
    SCHEDULES,
    VacancyRecord,
    first_of,
    fold,
    int_of,
    is_roubles,
    join_texts,
    parse_datetime,
    salary_of,
    strip_html,
    text_of,
)
from resource_center.lib.checks import inn_is_valid

if TYPE_CHECKING:
    from labour.importers.trudvsem.reader import TrudvsemReader

# Where the vacancies of each layout sit in the stream (ijson prefixes).
_ITEM_PREFIXES = frozenset({"results.vacancies.item", "vacancies.item", "item"})
_KNOWN_TOP_KEYS = frozenset({"results", "vacancies"})


# --- one vacancy -------------------------------------------------------------------------------


def _address(raw: dict[str, Any]) -> str:
    addresses = raw.get("addresses")
    if isinstance(addresses, dict):
        address = addresses.get("address")
        if isinstance(address, list):  # API: a list of addresses
            address = next((a for a in address if isinstance(a, dict)), None)
        if isinstance(address, dict):  # legacy 2016 export: a single object
            text = text_of(first_of(address, "location", "full_address", "address"))
            if text:
                return text
        elif isinstance(address, str):
            return address.strip()
    return text_of(first_of(raw, "vacancy_address", "address", "vacancy_address_additional_info"))


def _contacts(raw: dict[str, Any], company: dict[str, Any]) -> tuple[str, str]:
    phone = text_of(first_of(company, "phone"))
    email = text_of(first_of(company, "email"))
    contacts = raw.get("contact_list")
    if isinstance(contacts, list):
        for contact in contacts:
            if not isinstance(contact, dict):
                continue
            kind = fold(text_of(contact.get("contact_type")))
            value = text_of(contact.get("contact_value"))
            if not value:
                continue
            if kind == "телефон" and not phone:
                phone = value
            elif kind in {"эл. почта", "e-mail", "email", "эл.почта"} and not email:
                email = value
    return (
        phone or text_of(first_of(raw, "contact_phone")),
        email or text_of(first_of(raw, "contact_email")),
    )


def _sector(raw: dict[str, Any]) -> str:
    category = raw.get("category")
    if isinstance(category, dict):
        text = text_of(first_of(category, "specialisation", "industry"))
        if text:
            return text
    elif isinstance(category, str) and category.strip():
        return category.strip()
    return text_of(first_of(raw, "professionalSphereName", "industry", "specialisation"))


def vacancy_record(raw: Any, *, position: int) -> VacancyRecord:
    """Normalise one vacancy object of any layout into a ``VacancyRecord``.

    A ``salary_min`` above ``salary_max`` is swapped (the source mixes the two up; both
    numbers are kept), salaries in another currency are dropped, HTML is stripped from
    ``duty``, ``qualification`` and ``requirements``. A vacancy that cannot be imported (no
    id, no title, no employer) gets ``error`` set.
    """
    record = VacancyRecord(position=position)
    if isinstance(raw, dict) and isinstance(raw.get("vacancy"), dict):
        raw = raw["vacancy"]  # the API wraps each vacancy in {"vacancy": {…}}
    if not isinstance(raw, dict):
        record.error = _("запись не является объектом JSON")
        return record

    record.external_id = text_of(first_of(raw, "id", "vacancy_id"))
    company = raw.get("company") if isinstance(raw.get("company"), dict) else {}
    requirement = raw.get("requirement") if isinstance(raw.get("requirement"), dict) else {}
    region = raw.get("region")

    record.title = text_of(first_of(raw, "job-name", "vacancy_name", "typicalPosition", "name"))[
        :300
    ]
    inn = re.sub(r"\D", "", text_of(first_of(company, "inn")))
    record.employer_inn = inn if inn_is_valid(inn) else ""
    record.employer_ogrn = text_of(first_of(company, "ogrn", "companycode"))
    record.employer_name = text_of(first_of(company, "name", "title")) or text_of(
        first_of(raw, "company_name", "full_company_name")
    )
    record.employer_phone, record.employer_email = _contacts(raw, company)
    record.employer_site = text_of(first_of(company, "site"))
    record.region_code = text_of(
        first_of(region, "region_code", "code") if isinstance(region, dict) else None
    ) or text_of(first_of(raw, "state_region_code", "region_code"))
    record.address = _address(raw)[:500]

    record.currency = text_of(raw.get("currency"))
    salary_from, salary_to = salary_of(raw.get("salary_min")), salary_of(raw.get("salary_max"))
    if not is_roubles(record.currency):
        salary_from = salary_to = None  # the portal keeps salaries in roubles only
    if salary_from is not None and salary_to is not None and salary_from > salary_to:
        salary_from, salary_to = salary_to, salary_from
    record.salary_from, record.salary_to = salary_from, salary_to

    schedule = fold(text_of(first_of(raw, "schedule", "schedule_type")))
    employment = fold(text_of(first_of(raw, "employment", "busy_type")))
    record.schedule = SCHEDULES.get(schedule, "")
    record.employment_type = EMPLOYMENT_TYPES.get(employment, "")
    if not record.schedule and employment in REMOTE_EMPLOYMENT:
        record.schedule = Vacancy.Schedule.REMOTE

    record.education = text_of(first_of(requirement, "education") or first_of(raw, "education"))[
        :100
    ]
    experience = int_of(first_of(requirement, "experience"))
    if experience is None:
        experience = int_of(first_of(raw, "required_experience", "experience"))
    record.experience_years = (
        experience if experience is not None and 0 <= experience <= MAX_SMALL else None
    )

    record.duty = strip_html(first_of(raw, "duty", "description", "duties"))
    record.requirements = join_texts(
        strip_html(first_of(requirement, "qualification")),
        strip_html(raw.get("requirements") if isinstance(raw.get("requirements"), str) else None),
        strip_html(first_of(raw, "qualification")),
    )
    record.sector = _sector(raw)[:200]
    record.okpdtr_code = re.sub(r"\s", "", text_of(first_of(raw, "code_profession")))[:10]
    places = int_of(raw.get("work_places"))
    record.work_places = places if places is not None and 1 <= places <= MAX_SMALL else 1
    url = text_of(first_of(raw, "vac_url", "url"))
    record.source_url = url if url.startswith(("http://", "https://")) and len(url) <= 500 else ""
    record.created_at = parse_datetime(
        first_of(raw, "creation-date", "date_create", "date_created")
    )
    record.modified_at = parse_datetime(
        first_of(raw, "date_modify", "modify-date", "update-date", "date_modified")
    )

    if not record.external_id:
        record.error = _("нет идентификатора вакансии (id)")
    elif len(record.external_id) > 100:
        record.error = _("идентификатор вакансии длиннее 100 знаков")
    elif not record.title:
        record.error = _("нет названия должности")
    elif not record.employer_name and not record.employer_inn:
        record.error = _("не указан работодатель (ни названия, ни ИНН)")
    return record


# --- one document ------------------------------------------------------------------------------


def stream_vacancies(stream: IO[bytes], *, reader: TrudvsemReader) -> Iterator[Any]:
    """Yield each vacancy object of a JSON document, one at a time.

    Sets the reader's ``total`` (the API's ``meta.total``) and ``last_document_count``.
    A document that is not JSON, is cut short or has no list of vacancies raises
    ``TrudvsemFormatError`` while it is being read.
    """
    events = ijson.parse(stream, use_float=True)
    seen_layout = False
    reader.last_document_count = 0
    try:
        for prefix, event, value in events:
            if prefix == "" and event in ("string", "number", "boolean", "null"):
                raise TrudvsemFormatError(
                    _("В файле нет списка вакансий: ожидался объект JSON «Работы России».")
                )
            if prefix == "" and event == "start_array":
                seen_layout = True  # a bare list of vacancies
            elif prefix == "" and event == "map_key" and value in _KNOWN_TOP_KEYS:
                seen_layout = True
            elif prefix == "status" and event in ("string", "number"):
                if str(value).strip() not in {"200", "200.0", "OK", "ok"}:
                    raise TrudvsemFormatError(
                        _("Сервис «Работа России» ответил статусом %(status)s: вакансий нет.")
                        % {"status": value}
                    )
            elif prefix == "meta.total" and event in ("string", "number"):
                reader.total = int_of(value)
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
            _("Файл не читается как JSON (повреждён или обрезан): %(reason)s. Ничего не загружено.")
            % {"reason": short_reason(exc)}
        ) from exc
    except UnicodeDecodeError as exc:
        raise TrudvsemFormatError(
            _("Файл не в кодировке UTF-8: это не выгрузка «Работы России». Ничего не загружено.")
        ) from exc
    if not seen_layout:
        raise TrudvsemFormatError(
            _(
                "В файле нет списка вакансий («results.vacancies» или «vacancies»): "
                "это не выгрузка «Работы России». Ничего не загружено."
            )
        )


def _skip_value(events: Iterator[tuple[str, str, Any]], prefix: str) -> list[Any]:
    for inner_prefix, inner_event, _value in events:
        if inner_prefix == prefix and inner_event == "end_array":
            break
    return []
