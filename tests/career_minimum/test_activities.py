"""Class activities of the career-guidance minimum: recording a lesson for a class with the
absent pupils, correcting it, one-click presence, who may do what, counted queries."""

from __future__ import annotations

import datetime
from collections import Counter
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from career_minimum import services
from career_minimum.directions import directions_install
from career_minimum.models import Activity, Direction, Participation
from resource_center.models import AuditEntry
from students.models import current_academic_year
from tests import factories as f
from tests.guidance.test_events_concurrency import run_at_once

pytestmark = pytest.mark.django_db

CREATE = reverse("career_minimum:activity_create")
LIST = reverse("career_minimum:activity_list")


@pytest.fixture
def horizons() -> Direction:
    return Direction.objects.get(slug=Direction.HORIZONS)


@pytest.fixture
def class_9b(world) -> list:
    """Four active pupils of 9Б of school A, in register order."""
    return [
        f.StudentFactory(organisation=world.school_a, grade=9, class_letter="Б", last_name=name)
        for name in ("Андреев", "Борисова", "Васильев", "Григорьева")
    ]


@pytest.fixture
def bystanders(world) -> list:
    """Pupils an activity for 9Б of school A must not touch."""
    year = current_academic_year()
    return [
        f.StudentFactory(organisation=world.school_a, grade=9, class_letter="А"),
        f.StudentFactory(organisation=world.school_a, grade=9, class_letter="Б", is_active=False),
        f.StudentFactory(organisation=world.school_a, grade=8, class_letter="Б"),
        f.StudentFactory(
            organisation=world.school_a, grade=9, class_letter="Б", academic_year=year - 1
        ),
        f.StudentFactory(organisation=world.school_b, grade=9, class_letter="Б"),
        f.StudentFactory(organisation=world.other_district_school, grade=9, class_letter="Б"),
    ]


def class_key(school, grade: int = 9, letter: str = "Б") -> str:
    return f"{school.pk}-{grade}-{letter}"


def lesson_post(school, lesson_direction, **changes) -> dict:
    data = {
        "school_class": class_key(school),
        "held_on": timezone.localdate().isoformat(),
        "hours": "1",
        "direction": lesson_direction.pk,
        "topic": "  Россия индустриальная:   атомная промышленность ",
    }
    data.update(changes)
    return data


def record(school, direction, by, *, absent=(), **changes):
    values = {
        "school": school,
        "academic_year": current_academic_year(),
        "grade": 9,
        "class_letter": "Б",
        "held_on": timezone.localdate(),
        "hours": Decimal("1"),
        "direction": direction,
        "topic": "Россия аграрная",
        "absent": absent,
        "by": by,
    }
    values.update(changes)
    return services.activity_record(**values)


def errors_of(exc: ValidationError) -> list[str]:
    return [str(m) for m in exc.messages]


# --- recording a lesson for a class -----------------------------------------------------


def test_lesson_for_a_class_with_one_pupil_absent_marks_exactly_the_class(
    client, world, counsellor_a, horizons, class_9b, bystanders
):
    absent = class_9b[2]
    client.force_login(counsellor_a)

    response = client.post(CREATE, lesson_post(world.school_a, horizons, absent=[absent.uuid]))

    activity = Activity.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("career_minimum:activity_detail", args=[activity.uuid])
    assert (activity.school, activity.grade, activity.class_letter) == (world.school_a, 9, "Б")
    assert activity.academic_year == current_academic_year()
    assert activity.topic == "Россия индустриальная: атомная промышленность"
    assert activity.recorded_by == counsellor_a
    marks = dict(Participation.objects.values_list("student_id", "attended"))
    assert marks == {p.pk: p.pk != absent.pk for p in class_9b}
    assert not Participation.objects.filter(student__in=bystanders).exists()
    created = AuditEntry.objects.filter(action=AuditEntry.Action.CREATE)
    assert set(created.values_list("student_id", flat=True)) == {p.pk for p in class_9b}
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages == ["Занятие внесено для 9Б: отсутствовали 1."]


