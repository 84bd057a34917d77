"""Bulk writes for importers: COPY on PostgreSQL, multi-row INSERT elsewhere; same results."""

from __future__ import annotations

import datetime
import threading
import uuid

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone, translation

from resource_center import bulk
from resource_center.models import AuditEntry
from students.models import PupilImport, Student
from tests import factories as f

pytestmark = pytest.mark.django_db

AWKWARD_TEXTS = [
    "",
    "\\N",
    'Д\'Артаньян "Шарль", де Батц',
    "back\\slash",
    "tab\there",
    "line\r\nbreak",
    "lone\rreturn",
    "lone\nnewline",
    "ёЁ — «ёлка» 😀",
    "NULL",
    " spaces kept ",
]


def student_template(school) -> Student:
    return Student(organisation=school, academic_year=2025)


def student_inserter(school) -> bulk.BulkInsert:
    return bulk.BulkInsert(
        Student,
        student_template(school),
        varying=["uuid", "last_name", "first_name", "patronymic", "birth_date", "grade"],
    )


def audit_inserter(actor, **template) -> bulk.BulkInsert:
    return bulk.BulkInsert(
        AuditEntry,
        AuditEntry(actor=actor, action=AuditEntry.Action.IMPORT, **template),
        varying=["student_id", "subject"],
        returning=False,
    )


# --- BulkInsert ------------------------------------------------------------------------


def test_insert_returns_the_keys_in_the_order_of_the_rows(copy_format):
    school = f.SchoolFactory()
    rows = [
        (uuid.uuid4(), f"Иванов{n}", "Иван", "", datetime.date(2011, 5, n + 1), 9) for n in range(7)
    ]
    ids = student_inserter(school).insert(rows)
    assert len(set(ids)) == 7
    stored = {s.pk: s for s in Student.objects.all()}
    assert [stored[pk].last_name for pk in ids] == [row[1] for row in rows]
    assert [stored[pk].uuid for pk in ids] == [row[0] for row in rows]
    assert [stored[pk].birth_date for pk in ids] == [row[4] for row in rows]


def test_constant_columns_come_from_the_template_prepared_once():
    school = f.SchoolFactory()
    started = timezone.now()
    (pk,) = student_inserter(school).insert(
        [(uuid.uuid4(), "Петрова", "Анна", "Сергеевна", datetime.date(2011, 3, 1), 9)]
    )
    pupil = Student.objects.get(pk=pk)
    assert (pupil.organisation, pupil.academic_year) == (school, 2025)
    # auto_now fields are set as bulk_create sets them: when the inserter was made.
    assert started <= pupil.created_at <= pupil.updated_at <= timezone.now()
    # Model defaults for the columns nobody set: blank texts, False, True, NULL.
    assert (pupil.phone, pupil.email, pupil.notes, pupil.path_after_9) == ("", "", "", "")
    assert (pupil.has_special_needs, pupil.is_active) == (False, True)
    assert (pupil.programme_id, pupil.user_id) == (None, None)


def test_dates_and_uuids_may_be_given_as_text():
    school = f.SchoolFactory()
    hex_uuid = bulk.uuid4_hex(1)[0]
    (pk,) = student_inserter(school).insert([(hex_uuid, "Сидоров", "Олег", "", "2011-05-14", 9)])
    pupil = Student.objects.get(pk=pk)
    assert pupil.uuid == uuid.UUID(hex_uuid)
    assert pupil.birth_date == datetime.date(2011, 5, 14)


@pytest.fixture(params=["binary", "csv"])
def copy_format(request, monkeypatch):
    """COPY in binary (every type the models use has an encoder) or, as for a type without
    one, in CSV; other databases run the same INSERT either way."""
    if request.param == "csv":
        monkeypatch.setattr(bulk, "binary_encoders", lambda fields, connection: None)
    return request.param


@pytest.mark.parametrize("text", AWKWARD_TEXTS)
def test_any_text_is_stored_as_it_is(text, copy_format):
    actor = f.UserFactory()
    audit_inserter(actor).insert([(None, text)])
    assert AuditEntry.objects.get().subject == text


