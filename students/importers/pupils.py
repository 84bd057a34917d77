"""Pupil lists from schools: finding the header row, reading and validating the rows.

Nothing here touches the database. ``open_pupil_list`` finds the header row and maps the
columns (``headers``); ``PupilList.rows()`` streams one ``PupilRow`` per data row with its
errors (cell rules in ``values``), so a list of any length is read in constant memory
(apart from one hash per row kept to find duplicates inside the file).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import starmap

from django.utils.translation import gettext as _

from resource_center.lib.tabular import Table, TableError, open_table, parse_date, parse_date_text
from resource_center.lib.text import fold
from resource_center.validators import validate_phone
from students.importers.headers import (
    BIRTH_DATE,
    CLASS,
    EMAIL,
    FIELD_LABELS,
    FIRST_NAME,
    FULL_NAME,
    LAST_NAME,
    LETTER,
    PATRONYMIC,
    PHONE,
    SEX,
    Columns,
    header_field,
    map_columns,
    missing_columns,
)
from students.importers.values import (
    AGE_ABOVE_GRADE_MAX,
    AGE_ABOVE_GRADE_MIN,
    NAME_BAD,
    NAME_MAX_LENGTH,
    age_error,
    birth_date_fits_grade,
    cell_text,
    class_error,
    email_ok,
    name_error,
    parse_class,
    parse_letter,
    parse_sex,
)
from students.importers.values import SEX as SEX_VALUES

__all__ = [
    "MAX_ROWS",
    "Columns",
    "PupilList",
    "PupilListError",
    "PupilRow",
    "birth_date_fits_grade",
    "header_field",
    "open_pupil_list",
    "parse_class",
    "parse_letter",
    "parse_sex",
    "table_error_message",
]

# Far more than any school has; a guard against a table that would take minutes to read.
MAX_ROWS = 200_000
HEADER_SEARCH_ROWS = 10  # a title such as «Список 9А класса» may stand above the headers


class PupilListError(Exception):
    """The file as a whole cannot be imported; ``message`` is for the counsellor."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def table_error_message(error: TableError) -> str:
    """A Russian explanation of why a file is not a readable table."""
    messages = {
        "empty": _("Файл пуст."),
        "pdf": _("Это PDF-документ, а не таблица. Загрузите список в формате CSV или XLSX."),
        "image": _("Это изображение, а не таблица. Загрузите список в формате CSV или XLSX."),
        "ole": _(
            "Старые форматы Microsoft Office (.xls, .doc) не поддерживаются. "
            "Откройте файл в Excel и сохраните как «Книга Excel (*.xlsx)» или "
            "«CSV (разделители — точка с запятой)»."
        ),
        "rtf": _("Это текстовый документ, а не таблица. Загрузите список в формате CSV или XLSX."),
        "document": _(
            "Это текстовый документ, а не таблица. Загрузите список в формате CSV или XLSX."
        ),
        "ods": _("Таблицы OpenDocument (.ods) не поддерживаются: сохраните файл как XLSX или CSV."),
        "archive": _("Это архив, а не таблица. Загрузите список в формате CSV или XLSX."),
        "binary": _(
            "Файл не похож на таблицу: в нём двоичные данные. "
            "Загрузите список в формате CSV или XLSX."
        ),
        "broken": _(
            "Файл повреждён или не является таблицей CSV или XLSX. "
            "Откройте его в Excel и сохраните заново."
        ),
    }
    return messages.get(error.code, messages["broken"])


@dataclass(slots=True)
class PupilRow:
    """One data row of the list, normalised, with the errors found in it."""

    line: int
    last_name: str
    first_name: str
    patronymic: str
    birth_date: datetime.date | None
    birth_date_text: str
    grade: int | None
    class_letter: str
    class_text: str
    sex: str
    phone: str
    email: str
    errors: list[str]

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name, self.patronymic) if p)

    @property
    def class_name(self) -> str:
        return f"{self.grade}{self.class_letter}" if self.grade is not None else self.class_text

    @property
    def key(self) -> tuple[str, str, str, datetime.date | None]:
        """The natural key of student_unique_person_per_year, folded (case and «ё»)."""
        return (fold(self.last_name), fold(self.first_name), fold(self.patronymic), self.birth_date)


