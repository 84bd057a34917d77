"""A PostgreSQL restart under load: how long do requests fail, does any web worker restart?

Run from the project root, as root (the cluster is run as the ``postgres`` system user):

    python bench/db_restart.py
    python bench/db_restart.py --without-health-checks     # for comparison

The script makes its own PostgreSQL cluster (``initdb`` of ``--pg-bin``, default
PostgreSQL 15's, into a temporary folder, started with ``pg_ctl`` on a free port of
127.0.0.1; the machine's own server is not touched), creates the portal's database in it
(migrate, ``seed_demo``, ANALYZE), collects the static files and starts gunicorn against it
as in production (``DEBUG=false``, ``CONN_MAX_AGE=60``, the settings' connection health
checks; plain http, so the HTTPS-only settings are off, as in bench/load.py).

Then ``--threads`` clients (20) request pages without pause: half the public programme
catalogue, half the pupil list of a logged-in counsellor (each client logs in once). After
``--before`` seconds (5) the cluster is restarted (``pg_ctl restart -m fast``: connections
are terminated, the server stops and starts again); the clients go on for ``--after``
seconds (10). Every answer other than 200, and every connection error or timeout, is an
error.

Printed: the requests and errors, the restart's own duration, the time from the first error
to the last (the errors' window), the gunicorn worker ids before and after (a changed id is
a worker that died and was replaced), and last ``RATIO db_restart_error_seconds <window>``.
The goal is at most a second of errors and no worker restart.

``--idle`` pauses the clients from 2 s before the restart until 1 s after it: every kept
connection dies while idle, between two requests, which is the case the health checks are
for. ``--without-health-checks`` runs the same with ``CONN_HEALTH_CHECKS = False`` (through a
settings module written into the temporary folder for this run only), to show what the
health checks change.
"""

# Every command run below is this project's own tools or PostgreSQL's, arguments built here.
# ruff: noqa: S603

from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import harness

ROOT = harness.ROOT
BIN = Path(sys.executable).parent
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
PASSWORD = "demo12345"  # noqa: S105 (seed_demo's demo password)


def as_postgres(*command: str, check: bool = True) -> None:
    # No pipes: a server started by pg_ctl would hold them open and the call never return.
    subprocess.run(
        [shutil.which("runuser") or "/usr/sbin/runuser", "-u", "postgres", "--", *command],
        check=check,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        timeout=120,
    )


