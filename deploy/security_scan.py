"""Scan a throwaway copy of the running portal with outside tools: wapiti, sqlmap, bandit.

    .venv/bin/python deploy/security_scan.py            # the whole scan, ~15 minutes on 2 cores
    .venv/bin/python deploy/security_scan.py --quick    # shorter time limits, for a smoke run

A manual tool, not part of the test suite or CI. It installs what is missing (Debian's wapiti
and sqlmap when run as root, bandit from requirements-dev.txt), runs bandit on the code, then
starts the portal under gunicorn on 127.0.0.1 at a free port with DEBUG off and a fresh SQLite
database of demo data in a temporary folder, logs in as demo users and points wapiti and sqlmap
at it. As root the scanning half runs in a network namespace of its own that holds only the
loopback interface, so no request can leave the machine whatever a tool tries; without root
only modules that never contact another host are used.

Reports go to var/security/ (ignored by git): bandit.json, wapiti-<user>.json,
sqlmap/<target>.log, server.log (gunicorn's access and error log) and summary.txt. The exit
status is 1 when the server answered 5xx to anything (or Django logged an unhandled error),
sqlmap found an injectable parameter, wapiti reported an injection (SQL, XSS, command, file,
CRLF, redirect) or bandit reported a high-severity issue; docs/security.md records the last
run.
"""

# ruff: noqa: S603, S607, S310 - a developer's tool: fixed commands and a loopback URL only
from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http import HTTPStatus
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
OUT_DIR = BASE_DIR / "var" / "security"
PYTHON = BASE_DIR / ".venv" / "bin" / "python"
DEMO_PASSWORD = "demo12345"  # noqa: S105 - the published password of the made-up demo users
ISOLATED_FLAG = "--isolated"

# Wapiti modules that never contact another host. Left out on purpose: ssrf and xxe (their
# payloads point the portal at wapiti's public endpoint, which wapiti then polls), nikto and
# wapp (download their databases), buster and backup (path brute force: slow, nothing to find
# in a Django URLconf), brute_login_form (would only trip the login lockout), shellshock and
# htaccess (Apache/CGI issues), blindsql (time-based: one `sleep` payload after another on
# every field took over ten minutes per page list and cannot fire on SQLite or through the
# ORM; sqlmap's boolean-blind tests cover the list filters). `redirect` follows the redirects
# it provokes, which end on a public host only if the portal has an open redirect; it is run
# only inside the namespace.
WAPITI_INJECTION = ["sql", "xss", "permanentxss", "exec", "file", "crlf"]
WAPITI_PASSIVE = ["csrf", "methods", "http_headers", "cookieflags", "csp"]
# The counsellor sees the pupil pages and their forms, the coordinator the labour market,
# reports, moderation and the audit trail; the headers and forms' checks need one pass.
WAPITI_RUNS = {"counsellor": WAPITI_INJECTION + WAPITI_PASSIVE, "coordinator": WAPITI_INJECTION}
WAPITI_AGENT = "wapiti (portal security scan)"
WAPITI_ISOLATED_ONLY = ["redirect"]
# Wapiti categories that fail the run when reported (the rest are advice, judged in the docs).
WAPITI_FATAL = (
    "SQL Injection",
    "Cross Site Scripting",
    "Stored Cross Site Scripting",
    "Commands execution",
    "Path Traversal",
    "CRLF Injection",
    "Open Redirect",
)
# Never followed: they end the session, change the scanning user's password or enrol a
# second factor (after which the session would owe a code).
WAPITI_EXCLUDES = [
    "/accounts/logout/*",
    "/accounts/password/*",
    "/accounts/two-factor/*",
    "/admin/*",
]

# Wapiti as Debian ships it (3.0.4), with two things put right before it starts:
# - each --exclude pattern becomes a regex ending in `\Z(?ms)`, which Python 3.11 refuses
#   ("global flags not at the start"), so any --exclude crashed it: the flags go in front;
# - its csrf module knows token fields by name and not Django's `csrfmiddlewaretoken`, so it
#   reported every form as lacking a token without trying it: with the name added it sends
#   each form with the token replaced and checks that the portal refuses it.
WAPITI_SHIM = """
import re, sys
from wapitiCore.net import crawler
def wildcard_translate(pattern):
    return re.compile("(?ms)" + ".*".join(re.escape(part) for part in pattern.split("*")) + r"\\Z")
crawler.wildcard_translate = wildcard_translate
from wapitiCore.attack import mod_csrf
mod_csrf.mod_csrf.TOKEN_FORM_STRINGS.append("csrfmiddlewaretoken")
from wapitiCore.main.wapiti import wapiti_main
sys.argv[0] = "wapiti"
sys.exit(wapiti_main())
"""