def test_none_is_null_and_an_empty_string_stays_empty():
    actor = f.UserFactory()
    student = f.StudentFactory()
    audit_inserter(actor, path="", ip_address=None).insert([(None, ""), (student.pk, "\\N")])
    entries = list(AuditEntry.objects.order_by("pk").values_list("student_id", "subject", "path"))
    assert entries == [(None, "", ""), (student.pk, "\\N", "")]
    assert AuditEntry.objects.filter(ip_address__isnull=True).count() == 2


def test_the_constants_follow_every_row_even_when_a_row_holds_a_line_break(copy_format):
    actor = f.UserFactory()
    inserter = audit_inserter(
        actor, details="Загрузка «9\r\nА.csv»", path="/x/", ip_address="10.0.0.7"
    )
    texts = [f"строка {n}" for n in range(1200)]
    texts[700] = "с переводом\r\nстроки"
    inserter.insert([(None, text) for text in texts])
    entries = AuditEntry.objects.order_by("pk")
    assert [e.subject for e in entries] == texts
    assert len({(e.details, e.path, e.ip_address, e.at, e.actor_id) for e in entries}) == 1
    assert (entries[0].details, entries[0].path, entries[0].ip_address) == (
        "Загрузка «9\r\nА.csv»",
        "/x/",
        "10.0.0.7",
    )


def test_rows_prepared_in_another_thread_without_queries_insert_as_given(
    django_assert_num_queries,
):
    school = f.SchoolFactory()
    inserter = student_inserter(school)
    rows = [
        (uuid.uuid4().hex, f"Иванов{n}", "Иван", "", datetime.date(2011, 5, n + 1), 9)
        for n in range(5)
    ]
    prepared = []
    with django_assert_num_queries(0):
        worker = threading.Thread(target=lambda: prepared.append(inserter.prepare(rows)))
        worker.start()
        worker.join()
    assert len(prepared[0]) == 5
    ids = inserter.insert(prepared[0])
    stored = Student.objects.in_bulk(ids)
    assert [(stored[pk].uuid.hex, stored[pk].last_name) for pk in ids] == [r[:2] for r in rows]


def test_without_returning_nothing_is_returned_and_rows_are_written():
    actor = f.UserFactory()
    assert audit_inserter(actor).insert([(None, "Иванов Иван")] * 3) == []
    assert audit_inserter(actor).insert([]) == []
    assert AuditEntry.objects.count() == 3


def test_a_violated_constraint_is_djangos_integrity_error_and_rolls_back():
    school = f.SchoolFactory()
    row = (uuid.uuid4(), "Иванов", "Иван", "", datetime.date(2011, 5, 14), 9)
    twin = (uuid.uuid4(), *row[1:])
    with pytest.raises(IntegrityError), transaction.atomic():
        student_inserter(school).insert([row, twin])
    assert not Student.objects.exists()


def test_check_constraints_hold_for_bulk_rows_too():
    school = f.SchoolFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        student_inserter(school).insert(
            [(uuid.uuid4(), "Иванов", "Иван", "", datetime.date(2011, 5, 14), 12)]
        )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")
def test_copy_refuses_fields_it_cannot_carry_as_text():
    with pytest.raises(ValueError, match="content"):
        bulk.BulkInsert(PupilImport, PupilImport(), varying=["content"])


@pytest.mark.skipif(connection.vendor != "postgresql", reason="sequences are PostgreSQL's")
def test_reserved_keys_are_new_and_distinct():
    school = f.SchoolFactory()
    inserter = student_inserter(school)
    ids = inserter.reserve_ids(5)
    assert len(set(ids)) == 5
    (pk,) = inserter.insert([(uuid.uuid4(), "Орлов", "Пётр", "", datetime.date(2011, 5, 14), 9)])
    assert pk not in ids


