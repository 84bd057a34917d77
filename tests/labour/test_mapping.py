"""Mapping vacancies to professions by the coordinator's rules, and the default rules."""

from __future__ import annotations

import importlib
import io

import pytest
from django.core.management import call_command
from django.db.migrations import RunPython

from employers.models import Vacancy
from guidance.models import Profession
from labour.mapping_data import GROUPS, PROFESSIONS, RULES, mapping_defaults_install
from labour.models import MappingRule, ProfessionGroup
from labour.services.mapping import vacancies_map
from resource_center import demo_data
from tests import factories as f

# These tests build their own professions, groups and rules.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_mapping_defaults")]

CODE = MappingRule.Kind.CODE
KEYWORD = MappingRule.Kind.KEYWORD


def rule(kind: str, pattern: str, profession: Profession, priority: int = 100) -> MappingRule:
    return MappingRule.objects.create(
        kind=kind, pattern=pattern, profession=profession, priority=priority
    )


@pytest.fixture
def welder():
    return f.ProfessionFactory(title="Сварщик")


@pytest.fixture
def electrician():
    return f.ProfessionFactory(title="Электромонтёр")


def vacancy(title: str, code: str = "", **fields) -> Vacancy:
    return f.VacancyFactory(title=title, okpdtr_code=code, **fields)


def test_keyword_finds_stem_inside_a_compound_title_whatever_the_case(welder):
    rule(KEYWORD, "сварщ", welder)
    compound = vacancy("ЭЛЕКТРОГАЗОСВАРЩИК 5 разряда")
    plain = vacancy("Сварщик")

    result = vacancies_map()

    compound.refresh_from_db()
    plain.refresh_from_db()
    assert compound.profession == welder
    assert plain.profession == welder
    assert result.mapped == 2


def test_keyword_treats_yo_as_ye_both_ways(electrician):
    rule(KEYWORD, "электромонтер", electrician)
    with_yo = vacancy("Электромонтёр по ремонту")
    other = f.ProfessionFactory(title="Монтёр пути")
    rule(KEYWORD, "монтёр пути", other)
    without_yo = vacancy("Монтер пути")

    vacancies_map()

    with_yo.refresh_from_db()
    without_yo.refresh_from_db()
    assert with_yo.profession == electrician
    assert without_yo.profession == other


def test_keyword_may_span_words_across_punctuation(welder):
    rule(KEYWORD, "газо-сварщик ручной", welder)
    matching = vacancy("Газо сварщик, ручной сварки")
    other_order = vacancy("Ручной газосварщик")

    vacancies_map()

    matching.refresh_from_db()
    other_order.refresh_from_db()
    assert matching.profession == welder
    assert other_order.profession is None


def test_code_rule_matches_the_start_of_the_code_only(welder):
    rule(CODE, "197", welder)
    starts = vacancy("Рабочий", code="19756")
    inside = vacancy("Рабочий", code="21975")

    vacancies_map()

    starts.refresh_from_db()
    inside.refresh_from_db()
    assert starts.profession == welder
    assert inside.profession is None


def test_code_rule_wins_over_keyword_of_the_same_priority(welder, electrician):
    rule(KEYWORD, "сварщ", welder, priority=50)
    rule(CODE, "19861", electrician, priority=50)
    both = vacancy("Электросварщик", code="19861")

    vacancies_map()

    both.refresh_from_db()
    assert both.profession == electrician


def test_smaller_priority_wins_even_for_a_keyword_over_a_code(welder, electrician):
    rule(KEYWORD, "сварщ", welder, priority=10)
    rule(CODE, "19861", electrician, priority=50)
    both = vacancy("Электросварщик", code="19861")

    vacancies_map()

    both.refresh_from_db()
    assert both.profession == welder


def test_four_digit_code_is_read_as_okz_when_no_rule_matches(welder):
    welder.okz_code = "7212"
    welder.save()
    shared_a = f.ProfessionFactory(title="Пекарь", okz_code="7512")
    f.ProfessionFactory(title="Кондитер", okz_code="7512")
    by_okz = vacancy("Мастер", code="7212")
    ambiguous = vacancy("Мастер", code="7512")

    vacancies_map()

    by_okz.refresh_from_db()
    ambiguous.refresh_from_db()
    assert by_okz.profession == welder
    assert ambiguous.profession is None
    assert shared_a.vacancies.count() == 0


def test_profession_already_set_is_kept_unless_overwrite(welder, electrician):
    rule(KEYWORD, "сварщ", welder)
    set_before = vacancy("Электросварщик", profession=electrician)
    no_rule = vacancy("Кладовщик", profession=electrician)

    kept = vacancies_map()
    set_before.refresh_from_db()
    assert set_before.profession == electrician
    assert (kept.mapped, kept.unchanged, kept.unmapped) == (0, 2, 0)

    replaced = vacancies_map(overwrite=True)
    set_before.refresh_from_db()
    no_rule.refresh_from_db()
    assert set_before.profession == welder
    assert no_rule.profession == electrician
    assert (replaced.mapped, replaced.unchanged, replaced.unmapped) == (1, 1, 0)


def test_unmapped_vacancies_are_counted_and_left_empty(welder):
    rule(KEYWORD, "сварщ", welder)
    vacancy("Сварщик")
    lost = [vacancy("Менеджер по работе с клиентами"), vacancy("Специалист")]

    result = vacancies_map()

    assert (result.mapped, result.unchanged, result.unmapped) == (1, 0, 2)
    assert Vacancy.objects.filter(pk__in=[v.pk for v in lost], profession=None).count() == 2


