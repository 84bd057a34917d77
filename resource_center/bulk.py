"""Bulk writes for importers: thousands of rows in a few statements, no model instance per row.

- ``BulkInsert`` inserts plain tuples. Columns not given per row take the values of a
  template instance (defaults, ``auto_now``), prepared once. PostgreSQL receives the rows
  through ``COPY … FROM STDIN`` in CSV format, written by the C ``csv`` module and streamed
  so that Python formats the next rows while the server stores the previous ones; primary
  keys are drawn from the table's sequence first, so no RETURNING is needed. Other
  databases get multi-row ``INSERT … RETURNING``.
- ``bulk_update`` updates rows by primary key. PostgreSQL copies the new values into a
  temporary table and runs one ``UPDATE … FROM`` (``QuerySet.bulk_update`` builds a CASE
  per field whose cost grows with the square of the batch); other databases run one
  prepared UPDATE per row.
- ``uuid4_hex`` draws many random UUIDs (version 4) from one ``os.urandom`` call.
- ``prefetch`` prepares the next chunk in a worker thread while this one waits for the
  database, so Python's work and the server's overlap on two cores.

Nothing here validates rows: that is the importer's job, and constraints the database's.
Values are given as the database stores them (``str``, ``int``, ``bool``, ``date``,
``datetime``, ``UUID`` or its 32 hex digits, ``Decimal``, ``None`` for NULL).
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import queue
import threading
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, NotSupportedError, connections, transaction
from django.db.models import Field, Model
from django.utils import translation

T = TypeVar("T")

# Rows formatted per piece streamed to COPY: small enough to overlap with the server's work.
STREAM_ROWS = 500

# Field types whose prepared values the CSV of COPY carries as they are (str() of the value).
_COPY_TYPES = frozenset(
    {
        "AutoField",
        "BigAutoField",
        "SmallAutoField",
        "BigIntegerField",
        "BooleanField",
        "CharField",
        "DateField",
        "DateTimeField",
        "DecimalField",
        "EmailField",
        "FloatField",
        "ForeignKey",
        "GenericIPAddressField",
        "IntegerField",
        "OneToOneField",
        "PositiveBigIntegerField",
        "PositiveIntegerField",
        "PositiveSmallIntegerField",
        "SlugField",
        "SmallIntegerField",
        "TextField",
        "TimeField",
        "URLField",
        "UUIDField",
    }
)
_SEQUENCE_TYPES = frozenset({"AutoField", "BigAutoField", "SmallAutoField"})
# Field types the drivers take as Python gives them; others go through get_db_prep_save().
_PLAIN_TYPES = frozenset(
    {
        "BigIntegerField",
        "BooleanField",
        "CharField",
        "EmailField",
        "ForeignKey",
        "IntegerField",
        "OneToOneField",
        "PositiveBigIntegerField",
        "PositiveIntegerField",
        "PositiveSmallIntegerField",
        "SlugField",
        "SmallIntegerField",
        "TextField",
        "URLField",
    }
)


class _CsvNull:
    """NULL in COPY's CSV: written unquoted as ``\\N``.

    The writer quotes every ``str`` (QUOTE_NONNUMERIC), so a text ``\\N`` or an empty string
    stays text; csv counts objects with ``__float__`` as numbers and leaves them unquoted.
    """

    __slots__ = ()

    def __float__(self) -> float:
        return 0.0

    def __str__(self) -> str:
        return "\\N"


CSV_NULL: Any = _CsvNull()
COPY_OPTIONS = "FORMAT csv, NULL '\\N'"


def copy_csv_chunks(
    rows: Iterable[Sequence[object]], *, tail: Sequence[object] = (), nullable: bool = True
) -> Iterator[str]:
    """The rows as CSV for ``COPY … WITH (FORMAT csv, NULL '\\N')``, a few hundred at a time.

    ``tail`` is appended to every row; with ``nullable`` each None becomes NULL (without it,
    rows are trusted to hold none, which saves a scan per row).
    """
    buffer = io.StringIO()
    # "\r\n" as the line end makes csv quote any field holding \r or \n, as COPY needs.
    writer = csv.writer(buffer, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\r\n")
    tail = tuple(CSV_NULL if v is None else v for v in tail)
    # The tail is formatted once and spliced in before each line end: formatting the same
    # dozen constants again for every row would cost more than the row itself.
    writer.writerow(tail)
    tail_text = "," + buffer.getvalue() if tail else "\r\n"
    buffer.seek(0)
    buffer.truncate()

    def text_of(batch: list[Sequence[object]]) -> str:
        writer.writerows(batch)
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        if not tail:
            return text
        # Every "\r\n" ends a row unless a (quoted) field holds one: then row by row.
        if text.count("\r\n") == len(batch):
            return text.replace("\r\n", tail_text)
        writer.writerows([*row, *tail] for row in batch)
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    batch: list[Sequence[object]] = []
    for row in rows:
        if nullable and None in row:
            row = [CSV_NULL if v is None else v for v in row]
        batch.append(row)
        if len(batch) == STREAM_ROWS:
            yield text_of(batch)
            batch.clear()
    if batch:
        yield text_of(batch)


class _ChunkReader:
    """A file-like object over text pieces, for psycopg2's ``copy_expert``."""

    def __init__(self, chunks: Iterator[str]) -> None:
        self._chunks = chunks

    def read(self, size: int = -1) -> str:
        return next(self._chunks, "")


