"""What the benchmarks in bench/ share: a throwaway PostgreSQL database, Django set up
against it, the generation of a data set by the server, timing and the ``RATIO`` line.

A benchmark script (run from the project root as ``python bench/NAME.py``, so that this
module is importable as ``harness``) parses its options with :func:`argument_parser` and
does its work inside :func:`benchmark_database`:

- DATABASE_URL names the PostgreSQL server (default ``DEFAULT_SERVER_URL``); a fresh
  database (``--database``, by default a random ``rc_bench_…`` name) is created on it,
  migrated, used and dropped, also when the run fails or is stopped with SIGTERM. With
  ``--existing`` the database of DATABASE_URL is used as it is (it must be migrated).
- :func:`django_setup` configures Django against that database (DEBUG off, as in
  production).
- :func:`generate_once` fills it with a seeded set made by the server: a script's own
  steps, among them those the region-scale sets share (``REGION_DISTRICTS``,
  ``TECHNIKUM_PROGRAMMES``).
- :func:`median_times` times two functions in turns; :func:`print_ratio` prints the last
  line, ``RATIO <what> <value>``.
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SERVER_URL = "postgres://postgres@127.0.0.1:5432/postgres"
SETTINGS_MODULE = "resource_center.settings"

# A step of a generated set: the SQL and the label its row count is printed under (None for
# a helper step, e.g. a temporary table of ids).
Step = tuple[str | None, str]


# --- options ----------------------------------------------------------------------------


def argument_parser(
    doc: str, *, repeat: int, repeat_help: str, database_option: bool = True
) -> argparse.ArgumentParser:
    """The options every benchmark has: --repeat, --existing and (where asked) --database."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=repeat, help=repeat_help)
    if database_option:
        parser.add_argument("--database", help="name of the throwaway database (default: random)")
    parser.add_argument("--existing", action="store_true", help="use DATABASE_URL as it is")
    return parser


# --- the throwaway database ---------------------------------------------------------------


def with_database(url: str, name: str) -> str:
    """The URL of the database ``name`` on the server of ``url``."""
    return urlunsplit(urlsplit(url)._replace(path="/" + name))


def admin_sql(server_url: str, sql: str) -> None:
    """Run one statement outside a transaction (CREATE/DROP DATABASE need that)."""
    import psycopg2

    connection = psycopg2.connect(server_url.replace("postgres://", "postgresql://", 1))
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql)
    finally:
        connection.close()


def benchmark_env(database_url: str) -> dict[str, str]:
    """The environment of a process that runs Django against ``database_url``."""
    return {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": SETTINGS_MODULE}


# --- the portal served by gunicorn, as in production -------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(
    database_url: str, workdir: Path, *, conn_max_age: int = 60, redis_url: str = ""
) -> dict[str, str]:
    """The environment of manage.py and gunicorn: production settings on plain local http
    (with Redis as the cache and broker when ``redis_url`` is given)."""
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "SECURE_HSTS_SECONDS": "0",
        "SECURE_HSTS_PRELOAD": "false",
        "CONN_MAX_AGE": str(conn_max_age),
        "REDIS_URL": redis_url,
        "CELERY_DATA_DIR": str(workdir / "celery"),
        "LOG_LEVEL": "WARNING",
    }


def manage(*args: str, env: dict[str, str]) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)  # noqa: S603


def gunicorn_start(
    *,
    env: dict[str, str],
    port: int,
    workers: int,
    log_level: str = "warning",
    stderr: IO[str] | None = None,
) -> subprocess.Popen:
    """gunicorn serving the portal on 127.0.0.1:``port``, once it answers /ping/."""
    server = subprocess.Popen(  # noqa: S603
        [str(Path(sys.executable).parent / "gunicorn"), "resource_center.wsgi",
         "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--timeout", "60",
         "--log-level", log_level],
        cwd=ROOT,
        env=env,
        stderr=stderr,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/ping/", timeout=5) as answer:
                if answer.read() == b"ok":
                    return server
        except OSError:
            time.sleep(0.5)
    server.terminate()
    raise RuntimeError("gunicorn did not answer /ping/ within 60 s")


@contextmanager
def benchmark_database(
    *, needs: str, existing: bool = False, name: str | None = None
) -> Iterator[str]:
    """The URL of a migrated database to measure on, dropped afterwards unless ``existing``.

    Exits with status 2 and a message on stderr when DATABASE_URL is not PostgreSQL
    (``needs`` says why the benchmark needs it) or the database cannot be created.
    """
    url = os.environ.get("DATABASE_URL", DEFAULT_SERVER_URL)
    if not url.startswith(("postgres://", "postgresql://", "pgsql://")):
        print(
            f"This benchmark needs PostgreSQL ({needs}): set "
            "DATABASE_URL=postgres://user@host:5432/dbname (SQLite cannot be measured).",
            file=sys.stderr,
        )
        raise SystemExit(2)
    if existing:
        yield url
        return
    # A stopped run still drops its throwaway database (the finally below).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    created_db = name or f"rc_bench_{uuid.uuid4().hex[:10]}"
    try:
        admin_sql(url, f'CREATE DATABASE "{created_db}"')
    except Exception as exc:  # the driver's errors: no server, no rights, name taken
        print(f"Cannot create the database {created_db} at {url}: {exc}", file=sys.stderr)
        raise SystemExit(2) from exc
    bench_url = with_database(url, created_db)
    try:
        # In a process of its own: the caller may run Django against another database, or
        # not load it at all (a driver of child processes).
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
            cwd=ROOT,
            env=benchmark_env(bench_url),
            check=True,
        )
        yield bench_url
    finally:
        if "django.db" in sys.modules:
            from django.db import connections

            connections.close_all()
        admin_sql(url, f'DROP DATABASE IF EXISTS "{created_db}" WITH (FORCE)')


