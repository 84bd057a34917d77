"""Bulk writes for importers: thousands of rows in a few statements, no model instance per row.

- ``BulkInsert`` inserts plain tuples. Columns not given per row take the values of a
  template instance (defaults, ``auto_now``), prepared once. PostgreSQL receives the rows
  through ``COPY … FROM STDIN``, streamed a few hundred rows at a time: in PostgreSQL's
  binary format when every column's type has an encoder below (the server then reads a
  date or a timestamp as a few bytes rather than parsing text, and Python writes them
  faster than CSV too), else as CSV written by the C ``csv`` module. Primary keys are drawn
  from the table's sequence first, so no RETURNING is needed. ``prepare`` does the
  encoding without the database, so that a worker thread can encode the next rows while
  the server stores the previous ones. Other databases get multi-row
  ``INSERT … RETURNING``.
- ``bulk_update`` updates rows by primary key. PostgreSQL copies the new values into a
  temporary table (the same way) and runs one ``UPDATE … FROM`` (``QuerySet.bulk_update``
  builds a CASE per field whose cost grows with the square of the batch); other databases
  run one prepared UPDATE per row.
- ``uuid4_hex`` draws many random UUIDs (version 4) from one ``os.urandom`` call.
- ``prefetch`` prepares the next chunk in a worker thread while this one waits for the
  database, so Python's work and the server's overlap on two cores (the drivers release
  the GIL while they send and wait).

Nothing here validates rows: that is the importer's job, and constraints the database's.
Values are given as the database stores them (``str``, ``int``, ``bool``, ``date``,
``datetime``, ``UUID`` or its 32 hex digits, ``Decimal``, ``None`` for NULL).
"""

from __future__ import annotations

import contextlib
import csv
import datetime
import io
import ipaddress
import os
import queue
import struct
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import chain, islice, repeat
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, NotSupportedError, connections, transaction
from django.db.models import Field, Model
from django.utils import translation

from resource_center import page_cache

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


# --- COPY in PostgreSQL's binary format ----------------------------------------------------
# A row is its field count (int16), then each field as its length (int32, -1 for NULL) and
# its bytes in the type's send/receive format. Values are encoded a column at a time: one
# comprehension per column of a few hundred rows costs about half of a call per value.

_BINARY_HEADER = b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0)  # signature, flags, ext.
_BINARY_TRAILER = struct.pack(">h", -1)
_NULL = struct.pack(">i", -1)
_LENGTH = struct.Struct(">i").pack
_INT8 = struct.Struct(">iq").pack  # the length (8), then the value
_INT4 = struct.Struct(">ii").pack
_INT2 = struct.Struct(">ih").pack
_TRUE, _FALSE = _LENGTH(1) + b"\x01", _LENGTH(1) + b"\x00"
_UUID_LENGTH = _LENGTH(16)
_DAY_ZERO = datetime.date(2000, 1, 1).toordinal()  # dates count days from 2000-01-01
_TIME_ZERO = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)  # timestamps: microseconds
_MICROSECOND = datetime.timedelta(microseconds=1)
# Django's integer types by the size of their column; a foreign key has its target's.
_INTEGER_SIZES = {
    "AutoField": 4,
    "BigAutoField": 8,
    "SmallAutoField": 2,
    "BigIntegerField": 8,
    "IntegerField": 4,
    "PositiveBigIntegerField": 8,
    "PositiveIntegerField": 4,
    "PositiveSmallIntegerField": 2,
    "SmallIntegerField": 2,
}
_TEXT_TYPES = frozenset({"CharField", "EmailField", "SlugField", "TextField", "URLField"})

ColumnEncoder = Callable[[Sequence[Any]], list[bytes]]


def _binary_int8(values: Sequence[int]) -> list[bytes]:
    return list(map(_INT8, repeat(8, len(values)), values))


def _binary_int4(values: Sequence[int]) -> list[bytes]:
    return list(map(_INT4, repeat(4, len(values)), values))


def _binary_int2(values: Sequence[int]) -> list[bytes]:
    return list(map(_INT2, repeat(2, len(values)), values))


def _binary_text(values: Sequence[str]) -> list[bytes]:
    try:
        data = list(map(str.encode, values))
    except TypeError:  # not all str: as CSV would write them
        data = [str(v).encode() for v in values]
    return list(map(bytes.__add__, map(_LENGTH, map(len, data)), data))


def _binary_bool(values: Sequence[bool]) -> list[bytes]:
    return [_TRUE if v else _FALSE for v in values]


def _binary_date(values: Sequence[datetime.date | str]) -> list[bytes]:
    parse = datetime.date.fromisoformat
    dates = map(datetime.date.toordinal, [parse(v) if type(v) is str else v for v in values])
    return list(map(_INT4, repeat(4, len(values)), map(_DAY_ZERO.__rsub__, dates)))