def test_values_of_every_kind_the_importers_use_are_stored_as_given(copy_format):
    actor = f.UserFactory()
    student = f.StudentFactory()
    at = datetime.datetime(2025, 9, 1, 8, 30, 15, 123456, tzinfo=datetime.UTC)
    for address in ("10.0.0.7", "2001:db8::7"):
        inserter = bulk.BulkInsert(
            AuditEntry,
            AuditEntry(actor=actor, action=AuditEntry.Action.EXPORT, ip_address=address),
            varying=["student_id", "subject", "at", "organisation_id"],
            returning=False,
        )
        inserter.insert([(student.pk, "Ёлкина Дарья", at, None), (None, "", at.isoformat(), 7)])
        entries = AuditEntry.objects.filter(ip_address=address).order_by("pk")
        assert [(e.student_id, e.subject, e.at, e.organisation_id) for e in entries] == [
            (student.pk, "Ёлкина Дарья", at, None),
            (None, "", at, 7),
        ]
        assert {(e.actor_id, e.action) for e in entries} == {(actor.pk, AuditEntry.Action.EXPORT)}


def test_flags_and_small_numbers_vary_per_row():
    school = f.SchoolFactory()
    inserter = bulk.BulkInsert(
        Student,
        student_template(school),
        varying=["uuid", "last_name", "first_name", "birth_date", "grade", "is_active"],
    )
    ids = inserter.insert(
        [
            (uuid.uuid4(), "Орлов", "Пётр", datetime.date(2011, 5, 14), 11, False),
            (str(uuid.uuid4()), "Орлова", "Анна", datetime.date(1999, 12, 31), 1, True),
        ]
    )
    stored = Student.objects.in_bulk(ids)
    assert [(stored[pk].grade, stored[pk].is_active) for pk in ids] == [(11, False), (1, True)]
    assert stored[ids[1]].birth_date == datetime.date(1999, 12, 31)


# --- bulk_update -----------------------------------------------------------------------


def test_bulk_update_writes_the_fields_by_primary_key_and_nothing_else(copy_format):
    school = f.SchoolFactory()
    first, second, untouched = f.StudentFactory.create_batch(3, organisation=school, grade=8)
    later = timezone.now() + datetime.timedelta(days=1)
    updated = bulk.bulk_update(
        Student,
        ["last_name", "grade", "class_letter", "phone", "is_active", "updated_at", "programme"],
        [
            (first.pk, "Ёлкин", 9, "Б", "+7 900 123-45-67", False, later, None),
            (second.pk, 'Д\'Арк "Жанна"\r\n', 10, "", "", True, later, None),
        ],
    )
    assert updated == 2
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.last_name, first.grade, first.class_letter) == ("Ёлкин", 9, "Б")
    assert (first.phone, first.is_active, first.updated_at) == ("+7 900 123-45-67", False, later)
    assert (second.last_name, second.grade, second.class_letter) == ('Д\'Арк "Жанна"\r\n', 10, "")
    before = untouched.updated_at
    untouched.refresh_from_db()
    assert (untouched.grade, untouched.updated_at) == (8, before)


def test_bulk_update_can_run_twice_in_one_transaction_and_sets_null():
    programme = f.ProgrammeFactory()
    student = f.StudentFactory(programme=programme)
    with transaction.atomic():
        bulk.bulk_update(Student, ["grade"], [(student.pk, 2)])
        bulk.bulk_update(Student, ["grade", "programme"], [(student.pk, 3, None)])
    student.refresh_from_db()
    assert (student.grade, student.programme_id) == (3, None)
    assert bulk.bulk_update(Student, ["grade"], []) == 0


def test_bulk_update_keeps_the_constraints():
    student = f.StudentFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        bulk.bulk_update(Student, ["grade"], [(student.pk, 0)])
    student.refresh_from_db()
    assert student.grade != 0


# --- the CSV of COPY (no database) -----------------------------------------------------


def test_copy_csv_quotes_every_text_and_leaves_null_bare():
    (text,) = bulk.copy_csv_chunks([("", None, "\\N", 5, True)])
    assert text == '"",\\N,"\\N",5,True\r\n'