def test_class_chooser_offers_classes_of_grades_6_to_11_with_active_pupils(
    client, world, counsellor_a, class_9b, bystanders
):
    f.StudentFactory(organisation=world.school_a, grade=5, class_letter="А")
    f.StudentFactory(organisation=world.school_a, grade=7, class_letter="В", is_active=False)
    client.force_login(counsellor_a)

    response = client.get(CREATE)

    choices = dict(response.context["chooser"].fields["school_class"].choices)
    assert set(choices) - {""} == {
        class_key(world.school_a, 9, "А"),
        class_key(world.school_a, 9, "Б"),
        class_key(world.school_a, 8, "Б"),
    }
    assert choices[class_key(world.school_a)] == "9Б — обучающихся: 4"
    assert response.context["form"] is None


def test_choosing_the_class_lists_its_pupils_with_absent_ticks_and_records_the_view(
    client, world, counsellor_a, class_9b, bystanders, horizons
):
    client.force_login(counsellor_a)

    response = client.get(CREATE, {"school_class": class_key(world.school_a)})

    assert [p.full_name for p in response.context["pupils"]] == [p.full_name for p in class_9b]
    html = response.content.decode()
    assert html.count('name="absent"') == len(class_9b)
    form = response.context["form"]
    assert form["held_on"].value() == timezone.localdate()
    assert form["hours"].value() == Decimal("1")
    assert form["direction"].value() == str(horizons.pk)
    views = AuditEntry.objects.filter(action=AuditEntry.Action.VIEW)
    assert set(views.values_list("student_id", flat=True)) == {p.pk for p in class_9b}


def test_coordinator_records_for_a_school_of_the_district(
    client, world, coordinator, horizons, class_9b
):
    f.StudentFactory(organisation=world.school_b, grade=6, class_letter="А")
    client.force_login(coordinator)

    page = client.get(CREATE)
    groups = [label for label, _ in page.context["chooser"].fields["school_class"].choices[1:]]
    response = client.post(CREATE, lesson_post(world.school_a, horizons))

    assert groups == [world.school_a.short_name, world.school_b.short_name]
    assert response.status_code == 302
    assert Participation.objects.filter(attended=True).count() == len(class_9b)


def test_class_of_another_school_cannot_be_posted(
    client, world, counsellor_a, horizons, bystanders
):
    client.force_login(counsellor_a)

    response = client.post(CREATE, lesson_post(world.school_b, horizons))

    assert response.status_code == 200
    assert "Выберите класс из списка" in response.content.decode()
    assert not Activity.objects.exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"held_on": "future"}, "Занятие ещё не прошло"),
        ({"held_on": "last_year"}, "Дата должна быть в пределах учебного года"),
        ({"held_on": "31.02.2026"}, "Введите дату в виде ДД.ММ.ГГГГ."),
        ({"hours": "0.1"}, "не меньше 0,25 часа"),
        ({"hours": "9"}, "не больше 8 часов"),
        ({"hours": "много"}, "Укажите часы числом"),
        ({"topic": "   "}, "Укажите тему занятия."),
        ({"direction": "999999"}, "Выберите направление из списка."),
        ({"absent": ["not-a-uuid"]}, "Список класса изменился"),
    ],
)
def test_wrong_values_are_explained_and_nothing_is_saved(
    client, world, counsellor_a, horizons, class_9b, changes, message
):
    today = timezone.localdate()
    dates = {
        "future": (today + datetime.timedelta(days=1)).isoformat(),
        "last_year": datetime.date(current_academic_year(), 8, 31).isoformat(),
    }
    if "held_on" in changes:
        changes = {"held_on": dates.get(changes["held_on"], changes["held_on"])}
    client.force_login(counsellor_a)

    response = client.post(CREATE, lesson_post(world.school_a, horizons, **changes))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Activity.objects.exists()
    assert not Participation.objects.exists()


def test_switched_off_direction_is_not_offered_and_refused(
    client, world, counsellor_a, horizons, class_9b
):
    Direction.objects.filter(pk=horizons.pk).update(is_active=False)
    client.force_login(counsellor_a)

    response = client.post(CREATE, lesson_post(world.school_a, horizons))

    assert "Выберите направление из списка." in response.content.decode()
    with pytest.raises(ValidationError) as exc:
        record(world.school_a, Direction.objects.get(pk=horizons.pk), counsellor_a)
    assert errors_of(exc.value) == ["Это направление больше не используется: выберите другое."]
    assert not Activity.objects.exists()