def copy_from_chunks(sql: str, chunks: Iterator[str], *, using: str = DEFAULT_DB_ALIAS) -> None:
    """Run ``COPY … FROM STDIN`` on PostgreSQL with the data given piece by piece."""
    connection = connections[using]
    with connection.cursor() as cursor:
        raw = cursor.cursor
        # The driver's own cursor: its errors are turned into Django's (IntegrityError…) here.
        with connection.wrap_database_errors:
            if hasattr(raw, "copy_expert"):  # psycopg2
                raw.copy_expert(sql, _ChunkReader(chunks))
            else:  # psycopg 3
                with raw.copy(sql) as copy:
                    for chunk in chunks:
                        copy.write(chunk)


class BulkInsert:
    """Fast INSERT of plain tuples: ``bulk_create`` without a model instance per row.

    Every column not in ``varying`` takes the template instance's value, prepared once, so
    a column added to the model later is filled too: its default, or for ``auto_now`` and
    ``auto_now_add`` fields the time the inserter was made (as ``bulk_create`` sets them);
    a database default (an expression) is left to the database. On PostgreSQL the primary
    key must come from a sequence (an auto field) when ``returning`` is on.
    """

    def __init__(
        self,
        model: type[Model],
        template: Model,
        *,
        varying: Sequence[str],
        returning: bool = True,
        using: str = DEFAULT_DB_ALIAS,
    ) -> None:
        self.using = using
        connection = connections[using]
        meta = model._meta
        fields = {f.attname: f for f in meta.concrete_fields}
        self.varying: list[Field] = [fields[name] for name in varying]
        constant_fields: list[Field] = []
        constants: list[object] = []
        for f in fields.values():
            if f.primary_key or f.attname in varying or getattr(f, "generated", False):
                continue
            value = f.pre_save(template, True)
            if hasattr(value, "resolve_expression"):
                continue
            constant_fields.append(f)
            constants.append(f.get_db_prep_save(value, connection))
        self.constants = tuple(constants)
        self.nullable = any(f.null for f in self.varying)
        self.returning = returning
        self._sequence = ""
        self.copy = connection.vendor == "postgresql"
        columns = [*self.varying, *constant_fields]
        qn = connection.ops.quote_name
        self.table, self.pk_column = meta.db_table, meta.pk.column
        names = ", ".join(qn(f.column) for f in columns)
        # Identifiers come from the model's meta and are quoted; values travel as parameters
        # or as COPY data.
        if self.copy:
            unfit = [f.name for f in columns if f.get_internal_type() not in _COPY_TYPES]
            if unfit:
                raise ValueError(f"COPY cannot carry these fields as text: {unfit}")
            if returning and meta.pk.get_internal_type() not in _SEQUENCE_TYPES:
                raise ValueError("Keys are drawn from a sequence: an auto-increment pk is needed.")
            if returning:
                names = f"{qn(self.pk_column)}, {names}"
            self.sql = f"COPY {qn(self.table)} ({names}) FROM STDIN WITH ({COPY_OPTIONS})"
        else:
            if returning and not connection.features.can_return_rows_from_bulk_insert:
                raise NotSupportedError("This database cannot return the keys of new rows.")
            self.converters = [None if _plain(f) else f for f in self.varying]
            self.sql = f"INSERT INTO {qn(self.table)} ({names}) VALUES "  # noqa: S608
            self.sql_tail = f" RETURNING {qn(self.pk_column)}" if returning else ""
            self.placeholder = "(" + ", ".join(["%s"] * len(columns)) + ")"
            self.batch = max(1, connection.ops.bulk_batch_size(columns, [None] * 2000))

    def insert(self, rows: Sequence[Sequence[object]]) -> list[int]:
        """Insert the rows (values of the varying fields, in order); their primary keys.

        Without ``returning`` the list is empty.
        """
        if not rows:
            return []
        if self.copy:
            return self._copy(rows)
        return self._values(rows)

    def reserve_ids(self, count: int) -> list[int]:
        """``count`` new primary keys from the table's sequence (PostgreSQL)."""
        if not self.copy:
            raise NotSupportedError("Keys are reserved from sequences on PostgreSQL only.")
        with connections[self.using].cursor() as cursor:
            if not self._sequence:
                cursor.execute(
                    "SELECT pg_get_serial_sequence(%s, %s)", [self.table, self.pk_column]
                )
                self._sequence = cursor.fetchone()[0]
            # The sequence is named once: nextval() of a constant regclass is far cheaper
            # than looking the sequence up again for every row.
            cursor.execute(
                "SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [self._sequence, count]
            )
            return [pk for (pk,) in cursor.fetchall()]

    def _copy(self, rows: Sequence[Sequence[object]]) -> list[int]:
        ids: list[int] = []
        data: Iterable[Sequence[object]] = rows
        if self.returning:
            ids = self.reserve_ids(len(rows))
            data = ((pk, *row) for pk, row in zip(ids, rows, strict=True))
        chunks = copy_csv_chunks(data, tail=self.constants, nullable=self.nullable)
        copy_from_chunks(self.sql, chunks, using=self.using)
        return ids

    def _values(self, rows: Sequence[Sequence[object]]) -> list[int]:
        connection = connections[self.using]
        ids: list[int] = []
        converters = self.converters
        constants = self.constants
        with connection.cursor() as cursor:
            for start in range(0, len(rows), self.batch):
                part = rows[start : start + self.batch]
                params: list[object] = []
                for row in part:
                    for value, converter in zip(row, converters, strict=True):
                        params.append(
                            value
                            if converter is None
                            else converter.get_db_prep_save(value, connection)
                        )
                    params.extend(constants)
                cursor.execute(
                    self.sql + ", ".join([self.placeholder] * len(part)) + self.sql_tail, params
                )
                if self.returning:
                    ids.extend(pk for (pk,) in cursor.fetchall())
        return ids


