"""The career-guidance minimum (профминимум) of the demo district, seeded by
resource_center.demo.

Each demo school gets a level for the current academic year (kept if the head has chosen
another one since), and every class of grades 6–11 the activities of a weekly timetable
held from 1 September up to yesterday: a «Россия — мои горизонты» lesson of one hour every
week and, as often as the school's level needs, lessons with career content, class hours,
hobby groups and parents' meetings. Holidays and public holidays have no lessons.

The rows are written in bulk (a service call per activity would take seconds) by the rules
of ``career_minimum.services.activity_record``: a date within the year and not in the
future, hours within the limits, an active direction, a topic, and one participation for
each active pupil of the class, the absent ones not attended. Each pupil misses a share of
the activities drawn from a seeded generator; in every class one pupil never misses one and
the one with the fewest hours from events and questionnaires misses half, so that each class
sheet has pupils on track and pupils behind the pro-rata target.

An activity is found by school, class, date, direction and topic before it is made, so a
re-run adds only the days passed since the last one.
"""

from __future__ import annotations

import datetime
import math
import random
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, Sum
from django.utils import timezone

from career_minimum.models import (
    MAX_GRADE,
    MIN_GRADE,
    Activity,
    Direction,
    Participation,
    SchoolPlan,
)
from career_minimum.selectors import attempt_rows, event_rows
from resource_center import demo_data
from resource_center.models import District, Organisation
from students.models import Student

Level = SchoolPlan.Level

# The level each demo school chose, by the key of demo_data.SCHOOLS.
LEVELS = {
    "school1": Level.MAIN,
    "school2": Level.ADVANCED,
    "school3": Level.BASIC,
    "grigorievskaya": Level.ADVANCED,
    "uralskaya": Level.MAIN,
    "sheryinskaya": Level.BASIC,
}
# Who chose it: the head where the demo has one, the coordinator elsewhere.
CHOSEN_BY = {"school1": "head"}
COORDINATOR = "coordinator"

MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY = range(5)
# Lessons end in the last week of May (the pro-rata target runs to 31 May).
LAST_LESSON = (5, 25)

HORIZONS_TOPICS = [
    "Вводный урок «Моя Россия — мои горизонты, мои достижения»",
    "Тематический профориентационный урок «Открой своё будущее»",
    "Профориентационная диагностика № 1 «Мой профиль»",
    "Система образования России: уровни профессионального образования",
    "Пробую профессию в сфере науки и образования",
    "Россия индустриальная: атомная промышленность",
    "Практико-ориентированное занятие «Мои интересы и способности»",
    "Россия аграрная: растениеводство и садоводство",
    "Россия здоровая: медицина и фармацевтика",
    "Россия добрая: социальная сфера",
    "Россия комфортная: транспорт и строительство",
    "Пробую профессию в инженерной сфере",
    "Россия безопасная: полиция, пожарная охрана, спасатели",
    "Россия цифровая: информационные технологии",
    "Профориентационная диагностика № 2 «Мои ориентиры»",
    "Россия промышленная: металлургия и машиностроение",
    "Пробую профессию в цифровой сфере",
    "Россия умная: наука и технологии",
    "Россия креативная: культура, искусство, дизайн",
    "Пробую профессию в сфере промышленности",
    "Россия деловая: предпринимательство и финансы",
    "Россия аграрная: животноводство и селекция",
    "Пробую профессию в сфере медицины",
    "Россия инженерная: авиа- и судостроение, железная дорога",
    "Государственное управление и общественная безопасность",
    "Пробую профессию в креативной сфере",
    "Россия заботливая: сервис, туризм, гостеприимство",
    "Россия комфортная: энергетика",
    "Пробую профессию в аграрной сфере",
    "Россия природная: экология и лесное хозяйство",
    "Пробую профессию в социальной сфере",
    "Практико-ориентированное занятие «Моя траектория»",
    "Профориентационное занятие «Моё будущее — моя страна»",
    "Итоговое занятие «Мои горизонты»",
]
LESSON_TOPICS = [
    "Технология: профессии машиностроения на ОАО «Нытва»",
    "Физика: профессии энергетики",
    "Биология: профессии агропромышленного комплекса",
    "Информатика: профессии в информационных технологиях",
    "Химия: профессии лаборанта и технолога",
    "География: профессии транспорта и логистики",
    "Математика: профессия экономиста",
    "Обществознание: профессии в праве",
    "Литература: профессия журналиста",
    "ОБЗР: профессии МЧС",
]
UPBRINGING_TOPICS = [
    "Классный час «Профессии моей семьи»",
    "Встреча с выпускником Нытвенского многопрофильного техникума",
    "Классный час «Рабочие профессии Прикамья»",
    "Проект «Карта профессий Нытвы»",
    "Классный час «Как выбрать профессию»",
    "Встреча с мастером цеха ОАО «Нытва»",
    "Классный час «Профессии, которых не было 20 лет назад»",
]
EXTRA_TOPICS = [
    "Кружок «Робототехника»: сборка манипулятора",
    "Кружок «Юный журналист»: интервью с профессионалом",
    "Кружок «Робототехника»: программирование датчиков",
    "Кружок «3D-моделирование»: деталь для станка",
]
PARENT_TOPICS = [
    "Родительское собрание «Профминимум: как помочь ребёнку выбрать профессию»",
    "Родительское собрание «Куда пойти учиться после 9 и 11 класса»",
    "Родительское собрание «Дуальное обучение в техникуме и работодатели округа»",
    "Родительское собрание «Итоги года: часы профминимума и планы на лето»",
]
FIRST_DAY_TOPIC = "Классный час «Мир профессий: с чего начинается выбор»"


