"""Hours of the career-guidance minimum: totals from the three sources on a hand-made class,
the pro-rata target, the class sheet with its XLSX, a pupil's page and the level form."""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.db.models import Count, Sum
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from career_minimum import selectors
from career_minimum.models import Direction, Participation, SchoolPlan
from career_minimum.selectors_activities import class_pupils
from guidance.models import Attempt, Registration
from resource_center.models import AuditEntry
from students.models import Student, current_academic_year
from tests import factories as f

pytestmark = pytest.mark.django_db

YEAR = current_academic_year()


def in_year(days_after_start: int = 0) -> datetime.datetime:
    """A moment of the current academic year that has already passed."""
    start = datetime.datetime(YEAR, 9, 1, 10, tzinfo=datetime.UTC)
    return min(start + datetime.timedelta(days=days_after_start), timezone.now())


def direction(slug: str) -> Direction:
    return Direction.objects.get(slug=slug)


@dataclass
class Klass:
    """9А of school A: Анна, Борис, Вера and Глеб (who came from 9Б in the middle of the
    year), with activities, events and questionnaires whose hours are worked out by hand
    in ``EXPECTED``."""

    anna: Student
    boris: Student
    vera: Student
    gleb: Student
    other: Student  # 9Б: stays there, absent from the 9А sheet

    @property
    def pupils(self) -> list[Student]:
        return [self.anna, self.boris, self.vera, self.gleb]


# Hand-computed hours by direction slug (only non-zero ones) and the level total
# (everything except «Работа с родителями», which does not count towards the level).
EXPECTED = {
    # horizons 2 (lesson) + 8 (trial lesson alone); parents 1; events 3; diagnostics 2×1.
    "anna": ({"horizons": 10, "parents": 1, "events": 3, "diagnostics": 2}, 15),
    # horizons 2; parents 1; vocational 4 (event with its own direction); absent at E1.
    "boris": ({"horizons": 2, "parents": 1, "vocational": 4}, 6),
    # absent at the lesson; one questionnaire this year (last year's does not count).
    "vera": ({"diagnostics": 1}, 1),
    # 1.5 in 9Б before moving to 9А, then the 9А lesson; the 9А trial lesson: absent.
    "gleb": ({"horizons": Decimal("3.5")}, Decimal("3.5")),
}


