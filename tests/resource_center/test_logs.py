"""Structured logs: LOG_FORMAT=json writes one JSON object per line with the request id."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from resource_center.logs import JsonFormatter, RequestIdFilter

ROOT = Path(__file__).resolve().parents[2]
LOGS_MIDDLEWARE = "resource_center.logs.RequestIdMiddleware"


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    """What the console handler would write with LOG_FORMAT=json, captured."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    yield stream
    root.removeHandler(handler)


def lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_a_record_is_one_json_line_with_time_level_logger_and_message(json_log):
    logging.getLogger("students.imports").warning(
        "Импорт %s: %d строк с ошибками", "9А", 3, extra={"organisation": 17}
    )

    (entry,) = lines(json_log)
    assert entry["level"] == "WARNING"
    assert entry["logger"] == "students.imports"
    assert entry["message"] == "Импорт 9А: 3 строк с ошибками"
    assert entry["organisation"] == 17
    assert entry["time"].endswith("+00:00")
    assert "request_id" not in entry


def test_a_traceback_stays_inside_the_one_line(json_log):
    try:
        raise ValueError("строка 5:\nневерная дата")
    except ValueError:
        logging.getLogger("x").exception("Сбой импорта")

    assert len(json_log.getvalue().splitlines()) == 1
    (entry,) = lines(json_log)
    assert entry["level"] == "ERROR"
    assert "ValueError: строка 5:\nневерная дата" in entry["exception"]


@pytest.fixture
def with_request_ids(settings) -> None:
    """The portal's middleware stack gives every request an id."""
    assert LOGS_MIDDLEWARE in settings.MIDDLEWARE


@pytest.mark.django_db
def test_request_records_carry_the_proxys_request_id(
    client, counsellor_a, json_log, with_request_ids
):
    client.force_login(counsellor_a)

    response = client.get("/no-such-page/", headers={"X-Request-ID": "nginx-4f2a9c"})

    assert response.status_code == 404
    assert response["X-Request-ID"] == "nginx-4f2a9c"
    not_found = [e for e in lines(json_log) if e["logger"] == "django.request"]
    assert not_found
    assert {e["request_id"] for e in not_found} == {"nginx-4f2a9c"}


@pytest.mark.django_db
def test_a_forged_request_id_is_replaced(client, counsellor_a, json_log, with_request_ids):
    client.force_login(counsellor_a)

    response = client.get("/no-such-page/", headers={"X-Request-ID": "x\n{forged} line"})

    own = response["X-Request-ID"]
    assert own != "x\n{forged} line"
    assert len(own) == 32
    assert {e["request_id"] for e in lines(json_log) if e["logger"] == "django.request"} == {own}


@pytest.mark.django_db
def test_each_request_gets_its_own_id(client, counsellor_a, with_request_ids):
    client.force_login(counsellor_a)
    first = client.get("/no-such-page/")["X-Request-ID"]
    second = client.get("/no-such-page/")["X-Request-ID"]
    assert first != second


def run_python(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in {"LOG_FORMAT", "DEBUG"}}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "resource_center.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


LOG_ONE_LINE = (
    "import django, logging; django.setup(); "
    "logging.getLogger('labour.imports').warning('Файл %s прочитан', 'вакансии.json')"
)


def test_log_format_json_from_the_environment():
    result = run_python(LOG_ONE_LINE, LOG_FORMAT="json")

    assert result.returncode == 0, result.stderr
    (entry,) = [json.loads(line) for line in result.stderr.splitlines()]
    assert entry["message"] == "Файл вакансии.json прочитан"
    assert entry["logger"] == "labour.imports"


def test_log_format_defaults_to_text():
    result = run_python(LOG_ONE_LINE)

    assert result.returncode == 0, result.stderr
    assert result.stderr.rstrip().endswith("WARNING labour.imports Файл вакансии.json прочитан")


def test_an_unknown_log_format_fails_loudly():
    result = run_python(LOG_ONE_LINE, LOG_FORMAT="xml")
    assert result.returncode != 0
    assert "LOG_FORMAT must be text or json" in result.stderr