def test_double_submit_records_the_lesson_once(client, world, counsellor_a, horizons, class_9b):
    client.force_login(counsellor_a)

    client.post(CREATE, lesson_post(world.school_a, horizons))
    response = client.post(CREATE, lesson_post(world.school_a, horizons))

    assert response.status_code == 200
    assert "уже внесено" in response.content.decode()
    assert Activity.objects.count() == 1
    assert Participation.objects.count() == len(class_9b)


def test_service_refuses_a_class_without_pupils(world, counsellor_a, horizons):
    with pytest.raises(ValidationError) as exc:
        record(world.school_a, horizons, counsellor_a)
    assert errors_of(exc.value) == [
        "В классе 9Б нет обучающихся этого учебного года: занятие некому засчитать."
    ]
    assert not Activity.objects.exists()


def test_service_refuses_grades_outside_the_minimum(world, counsellor_a, horizons):
    f.StudentFactory(organisation=world.school_a, grade=5, class_letter="Б")
    with pytest.raises(ValidationError) as exc:
        record(world.school_a, horizons, counsellor_a, grade=5)
    assert errors_of(exc.value) == ["Профминимум проводится в 6–11 классах."]


def test_service_refuses_an_absent_pupil_of_another_class(
    world, counsellor_a, horizons, class_9b, bystanders
):
    with pytest.raises(ValidationError) as exc:
        record(world.school_a, horizons, counsellor_a, absent=[bystanders[0]])
    assert errors_of(exc.value) == [
        "Отсутствующими можно отметить только обучающихся этого класса."
    ]
    assert not Activity.objects.exists()


@pytest.mark.parametrize(
    ("hours", "ok"),
    [("0.24", False), ("0.25", True), ("8", True), ("8.01", False)],
)
def test_service_keeps_hours_between_a_quarter_and_eight(
    world, counsellor_a, horizons, class_9b, hours, ok
):
    if ok:
        assert record(world.school_a, horizons, counsellor_a, hours=Decimal(hours)).pk
        return
    with pytest.raises(ValidationError) as exc:
        record(world.school_a, horizons, counsellor_a, hours=Decimal(hours))
    assert errors_of(exc.value) == ["Продолжительность — от 0,25 до 8 часов."]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks need PostgreSQL (SQLite serialises)"
)
def test_the_same_lesson_sent_five_times_at_once_is_recorded_once(world, counsellor_a):
    directions_install(Direction)  # transactional tests empty what the migration installed
    pupils = [
        f.StudentFactory(organisation=world.school_a, grade=9, class_letter="Б", last_name=f"Я{n}")
        for n in range(5)
    ]
    horizons = Direction.objects.get(slug=Direction.HORIZONS)

    outcomes = run_at_once(
        [lambda: record(world.school_a, horizons, counsellor_a, absent=pupils[:1])] * 5
    )

    assert outcomes == Counter({"ok": 1, "duplicate": 4})
    assert Activity.objects.count() == 1
    assert Participation.objects.count() == len(pupils)


# --- a pupil who changes class ----------------------------------------------------------


def test_pupil_who_moves_class_keeps_the_lessons_of_the_old_class(
    client, world, counsellor_a, horizons, class_9b
):
    mover = class_9b[0]
    first = record(world.school_a, horizons, counsellor_a)
    mover.class_letter = "А"
    mover.save(update_fields=["class_letter"])

    later_9b = record(world.school_a, horizons, counsellor_a, topic="Россия цифровая")
    later_9a = record(world.school_a, horizons, counsellor_a, class_letter="А", topic="Урок")

    assert Participation.objects.get(activity=first, student=mover).attended is True
    assert not Participation.objects.filter(activity=later_9b, student=mover).exists()
    assert Participation.objects.filter(activity=later_9a).get().student == mover
    client.force_login(counsellor_a)
    page = client.get(reverse("career_minimum:activity_detail", args=[first.uuid]))
    assert "(теперь 9А)" in page.content.decode()


# --- the activity page and one-click presence -------------------------------------------


def toggle_url(participation) -> str:
    return reverse("career_minimum:participation_toggle", args=[participation.uuid])