@pytest.fixture
def klass(world, counsellor_a) -> Klass:
    school = world.school_a
    names = ["Антонова", "Борисов", "Васильева", "Глебов"]
    anna, boris, vera, gleb = (
        f.StudentFactory(organisation=school, grade=9, class_letter="А", last_name=n) for n in names
    )
    other = f.StudentFactory(organisation=school, grade=9, class_letter="Б", last_name="Другой")
    horizons, parents = direction("horizons"), direction("parents")

    # Gleb in 9Б: a lesson of 1.5 h, then he moves to 9А (his participation stays his).
    gleb.class_letter = "Б"
    gleb.save(update_fields=["class_letter"])
    lesson_b = f.ActivityFactory(school=school, class_letter="Б", hours=Decimal("1.5"))
    for pupil in (gleb, other):
        f.ParticipationFactory(activity=lesson_b, student=pupil)
    gleb.class_letter = "А"
    gleb.save(update_fields=["class_letter"])

    # 9А: a 2-hour lesson with Вера absent; a parents' meeting; an 8-hour day only Анна had.
    lesson = f.ActivityFactory(school=school, hours=2, direction=horizons)
    meeting = f.ActivityFactory(school=school, hours=1, direction=parents)
    day = f.ActivityFactory(school=school, hours=8, direction=horizons)
    for pupil in (anna, boris, vera, gleb):
        f.ParticipationFactory(activity=lesson, student=pupil, attended=pupil != vera)
        f.ParticipationFactory(activity=meeting, student=pupil, attended=pupil in (anna, boris))
        f.ParticipationFactory(activity=day, student=pupil, attended=pupil == anna)
    # Last year's activity: another year, never counted.
    old = f.ActivityFactory(school=school, academic_year=YEAR - 1, hours=5)
    f.ParticipationFactory(activity=old, student=anna)

    # Events: E1 without a direction (events) for 3 h: Анна came, Борис did not, Вера's
    # attendance is not marked; E2 in «Профессиональное обучение» for 4 h: Борис came;
    # a cancelled one and one of last year count for nobody.
    e1 = f.EventFactory(starts_at=in_year(10), career_hours=3)
    f.RegistrationFactory(event=e1, student=anna, attended=True)
    f.RegistrationFactory(event=e1, student=boris, attended=False)
    f.RegistrationFactory(event=e1, student=vera, attended=None)
    e2 = f.EventFactory(
        starts_at=in_year(20), career_hours=4, career_direction=direction("vocational")
    )
    f.RegistrationFactory(event=e2, student=boris, attended=True)
    cancelled = f.EventFactory(starts_at=in_year(5), is_cancelled=True, career_hours=6)
    f.RegistrationFactory(event=cancelled, student=anna, attended=True)
    last_year = f.EventFactory(starts_at=in_year(0) - datetime.timedelta(days=30))
    f.RegistrationFactory(event=last_year, student=anna, attended=True)

    # Questionnaires: each completed this year gives 1 h of diagnostics.
    f.AttemptFactory(student=anna, completed_at=in_year(3))
    f.AttemptFactory(student=anna, completed_at=in_year(4))
    f.AttemptFactory(student=vera, completed_at=in_year(5))
    f.AttemptFactory(student=vera, completed_at=in_year(0) - datetime.timedelta(days=3))
    return Klass(anna, boris, vera, gleb, other)


def class_9a(world):
    return class_pupils(school=world.school_a, academic_year=YEAR, grade=9, class_letter="А")


# --- totals ---------------------------------------------------------------------------


def test_hours_by_direction_match_the_hand_computed_fixture(world, klass):
    hours = selectors.hours_by_direction(pupils=class_9a(world), year=YEAR)
    slugs = dict(Direction.objects.values_list("pk", "slug"))
    for name, (expected, _total) in EXPECTED.items():
        pupil = getattr(klass, name)
        got = {slugs[d]: h for d, h in hours.get(pupil.pk, {}).items() if h}
        assert got == {k: Decimal(v) for k, v in expected.items()}, name


def test_level_total_leaves_out_directions_not_counting_towards_the_level(world, klass):
    sheet = selectors.pupil_hours_sheet(
        pupils=class_9a(world),
        year=YEAR,
        level=selectors.school_level(school=world.school_a, year=YEAR),
    )
    totals = {r.student.pk: r.level_total for r in sheet.rows}
    for name, (_by, total) in EXPECTED.items():
        assert totals[getattr(klass, name).pk] == Decimal(total), name
    # Switching «Работа с родителями» on moves its hour into Анна's total.
    Direction.objects.filter(slug="parents").update(counts_towards_level=True)
    sheet = selectors.pupil_hours_sheet(pupils=class_9a(world), year=YEAR, level=sheet.level)
    assert {r.student.pk: r.level_total for r in sheet.rows}[klass.anna.pk] == 16


def test_totals_agree_with_direct_database_counts(world, klass):
    """The sheet's totals equal plain sums over each source made straight on the tables."""
    start, end = selectors.year_period(YEAR)
    questionnaire_hours = Direction.objects.get(slug="diagnostics").questionnaire_hours
    sheet = selectors.pupil_hours_sheet(
        pupils=class_9a(world), year=YEAR, level=selectors.Level("basic", chosen=False)
    )
    for row in sheet.rows:
        pupil = row.student
        from_activities = Participation.objects.filter(
            student=pupil, attended=True, activity__academic_year=YEAR
        ).aggregate(h=Sum("activity__hours"))["h"] or Decimal(0)
        from_events = Registration.objects.filter(
            student=pupil,
            attended=True,
            event__is_cancelled=False,
            event__starts_at__gte=start,
            event__starts_at__lt=end,
        ).aggregate(h=Sum("event__career_hours"))["h"] or Decimal(0)
        attempts = Attempt.objects.filter(
            student=pupil, completed_at__gte=start, completed_at__lt=end
        ).aggregate(n=Count("pk"))["n"]
        assert sum(row.by_direction.values()) == (
            from_activities + from_events + attempts * questionnaire_hours
        )


