"""`manage.py backup` / `restore`: a round trip gives back every row, on SQLite and PostgreSQL.

The tests back up pytest-django's own test database (the one the portal uses during the
test), wipe it and restore it in place, so they need real transactions.
"""

from __future__ import annotations

import io
import shutil
import tarfile
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection

from employers.models import Placement, Vacancy
from guidance.models import Answer, Attempt, AttemptScore
from labour.models import VacancyImport
from students.models import Consent, Student
from tests import factories as f

pytestmark = pytest.mark.django_db(transaction=True)

User = get_user_model()


@pytest.fixture
def backup_dir() -> Iterator[Path]:
    # Not tmp_path: archives hold made-up personal data and must not outlive the test.
    folder = Path(tempfile.mkdtemp(prefix="test-backup-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def district_data(world, counsellor_a):
    """Pupils with guardians' consents, placements, vacancies, an import and an attempt."""
    pupils = f.StudentFactory.create_batch(4, organisation=world.school_a)
    consents = [f.ConsentFactory(student=pupil) for pupil in pupils[:3]]
    placements = f.PlacementFactory.create_batch(2, place__employer=world.employer)
    f.PlacementTransitionFactory(placement=placements[0], by=counsellor_a)
    f.VacancyFactory.create_batch(3, employer=world.employer)
    f.VacancyFactory(employer=world.other_employer, status=Vacancy.Status.DRAFT)
    vacancy_import = f.VacancyImportFactory(
        district=world.district, content=b"\x00\xff binary \xd0\x9f"
    )
    option = f.OptionFactory()
    attempt = f.AttemptFactory(
        student=pupils[0], questionnaire=option.question.questionnaire, result_code="Т"
    )
    Answer.objects.create(attempt=attempt, question=option.question, option=option)
    AttemptScore.objects.create(attempt=attempt, scale=option.scale, score=7)
    return {
        "pupil": pupils[0],
        "consent": consents[0],
        "placement": placements[0],
        "vacancy_import": vacancy_import,
        "attempt": attempt,
    }


def row_counts() -> dict[str, int]:
    return {
        model._meta.label: model._base_manager.count()
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    }


def wipe_rows() -> None:
    call_command("flush", interactive=False, verbosity=0)
    assert not Student.objects.exists()


def drop_every_table() -> None:
    """Leave an empty database, as after DROP DATABASE / CREATE DATABASE."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP SCHEMA public CASCADE")
            cursor.execute("CREATE SCHEMA public")
        else:
            cursor.execute("PRAGMA foreign_keys = OFF")
            for table in connection.introspection.table_names(cursor):
                cursor.execute(f'DROP TABLE "{table}"')
            cursor.execute("PRAGMA foreign_keys = ON")
    assert connection.introspection.table_names() == []


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def make_backup(backup_dir: Path) -> Path:
    output = run("backup", "--output", str(backup_dir))
    (archive,) = backup_dir.glob("portal-backup-*.tar.gz")
    assert str(archive) in output
    return archive


@pytest.mark.parametrize("wipe", [wipe_rows, drop_every_table], ids=["flush", "drop-tables"])
def test_restore_after_a_wipe_gives_back_every_row(district_data, backup_dir, wipe):
    before = row_counts()
    assert before["students.Student"] >= 4
    assert before["students.Consent"] == 3
    assert before["employers.Placement"] == 2
    archive = make_backup(backup_dir)

    wipe()

    output = run("restore", str(archive), "--yes")

    assert row_counts() == before
    assert f"students.Student: {before['students.Student']}" in output
    pupil = Student.objects.get(pk=district_data["pupil"].pk)
    assert (pupil.last_name, pupil.birth_date, pupil.organisation_id) == (
        district_data["pupil"].last_name,
        district_data["pupil"].birth_date,
        district_data["pupil"].organisation_id,
    )
    consent = Consent.objects.get(pk=district_data["consent"].pk)
    assert consent.document_number == district_data["consent"].document_number
    assert consent.guardian.student_id == pupil.pk
    placement = Placement.objects.get(pk=district_data["placement"].pk)
    assert (placement.status, placement.contract_number) == (
        district_data["placement"].status,
        district_data["placement"].contract_number,
    )
    assert bytes(VacancyImport.objects.get().content) == b"\x00\xff binary \xd0\x9f"
    attempt = Attempt.objects.get(pk=district_data["attempt"].pk)
    assert (attempt.uuid, attempt.completed_at, attempt.result_code) == (
        district_data["attempt"].uuid,
        district_data["attempt"].completed_at,
        "Т",
    )
    assert attempt.scores.get().score == 7
    # Sequences come back too: new rows do not collide with restored ones.
    assert f.StudentFactory(organisation=pupil.organisation).pk > pupil.pk
    # And people can sign in with their old passwords.
    assert User.objects.get(username="counsellor_a").check_password("test-pass-123")


def test_restore_over_changed_data_returns_to_the_backup(district_data, backup_dir):
    archive = make_backup(backup_dir)
    before = row_counts()
    pupil = district_data["pupil"]
    Student.objects.filter(pk=pupil.pk).update(last_name="Изменённая")
    f.StudentFactory(organisation=pupil.organisation)
    Consent.objects.filter(pk=district_data["consent"].pk).delete()

    run("restore", str(archive), "--yes")

    assert row_counts() == before
    assert Student.objects.get(pk=pupil.pk).last_name == pupil.last_name
    assert Consent.objects.filter(pk=district_data["consent"].pk).exists()


def test_restore_without_yes_checks_the_archive_and_changes_nothing(district_data, backup_dir):
    archive = make_backup(backup_dir)
    Student.objects.filter(pk=district_data["pupil"].pk).update(last_name="Изменённая")
    after_change = row_counts()

    with pytest.raises(CommandError, match="--yes"):
        run("restore", str(archive))

    assert row_counts() == after_change
    assert Student.objects.get(pk=district_data["pupil"].pk).last_name == "Изменённая"


def test_missing_archive_is_refused(district_data, backup_dir):
    before = row_counts()
    with pytest.raises(CommandError, match="не найден"):
        run("restore", str(backup_dir / "no-such.tar.gz"), "--yes")
    assert row_counts() == before


def test_truncated_archive_is_refused_and_nothing_changes(district_data, backup_dir):
    archive = make_backup(backup_dir)
    data = archive.read_bytes()
    archive.write_bytes(data[: len(data) // 2])
    Student.objects.filter(pk=district_data["pupil"].pk).update(last_name="Изменённая")
    before = row_counts()

    with pytest.raises(CommandError, match="повреждён"):
        run("restore", str(archive), "--yes")

    assert row_counts() == before
    assert Student.objects.get(pk=district_data["pupil"].pk).last_name == "Изменённая"


def test_archive_with_a_tampered_database_copy_is_refused(district_data, backup_dir):
    archive = make_backup(backup_dir)
    unpacked = backup_dir / "unpacked"
    with tarfile.open(archive) as tar:
        tar.extractall(unpacked, filter="data")
    database = next(p for p in unpacked.iterdir() if p.name.startswith("database."))
    data = bytearray(database.read_bytes())
    data[len(data) // 2] ^= 0xFF
    database.write_bytes(bytes(data))
    forged = backup_dir / "forged.tar.gz"
    with tarfile.open(forged, "w:gz") as tar:
        for member in sorted(unpacked.iterdir()):
            tar.add(member, arcname=member.name)
    before = row_counts()

    with pytest.raises(CommandError, match="контрольная сумма"):
        run("restore", str(forged), "--yes")

    assert row_counts() == before


def test_a_file_that_is_not_an_archive_is_refused(district_data, backup_dir):
    bogus = backup_dir / "portal-backup-bogus.tar.gz"
    bogus.write_text("Фамилия;Имя\n", encoding="utf-8")
    with pytest.raises(CommandError, match="повреждён"):
        run("restore", str(bogus), "--yes")


def test_uploaded_files_come_back(district_data, backup_dir, settings):
    media = backup_dir / "media"
    (media / "imports").mkdir(parents=True)
    (media / "imports" / "список.csv").write_bytes("Иванов;Иван\n".encode("cp1251"))
    settings.MEDIA_ROOT = str(media)
    archive = make_backup(backup_dir)
    shutil.rmtree(media)
    media.mkdir()
    (media / "stray.txt").write_text("written after the backup")

    output = run("restore", str(archive), "--yes")

    assert "1 uploaded files" in output
    assert (media / "imports" / "список.csv").read_bytes() == "Иванов;Иван\n".encode("cp1251")
    assert not (media / "stray.txt").exists()
    # The replaced folder is kept beside it, not deleted.
    (kept,) = backup_dir.glob("media.before-restore-*")
    assert (kept / "stray.txt").exists()