class PupilList:
    """An opened pupil list: its columns, and its rows validated one by one."""

    def __init__(self, table: Table, columns: Columns, rows: Iterator, academic_year: int):
        self.table = table
        self.columns = columns
        self.academic_year = academic_year
        self._rows = rows

    def __enter__(self) -> PupilList:
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

    def rows(self) -> Iterator[PupilRow]:
        """Every non-blank data row, validated; duplicates inside the file are errors."""
        return starmap(PupilRow, self.records())

    def records(self) -> Iterator[tuple]:
        """``rows()`` as plain tuples of PupilRow's fields, for code that only reads them."""
        # One pass per row with everything looked up once: this loop runs for every row of
        # the upload, the one place where the file is read in full.
        year = self.academic_year
        idx = self.columns.indexes
        i_last, i_first, i_patr, i_full = (
            idx.get(LAST_NAME, -1),
            idx.get(FIRST_NAME, -1),
            idx.get(PATRONYMIC, -1),
            idx.get(FULL_NAME, -1),
        )
        if i_last >= 0 and i_first >= 0:
            i_full = -1  # separate columns win over a combined one
        i_date, i_class, i_letter = idx[BIRTH_DATE], idx[CLASS], idx.get(LETTER, -1)
        i_sex, i_phone, i_email = idx.get(SEX, -1), idx.get(PHONE, -1), idx.get(EMAIL, -1)
        width = max(idx.values()) + 1
        epoch_1904 = self.table.epoch_1904
        text_only = self.table.format == "csv"
        phone_ok = validate_phone.regex.search
        name_bad = NAME_BAD.search
        sex_values = SEX_VALUES
        labels = {f: str(FIELD_LABELS[f]) for f in (LAST_NAME, FIRST_NAME, PATRONYMIC)}
        # Birth years that fit a grade: the age on 1 September from grade + 5 to grade + 9.
        low, high = AGE_ABOVE_GRADE_MIN, AGE_ABOVE_GRADE_MAX
        padding: tuple[None, ...] = (None,) * width
        # Hashes of the keys seen, with their line: the only state that grows with the file.
        # A 64-bit hash collision would only mark a row as a duplicate, never lose data.
        seen: dict[int, int] = {}
        count = 0
        line = self.columns.header_line
        for raw in self._rows:
            line += 1
            if len(raw) < width:
                raw = (*raw, *padding[len(raw) :])
            if text_only:
                if i_full >= 0:
                    full = raw[i_full].strip()
                    last = first = patronymic = ""
                else:
                    full = ""
                    last, first = raw[i_last].strip(), raw[i_first].strip()
                    patronymic = raw[i_patr].strip() if i_patr >= 0 else ""
                date_cell = date_text = raw[i_date].strip()
                class_text = raw[i_class].strip()
                letter_text = raw[i_letter].strip() if i_letter >= 0 else ""
                sex_text = raw[i_sex].strip() if i_sex >= 0 else ""
                phone = raw[i_phone].strip() if i_phone >= 0 else ""
                email = raw[i_email].strip() if i_email >= 0 else ""
            else:
                if i_full >= 0:
                    full = cell_text(raw[i_full])
                    last = first = patronymic = ""
                else:
                    full = ""
                    last, first = cell_text(raw[i_last]), cell_text(raw[i_first])
                    patronymic = cell_text(raw[i_patr]) if i_patr >= 0 else ""
                date_cell = raw[i_date]
                date_text = cell_text(date_cell)
                class_text = cell_text(raw[i_class])
                letter_text = cell_text(raw[i_letter]) if i_letter >= 0 else ""
                sex_text = cell_text(raw[i_sex]) if i_sex >= 0 else ""
                phone = cell_text(raw[i_phone]) if i_phone >= 0 else ""
                email = cell_text(raw[i_email]) if i_email >= 0 else ""
            if not (
                full or last or first or patronymic or date_text or class_text or letter_text
            ) and not (sex_text or phone or email):
                continue  # blank, or only a column we do not read (such as «№»)
            count += 1
            if count > MAX_ROWS:
                raise PupilListError(
                    _("В файле больше %(max)d строк: разделите список на части.")
                    % {"max": MAX_ROWS}
                )
            errors: list[str] = []

            if i_full >= 0:
                parts = full.split()
                if len(parts) < 2:
                    last = parts[0] if parts else ""
                    errors.append(_("В столбце ФИО нужны хотя бы фамилия и имя."))
                else:
                    last, first, patronymic = parts[0], parts[1], " ".join(parts[2:])
            else:
                # Double spaces inside a name are a typing slip, not a different person.
                if "  " in last:
                    last = " ".join(last.split())
                if "  " in first:
                    first = " ".join(first.split())
                if "  " in patronymic:
                    patronymic = " ".join(patronymic.split())
                if not last:
                    errors.append(_("Не указана фамилия."))
                if not first:
                    errors.append(_("Не указано имя."))
            # Letters only (most names) need no search; otherwise one search over the three
            # names (a space is allowed in each), and each name is looked at on its own only
            # when something is wrong.
            if (
                (
                    not f"{last}{first}{patronymic}".isalpha()
                    and name_bad(f"{last} {first} {patronymic}")
                )
                or len(last) > NAME_MAX_LENGTH
                or len(first) > NAME_MAX_LENGTH
                or len(patronymic) > NAME_MAX_LENGTH
            ):
                names = ((LAST_NAME, last), (FIRST_NAME, first), (PATRONYMIC, patronymic))
                for name, value in names:
                    if (value and name_bad(value)) or len(value) > NAME_MAX_LENGTH:
                        errors.append(name_error(labels[name], value))

            grade: int | None = None
            letter = ""
            if not class_text:
                errors.append(_("Не указан класс."))
            else:
                grade, letter, problem = parse_class(class_text)
                if problem:
                    errors.append(class_error(problem, class_text, grade, letter))
                    if problem == "grade":
                        grade = None
            if letter_text:
                extra, ok = parse_letter(letter_text)
                if not ok:
                    errors.append(
                        _("Литера класса «%(value)s» не распознана.") % {"value": letter_text}
                    )
                elif letter and extra != letter:
                    errors.append(
                        _("Класс «%(class)s» и литера «%(letter)s» не совпадают.")
                        % {"class": class_text, "letter": letter_text}
                    )
                else:
                    letter = extra

            birth_date = (
                parse_date_text(date_text, pivot_year=year, epoch_1904=epoch_1904)
                if type(date_cell) is str
                else parse_date(date_cell, pivot_year=year, epoch_1904=epoch_1904)
            )
            if birth_date is None:
                if date_text:
                    errors.append(
                        _("Дата рождения «%(value)s» не распознана: нужен вид 14.05.2011.")
                        % {"value": date_text}
                    )
                else:
                    errors.append(_("Не указана дата рождения."))
            elif grade is not None:
                # birth_date_fits_grade(), inlined: it runs for every row.
                age = year - birth_date.year - ((birth_date.month, birth_date.day) > (9, 1))
                if not grade + low <= age <= grade + high:
                    errors.append(age_error(birth_date, grade, year))

            sex = ""
            if sex_text:
                parsed_sex = sex_values.get(sex_text) or parse_sex(sex_text)
                if parsed_sex is None:
                    errors.append(
                        _("Пол «%(value)s» не распознан: укажите «м» или «ж».")
                        % {"value": sex_text}
                    )
                else:
                    sex = parsed_sex

            if phone and not phone_ok(phone):
                errors.append(
                    _("Телефон «%(value)s» не распознан: нужен вид +7 900 123-45-67.")
                    % {"value": phone}
                )
            if email and not email_ok(email):
                errors.append(_("E-mail «%(value)s» не распознан.") % {"value": email})

            if last and first and birth_date is not None:
                # fold() of the three names at once: NUL never occurs inside a cell's name.
                key_hash = hash(
                    (f"{last}\0{first}\0{patronymic}".lower().replace("ё", "е"), birth_date)
                )
                previous = seen.get(key_hash)
                if previous is None:
                    seen[key_hash] = line
                else:
                    errors.append(
                        _("Повторяет строку %(line)d: тот же человек с той же датой рождения.")
                        % {"line": previous}
                    )

            yield (
                line,
                last,
                first,
                patronymic,
                birth_date,
                date_text,
                grade,
                letter,
                class_text,
                sex,
                phone,
                email,
                errors,
            )