def test_pupil_who_moved_class_keeps_hours_and_leaves_the_old_sheet(world, klass):
    old = class_pupils(school=world.school_a, academic_year=YEAR, grade=9, class_letter="Б")
    assert [p.pk for p in old] == [klass.other.pk]
    sheet_b = selectors.pupil_hours_sheet(
        pupils=old, year=YEAR, level=selectors.Level("basic", chosen=False)
    )
    assert sheet_b.rows[0].level_total == Decimal("1.5")
    rows = selectors.pupil_hours_sheet(
        pupils=class_9a(world), year=YEAR, level=selectors.Level("basic", chosen=False)
    ).rows
    assert {r.student.pk: r.level_total for r in rows}[klass.gleb.pk] == Decimal("3.5")


# --- the pro-rata target --------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "target", "expected"),
    [
        (datetime.date(2026, 8, 31), 40, "0.0"),  # before the year
        (datetime.date(2026, 9, 1), 40, "0.0"),
        # 1 Sep → 15 Jan is 136 days of the 272 to 31 May: exactly half.
        (datetime.date(2027, 1, 15), 40, "20.0"),
        (datetime.date(2027, 1, 15), 60, "30.0"),
        # 1 Sep → 1 Oct: 30/272 of 80 = 8.82…
        (datetime.date(2026, 10, 1), 80, "8.8"),
        (datetime.date(2027, 5, 31), 60, "60.0"),
        (datetime.date(2027, 6, 15), 40, "40.0"),  # June–August: the full target
        (datetime.date(2027, 8, 31), 80, "80.0"),
    ],
)
def test_pro_rata_target_on_given_dates(day, target, expected):
    assert selectors.pro_rata_target(target=target, year=2026, day=day) == Decimal(expected)


def test_school_without_a_level_is_marked_against_the_basic_one(world):
    level = selectors.school_level(school=world.school_a, year=YEAR)
    assert (level.chosen, level.target) == (False, 40)
    f.SchoolPlanFactory(school=world.school_a, level=SchoolPlan.Level.ADVANCED)
    level = selectors.school_level(school=world.school_a, year=YEAR)
    assert (level.chosen, level.target) == (True, 80)


def test_behind_marks_on_a_given_day(world, klass):
    # Mid-January of the year: half the target. Basic: 20 h; main: 30 h.
    day = datetime.date(YEAR + 1, 1, 15)
    for level, target in (("basic", 20), ("main", 30)):
        sheet = selectors.pupil_hours_sheet(
            pupils=class_9a(world), year=YEAR, level=selectors.Level(level, chosen=True), day=day
        )
        assert sheet.target == target
        marks = {r.student.pk: r.behind for r in sheet.rows}
        for name, (_by, total) in EXPECTED.items():
            assert marks[getattr(klass, name).pk] is (Decimal(total) < target)
    # On 1 October (basic: 30/272 × 40 = 4.4 h) Анна and Борис are on track.
    sheet = selectors.pupil_hours_sheet(
        pupils=class_9a(world),
        year=YEAR,
        level=selectors.Level("basic", chosen=False),
        day=datetime.date(YEAR, 10, 1),
    )
    behind = {r.student.last_name for r in sheet.rows if r.behind}
    assert behind == {"Васильева", "Глебов"}