def test_detail_lists_participants_with_a_toggle_each_and_records_the_view(
    client, world, counsellor_a, horizons, class_9b
):
    activity = record(world.school_a, horizons, counsellor_a, absent=[class_9b[1]])
    client.force_login(counsellor_a)
    AuditEntry.objects.all().delete()

    response = client.get(reverse("career_minimum:activity_detail", args=[activity.uuid]))

    html = response.content.decode()
    assert html.count('data-testid="participant-row"') == len(class_9b)
    assert html.count("/toggle/") == len(class_9b)
    assert f"Присутствовали {len(class_9b) - 1} из {len(class_9b)}." in html
    views = AuditEntry.objects.filter(action=AuditEntry.Action.VIEW)
    assert set(views.values_list("student_id", flat=True)) == {p.pk for p in class_9b}


def test_one_click_marks_a_pupil_absent_and_back(client, world, counsellor_a, horizons, class_9b):
    activity = record(world.school_a, horizons, counsellor_a)
    participation = Participation.objects.get(activity=activity, student=class_9b[0])
    client.force_login(counsellor_a)
    detail = reverse("career_minimum:activity_detail", args=[activity.uuid])
    updates = AuditEntry.objects.filter(action=AuditEntry.Action.UPDATE)

    response = client.post(toggle_url(participation), {"attended": "0"})
    participation.refresh_from_db()
    assert (response.status_code, response["Location"]) == (302, detail)
    assert participation.attended is False
    assert updates.get().student == class_9b[0]
    page = client.get(detail)
    assert f"{class_9b[0].full_name}: отмечено отсутствие." in page.content.decode()

    client.post(toggle_url(participation), {"attended": "0"})  # a double click
    assert updates.count() == 1
    client.post(toggle_url(participation), {"attended": "1"})
    participation.refresh_from_db()
    assert participation.attended is True
    assert updates.count() == 2
    others = Participation.objects.exclude(pk=participation.pk)
    assert set(others.values_list("attended", flat=True)) == {True}


@pytest.mark.parametrize("data", [{}, {"attended": "maybe"}, {"attended": ""}])
def test_empty_or_wrong_toggle_changes_nothing(
    client, world, counsellor_a, horizons, class_9b, data
):
    activity = record(world.school_a, horizons, counsellor_a)
    participation = activity.participations.first()
    client.force_login(counsellor_a)

    response = client.post(toggle_url(participation), data, follow=True)

    participation.refresh_from_db()
    assert participation.attended is True
    assert "ничего не изменено" in response.content.decode()


def test_toggle_goes_back_to_a_local_page_only(client, world, counsellor_a, horizons, class_9b):
    activity = record(world.school_a, horizons, counsellor_a)
    participation = activity.participations.first()
    client.force_login(counsellor_a)

    local = client.post(toggle_url(participation), {"attended": "0", "next": LIST + "?x=1"})
    outside = client.post(
        toggle_url(participation), {"attended": "1", "next": "https://evil.example/"}
    )

    assert local["Location"] == LIST + "?x=1"
    assert outside["Location"] == reverse("career_minimum:activity_detail", args=[activity.uuid])


@pytest.mark.parametrize("target", ["-1", "home", "abc"])
def test_toggle_ignores_a_next_that_is_not_a_path(
    client, world, counsellor_a, horizons, class_9b, target
):
    activity = record(world.school_a, horizons, counsellor_a)
    participation = activity.participations.first()
    client.force_login(counsellor_a)

    refused = client.post(toggle_url(participation), {"next": target})
    done = client.post(toggle_url(participation), {"attended": "0", "next": target})

    detail = reverse("career_minimum:activity_detail", args=[activity.uuid])
    assert refused["Location"] == detail
    assert done["Location"] == detail
    participation.refresh_from_db()
    assert participation.attended is False


def test_toggle_answers_get_with_405(client, world, counsellor_a, horizons, class_9b):
    activity = record(world.school_a, horizons, counsellor_a)
    client.force_login(counsellor_a)
    assert client.get(toggle_url(activity.participations.first())).status_code == 405


# --- who may do what --------------------------------------------------------------------


def test_head_reads_the_activity_but_cannot_record_edit_or_toggle(
    client, world, counsellor_a, head_a, horizons, class_9b
):
    activity = record(world.school_a, horizons, counsellor_a)
    participation = activity.participations.first()
    client.force_login(head_a)

    detail = client.get(reverse("career_minimum:activity_detail", args=[activity.uuid]))
    assert detail.status_code == 200
    assert "/toggle/" not in detail.content.decode()
    assert 'data-testid="activity-edit"' not in detail.content.decode()
    assert client.get(CREATE).status_code == 403
    assert client.post(CREATE, lesson_post(world.school_a, horizons)).status_code == 403
    edit = reverse("career_minimum:activity_update", args=[activity.uuid])
    assert client.post(edit, {"topic": "x"}).status_code == 403
    assert client.post(toggle_url(participation), {"attended": "0"}).status_code == 403
    participation.refresh_from_db()
    assert participation.attended is True
    assert Activity.objects.count() == 1