def test_only_the_given_vacancies_are_mapped(welder):
    rule(KEYWORD, "сварщ", welder)
    chosen = vacancy("Сварщик")
    other = vacancy("Сварщик")

    vacancies_map(vacancies=Vacancy.objects.filter(pk=chosen.pk))

    other.refresh_from_db()
    assert other.profession is None


def test_dry_run_counts_and_writes_nothing(welder):
    rule(KEYWORD, "сварщ", welder)
    target = vacancy("Сварщик")

    result = vacancies_map(dry_run=True)

    target.refresh_from_db()
    assert result.mapped == 1
    assert target.profession is None


def test_chunks_keep_the_query_count_independent_of_the_vacancies(
    welder, django_assert_num_queries
):
    rule(KEYWORD, "сварщ", welder)
    employer = f.EmployerFactory()
    few = [Vacancy(employer=employer, title="Сварщик") for _ in range(3)]
    Vacancy.objects.bulk_create(few)
    with django_assert_num_queries(8):
        vacancies_map()
    many = [Vacancy(employer=employer, title="Сварщик") for _ in range(120)]
    Vacancy.objects.bulk_create(many)
    with django_assert_num_queries(8):
        result = vacancies_map()
    assert result.mapped == 120
    assert Vacancy.objects.filter(profession=welder).count() == 123


def test_chunked_run_maps_every_vacancy(welder):
    rule(KEYWORD, "сварщ", welder)
    employer = f.EmployerFactory()
    Vacancy.objects.bulk_create([Vacancy(employer=employer, title="Сварщик") for _ in range(25)])

    result = vacancies_map(chunk_size=10)

    assert result.mapped == 25
    assert Vacancy.objects.filter(profession=None).count() == 0


def test_command_dry_run_reports_and_keeps_vacancies(welder):
    rule(KEYWORD, "сварщ", welder)
    target = vacancy("Сварщик")
    out = io.StringIO()

    call_command("map_vacancies", "--dry-run", stdout=out)

    target.refresh_from_db()
    assert target.profession is None
    assert "Пробный запуск" in out.getvalue()
    assert "Сопоставлено: 1." in out.getvalue()


def test_command_overwrite_remaps(welder, electrician):
    rule(KEYWORD, "сварщ", welder)
    target = vacancy("Сварщик", profession=electrician)

    call_command("map_vacancies", "--overwrite", stdout=io.StringIO())

    target.refresh_from_db()
    assert target.profession == welder


# --- the default rules ---------------------------------------------------------------------


def test_defaults_map_every_demo_vacancy_to_its_demo_profession():
    mapping_defaults_install()
    employer = f.EmployerFactory()
    for title in demo_data.VACANCY_PROFESSIONS:
        vacancy(title, employer=employer)

    result = vacancies_map()

    assert result.unmapped == 0
    got = dict(Vacancy.objects.values_list("title", "profession__title"))
    assert got == demo_data.VACANCY_PROFESSIONS


def test_defaults_give_every_demo_profession_a_group():
    mapping_defaults_install()
    titles = [row[0] for row in demo_data.PROFESSIONS_OF_DISTRICT]
    assert Profession.objects.filter(title__in=titles, group__isnull=False).count() == len(titles)


def test_defaults_map_common_real_titles():
    mapping_defaults_install()
    expected = {
        "Продавец-кассир": "Продавец",
        "Водитель автомобиля категории С": "Водитель автомобиля",
        "Уборщик служебных помещений": "Уборщик",
        "Врач-терапевт участковый": "Врач",
        "Учитель математики": "Учитель",
        "Повар-кондитер": "Повар",
        "Инженер-программист": "Программист",
        "Слесарь-ремонтник": "Слесарь-ремонтник",
    }
    employer = f.EmployerFactory()
    for title in expected:
        vacancy(title, employer=employer)

    vacancies_map()

    assert dict(Vacancy.objects.values_list("title", "profession__title")) == expected


def test_defaults_install_is_idempotent_and_leaves_the_coordinators_edits():
    first = mapping_defaults_install()
    assert first["rules"] > 0
    welding_rule = MappingRule.objects.get(kind=KEYWORD, pattern="сварщ")
    cook = Profession.objects.get(title="Повар")
    welding_rule.priority = 5
    welding_rule.profession = cook
    welding_rule.save()
    own_group = ProfessionGroup.objects.create(title="Моя группа")
    cook.group = own_group
    cook.save()
    counts = (ProfessionGroup.objects.count(), Profession.objects.count())

    second = mapping_defaults_install()

    assert second == {"groups": 0, "professions": 0, "grouped": 0, "rules": 0}
    assert (ProfessionGroup.objects.count(), Profession.objects.count()) == counts
    welding_rule.refresh_from_db()
    cook.refresh_from_db()
    assert (welding_rule.priority, welding_rule.profession) == (5, cook)
    assert cook.group == own_group


def test_defaults_install_groups_an_existing_profession_without_a_group():
    existing = f.ProfessionFactory(title="Сварщик", okz_code="7212")

    mapping_defaults_install()

    existing.refresh_from_db()
    assert existing.group.title == "Сварка"
    assert Profession.objects.filter(title="Сварщик").count() == 1


def test_data_migration_installs_the_defaults_once_and_reverses_to_nothing():
    from django.apps import apps

    migration = importlib.import_module("labour.migrations.0003_mapping_defaults")

    migration.install(apps, None)
    counts = (
        ProfessionGroup.objects.count(),
        Profession.objects.count(),
        MappingRule.objects.count(),
    )
    migration.install(apps, None)

    assert counts == (len(GROUPS), len(PROFESSIONS), len(RULES))
    assert (
        ProfessionGroup.objects.count(),
        Profession.objects.count(),
        MappingRule.objects.count(),
    ) == counts
    reverse = migration.Migration.operations[0].reverse_code
    assert reverse is RunPython.noop
