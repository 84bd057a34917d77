"""Column headers of pupil lists: which column holds which pupil field.

Schools write headers in many ways («Фамилия ученика», «Дата рожд.», «ФИО обучающегося»);
they are compared without case, spaces, punctuation or «ё». Nothing here touches the
database.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy

from resource_center.lib.tabular import Cell
from resource_center.lib.text import normalize_header

LAST_NAME = "last_name"
FIRST_NAME = "first_name"
PATRONYMIC = "patronymic"
FULL_NAME = "full_name"
BIRTH_DATE = "birth_date"
CLASS = "class"
LETTER = "letter"
SEX = "sex"
PHONE = "phone"
EMAIL = "email"

FIELD_LABELS = {
    LAST_NAME: gettext_lazy("Фамилия"),
    FIRST_NAME: gettext_lazy("Имя"),
    PATRONYMIC: gettext_lazy("Отчество"),
    FULL_NAME: gettext_lazy("ФИО"),
    BIRTH_DATE: gettext_lazy("Дата рождения"),
    CLASS: gettext_lazy("Класс"),
    LETTER: gettext_lazy("Литера"),
    SEX: gettext_lazy("Пол"),
    PHONE: gettext_lazy("Телефон"),
    EMAIL: gettext_lazy("E-mail"),
}

# Headers after normalize_header(): lower case, «ё» as «е», letters and digits only.
_EXACT_HEADERS = {
    "фамилия": LAST_NAME,
    "имя": FIRST_NAME,
    "отчество": PATRONYMIC,
    "фио": FULL_NAME,
    "фамилияимяотчество": FULL_NAME,
    "фамилияимяотчестворебенка": FULL_NAME,
    "др": BIRTH_DATE,
    "датарождения": BIRTH_DATE,
    "датарожд": BIRTH_DATE,
    "датар": BIRTH_DATE,
    "рождения": BIRTH_DATE,
    "класс": CLASS,
    "кл": CLASS,
    "классгруппа": CLASS,
    "параллель": CLASS,
    "литера": LETTER,
    "литер": LETTER,
    "буква": LETTER,
    "буквакласса": LETTER,
    "литеракласса": LETTER,
    "пол": SEX,
    "тел": PHONE,
    "email": EMAIL,
    "mail": EMAIL,
    "эпочта": EMAIL,
    "элпочта": EMAIL,
    "электроннаяпочта": EMAIL,
    "адресэлектроннойпочты": EMAIL,
    "почта": EMAIL,
    "емейл": EMAIL,
    "емэйл": EMAIL,
}
# Longer spellings: «Фамилия ученика», «ФИО обучающегося», «Дата рождения (дд.мм.гггг)».
_PREFIX_HEADERS = (
    ("фамилияимяотчество", FULL_NAME),
    ("фио", FULL_NAME),
    ("фамилия", LAST_NAME),
    ("имя", FIRST_NAME),
    ("отчество", PATRONYMIC),
    ("датарожд", BIRTH_DATE),
    ("буквакласса", LETTER),
    ("литера", LETTER),
    ("email", EMAIL),
    ("электроннаяпочта", EMAIL),
)
_CONTAINS_HEADERS = (("телефон", PHONE), ("email", EMAIL))
# Columns about the parents (их ФИО, телефон) must never fill the pupil's own fields.
_PARENT_WORDS = ("родит", "мат", "отц", "отец", "мам", "пап", "предст", "опекун")


def header_field(value: Cell) -> str | None:
    """The pupil field a column header stands for, or None."""
    key = normalize_header(value)
    if not key:
        return None
    if key in _EXACT_HEADERS:
        return _EXACT_HEADERS[key]
    if any(word in key for word in _PARENT_WORDS):
        return None
    for prefix, name in _PREFIX_HEADERS:
        if key.startswith(prefix):
            return name
    for part, name in _CONTAINS_HEADERS:
        if part in key:
            return name
    return None


@dataclass(slots=True)
class Columns:
    """Positions of the recognised columns (-1 when absent) and the headers left unused."""

    indexes: dict[str, int]
    header_line: int
    ignored: list[str] = field(default_factory=list)

    def has(self, name: str) -> bool:
        return self.indexes.get(name, -1) >= 0

    def recognised(self) -> list[tuple[str, str]]:
        """(field, label) of the recognised columns, in the order of the file."""
        found = sorted((i, name) for name, i in self.indexes.items() if i >= 0)
        return [(name, str(FIELD_LABELS[name])) for _, name in found]


def map_columns(header: list[Cell] | tuple[Cell, ...], line: int) -> Columns:
    """Map a header row to fields; the first column wins when a header repeats."""
    indexes: dict[str, int] = {}
    ignored: list[str] = []
    for i, value in enumerate(header):
        name = header_field(value)
        if name is None or name in indexes:
            text = "" if value is None else str(value).strip()
            if text:
                ignored.append(text)
            continue
        indexes[name] = i
    return Columns(indexes=indexes, header_line=line, ignored=ignored)


def missing_columns(columns: Columns) -> list[str]:
    """Labels of the columns a list cannot do without and this one lacks."""
    missing = []
    if not columns.has(FULL_NAME):
        missing += [str(FIELD_LABELS[f]) for f in (LAST_NAME, FIRST_NAME) if not columns.has(f)]
    if not columns.has(BIRTH_DATE):
        missing.append(str(FIELD_LABELS[BIRTH_DATE]))
    if not columns.has(CLASS):
        missing.append(str(FIELD_LABELS[CLASS]))
    return missing