def test_counsellor_of_another_school_gets_404(
    client, world, counsellor_a, counsellor_b, horizons, class_9b
):
    activity = record(world.school_a, horizons, counsellor_a)
    participation = activity.participations.first()
    client.force_login(counsellor_b)

    for name in ("activity_detail", "activity_update"):
        url = reverse(f"career_minimum:{name}", args=[activity.uuid])
        assert client.get(url).status_code == 404
    assert client.post(toggle_url(participation), {"attended": "0"}).status_code == 404
    assert client.get(LIST).context["page"].paginator.count == 0


# --- correcting an activity -------------------------------------------------------------


def test_counsellor_corrects_date_hours_direction_and_topic(
    client, world, counsellor_a, horizons, class_9b
):
    activity = record(world.school_a, horizons, counsellor_a)
    lessons = Direction.objects.get(slug="lessons")
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    if yesterday < datetime.date(current_academic_year(), 9, 1):
        yesterday = timezone.localdate()
    client.force_login(counsellor_a)
    url = reverse("career_minimum:activity_update", args=[activity.uuid])

    page = client.get(url)
    response = client.post(
        url,
        {
            "held_on": yesterday.isoformat(),
            "hours": "1.5",
            "direction": lessons.pk,
            "topic": "Физика и атомная энергетика",
        },
    )

    activity.refresh_from_db()
    assert "Класс внесённого занятия не меняется" in page.content.decode()
    assert response.status_code == 302
    assert (activity.held_on, activity.hours, activity.direction, activity.topic) == (
        yesterday,
        Decimal("1.5"),
        lessons,
        "Физика и атомная энергетика",
    )
    assert (activity.grade, activity.class_letter) == (9, "Б")


def test_wrong_correction_is_explained_and_nothing_changes(
    client, world, counsellor_a, horizons, class_9b
):
    activity = record(world.school_a, horizons, counsellor_a)
    client.force_login(counsellor_a)
    url = reverse("career_minimum:activity_update", args=[activity.uuid])

    empty = client.post(url, {})
    response = client.post(url, {"held_on": "x", "hours": "20", "direction": "", "topic": "a"})

    assert empty.status_code == 200
    html = response.content.decode()
    assert "Введите дату в виде ДД.ММ.ГГГГ." in html
    assert "не больше 8 часов" in html
    assert "Выберите направление." in html
    activity.refresh_from_db()
    assert (activity.hours, activity.topic) == (Decimal("1"), "Россия аграрная")


def test_class_of_a_recorded_activity_cannot_change(world, counsellor_a, horizons, class_9b):
    activity = record(world.school_a, horizons, counsellor_a)
    with pytest.raises(ValidationError) as exc:
        services.activity_update(
            activity=activity,
            held_on=activity.held_on,
            hours=activity.hours,
            direction=horizons,
            topic=activity.topic,
            class_letter="А",
            by=counsellor_a,
        )
    assert "Класс внесённого занятия изменить нельзя" in errors_of(exc.value)[0]
    activity.refresh_from_db()
    assert activity.class_letter == "Б"


def test_activity_keeps_a_direction_switched_off_later(
    client, world, counsellor_a, horizons, class_9b
):
    activity = record(world.school_a, horizons, counsellor_a)
    Direction.objects.filter(pk=horizons.pk).update(is_active=False)
    client.force_login(counsellor_a)
    url = reverse("career_minimum:activity_update", args=[activity.uuid])

    response = client.post(
        url,
        {
            "held_on": activity.held_on.isoformat(),
            "hours": "2",
            "direction": horizons.pk,
            "topic": activity.topic,
        },
    )

    activity.refresh_from_db()
    assert response.status_code == 302
    assert (activity.direction_id, activity.hours) == (horizons.pk, Decimal("2"))


# --- the list ---------------------------------------------------------------------------