# (user, GET path with the parameters sqlmap tests, the parameters).
SQLMAP_TARGETS = [
    (
        "counsellor",
        "/students/?q=Иван&year=2025&grade=9&letter=А&consent=yes&questionnaire=done"
        "&path_after_9=technikum&sort=last_name&page=1",
        "q,grade,letter,consent,questionnaire,sort,page",
    ),
    ("counsellor", "/students/export/?q=Иван&grade=9&format=csv", "q,grade,format"),
    ("counsellor", "/guidance/events/?kind=open_day&grade=9&period=upcoming&page=1", None),
    ("counsellor", "/minimum/?school_class=1&direction=practice&page=1", None),
    ("counsellor", "/minimum/sheet/?class=1", "class"),
    (None, "/programmes/?q=сварщик&form_of_study=full_time&base_education=9&dual=true", None),
    (None, "/employers/vacancies/?q=повар&employer=1&for_minors=true&salary=20000", None),
    (None, "/employers/dual-training/?q=токарь&programme=1&employer=1&free=true", None),
    (None, "/labour/in-demand/?district=1", "district"),
    (
        "admin_district",
        "/reports/coverage/?academic_year=2025&school=1&grade=9"
        "&date_from=2025-09-01&date_to=2026-05-31",
        "academic_year,school,grade,date_from,date_to",
    ),
    ("coordinator", "/reports/paths/?academic_year=2025&school=1&grade=9", None),
    ("coordinator", "/labour/?district=1&period=2025-09", "district,period"),
    ("coordinator", "/labour/balance/?period=2025-09", "period"),
    ("coordinator", "/labour/unmapped/?q=менеджер&page=1", "q,page"),
    ("coordinator", "/employers/vacancies/manage/?status=published&q=повар&page=1", None),
    (
        "coordinator",
        "/audit/?surname=Ива&date_from=2025-09-01&date_to=2026-12-31&sort=-at&page=1",
        "surname,date_from,date_to,sort,page",
    ),
]


@dataclass
class Run:
    quick: bool
    isolated: bool
    attack_time: int = 30
    base_url: str = ""
    findings: list[str] = field(default_factory=list)  # each one fails the run
    notes: list[str] = field(default_factory=list)


def log(message: str) -> None:
    print(f"[security_scan] {message}", flush=True)


def is_root() -> bool:
    return os.geteuid() == 0


# --- tools ---------------------------------------------------------------------------------


def ensure_tools() -> None:
    """wapiti and sqlmap from Debian (as root), bandit at the pin of requirements-dev.txt."""
    missing = [tool for tool in ("wapiti", "sqlmap") if not shutil.which(tool)]
    if missing:
        if not is_root():
            sys.exit(f"{', '.join(missing)} missing: run as root or `apt-get install {missing}`")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", *missing], check=True, env=env)
    bandit = BASE_DIR / ".venv" / "bin" / "bandit"
    if not bandit.exists():
        pins = (BASE_DIR / "requirements-dev.txt").read_text().splitlines()
        pin = next(line for line in pins if line.startswith("bandit"))
        subprocess.run([PYTHON, "-m", "pip", "install", "--quiet", pin], check=True)


def tool_versions() -> dict[str, str]:
    def first_line(cmd: list[str]) -> str:
        out = subprocess.run(cmd, capture_output=True, text=True, check=False)
        text = (out.stdout + out.stderr).strip()
        match = re.search(r"\d+\.\d+(\.\d+)?(#\w+)?", text)
        return match.group(0) if match else text[:40]

    return {
        "wapiti": first_line(["wapiti", "--version"]),
        "sqlmap": first_line(["sqlmap", "--version"]),
        "bandit": first_line([str(BASE_DIR / ".venv" / "bin" / "bandit"), "--version"]),
    }


# --- bandit --------------------------------------------------------------------------------


def run_bandit(run: Run) -> None:
    report = OUT_DIR / "bandit.json"
    cmd = [
        str(BASE_DIR / ".venv" / "bin" / "bandit"),
        "-c",
        "pyproject.toml",
        "-r",
        ".",
        "-f",
        "json",
        "-o",
        str(report),
        "-q",
    ]
    subprocess.run(cmd, cwd=BASE_DIR, check=False)
    results = json.loads(report.read_text())["results"]
    counts: dict[str, int] = {}
    for item in results:
        counts[item["issue_severity"]] = counts.get(item["issue_severity"], 0) + 1
        if item["issue_severity"] in ("HIGH", "MEDIUM"):
            run.notes.append(
                f"bandit {item['issue_severity']} {item['test_id']} "
                f"{item['filename']}:{item['line_number']} {item['issue_text']}"
            )
        if item["issue_severity"] == "HIGH":
            run.findings.append(f"bandit HIGH {item['test_id']} {item['filename']}")
    run.notes.append(f"bandit issues by severity: {counts or 'none'}")


