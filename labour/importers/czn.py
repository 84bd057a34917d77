"""Reader of the employment centre's (ЦЗН) vacancy exports: CSV or XLSX, checked row by row.

The file is opened with ``resource_center.lib.tabular`` (CSV in UTF-8 with or without BOM
or Windows-1251, any of the usual delimiters, XLSX with Excel dates). The header row is
looked for among the first rows (a title such as «Выгрузка вакансий на 01.09.2026» may
stand above it) and its columns are recognised in the spellings the centres' programs and
people use («Наименование вакансии», «Профессия (должность)», «Должность»…), compared
without case, spaces, punctuation or «ё».

Every data row becomes a ``CznRecord`` — the ``VacancyRecord`` that
``labour.services.imports.vacancies_import`` consumes — with the line of the file and the
list of what is wrong with it (in Russian); ``error`` holds them joined, so a record with
any error is never saved. A file that cannot be read as a whole (not a table, no
recognisable headers, a required column missing) raises ``CznExportError``.

The vacancy's number in the centre's system is its external id: the column is required,
because without a stable id a second upload of the same export could only add the
vacancies again instead of updating them. Nothing here touches the database.
"""

from __future__ import annotations

import datetime
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from employers.models import Vacancy
from labour.importers.trudvsem import EMPLOYMENT_TYPES, SCHEDULES, VacancyRecord
from resource_center.lib.checks import inn_is_valid
from resource_center.lib.tabular import Cell, Table, TableError, open_table, parse_date
from resource_center.lib.text import fold

# Far more than a district centre lists; a guard against a table that takes minutes to read.
MAX_ROWS = 20_000
HEADER_SEARCH_ROWS = 10
# The external id is stored with the district's prefix (see the import service): room for it.
MAX_ID_LENGTH = 80
_MAX_SALARY = 2_147_483_647  # PositiveIntegerField
_MAX_SMALL = 32_767  # PositiveSmallIntegerField

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
_HEADER_JUNK = re.compile(r"[\W_]+")

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


class CznExportError(Exception):
    """The file as a whole cannot be imported; ``message`` is for the user (Russian)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class CznRecord(VacancyRecord):
    """A vacancy of the export: its line in the file, the id as written and every error."""

    line: int = 0
    file_id: str = ""  # the vacancy's number as the export writes it
    errors: list[str] = field(default_factory=list)

    @property
    def schedule_label(self) -> str:
        return str(Vacancy.Schedule(self.schedule).label) if self.schedule else ""

    @property
    def employment_label(self) -> str:
        return (
            str(Vacancy.EmploymentType(self.employment_type).label) if self.employment_type else ""
        )

    @property
    def salary_text(self) -> str:
        if self.salary_from and self.salary_to:
            return f"{self.salary_from:,}–{self.salary_to:,}".replace(",", "\u00a0")
        if self.salary_from:
            return _("от %(n)s") % {"n": f"{self.salary_from:,}".replace(",", "\u00a0")}
        if self.salary_to:
            return _("до %(n)s") % {"n": f"{self.salary_to:,}".replace(",", "\u00a0")}
        return ""


def normalize_header(value: Cell) -> str:
    """«Заработная плата от, руб.» → «заработнаяплатаотруб»."""
    if value is None:
        return ""
    return _HEADER_JUNK.sub("", fold(str(value)))


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


def cell_text(value: Cell) -> str:
    """A cell as stripped text: whole numbers without «.0», dates as 01.09.2026."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime | datetime.date):
        return value.strftime("%d.%m.%Y")
    return str(value).replace("\xa0", " ").strip()