def _uuid_bytes(value: uuid.UUID | str | bytes) -> bytes:
    if type(value) is str:
        data = bytes.fromhex(value) if len(value) == 32 else uuid.UUID(value).bytes
    else:
        data = value if type(value) is bytes else value.bytes
    if len(data) != 16:
        raise ValueError(f"not a UUID: {value!r}")
    return data


def _binary_uuid(values: Sequence[uuid.UUID | str | bytes]) -> list[bytes]:
    try:  # most often 32 hex digits each (uuid4_hex)
        data = list(map(bytes.fromhex, values))
    except (TypeError, ValueError):
        data = []
    if len(data) != len(values) or not all(map((16).__eq__, map(len, data))):
        data = list(map(_uuid_bytes, values))
    return list(map(_UUID_LENGTH.__add__, data))


def _binary_inet(values: Sequence[object]) -> list[bytes]:
    encoded = []
    for value in values:
        # family (PostgreSQL's numbers), prefix length, is-CIDR flag, address length, address
        address = ipaddress.ip_interface(str(value))
        packed = address.ip.packed
        head = (3 if address.version == 6 else 2, address.network.prefixlen, 0, len(packed))
        encoded.append(_LENGTH(4 + len(packed)) + bytes(head) + packed)
    return encoded


def _binary_timestamps(connection: Any) -> ColumnEncoder:
    naive_zone = connection.timezone  # how the server would read a time without a zone

    def encode(values: Sequence[datetime.datetime | str]) -> list[bytes]:
        encoded = []
        for value in values:
            if type(value) is str:
                value = datetime.datetime.fromisoformat(value)
            if value.tzinfo is None:
                value = value.replace(tzinfo=naive_zone)
            encoded.append(_INT8(8, (value - _TIME_ZERO) // _MICROSECOND))
        return encoded

    return encode


def _binary_encoder(field: Field, connection: Any) -> ColumnEncoder | None:
    """How values of the field go into binary COPY; None when this module cannot say."""
    kind = field.get_internal_type()
    if field.is_relation:
        kind = field.target_field.get_internal_type()
    if kind in _INTEGER_SIZES:
        return {8: _binary_int8, 4: _binary_int4, 2: _binary_int2}[_INTEGER_SIZES[kind]]
    if kind in _TEXT_TYPES:
        return _binary_text
    if kind == "DateTimeField":
        return _binary_timestamps(connection)
    return {
        "BooleanField": _binary_bool,
        "DateField": _binary_date,
        "UUIDField": _binary_uuid,
        "GenericIPAddressField": _binary_inet,
    }.get(kind)


def binary_encoders(fields: Sequence[Field], connection: Any) -> list[ColumnEncoder] | None:
    """Column encoders for binary COPY of these fields; None if a field's type has none."""
    encoders = [_binary_encoder(f, connection) for f in fields]
    return None if None in encoders else encoders  # type: ignore[return-value]


def encode_column(values: Sequence[object], encoder: ColumnEncoder) -> list[bytes]:
    """The values of one column for binary COPY, None as NULL."""
    if None not in values:
        return encoder(values)
    present = iter(encoder([v for v in values if v is not None]))
    return [_NULL if v is None else next(present) for v in values]


def encode_binary_rows(
    rows: Sequence[Sequence[object]], encoders: Sequence[ColumnEncoder], *, tail: bytes = b""
) -> list[bytes]:
    """Each row's fields for binary COPY (without the field count), ``tail`` appended."""
    if not rows:
        return []
    columns = [
        encode_column(values, encoder)
        for values, encoder in zip(zip(*rows, strict=True), encoders, strict=True)
    ]
    return list(map(b"".join, zip(*columns, repeat(tail, len(rows)), strict=True)))


def binary_pieces(
    encoded: Sequence[bytes], fields: int, *, keys: Sequence[bytes] | None = None
) -> Iterator[bytes]:
    """``COPY … WITH (FORMAT binary)`` data of encoded rows of ``fields`` fields, a few
    hundred rows at a time; ``keys`` (encoded) go before the rest of each row."""
    start = struct.pack(">h", fields)
    yield _BINARY_HEADER
    for at in range(0, len(encoded), STREAM_ROWS):
        part = encoded[at : at + STREAM_ROWS]
        starts = repeat(start, len(part))
        if keys is None:
            row_parts = zip(starts, part, strict=True)
        else:
            row_parts = zip(starts, keys[at : at + STREAM_ROWS], part, strict=True)
        yield b"".join(chain.from_iterable(row_parts))
    yield _BINARY_TRAILER


def copy_binary_chunks(
    rows: Iterable[Sequence[object]],
    encoders: Sequence[ColumnEncoder],
    *,
    tail: bytes = b"",
    tail_fields: int = 0,
) -> Iterator[bytes]:
    """The rows as ``COPY … WITH (FORMAT binary)`` data, a few hundred at a time.

    ``encoders`` encode the fields of each row in order (``binary_encoders``); ``tail`` is
    ``tail_fields`` fields already encoded, appended to every row.
    """
    start = struct.pack(">h", len(encoders) + tail_fields)
    rows = iter(rows)
    yield _BINARY_HEADER
    while part := list(islice(rows, STREAM_ROWS)):
        encoded = encode_binary_rows(part, encoders, tail=tail)
        yield b"".join(chain.from_iterable(zip(repeat(start, len(part)), encoded, strict=True)))
    yield _BINARY_TRAILER


class _ChunkReader:
    """A file-like object over text or byte pieces, for psycopg2's ``copy_expert``."""

    def __init__(self, chunks: Iterator[str | bytes]) -> None:
        self._chunks = chunks

    def read(self, size: int = -1) -> str | bytes:
        return next(self._chunks, b"")


def copy_from_chunks(
    sql: str, chunks: Iterator[str] | Iterator[bytes], *, using: str = DEFAULT_DB_ALIAS
) -> None:
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
    # The driver's COPY bypasses the execute wrappers that watch the other writes.
    page_cache.note_write(connection)


@dataclass(frozen=True)
class PreparedRows:
    """Rows made ready by ``BulkInsert.prepare``: encoded for binary COPY (and then not
    kept as given), else as given."""

    count: int
    rows: Sequence[Sequence[object]] = ()
    encoded: list[bytes] | None = None

    def __len__(self) -> int:
        return self.count


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
            encoders = binary_encoders([meta.pk, *columns], connection)
            self.binary = encoders is not None
            if encoders is not None:
                self.key_encoder, *encoders = encoders
                self.encoders = encoders[: len(self.varying)]
                # The constant columns are encoded once, as every row's last fields.
                self.binary_tail = b"".join(
                    encode_column([value], encoder)[0]
                    for value, encoder in zip(constants, encoders[len(self.varying) :], strict=True)
                )
                self.fields = len(columns) + (1 if returning else 0)  # the key first
                options = "FORMAT binary"
            else:
                options = COPY_OPTIONS
            self.sql = f"COPY {qn(self.table)} ({names}) FROM STDIN WITH ({options})"
        else:
            if returning and not connection.features.can_return_rows_from_bulk_insert:
                raise NotSupportedError("This database cannot return the keys of new rows.")
            self.converters = [None if _plain(f) else f for f in self.varying]
            self.sql = f"INSERT INTO {qn(self.table)} ({names}) VALUES "  # noqa: S608
            self.sql_tail = f" RETURNING {qn(self.pk_column)}" if returning else ""
            self.placeholder = "(" + ", ".join(["%s"] * len(columns)) + ")"
            self.batch = max(1, connection.ops.bulk_batch_size(columns, [None] * 2000))

    def prepare(self, rows: Sequence[Sequence[object]]) -> PreparedRows:
        """The rows (values of the varying fields, in order) made ready for ``insert``.

        Pure Python, no database: an importer prepares the next rows in a worker thread
        (``prefetch``) while this one inserts the previous ones.
        """
        if self.copy and self.binary:
            encoded = encode_binary_rows(rows, self.encoders, tail=self.binary_tail)
            return PreparedRows(len(rows), encoded=encoded)
        return PreparedRows(len(rows), rows)

    def insert(self, rows: Sequence[Sequence[object]] | PreparedRows) -> list[int]:
        """Insert the rows (values of the varying fields, in order, or ``prepare``'s); their
        primary keys, in the order of the rows. Without ``returning`` the list is empty.
        """
        prepared = rows if isinstance(rows, PreparedRows) else self.prepare(rows)
        if not prepared:
            return []
        if self.copy:
            return self._copy(prepared)
        return self._values(prepared.rows)

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

    def _copy(self, prepared: PreparedRows) -> list[int]:
        ids = self.reserve_ids(len(prepared)) if self.returning else []
        chunks: Iterator[str] | Iterator[bytes]
        if prepared.encoded is not None:
            keys = self.key_encoder(ids) if self.returning else None
            chunks = binary_pieces(prepared.encoded, self.fields, keys=keys)
        else:
            data: Iterable[Sequence[object]] = prepared.rows
            if self.returning:
                data = ((pk, *row) for pk, row in zip(ids, prepared.rows, strict=True))
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
            encoders = binary_encoders([meta.pk, *columns], connection)
            if encoders is not None:
                copy_from_chunks(
                    f"COPY {temp} FROM STDIN WITH (FORMAT binary)",
                    copy_binary_chunks(rows, encoders),
                    using=using,
                )
            else:
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