def open_pupil_list(content: bytes, *, academic_year: int) -> PupilList:
    """Open the bytes of a CSV or XLSX pupil list and find its header row.

    Raises PupilListError with a Russian message when the file is not a table or has no
    recognisable columns.
    """
    try:
        table = open_table(content)
    except TableError as exc:
        raise PupilListError(table_error_message(exc)) from exc
    try:
        columns = None
        seen_rows = 0
        line = 0
        best: Columns | None = None
        for raw in table.rows:
            line += 1
            if not any(cell_text(v) for v in raw):
                continue
            seen_rows += 1
            candidate = map_columns(raw, line)
            recognised = len(candidate.indexes)
            if (recognised >= 2 and candidate.has(CLASS)) or recognised >= 3:
                columns = candidate
                break
            if best is None or recognised > len(best.indexes):
                best = candidate
            if seen_rows >= HEADER_SEARCH_ROWS:
                break
    except TableError as exc:
        table.close()
        raise PupilListError(table_error_message(exc)) from exc
    except Exception:
        table.close()
        raise
    if columns is None:
        table.close()
        if seen_rows == 0:
            raise PupilListError(_("Файл пуст."))
        if best is None or not best.indexes:
            raise PupilListError(
                _(
                    "В файле не найдены знакомые заголовки столбцов. Первая строка должна "
                    "содержать заголовки: Фамилия, Имя, Отчество, Дата рождения, Класс "
                    "(или ФИО одним столбцом); по желанию Пол, Телефон, E-mail."
                )
            )
        columns = best
    missing = missing_columns(columns)
    if missing:
        table.close()
        raise PupilListError(
            _("Не найдены столбцы: %(missing)s. Проверьте строку заголовков.")
            % {"missing": ", ".join(missing)}
        )
    return PupilList(table, columns, _rows_with_errors(table), academic_year)


def _rows_with_errors(table: Table) -> Iterator:
    try:
        yield from table.rows
    except TableError as exc:
        raise PupilListError(table_error_message(exc)) from exc