def bulk_update(
    model: type[Model],
    fields: Sequence[str],
    rows: Sequence[Sequence[object]],
    *,
    using: str = DEFAULT_DB_ALIAS,
) -> int:
    """UPDATE many rows by primary key: ``(pk, *values)`` per row, values in the order of
    ``fields``; returns how many rows were updated."""
    if not rows:
        return 0
    connection = connections[using]
    meta = model._meta
    qn = connection.ops.quote_name
    columns = [meta.get_field(name) for name in fields]
    table, pk = qn(meta.db_table), qn(meta.pk.column)
    if connection.vendor == "postgresql":
        unfit = [f.name for f in columns if f.get_internal_type() not in _COPY_TYPES]
        if unfit:
            raise ValueError(f"COPY cannot carry these fields as text: {unfit}")
        temp = qn(f"bulk_update_{meta.db_table}")
        definition = ", ".join(
            f"{qn(f.column)} {f.db_type(connection)}" for f in [meta.pk, *columns]
        )
        sets = ", ".join(f"{qn(f.column)} = v.{qn(f.column)}" for f in columns)
        with transaction.atomic(using=using), connection.cursor() as cursor:
            cursor.execute(f"CREATE TEMPORARY TABLE {temp} ({definition}) ON COMMIT DROP")
            copy_from_chunks(
                f"COPY {temp} FROM STDIN WITH ({COPY_OPTIONS})",
                copy_csv_chunks(rows, nullable=any(f.null for f in columns)),
                using=using,
            )
            cursor.execute(
                f"UPDATE {table} AS t SET {sets} FROM {temp} AS v WHERE t.{pk} = v.{pk}"  # noqa: S608
            )
            updated = cursor.rowcount
            cursor.execute(f"DROP TABLE {temp}")
        return updated
    converters = [None if _plain(f) else f for f in columns]
    sets = ", ".join(f"{qn(f.column)} = %s" for f in columns)
    params = [
        (
            *(
                value if f is None else f.get_db_prep_save(value, connection)
                for value, f in zip(row[1:], converters, strict=True)
            ),
            row[0],
        )
        for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {table} SET {sets} WHERE {pk} = %s", params)  # noqa: S608
    return len(rows)


def _plain(field: Field) -> bool:
    return field.get_internal_type() in _PLAIN_TYPES


_UUID_VERSION = bytes((b & 0x0F) | 0x40 for b in range(256))
_UUID_VARIANT = bytes((b & 0x3F) | 0x80 for b in range(256))


def uuid4_hex(count: int) -> list[str]:
    """``count`` random UUIDs (version 4, as ``uuid.uuid4``) as 32 hex digits, drawn at once.

    A UUIDField takes the 32 digits on every database; one ``os.urandom`` call and two
    ``bytes.translate`` passes cost a tenth of ``uuid.uuid4()`` per value.
    """
    raw = bytearray(os.urandom(16 * count))
    raw[6::16] = raw[6::16].translate(_UUID_VERSION)
    raw[8::16] = raw[8::16].translate(_UUID_VARIANT)
    text = raw.hex()
    return [text[i : i + 32] for i in range(0, 32 * count, 32)]


_END = object()


def prefetch(items: Iterable[T], *, depth: int = 1) -> Iterator[T]:
    """Produce ``items`` in a worker thread, up to ``depth`` ahead of the consumer.

    Meant for pure-Python preparation of the next chunk of an import while this thread
    waits for the database (the drivers release the GIL while they wait). The worker must
    not use the database; it works in the consumer's active language. Its exceptions are
    raised here; when the consumer stops early, the worker stops after its current item.
    """
    results: queue.Queue[tuple[object, BaseException | None]] = queue.Queue(maxsize=depth)
    stop = threading.Event()
    language = translation.get_language()

    def work() -> None:
        try:
            with translation.override(language):
                for item in items:
                    results.put((item, None))
                    if stop.is_set():
                        return
            results.put((_END, None))
        except BaseException as exc:  # handed over to the consumer
            results.put((_END, exc))

    worker = threading.Thread(target=work, name="bulk-prefetch", daemon=True)
    worker.start()
    try:
        while True:
            item, error = results.get()
            if error is not None:
                raise error
            if item is _END:
                return
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        while worker.is_alive():  # take what it is waiting to hand over, so it can stop
            with contextlib.suppress(queue.Empty):
                results.get(timeout=0.05)
        worker.join()
