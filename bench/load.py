"""Load test of the portal: gunicorn and PostgreSQL on this machine, locust as the clients.

Run from the project root:

    python bench/load.py                       # a throwaway database on 127.0.0.1
    DATABASE_URL=postgres://user@host:5432/postgres python bench/load.py

DATABASE_URL names the PostgreSQL server (default postgres://postgres@127.0.0.1:5432/postgres);
a fresh database is created on it, migrated, filled with the demo district
(``manage.py seed_demo --pupils``, by default 9000 pupils of the current year, about 2400 of
them in the counsellor's school, with their records of two earlier years), analysed, used
and dropped. ``--existing`` uses the database of DATABASE_URL as it is (migrated and seeded).

The portal runs as in production: ``DEBUG=false``, gunicorn with ``--workers`` sync workers
(default 2 × cores + 1) on a free port of 127.0.0.1, static files collected and served by
whitenoise, persistent database connections (``CONN_MAX_AGE=60``) with health checks, Redis
(``--redis-url``) as the cache, so rendered pages are cached as in production. Plain
http on 127.0.0.1, so the HTTPS-only settings are turned off for this server
(``SECURE_SSL_REDIRECT``, ``SESSION_COOKIE_SECURE``, ``CSRF_COOKIE_SECURE``,
``SECURE_HSTS_SECONDS``); the login throttle stays on (each load user logs in once, and
successful logins are never counted against anyone).

Two measurements with ``bench/locustfile.py``, ``--users`` (20) concurrent users:

1. the mixed scenario for ``--mixed-time`` seconds: counsellors, anonymous visitors, the
   district administration and the trivial view together, people waiting 0.5–1.5 s between
   pages. Gives each page's latency percentiles with everything running at once, and the
   errors (there must be none).
2. each page alone in a closed loop for ``--page-time`` seconds: every user requests the
   page again as soon as the answer came. The page's throughput divided by the throughput of
   ``/ping/`` (a view that answers «ok» without the database, through the same middleware,
   the same server and the same client) measured the same way in the same run is the page's
   ratio: it leaves out what the machine, the client and the server cost every request alike.
   ``/ping/`` is measured for ``--baseline-time`` seconds before and after each page, and
   the page is compared with the mean of those two, so that the load other processes put on
   the machine meanwhile weighs on both alike.

In every locust run the logins and the ``--warmup`` seconds after them (each worker's first
requests) are not counted. One table per measurement is printed, then the goals (list pages at
least 0.15 of the trivial view, detail pages at least 0.25) and the lines
``RATIO load_min_detail_vs_trivial <worst detail page>`` and, last,
``RATIO load_min_list_vs_trivial <worst list page>``.
"""

# Every command run below is this project's own tools with arguments built here.
# ruff: noqa: S603

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

import harness

ROOT = harness.ROOT
BIN = Path(sys.executable).parent
DEFAULT_SERVER_URL = harness.DEFAULT_SERVER_URL
# Production runs with Redis (cache and broker); a database number of its own for the run.
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/14"
LOCUSTFILE = ROOT / "bench" / "locustfile.py"
BASELINE = "ping (trivial view)"
GOALS = {"list": 0.15, "detail": 0.25}


# --- locust ------------------------------------------------------------------------------------


def redis_answers(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_timeout=5).ping())
    except redis.RedisError:
        return False


def pages() -> dict[str, str]:
    """Page name → kind, from the locustfile (run apart: locust patches the process)."""
    out = subprocess.run(
        [str(BIN / "python"), str(LOCUSTFILE), "--pages"],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)