def test_list_shows_the_schools_activities_of_the_year_with_filters(
    client, world, counsellor_a, horizons, class_9b, bystanders
):
    lessons = Direction.objects.get(slug="lessons")
    b_lesson = record(world.school_a, horizons, counsellor_a, absent=[class_9b[0]])
    a_lesson = record(world.school_a, lessons, counsellor_a, class_letter="А")
    f.ActivityFactory(school=world.school_a, academic_year=current_academic_year() - 1)
    f.ActivityFactory(school=world.school_b)
    client.force_login(counsellor_a)

    everything = client.get(LIST)
    by_class = client.get(LIST, {"school_class": class_key(world.school_a)})
    by_direction = client.get(LIST, {"direction": lessons.pk})
    wrong = client.get(LIST, {"school_class": "nonsense", "direction": "99999999999999999999"})

    # Same day: by grade, then letter.
    assert list(everything.context["page"]) == [a_lesson, b_lesson]
    shown = list(by_class.context["page"])
    assert shown == [b_lesson]
    assert (shown[0].present, shown[0].absent) == (len(class_9b) - 1, 1)
    assert list(by_direction.context["page"]) == [a_lesson]
    assert wrong.status_code == 200
    assert wrong.context["page"].paginator.count == 2
    assert "указаны неверно" in wrong.content.decode()


# --- counted queries --------------------------------------------------------------------


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("pupils", [5, 30])
def test_detail_queries_do_not_grow_with_the_class(
    client, world, counsellor_a, horizons, django_assert_num_queries, pupils
):
    for n in range(pupils):
        f.StudentFactory(organisation=world.school_a, grade=9, class_letter="Б", last_name=f"Я{n}")
    activity = record(world.school_a, horizons, counsellor_a, absent=[])
    client.force_login(counsellor_a)

    # session, user; memberships, guardian and pupil checks (the user's access); the
    # activity; the participants with their pupils; one bulk insert of the audit rows; may
    # the user manage it
    with django_assert_num_queries(9):
        client.get(reverse("career_minimum:activity_detail", args=[activity.uuid]))


@pytest.mark.parametrize("activities", [5, 30])
def test_list_queries_do_not_grow_with_activities(
    client, world, counsellor_a, horizons, django_assert_num_queries, activities
):
    pupils = [
        f.StudentFactory(organisation=world.school_a, grade=9, class_letter="Б")
        for _ in range(activities)
    ]
    for n in range(activities):
        record(world.school_a, horizons, counsellor_a, absent=pupils[:1], topic=f"Урок {n}")
    client.force_login(counsellor_a)

    # session, user; the user's access (3); the classes and the directions of the filter;
    # count; the page with school, direction and presence counts
    with django_assert_num_queries(9):
        client.get(LIST, {"direction": horizons.pk})


@pytest.mark.parametrize("pupils", [5, 30])
def test_create_form_queries_do_not_grow_with_the_class(
    client, world, counsellor_a, django_assert_num_queries, pupils
):
    for n in range(pupils):
        f.StudentFactory(organisation=world.school_a, grade=9, class_letter="Б", last_name=f"Я{n}")
    client.force_login(counsellor_a)

    # session, user; the user's access (3); the classes; the directions; the class's
    # pupils; one bulk insert of the audit rows
    with django_assert_num_queries(9):
        client.get(CREATE, {"school_class": class_key(world.school_a)})


@pytest.mark.parametrize("size", [5, 30])
def test_recording_a_lesson_runs_the_same_queries_for_any_class(
    client, world, counsellor_a, horizons, django_assert_num_queries, size
):
    pupils = [
        f.StudentFactory(organisation=world.school_a, grade=9, class_letter="Б", last_name=f"Я{n}")
        for n in range(size)
    ]
    client.force_login(counsellor_a)

    # session, user, the user's access (3); the classes; the class's pupils; the directions;
    # the school; savepoint; the school locked; the duplicate check; the pupils again under
    # the lock; the activity; the participations in one insert; the audit rows of the
    # present and of the absent; release
    with django_assert_num_queries(18):
        response = client.post(
            CREATE, lesson_post(world.school_a, horizons, absent=[p.uuid for p in pupils[:3]])
        )

    assert response.status_code == 302
    assert Participation.objects.filter(attended=False).count() == 3
    assert Participation.objects.filter(attended=True).count() == size - 3
