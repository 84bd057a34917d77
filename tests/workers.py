"""Real Celery workers for tests marked `services`: subprocesses configured by the environment
alone, as in production, and a database they share with the test."""

from __future__ import annotations

import os
import runpy
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any, TypeVar
from unittest import mock
from urllib.parse import quote

import pytest
from celery import Celery
from django.db import connection

from resource_center.celery import create_filesystem_folders

ROOT = Path(__file__).resolve().parents[1]
T = TypeVar("T")


def worker_env(tmp_path: Path, **overrides: str) -> dict[str, str]:
    """The environment of a worker whose database and Celery folders live in ``tmp_path``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CELERY_")}
    env.update(
        DJANGO_SETTINGS_MODULE="resource_center.settings",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        CELERY_DATA_DIR=str(tmp_path / "celery"),
        REDIS_URL="",
    )
    env.update(overrides)
    return env


def celery_client(env: dict[str, str]) -> Celery:
    """A Celery app reading settings.py under ``env``: exactly what the worker sees."""
    with mock.patch.dict(os.environ, env, clear=True):
        settings = runpy.run_path(str(ROOT / "resource_center" / "settings.py"))
        client = Celery("test-client", set_as_current=False)
        client.config_from_object(
            SimpleNamespace(**{k: v for k, v in settings.items() if k.startswith("CELERY_")}),
            namespace="CELERY",
        )
        create_filesystem_folders(client.conf)
    return client


def kill_group(worker: subprocess.Popen[bytes]) -> None:
    """SIGKILL the worker and every process of its session (an embedded beat, a pool child)."""
    with suppress(ProcessLookupError):
        os.killpg(worker.pid, signal.SIGKILL)
    worker.wait(timeout=15)


@contextmanager
def running_worker(
    env: dict[str, str], log: Path, *options: str
) -> Iterator[subprocess.Popen[bytes]]:
    """A `celery worker` subprocess (solo pool) logging to ``log``; stopped on exit."""
    with log.open("ab") as out:
        # Its own session, so that teardown can reach an embedded beat process too.
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "resource_center", "worker",
             "--pool=solo", "--without-mingle", "--without-gossip", "--loglevel=INFO",
             *options],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        try:
            yield worker
        finally:
            if worker.poll() is None:
                worker.terminate()
                try:
                    worker.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    worker.kill()
                    worker.wait()
            with suppress(ProcessLookupError):
                os.killpg(worker.pid, signal.SIGKILL)


def wait_until(
    done: Callable[[], T | None],
    worker: subprocess.Popen[bytes],
    log: Path,
    timeout: float = 60,
) -> T:
    """Poll ``done()`` until it returns a value, failing early if the worker dies."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if worker.poll() is not None:
            pytest.fail(f"worker exited with {worker.returncode}:\n{log.read_text()[-4000:]}")
        value = done()
        if value is not None:
            return value
        time.sleep(0.2)
    pytest.fail(f"nothing after {timeout:g} s; worker log:\n{log.read_text()[-4000:]}")


def redis_reachable(host: str = "127.0.0.1", port: int = 6379) -> bool:
    try:
        socket.create_connection((host, port), timeout=1).close()
    except OSError:
        return False
    return True


@dataclass
class SharedDatabase:
    """The test's database as a worker process reaches it.

    On PostgreSQL the worker connects to the test database itself (the test must be
    transactional, so that what it writes is committed). SQLite's test database lives in the
    test process's memory: ``publish()`` copies it to a file the worker opens, and the test
    reads the worker's writes back from that file.
    """

    url: str
    sqlite_file: Path | None = None

    @classmethod
    def for_test(cls, tmp_path: Path) -> SharedDatabase:
        settings = connection.settings_dict
        if connection.vendor == "sqlite":
            path = tmp_path / "shared.sqlite3"
            return cls(url=f"sqlite:///{path}", sqlite_file=path)
        if connection.vendor != "postgresql":
            pytest.skip(f"no shared database for {connection.vendor}")
        user = quote(settings["USER"] or "")
        password = f":{quote(settings['PASSWORD'])}" if settings["PASSWORD"] else ""
        host = settings["HOST"] or "localhost"
        port = f":{settings['PORT']}" if settings["PORT"] else ""
        return cls(url=f"postgres://{user}{password}@{host}{port}/{settings['NAME']}")

    def publish(self) -> None:
        """Make what the test wrote visible to the worker (a copy of SQLite's memory)."""
        if self.sqlite_file is None:
            return
        connection.ensure_connection()
        with suppress(FileNotFoundError):
            self.sqlite_file.unlink()
        target = sqlite3.connect(self.sqlite_file)
        try:
            connection.connection.backup(target)
        finally:
            target.close()

    def rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """Rows as the worker left them (placeholders written %s)."""
        if self.sqlite_file is None:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return list(cursor.fetchall())
        with sqlite3.connect(self.sqlite_file, timeout=20) as conn:
            return conn.execute(sql.replace("%s", "?"), params).fetchall()

    @contextmanager
    def write_locked(self, table: str) -> Iterator[Callable[[], bool]]:
        """Hold a lock that makes a worker writing ``table`` wait; yield a probe telling
        whether a worker is waiting on it (PostgreSQL; None on SQLite, which cannot tell)."""
        if self.sqlite_file is None:
            import psycopg2

            settings = connection.settings_dict
            conn = psycopg2.connect(
                dbname=settings["NAME"],
                user=settings["USER"] or None,
                password=settings["PASSWORD"] or None,
                host=settings["HOST"] or None,
                port=settings["PORT"] or None,
            )
            try:
                with conn.cursor() as cursor:
                    cursor.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")

                def waiting() -> bool:
                    with conn.cursor() as cursor:
                        # The activity view is read once per transaction unless cleared, and
                        # this transaction holds the lock.
                        cursor.execute("SELECT pg_stat_clear_snapshot()")
                        cursor.execute(
                            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s "
                            "AND pid <> pg_backend_pid() AND wait_event_type = 'Lock' "
                            "AND query ILIKE %s",
                            (settings["NAME"], f"%{table}%"),
                        )
                        return cursor.fetchone()[0] > 0

                yield waiting
            finally:
                conn.rollback()
                conn.close()
            return
        # SQLite locks the whole file: a worker's BEGIN IMMEDIATE waits (up to the busy
        # timeout of settings.py) while another connection holds the write lock.
        conn = sqlite3.connect(self.sqlite_file, timeout=20, isolation_level=None)
        try:
            conn.execute("BEGIN IMMEDIATE")
            yield lambda: False
        finally:
            conn.execute("ROLLBACK")
            conn.close()

    def backends_gone(self, table: str) -> bool:
        """No other connection has a query on ``table`` in flight (a killed worker's backend
        finished rolling back); always true on SQLite, whose locks die with the process."""
        if self.sqlite_file is not None:
            return True
        rows = self.rows(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s "
            "AND pid <> pg_backend_pid() AND state <> 'idle' AND query ILIKE %s",
            (connection.settings_dict["NAME"], f"%{table}%"),
        )
        return rows[0][0] == 0
