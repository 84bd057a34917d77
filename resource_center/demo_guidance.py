"""The career-guidance part of the demo district, seeded by resource_center.demo (events
are in demo_events).

Professions with their interest types and programmes, the programmes' and vacancies'
tags, and questionnaire results entered from paper forms: a few through the service (the
pupil login's among them), then many more of this academic year and the earlier ones,
written in bulk to the same tables the service writes. Tags are set only where none are
set yet (after that they are the coordinator's to edit); results are added only for a
pupil's record and questionnaire without one. So a re-run adds nothing twice.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Sequence
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Prefetch
from django.utils import timezone

from employers.models import Vacancy
from guidance.models import (
    Answer,
    Attempt,
    AttemptScore,
    Option,
    Profession,
    Question,
    Questionnaire,
    Scale,
)
from guidance.questionnaire_data import KLIMOV, RIASEC, install_questionnaires
from guidance.services.questionnaires import attempt_record, questionnaire_score
from resource_center import demo_data
from resource_center import demo_guidance_data as data
from resource_center.demo_people_data import HISTORY_YEARS
from resource_center.models import District, Organisation
from schools.models import Programme
from students.models import Student


def demo_guidance_seed(
    *,
    district: District,
    orgs: dict[str, Organisation],
    programmes: dict[str, Programme],
    users: dict[str, AbstractBaseUser],
    family: Sequence[int],
    year: int,
) -> None:
    """Add the missing guidance data of the demo district (see the module docstring)."""
    questionnaires = install_questionnaires()
    scales = {s.code: s for s in Scale.objects.filter(questionnaire__in=questionnaires.values())}
    professions = _professions_save(scales=scales, programmes=programmes)
    _programme_types_save(scales=scales, programmes=programmes)
    _vacancy_professions_save(district=district, professions=professions)
    # The schools with a demo counsellor, by key: they enter their pupils' paper forms; the
    # coordinator enters the other schools'.
    counsellors = {
        org_key: (orgs[org_key], users[username])
        for username, _first, _last, org_key, role, _position in demo_data.DEMO_STAFF
        if role == "counsellor"
    }
    _results_save(questionnaires=questionnaires, counsellors=counsellors, family=family, year=year)
    entered_by = {org.pk: users["coordinator"] for key, org in orgs.items()}
    entered_by |= {org.pk: user for org, user in counsellors.values()}
    schools = [orgs[spec["key"]] for spec in demo_data.SCHOOLS]
    for back in range(HISTORY_YEARS, -1, -1):
        _results_bulk_save(
            questionnaires=questionnaires,
            schools=schools,
            entered_by=entered_by,
            year=year - back,
            current=back == 0,
        )


def demo_guidance_counts(*, district: District) -> dict[str, int]:
    """Row counts of the district's guidance demo data (professions are shared by all)."""
    return {
        "professions": Profession.objects.filter(title__in=_profession_titles()).count(),
        "attempts": Attempt.objects.filter(student__organisation__district=district).count(),
    }


def _types(scales: dict[str, Scale], codes: str) -> list[Scale]:
    return [scales[code] for code in codes.split()]


# --- professions and tags -----------------------------------------------------------------


def _professions_save(
    *, scales: dict[str, Scale], programmes: dict[str, Programme]
) -> dict[str, Profession]:
    """Create the missing professions with their types and programmes. An existing one (the
    default professions are installed by a migration) gets the types, programmes and ОКЗ code
    it has none of; what is set already is left alone."""
    existing = Profession.objects.filter(title__in=_profession_titles()).prefetch_related(
        "interest_types", "programmes"
    )
    saved = {p.title: p for p in existing}
    for title, okz_code, codes, okso_codes in demo_data.PROFESSIONS_OF_DISTRICT:
        if title in saved:
            _profession_complete(
                saved[title],
                scales=scales,
                programmes=programmes,
                okz_code=okz_code,
                codes=codes,
                okso_codes=okso_codes,
            )
            continue
        profession = Profession(title=title, okz_code=okz_code)
        profession.full_clean()
        profession.save()
        profession.interest_types.set(_types(scales, codes))
        profession.programmes.set([programmes[code] for code in okso_codes])
        saved[title] = profession
    return saved


