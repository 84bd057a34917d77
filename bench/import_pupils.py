"""Benchmark of the pupil-list import against PostgreSQL's COPY of the same rows.

Run from the project root:

    python bench/import_pupils.py                 # a throwaway database on 127.0.0.1
    DATABASE_URL=postgres://user@host:5432/postgres python bench/import_pupils.py

DATABASE_URL names the PostgreSQL server (default postgres://postgres@127.0.0.1:5432/postgres);
a fresh database is created on it, migrated, used and dropped. With ``--existing`` the
database of DATABASE_URL is used as it is (it must be migrated; the rows stay).

For each size a made-up list is written as Windows-1251 CSV with ';' (as Excel writes
it in Russia) and imported through the same functions the import pages call:
pupil_import_preview (read and validate the file, keep the checked rows) and
pupil_import_commit (read the checked rows back, write them in chunks in one transaction
with their audit rows). The same rows are then loaded with PostgreSQL's COPY twice:

- ``TABLE COPY``: shaped beforehand into the pupils table's own columns and copied into
  that table (for a second made-up school), sorted by its unique key, with the indexes and
  constraints every stored pupil needs. This is the yardstick: the least the database
  itself needs to store these pupils.
- ``RAW COPY``: the file's bytes as they are into a temporary table of text columns without
  an index (no WAL, nothing checked). Printed for comparison: even TABLE COPY reaches only
  about 1/15-1/25 of it on this kind of machine, since most of storing a pupil is the
  upkeep of the table's indexes.

Each run of a size is its own process, so that its peak RSS is its own. The last line is
``RATIO import_vs_table_copy <table_copy_time/import_time>`` for the largest size; with
``--repeat N`` each size runs N times and the ratios are medians of the runs (a shared
machine's timings vary by a third from run to run).

``--naive N`` also saves the first N rows of each size the naive way, one ModelForm per
row (parse, full_clean with its uniqueness query, save) in one transaction, and prints that
speed as a share of both COPYs.
"""

from __future__ import annotations

import argparse
import datetime
import io
import random
import re
import resource
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

import harness

SIZES = (10_000, 100_000)
CSV_HEADER = "Фамилия;Имя;Отчество;Дата рождения;Класс;Пол;Телефон;E-mail"

# Syllables of made-up surnames (20 × 25 × 5 × 10 first names × 5 fathers × 2 sexes).
_ROOTS = "Бел Вол Гор Дор Жук Зай Каз Лоб Мор Нос Орл Пав Рыж Сок Тар Ус Фом Хом Цвет Чер".split()  # noqa: SIM905
_MIDDLES = "ан ен ик ун ер ал ош ям ин ец уш ад ир от ул ем ух ил ак ор ус ет ын ав ок".split()  # noqa: SIM905
_ENDINGS = (("ов", "ова"), ("ин", "ина"), ("ский", "ская"), ("ев", "ева"), ("цев", "цева"))
_MALE = "Иван Пётр Алексей Дмитрий Сергей Андрей Михаил Никита Артём Егор".split()  # noqa: SIM905
_FEMALE = "Анна Мария Елена Ольга Дарья Софья Полина Алиса Виктория Ксения".split()  # noqa: SIM905
_FATHERS = "Иван Петр Сергей Андрей Алексей".split()  # noqa: SIM905 (-ович / -овна)