def django_setup(database_url: str | None = None) -> None:
    """Set Django up against ``database_url`` (by default DATABASE_URL as it is)."""
    if database_url is not None:
        os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS_MODULE)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings

    # As in production: with DEBUG on, Django would keep the text of every query in memory.
    settings.DEBUG = False


# --- a generated set ----------------------------------------------------------------------


# Steps the region-scale sets share, with the parameters ``region``, ``districts`` (how
# many) and ``programmes`` (per technikum). The districts of the region, numbered from 1 in
# the temporary table ``bench_d`` for the steps after them:
REGION_DISTRICTS: list[Step] = [
    (
        "districts",
        """
        INSERT INTO resource_center_district (name, region, oktmo)
        SELECT format('Муниципальный округ %%s', lpad(i::text, 2, '0')), %(region)s, ''
        FROM generate_series(1, %(districts)s) AS i
        """,
    ),
    (
        None,
        """
        CREATE TEMPORARY TABLE bench_d AS
        SELECT row_number() OVER (ORDER BY id) AS n, id FROM resource_center_district
        WHERE region = %(region)s
        """,
    ),
]

# The programmes of every technikum of the region's districts:
TECHNIKUM_PROGRAMMES: Step = (
    "programmes",
    """
    INSERT INTO schools_programme (okso_code, title, qualification, base_education,
        duration_months, form_of_study, budget_seats, paid_seats, is_dual, description,
        is_published, technikum_id)
    SELECT format('%%s.02.%%s', 10 + k, lpad(k::text, 2, '0')), format('Программа %%s', k),
           'Техник', '9', CASE WHEN k %% 2 = 0 THEN 34 ELSE 46 END, 'full_time', 25, 0,
           k %% 3 = 0, '', true, t.id
    FROM resource_center_organisation AS t
    JOIN bench_d AS d ON d.id = t.district_id
    CROSS JOIN generate_series(1, %(programmes)s) AS k
    WHERE t.kind = 'technikum'
    """,
)


def generate_once(
    *, present: bool, steps: Sequence[Step], params: Callable[[], dict[str, Any]]
) -> None:
    """Run the ``steps`` with ``params()`` after a fixed seed, in one transaction, then
    ANALYZE; nothing when the set of an earlier run is ``present`` (with --existing)."""
    from django.db import connection, transaction

    if present:
        print("GENERATION skipped: the set of an earlier run is there")
        return
    values = params()
    # All or nothing: a failed run leaves no half set behind to be taken for a whole one.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT setseed(0.42)")
        started = time.perf_counter()
        for label, sql in steps:
            step = time.perf_counter()
            cursor.execute(sql, values)
            if label:
                elapsed = time.perf_counter() - step
                print(f"GENERATED {label}: {cursor.rowcount} rows in {elapsed:.1f} s", flush=True)
        print(f"GENERATION {time.perf_counter() - started:.1f} s in all", flush=True)
    with connection.cursor() as cursor:
        step = time.perf_counter()
        cursor.execute("ANALYZE")
        print(f"ANALYZE {time.perf_counter() - step:.1f} s", flush=True)


# --- timing and the result ----------------------------------------------------------------


def median_times(
    first: Callable[[], object], second: Callable[[], object], repeat: int
) -> tuple[list[float], list[float]]:
    """Times of ``repeat`` runs of each, taken in turns (a shared machine's load drifts; in
    turns both see the same), after one unmeasured run of each to warm the caches."""
    first()
    second()
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeat):
        for run, into in ((first, times[0]), (second, times[1])):
            started = time.perf_counter()
            run()
            into.append(time.perf_counter() - started)
    return times


def print_ratio(what: str, value: float, *, digits: int = 2) -> None:
    """The last line of a benchmark, the one a reader (or a script) looks for."""
    print(f"RATIO {what} {value:.{digits}f}")