def drain(host: str) -> None:
    """Wait until the server has worked off the requests the clients left queued (a slow
    page's), so that they do not weigh on the next measurement: /ping/ answers at once."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        start = time.monotonic()
        try:
            with urllib.request.urlopen(f"{host}/ping/", timeout=60) as answer:  # noqa: S310
                answer.read()
        except OSError:
            pass
        if time.monotonic() - start < 0.05:
            return
        time.sleep(0.5)


def locust(
    *, host: str, users: int, seconds: int, warmup: int, csv_prefix: Path, page: str = ""
) -> dict[str, dict[str, float]]:
    """Run locust headless; the statistics per page name (only the counted part of the run)."""
    env = {
        **os.environ,
        "LOAD_SECONDS": str(seconds),
        "LOAD_WARMUP": str(warmup),
        "LOAD_PAGE": page,
    }
    subprocess.run(
        [
            str(BIN / "locust"),
            "-f",
            str(LOCUSTFILE),
            "--headless",
            "--users",
            str(users),
            "--spawn-rate",
            str(users),
            "--run-time",
            f"{seconds + warmup + 120}s",  # a bound only: the locustfile stops the run
            "--host",
            host,
            "--csv",
            str(csv_prefix),
            "--only-summary",
            "--loglevel",
            "WARNING",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,  # locust exits 1 when a request failed; the table shows it
    )
    drain(host)
    stats: dict[str, dict[str, float]] = {}
    with open(f"{csv_prefix}_stats.csv", newline="") as f:
        for row in csv.DictReader(f):
            if row["Name"] == "Aggregated" or row["Request Count"] == "0":
                continue
            stats[row["Name"]] = {
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "rps": float(row["Requests/s"]),
                "p50": float(row["50%"]),
                "p95": float(row["95%"]),
                "p99": float(row["99%"]),
            }
    return stats


# --- the report ---------------------------------------------------------------------------------


def table(rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for n, row in enumerate(rows):
        cells = [
            c.ljust(w) if i == 0 else c.rjust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells))
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def print_mixed(mixed: dict[str, dict[str, float]], *, seconds: int, load: float) -> None:
    rows = [["page", "requests", "failures", "req/s", "p50 ms", "p95 ms", "p99 ms"]]
    for name, s in sorted(mixed.items()):
        rows.append(
            [
                name,
                str(s["requests"]),
                str(s["failures"]),
                f"{s['rps']:.1f}",
                *(f"{s[p]:.0f}" for p in ("p50", "p95", "p99")),
            ]
        )
    total = sum(s["requests"] for s in mixed.values())
    errors = sum(s["failures"] for s in mixed.values())
    print(f"\nMixed scenario, {seconds} s (load average {load:.1f}):")
    print(table(rows))
    print(f"total {total} requests, {errors} failures")
    print(flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pupils", type=int, default=9000, help="seed_demo --pupils")
    parser.add_argument("--users", type=int, default=20, help="concurrent users")
    parser.add_argument("--mixed-time", type=int, default=90, help="seconds of the mixed run")
    parser.add_argument("--page-time", type=int, default=15, help="seconds of each page alone")
    parser.add_argument(
        "--baseline-time", type=int, default=5, help="seconds of /ping/ between the pages"
    )
    parser.add_argument(
        "--warmup", type=int, default=3, help="seconds not counted after the logins, each run"
    )
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument(
        "--redis-url",
        default=os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL,
        help="Redis for the cache and the broker, as in production (default: REDIS_URL, "
        f"else {DEFAULT_REDIS_URL})",
    )
    parser.add_argument("--pages", nargs="+", metavar="NAME", help="only these pages")
    parser.add_argument("--existing", action="store_true", help="use DATABASE_URL as it is")
    parser.add_argument(
        "--no-collectstatic", action="store_true", help="static files are already collected"
    )
    args = parser.parse_args()

    server_url = url = os.environ.get("DATABASE_URL", DEFAULT_SERVER_URL)
    if not url.startswith(("postgres://", "postgresql://", "pgsql://")):
        print("This benchmark needs PostgreSQL: set DATABASE_URL=postgres://…", file=sys.stderr)
        return 2
    # A stopped run still stops its server and drops its database (the finally below).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if not redis_answers(args.redis_url):
        print(f"Redis does not answer at {args.redis_url}: set --redis-url", file=sys.stderr)
        return 2
    kinds = pages()
    measured = [p for p in kinds if p != BASELINE and (not args.pages or p in args.pages)]
    created_db = None if args.existing else f"rc_load_{uuid.uuid4().hex[:10]}"
    server = None
    workdir = Path(tempfile.mkdtemp(prefix="rc_load_"))
    try:
        if created_db:
            harness.admin_sql(server_url, f'CREATE DATABASE "{created_db}"')
            url = harness.with_database(server_url, created_db)
        env = harness.server_env(url, workdir, redis_url=args.redis_url)
        if created_db:
            started = time.monotonic()
            harness.manage("migrate", "--noinput", "-v", "0", env=env)
            harness.manage("seed_demo", "--pupils", str(args.pupils), env=env)
            # A live database has its planner statistics and visibility map (autovacuum keeps
            # them); a just-filled one not yet: without the map the index-only scans of the
            # pupil list's counts read the table after all.
            harness.admin_sql(url, "VACUUM ANALYZE")
            print(f"database {created_db} ready in {time.monotonic() - started:.0f} s")
        if not args.no_collectstatic:
            harness.manage("collectstatic", "--noinput", "-v", "0", env=env)
        port = harness.free_port()
        host = f"http://127.0.0.1:{port}"
        server = harness.gunicorn_start(env=env, port=port, workers=args.workers)
        print(
            f"gunicorn {host}, {args.workers} sync workers, {os.cpu_count()} cores; "
            f"{args.users} users; load average before: {os.getloadavg()[0]:.1f}"
        )

        mixed = locust(
            host=host,
            users=args.users,
            seconds=args.mixed_time,
            warmup=args.warmup,
            csv_prefix=workdir / "mixed",
        )
        mixed_load = os.getloadavg()[0]

        # Each page between two runs of /ping/: its ratio is to the mean of the two, so
        # that a change of the machine's load during the run (other processes) shows in
        # both the page's throughput and its baseline.
        alone: dict[str, dict[str, float]] = {}
        local_baseline: dict[str, float] = {}
        baselines: list[float] = []
        loads: dict[str, float] = {}

        def run(page: str, seconds: int) -> dict[str, float]:
            stats = locust(
                host=host,
                users=args.users,
                seconds=seconds,
                warmup=args.warmup,
                csv_prefix=workdir / f"run{len(loads)}-{len(baselines)}",
                page=page,
            ).get(page, {"requests": 0, "failures": 0, "rps": 0.0, "p50": 0, "p95": 0, "p99": 0})
            print(f"  {page}: {stats['rps']:.1f} req/s", flush=True)
            return stats

        print_mixed(mixed, seconds=args.mixed_time, load=mixed_load)
        alone[BASELINE] = run(BASELINE, args.baseline_time)
        baselines.append(alone[BASELINE]["rps"])
        for page in measured:
            alone[page] = run(page, args.page_time)
            loads[page] = os.getloadavg()[0]
            baselines.append(run(BASELINE, args.baseline_time)["rps"])
            local_baseline[page] = (baselines[-2] + baselines[-1]) / 2
        trivial = statistics.median(baselines)
        alone[BASELINE] = {**alone[BASELINE], "rps": trivial}
        local_baseline[BASELINE] = trivial
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        if created_db:
            harness.admin_sql(server_url, f'DROP DATABASE IF EXISTS "{created_db}" WITH (FORCE)')
        shutil.rmtree(workdir, ignore_errors=True)

    errors = sum(s["failures"] for s in mixed.values())

    header = ["page", "kind", "req/s", "ping req/s", "ratio", "goal", "p50 ms", "p95 ms"]
    rows = [[*header, "p99 ms", "fail"]]
    worst: dict[str, float] = {}
    for name in [BASELINE, *measured]:
        s, kind = alone[name], kinds[name]
        ratio = s["rps"] / local_baseline[name] if local_baseline[name] else 0.0
        goal = GOALS.get(kind)
        if goal is not None:
            worst[kind] = min(worst.get(kind, ratio), ratio)
        verdict = "" if goal is None else f"{goal:.2f} {'met' if ratio >= goal else 'MISSED'}"
        rows.append(
            [
                name,
                kind,
                f"{s['rps']:.1f}",
                f"{local_baseline[name]:.0f}",
                f"{ratio:.3f}",
                verdict,
                *(f"{s[p]:.0f}" for p in ("p50", "p95", "p99")),
                str(s["failures"]),
            ]
        )
    print(
        f"\nEach page alone, {args.users} users without waiting, {args.page_time} s each; "
        f"/ping/ {args.baseline_time} s before and after each; ping req/s: the mean of those "
        f"two; the first row: the median of all ({min(baselines):.0f}–{max(baselines):.0f})"
    )
    print(table(rows))
    print("load average after each page: " + ", ".join(f"{v:.1f}" for v in loads.values()))
    if errors or any(s["failures"] for s in alone.values()):
        print("FAILED REQUESTS: see the failures columns", file=sys.stderr)
    print(f"RATIO load_min_detail_vs_trivial {worst.get('detail', 0.0):.3f}")
    print(f"RATIO load_min_list_vs_trivial {worst.get('list', 0.0):.3f}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
