"""Cell values of pupil lists: names, classes, sex, e-mail, and birth date against grade.

Each parser takes what a school typed and returns the normalised value or says what is
wrong, in Russian. Nothing here touches the database.
"""

from __future__ import annotations

import datetime
import re
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from resource_center.lib.tabular import Cell

AGE_ABOVE_GRADE_MIN = 5
AGE_ABOVE_GRADE_MAX = 9
NAME_MAX_LENGTH = 100  # the columns' length


def age_on_first_september(birth_date: datetime.date, academic_year: int) -> int:
    """The age on 1 September of the academic year (2026 for 2026/27)."""
    return academic_year - birth_date.year - ((birth_date.month, birth_date.day) > (9, 1))


def birth_date_fits_grade(birth_date: datetime.date, grade: int, academic_year: int) -> bool:
    """True when the age on 1 September of the academic year is from grade + 5 to grade + 9.

    The one plausibility rule of birth date against grade, shared with the pupil form.
    """
    age = age_on_first_september(birth_date, academic_year)
    return grade + AGE_ABOVE_GRADE_MIN <= age <= grade + AGE_ABOVE_GRADE_MAX


def age_error(birth_date: datetime.date, grade: int, year: int) -> str:
    return _(
        "Дата рождения %(date)s не подходит к %(grade)d классу: на 1 сентября %(year)d г. "
        "ожидается возраст от %(low)d до %(high)d лет, а по этой дате — %(age)d."
    ) % {
        "date": birth_date.strftime("%d.%m.%Y"),
        "grade": grade,
        "year": year,
        "low": grade + AGE_ABOVE_GRADE_MIN,
        "high": grade + AGE_ABOVE_GRADE_MAX,
        "age": age_on_first_september(birth_date, year),
    }


def cell_text(value: Cell) -> str:
    """A cell as stripped text: numbers without «.0», dates as 14.05.2011."""
    if value is None:
        return ""
    if type(value) is str:
        return value.strip()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a phone or a grade typed as a number
    if isinstance(value, datetime.datetime | datetime.date):
        return value.strftime("%d.%m.%Y")
    return str(value).strip()


# A name has letters, spaces, hyphens, apostrophes and dots (initials); no digits.
NAME_BAD = re.compile(r"[^\w\s\-'’.]|[\d_]")


def name_error(label: str, value: str) -> str:
    if len(value) > NAME_MAX_LENGTH:
        return _("%(field)s длиннее 100 знаков.") % {"field": label}
    return _("%(field)s «%(value)s» содержит цифры или недопустимые знаки.") % {
        "field": label,
        "value": value,
    }


_LOOKALIKES = str.maketrans("ABCEHKMOPTXY", "АВСЕНКМОРТХУ")  # Latin typed for Cyrillic
# Any one Russian letter, as the pupil form accepts (students.forms.pupils.CLASS_LETTER).
_CLASS_LETTERS = frozenset("АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ")
_CLASS_RE = re.compile(r"(\d{1,2})\s*[-–—/.]?\s*([^\W\d_]?)")
_CLASS_QUOTES = str.maketrans("", "", "\"'«»“”„")
_CLASS_WORD = re.compile(r"\s*(?:КЛАСС|КЛ\.?)$")


@lru_cache(maxsize=512)
def parse_class(text: str) -> tuple[int | None, str, str]:
    """«9Б», «9 Б», «9-б», «9 "Б" класс», «9» → (grade, letter, error code or '')."""
    value = _CLASS_WORD.sub("", text.upper().translate(_CLASS_QUOTES).strip())
    match = _CLASS_RE.fullmatch(value)
    if not match:
        return None, "", "class"
    grade = int(match[1])
    letter = match[2].translate(_LOOKALIKES)
    if letter and letter not in _CLASS_LETTERS:
        return grade, letter, "letter"
    if not 1 <= grade <= 11:
        return grade, letter, "grade"
    return grade, letter, ""


def class_error(problem: str, class_text: str, grade: int | None, letter: str) -> str:
    if problem == "letter":
        return _("Буква класса «%(value)s» не распознана.") % {"value": letter}
    if problem == "grade":
        return _("Класс %(grade)d: номер класса должен быть от 1 до 11.") % {"grade": grade}
    return _("Класс «%(value)s» не распознан: нужен вид 9Б, 9 Б или 9.") % {"value": class_text}


@lru_cache(maxsize=64)
def parse_letter(text: str) -> tuple[str, bool]:
    """A separate «Литера» cell → (letter, ok)."""
    letter = text.upper().translate(_CLASS_QUOTES).strip().translate(_LOOKALIKES)
    return letter, not letter or letter in _CLASS_LETTERS


SEX = {
    "М": "m",
    "Ж": "f",
    "м": "m",
    "муж": "m",
    "мужской": "m",
    "мальчик": "m",
    "юноша": "m",
    "m": "m",
    "male": "m",
    "ж": "f",
    "жен": "f",
    "женский": "f",
    "девочка": "f",
    "девушка": "f",
    "f": "f",
    "w": "f",
    "female": "f",
}


def parse_sex(text: str) -> str | None:
    """'m', 'f', '' for a blank cell, None when not understood."""
    if not text:
        return ""
    return SEX.get(text.lower().rstrip(".").strip())


def email_ok(value: str) -> bool:
    if len(value) > 254:  # the column's length
        return False
    try:
        validate_email(value)
    except ValidationError:
        return False
    return True
