"""Settings come from the environment; production refuses unsafe defaults."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "x9$Kq2!vLr7@pZ4#mW8^nB3&cT6*hJ1(yF5)dS0-gA+eU_oI=wE[xR]tY{uQ}iO|p",
    "ALLOWED_HOSTS": "portal.example.ru",
    "DATABASE_URL": "postgres://portal:secret@db.internal:5432/portal",
    "REDIS_URL": "redis://cache.internal:6379/0",
    "EMAIL_URL": "smtp+tls://portal:secret@mail.example.ru:587",
}


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v for k, v in os.environ.items() if k not in {*PRODUCTION, "DJANGO_SETTINGS_MODULE"}
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_is_clean_with_production_variables():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_portal_refuses_to_start_without_secret_key_when_debug_is_off():
    env = {**PRODUCTION}
    del env["SECRET_KEY"]
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_portal_refuses_the_development_key_when_debug_is_off():
    from resource_center.settings import DEV_SECRET_KEY

    result = manage("check", env={**PRODUCTION, "SECRET_KEY": DEV_SECRET_KEY})
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_malformed_variable_fails_loudly():
    result = manage("check", env={"DEBUG": "perhaps"})
    assert result.returncode != 0


def test_defaults_are_the_embedded_configuration(settings):
    # The suite itself runs on the defaults unless DATABASE_URL is set.
    if "DATABASE_URL" not in os.environ:
        assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
    assert settings.LANGUAGE_CODE == "ru"
    assert settings.TIME_ZONE == "Asia/Yekaterinburg"
    assert settings.USE_TZ is True


EXTERNAL = re.compile(
    r"""(?:src|href|action)\s*=\s*["']?\s*(?:https?:)?//|url\(\s*["']?(?:https?:)?//""", re.I
)


def test_no_page_loads_anything_from_the_internet():
    offenders = []
    for folder in ("templates", "static"):
        for path in (ROOT / folder).rglob("*"):
            if path.is_file() and path.suffix in {".html", ".css", ".js", ".txt"}:
                for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                    if EXTERNAL.search(line):
                        offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []


def test_suite_runs_on_the_database_it_was_given():
    from django.db import connection

    url = os.environ.get("DATABASE_URL", "")
    expected = "postgresql" if url.startswith(("postgres", "pgsql")) else "sqlite"
    assert connection.vendor == expected