def table_error_message(error: TableError) -> str:
    """A Russian explanation of why a file is not a readable table."""
    upload = _("Загрузите выгрузку в формате CSV или XLSX.")
    messages = {
        "empty": _("Файл пуст."),
        "pdf": _("Это PDF-документ, а не таблица.") + " " + upload,
        "image": _("Это изображение, а не таблица.") + " " + upload,
        "ole": _(
            "Старые форматы Microsoft Office (.xls, .doc) не поддерживаются. "
            "Откройте файл в Excel и сохраните как «Книга Excel (*.xlsx)» или "
            "«CSV (разделители — точка с запятой)»."
        ),
        "rtf": _("Это текстовый документ, а не таблица.") + " " + upload,
        "document": _("Это текстовый документ, а не таблица.") + " " + upload,
        "ods": _("Таблицы OpenDocument (.ods) не поддерживаются: сохраните файл как XLSX или CSV."),
        "archive": _("Это архив, а не таблица.") + " " + upload,
        "binary": _("Файл не похож на таблицу: в нём двоичные данные.") + " " + upload,
        "broken": _(
            "Файл повреждён или не является таблицей CSV или XLSX. "
            "Откройте его в Excel и сохраните заново."
        ),
    }
    return messages.get(error.code, messages["broken"])


def _missing_columns(columns: Columns) -> list[str]:
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