def made_up_pupils_csv(count: int, *, academic_year: int, seed: int = 1) -> bytes:
    """A list of made-up pupils as Excel saves it: Windows-1251, ';', CRLF."""
    rnd = random.Random(seed)  # noqa: S311 (made-up data, reproducible by the seed)
    combos = len(_ROOTS) * len(_MIDDLES) * len(_ENDINGS) * 10 * len(_FATHERS) * 2
    if count > combos:
        raise ValueError(f"at most {combos} distinct made-up pupils")
    step = 7919  # a prime not dividing `combos`: i -> i*step % combos is a permutation
    out = io.BytesIO()
    out.write((CSV_HEADER + "\r\n").encode("cp1251"))
    for i in range(count):
        n = i * step % combos
        n, male = divmod(n, 2)
        n, father = divmod(n, len(_FATHERS))
        n, first = divmod(n, 10)
        n, ending = divmod(n, len(_ENDINGS))
        n, middle = divmod(n, len(_MIDDLES))
        root = n % len(_ROOTS)
        last = _ROOTS[root] + _MIDDLES[middle] + _ENDINGS[ending][0 if male else 1]
        first_name = (_MALE if male else _FEMALE)[first]
        patronymic = _FATHERS[father] + ("ович" if male else "овна")
        grade = rnd.randint(1, 11)
        born = datetime.date(academic_year - grade - 7, 1, 1) + datetime.timedelta(
            days=rnd.randrange(365)
        )
        letter = "АБВГ"[rnd.randrange(4)]
        line = (
            f"{last};{first_name};{patronymic};{born:%d.%m.%Y};{grade}{letter};"
            f"{'м' if male else 'ж'};+7 900 {i % 1000:03d}-{i % 97:02d}-{i % 89:02d};\r\n"
        )
        out.write(line.encode("cp1251"))
    return out.getvalue()


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


# --- one size, in its own process ------------------------------------------------------


def run_size(size: int, *, reimport: bool, naive: int) -> None:
    harness.django_setup()

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.files.base import ContentFile
    from django.db import connection

    from resource_center.models import District, Organisation
    from students.models import Student, current_academic_year
    from students.services.imports import pupil_import_commit, pupil_import_preview

    tag = uuid.uuid4().hex[:8]
    district, _ = District.objects.get_or_create(name="Бенчмарк", region="Пермский край")
    school = Organisation.objects.create(
        district=district,
        kind=Organisation.Kind.SCHOOL,
        full_name=f"МБОУ «Бенчмарк {tag}»",
        short_name=f"Бенчмарк {tag}",
    )
    user = get_user_model().objects.create(username=f"bench-{tag}")
    data = made_up_pupils_csv(size, academic_year=current_academic_year())
    if len(data) > settings.PUPIL_IMPORT_MAX_BYTES:
        print(
            f"note: the {len(data)}-byte file is above PUPIL_IMPORT_MAX_BYTES; raised for the run"
        )
        settings.PUPIL_IMPORT_MAX_BYTES = len(data)
    rss_before = peak_rss_mb()

    def import_once() -> tuple[float, float, object]:
        started = time.perf_counter()
        pupil_import = pupil_import_preview(
            file=ContentFile(data, name="список.csv"), school=school, by=user
        )
        previewed = time.perf_counter()
        counts = pupil_import_commit(pupil_import=pupil_import, by=user)
        return previewed - started, time.perf_counter() - previewed, counts

    preview_s, commit_s, counts = import_once()
    import_s = preview_s + commit_s
    stored = Student.objects.filter(organisation=school).count()
    assert stored == size, (stored, size)  # noqa: S101
    rss_after = peak_rss_mb()

    with connection.cursor() as cursor:
        cursor.execute("SET datestyle TO 'ISO, DMY'")
        cursor.execute(
            "CREATE TEMPORARY TABLE bench_copy (last_name text, first_name text, patronymic "
            "text, birth_date date, class text, sex text, phone text, email text)"
        )
        started = time.perf_counter()
        cursor.cursor.copy_expert(
            "COPY bench_copy FROM STDIN WITH (FORMAT csv, DELIMITER ';', HEADER true, "
            "ENCODING 'WIN1251')",
            io.BytesIO(data),
        )
        copy_s = time.perf_counter() - started
        table_copy_s = copy_into_pupils_table(cursor, data, district=district, tag=tag)
        cursor.execute("SELECT count(*) FROM bench_copy")
        assert cursor.fetchone()[0] == size  # noqa: S101
        cursor.execute("DROP TABLE bench_copy")

    print(
        f"SIZE {size} rows ({len(data) / 1e6:.1f} MB cp1251 CSV): import {import_s:.2f} s "
        f"(preview {preview_s:.2f} s + commit {commit_s:.2f} s, created {counts.created}), "
        f"TABLE COPY {table_copy_s:.3f} s (table copy/import {table_copy_s / import_s:.4f}), "
        f"RAW COPY {copy_s:.3f} s (raw copy/import {copy_s / import_s:.4f})"
    )
    print(
        f"MEMORY {size} rows: peak RSS {rss_after:.0f} MB "
        f"(before the import {rss_before:.0f} MB, growth {rss_after - rss_before:.0f} MB)"
    )
    if reimport:
        preview_s, commit_s, counts = import_once()
        stored = Student.objects.filter(organisation=school).count()
        print(
            f"REIMPORT {size} rows: {preview_s + commit_s:.2f} s (updated {counts.updated}, "
            f"created {counts.created}, pupils stored {stored})"
        )
    if naive:
        naive_s = naive_import(data, rows=min(naive, size), district=district, tag=tag)
        per_row = naive_s / min(naive, size)
        print(
            f"NAIVE {min(naive, size)} rows one ModelForm each: {naive_s:.2f} s, "
            f"table copy/naive 1/{per_row * size / table_copy_s:.0f}, "
            f"raw copy/naive 1/{per_row * size / copy_s:.0f}"
        )
    print(f"RESULT {size} {import_s:.6f} {table_copy_s:.6f} {copy_s:.6f}")