def _profession_complete(
    profession: Profession,
    *,
    scales: dict[str, Scale],
    programmes: dict[str, Programme],
    okz_code: str,
    codes: str,
    okso_codes: tuple[str, ...],
) -> None:
    if not profession.okz_code and okz_code:
        profession.okz_code = okz_code
        profession.full_clean()
        profession.save(update_fields=["okz_code"])
    if not profession.interest_types.all():
        profession.interest_types.set(_types(scales, codes))
    if not profession.programmes.all():
        profession.programmes.set([programmes[code] for code in okso_codes])


def _profession_titles() -> list[str]:
    return [row[0] for row in demo_data.PROFESSIONS_OF_DISTRICT]


def _programme_types_save(*, scales: dict[str, Scale], programmes: dict[str, Programme]) -> None:
    untagged = Programme.objects.filter(
        pk__in=[p.pk for p in programmes.values()], interest_types__isnull=True
    )
    for programme in untagged:
        programme.interest_types.set(_types(scales, data.PROGRAMME_TYPES[programme.okso_code]))


def _vacancy_professions_save(*, district: District, professions: dict[str, Profession]) -> None:
    untagged = Vacancy.objects.filter(
        employer__district=district,
        profession__isnull=True,
        title__in=list(demo_data.VACANCY_PROFESSIONS),
    )
    changed = []
    for vacancy in untagged:
        vacancy.profession = professions[demo_data.VACANCY_PROFESSIONS[vacancy.title]]
        changed.append(vacancy)
    Vacancy.objects.bulk_update(changed, ["profession"])


# --- questionnaire results ----------------------------------------------------------------


def _results_save(
    *,
    questionnaires: dict[str, Questionnaire],
    counsellors: dict[str, tuple[Organisation, AbstractBaseUser]],
    family: Sequence[int],
    year: int,
) -> None:
    """Paper forms of the pupil login and a few pupils with consent, each leaning to a type."""
    pupils = list(Student.objects.filter(pk=family[0]).with_consent())
    pupils += list(
        Student.objects.filter(
            organisation__in=[org for org, _user in counsellors.values()],
            academic_year=year,
            grade__gte=8,
        )
        .with_consent()
        .exclude(pk__in=family)
        .order_by("last_name", "first_name", "pk")[: data.DEMO_RESULTS]
    )
    done = set(
        Attempt.objects.filter(student__in=pupils).values_list("student_id", "questionnaire_id")
    )
    options = Prefetch("options", queryset=Option.objects.select_related("scale"))
    forms = {
        code: list(Question.objects.filter(questionnaire=q).prefetch_related(options))
        for code, q in questionnaires.items()
    }
    counsellor_of = {org.pk: user for org, user in counsellors.values()}
    for i, pupil in enumerate(pupils):
        klimov_type, riasec_types = data.LEANINGS[i % len(data.LEANINGS)]
        seed = f"nytva-demo-answers-{pupil.last_name}-{pupil.first_name}-{pupil.birth_date}"
        rng = random.Random(seed)  # noqa: S311 (seeded on purpose: repeatable)
        answers = {
            KLIMOV: [_klimov_answer(q, klimov_type, rng).pk for q in forms[KLIMOV]],
            RIASEC: [_riasec_answer(q, riasec_types, rng).pk for q in forms[RIASEC]],
        }
        for code, option_ids in answers.items():
            questionnaire = questionnaires[code]
            if (pupil.pk, questionnaire.pk) in done:
                continue
            attempt_record(
                questionnaire=questionnaire,
                student=pupil,
                option_ids=option_ids,
                source=Attempt.Source.PAPER,
                by=counsellor_of[pupil.organisation_id],
                completed_at=timezone.now() - datetime.timedelta(days=3 + i),
            )


def _klimov_answer(
    question: Question, leaning: str, rng: random.Random, consistency: float = 1.0
) -> Option:
    """The option of the pupil's type when the pair offers it (`consistency` of the time),
    otherwise either one."""
    options: list[Any] = list(question.options.all())
    liked = [o for o in options if o.scale and o.scale.code == leaning]
    if liked and (consistency >= 1 or rng.random() < consistency):
        return liked[0]
    return rng.choice(options)


