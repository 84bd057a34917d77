"""Rules for the cells of a centre export: each turns a cell into a vacancy value and adds
what is wrong with it, in Russian, to the row's list of errors."""

from __future__ import annotations

import datetime
import math
import re

from django.utils import timezone
from django.utils.translation import gettext as _

from employers.models import Vacancy
from labour.importers.trudvsem.records import (
    EMPLOYMENT_TYPES,
    MAX_SALARY,
    MAX_SMALL,
    REMOTE_EMPLOYMENT,
    SCHEDULES,
)
from resource_center.lib.checks import inn_is_valid
from resource_center.lib.tabular import Cell, parse_date
from resource_center.lib.text import fold

# The external id is stored with the district's prefix (see the upload service): room for it.
MAX_ID_LENGTH = 80

# Values of the «График работы» and «Характер работы» columns beyond the official ones.
_SCHEDULES = {
    **SCHEDULES,
    **{
        fold(k): v
        for k, v in {
            "сменная работа": Vacancy.Schedule.SHIFT,
            "сменный": Vacancy.Schedule.SHIFT,
            "гибкий": Vacancy.Schedule.FLEXIBLE,
            "вахта": Vacancy.Schedule.ROTATION,
            "вахтовый": Vacancy.Schedule.ROTATION,
            "полный": Vacancy.Schedule.FULL_DAY,
            "неполный": Vacancy.Schedule.PART_TIME,
            "дистанционная работа": Vacancy.Schedule.REMOTE,
            "удаленная работа": Vacancy.Schedule.REMOTE,
        }.items()
    },
}
_EMPLOYMENT_TYPES = {
    **EMPLOYMENT_TYPES,
    **{
        fold(k): v
        for k, v in {
            "постоянная": Vacancy.EmploymentType.FULL,
            "постоянная работа": Vacancy.EmploymentType.FULL,
            "полная": Vacancy.EmploymentType.FULL,
            "частичная": Vacancy.EmploymentType.PART,
            "стажировка": Vacancy.EmploymentType.INTERNSHIP,
        }.items()
    },
}

_NUMBER_RE = re.compile(r"\d+(?:[.,]\d+)?")
_NO_EXPERIENCE = {"без опыта", "не требуется", "нет", "без стажа", "опыт не требуется", "-", "—"}
_RANGE_RE = re.compile(
    r"(?:от\s*(?P<low>[\d\s.,]+))?\s*(?:до\s*(?P<high>[\d\s.,]+))?\s*(?:руб\.?|р\.?|₽)?"
)
_DASH_RE = re.compile(r"(?P<low>[\d\s.,]+?)\s*[-–—]\s*(?P<high>[\d\s.,]+?)\s*(?:руб\.?|р\.?|₽)?")


def cell_text(value: Cell) -> str:
    """A cell as stripped text: whole numbers without «.0», dates as 01.09.2026."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime | datetime.date):
        return value.strftime("%d.%m.%Y")
    return str(value).replace("\xa0", " ").strip()


def squeeze(text: str) -> str:
    """Runs of white space as one space."""
    return " ".join(text.split())


def vacancy_number(text: str, errors: list[str]) -> str:
    """The vacancy's number in the centre's system, as written (required, at most 80 signs)."""
    if not text:
        errors.append(
            _(
                "Нет номера вакансии: без него повторная загрузка не сможет обновить "
                "вакансию, а добавит её заново."
            )
        )
    elif len(text) > MAX_ID_LENGTH:
        errors.append(_("Номер вакансии длиннее %(n)d знаков.") % {"n": MAX_ID_LENGTH})
    return text


def vacancy_title(text: str, errors: list[str]) -> str:
    """The vacancy's title with its spaces squeezed (required, cut to 300 signs)."""
    title = squeeze(text)
    if not title:
        errors.append(_("Нет наименования вакансии."))
    elif len(title) > 300:
        errors.append(_("Наименование вакансии длиннее 300 знаков."))
    return title[:300]


def inn_of(value: Cell, errors: list[str]) -> str:
    """A valid ИНН of 10 or 12 digits, or "" (with an error when something else is written)."""
    written = cell_text(value)
    if not written:
        return ""
    inn = re.sub(r"[\s\-]", "", written)
    # Excel drops the leading zero of an ИНН typed as a number (regions 01–09).
    if isinstance(value, int | float) and len(inn) in (9, 11):
        inn = "0" + inn
    if not (inn.isascii() and inn.isdigit()) or len(inn) not in (10, 12):
        errors.append(
            _("ИНН «%(inn)s» неверен: нужно 10 цифр (организация) или 12 (ИП).") % {"inn": written}
        )
        return ""
    if not inn_is_valid(inn):
        errors.append(_("ИНН %(inn)s неверен: не сходятся контрольные цифры.") % {"inn": inn})
        return ""
    return inn


def ogrn_of(text: str) -> str:
    """The digits of an ОГРН (13) or ОГРНИП (15); anything else is dropped silently."""
    ogrn = re.sub(r"\D", "", text)
    return ogrn if len(ogrn) in (13, 15) else ""