class CznExport:
    """An opened export: its columns, and its rows checked one by one."""

    def __init__(self, table: Table, columns: Columns, *, today: datetime.date) -> None:
        self.table = table
        self.columns = columns
        self.today = today

    def __enter__(self) -> CznExport:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.table.close()

    @property
    def file_format(self) -> str:
        return self.table.format

    @property
    def encoding(self) -> str:
        return self.table.encoding

    def __iter__(self) -> Iterator[CznRecord]:
        """Every non-blank data row, checked; a repeated vacancy number is an error."""
        idx = self.columns.indexes
        width = max(idx.values()) + 1
        seen: dict[str, int] = {}  # vacancy number → its line: the state that grows
        position = 0
        # The rows go on from where open_czn_export() found the header.
        line = self.columns.header_line
        try:
            for raw in self.table.rows:
                line += 1
                cells = list(raw[:width]) + [None] * (width - len(raw))
                if not any(cell_text(v) for v in cells):
                    continue
                position += 1
                if position > MAX_ROWS:
                    raise CznExportError(
                        _("В выгрузке больше %(n)d вакансий: разделите её на части.")
                        % {"n": MAX_ROWS}
                    )
                record = self._record(cells, line=line, position=position)
                if record.file_id:
                    first = seen.setdefault(record.file_id, line)
                    if first != line:
                        record.errors.append(
                            _("Номер вакансии %(id)s уже встречался в строке %(line)d.")
                            % {"id": record.file_id, "line": first}
                        )
                record.error = " ".join(record.errors)
                yield record
        except TableError as exc:
            raise CznExportError(table_error_message(exc)) from exc

    def _cell(self, cells: list[Cell], name: str) -> Cell:
        i = self.columns.indexes.get(name)
        return None if i is None else cells[i]

    def _text(self, cells: list[Cell], name: str) -> str:
        return cell_text(self._cell(cells, name))

    def _record(self, cells: list[Cell], *, line: int, position: int) -> CznRecord:
        record = CznRecord(position=position, line=line)
        errors = record.errors
        text = self._text

        file_id = text(cells, ID)
        record.file_id = file_id
        record.external_id = file_id
        if not file_id:
            errors.append(
                _(
                    "Нет номера вакансии: без него повторная загрузка не сможет обновить "
                    "вакансию, а добавит её заново."
                )
            )
        elif len(file_id) > MAX_ID_LENGTH:
            errors.append(_("Номер вакансии длиннее %(n)d знаков.") % {"n": MAX_ID_LENGTH})

        title = " ".join(text(cells, TITLE).split())
        if not title:
            errors.append(_("Нет наименования вакансии."))
        elif len(title) > 300:
            errors.append(_("Наименование вакансии длиннее 300 знаков."))
        record.title = title[:300]

        record.employer_name = " ".join(text(cells, EMPLOYER).split())[:500]
        record.employer_inn = self._inn(self._cell(cells, INN), errors)
        if not record.employer_name and not text(cells, INN):
            errors.append(_("Не указан работодатель: нет ни наименования, ни ИНН."))
        ogrn = re.sub(r"\D", "", text(cells, OGRN))
        record.employer_ogrn = ogrn if len(ogrn) in (13, 15) else ""

        record.okpdtr_code = re.sub(r"\s", "", text(cells, CODE))[:10]
        self._salaries(cells, record)
        record.work_places = self._places(text(cells, PLACES), errors)
        schedule = fold(" ".join(text(cells, SCHEDULE).split()))
        employment = fold(" ".join(text(cells, EMPLOYMENT).split()))
        record.schedule = _SCHEDULES.get(schedule, "")
        record.employment_type = _EMPLOYMENT_TYPES.get(employment, "")
        if not record.schedule and employment in {"удаленная", "удаленная работа"}:
            record.schedule = Vacancy.Schedule.REMOTE
        record.education = text(cells, EDUCATION)[:100]
        record.experience_years = self._experience(text(cells, EXPERIENCE), errors)
        record.address = " ".join(text(cells, ADDRESS).split())[:500]
        record.employer_phone = text(cells, PHONE)[:30]
        record.employer_email = text(cells, EMAIL)[:254]
        record.duty = text(cells, DUTY)
        record.requirements = text(cells, REQUIREMENTS)
        record.sector = text(cells, SECTOR)[:200]
        record.created_at = self._date(self._cell(cells, DATE), errors)
        return record

    @staticmethod
    def _inn(value: Cell, errors: list[str]) -> str:
        written = cell_text(value)
        if not written:
            return ""
        inn = re.sub(r"[\s\-]", "", written)
        # Excel drops the leading zero of an ИНН typed as a number (regions 01–09).
        if isinstance(value, int | float) and len(inn) in (9, 11):
            inn = "0" + inn
        if not (inn.isascii() and inn.isdigit()) or len(inn) not in (10, 12):
            errors.append(
                _("ИНН «%(inn)s» неверен: нужно 10 цифр (организация) или 12 (ИП).")
                % {"inn": written}
            )
            return ""
        if not inn_is_valid(inn):
            errors.append(_("ИНН %(inn)s неверен: не сходятся контрольные цифры.") % {"inn": inn})
            return ""
        return inn

    def _salaries(self, cells: list[Cell], record: CznRecord) -> None:
        errors = record.errors
        label_from, label_to = str(FIELD_LABELS[SALARY_FROM]), str(FIELD_LABELS[SALARY_TO])
        salary_from = _salary(self._text(cells, SALARY_FROM), label_from, errors)
        salary_to = _salary(self._text(cells, SALARY_TO), label_to, errors)
        combined = self._text(cells, SALARY)
        if combined and salary_from is None and salary_to is None:
            salary_from, salary_to = _salary_range(combined, errors)
        if salary_from is not None and salary_to is not None and salary_from > salary_to:
            errors.append(
                _("Зарплата от (%(low)d) больше зарплаты до (%(high)d).")
                % {"low": salary_from, "high": salary_to}
            )
        record.salary_from, record.salary_to = salary_from, salary_to

    @staticmethod
    def _places(text: str, errors: list[str]) -> int:
        if not text:
            return 1
        number = _number(text)
        if number is None or not number.is_integer():
            errors.append(
                _("Количество рабочих мест «%(value)s» — не целое число.") % {"value": text}
            )
            return 1
        if number < 1:
            errors.append(
                _("Количество рабочих мест должно быть не меньше 1, а указано %(value)s.")
                % {"value": text}
            )
            return 1
        if number > _MAX_SMALL:
            errors.append(_("Количество рабочих мест %(value)s слишком велико.") % {"value": text})
            return 1
        return int(number)

    @staticmethod
    def _experience(text: str, errors: list[str]) -> int | None:
        if not text:
            return None
        folded = fold(text).rstrip(".")
        if folded in _NO_EXPERIENCE:
            return 0
        if folded.startswith("-"):
            errors.append(
                _("Опыт работы не может быть отрицательным: «%(value)s».") % {"value": text}
            )
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

    def _date(self, value: Cell, errors: list[str]) -> datetime.datetime | None:
        if cell_text(value) == "":
            return None
        date = parse_date(value, pivot_year=self.today.year, epoch_1904=self.table.epoch_1904)
        if date is None:
            errors.append(
                _("Дата размещения «%(value)s» не понята: нужна дата вида 01.09.2026.")
                % {"value": cell_text(value)}
            )
            return None
        if date > self.today + datetime.timedelta(days=1):
            errors.append(
                _("Дата размещения %(date)s ещё не наступила.")
                % {"date": date.strftime("%d.%m.%Y")}
            )
            return None
        return timezone.make_aware(datetime.datetime.combine(date, datetime.time()))