def copy_into_pupils_table(cursor: object, data: bytes, *, district: object, tag: str) -> float:
    """Seconds for COPY of the same rows into the pupils table itself (a new school's), in
    the table's own columns: what the database alone needs to store these pupils, with the
    indexes and constraints the import also pays for. The rows are shaped beforehand."""
    import csv

    from django.db import connection
    from django.utils import timezone

    from resource_center.lib.text import fold
    from resource_center.models import Organisation
    from students.models import Student, current_academic_year

    school = Organisation.objects.create(
        district=district,
        kind=Organisation.Kind.SCHOOL,
        full_name=f"МБОУ «Бенчмарк {tag}-c»",
        short_name=f"Бенчмарк {tag}-c",
    )
    fields = [f for f in Student._meta.concrete_fields if not f.primary_key]
    now, year = timezone.now(), current_academic_year()

    def text(value: object) -> str:
        if value is None:
            return "\\N"
        if isinstance(value, bool):
            return "t" if value else "f"
        out = str(value)
        for char, escaped in (("\\", "\\\\"), ("\t", "\\t"), ("\n", "\\n"), ("\r", "\\r")):
            out = out.replace(char, escaped)
        return out

    lines = csv.reader(io.StringIO(data.decode("cp1251")), delimiter=";")
    next(lines)
    # In the order of the table's unique key, as the import also writes them: COPY's best case.
    rows = sorted((row[:6] for row in lines), key=lambda row: (row[0], row[1], row[2], row[3]))
    shaped = io.StringIO()
    for last, first, patronymic, born, klass, sex in rows:
        pupil = Student(
            organisation=school,
            academic_year=year,
            last_name=last,
            first_name=first,
            patronymic=patronymic,
            last_name_folded=fold(last),
            birth_date=datetime.datetime.strptime(born, "%d.%m.%Y").date(),  # noqa: DTZ007
            grade=int(klass[:-1]),
            class_letter=klass[-1],
            sex={"м": "m", "ж": "f"}[sex],
            created_at=now,
            updated_at=now,
        )
        values = (f.get_db_prep_save(getattr(pupil, f.attname), connection) for f in fields)
        shaped.write("\t".join(map(text, values)) + "\n")
    payload = io.BytesIO(shaped.getvalue().encode())
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    started = time.perf_counter()
    cursor.cursor.copy_expert(f"COPY {Student._meta.db_table} ({columns}) FROM STDIN", payload)
    return time.perf_counter() - started


