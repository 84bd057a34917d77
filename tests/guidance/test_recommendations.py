"""Recommendations for a pupil on fixed data: what is offered, in which order, and why."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from employers.models import DualTrainingPlace, Placement, Vacancy
from guidance import recommendations as rec
from guidance.models import AttemptScore, Scale
from guidance.services.questionnaires import attempt_record
from labour.models import LabourSummary
from labour.services.summaries import labour_summaries_due, labour_summary_compute
from schools.models import Programme
from students.models import Consent
from tests import factories as f

# These tests build their own professions, groups and rules.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_mapping_defaults")]


# --- fixed data ---------------------------------------------------------------------------


def make_questionnaire(code: str, scales: list[tuple[str, str]], questions: list[list[tuple]]):
    """A questionnaire with the scales (code, name) and per question its options, each
    (scale code or None, points); returns the scales by code."""
    questionnaire = f.QuestionnaireFactory(code=code, short_title=code)
    by_code = {
        c: f.ScaleFactory(questionnaire=questionnaire, code=c, name=name, order=i)
        for i, (c, name) in enumerate(scales)
    }
    for number, options in enumerate(questions, start=1):
        question = f.QuestionFactory(questionnaire=questionnaire, number=number)
        for i, (scale, points) in enumerate(options):
            f.OptionFactory(
                question=question,
                label=f"в{i}",
                scale=by_code[scale] if scale else None,
                points=points,
            )
    return questionnaire, by_code


KLIMOV = [("П", "человек — природа"), ("Т", "человек — техника"), ("Х", "человек — худ. образ")]


@pytest.fixture
def klimov():
    """Six forced choices: each pair of types meets twice, so every type scores at most 4."""
    pairs = [("П", "Т"), ("Т", "Х"), ("П", "Х")] * 2
    return make_questionnaire("mini-ddo", KLIMOV, [[(a, 1), (b, 1)] for a, b in pairs])


def scored(student, scales: dict, scores: dict[str, int], *, days_ago: int = 0):
    """A completed attempt of the scales' questionnaire with these scores."""
    questionnaire = next(iter(scales.values())).questionnaire
    attempt = f.AttemptFactory(
        questionnaire=questionnaire,
        student=student,
        completed_at=timezone.now() - datetime.timedelta(days=days_ago),
    )
    AttemptScore.objects.bulk_create(
        AttemptScore(attempt=attempt, scale=scales[code], score=n) for code, n in scores.items()
    )
    return attempt


def born_years_ago(years: int) -> datetime.date:
    today = timezone.localdate()
    return datetime.date(today.year - years, today.month, 1)


@pytest.fixture
def pupil(world):
    """A 9th-grader of school A with a processing consent and no plans recorded."""
    student = f.StudentFactory(organisation=world.school_a, grade=9, birth_date=born_years_ago(15))
    f.ConsentFactory(student=student)
    return student


def programme(world, title: str, *types, base: str = "9", **kwargs) -> Programme:
    made = f.ProgrammeFactory(technikum=world.technikum, title=title, base_education=base, **kwargs)
    made.interest_types.set(types)
    return made


def titles(items) -> list[str]:
    return [str(getattr(r.object, "title", r.object)) for r in items]


# --- interests --------------------------------------------------------------------------


def test_technical_result_puts_technical_programmes_above_nature_and_art(world, pupil, klimov):
    _, s = klimov
    programme(world, "Мастер сельскохозяйственного производства", s["П"])
    programme(world, "Дизайн", s["Х"])
    programme(world, "Сварщик", s["Т"])
    scored(pupil, s, {"П": 1, "Т": 4, "Х": 1})

    programmes = rec.recommendations_for(student=pupil).programmes

    # Nature and art scored the same: their order falls back to the title.
    assert titles(programmes) == ["Сварщик", "Дизайн", "Мастер сельскохозяйственного производства"]
    assert "Подходит вашему типу «человек — техника» (4 из 4 баллов)" in programmes[0].reasons
    assert not any("Подходит вашему типу" in reason for reason in programmes[1].reasons)