def _number(text: str) -> float | None:
    cleaned = re.sub(r"[\s\xa0]", "", text).replace(",", ".")
    cleaned = re.sub(r"(?i)(руб\.?|р\.?|₽)$", "", cleaned)
    try:
        number = float(cleaned)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _salary(text: str, label: str, errors: list[str]) -> int | None:
    if not text:
        return None
    number = _number(text)
    if number is None:
        errors.append(_("%(field)s «%(value)s» — не число.") % {"field": label, "value": text})
        return None
    if number < 0:
        errors.append(
            _("%(field)s не может быть отрицательной: %(value)s.") % {"field": label, "value": text}
        )
        return None
    if number > _MAX_SALARY:
        errors.append(_("%(field)s %(value)s слишком велика.") % {"field": label, "value": text})
        return None
    # 0 is how the centre's programs write «not specified».
    return int(number) or None


_RANGE_RE = re.compile(
    r"(?:от\s*(?P<low>[\d\s.,]+))?\s*(?:до\s*(?P<high>[\d\s.,]+))?\s*(?:руб\.?|р\.?|₽)?"
)
_DASH_RE = re.compile(r"(?P<low>[\d\s.,]+?)\s*[-–—]\s*(?P<high>[\d\s.,]+?)\s*(?:руб\.?|р\.?|₽)?")


def _salary_range(text: str, errors: list[str]) -> tuple[int | None, int | None]:
    """A single «Заработная плата» cell: «25000», «от 25 000 до 35 000», «25000–35000»."""
    folded = fold(text)
    label = str(FIELD_LABELS[SALARY])
    match = _DASH_RE.fullmatch(folded) or _RANGE_RE.fullmatch(folded)
    if match is None or not (match["low"] or match["high"]):
        single = _salary(text, label, errors)
        return single, None
    low = _salary(match["low"] or "", label, errors)
    high = _salary(match["high"] or "", label, errors)
    return low, high


def open_czn_export(content: bytes, *, today: datetime.date | None = None) -> CznExport:
    """Open the bytes of a CSV or XLSX export and find its header row.

    Raises CznExportError with a Russian message when the file is not a table, has no
    recognisable columns or lacks a column a vacancy cannot do without.
    """
    today = today or timezone.localdate()
    try:
        table = open_table(content)
    except TableError as exc:
        raise CznExportError(table_error_message(exc)) from exc
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
        table.close()
        raise CznExportError(table_error_message(exc)) from exc
    except Exception:
        table.close()
        raise
    if columns is None:
        table.close()
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
    missing = _missing_columns(columns)
    if missing:
        table.close()
        raise CznExportError(
            _("Не найдены столбцы: %(missing)s. Проверьте строку заголовков.")
            % {"missing": "; ".join(missing)}
        )
    return CznExport(table, columns, today=today)