def naive_import(data: bytes, *, rows: int, district: object, tag: str) -> float:
    """Seconds to save ``rows`` rows of the list into a new school one ModelForm at a time."""
    import csv

    from django import forms
    from django.db import transaction

    from resource_center.models import Organisation
    from students.models import Student, current_academic_year

    class NaiveForm(forms.ModelForm):
        birth_date = forms.DateField(input_formats=["%d.%m.%Y"])

        class Meta:
            model = Student
            fields = [
                "organisation",
                "academic_year",
                "last_name",
                "first_name",
                "patronymic",
                "birth_date",
                "grade",
                "class_letter",
                "sex",
            ]

    school = Organisation.objects.create(
        district=district,
        kind=Organisation.Kind.SCHOOL,
        full_name=f"МБОУ «Бенчмарк {tag}-n»",
        short_name=f"Бенчмарк {tag}-n",
    )
    year = current_academic_year()
    lines = csv.reader(io.StringIO(data.decode("cp1251")), delimiter=";")
    next(lines)
    started = time.perf_counter()
    with transaction.atomic():
        for _, line in zip(range(rows), lines, strict=False):
            last, first, patronymic, born, klass, sex = line[:6]
            form = NaiveForm(
                {
                    "organisation": school.pk,
                    "academic_year": year,
                    "last_name": last,
                    "first_name": first,
                    "patronymic": patronymic,
                    "birth_date": born,
                    "grade": klass[:-1],
                    "class_letter": klass[-1],
                    "sex": {"м": "m", "ж": "f"}[sex],
                }
            )
            if not form.is_valid():
                raise AssertionError(form.errors)
            form.save()
    return time.perf_counter() - started


# --- the driver: a throwaway database, one process per size -----------------------------


def main() -> int:
    parser = harness.argument_parser(
        __doc__, repeat=1, repeat_help="runs per size (median ratio)", database_option=False
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--reimport", action="store_true", help="also time a second import")
    parser.add_argument(
        "--naive", type=int, default=0, metavar="N", help="also time N rows one ModelForm each"
    )
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        run_size(args.child, reimport=args.reimport, naive=args.naive)
        return 0

    results: dict[int, list[tuple[float, float, float]]] = {}
    with harness.benchmark_database(
        needs="it compares with PostgreSQL's COPY", existing=args.existing
    ) as bench_url:
        env = harness.benchmark_env(bench_url)
        for size in args.sizes:
            command = [sys.executable, str(Path(__file__).resolve()), "--child", str(size)]
            if args.reimport:
                command.append("--reimport")
            if args.naive:
                command += ["--naive", str(args.naive)]
            for _ in range(max(1, args.repeat)):
                done = subprocess.run(  # noqa: S603
                    command, cwd=harness.ROOT, env=env, capture_output=True, text=True, check=False
                )
                if done.returncode:
                    print(done.stdout + done.stderr, file=sys.stderr)
                    print(f"The run with {size} rows failed.", file=sys.stderr)
                    return 1
                for line in done.stdout.splitlines():
                    match = re.fullmatch(r"RESULT (\d+) (\S+) (\S+) (\S+)", line)
                    if match:
                        results.setdefault(int(match[1]), []).append(
                            (float(match[2]), float(match[3]), float(match[4]))
                        )
                    else:
                        print(line, flush=True)
    largest = max(results)
    runs = results[largest]
    if len(runs) > 1:
        imports = ", ".join(f"{import_s:.2f}" for import_s, *_ in runs)
        print(f"RUNS {largest}: import {imports} s; median ratios of {len(runs)} runs")
    raw = statistics.median(raw / i for i, _table, raw in runs)
    print(f"RAW COPY {largest}: raw copy/import {raw:.4f}")
    table = statistics.median(table / i for i, table, _raw in runs)
    harness.print_ratio("import_vs_table_copy", table, digits=4)
    return 0


if __name__ == "__main__":
    sys.exit(main())