@pytest.mark.parametrize(
    ("day", "plan"),
    [
        (datetime.date(YEAR, 9, 1), None),  # nothing is due yet: nobody is behind
        (datetime.date(YEAR, 9, 25), None),  # basic 24/272 × 40 = 3.5 h: Глеб exactly
        (datetime.date(YEAR, 10, 1), "main"),
        (datetime.date(YEAR + 1, 1, 15), None),
        (datetime.date(YEAR + 1, 6, 15), "advanced"),  # the full target
    ],
)
def test_behind_condition_agrees_with_each_pupils_total(world, klass, day, plan):
    """The report's count of pupils behind (activities summed for all the pupils at once)
    marks the same pupils as each one's own total against the school's target."""
    if plan:
        f.SchoolPlanFactory(school=world.school_a, academic_year=YEAR, level=plan)
    target = selectors.pro_rata_target(
        target=selectors.school_level(school=world.school_a, year=YEAR).target, year=YEAR, day=day
    )
    pupils = class_9a(world)
    behind = set(
        pupils.filter(selectors.behind_condition(pupils=pupils, year=YEAR, day=day)).values_list(
            "last_name", flat=True
        )
    )
    expected = {
        getattr(klass, name).last_name
        for name, (_by, total) in EXPECTED.items()
        if Decimal(total) < target
    }
    assert behind == expected
    if day == datetime.date(YEAR, 9, 25):
        assert target == Decimal("3.5")
        assert "Глебов" not in behind


# --- the class sheet ------------------------------------------------------------------


def todays_target(target: int) -> Decimal:
    """The pro-rata target of today, worked out here from the rule (1 Sep – 31 May)."""
    today = timezone.localdate()
    elapsed = (today - datetime.date(YEAR, 9, 1)).days
    length = (datetime.date(YEAR + 1, 5, 31) - datetime.date(YEAR, 9, 1)).days
    share = min(1, max(0, elapsed / length))
    return Decimal(str(round(target * share + 1e-9, 1)))


def sheet_url(world, letter: str = "А") -> str:
    return reverse("career_minimum:class_sheet") + f"?school={world.school_a.pk}&class=9-{letter}"


def test_counsellor_sees_every_pupil_with_hours_and_behind_marks(
    client, world, klass, counsellor_a
):
    f.SchoolPlanFactory(school=world.school_a, level=SchoolPlan.Level.MAIN)
    client.force_login(counsellor_a)
    response = client.get(sheet_url(world))
    assert response.status_code == 200
    sheet = response.context["sheet"]
    assert sheet.level.level == "main"
    assert sheet.target == todays_target(60)
    rows = {r.student.pk: r for r in sheet.rows}
    assert set(rows) == {p.pk for p in klass.pupils}
    html = response.content.decode()
    for name, (_by, total) in EXPECTED.items():
        pupil = getattr(klass, name)
        assert rows[pupil.pk].level_total == Decimal(total)
        assert rows[pupil.pk].behind is (Decimal(total) < todays_target(60))
        assert pupil.full_name in html
        assert reverse("career_minimum:student_hours", args=[pupil.uuid]) in html
    assert klass.other.full_name not in html
    behind = sum(1 for _n, (_b, t) in EXPECTED.items() if Decimal(t) < todays_target(60))
    assert html.count('class="career-behind"') == behind
    assert "Основной" in html


def test_sheet_says_when_the_school_chose_no_level(client, world, klass, counsellor_a):
    client.force_login(counsellor_a)
    response = client.get(sheet_url(world))
    assert 'data-testid="no-level"' in response.content.decode()
    assert response.context["sheet"].target == todays_target(40)


def test_coordinator_chooses_the_school(client, world, coordinator, counsellor_b):
    f.StudentFactory(organisation=world.school_b, grade=7, class_letter="В", last_name="Школьников")
    client.force_login(coordinator)
    response = client.get(reverse("career_minimum:class_sheet"), {"school": world.school_b.pk})
    assert response.context["choice"].school == world.school_b
    assert "Школьников" in response.content.decode()
    # Another district's school is not offered and not shown.
    response = client.get(
        reverse("career_minimum:class_sheet"), {"school": world.other_district_school.pk}
    )
    assert response.context["choice"].school != world.other_district_school
    assert "недоступна" in response.content.decode()