def _riasec_answer(
    question: Question, leanings: str, rng: random.Random, consistency: float = 1.0
) -> Option:
    """«Да» to the pupil's types (`consistency` of the time); otherwise «нет» more often
    than «не знаю» or «да»."""
    options = sorted(question.options.all(), key=lambda o: -o.points)
    scale = next((o.scale for o in options if o.scale), None)
    if scale and scale.code in leanings and (consistency >= 1 or rng.random() < consistency):
        return options[0]
    return rng.choices(options, weights=range(1, len(options) + 1))[0]


def _results_bulk_save(
    *,
    questionnaires: dict[str, Questionnaire],
    schools: list[Organisation],
    entered_by: dict[int, AbstractBaseUser],
    year: int,
    current: bool,
) -> None:
    """Paper forms of a share of each grade's pupils with consent (data.RESULT_SHARES), each
    pupil leaning to a type by sex, with scattered answers; written in bulk, scored by the
    same function as the service. Only records of the year without a result of the
    questionnaire get one."""
    pupils = (
        Student.objects.filter(organisation__in=schools, academic_year=year, is_active=True)
        .with_consent()
        .order_by("last_name", "first_name", "patronymic", "birth_date", "organisation_id")
        .only("pk", "organisation_id", "grade", "sex", "last_name", "first_name", "birth_date")
    )
    done = set(
        Attempt.objects.filter(student__in=pupils).values_list("student_id", "questionnaire_id")
    )
    options = Prefetch("options", queryset=Option.objects.select_related("scale"))
    forms = {
        code: list(Question.objects.filter(questionnaire=q).prefetch_related(options))
        for code, q in questionnaires.items()
    }
    scored = {
        code: Questionnaire.objects.prefetch_related("scales").get(pk=q.pk)
        for code, q in questionnaires.items()
    }
    tz = timezone.get_current_timezone()
    start = datetime.datetime(year, 9, 8, 10, tzinfo=tz)
    end = timezone.now() if current else datetime.datetime(year + 1, 5, 20, tzinfo=tz)
    span = max((end - start).total_seconds(), 3600.0)
    attempts: list[tuple[Attempt, list[Option], Any]] = []
    for pupil in pupils:
        weights = data.LEANING_WEIGHTS.get(pupil.sex, data.LEANING_WEIGHTS["f"])
        person = f"{year}-{pupil.last_name}-{pupil.first_name}-{pupil.birth_date}"
        rng = random.Random(f"nytva-demo-leaning-{person}")  # noqa: S311 (seeded on purpose: repeatable)
        leaning = rng.choices(list(weights), list(weights.values()))[0]
        for code, shares in data.RESULT_SHARES.items():
            questionnaire = questionnaires[code]
            # One generator per questionnaire: a result already there changes no other.
            rng = random.Random(f"nytva-demo-result-{code}-{person}")  # noqa: S311 (seeded on purpose: repeatable)
            if rng.random() >= shares.get(pupil.grade, 0) or ((pupil.pk, questionnaire.pk) in done):
                continue
            consistency = data.RESULT_CONSISTENCY
            if code == KLIMOV:
                chosen = [_klimov_answer(q, leaning, rng, consistency) for q in forms[code]]
            else:
                riasec = data.RIASEC_OF[leaning]
                chosen = [_riasec_answer(q, riasec, rng, consistency) for q in forms[code]]
            result = questionnaire_score(questionnaire=scored[code], options=chosen)
            completed = start + datetime.timedelta(seconds=rng.random() * span)
            if current:
                completed = min(completed, end - datetime.timedelta(hours=1))
            attempt = Attempt(
                questionnaire=questionnaire,
                student_id=pupil.pk,
                source=Attempt.Source.PAPER,
                entered_by=entered_by[pupil.organisation_id],
                completed_at=completed,
                result_code=result.result_code,
                leading_scale=result.leading_scale,
            )
            attempts.append((attempt, chosen, result))
    Attempt.objects.bulk_create([a for a, _chosen, _result in attempts], batch_size=500)
    AttemptScore.objects.bulk_create(
        [
            AttemptScore(attempt=attempt, scale=s.scale, score=s.score)
            for attempt, _chosen, result in attempts
            for s in result.scores
        ],
        batch_size=2000,
    )
    Answer.objects.bulk_create(
        [
            Answer(attempt=attempt, question_id=option.question_id, option=option)
            for attempt, chosen, _result in attempts
            for option in chosen
        ],
        batch_size=2000,
    )
