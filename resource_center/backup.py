"""Backup and restore of the portal's data: the database and the uploaded files.

One archive (``portal-backup-<UTC time>.tar.gz``) holds:

- ``manifest.json``: format version, time, database engine, row counts of every model,
  SHA-256 of every other member;
- ``database.dump``: ``pg_dump --format=custom`` of the PostgreSQL database, or
  ``database.sqlite3``: a copy made by SQLite's online backup API (consistent while the
  portal keeps writing);
- ``media/…``: MEDIA_ROOT, when the portal is configured with one.

Uploaded pupil lists and vacancy files are stored in the database itself, so with the
default settings the database is everything; ``var/celery`` holds only the transient
queue of the embedded broker and is not part of a backup.

Restore validates the whole archive first (checksums, ``pg_restore --list`` or SQLite's
integrity check, the engine) and changes nothing when anything is wrong. PostgreSQL is
restored with ``pg_restore --clean --if-exists --single-transaction``: every table of the
archive is dropped and recreated inside one transaction, so a failure leaves the database
as it was. SQLite is restored with the backup API in the other direction, which replaces
the whole database file at once.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connections
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone
from django.utils.translation import gettext as _

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
POSTGRES_DUMP = "database.dump"
SQLITE_COPY = "database.sqlite3"
MEDIA_DIR = "media"
# pg_dump and pg_restore of a district's data take seconds; an hour means something hangs.
PG_TIMEOUT_SECONDS = 60 * 60


class BackupError(Exception):
    """The archive cannot be written or restored; the message is for the operator."""


@dataclasses.dataclass(frozen=True)
class Manifest:
    created_at: str
    engine: str
    counts: dict[str, int]
    checksums: dict[str, str]
    media_files: int

    @property
    def rows(self) -> int:
        return sum(self.counts.values())


@dataclasses.dataclass(frozen=True)
class BackupResult:
    path: Path
    manifest: Manifest
    size: int


@dataclasses.dataclass(frozen=True)
class RestoreResult:
    manifest: Manifest
    counts: dict[str, int]
    unapplied_migrations: list[str]

    @property
    def mismatches(self) -> dict[str, tuple[int, int]]:
        """Models whose restored row count differs from the archive's: label → (was, is)."""
        return {
            label: (expected, self.counts.get(label, 0))
            for label, expected in self.manifest.counts.items()
            if self.counts.get(label, 0) != expected
        }


def engine_of(using: str = "default") -> str:
    """'postgresql' or 'sqlite'; any other backend is refused."""
    vendor = connections[using].vendor
    if vendor not in {"postgresql", "sqlite"}:
        raise BackupError(
            _("Резервное копирование поддерживает PostgreSQL и SQLite, а не %s.") % vendor
        )
    return vendor


def model_counts(using: str = "default") -> dict[str, int]:
    """Row count of every concrete model's table (auto-created many-to-many tables too)."""
    counts = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed:
            continue
        counts[meta.label] = model._base_manager.using(using).count()
    return dict(sorted(counts.items()))


def backup_create(*, output_dir: Path, using: str = "default") -> BackupResult:
    """Write one timestamped archive of the database and MEDIA_ROOT into ``output_dir``."""
    engine = engine_of(using)
    output_dir = Path(output_dir)
    try:
        output_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BackupError(
            _("Не удалось создать папку %(dir)s: %(error)s") % {"dir": output_dir, "error": exc}
        ) from exc
    stamp = timezone.now().astimezone(datetime.UTC)
    path = output_dir / f"portal-backup-{stamp:%Y%m%d-%H%M%S}.tar.gz"
    if path.exists():
        raise BackupError(_("Файл %s уже существует.") % path)

    with tempfile.TemporaryDirectory(prefix="portal-backup-") as tmp:
        work = Path(tmp)
        # Counted before the dump: rows written in between show up as a surplus on restore,
        # never as a loss.
        counts = model_counts(using)
        if engine == "postgresql":
            database = work / POSTGRES_DUMP
            _pg_dump(using, database)
        else:
            database = work / SQLITE_COPY
            _sqlite_copy_out(using, database)
        members = {database.name: database}
        media_root = _media_root()
        media_files = 0
        if media_root is not None:
            for file in sorted(p for p in media_root.rglob("*") if p.is_file()):
                members[f"{MEDIA_DIR}/{file.relative_to(media_root).as_posix()}"] = file
                media_files += 1
        manifest = Manifest(
            created_at=stamp.isoformat(timespec="seconds"),
            engine=engine,
            counts=counts,
            checksums={name: _sha256(file) for name, file in members.items()},
            media_files=media_files,
        )
        manifest_path = work / MANIFEST
        manifest_path.write_text(
            json.dumps({"format": FORMAT_VERSION, **dataclasses.asdict(manifest)}, indent=2),
            encoding="utf-8",
        )
        partial = path.with_name(path.name + ".partial")
        try:
            with tarfile.open(partial, "w:gz") as tar:
                tar.add(manifest_path, arcname=MANIFEST)
                for name, file in members.items():
                    tar.add(file, arcname=name)
            # A half-written archive never carries the final name.
            partial.replace(path)
        except OSError as exc:
            partial.unlink(missing_ok=True)
            raise BackupError(
                _("Не удалось записать архив %(path)s: %(error)s") % {"path": path, "error": exc}
            ) from exc
    return BackupResult(path=path, manifest=manifest, size=path.stat().st_size)