# --- the portal ----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def portal_env(workdir: Path) -> dict[str, str]:
    """Production-like settings, except plain HTTP on loopback and a throwaway database."""
    return {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{workdir / 'portal.sqlite3'}",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "SECURE_HSTS_SECONDS": "0",
        "REDIS_URL": "",
        "CELERY_DATA_DIR": str(workdir / "celery"),
        "EMAIL_URL": "consolemail://",
        "LOG_LEVEL": "INFO",
        "LOG_FORMAT": "text",
        # The scanners fire hundreds of requests from one address; none of them logs in.
        "LOGIN_FAILURE_LIMIT": "5",
    }


def start_portal(run: Run, workdir: Path) -> subprocess.Popen:
    env = portal_env(workdir)
    manage = [str(PYTHON), "manage.py"]
    for args in (["migrate", "--noinput"], ["seed_demo"], ["collectstatic", "--noinput"]):
        log("manage.py " + " ".join(args))
        done = subprocess.run([*manage, *args], cwd=BASE_DIR, env=env, capture_output=True)
        if done.returncode:
            sys.exit(f"manage.py {args[0]} failed:\n{done.stderr.decode()[-3000:]}")
    port = free_port()
    run.base_url = f"http://127.0.0.1:{port}"
    server_log = (OUT_DIR / "server.log").open("w")
    proc = subprocess.Popen(
        [
            str(BASE_DIR / ".venv" / "bin" / "gunicorn"),
            "resource_center.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--timeout",
            "60",
            "--access-logfile",
            "-",
            "--error-logfile",
            "-",
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=server_log,
        stderr=subprocess.STDOUT,
    )
    for _ in range(60):
        try:
            # nosec B310: an http:// URL on 127.0.0.1 built just above, no other scheme.
            login_page = run.base_url + "/accounts/login/"
            with urllib.request.urlopen(login_page, timeout=5):  # nosec B310
                log(f"portal up at {run.base_url}")
                return proc
        except OSError:
            time.sleep(1)
    proc.terminate()
    sys.exit("the portal did not start; see var/security/server.log")


def login(run: Run, username: str) -> str:
    """Log in through the login form; return the Cookie header of the session."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect())
    login_url = run.base_url + "/accounts/login/"
    opener.open(login_url, timeout=10)
    token = next(c.value for c in jar if c.name == "csrftoken")
    body = urllib.parse.urlencode(
        {"username": username, "password": DEMO_PASSWORD, "csrfmiddlewaretoken": token}
    ).encode()
    request = urllib.request.Request(login_url, data=body, headers={"Referer": login_url})
    try:
        opener.open(request, timeout=10)
        status = 200
    except urllib.error.HTTPError as redirect:
        status = redirect.code
    cookies = {c.name: c.value for c in jar}
    if status != 302 or "sessionid" not in cookies:
        sys.exit(f"login as {username} failed (status {status})")
    header = "; ".join(f"{name}={value}" for name, value in cookies.items())
    # The session must open a page only a logged-in user sees.
    check = urllib.request.Request(run.base_url + "/accounts/password/", headers={"Cookie": header})
    try:
        opener.open(check, timeout=10)
    except urllib.error.HTTPError as error:
        sys.exit(f"the session of {username} does not work (status {error.code})")
    log(f"logged in as {username}")
    return header


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


# --- wapiti --------------------------------------------------------------------------------


def run_wapiti(run: Run, username: str, cookie: str, workdir: Path) -> None:
    modules = WAPITI_RUNS[username] + (WAPITI_ISOLATED_ONLY if run.isolated else [])
    report = OUT_DIR / f"wapiti-{username}.json"
    cmd = [
        "/usr/bin/python3",
        "-c",
        WAPITI_SHIM,
        "--url",
        run.base_url + "/",
        "--scope",
        "folder",
        "--module",
        ",".join(modules),
        "--no-bugreport",
        "--header",
        f"Cookie: {cookie}",
        "--depth",
        "4",
        "--max-links-per-page",
        "40",
        "--max-files-per-dir",
        "25",
        "--max-scan-time",
        "45" if run.quick else "75",
        "--max-attack-time",
        str(run.attack_time),
        "--timeout",
        "30",
        "--flush-session",
        "--store-session",
        str(workdir / "wapiti-session"),
        "--store-config",
        str(workdir / "wapiti-config"),
        "--format",
        "json",
        "--output",
        str(report),
        "--verbose",
        "1",
        "--user-agent",
        WAPITI_AGENT,
    ]
    for pattern in WAPITI_EXCLUDES:
        cmd += ["--exclude", run.base_url + pattern]
    log(f"wapiti as {username}: modules {','.join(modules)}")
    log_name = f"wapiti-{username}.log"
    with (OUT_DIR / log_name).open("w") as out:
        subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT, check=False)
    if not report.exists():
        run.findings.append(f"wapiti as {username} wrote no report")
        return
    data = json.loads(report.read_text())
    for category, items in {**data.get("vulnerabilities", {}), **data.get("anomalies", {})}.items():
        for item in items:
            line = f"wapiti[{username}] {category}: {item.get('path')} {item.get('info')}"
            run.notes.append(line)
            if category in WAPITI_FATAL or category == "Internal Server Error":
                run.findings.append(line)
    found = re.search(r"Wapiti found (\d+) URLs and forms", (OUT_DIR / log_name).read_text())
    run.notes.append(f"wapiti[{username}] URLs and forms found: {found[1] if found else '?'}")


# --- sqlmap --------------------------------------------------------------------------------


def run_sqlmap(run: Run, cookies: dict[str, str], workdir: Path) -> None:
    """Every target, two sqlmap processes at a time (gunicorn has two workers)."""
    (OUT_DIR / "sqlmap").mkdir(exist_ok=True)
    with ThreadPoolExecutor(max_workers=2) as pool:
        jobs = [
            pool.submit(sqlmap_target, run, index, target, cookies, workdir)
            for index, target in enumerate(SQLMAP_TARGETS, start=1)
        ]
        for job in jobs:
            notes, findings = job.result()
            run.notes.extend(notes)
            run.findings.extend(findings)


def sqlmap_target(
    run: Run,
    index: int,
    target: tuple[str | None, str, str | None],
    cookies: dict[str, str],
    workdir: Path,
) -> tuple[list[str], list[str]]:
    username, path, params = target
    url = run.base_url + urllib.parse.quote(path, safe="/?&=:,-")
    name = f"{index:02d}-" + re.sub(r"[^a-z0-9]+", "-", path.split("?")[0]).strip("-")
    cookie = cookies[username] if username else ""
    # A target that redirects (to the login page) or refuses would be "not injectable" for
    # nothing: it must answer 200 to the user first.
    status = get_status(url, cookie)
    if status != HTTPStatus.OK:
        return [], [f"sqlmap target {path.split('?')[0]} answered {status} to {username}"]
    cmd = [
        "sqlmap",
        "--url",
        url,
        "--batch",
        "--level",
        "1" if run.quick else "2",
        "--risk",
        "1" if run.quick else "2",
        "--dbms",
        "SQLite",
        # Boolean-blind, error-based and UNION: time-based and stacked payloads need
        # seconds of delay per test and SQLite through Django runs one statement only.
        "--technique",
        "BEU",
        # The session cookies are Django's, never read by a query of the portal.
        "--skip",
        "sessionid,csrftoken",
        "--timeout",
        "30",
        "--retries",
        "1",
        "--disable-coloring",
        "--flush-session",
        "--output-dir",
        str(workdir / "sqlmap" / name),
    ]
    if params:
        cmd += ["-p", params]
    if cookie:
        cmd += ["--cookie", cookie]
    log(f"sqlmap {username or 'anonymous'} {path.split('?')[0]}")
    started = time.monotonic()
    result = subprocess.run(cmd, capture_output=True, text=True, check=False)
    text = result.stdout + result.stderr
    (OUT_DIR / "sqlmap" / f"{name}.log").write_text(text)
    tested = sorted(set(re.findall(r"parameter '([^']+)' does not seem to be injectable", text)))
    notes = [f"sqlmap {name}: {time.monotonic() - started:.0f} s, not injectable: {tested}"]
    findings = []
    if "identified the following injection point" in text or re.search(
        r"parameter '[^']+' is vulnerable", text
    ):
        findings.append(f"sqlmap: injectable parameter at {path.split('?')[0]}")
    for warning in re.findall(r"\[CRITICAL\] (.*)", text):
        if "do not appear to be injectable" not in warning:
            notes.append(f"sqlmap {name} critical: {warning[:160]}")
    return notes, findings


def get_status(url: str, cookie: str) -> int:
    opener = urllib.request.build_opener(NoRedirect())
    try:
        with opener.open(urllib.request.Request(url, headers={"Cookie": cookie}), timeout=60):
            return HTTPStatus.OK
    except urllib.error.HTTPError as error:
        return error.code


# --- the server log ------------------------------------------------------------------------

ACCESS_LINE = re.compile(
    r'"(?P<method>[A-Z]+) (?P<path>\S+) HTTP/[\d.]+" (?P<status>\d{3}) '
    r'\S+ "[^"]*" "(?P<agent>[^"]*)"'
)


def check_server_log(run: Run) -> None:
    text = (OUT_DIR / "server.log").read_text(errors="replace")
    statuses: dict[str, int] = {}
    errors: dict[str, int] = {}
    agents = {"wapiti": 0, "sqlmap": 0, "other": 0}
    for match in ACCESS_LINE.finditer(text):
        agent = next((a for a in agents if match["agent"].startswith(a)), "other")
        agents[agent] += 1
        status = match["status"]
        statuses[status] = statuses.get(status, 0) + 1
        if status.startswith("5") or status == "000":
            key = f"{status} {match['method']} {match['path'].split('?')[0]}"
            errors[key] = errors.get(key, 0) + 1
    run.notes.append(f"requests by tool: {agents}")
    run.notes.append(f"server responses by status: {dict(sorted(statuses.items()))}")
    for key, count in errors.items():
        run.findings.append(f"server answered {key} ({count}x)")
    # Django logs every unhandled exception as "ERROR django.request Internal Server Error".
    # (A 400 for a forged Host header is logged with a traceback too, by django.security.)
    for line in re.findall(r".* ERROR django\.request .*", text):
        run.findings.append(f"server log: {line[:200]}")


# --- main ----------------------------------------------------------------------------------


def scan(run: Run) -> int:
    with tempfile.TemporaryDirectory(prefix="portal-scan-") as tmp:
        workdir = Path(tmp)
        server = start_portal(run, workdir)
        try:
            for user in ["counsellor"] if run.quick else WAPITI_RUNS:
                run_wapiti(run, user, login(run, user), workdir)
            # Fresh sessions: whatever wapiti did to its own cannot hide pages from sqlmap.
            users = ["counsellor", "admin_district", "coordinator"]
            cookies = {user: login(run, user) for user in users}
            run_sqlmap(run, cookies, workdir)
        finally:
            server.terminate()
            server.wait(timeout=30)
    check_server_log(run)
    return finish(run)


def finish(run: Run) -> int:
    lines = [f"security scan {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}"]
    lines += [f"{tool} {version}" for tool, version in tool_versions().items()]
    lines.append(f"network namespace with loopback only: {run.isolated}")
    lines += ["", "notes:"] + [f"  {note}" for note in run.notes]
    lines += ["", "findings that fail the run:"] + [f"  {f}" for f in run.findings or ["none"]]
    summary = "\n".join(lines) + "\n"
    (OUT_DIR / "summary.txt").write_text(summary)
    print(summary)
    return 1 if run.findings else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short time limits (a smoke run)")
    parser.add_argument(
        "--attack-time",
        type=int,
        default=30,
        help="seconds for each wapiti module (the default attacks a sample of the pages)",
    )
    parser.add_argument(ISOLATED_FLAG, action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--no-isolation", action="store_true", help="do not use a namespace")
    args = parser.parse_args()
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    attack_time = 15 if args.quick else args.attack_time

    if args.isolated:
        # Inside the namespace: bring up loopback, then the portal and the scanners.
        subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
        run = Run(quick=args.quick, isolated=True, attack_time=attack_time)
        run.notes.extend(json.loads((OUT_DIR / ".bandit-notes.json").read_text()))
        run.findings.extend(json.loads((OUT_DIR / ".bandit-findings.json").read_text()))
        return scan(run)

    ensure_tools()
    run = Run(quick=args.quick, isolated=False, attack_time=attack_time)
    log("bandit")
    run_bandit(run)
    can_isolate = is_root() and shutil.which("unshare") and shutil.which("ip")
    if can_isolate and not args.no_isolation:
        (OUT_DIR / ".bandit-notes.json").write_text(json.dumps(run.notes))
        (OUT_DIR / ".bandit-findings.json").write_text(json.dumps(run.findings))
        cmd = ["unshare", "--net", str(PYTHON), __file__, ISOLATED_FLAG]
        cmd += ["--quick"] if args.quick else ["--attack-time", str(attack_time)]
        return subprocess.run(cmd, check=False).returncode
    return scan(run)


if __name__ == "__main__":
    sys.exit(main())