def test_a_pupil_who_picks_every_technical_activity_gets_technical_programmes_on_top(
    world, pupil, questionnaires, counsellor_a
):
    ddo = questionnaires["klimov-ddo"]
    riasec = questionnaires["riasec"]
    types = {s.code: s for s in Scale.objects.filter(questionnaire__in=[ddo, riasec])}
    picks = []
    for question in ddo.questions.prefetch_related("options__scale"):
        options = list(question.options.all())
        technical = [o for o in options if o.scale and o.scale.code == "Т"]
        picks.append((technical or options)[0].pk)
    attempt = attempt_record(
        questionnaire=ddo, student=pupil, option_ids=picks, source="paper", by=counsellor_a
    )
    programme(world, "Мастер сельскохозяйственного производства", types["П"], types["R"])
    programme(world, "Дизайн", types["Х"], types["A"])
    programme(world, "Сварщик", types["Т"], types["R"])
    programme(world, "Электромонтёр", types["Т"], types["R"], types["I"])

    ranked = rec.recommendations_for(student=pupil).programmes

    assert attempt.leading_scale == types["Т"]
    assert set(titles(ranked)[:2]) == {"Сварщик", "Электромонтёр"}
    assert "Подходит вашему типу «человек — техника» (8 из 8 баллов)" in ranked[0].reasons


def test_a_programme_tagged_with_many_types_does_not_outrank_one_with_the_pupils_type(
    world, pupil, klimov
):
    _, s = klimov
    broad = programme(world, "Широкий профиль", s["П"], s["Т"], s["Х"])
    narrow = programme(world, "Сварщик", s["Т"])
    scored(pupil, s, {"П": 2, "Т": 4, "Х": 2})

    scores = {r.object: r.score for r in rec.recommendations_for(student=pupil).programmes}

    assert scores[broad] == scores[narrow] == rec.WEIGHTS["interest"]


def test_maximum_of_a_type_counts_the_best_option_of_each_question(world, pupil):
    # «да» gives 2 points, «не знаю» 1: the most R can score is 2 per question, 4 in all.
    answers = [[("R", 2), ("R", 1), (None, 0)]] * 2
    _, s = make_questionnaire("mini-riasec", [("R", "реалистический")], answers)
    programme(world, "Сварщик", s["R"])
    scored(pupil, s, {"R": 3})

    best = rec.recommendations_for(student=pupil).programmes[0]

    assert "Подходит вашему типу «реалистический» (3 из 4 баллов)" in best.reasons
    assert best.score == pytest.approx(rec.WEIGHTS["interest"] * 3 / 4)


def test_only_the_latest_result_of_a_questionnaire_counts(world, pupil, klimov):
    _, s = klimov
    programme(world, "Агроном", s["П"])
    programme(world, "Сварщик", s["Т"])
    scored(pupil, s, {"П": 4, "Т": 0, "Х": 2}, days_ago=200)
    scored(pupil, s, {"П": 0, "Т": 4, "Х": 2}, days_ago=1)

    assert titles(rec.recommendations_for(student=pupil).programmes) == ["Сварщик", "Агроном"]


def test_results_of_two_questionnaires_add_up(world, pupil, klimov):
    _, klimov_scales = klimov
    _, riasec = make_questionnaire(
        "mini-riasec", [("R", "реалистический"), ("A", "артистический")], [[("R", 1), ("A", 1)]] * 2
    )
    programme(world, "Сварщик", klimov_scales["Т"], riasec["R"])
    programme(world, "Слесарь", klimov_scales["Т"])
    scored(pupil, klimov_scales, {"П": 0, "Т": 4, "Х": 2})
    scored(pupil, riasec, {"R": 2, "A": 0})

    best = rec.recommendations_for(student=pupil).programmes[0]

    assert best.object.title == "Сварщик"
    assert len([r for r in best.reasons if r.startswith("Подходит вашему типу")]) == 2


# --- programmes ---------------------------------------------------------------------------


def test_a_ninth_grader_gets_programmes_after_grade_9_and_an_eleventh_grader_after_11(world, pupil):
    programme(world, "Сварщик", base="9")
    programme(world, "Бухгалтер", base="11")
    senior = f.StudentFactory(organisation=world.school_a, grade=11)
    f.ConsentFactory(student=senior)

    nine = rec.recommendations_for(student=pupil).programmes
    eleven = rec.recommendations_for(student=senior).programmes

    assert titles(nine) == ["Сварщик"]
    assert "Приём на базе 9 классов — подходит вам (9 класс)" in nine[0].reasons
    assert titles(eleven) == ["Бухгалтер"]
    assert "Приём на базе 11 классов — подходит вам (11 класс)" in eleven[0].reasons