def backup_inspect(archive: Path, *, using: str = "default") -> Manifest:
    """Check the archive as restore would, without changing anything; return its manifest."""
    with _unpacked(Path(archive), using) as (manifest, _work):
        return manifest


def backup_restore(*, archive: Path, using: str = "default") -> RestoreResult:
    """Replace the database (and MEDIA_ROOT, if archived) with the archive's contents."""
    connection = connections[using]
    if connection.in_atomic_block:
        raise BackupError(_("Восстановление нельзя выполнять внутри транзакции."))
    with _unpacked(Path(archive), using) as (manifest, work):
        if manifest.engine == "postgresql":
            # Our own idle connection would only hold locks pg_restore has to wait for.
            connection.close()
            _pg_restore(using, work / POSTGRES_DUMP)
        else:
            _sqlite_copy_in(using, work / SQLITE_COPY)
        if manifest.media_files:
            _media_replace(work / MEDIA_DIR)
    connection.close()
    return RestoreResult(
        manifest=manifest,
        counts=model_counts(using),
        unapplied_migrations=_unapplied_migrations(using),
    )


# --- the archive ------------------------------------------------------------------------


@contextlib.contextmanager
def _unpacked(archive: Path, using: str) -> Iterator[tuple[Manifest, Path]]:
    """Extract and fully verify the archive into a temporary folder, removed afterwards."""
    if not archive.is_file():
        raise BackupError(_("Архив %s не найден.") % archive)
    engine = engine_of(using)
    with tempfile.TemporaryDirectory(prefix="portal-restore-") as tmp:
        work = Path(tmp)
        try:
            with tarfile.open(archive, "r:gz") as tar:
                # The "data" filter refuses absolute paths, "..", links out of the folder
                # and device files: an archive cannot write outside the temporary folder.
                tar.extractall(work, filter="data")
        except (tarfile.TarError, OSError, EOFError) as exc:
            raise BackupError(
                _("Архив %(path)s повреждён или это не архив резервной копии: %(error)s")
                % {"path": archive, "error": exc}
            ) from exc
        manifest = _manifest_read(work, archive)
        if manifest.engine != engine:
            raise BackupError(
                _(
                    "Архив сделан из базы %(archived)s, а портал работает с %(current)s: "
                    "восстановить его сюда нельзя."
                )
                % {"archived": manifest.engine, "current": engine}
            )
        database = POSTGRES_DUMP if engine == "postgresql" else SQLITE_COPY
        if database not in manifest.checksums:
            raise BackupError(_("В архиве %s нет копии базы данных.") % archive)
        for name, expected in manifest.checksums.items():
            member = work / name
            if not member.is_file() or _sha256(member) != expected:
                raise BackupError(
                    _("Архив %(path)s повреждён: не сходится контрольная сумма %(member)s.")
                    % {"path": archive, "member": name}
                )
        if engine == "postgresql":
            _pg_check(work / database, archive, using)
        else:
            _sqlite_check(work / database, archive)
        yield manifest, work


