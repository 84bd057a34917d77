"""`manage.py import_trudvsem`, the API's pagination (with a fake opener) and the task."""

from __future__ import annotations

import io
import json
import urllib.error
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from employers.models import Vacancy
from labour.importers.trudvsem import TrudvsemNetworkError, fetch_trudvsem, region_url
from labour.management.commands.import_trudvsem import Command
from labour.models import VacancyImport
from tests import factories as f

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parent.parent / "data" / "trudvsem"


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("import_trudvsem", *args, stdout=out)
    return out.getvalue()


def page(ids: list[str], total: int | str, status: object = "200") -> bytes:
    vacancies = [
        {
            "vacancy": {
                "id": vid,
                "job-name": f"Профессия {vid}",
                "region": {"region_code": "5900000000000"},
                "company": {"name": "ООО «Страница»"},
                "creation-date": "2026-09-01",
                "salary_min": "25000",
            }
        }
        for vid in ids
    ]
    payload = {"status": status, "meta": {"total": total, "limit": 2}, "results": {}}
    if vacancies:
        payload["results"]["vacancies"] = vacancies
    return json.dumps(payload, ensure_ascii=False).encode()


class FakeOpener:
    """Answers page requests from a dict {offset: bytes or an HTTP status}; records the URLs."""

    def __init__(self, pages: dict[int, bytes | int]) -> None:
        self.pages = pages
        self.urls: list[str] = []

    def __call__(self, url: str, timeout: float) -> bytes:
        self.urls.append(url)
        offset = int(url.split("offset=")[1].split("&")[0])
        answer = self.pages.get(offset, 500)
        if isinstance(answer, int):
            raise urllib.error.HTTPError(url, answer, "error", {}, None)
        return answer


@pytest.fixture
def district():
    return f.DistrictFactory()


def test_command_imports_a_file_into_the_only_district(district):
    out = run("--file", str(DATA / "api_v1.json"))

    assert "Добавлено: 3" in out
    assert Vacancy.objects.filter(employer__district=district).count() == 3


def test_command_twice_leaves_the_same_vacancies(district):
    run("--file", str(DATA / "api_v1.json"))
    out = run("--file", str(DATA / "api_v1.json"))

    assert "Добавлено: 0" in out
    assert "Без изменений: 3" in out
    assert Vacancy.objects.count() == 3


def test_command_dry_run_saves_nothing(district):
    out = run("--file", str(DATA / "api_v1.json"), "--dry-run")

    assert "Пробный запуск" in out
    assert "Добавлено: 3" in out
    assert not Vacancy.objects.exists()
    assert not VacancyImport.objects.exists()


def test_command_refuses_a_bad_file_with_a_russian_message(district):
    run("--file", str(DATA / "api_v1.json"))

    with pytest.raises(CommandError, match="обрезан"):
        run("--file", str(DATA / "truncated.json"))

    assert Vacancy.objects.filter(status=Vacancy.Status.PUBLISHED).count() == 3


def test_command_no_close_keeps_gone_vacancies_open(district, tmp_path):
    run("--file", str(DATA / "api_v1.json"))
    smaller = tmp_path / "one.json"
    payload = json.loads((DATA / "api_v1.json").read_text())
    payload["results"]["vacancies"] = payload["results"]["vacancies"][:1]
    smaller.write_text(json.dumps(payload, ensure_ascii=False))

    assert "Закрыто: 0" in run("--file", str(smaller), "--no-close")
    assert "Закрыто: 2" in run("--file", str(smaller))


def test_command_needs_district_when_there_are_several(world):
    with pytest.raises(CommandError, match="--district"):
        run("--file", str(DATA / "api_v1.json"))

    run("--file", str(DATA / "api_v1.json"), "--district", world.district.name)
    assert Vacancy.objects.filter(employer__district=world.district).count() == 3


def test_command_unknown_district_and_bad_region_are_refused(district):
    with pytest.raises(CommandError, match="Района «Нет такого» нет"):
        run("--file", str(DATA / "api_v1.json"), "--district", "Нет такого")
    with pytest.raises(CommandError, match="13 цифр"):
        run("--region", "59")


