"""Mapping vacancies to professions by the coordinator's rules (labour.MappingRule).

How a vacancy finds its profession:

1. The rules, in order of priority (smaller first), then code rules before keyword rules,
   then by pattern. The first rule that matches wins.
   - A code rule matches when the vacancy's ОКПДТР code starts with the pattern.
   - A keyword rule matches when the folded pattern occurs in the folded title. Folding is
     resource_center.lib.text.fold (lower case, «ё» as «е») with every character that is not
     a letter or digit read as a space and spaces collapsed. The pattern is a *substring*,
     not the start of a word: Russian compounds put the profession at the end of a word
     («Электрогазосварщик», «Автослесарь»), so «сварщ» must find them. A pattern may span
     words («машинного доения»). Precision comes from priorities: give specific patterns a
     smaller priority than general ones.
2. When no rule matches and the vacancy's code has the four digits of an ОКЗ code (ОКПДТР
   codes have five), the profession with that ОКЗ code, when exactly one has it.

A vacancy that already has a profession keeps it unless ``overwrite=True``: the model cannot
tell a profession set by hand from one set by the rules, so every existing one counts as set.
With ``overwrite=True`` the rules decide again where one matches; a vacancy that no rule
matches keeps what it had.

Vacancies are not personal data, so no audit rows are written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _

from employers.models import Vacancy
from guidance.models import Profession
from labour.models import MappingRule
from resource_center.lib.text import fold

CHUNK_SIZE = 1000
_NOT_WORD = re.compile(r"[^\w]+|_+")
_KIND_ORDER = {MappingRule.Kind.CODE: 0, MappingRule.Kind.KEYWORD: 1}


@dataclass(frozen=True)
class MappingResult:
    """What one run did: ``mapped`` got a (new) profession, ``unchanged`` kept theirs,
    ``unmapped`` are left without one."""

    mapped: int = 0
    unchanged: int = 0
    unmapped: int = 0

    @property
    def total(self) -> int:
        return self.mapped + self.unchanged + self.unmapped


def title_folded(value: str) -> str:
    """The title as keyword rules see it: folded, punctuation as single spaces."""
    return " ".join(_NOT_WORD.sub(" ", fold(value)).split())


class Mapper:
    """The rules and the ОКЗ codes, loaded once (two queries), applied to many vacancies."""

    def __init__(self, rules: Iterable[MappingRule], okz: dict[str, int]) -> None:
        ordered = sorted(rules, key=lambda r: (r.priority, _KIND_ORDER.get(r.kind, 9), r.pattern))
        self.rules: list[tuple[str, str, int]] = []
        for rule in ordered:
            if rule.kind == MappingRule.Kind.CODE:
                pattern = "".join(rule.pattern.split())
            else:
                pattern = title_folded(rule.pattern)
            if pattern:
                self.rules.append((rule.kind, pattern, rule.profession_id))
        self.okz = okz

    @classmethod
    def load(cls) -> Mapper:
        rules = MappingRule.objects.only("kind", "pattern", "priority", "profession_id")
        # ОКЗ codes held by exactly one profession; an ambiguous code maps nothing.
        unique = (
            Profession.objects.exclude(okz_code="")
            .values("okz_code")
            .annotate(n=Count("id"))
            .filter(n=1)
            .values("okz_code")
        )
        okz = dict(Profession.objects.filter(okz_code__in=unique).values_list("okz_code", "id"))
        return cls(list(rules), okz)

    def profession_id_for(self, *, title: str, code: str) -> int | None:
        """The profession the first matching rule names, else the one of an ОКЗ code."""
        code = "".join((code or "").split())
        folded = title_folded(title or "")
        for kind, pattern, profession_id in self.rules:
            if kind == MappingRule.Kind.CODE:
                if code and code.startswith(pattern):
                    return profession_id
            elif pattern in folded:
                return profession_id
        if len(code) == 4 and code.isdigit():
            return self.okz.get(code)
        return None


def vacancies_map(
    *,
    vacancies: QuerySet[Vacancy] | None = None,
    overwrite: bool = False,
    dry_run: bool = False,
    chunk_size: int = CHUNK_SIZE,
) -> MappingResult:
    """Give the vacancies (all of them by default) a profession by the rules.

    Rules are loaded once; vacancies are read by primary key in chunks of ``chunk_size``
    and written with one bulk_update per chunk. ``dry_run`` counts without writing.
    """
    mapper = Mapper.load()
    scope = Vacancy.objects.all() if vacancies is None else vacancies
    unchanged = 0
    if not overwrite:
        unchanged = scope.filter(profession__isnull=False).count()
        scope = scope.filter(profession__isnull=True)
    mapped = unmapped = 0
    last_pk = 0
    while True:
        chunk = list(
            scope.filter(pk__gt=last_pk)
            .order_by("pk")
            .only("pk", "title", "okpdtr_code", "profession_id")[:chunk_size]
        )
        if not chunk:
            break
        last_pk = chunk[-1].pk
        changed = []
        for vacancy in chunk:
            profession_id = mapper.profession_id_for(title=vacancy.title, code=vacancy.okpdtr_code)
            if profession_id is None:
                if vacancy.profession_id is None:
                    unmapped += 1
                else:
                    unchanged += 1
            elif profession_id == vacancy.profession_id:
                unchanged += 1
            else:
                vacancy.profession_id = profession_id
                changed.append(vacancy)
        mapped += len(changed)
        if changed and not dry_run:
            with transaction.atomic():
                Vacancy.objects.bulk_update(changed, ["profession"])
    return MappingResult(mapped=mapped, unchanged=unchanged, unmapped=unmapped)


# --- the coordinator's mapping by hand --------------------------------------------------

# A word the coordinator picks for a vacancy no rule found is tried with the specific
# default words (labour.mapping_data), before the general ones and the catch-all.
COORDINATOR_RULE_PRIORITY = 20


@dataclass(frozen=True)
class HandMapping:
    """What the coordinator's mapping did: the vacancy's profession, the rule made (if any)
    and how many other unmapped vacancies of the district that rule then mapped."""

    vacancy: Vacancy
    rule: MappingRule | None = None
    also_mapped: int = 0


@transaction.atomic
def vacancy_profession_set(
    *, vacancy: Vacancy, profession: Profession, keyword: str = ""
) -> HandMapping:
    """Give the vacancy the profession; with a keyword, also add a keyword rule of that word
    for the profession (or reuse the same one) and map the district's vacancies still
    without a profession by the rules.

    The word is stored folded, as keyword rules read it. A keyword rule of the same word
    that names another profession is a ValidationError, and then nothing is changed.
    """
    pattern = title_folded(keyword)
    rule = None
    if pattern:
        rule, _created = MappingRule.objects.get_or_create(
            kind=MappingRule.Kind.KEYWORD,
            pattern=pattern,
            defaults={"profession": profession, "priority": COORDINATOR_RULE_PRIORITY},
        )
        if rule.profession_id != profession.pk:
            raise ValidationError(
                _("Правило по слову «%(word)s» уже есть и ведёт к профессии «%(other)s».")
                % {"word": pattern, "other": rule.profession}
            )
    Vacancy.objects.filter(pk=vacancy.pk).update(profession=profession)
    vacancy.profession = profession
    if rule is None:
        return HandMapping(vacancy=vacancy)
    district = Vacancy.objects.filter(pk=vacancy.pk).values("employer__district_id")
    result = vacancies_map(
        vacancies=Vacancy.objects.filter(
            employer__district_id__in=district, profession__isnull=True
        )
    )
    return HandMapping(vacancy=vacancy, rule=rule, also_mapped=result.mapped)