class Lesson(NamedTuple):
    """One row of the weekly timetable: in week ``w`` (0 = the week of 1 September) the
    lesson is held when ``w % every == offset``; ``every`` by level, 0 = never."""

    slug: str
    weekday: int
    every: dict[str, int]
    offset: int


TIMETABLE = [
    Lesson("horizons", THURSDAY, {Level.BASIC: 1, Level.MAIN: 1, Level.ADVANCED: 1}, 0),
    Lesson("lessons", TUESDAY, {Level.BASIC: 3, Level.MAIN: 2, Level.ADVANCED: 1}, 1),
    Lesson("upbringing", FRIDAY, {Level.BASIC: 4, Level.MAIN: 2, Level.ADVANCED: 2}, 2),
    Lesson("extra_education", WEDNESDAY, {Level.BASIC: 0, Level.MAIN: 4, Level.ADVANCED: 2}, 3),
    Lesson("parents", WEDNESDAY, {Level.BASIC: 8, Level.MAIN: 8, Level.ADVANCED: 8}, 2),
]
TOPICS = {
    "horizons": HORIZONS_TOPICS,
    "lessons": LESSON_TOPICS,
    "upbringing": UPBRINGING_TOPICS,
    "extra_education": EXTRA_TOPICS,
    "parents": PARENT_TOPICS,
}
ONE_HOUR = Decimal("1")

# How often the other pupils miss an activity, with how many of them do so.
ABSENCE_RATES = {0.0: 20, 0.05: 15, 0.1: 15, 0.2: 15, 0.3: 20, 0.45: 15}
OFTEN_ABSENT = 0.5


class Planned(NamedTuple):
    """An activity of the timetable; ``index`` is its place in the year's sequence."""

    index: int
    held_on: datetime.date
    slug: str
    topic: str


def school_holidays(year: int) -> tuple[set[datetime.date], list[tuple[datetime.date, ...]]]:
    """Public holidays and the autumn, winter and spring breaks of the academic year."""
    public = {
        datetime.date(year, 11, 4),
        datetime.date(year + 1, 2, 23),
        datetime.date(year + 1, 3, 8),
        datetime.date(year + 1, 5, 1),
        datetime.date(year + 1, 5, 9),
    }

    def last_monday(month_end: datetime.date) -> datetime.date:
        return month_end - datetime.timedelta(days=month_end.weekday())

    autumn = last_monday(datetime.date(year, 10, 31))
    spring = last_monday(datetime.date(year + 1, 3, 31))
    breaks = [
        (autumn, autumn + datetime.timedelta(days=8)),
        (datetime.date(year, 12, 29), datetime.date(year + 1, 1, 11)),
        (spring, spring + datetime.timedelta(days=6)),
    ]
    return public, breaks