def test_unknown_class_gets_a_message_not_an_error(client, world, klass, counsellor_a):
    client.force_login(counsellor_a)
    response = client.get(reverse("career_minimum:class_sheet"), {"class": "42-Z"})
    assert response.status_code == 200
    assert "Такого класса" in response.content.decode()


def test_xlsx_holds_the_same_figures_as_the_page(client, world, klass, counsellor_a):
    f.SchoolPlanFactory(school=world.school_a, level=SchoolPlan.Level.BASIC)
    client.force_login(counsellor_a)
    sheet = client.get(sheet_url(world)).context["sheet"]
    response = client.get(
        reverse("career_minimum:class_sheet_export") + f"?school={world.school_a.pk}&class=9-А"
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(response.content)).active
    lines = [list(row) for row in ws.iter_rows(values_only=True)]
    head = " ".join(str(line[0]) for line in lines[:5])
    assert world.school_a.short_name in head
    assert "9А" in head
    assert timezone.localdate().strftime("%d.%m.%Y") in head
    assert "Базовый" in head
    header_index = next(i for i, line in enumerate(lines) if line[0] == "№")
    header = lines[header_index]
    assert header[2 : 2 + len(sheet.directions)] == [d.title for d in sheet.directions]
    body = lines[header_index + 1 :]
    assert len(body) == len(sheet.rows)
    for line, row in zip(body, sheet.rows, strict=True):
        assert line[1] == row.student.full_name
        assert [Decimal(str(v)) for v in line[2 : 2 + len(sheet.directions)]] == row.cells
        assert Decimal(str(line[-3])) == row.level_total
        assert Decimal(str(line[-2])) == sheet.target
        assert line[-1] == ("отстаёт" if row.behind else "в графике")
    assert AuditEntry.objects.filter(
        actor=counsellor_a, action=AuditEntry.Action.EXPORT
    ).count() == len(sheet.rows)


@pytest.mark.usefixtures("uncached")
@pytest.mark.parametrize("size", [5, 30])
def test_sheet_queries_do_not_grow_with_the_class(
    client, world, counsellor_a, django_assert_num_queries, size
):
    pupils = [
        f.StudentFactory(organisation=world.school_a, grade=8, class_letter="А")
        for _ in range(size)
    ]
    activity = f.ActivityFactory(school=world.school_a, grade=8)
    event = f.EventFactory(starts_at=in_year(1))
    for pupil in pupils:
        f.ParticipationFactory(activity=activity, student=pupil)
        f.RegistrationFactory(event=event, student=pupil, attended=True)
        f.AttemptFactory(student=pupil, completed_at=in_year(2))
    client.force_login(counsellor_a)
    # session, user, memberships, guardian and pupil checks (5); schools, classes, level,
    # pupils, directions; activities, events, questionnaires (8).
    with django_assert_num_queries(13):
        response = client.get(reverse("career_minimum:class_sheet"), {"class": "8-А"})
    assert len(response.context["sheet"].rows) == size
    # The export adds the audit rows in one bulk insert.
    with django_assert_num_queries(14):
        client.get(reverse("career_minimum:class_sheet_export"), {"class": "8-А"})


# --- a pupil's page -------------------------------------------------------------------


