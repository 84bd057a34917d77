"""A vacancy as read from «Работа России» (``VacancyRecord``) and the normalisation of its
values, whatever the layout they come in.

Values are normalised the way the evidence of public clients says: 0 salaries mean «not
specified» (None), schedule and employment type are mapped from the official Russian
enumerations to ``Vacancy.Schedule`` / ``Vacancy.EmploymentType`` (anything else → blank),
HTML is reduced to plain text, dates of every shape the source uses become aware datetimes.
"""

from __future__ import annotations

import datetime
import html
import re
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from employers.models import Vacancy

MOSCOW = ZoneInfo("Europe/Moscow")

# Bounds of the model's columns (PositiveIntegerField, PositiveSmallIntegerField).
MAX_SALARY = 2_147_483_647
MAX_SMALL = 32_767


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
        if self.external_id:
            return _("Вакансия № %(position)s (id %(id)s)") % {
                "position": self.position,
                "id": self.external_id,
            }
        return _("Вакансия № %(position)s") % {"position": self.position}


# --- enumerations ----------------------------------------------------------------------------


def fold(value: str) -> str:
    """Lower case, ё as е, runs of white space as one space: how enumerations are matched."""
    return re.sub(r"\s+", " ", value.strip().lower().replace("ё", "е"))


SCHEDULES: dict[str, str] = {
    fold(k): v
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
    fold(k): v
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
REMOTE_EMPLOYMENT = {fold("Удаленная"), fold("Удаленная работа")}


# --- texts, numbers, dates ---------------------------------------------------------------------

_TAG_RE = re.compile(r"<[^>]*>")
_BLOCK_RE = re.compile(r"<\s*(br|/p|/li|/div|/h\d|li)\b[^>]*>", re.IGNORECASE)
_SCRIPT_RE = re.compile(r"<(script|style)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)


def strip_html(value: Any) -> str:
    """Plain text of an HTML fragment: tags dropped, entities decoded, blank lines squeezed."""
    text = text_of(value)
    if not text:
        return ""
    text = _SCRIPT_RE.sub("", text)
    text = _BLOCK_RE.sub("\n", text)
    text = html.unescape(_TAG_RE.sub("", text)).replace("\xa0", " ")
    lines = (re.sub(r"[ \t\r\f\v]+", " ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def text_of(value: Any) -> str:
    """A scalar as stripped text; objects, lists, booleans and None as ""."""
    if value is None or isinstance(value, (dict, list, bool)):
        return ""
    return str(value).strip()


def int_of(value: Any) -> int | None:
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


def salary_of(value: Any) -> int | None:
    number = int_of(value)
    # 0 means «not specified»; negatives and absurd sums are not salaries.
    if number is None or number <= 0 or number > MAX_SALARY:
        return None
    return number


def is_roubles(currency: str) -> bool:
    folded = fold(currency).strip("«»\"'. ")
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


def first_of(mapping: Any, *keys: str) -> Any:
    """The first present, non-empty value among ``keys`` of a dict (None otherwise)."""
    if not isinstance(mapping, dict):
        return None
    for key in keys:
        value = mapping.get(key)
        if value not in (None, "", [], {}):
            return value
    return None


def join_texts(*parts: str) -> str:
    """The non-empty parts, each once, one per line."""
    seen: list[str] = []
    for part in parts:
        if part and part not in seen:
            seen.append(part)
    return "\n".join(seen)
