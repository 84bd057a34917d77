"""Columns of a centre export: the spellings of their headers and where the header row is.

Headers are compared without case, spaces, punctuation or «ё» (``normalize_header``), first
as a whole spelling, then by their beginning («ИНН работодателя (10 цифр)»). The header row
is looked for among the first rows: a title may stand above it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from labour.importers.czn.errors import CznExportError, table_error_message
from labour.importers.czn.values import cell_text
from resource_center.lib.tabular import Cell, Table, TableError
from resource_center.lib.text import normalize_header

HEADER_SEARCH_ROWS = 10

ID = "id"
TITLE = "title"
EMPLOYER = "employer"
INN = "inn"
OGRN = "ogrn"
CODE = "code"
SALARY = "salary"
SALARY_FROM = "salary_from"
SALARY_TO = "salary_to"
PLACES = "places"
SCHEDULE = "schedule"
EMPLOYMENT = "employment"
EDUCATION = "education"
EXPERIENCE = "experience"
ADDRESS = "address"
PHONE = "phone"
EMAIL = "email"
DATE = "date"
DUTY = "duty"
REQUIREMENTS = "requirements"
SECTOR = "sector"

FIELD_LABELS = {
    ID: gettext_lazy("Номер вакансии"),
    TITLE: gettext_lazy("Наименование вакансии"),
    EMPLOYER: gettext_lazy("Работодатель"),
    INN: gettext_lazy("ИНН"),
    OGRN: gettext_lazy("ОГРН"),
    CODE: gettext_lazy("Код профессии"),
    SALARY: gettext_lazy("Заработная плата"),
    SALARY_FROM: gettext_lazy("Зарплата от"),
    SALARY_TO: gettext_lazy("Зарплата до"),
    PLACES: gettext_lazy("Количество рабочих мест"),
    SCHEDULE: gettext_lazy("График работы"),
    EMPLOYMENT: gettext_lazy("Тип занятости"),
    EDUCATION: gettext_lazy("Образование"),
    EXPERIENCE: gettext_lazy("Опыт работы (лет)"),
    ADDRESS: gettext_lazy("Адрес"),
    PHONE: gettext_lazy("Телефон"),
    EMAIL: gettext_lazy("E-mail"),
    DATE: gettext_lazy("Дата размещения"),
    DUTY: gettext_lazy("Обязанности"),
    REQUIREMENTS: gettext_lazy("Требования"),
    SECTOR: gettext_lazy("Сфера деятельности"),
}

# Headers after normalize_header() (lower case, «ё» as «е», letters and digits only).
_SPELLINGS = {
    ID: "id ид идентификатор идентификаторвакансии номервакансии номер кодвакансии "
    "регистрационныйномер регномер",
    TITLE: "наименованиевакансии вакансия названиевакансии профессиядолжность профессия "
    "должность наименованиепрофессиидолжности наименованиепрофессии наименованиедолжности "
    "должностьпрофессия",
    EMPLOYER: "работодатель наименованиеработодателя организация наименованиеорганизации "
    "предприятие названиеорганизации работодательорганизация",
    INN: "инн иннработодателя иннорганизации",
    OGRN: "огрн огрнработодателя огрнорганизации огрнип",
    CODE: "кодпрофессии окпдтр кодокпдтр кодпоокпдтр",
    SALARY: "зарплата заработнаяплата заработнаяплатаруб зп",
    SALARY_FROM: "зарплатаот заработнаяплатаот зпот окладот",
    SALARY_TO: "зарплатадо заработнаяплатадо зпдо окладдо",
    PLACES: "количестворабочихмест колвомест колворабочихмест количествомест числорабочихмест "
    "количествовакантныхмест количествовакансий рабочихмест",
    SCHEDULE: "графикработы режимработы график",
    EMPLOYMENT: "типзанятости характерработы видзанятости занятость",
    EDUCATION: "образование требуемоеобразование уровеньобразования",
    EXPERIENCE: "опытработылет опытработы стаж требуемыйстаж стажлет опыт",
    ADDRESS: "адрес адресместаработы местоработы адресрабочегоместа",
    PHONE: "телефон контактныйтелефон телефонработодателя тел телефондлясвязи",
    EMAIL: "email эпочта электроннаяпочта почта адресэлектроннойпочты",
    DATE: "датаразмещения датасоздания датапубликации датаразмещениявакансии датарегистрации "
    "датаподачи",
    DUTY: "обязанности должностныеобязанности описание описаниевакансии",
    REQUIREMENTS: "требования требованияккандидату требованиякандидату дополнительныетребования",
    SECTOR: "сфера сферадеятельности отрасль профобласть",
}
_EXACT_HEADERS = {
    spelling: name for name, spellings in _SPELLINGS.items() for spelling in spellings.split()
}
# Longer spellings: «ИНН работодателя (10 цифр)», «Заработная плата от, руб.», «Стаж, лет».
_PREFIX_HEADERS = (
    ("номервакансии", ID),
    ("идентификатор", ID),
    ("наименованиевакансии", TITLE),
    ("наименованиепрофессии", TITLE),
    ("профессиядолжность", TITLE),
    ("наименованиеработодателя", EMPLOYER),
    ("наименованиеорганизации", EMPLOYER),
    ("инн", INN),
    ("огрн", OGRN),
    ("кодпрофессии", CODE),
    ("кодокпдтр", CODE),
    ("окпдтр", CODE),
    ("зарплатаот", SALARY_FROM),
    ("заработнаяплатаот", SALARY_FROM),
    ("зарплатадо", SALARY_TO),
    ("заработнаяплатадо", SALARY_TO),
    ("заработнаяплата", SALARY),
    ("количестворабочихмест", PLACES),
    ("количествомест", PLACES),
    ("колвомест", PLACES),
    ("колворабочихмест", PLACES),
    ("графикработы", SCHEDULE),
    ("режимработы", SCHEDULE),
    ("типзанятости", EMPLOYMENT),
    ("характерработы", EMPLOYMENT),
    ("образование", EDUCATION),
    ("опытработы", EXPERIENCE),
    ("стаж", EXPERIENCE),
    ("требуемыйстаж", EXPERIENCE),
    ("адресместаработы", ADDRESS),
    ("контактныйтелефон", PHONE),
    ("датаразмещения", DATE),
    ("датасоздания", DATE),
    ("датапубликации", DATE),
)
# Columns about the employer's own address or a contact person are not the vacancy's.
_IGNORED_WORDS = ("контактноелицо", "фиоконтакт", "юридическийадрес", "адресработодателя")


def header_field(value: Cell) -> str | None:
    """The vacancy field a column header stands for, or None."""
    key = normalize_header(value)
    if not key:
        return None
    if key in _EXACT_HEADERS:
        return _EXACT_HEADERS[key]
    if any(word in key for word in _IGNORED_WORDS):
        return None
    for prefix, name in _PREFIX_HEADERS:
        if key.startswith(prefix):
            return name
    return None


@dataclass
class Columns:
    """Positions of the recognised columns and the headers left unused."""

    indexes: dict[str, int]
    header_line: int
    ignored: list[str] = field(default_factory=list)

    def has(self, name: str) -> bool:
        return name in self.indexes

    def recognised(self) -> list[str]:
        """Labels of the recognised columns, in the order of the file."""
        found = sorted((i, name) for name, i in self.indexes.items())
        return [str(FIELD_LABELS[name]) for _i, name in found]


def map_columns(header: list[Cell] | tuple[Cell, ...], line: int) -> Columns:
    """Map a header row to fields; the first column wins when a header repeats."""
    indexes: dict[str, int] = {}
    ignored: list[str] = []
    for i, value in enumerate(header):
        name = header_field(value)
        if name is None or name in indexes:
            text = cell_text(value)
            if text:
                ignored.append(text)
            continue
        indexes[name] = i
    return Columns(indexes=indexes, header_line=line, ignored=ignored)


def missing_columns(columns: Columns) -> list[str]:
    """What each required column the export lacks is, and why it is required (Russian)."""
    missing = []
    if not columns.has(ID):
        missing.append(
            _(
                "«Номер вакансии» (или «Идентификатор», «ID») — без номера вакансии в системе "
                "центра занятости повторная загрузка не обновит вакансии, а добавит их заново"
            )
        )
    if not columns.has(TITLE):
        missing.append(_("«Наименование вакансии» (или «Профессия (должность)», «Должность»)"))
    if not columns.has(EMPLOYER) and not columns.has(INN):
        missing.append(_("«Работодатель» (или «Наименование работодателя», «Организация», «ИНН»)"))
    return missing


def find_columns(table: Table) -> Columns:
    """Read the table up to its header row and map it; the rows after it are left unread.

    The header is the first non-blank row with three recognised columns (or two, one of them
    the title) among the first ``HEADER_SEARCH_ROWS``; failing that, the row with the most.
    Raises CznExportError when the file is empty, unreadable, has no known header or lacks a
    required column. The table is not closed here.
    """
    columns = best = None
    seen_rows = line = 0
    try:
        for raw in table.rows:
            line += 1
            if not any(cell_text(v) for v in raw):
                continue
            seen_rows += 1
            candidate = map_columns(raw, line)
            recognised = len(candidate.indexes)
            if recognised >= 3 or (recognised >= 2 and candidate.has(TITLE)):
                columns = candidate
                break
            if best is None or recognised > len(best.indexes):
                best = candidate
            if seen_rows >= HEADER_SEARCH_ROWS:
                break
    except TableError as exc:
        raise CznExportError(table_error_message(exc)) from exc
    if columns is None:
        if seen_rows == 0:
            raise CznExportError(_("Файл пуст."))
        if best is None or not best.indexes:
            raise CznExportError(
                _(
                    "В файле не найдены знакомые заголовки столбцов. В первой строке выгрузки "
                    "должны быть заголовки: Номер вакансии, Наименование вакансии, "
                    "Работодатель, ИНН; по желанию Код профессии, Зарплата от, Зарплата до, "
                    "Количество рабочих мест, График работы, Тип занятости, Образование, "
                    "Опыт работы (лет), Адрес, Телефон, Дата размещения."
                )
            )
        columns = best
    missing = missing_columns(columns)
    if missing:
        raise CznExportError(
            _("Не найдены столбцы: %(missing)s. Проверьте строку заголовков.")
            % {"missing": "; ".join(missing)}
        )
    return columns