def test_unpublished_programmes_and_other_districts_are_left_out(world, pupil):
    programme(world, "Сварщик")
    programme(world, "Черновик", is_published=False)
    elsewhere = f.TechnikumFactory(district=world.other_district_school.district)
    f.ProgrammeFactory(technikum=elsewhere, title="Чужой район")

    assert titles(rec.recommendations_for(student=pupil).programmes) == ["Сварщик"]


def test_plans_for_the_technikum_raise_programmes_and_say_so(world, pupil):
    programme(world, "Сварщик")
    before = rec.recommendations_for(student=pupil).programmes[0]
    pupil.path_after_9 = "technikum"
    pupil.save()

    after = rec.recommendations_for(student=pupil).programmes[0]

    assert after.score > before.score
    assert "Вы планируете учиться в техникуме" in after.reasons
    assert "Вы планируете учиться в техникуме" not in before.reasons


def published_days_ago(days: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


def summarise(district):
    """The district's summary of the last complete week, as the scheduler computes it."""
    week_start = dict(labour_summaries_due(today=timezone.localdate()))[LabourSummary.Period.WEEK]
    return labour_summary_compute(
        district=district, period=LabourSummary.Period.WEEK, period_start=week_start
    )


@pytest.fixture
def welding_demand(world):
    """The «Сварщик» programme whose profession two employers of the district look for (one
    with three work places), a draft and a far district's vacancy; and «Агроном»."""
    welder = programme(world, "Сварщик")
    programme(world, "Агроном")
    profession = f.ProfessionFactory(title="Сварщик для рекомендаций")
    profession.programmes.add(welder)
    published = published_days_ago(30)
    f.VacancyFactory(
        employer=world.employer, profession=profession, published_at=published, work_places=3
    )
    f.VacancyFactory(employer=world.other_employer, profession=profession, published_at=published)
    f.VacancyFactory(employer=world.employer, profession=profession, status="draft")
    far = f.EmployerFactory(district=world.other_district_school.district)
    f.VacancyFactory(employer=far, profession=profession, published_at=published)
    return {"programme": welder, "profession": profession}


def test_demand_comes_from_the_districts_latest_summary_and_says_its_date(
    world, pupil, welding_demand
):
    summary = summarise(world.district)
    row = next(
        r
        for r in summary.figures["balance"]
        if r["profession_id"] == welding_demand["profession"].pk
    )
    # A vacancy published after the summary is not counted until the next one.
    f.VacancyFactory(employer=world.employer, profession=welding_demand["profession"])

    programmes = rec.recommendations_for(student=pupil).programmes

    assert titles(programmes) == ["Сварщик", "Агроном"]
    assert (row["vacancies"], row["work_places"]) == (2, 4)
    assert (
        f"Работодатели района ищут таких специалистов, вакансий: {row['vacancies']}, "
        f"рабочих мест: {row['work_places']} "
        f"(сводка по рынку труда района на {summary.period_end:%d.%m.%Y})"
    ) in programmes[0].reasons


def test_without_a_summary_published_vacancies_are_counted_now_and_it_is_said(
    world, pupil, welding_demand
):
    programmes = rec.recommendations_for(student=pupil).programmes

    assert titles(programmes) == ["Сварщик", "Агроном"]
    assert (
        "Работодатели района ищут таких специалистов, вакансий: 2 (опубликованных сейчас: "
        "сводки по рынку труда района ещё нет)"
    ) in programmes[0].reasons


def test_a_summary_of_another_district_does_not_count(world, pupil, welding_demand):
    summarise(world.other_district_school.district)
    reasons = rec.recommendations_for(student=pupil).programmes[0].reasons
    assert any("сводки по рынку труда района ещё нет" in r for r in reasons)


def test_demand_counts_each_vacancy_once_per_programme_live_and_in_the_summary(world, pupil):
    welder, fitter = programme(world, "Сварщик"), programme(world, "Слесарь")
    one, two = f.ProfessionFactory(), f.ProfessionFactory()
    one.programmes.add(welder, fitter)
    two.programmes.add(welder)
    published = published_days_ago(30)
    f.VacancyFactory(employer=world.employer, profession=one, published_at=published)
    f.VacancyFactory(employer=world.employer, profession=two, published_at=published)
    f.VacancyFactory(employer=world.employer, published_at=published)

    def reasons() -> dict[str, list[str]]:
        ranked = rec.recommendations_for(student=pupil).programmes
        return {r.object.title: [x for x in r.reasons if "ищут" in x] for r in ranked}

    live = reasons()
    summary = summarise(world.district)
    demand = rec.labour_demand_by_programme(district_id=world.district.pk)

    assert live["Сварщик"][0].startswith(
        "Работодатели района ищут таких специалистов, вакансий: 2 ("
    )
    assert live["Слесарь"][0].startswith(
        "Работодатели района ищут таких специалистов, вакансий: 1 ("
    )
    assert demand.as_of == summary.period_end
    assert demand.of(welder, 0) == (2, 2)
    assert demand.of(fitter, 0) == (1, 1)
    assert demand.of(programme(world, "Агроном"), 5) == (0, 0)  # the summary, not the live 5
    summarised = reasons()
    assert "вакансий: 2, рабочих мест: 2" in summarised["Сварщик"][0]
    assert "вакансий: 1, рабочих мест: 1" in summarised["Слесарь"][0]


def test_without_a_summary_nothing_is_counted_from_it(world):
    demand = rec.labour_demand_by_programme(district_id=world.district.pk)
    assert demand.as_of is None
    assert demand.of(programme(world, "Сварщик"), 3) == (3, None)


def test_the_same_speciality_after_grade_9_and_11_shares_the_demand(world, welding_demand):
    after_11 = programme(
        world, "Сварщик", base="11", okso_code=welding_demand["programme"].okso_code
    )
    summarise(world.district)

    demand = rec.labour_demand_by_programme(district_id=world.district.pk)

    assert demand.of(after_11, 0) == demand.of(welding_demand["programme"], 0) == (2, 4)


def test_the_latest_summary_wins(world, welding_demand):
    summarise(world.district)
    older = LabourSummary.objects.get()
    previous = older.period_start - datetime.timedelta(days=7)
    labour_summary_compute(
        district=world.district, period=LabourSummary.Period.WEEK, period_start=previous
    )

    demand = rec.labour_demand_by_programme(district_id=world.district.pk)

    assert demand.as_of == older.period_end


# --- dual-training places ---------------------------------------------------------------


def place(world, seats: int, *, held: int = 0, applied: int = 0, **kwargs):
    made = f.DualTrainingPlaceFactory(
        programme=kwargs.pop("programme", None) or programme(world, "Сварщик"),
        employer=world.employer,
        seats=seats,
        **kwargs,
    )
    statuses = [Placement.Status.ACTIVE] * held + [Placement.Status.PROPOSED] * applied
    for status in statuses:
        f.PlacementFactory(place=made, status=status)
    return made


def test_full_and_ended_places_are_left_out_and_free_seats_are_said(world, pupil):
    open_place = place(world, 3, held=1, applied=4, workplace="Цех сварки")
    place(world, 2, held=2, workplace="Полный участок")
    today = timezone.localdate()
    place(
        world,
        3,
        workplace="Прошлый год",
        starts_on=today - datetime.timedelta(days=400),
        ends_on=today - datetime.timedelta(days=1),
    )
    place(world, 3, workplace="Снято с публикации", status=DualTrainingPlace.Status.CLOSED)

    places = rec.recommendations_for(student=pupil).places

    assert [r.object for r in places] == [open_place]
    assert "Свободных мест: 2" in places[0].reasons
    assert places[0].url.endswith(f"#place-{open_place.pk}")


def test_places_with_more_free_seats_come_first_when_all_else_is_equal(world, pupil):
    welder = programme(world, "Сварщик")
    few = place(world, 3, held=2, programme=welder, workplace="Б")
    many = place(world, 5, programme=welder, workplace="А")

    assert [r.object for r in rec.recommendations_for(student=pupil).places] == [many, few]


# --- vacancies and the age rule ---------------------------------------------------------


@pytest.fixture
def vacancies(world):
    """An adult job, a teenager's job from 14, one from 16, and one for minors of any age."""
    make = f.VacancyFactory
    return {
        "adult": make(employer=world.employer, title="Сварщик"),
        "from_14": make(
            employer=world.employer, title="Трудовой отряд", for_minors=True, min_age=14
        ),
        "from_16": make(employer=world.employer, title="Фасовщик", for_minors=True, min_age=16),
        "any_minor": make(employer=world.employer, title="Курьер", for_minors=True),
        "draft": make(employer=world.employer, title="Черновик", for_minors=True, status="draft"),
    }


def pupil_aged(world, years: int, grade: int = 9):
    student = f.StudentFactory(
        organisation=world.school_a, grade=grade, birth_date=born_years_ago(years)
    )
    f.ConsentFactory(student=student)
    return student


def offered(student) -> set[str]:
    return {r.object.title for r in rec.recommendations_for(student=student).vacancies}


def test_a_thirteen_year_old_is_offered_no_vacancies(world, vacancies):
    student = pupil_aged(world, 13, grade=7)
    result = rec.recommendations_for(student=student)
    assert result.vacancies == []
    assert "Вакансии подбираются с 14 лет." in result.notes


def test_a_fifteen_year_old_is_offered_only_jobs_for_minors_of_that_age(world, vacancies):
    student = pupil_aged(world, 15)
    assert offered(student) == {"Трудовой отряд", "Курьер"}
    reasons = {
        r.object.title: r.reasons for r in rec.recommendations_for(student=student).vacancies
    }
    assert "Берут подростков с 14 лет, вам 15" in reasons["Трудовой отряд"]
    assert "Подходит подросткам, вам 15" in reasons["Курьер"]


def test_a_sixteen_year_old_also_gets_jobs_from_16(world, vacancies):
    assert offered(pupil_aged(world, 16, grade=10)) == {"Трудовой отряд", "Фасовщик", "Курьер"}


def test_an_adult_is_offered_adult_jobs_too(world, vacancies):
    assert offered(pupil_aged(world, 18, grade=11)) == {
        "Сварщик",
        "Трудовой отряд",
        "Фасовщик",
        "Курьер",
    }


def test_age_rule_reads_the_vacancy_minimum_age_for_adults(world):
    f.VacancyFactory(employer=world.employer, title="Водитель", min_age=21)
    f.VacancyFactory(employer=world.employer, title="Сварщик")
    published = Vacancy.objects.published()
    assert {v.title for v in rec.vacancies_open_to(18, published)} == {"Сварщик"}
    assert {v.title for v in rec.vacancies_open_to(21, published)} == {"Водитель", "Сварщик"}


def test_plans_to_work_raise_vacancies_and_a_matching_profession_ranks_first(
    world, klimov, vacancies
):
    _, s = klimov
    student = pupil_aged(world, 15)
    courier = f.ProfessionFactory(title="Курьер")
    courier.interest_types.add(s["Т"])
    vacancies["any_minor"].profession = courier
    vacancies["any_minor"].save()
    scored(student, s, {"П": 0, "Т": 4, "Х": 2})
    student.path_after_9 = "work"
    student.save()

    ranked = rec.recommendations_for(student=student).vacancies

    assert ranked[0].object == vacancies["any_minor"]
    assert "Вы планируете работать" in ranked[0].reasons
    assert ranked[0].url.endswith(f"#vacancy-{vacancies['any_minor'].pk}")


# --- events -----------------------------------------------------------------------------


def event(world, title: str, *, days: int = 7, **kwargs):
    kwargs.setdefault("organiser", world.technikum)
    starts = timezone.now() + datetime.timedelta(days=days)
    return f.EventFactory(title=title, starts_at=starts, **kwargs)


def test_events_offered_are_upcoming_for_the_grade_with_seats_and_not_yet_registered(world, pupil):
    offered_event = event(world, "Профпроба «Сварщик»", capacity=2)
    f.RegistrationFactory(event=offered_event)
    full = event(world, "Полная профпроба", capacity=1)
    f.RegistrationFactory(event=full)
    registered = event(world, "Уже записан")
    f.RegistrationFactory(event=registered, student=pupil)
    event(world, "Прошедшая", days=-3)
    event(world, "Отменённая", is_cancelled=True)
    event(world, "Для младших", min_grade=5, max_grade=7)
    event(world, "Закрытая другого района", is_public=False, organiser=world.other_district_school)
    event(world, "Открытая другого района", organiser=world.other_district_school, days=9)
    event(world, "Закрытая своего района", is_public=False, organiser=world.school_b, days=10)

    events = rec.recommendations_for(student=pupil).events

    assert set(titles(events)) == {
        "Профпроба «Сварщик»",
        "Открытая другого района",
        "Закрытая своего района",
    }
    trial = next(r for r in events if r.object == offered_event)
    assert "Осталось мест: 1" in trial.reasons
    assert any(reason.startswith("Когда: ") for reason in trial.reasons)
    assert trial.url == f"/guidance/events/{offered_event.uuid}/"


def test_event_types_come_from_the_event_or_else_its_programme(world, pupil, klimov):
    _, s = klimov
    welder = programme(world, "Сварщик", s["Т"])
    by_programme = event(world, "Профпроба по программе", programme=welder, days=20)
    own_types = event(world, "Экскурсия на ферму", days=20)
    own_types.interest_types.add(s["П"])
    event(world, "Классный час", days=20, organiser=world.school_a)
    scored(pupil, s, {"П": 2, "Т": 4, "Х": 0})

    events = rec.recommendations_for(student=pupil).events

    assert titles(events) == ["Профпроба по программе", "Экскурсия на ферму", "Классный час"]
    assert "Подходит вашему типу «человек — техника» (4 из 4 баллов)" in events[0].reasons
    assert by_programme == events[0].object


def test_an_event_needing_a_consent_the_pupil_lacks_says_which(world, pupil):
    event(world, "Экскурсия на завод", organiser=world.employer)
    event(world, "Профпроба", organiser=world.technikum)
    f.ConsentFactory(
        student=pupil,
        guardian=pupil.guardians.get(),
        scope=Consent.Scope.TRANSFER_TECHNIKUM,
    )

    reasons = {r.object.title: r.reasons for r in rec.recommendations_for(student=pupil).events}

    assert (
        "Для записи нужно согласие родителей: Передача работодателям"
        in reasons["Экскурсия на завод"]
    )
    assert not any(r.startswith("Для записи нужно") for r in reasons["Профпроба"])


def test_sooner_events_come_first_when_all_else_is_equal(world, pupil):
    event(world, "Позже", days=20)
    event(world, "Раньше", days=3)
    assert titles(rec.recommendations_for(student=pupil).events) == ["Раньше", "Позже"]


# --- consent, no results, order --------------------------------------------------------


def test_without_a_processing_consent_there_are_no_recommendations(world):
    student = f.StudentFactory(organisation=world.school_a)
    programme(world, "Сварщик")
    withdrawn = f.ConsentFactory(student=student, withdrawn_at=timezone.now())
    f.ConsentFactory(
        student=student, guardian=withdrawn.guardian, scope=Consent.Scope.TRANSFER_TECHNIKUM
    )

    result = rec.recommendations_for(student=student)

    assert withdrawn.pk
    assert result.is_empty
    assert not result.has_consent
    assert any("Нет действующего согласия" in note for note in result.notes)


def test_without_a_result_ranking_uses_plans_seats_and_demand_and_asks_for_a_questionnaire(
    world, pupil
):
    welder = programme(world, "Сварщик")
    programme(world, "Агроном")
    profession = f.ProfessionFactory()
    profession.programmes.add(welder)
    f.VacancyFactory(employer=world.employer, profession=profession)

    result = rec.recommendations_for(student=pupil)

    assert "Пройдите анкету, чтобы рекомендации учитывали интересы." in result.notes
    assert titles(result.programmes) == ["Сварщик", "Агроном"]


def test_equal_scores_are_ordered_by_title_then_id(world, pupil):
    for title in ("Токарь", "Бухгалтер", "Токарь", "Агроном"):
        programme(world, title)

    ranked = rec.recommendations_for(student=pupil).programmes

    assert titles(ranked) == ["Агроном", "Бухгалтер", "Токарь", "Токарь"]
    assert ranked[2].object.pk < ranked[3].object.pk


def test_changing_a_weight_changes_the_order(world, pupil, klimov, monkeypatch):
    _, s = klimov
    welder = programme(world, "Сварщик", s["Т"])
    programme(world, "Агроном", s["П"])
    profession = f.ProfessionFactory()
    profession.programmes.add(welder)
    f.VacancyFactory(employer=world.employer, profession=profession)
    scored(pupil, s, {"П": 3, "Т": 2, "Х": 1})
    assert titles(rec.recommendations_for(student=pupil).programmes) == ["Агроном", "Сварщик"]

    monkeypatch.setitem(rec.WEIGHTS, "demand", 10.0)

    assert titles(rec.recommendations_for(student=pupil).programmes) == ["Сварщик", "Агроном"]


def test_each_list_is_cut_to_the_limit_and_keeps_the_total(world, pupil):
    for n in range(rec.LIMIT + 3):
        programme(world, f"Программа {n}")

    result = rec.recommendations_for(student=pupil)

    assert len(result.programmes) == rec.LIMIT
    assert result.totals["programmes"] == rec.LIMIT + 3


def test_a_technikum_student_gets_places_of_own_programme_and_no_school_lists(world, klimov):
    welder = programme(world, "Сварщик")
    mine = place(world, 3, programme=welder, workplace="Свой участок")
    already = place(world, 3, programme=welder, workplace="Уже направлен")
    place(world, 3, workplace="Чужая программа")
    event(world, "Профпроба")
    student = f.StudentFactory(
        organisation=world.technikum, programme=welder, grade=2, birth_date=born_years_ago(17)
    )
    f.ConsentFactory(student=student)
    f.PlacementFactory(place=already, student=student, status=Placement.Status.PROPOSED)

    result = rec.recommendations_for(student=student)

    assert [r.object for r in result.places] == [mine]
    assert result.programmes == []
    assert result.events == []


# --- queries ----------------------------------------------------------------------------


def fill(world, s, n: int) -> None:
    """n more of everything the pupil could be offered, each tagged and linked."""
    for i in range(n):
        made = programme(world, f"Программа {i}-{n}", s["Т"], s["П"])
        profession = f.ProfessionFactory()
        profession.programmes.add(made)
        profession.interest_types.add(s["Т"])
        f.VacancyFactory(
            employer=world.employer,
            profession=profession,
            for_minors=True,
            published_at=published_days_ago(30),
        )
        place(world, 3, held=1, programme=made)
        e = event(world, f"Событие {i}-{n}", programme=made)
        e.interest_types.add(s["Х"])
        f.RegistrationFactory(event=e)


@pytest.mark.parametrize("with_summary", [False, True])
def test_queries_do_not_grow_with_the_number_of_candidates(
    world, pupil, klimov, with_summary, django_assert_num_queries
):
    _, s = klimov
    scored(pupil, s, {"П": 1, "Т": 4, "Х": 1})
    fill(world, s, 1)
    if with_summary:
        summarise(world.district)
    # consents; interest scores with their maximum; demand (the latest summary); programmes
    # and places (with the live count of vacancies, used without a summary); vacancies;
    # events; the types of all of them and of their programmes and professions (one UNION)
    with django_assert_num_queries(8):
        rec.recommendations_for(student=pupil)
    fill(world, s, 15)
    if with_summary:
        summarise(world.district)
    with django_assert_num_queries(8):
        result = rec.recommendations_for(student=pupil)
    assert len(result.programmes) == rec.LIMIT
    assert result.totals["events"] == 16


def test_consents_the_caller_has_are_not_read_again(
    world, pupil, klimov, django_assert_num_queries
):
    _, s = klimov
    scored(pupil, s, {"П": 1, "Т": 4, "Х": 1})
    fill(world, s, 3)
    f.ConsentFactory(
        student=pupil,
        guardian__first_name="Другая",
        scope=Consent.Scope.TRANSFER_EMPLOYERS,
        withdrawn_at=timezone.now(),
    )
    read_here = rec.recommendations_for(student=pupil)
    consents = list(pupil.consents.all())
    with django_assert_num_queries(7):
        given = rec.recommendations_for(student=pupil, consents=consents)
    for key in ("programmes", "places", "vacancies", "events"):
        assert [(r.object, r.score, r.reasons) for r in getattr(given, key)] == [
            (r.object, r.score, r.reasons) for r in getattr(read_here, key)
        ]
    assert given.notes == read_here.notes


def test_given_consents_count_only_while_active(world, pupil):
    programme(world, "Сварщик")
    withdrawn = f.ConsentFactory(
        student=pupil, guardian__first_name="Другая", withdrawn_at=timezone.now()
    )
    # The caller's list holds only the withdrawn one: the active consent is not looked up.
    consents = [c for c in pupil.consents.all() if c.pk == withdrawn.pk]

    result = rec.recommendations_for(student=pupil, consents=consents)

    assert not result.has_consent
    assert result.is_empty


def test_without_a_result_the_types_are_not_read(world, pupil, klimov, django_assert_num_queries):
    _, s = klimov
    fill(world, s, 3)
    # consents, interest scores (none), demand, programmes, places, vacancies, events
    with django_assert_num_queries(7):
        result = rec.recommendations_for(student=pupil)
    assert result.totals["programmes"] == 3
    assert all(
        not any("Подходит вашему типу" in reason for reason in r.reasons)
        for r in result.programmes + result.places + result.vacancies + result.events
    )