def schedule_and_employment(schedule_text: str, employment_text: str) -> tuple[str, str]:
    """``Vacancy.Schedule`` and ``Vacancy.EmploymentType`` values of the two columns ("" when
    not known); «Удалённая» written as the kind of employment is a remote schedule."""
    schedule = fold(squeeze(schedule_text))
    employment = fold(squeeze(employment_text))
    result = _SCHEDULES.get(schedule, "")
    if not result and employment in REMOTE_EMPLOYMENT:
        result = Vacancy.Schedule.REMOTE
    return result, _EMPLOYMENT_TYPES.get(employment, "")


def number_of(text: str) -> float | None:
    """«25 000», «1,5», «30000 руб.» → a finite number, else None."""
    cleaned = re.sub(r"[\s\xa0]", "", text).replace(",", ".")
    cleaned = re.sub(r"(?i)(руб\.?|р\.?|₽)$", "", cleaned)
    try:
        number = float(cleaned)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def salary_of(text: str, label: str, errors: list[str]) -> int | None:
    """A salary in roubles from the column called ``label``; 0 and blank are None."""
    if not text:
        return None
    number = number_of(text)
    if number is None:
        errors.append(_("%(field)s «%(value)s» — не число.") % {"field": label, "value": text})
        return None
    if number < 0:
        errors.append(
            _("%(field)s не может быть отрицательной: %(value)s.") % {"field": label, "value": text}
        )
        return None
    if number > MAX_SALARY:
        errors.append(_("%(field)s %(value)s слишком велика.") % {"field": label, "value": text})
        return None
    # 0 is how the centre's programs write «not specified».
    return int(number) or None


def salary_range_of(text: str, label: str, errors: list[str]) -> tuple[int | None, int | None]:
    """A single «Заработная плата» cell: «25000», «от 25 000 до 35 000», «25000–35000»."""
    folded = fold(text)
    match = _DASH_RE.fullmatch(folded) or _RANGE_RE.fullmatch(folded)
    if match is None or not (match["low"] or match["high"]):
        single = salary_of(text, label, errors)
        return single, None
    low = salary_of(match["low"] or "", label, errors)
    high = salary_of(match["high"] or "", label, errors)
    return low, high


def salaries_of(
    *, low: str, high: str, combined: str, labels: tuple[str, str, str], errors: list[str]
) -> tuple[int | None, int | None]:
    """(from, to) of the «Зарплата от»/«Зарплата до» cells, or else of the single «Заработная
    плата» cell; ``labels`` name the three columns in that order."""
    label_from, label_to, label_combined = labels
    salary_from = salary_of(low, label_from, errors)
    salary_to = salary_of(high, label_to, errors)
    if combined and salary_from is None and salary_to is None:
        salary_from, salary_to = salary_range_of(combined, label_combined, errors)
    if salary_from is not None and salary_to is not None and salary_from > salary_to:
        errors.append(
            _("Зарплата от (%(low)d) больше зарплаты до (%(high)d).")
            % {"low": salary_from, "high": salary_to}
        )
    return salary_from, salary_to


def places_of(text: str, errors: list[str]) -> int:
    """The number of workplaces: a whole number from 1; blank (or wrong) is 1."""
    if not text:
        return 1
    number = number_of(text)
    if number is None or not number.is_integer():
        errors.append(_("Количество рабочих мест «%(value)s» — не целое число.") % {"value": text})
        return 1
    if number < 1:
        errors.append(
            _("Количество рабочих мест должно быть не меньше 1, а указано %(value)s.")
            % {"value": text}
        )
        return 1
    if number > MAX_SMALL:
        errors.append(_("Количество рабочих мест %(value)s слишком велико.") % {"value": text})
        return 1
    return int(number)


def experience_of(text: str, errors: list[str]) -> int | None:
    """Years of experience required: «3», «3 года», «от 1 года», «без опыта» (0)."""
    if not text:
        return None
    folded = fold(text).rstrip(".")
    if folded in _NO_EXPERIENCE:
        return 0
    if folded.startswith("-"):
        errors.append(_("Опыт работы не может быть отрицательным: «%(value)s».") % {"value": text})
        return None
    # «3», «3 года», «от 1 года», «1,5»: the first number, in whole years.
    match = _NUMBER_RE.search(folded)
    if match is None or not re.fullmatch(r"(от\s*)?[\d.,]+\s*(г|год|года|лет)?\.?", folded):
        errors.append(_("Опыт работы «%(value)s» не понят: нужно число лет.") % {"value": text})
        return None
    years = int(float(match[0].replace(",", ".")))
    if years > 80:
        errors.append(_("Опыт работы %(value)s лет — слишком много.") % {"value": years})
        return None
    return years


def posted_at(
    value: Cell, errors: list[str], *, today: datetime.date, epoch_1904: bool
) -> datetime.datetime | None:
    """The date the vacancy was posted, as an aware midnight; not later than tomorrow."""
    if cell_text(value) == "":
        return None
    date = parse_date(value, pivot_year=today.year, epoch_1904=epoch_1904)
    if date is None:
        errors.append(
            _("Дата размещения «%(value)s» не понята: нужна дата вида 01.09.2026.")
            % {"value": cell_text(value)}
        )
        return None
    if date > today + datetime.timedelta(days=1):
        errors.append(
            _("Дата размещения %(date)s ещё не наступила.") % {"date": date.strftime("%d.%m.%Y")}
        )
        return None
    return timezone.make_aware(datetime.datetime.combine(date, datetime.time()))