def test_command_reads_the_regions_api_through_the_opener(district, monkeypatch):
    opener = FakeOpener({0: page(["a", "b", "c"], total=3)})
    monkeypatch.setattr(Command, "opener", staticmethod(opener))

    out = run()

    assert "Добавлено: 3" in out
    # 3 vacancies fit the first page of 100: no second request.
    assert opener.urls == [region_url("5900000000000") + "?offset=0&limit=100"]
    assert VacancyImport.objects.get().origin == region_url("5900000000000")


def test_pagination_reads_pages_while_offset_times_limit_is_below_total():
    opener = FakeOpener(
        {0: page(["a", "b"], total="5"), 1: page(["c", "d"], total="5"), 2: page(["e"], 5)}
    )

    records = list(fetch_trudvsem("https://example.test/api", opener=opener, limit=2))

    assert [r.external_id for r in records] == ["a", "b", "c", "d", "e"]
    assert opener.urls == [
        "https://example.test/api?offset=0&limit=2",
        "https://example.test/api?offset=1&limit=2",
        "https://example.test/api?offset=2&limit=2",
    ]


def test_pagination_takes_http_500_on_a_late_page_as_the_end_but_incomplete():
    opener = FakeOpener({0: page(["a", "b"], total=10)})

    reader = fetch_trudvsem("https://example.test/api", opener=opener, limit=2)
    records = list(reader)

    assert [r.external_id for r in records] == ["a", "b"]
    assert reader.complete is False
    assert "500" in reader.notes[0]


def test_pagination_stops_at_the_hundredth_page(monkeypatch):
    monkeypatch.setattr("labour.importers.trudvsem.fetch.MAX_PAGES", 2)
    opener = FakeOpener({0: page(["a"], total=50), 1: page(["b"], total=50), 2: page(["c"], 50)})

    reader = fetch_trudvsem("https://example.test/api", opener=opener, limit=1)

    assert [r.external_id for r in reader] == ["a", "b"]
    assert reader.complete is False


def test_pagination_stops_on_an_empty_page():
    opener = FakeOpener({0: page(["a"], total=100), 1: page([], total=100)})

    reader = fetch_trudvsem("https://example.test/api", opener=opener, limit=1)

    assert [r.external_id for r in reader] == ["a"]
    assert len(opener.urls) == 2


def test_http_500_on_the_first_page_is_a_network_error():
    reader = fetch_trudvsem("https://example.test/api", opener=FakeOpener({}))

    with pytest.raises(TrudvsemNetworkError):
        list(reader)


def test_partial_api_import_closes_nothing(district, monkeypatch):
    run("--file", str(DATA / "api_v1.json"))
    monkeypatch.setattr(Command, "opener", staticmethod(FakeOpener({0: page(["z"], total=400)})))

    out = run()

    assert "Закрыто: 0" in out
    assert Vacancy.objects.filter(status=Vacancy.Status.PUBLISHED).count() == 4


def test_network_failure_mid_way_changes_nothing(district, monkeypatch):
    def opener(url: str, timeout: float) -> bytes:
        if "offset=0" in url:
            return page(["a", "b"], total=300)
        raise urllib.error.URLError("connection reset")

    monkeypatch.setattr(Command, "opener", staticmethod(opener))

    with pytest.raises(CommandError, match="ничего не изменено"):
        run()

    assert not Vacancy.objects.exists()
    failed = VacancyImport.objects.get()
    assert failed.status == VacancyImport.Status.FAILED
    assert "недоступен" in failed.errors


def test_task_imports_through_the_same_service(district, monkeypatch):
    from labour import tasks

    opener = FakeOpener({0: page(["a", "b"], total=2)})
    monkeypatch.setattr(tasks, "fetch_trudvsem", lambda url: fetch_trudvsem(url, opener=opener))

    result = tasks.import_trudvsem_task.apply(kwargs={"district_id": district.pk}).get()

    assert result["created"] == 2
    assert Vacancy.objects.filter(employer__district=district).count() == 2
    assert tasks.import_trudvsem_task.acks_late is True
    assert TrudvsemNetworkError in tasks.import_trudvsem_task.autoretry_for