def test_pupil_page_lists_what_gave_the_hours_and_what_is_missing(
    client, world, klass, counsellor_a
):
    client.force_login(counsellor_a)
    response = client.get(reverse("career_minimum:student_hours", args=[klass.boris.uuid]))
    assert response.status_code == 200
    page = response.context["page"]
    by_slug = {d.slug: h for d, h in page.direction_hours}
    expected, total = EXPECTED["boris"]
    for slug, hours in by_slug.items():
        assert hours == Decimal(expected.get(slug, 0)), slug
    assert page.row.level_total == total
    assert page.missing_year == 40 - total
    html = response.content.decode()
    # Three activities (one absent), two events (one not attended).
    assert html.count('data-testid="activity-row"') == 3
    assert html.count('data-testid="event-row"') == 2
    assert "не пришёл — не засчитано" in html
    assert "отсутствовал — не засчитано" in html


def test_parent_sees_only_their_own_child(client, world, klass, pupil_a, parent_of_pupil_a):
    activity = f.ActivityFactory(school=world.school_a, hours=3)
    f.ParticipationFactory(activity=activity, student=pupil_a)
    client.force_login(parent_of_pupil_a)
    response = client.get(reverse("career_minimum:student_hours", args=[pupil_a.uuid]))
    assert response.status_code == 200
    html = response.content.decode()
    assert pupil_a.full_name in html
    assert response.context["row"].level_total == 3
    for pupil in klass.pupils:
        assert pupil.full_name not in html
        other = client.get(reverse("career_minimum:student_hours", args=[pupil.uuid]))
        assert other.status_code == 404
    assert client.get(reverse("career_minimum:class_sheet")).status_code == 403


def test_pupil_detail_links_the_hours(client, world, pupil_a, counsellor_a):
    client.force_login(counsellor_a)
    html = client.get(reverse("students:student_detail", args=[pupil_a.uuid])).content.decode()
    assert reverse("career_minimum:student_hours", args=[pupil_a.uuid]) in html


@pytest.mark.parametrize("size", [1, 12])
def test_pupil_page_queries_do_not_grow(
    client, world, counsellor_a, pupil_a, django_assert_num_queries, size
):
    for _ in range(size):
        f.ParticipationFactory(activity=f.ActivityFactory(school=world.school_a), student=pupil_a)
        f.RegistrationFactory(event=f.EventFactory(starts_at=in_year(1)), student=pupil_a)
        f.AttemptFactory(student=pupil_a, completed_at=in_year(2))
    client.force_login(counsellor_a)
    # 5 for the user; the pupil and its audit row (2); level, pupil, directions and the
    # three sources (6); the activities, events and questionnaires listed (3); whether the
    # reader is the school's staff (1).
    with django_assert_num_queries(17):
        client.get(reverse("career_minimum:student_hours", args=[pupil_a.uuid]))


# --- the school's level -----------------------------------------------------------------


def test_head_chooses_the_level_of_the_year(client, world, head_a):
    client.force_login(head_a)
    response = client.post(
        reverse("career_minimum:school_plan"),
        {"school": world.school_a.pk, "academic_year": YEAR, "level": "advanced"},
    )
    assert response.status_code == 302
    plan = SchoolPlan.objects.get(school=world.school_a, academic_year=YEAR)
    assert (plan.level, plan.updated_by) == ("advanced", head_a)
    # Changing it replaces the year's choice.
    client.post(
        reverse("career_minimum:school_plan"),
        {"school": world.school_a.pk, "academic_year": YEAR, "level": "main"},
    )
    plan.refresh_from_db()
    assert plan.level == "main"
    assert SchoolPlan.objects.count() == 1
    html = client.get(reverse("career_minimum:school_plan")).content.decode()
    assert "Основной" in html


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Выберите уровень"),
        ({"level": "expert"}, "Такого уровня нет"),
        ({"level": "main", "academic_year": "1999"}, "текущий или следующий"),
        ({"level": "main", "school": "other"}, "недоступна"),
    ],
)
def test_bad_level_form_changes_nothing(client, world, head_a, data, message):
    client.force_login(head_a)
    data = {"school": world.school_a.pk, "academic_year": YEAR, **data}
    if data.get("school") == "other":
        data["school"] = world.school_b.pk
    response = client.post(reverse("career_minimum:school_plan"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not SchoolPlan.objects.exists()