class Cluster:
    """A PostgreSQL cluster of our own in a temporary folder."""

    def __init__(self, pg_bin: Path, folder: Path) -> None:
        self.pg_bin, self.folder = pg_bin, folder
        self.data = folder / "data"
        self.port = harness.free_port()
        self.url = f"postgres://postgres@127.0.0.1:{self.port}"

    def pg_ctl(self, *args: str) -> None:
        log = str(self.folder / "postgres.log")
        as_postgres(str(self.pg_bin / "pg_ctl"), "-D", str(self.data), "-l", log, *args)

    def create(self) -> None:
        shutil.chown(self.folder, "postgres", "postgres")
        as_postgres(
            str(self.pg_bin / "initdb"),
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--no-sync",
        )
        options = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off"
        )
        self.pg_ctl("-o", options, "-w", "start")

    def restart(self) -> None:
        self.pg_ctl("-m", "fast", "-w", "restart")

    def destroy(self) -> None:
        as_postgres(str(self.pg_bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop",
                    check=False)  # fmt: skip


def worker_pids(master: int) -> set[int]:
    """The ids of the processes whose parent is ``master`` (gunicorn's workers)."""
    pids = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master:
            pids.add(int(stat.parent.name))
    return pids


class Client(threading.Thread):
    """Requests one page again and again; records (start, end, error or None)."""

    def __init__(
        self, base: str, path: str, login: str | None, stop: threading.Event, go: threading.Event
    ) -> None:
        super().__init__(daemon=True)
        self.base, self.path, self.login, self.stop, self.go = base, path, login, stop, go
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        self.results: list[tuple[float, float, str | None]] = []
        self.ready = threading.Event()

    def log_in(self) -> None:
        url = f"{self.base}/accounts/login/"
        with self.opener.open(url, timeout=30) as page:
            token = CSRF_INPUT.search(page.read().decode()).group(1)
        data = urllib.parse.urlencode(
            {"username": self.login, "password": PASSWORD, "csrfmiddlewaretoken": token}
        ).encode()
        with self.opener.open(url, data=data, timeout=30) as answer:
            if answer.url.endswith("/accounts/login/"):
                raise RuntimeError(f"login of {self.login} refused")

    def run(self) -> None:
        if self.login:
            self.log_in()
        self.ready.set()
        while not self.stop.is_set():
            self.go.wait()
            start = time.monotonic()
            error = None
            try:
                with self.opener.open(self.base + self.path, timeout=10) as answer:
                    answer.read()
                    if answer.status != 200:
                        error = f"HTTP {answer.status}"
            except urllib.error.HTTPError as exc:
                error = f"HTTP {exc.code}"
            except OSError as exc:
                error = type(exc).__name__
            self.results.append((start, time.monotonic(), error))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=20)
    parser.add_argument("--before", type=float, default=5, help="seconds of load before")
    parser.add_argument("--after", type=float, default=10, help="seconds of load after")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--pupils", type=int, default=320, help="seed_demo --pupils")
    parser.add_argument("--conn-max-age", type=int, default=60)
    parser.add_argument("--without-health-checks", action="store_true")
    parser.add_argument(
        "--idle",
        action="store_true",
        help="pause the clients from 2 s before the restart to 1 s after it",
    )
    parser.add_argument("--pg-bin", type=Path, default=Path("/usr/lib/postgresql/15/bin"))
    parser.add_argument(
        "--no-collectstatic", action="store_true", help="static files are already collected"
    )
    args = parser.parse_args()
    if os.geteuid() != 0:
        print("Run as root: the cluster runs as the postgres system user.", file=sys.stderr)
        return 2

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    folder = Path(tempfile.mkdtemp(prefix="rc_pg_restart_"))
    cluster = Cluster(args.pg_bin, folder)
    server = None
    try:
        cluster.create()
        harness.admin_sql(f"{cluster.url}/postgres", "CREATE DATABASE portal")
        env = harness.server_env(f"{cluster.url}/portal", folder, conn_max_age=args.conn_max_age)
        if args.without_health_checks:
            (folder / "settings_without_health_checks.py").write_text(
                "from resource_center.settings import *  # noqa: F403\n\n"
                'DATABASES["default"]["CONN_HEALTH_CHECKS"] = False  # noqa: F405\n'
            )
            env["PYTHONPATH"] = str(folder)
            env["DJANGO_SETTINGS_MODULE"] = "settings_without_health_checks"

        harness.manage("migrate", "--noinput", "-v", "0", env=env)
        harness.manage("seed_demo", "--pupils", str(args.pupils), env=env)
        harness.admin_sql(f"{cluster.url}/portal", "ANALYZE")
        if not args.no_collectstatic:
            harness.manage("collectstatic", "--noinput", "-v", "0", env=env)

        port = harness.free_port()
        base = f"http://127.0.0.1:{port}"
        # The database errors during the restart are logged with their tracebacks: kept
        # out of the report, and counted from it.
        server_log = (folder / "gunicorn.log").open("w")
        server = harness.gunicorn_start(
            env=env, port=port, workers=args.workers, log_level="info", stderr=server_log
        )

        stop, go = threading.Event(), threading.Event()
        go.set()
        clients = [
            Client(base, "/programmes/", None, stop, go)
            if n % 2 == 0
            else Client(base, "/students/", "counsellor", stop, go)
            for n in range(args.threads)
        ]
        for c in clients:
            c.start()
        for c in clients:
            c.ready.wait(timeout=120)
        before = worker_pids(server.pid)
        time.sleep(args.before)
        if args.idle:
            go.clear()
            time.sleep(2)  # the requests under way finish; every connection is idle
        restart_start = time.monotonic()
        cluster.restart()
        restart_end = time.monotonic()
        if args.idle:
            time.sleep(1)
            go.set()
        time.sleep(args.after)
        stop.set()
        for c in clients:
            c.join(timeout=15)
        after = worker_pids(server.pid)
        master_alive = server.poll() is None
        server_log.flush()
        logged = (folder / "gunicorn.log").read_text()
        boots = logged.count("Booting worker") - args.workers
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        cluster.destroy()
        shutil.rmtree(folder, ignore_errors=True)

    results = [r for c in clients for r in c.results if r[0] >= restart_start - args.before]
    errors = sorted((start, end, e) for start, end, e in results if e)
    kinds: dict[str, int] = {}
    for *_times, e in errors:
        kinds[e] = kinds.get(e, 0) + 1
    window = errors[-1][1] - errors[0][0] if errors else 0.0
    health = "off" if args.without_health_checks else "on"
    print(
        f"gunicorn {args.workers} workers, CONN_MAX_AGE={args.conn_max_age}, "
        f"health checks {health}, {args.threads} clients"
        + (", paused over the restart" if args.idle else "")
    )
    print(f"requests: {len(results)}, errors: {len(errors)} {kinds or ''}")
    print(f"restart (pg_ctl restart -m fast): {restart_end - restart_start:.2f} s")
    if errors:
        print(
            f"errors from {errors[0][0] - restart_start:+.2f} s to "
            f"{errors[-1][1] - restart_start:+.2f} s after the restart began"
        )
        late = [e for e in errors if e[0] > restart_end]
        print(f"errors of requests started after the server was back: {len(late)}")
    print(f"worker ids before: {sorted(before)}")
    print(f"worker ids after:  {sorted(after)}")
    print(f"workers booted since the start: {boots}")
    restarted = len(before - after)
    print(f"workers restarted: {restarted}; gunicorn master alive: {master_alive}")
    print(f"RATIO db_restart_error_seconds {window:.2f}")
    return 0 if window <= 1.0 and not restarted and master_alive else 1


if __name__ == "__main__":
    sys.exit(main())