def is_school_day(day: datetime.date, *, year: int) -> bool:
    """A weekday outside the breaks and public holidays of the academic year."""
    public, breaks = school_holidays(year)
    if day.weekday() > FRIDAY or day in public:
        return False
    return not any(start <= day <= end for start, end in breaks)


def timetable(*, level: str, year: int, until: datetime.date) -> list[Planned]:
    """The activities of a class at the level from 1 September up to ``until`` (inclusive),
    in date order; the same dates and topics whatever day it is computed on."""
    start = datetime.date(year, 9, 1)
    end = min(until, datetime.date(year + 1, *LAST_LESSON))
    week_zero = start - datetime.timedelta(days=start.weekday())
    planned: list[Planned] = []
    held: dict[str, int] = defaultdict(int)
    day = start
    while day <= end:
        # The Day of Knowledge class hour is held on 1 September whatever the weekday.
        slugs = [("upbringing", FIRST_DAY_TOPIC)] if day == start else []
        if is_school_day(day, year=year):
            week = (day - week_zero).days // 7
            for lesson in TIMETABLE:
                every = lesson.every[level]
                if (
                    lesson.weekday == day.weekday()
                    and every
                    and week % every == lesson.offset % every
                ):
                    topics = TOPICS[lesson.slug]
                    slugs.append((lesson.slug, topics[held[lesson.slug] % len(topics)]))
                    held[lesson.slug] += 1
        for slug, topic in slugs:
            planned.append(Planned(len(planned), day, slug, topic))
        day += datetime.timedelta(days=1)
    return planned


@dataclass
class Attendance:
    """A pupil misses the activities of a share ``rate``, spread evenly from ``phase``."""

    rate: float
    phase: float

    def attended(self, index: int) -> bool:
        return math.floor((index + 1) * self.rate + self.phase) == math.floor(
            index * self.rate + self.phase
        )


def demo_minimum_seed(
    *, orgs: dict[str, Organisation], users: dict[str, AbstractBaseUser], year: int
) -> None:
    """Add the demo schools' levels and the activities missing up to yesterday."""
    schools = {spec["key"]: orgs[spec["key"]] for spec in demo_data.SCHOOLS}
    _plans_save(schools=schools, users=users, year=year)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    if yesterday < datetime.date(year, 9, 1):
        return
    directions = {d.slug: d for d in Direction.objects.filter(slug__in=TOPICS, is_active=True)}
    recorders = {
        orgs[org_key].pk: users[username]
        for username, _first, _last, org_key, role, _position in demo_data.DEMO_STAFF
        if role == "counsellor"
    }
    classes = _classes(schools=list(schools.values()), year=year)
    attendance = _attendance(classes, year=year)
    existing = set(
        Activity.objects.filter(school__in=schools.values(), academic_year=year).values_list(
            "school_id", "grade", "class_letter", "held_on", "direction_id", "topic"
        )
    )
    existing = {(*key[:5], key[5].casefold()) for key in existing}
    new: list[tuple[Activity, list[tuple[Student, bool]]]] = []
    for key, school in schools.items():
        plan = timetable(level=LEVELS[key], year=year, until=yesterday)
        by = recorders.get(school.pk, users[COORDINATOR])
        for (school_id, grade, letter), pupils in classes.items():
            if school_id != school.pk:
                continue
            for item in plan:
                direction = directions.get(item.slug)
                if direction is None:
                    continue
                found = (
                    school_id,
                    grade,
                    letter,
                    item.held_on,
                    direction.pk,
                    item.topic.casefold(),
                )
                if found in existing:
                    continue
                activity = Activity(
                    school=school,
                    academic_year=year,
                    grade=grade,
                    class_letter=letter,
                    held_on=item.held_on,
                    hours=ONE_HOUR,
                    direction=direction,
                    topic=item.topic,
                    recorded_by=by,
                )
                activity.clean_fields(exclude=["uuid", "school", "direction", "recorded_by"])
                marks = [(p, attendance[p.pk].attended(item.index)) for p in pupils]
                new.append((activity, marks))
    Activity.objects.bulk_create([a for a, _marks in new], batch_size=500)
    Participation.objects.bulk_create(
        [
            Participation(activity=activity, student=pupil, attended=attended)
            for activity, marks in new
            for pupil, attended in marks
        ],
        batch_size=2000,
    )