def test_copy_csv_appends_the_tail_to_each_row_in_chunks(monkeypatch):
    monkeypatch.setattr(bulk, "STREAM_ROWS", 2)
    chunks = list(bulk.copy_csv_chunks([(1,), (2,), (3,)], tail=("x", None)))
    assert chunks == ['1,"x",\\N\r\n2,"x",\\N\r\n', '3,"x",\\N\r\n']
    (broken,) = bulk.copy_csv_chunks([("a\r\nb",), ("c",)], tail=(7,))
    assert broken == '"a\r\nb",7\r\n"c",7\r\n'


def test_copy_csv_without_nullable_trusts_the_rows():
    (text,) = bulk.copy_csv_chunks([("a", 1)], tail=(None,), nullable=False)
    assert text == '"a",1,\\N\r\n'


# --- binary COPY (no database) ---------------------------------------------------------


def test_binary_copy_is_postgresqls_format_in_pieces(monkeypatch):
    monkeypatch.setattr(bulk, "STREAM_ROWS", 2)
    encoders = bulk.binary_encoders(
        [Student._meta.get_field("grade"), Student._meta.get_field("last_name")], connection
    )
    tail = b"\x00\x00\x00\x01\x01"  # one more field: boolean true
    pieces = list(
        bulk.copy_binary_chunks(
            [(9, "Ёж"), (10, None), (11, "")], encoders, tail=tail, tail_fields=1
        )
    )
    header = b"PGCOPY\n\xff\r\n\x00" + b"\x00" * 8  # signature, flags, no extension
    fields = b"\x00\x03"
    assert pieces == [
        header,
        fields
        + b"\x00\x00\x00\x02\x00\x09"
        + b"\x00\x00\x00\x04"
        + "Ёж".encode()
        + tail
        + fields
        + b"\x00\x00\x00\x02\x00\x0a"
        + b"\xff\xff\xff\xff"  # NULL
        + tail,
        fields + b"\x00\x00\x00\x02\x00\x0b" + b"\x00\x00\x00\x00" + tail,
        b"\xff\xff",  # the end
    ]


def test_types_without_a_binary_encoder_leave_the_copy_to_csv():
    from django.db import models

    amount = models.DecimalField(max_digits=5, decimal_places=2)
    assert bulk.binary_encoders([Student._meta.get_field("grade"), amount], connection) is None


# --- uuid4_hex and prefetch (no database) ----------------------------------------------


def test_uuid4_hex_draws_distinct_version_4_uuids():
    values = bulk.uuid4_hex(2000)
    assert len(set(values)) == 2000
    for value in values:
        parsed = uuid.UUID(value)
        assert (parsed.version, parsed.variant) == (4, uuid.RFC_4122)
        assert parsed.hex == value
    assert bulk.uuid4_hex(0) == []


def test_prefetch_yields_every_item_in_order_from_another_thread():
    threads = []

    def items():
        for n in range(50):
            threads.append(threading.current_thread())
            yield n

    assert list(bulk.prefetch(items())) == list(range(50))
    assert threading.current_thread() not in threads


def test_prefetch_raises_the_workers_exception_here():
    def items():
        yield 1
        raise ValueError("broken row")

    got = []
    with pytest.raises(ValueError, match="broken row"):
        got.extend(bulk.prefetch(items()))
    assert got == [1]


def test_prefetch_stops_the_worker_when_the_consumer_stops():
    produced = []

    def items():
        for n in range(1000):
            produced.append(n)
            yield n

    for n in bulk.prefetch(items(), depth=1):
        if n == 3:
            break
    assert len(produced) < 10
    assert not [t for t in threading.enumerate() if t.name == "bulk-prefetch"]


def test_prefetch_works_in_the_consumers_language():
    def items():
        yield translation.get_language()

    with translation.override("en"):
        assert list(bulk.prefetch(items())) == ["en"]
    with translation.override("ru"):
        assert list(bulk.prefetch(items())) == ["ru"]