def _manifest_read(work: Path, archive: Path) -> Manifest:
    try:
        data = json.loads((work / MANIFEST).read_text(encoding="utf-8"))
        if data["format"] != FORMAT_VERSION:
            raise ValueError(f"format {data['format']}")
        manifest = Manifest(
            created_at=str(data["created_at"]),
            engine=str(data["engine"]),
            counts={str(k): int(v) for k, v in data["counts"].items()},
            checksums={str(k): str(v) for k, v in data["checksums"].items()},
            media_files=int(data["media_files"]),
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise BackupError(
            _("В архиве %(path)s нет читаемого описания (manifest.json): %(error)s")
            % {"path": archive, "error": exc}
        ) from exc
    for name in manifest.checksums:
        if Path(name).is_absolute() or ".." in Path(name).parts:
            raise BackupError(_("Архив %s повреждён: недопустимое имя файла.") % archive)
    return manifest


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for chunk in iter(lambda: file.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


# --- uploaded files -----------------------------------------------------------------------


def _media_root() -> Path | None:
    root = getattr(settings, "MEDIA_ROOT", "")
    if not root or not Path(root).is_dir():
        return None
    return Path(root)


def _media_replace(source: Path) -> None:
    """Put the archived files in MEDIA_ROOT; the previous folder is kept beside it."""
    root = getattr(settings, "MEDIA_ROOT", "")
    if not root:
        raise BackupError(_("В архиве есть загруженные файлы, но MEDIA_ROOT не задан."))
    root = Path(root)
    root.parent.mkdir(parents=True, exist_ok=True)
    staged = root.with_name(root.name + ".restoring")
    shutil.rmtree(staged, ignore_errors=True)
    shutil.copytree(source, staged)
    if root.exists():
        stamp = timezone.now().astimezone(datetime.UTC)
        root.rename(root.with_name(f"{root.name}.before-restore-{stamp:%Y%m%d-%H%M%S}"))
    staged.rename(root)


# --- PostgreSQL ---------------------------------------------------------------------------


def _pg_environment(using: str) -> dict[str, str]:
    """libpq variables for the client programs: no password on a command line."""
    params = connections[using].get_connection_params()
    env = dict(os.environ)
    mapping = {
        "PGDATABASE": params.get("dbname") or params.get("database"),
        "PGHOST": params.get("host"),
        "PGPORT": params.get("port"),
        "PGUSER": params.get("user"),
        "PGPASSWORD": params.get("password"),
        "PGSSLMODE": params.get("sslmode"),
        "PGOPTIONS": params.get("options"),
    }
    for key, value in mapping.items():
        if value:
            env[key] = str(value)
    return env


def _pg_run(args: list[str], using: str, what: str) -> subprocess.CompletedProcess[str]:
    program = shutil.which(args[0])
    if program is None:
        raise BackupError(
            _("Не найдена программа %s: установите клиент PostgreSQL (пакет postgresql-client).")
            % args[0]
        )
    try:
        result = subprocess.run(  # noqa: S603 - fixed program, arguments built here
            [program, *args[1:]],
            env=_pg_environment(using),
            capture_output=True,
            text=True,
            timeout=PG_TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise BackupError(_("%s не завершился за отведённое время.") % what) from exc
    if result.returncode != 0:
        raise BackupError(
            _("%(what)s завершился с ошибкой: %(error)s")
            % {"what": what, "error": result.stderr.strip()[-2000:]}
        )
    return result


def _pg_dump(using: str, target: Path) -> None:
    _pg_run(["pg_dump", "--format=custom", "--no-owner", f"--file={target}"], using, "pg_dump")


def _pg_check(dump: Path, archive: Path, using: str) -> None:
    try:
        listing = _pg_run(["pg_restore", "--list", str(dump)], using, "pg_restore --list")
    except BackupError as exc:
        raise BackupError(
            _("Копия базы в архиве %(path)s не читается: %(error)s")
            % {"path": archive, "error": exc}
        ) from exc
    if "django_migrations" not in listing.stdout:
        raise BackupError(_("Копия базы в архиве %s не похожа на базу портала.") % archive)


def _pg_restore(using: str, dump: Path) -> None:
    # --clean --if-exists drops each archived table before recreating it, so the same
    # command restores into an empty database and over an existing one; a single
    # transaction makes any error leave the database untouched. Ownership and grants are
    # not restored: the tables belong to the role the portal connects as.
    _pg_run(
        [
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={_pg_environment(using)['PGDATABASE']}",
            str(dump),
        ],
        using,
        "pg_restore",
    )


# --- SQLite -------------------------------------------------------------------------------


def _sqlite_copy_out(using: str, target: Path) -> None:
    connection = connections[using]
    connection.ensure_connection()
    destination = sqlite3.connect(target)
    try:
        with connection.wrap_database_errors:
            connection.connection.backup(destination)
    finally:
        destination.close()


def _sqlite_check(copy: Path, archive: Path) -> None:
    try:
        source = sqlite3.connect(f"file:{copy}?mode=ro", uri=True)
        try:
            verdict = source.execute("PRAGMA integrity_check").fetchone()[0]
            has_migrations = source.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'django_migrations'"
            ).fetchone()
        finally:
            source.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(
            _("Копия базы в архиве %(path)s не читается: %(error)s")
            % {"path": archive, "error": exc}
        ) from exc
    if verdict != "ok" or not has_migrations:
        raise BackupError(_("Копия базы в архиве %s не похожа на базу портала.") % archive)


def _sqlite_copy_in(using: str, copy: Path) -> None:
    connection = connections[using]
    connection.ensure_connection()
    source = sqlite3.connect(f"file:{copy}?mode=ro", uri=True)
    try:
        # The backup API copies page by page under one lock and replaces every table,
        # index and sequence of the destination: tables created after the backup go too.
        with connection.wrap_database_errors:
            source.backup(connection.connection)
    finally:
        source.close()


# --- after the restore --------------------------------------------------------------------


def _unapplied_migrations(using: str) -> list[str]:
    executor = MigrationExecutor(connections[using])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]