def demo_minimum_counts(*, district: District) -> dict[str, int]:
    """Row counts of the district's levels, activities and participations."""
    activities = Activity.objects.filter(school__district=district)
    return {
        "career_plans": SchoolPlan.objects.filter(school__district=district).count(),
        "career_activities": activities.count(),
        "career_participations": Participation.objects.filter(activity__in=activities).count(),
    }


def _plans_save(
    *, schools: dict[str, Organisation], users: dict[str, AbstractBaseUser], year: int
) -> None:
    """The year's level of each school, unless one is chosen already (the head's stays)."""
    chosen = set(
        SchoolPlan.objects.filter(school__in=schools.values(), academic_year=year).values_list(
            "school_id", flat=True
        )
    )
    SchoolPlan.objects.bulk_create(
        [
            SchoolPlan(
                school=school,
                academic_year=year,
                level=LEVELS[key],
                updated_by=users[CHOSEN_BY.get(key, COORDINATOR)],
            )
            for key, school in schools.items()
            if school.pk not in chosen
        ]
    )


def _classes(
    *, schools: list[Organisation], year: int
) -> dict[tuple[int, int, str], list[Student]]:
    """The active pupils of grades 6–11 of the schools by class, in the register's order."""
    pupils = Student.objects.filter(
        organisation__in=schools,
        academic_year=year,
        is_active=True,
        grade__gte=MIN_GRADE,
        grade__lte=MAX_GRADE,
    ).order_by("organisation_id", "grade", "class_letter", "last_name", "first_name", "pk")
    classes: dict[tuple[int, int, str], list[Student]] = defaultdict(list)
    for pupil in pupils.only(
        "organisation_id",
        "grade",
        "class_letter",
        "last_name",
        "first_name",
        "patronymic",
        "birth_date",
    ):
        classes[(pupil.organisation_id, pupil.grade, pupil.class_letter)].append(pupil)
    return classes


def _other_hours(pupils: Iterable[int], *, year: int) -> dict[int, Decimal]:
    """Hours each pupil has from events and questionnaires of the year (one query each)."""
    hours: dict[int, Decimal] = defaultdict(Decimal)
    ids = list(pupils)
    events = (
        event_rows(year=year)
        .filter(student__in=ids)
        .order_by()
        .values("student_id")
        .annotate(hours=Sum("event__career_hours"))
    )
    for row in events:
        hours[row["student_id"]] += row["hours"] or 0
    attempts = (
        attempt_rows(year=year)
        .filter(student__in=ids)
        .order_by()
        .values("student_id")
        .annotate(n=Count("pk"))
    )
    for row in attempts:
        hours[row["student_id"]] += row["n"]
    return hours


def _attendance(
    classes: dict[tuple[int, int, str], list[Student]], *, year: int
) -> dict[int, Attendance]:
    """Each pupil's absences: drawn from the pupil's own generator, except that in each
    class the first pupil of the register never misses an activity and the one with the
    fewest other hours misses every other one (from the first)."""
    other = _other_hours((p.pk for pupils in classes.values() for p in pupils), year=year)
    rates, weights = list(ABSENCE_RATES), list(ABSENCE_RATES.values())
    result: dict[int, Attendance] = {}
    for pupils in classes.values():
        for pupil in pupils:
            rng = random.Random(  # noqa: S311 (seeded on purpose: repeatable)
                f"nytva-demo-minimum-{pupil.organisation_id}-{pupil.last_name}-"
                f"{pupil.first_name}-{pupil.patronymic}-{pupil.birth_date}-{year}"
            )
            result[pupil.pk] = Attendance(rng.choices(rates, weights)[0], rng.random())
        result[pupils[0].pk] = Attendance(0.0, 0.0)
        if len(pupils) > 1:
            weakest = min(pupils[1:], key=lambda p: other.get(p.pk, Decimal(0)))
            result[weakest.pk] = Attendance(OFTEN_ABSENT, 1 - OFTEN_ABSENT)
    return result
