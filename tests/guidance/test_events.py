"""Career events: publishing, registering pupils with consent within the seats, cancelling,
attendance and pupils' feedback."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from guidance.forms.events import EventForm
from guidance.models import Event, Feedback, Registration
from guidance.selectors.events import registrations_of_student
from guidance.services import events as services
from resource_center import access
from resource_center.models import AuditEntry
from students.models import Consent
from tests import factories as f

pytestmark = pytest.mark.django_db

PROCESSING = Consent.Scope.PROCESSING
TO_TECHNIKUM = Consent.Scope.TRANSFER_TECHNIKUM
TO_EMPLOYERS = Consent.Scope.TRANSFER_EMPLOYERS


def give_consent(student, *scopes: str) -> None:
    guardian = student.guardians.first() or f.GuardianFactory(student=student)
    for scope in scopes or (PROCESSING,):
        f.ConsentFactory(student=student, guardian=guardian, scope=scope)


def withdraw(student, scope: str = PROCESSING) -> None:
    Consent.objects.filter(student=student, scope=scope).update(withdrawn_at=timezone.now())


def started_event(**kwargs) -> Event:
    """An event that began an hour ago."""
    return f.EventFactory(starts_at=timezone.now() - datetime.timedelta(hours=1), **kwargs)


@pytest.fixture
def school_event(world, counsellor_a):
    """School A's own open day: only the processing consent is needed."""
    return f.EventFactory(
        organiser=world.school_a, created_by=counsellor_a, kind=Event.Kind.OPEN_DAY
    )


@pytest.fixture
def technikum_event(world, technikum_staff):
    return f.EventFactory(organiser=world.technikum, created_by=technikum_staff)


def event_post(organiser, **changes) -> dict[str, object]:
    day = timezone.localdate() + datetime.timedelta(days=10)
    data: dict[str, object] = {
        "kind": Event.Kind.EXCURSION,
        "title": "  Экскурсия   на ОАО «Нытва» ",
        "organiser": organiser.pk,
        "starts_at_0": day.isoformat(),
        "starts_at_1": "10:00",
        "ends_at_0": day.isoformat(),
        "ends_at_1": "12:30",
        "place": "г. Нытва, ул. Карла Маркса, 75",
        "min_grade": 8,
        "max_grade": 11,
        "capacity": 15,
        "description": "Знакомство с прокатным производством.",
        "is_public": "on",
    }
    data.update(changes)
    return data


# --- the event form ---------------------------------------------------------------------


def _form(user, data, **kwargs) -> EventForm:
    return EventForm(data, organisers=access.event_organisers_for(user), **kwargs)


def test_form_accepts_a_valid_event_and_tidies_the_title(world, counsellor_a):
    form = _form(counsellor_a, event_post(world.school_a))

    assert form.is_valid(), form.errors
    assert form.cleaned_data["title"] == "Экскурсия на ОАО «Нытва»"
    local = timezone.localtime(form.cleaned_data["starts_at"])
    assert (local.hour, local.minute) == (10, 0)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"ends_at_1": "09:00"}, "ends_at", "Окончание должно быть позже начала."),
        ({"min_grade": 10, "max_grade": 9}, "max_grade", "Последний класс не может быть меньше"),
        ({"max_grade": 12}, "max_grade", "Укажите класс от 1 до 11."),
        ({"min_grade": 0}, "min_grade", "Укажите класс от 1 до 11."),
        ({"capacity": 0}, "capacity", "Мест должно быть не меньше одного."),
        ({"capacity": "много"}, "capacity", "Укажите число мест целым числом."),
        ({"starts_at_0": "2020-01-10", "ends_at_0": "2020-01-10"}, "starts_at", "уже прошло"),
        ({"starts_at_0": "31.02.2027"}, "starts_at", "ДД.ММ.ГГГГ"),
        ({"starts_at_1": "25:61"}, "starts_at", "ЧЧ:ММ"),
        ({"kind": "party"}, "kind", "Выберите вид мероприятия из списка."),
        ({"title": "   "}, "title", "Введите название мероприятия."),
    ],
)
def test_form_explains_wrong_values(world, counsellor_a, changes, field, message):
    form = _form(counsellor_a, event_post(world.school_a, **changes))

    assert not form.is_valid()
    assert message in " ".join(form.errors[field])


def test_form_offers_only_the_users_organisations_and_preselects_a_single_one(world, counsellor_a):
    form = _form(counsellor_a, None)

    assert list(form.fields["organiser"].queryset) == [world.school_a]
    assert form.fields["organiser"].initial == world.school_a.pk
    assert "is_cancelled" not in form.fields


def test_form_refuses_an_organisation_of_someone_else(world, counsellor_a):
    form = _form(counsellor_a, event_post(world.technikum))

    assert not form.is_valid()
    assert "organiser" in form.errors


def test_form_refuses_fewer_seats_than_pupils_registered(world, technikum_event, counsellor_a):
    form = _form(counsellor_a, event_post(world.school_a, capacity=2), registered=3)

    assert not form.is_valid()
    assert "уже записано обучающихся: 3" in form.errors["capacity"][0]


# --- publishing and editing -------------------------------------------------------------


def test_counsellor_publishes_an_event_of_own_school(client, world, counsellor_a):
    client.force_login(counsellor_a)

    response = client.post(reverse("guidance:event_create"), event_post(world.school_a))

    event = Event.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("guidance:event_detail", args=[event.uuid])
    assert (event.organiser, event.created_by, event.capacity) == (world.school_a, counsellor_a, 15)
    assert event.title == "Экскурсия на ОАО «Нытва»"


def test_event_with_interest_types_keeps_them(client, world, counsellor_a):
    scales = f.ScaleFactory.create_batch(2)
    client.force_login(counsellor_a)

    client.post(
        reverse("guidance:event_create"),
        event_post(world.school_a, interest_types=[s.pk for s in scales]),
    )

    assert set(Event.objects.get().interest_types.all()) == set(scales)


def test_invalid_event_is_not_saved_and_the_page_says_why(client, world, counsellor_a):
    client.force_login(counsellor_a)

    response = client.post(
        reverse("guidance:event_create"), event_post(world.school_a, ends_at_1="08:00")
    )

    assert response.status_code == 200
    assert "Окончание должно быть позже начала." in response.content.decode()
    assert not Event.objects.exists()


def test_organiser_edits_and_cancels_the_event(client, technikum_event, technikum_staff, world):
    client.force_login(technikum_staff)
    data = event_post(world.technikum, title="Профпроба «Повар»", is_cancelled="on")

    response = client.post(reverse("guidance:event_update", args=[technikum_event.uuid]), data)

    assert response.status_code == 302
    technikum_event.refresh_from_db()
    assert technikum_event.title == "Профпроба «Повар»"
    assert technikum_event.is_cancelled


def test_event_under_way_can_still_be_corrected(client, world, technikum_staff):
    event = started_event(organiser=world.technikum, created_by=technikum_staff)
    start = timezone.localtime(event.starts_at)
    end = timezone.localtime(event.ends_at)
    data = event_post(
        world.technikum,
        place="Корпус № 2",
        starts_at_0=start.date().isoformat(),
        starts_at_1=start.strftime("%H:%M"),
        ends_at_0=end.date().isoformat(),
        ends_at_1=end.strftime("%H:%M"),
    )
    client.force_login(technikum_staff)

    response = client.post(reverse("guidance:event_update", args=[event.uuid]), data)

    assert response.status_code == 302
    event.refresh_from_db()
    assert event.place == "Корпус № 2"


def test_seats_cannot_drop_below_the_registered_pupils(
    client, technikum_event, technikum_staff, world
):
    for _ in range(3):
        f.RegistrationFactory(event=technikum_event)
    client.force_login(technikum_staff)

    response = client.post(
        reverse("guidance:event_update", args=[technikum_event.uuid]),
        event_post(world.technikum, capacity=2),
    )

    assert response.status_code == 200
    assert "уже записано обучающихся: 3" in response.content.decode()
    technikum_event.refresh_from_db()
    assert technikum_event.capacity == 10


def test_service_rechecks_the_seats_under_the_lock(technikum_event, technikum_staff):
    f.RegistrationFactory.create_batch(4, event=technikum_event)

    with pytest.raises(ValidationError) as exc:
        services.event_update(event=technikum_event, data={"capacity": 3}, by=technikum_staff)

    assert "capacity" in exc.value.error_dict


def test_update_page_of_an_event_is_for_its_managers_only(client, technikum_event, counsellor_a):
    client.force_login(counsellor_a)

    response = client.post(reverse("guidance:event_update", args=[technikum_event.uuid]), {})

    assert response.status_code == 403


# --- registering pupils -----------------------------------------------------------------


def register_url(event) -> str:
    return reverse("guidance:event_register", args=[event.uuid])


def test_counsellor_registers_pupils_with_consent(client, school_event, counsellor_a, world):
    pupils = f.StudentFactory.create_batch(2, organisation=world.school_a, grade=9)
    for pupil in pupils:
        give_consent(pupil)
    client.force_login(counsellor_a)

    response = client.post(register_url(school_event), {"students": [p.uuid for p in pupils]})

    assert response.status_code == 302
    assert response["Location"] == reverse("guidance:event_detail", args=[school_event.uuid])
    assert set(school_event.registrations.values_list("student", flat=True)) == {
        p.pk for p in pupils
    }
    entries = AuditEntry.objects.filter(action=AuditEntry.Action.CREATE)
    assert {e.student for e in entries} == set(pupils)
    assert all(school_event.title in e.details for e in entries)
    assert all(e.actor == counsellor_a for e in entries)


def test_pupil_without_consent_is_shown_disabled_with_the_reason(
    client, school_event, counsellor_a, pupil_a
):
    client.force_login(counsellor_a)

    page = client.get(register_url(school_event)).content.decode()

    row = page[page.index(f'data-testid="candidate-{pupil_a.uuid}"') :]
    row = row[: row.index("</tr>")]
    assert "disabled" in row
    assert "нет согласия: Обработка школой и ресурсным центром" in row


def test_pupil_without_consent_cannot_be_registered(client, school_event, counsellor_a, pupil_a):
    client.force_login(counsellor_a)

    response = client.post(register_url(school_event), {"students": [pupil_a.uuid]})

    assert response.status_code == 200
    assert "записать нельзя" in response.content.decode()
    assert not Registration.objects.exists()


def test_service_refuses_a_pupil_without_consent(school_event, counsellor_a, pupil_a):
    with pytest.raises(ValidationError) as exc:
        services.event_register(event=school_event, students=[pupil_a], by=counsellor_a)

    assert exc.value.code == "no_consent"
    assert pupil_a.full_name in exc.value.messages[0]
    assert not Registration.objects.exists()


def test_withdrawn_consent_blocks_registration(school_event, counsellor_a, pupil_a):
    give_consent(pupil_a)
    withdraw(pupil_a)

    with pytest.raises(ValidationError):
        services.event_register(event=school_event, students=[pupil_a], by=counsellor_a)


@pytest.mark.parametrize(
    ("organiser", "transfer"),
    [("technikum", TO_TECHNIKUM), ("employer", TO_EMPLOYERS)],
)
def test_technikum_or_employer_event_needs_the_transfer_consent(
    world, counsellor_a, pupil_a, organiser, transfer
):
    event = f.EventFactory(organiser=getattr(world, organiser))
    give_consent(pupil_a, PROCESSING)

    with pytest.raises(ValidationError) as exc:
        services.event_register(event=event, students=[pupil_a], by=counsellor_a)
    assert str(Consent.Scope(transfer).label) in exc.value.messages[0]

    give_consent(pupil_a, transfer)
    services.event_register(event=event, students=[pupil_a], by=counsellor_a)
    assert Registration.objects.filter(event=event, student=pupil_a).exists()


def test_registration_is_all_or_nothing_when_seats_run_out(school_event, counsellor_a, world):
    school_event.capacity = 3
    school_event.save()
    f.RegistrationFactory.create_batch(2, event=school_event)
    pupils = f.StudentFactory.create_batch(2, organisation=world.school_a)
    for pupil in pupils:
        give_consent(pupil)

    with pytest.raises(ValidationError) as exc:
        services.event_register(event=school_event, students=pupils, by=counsellor_a)

    assert exc.value.code == "capacity"
    assert "Осталось мест: 1" in exc.value.messages[0]
    assert school_event.registrations.count() == 2


def test_full_event_page_says_how_many_seats_are_left(client, school_event, counsellor_a, world):
    school_event.capacity = 1
    school_event.save()
    pupils = f.StudentFactory.create_batch(2, organisation=world.school_a)
    for pupil in pupils:
        give_consent(pupil)
    client.force_login(counsellor_a)

    response = client.post(register_url(school_event), {"students": [p.uuid for p in pupils]})

    assert response.status_code == 200
    assert "Осталось мест: 1" in response.content.decode()
    assert not Registration.objects.exists()


def test_already_registered_pupil_is_not_registered_twice(school_event, counsellor_a, pupil_a):
    give_consent(pupil_a)
    services.event_register(event=school_event, students=[pupil_a], by=counsellor_a)

    again = services.event_register(event=school_event, students=[pupil_a], by=counsellor_a)

    assert again == []
    assert school_event.registrations.count() == 1


def test_double_submit_of_the_register_form_keeps_one_registration(
    client, school_event, counsellor_a, pupil_a
):
    give_consent(pupil_a)
    client.force_login(counsellor_a)

    client.post(register_url(school_event), {"students": [pupil_a.uuid]})
    second = client.post(register_url(school_event), {"students": [pupil_a.uuid]})

    assert second.status_code == 200  # the pupil is no longer offered
    assert school_event.registrations.count() == 1


@pytest.mark.parametrize(
    "make",
    [
        lambda world: started_event(organiser=world.school_a),
        lambda world: f.EventFactory(organiser=world.school_a, is_cancelled=True),
    ],
    ids=["started", "cancelled"],
)
def test_started_or_cancelled_event_refuses_registration(client, world, counsellor_a, make):
    event = make(world)
    pupil = f.StudentFactory(organisation=world.school_a)
    give_consent(pupil)
    client.force_login(counsellor_a)

    page = client.get(register_url(event))
    response = client.post(register_url(event), {"students": [pupil.uuid]}, follow=True)

    assert 'data-testid="closed"' in page.content.decode()
    assert "запись закрыта" in response.content.decode()
    with pytest.raises(ValidationError):
        services.event_register(event=event, students=[pupil], by=counsellor_a)
    assert not Registration.objects.exists()


def test_pupil_of_a_grade_outside_the_event_is_refused(school_event, counsellor_a, world):
    young = f.StudentFactory(organisation=world.school_a, grade=5)
    give_consent(young)

    with pytest.raises(ValidationError) as exc:
        services.event_register(event=school_event, students=[young], by=counsellor_a)

    assert exc.value.code == "grade"


def test_register_page_lists_own_pupils_of_fitting_grades_this_year(
    client, school_event, counsellor_a, world, pupil_a, pupil_b
):
    young = f.StudentFactory(organisation=world.school_a, grade=5, last_name="Младший")
    last_year = f.StudentFactory(
        organisation=world.school_a, academic_year=pupil_a.academic_year - 1, last_name="Прошлый"
    )
    client.force_login(counsellor_a)

    page = client.get(register_url(school_event)).content.decode()

    assert pupil_a.full_name in page
    for other in (pupil_b, young, last_year):
        assert other.full_name not in page


def test_tampered_student_uuid_is_a_form_error(client, school_event, counsellor_a, pupil_b):
    give_consent(pupil_b)
    client.force_login(counsellor_a)

    for value in ("not-a-uuid", str(pupil_b.uuid)):
        response = client.post(register_url(school_event), {"students": [value]})
        assert response.status_code == 200
        assert 'data-testid="errors"' in response.content.decode()
    assert not Registration.objects.exists()


# --- cancelling a registration ----------------------------------------------------------


def cancel_url(registration) -> str:
    return reverse("guidance:registration_cancel", args=[registration.uuid])


def test_counsellor_cancels_a_registration(client, school_event, counsellor_a, pupil_a):
    registration = f.RegistrationFactory(event=school_event, student=pupil_a)
    client.force_login(counsellor_a)

    response = client.post(cancel_url(registration))

    assert response.status_code == 302
    assert response["Location"] == reverse("guidance:event_detail", args=[school_event.uuid])
    assert not Registration.objects.exists()
    entry = AuditEntry.objects.get(action=AuditEntry.Action.DELETE)
    assert (entry.student, entry.actor) == (pupil_a, counsellor_a)


def test_cancel_goes_back_to_a_local_page_only(client, school_event, counsellor_a, pupil_a):
    client.force_login(counsellor_a)
    student_page = reverse("students:student_detail", args=[pupil_a.uuid])

    first = f.RegistrationFactory(event=school_event, student=pupil_a)
    response = client.post(cancel_url(first), {"next": student_page})
    assert response["Location"] == student_page

    second = f.RegistrationFactory(event=school_event, student=pupil_a)
    response = client.post(cancel_url(second), {"next": "https://evil.example/"})
    assert response["Location"] == reverse("guidance:event_detail", args=[school_event.uuid])


def test_registration_of_a_started_event_cannot_be_cancelled(client, world, counsellor_a, pupil_a):
    registration = f.RegistrationFactory(
        event=started_event(organiser=world.school_a), student=pupil_a
    )
    client.force_login(counsellor_a)

    response = client.post(cancel_url(registration), follow=True)

    assert "запись отменить нельзя" in response.content.decode()
    assert Registration.objects.filter(pk=registration.pk).exists()


def test_cancel_answers_get_with_405(client, school_event, counsellor_a, pupil_a):
    registration = f.RegistrationFactory(event=school_event, student=pupil_a)
    client.force_login(counsellor_a)

    assert client.get(cancel_url(registration)).status_code == 405


# --- attendance -------------------------------------------------------------------------


def attendance_url(event) -> str:
    return reverse("guidance:event_attendance", args=[event.uuid])


@pytest.fixture
def held_event(world, technikum_staff):
    """A technikum work taster that began an hour ago."""
    return started_event(organiser=world.technikum, created_by=technikum_staff)


def registered(event, *, last_name: str, consent: bool = True) -> Registration:
    pupil = f.StudentFactory(last_name=last_name)  # a pupil of some school, not the organiser's
    if consent:
        give_consent(pupil, *event.required_consent_scopes)
    return f.RegistrationFactory(event=event, student=pupil)


def test_organiser_marks_attendance(client, held_event, technikum_staff):
    came = registered(held_event, last_name="Пришедший")
    missed = registered(held_event, last_name="Отсутствующий")
    client.force_login(technikum_staff)

    response = client.post(
        attendance_url(held_event),
        {f"r-{came.uuid}": "yes", f"r-{missed.uuid}": "no"},
    )

    assert response.status_code == 302
    came.refresh_from_db()
    missed.refresh_from_db()
    assert (came.attended, missed.attended) == (True, False)
    updates = AuditEntry.objects.filter(action=AuditEntry.Action.UPDATE)
    assert {e.student for e in updates} == {came.student, missed.student}


def test_attendance_page_lists_pupils_and_records_the_view(client, held_event, technikum_staff):
    row = registered(held_event, last_name="Видимый")
    client.force_login(technikum_staff)

    page = client.get(attendance_url(held_event)).content.decode()

    assert row.student.full_name in page
    view = AuditEntry.objects.get(action=AuditEntry.Action.VIEW)
    assert (view.student, view.actor) == (row.student, technikum_staff)


def test_withdrawn_consent_hides_the_pupil_from_the_organiser(client, held_event, technikum_staff):
    shown = registered(held_event, last_name="Видимый")
    gone = registered(held_event, last_name="Скрытый")
    withdraw(gone.student, TO_TECHNIKUM)
    client.force_login(technikum_staff)

    page = client.get(attendance_url(held_event)).content.decode()

    assert shown.student.full_name in page
    assert gone.student.full_name not in page
    assert "отозвали согласие: 1" in page
    assert not AuditEntry.objects.filter(student=gone.student).exists()
    # Its row is not on the form, so a crafted mark for it is ignored.
    client.post(attendance_url(held_event), {f"r-{gone.uuid}": "yes"})
    gone.refresh_from_db()
    assert gone.attended is None


def test_attendance_cannot_be_marked_before_the_event(client, technikum_staff, world):
    event = f.EventFactory(organiser=world.technikum)
    row = registered(event, last_name="Ранний")
    client.force_login(technikum_staff)

    response = client.post(attendance_url(event), {f"r-{row.uuid}": "yes"})

    assert response.status_code == 200
    assert "после начала мероприятия" in response.content.decode()
    row.refresh_from_db()
    assert row.attended is None


def test_tampered_attendance_mark_is_refused(client, held_event, technikum_staff):
    row = registered(held_event, last_name="Проверочный")
    client.force_login(technikum_staff)

    response = client.post(attendance_url(held_event), {f"r-{row.uuid}": "maybe"})

    assert response.status_code == 200
    assert "Выберите отметку из списка." in response.content.decode()
    row.refresh_from_db()
    assert row.attended is None


# --- feedback ---------------------------------------------------------------------------


def feedback_url(registration) -> str:
    return reverse("guidance:feedback_create", args=[registration.uuid])


@pytest.fixture
def attended_registration(held_event, pupil_a, pupil_a_user):
    give_consent(pupil_a, PROCESSING, TO_TECHNIKUM)
    return f.RegistrationFactory(event=held_event, student=pupil_a, attended=True)


def test_pupil_leaves_feedback_once(client, attended_registration, pupil_a_user):
    client.force_login(pupil_a_user)

    response = client.post(
        feedback_url(attended_registration), {"rating": "5", "comment": "Очень интересно!"}
    )

    assert response.status_code == 302
    feedback = Feedback.objects.get()
    assert (feedback.registration, feedback.rating, feedback.comment) == (
        attended_registration,
        5,
        "Очень интересно!",
    )
    again = client.post(feedback_url(attended_registration), {"rating": "1"}, follow=True)
    assert "уже оставили отзыв" in again.content.decode()
    assert Feedback.objects.get().rating == 5
    assert (
        'data-testid="feedback-existing"'
        in client.get(feedback_url(attended_registration)).content.decode()
    )


def test_feedback_waits_for_the_event_to_start(client, world, pupil_a, pupil_a_user):
    registration = f.RegistrationFactory(
        event=f.EventFactory(organiser=world.school_a), student=pupil_a
    )
    client.force_login(pupil_a_user)

    page = client.get(feedback_url(registration))
    client.post(feedback_url(registration), {"rating": "4"})

    assert page.status_code == 200
    assert "после начала мероприятия" in page.content.decode()
    assert not Feedback.objects.exists()


def test_pupil_marked_absent_cannot_leave_feedback(client, attended_registration, pupil_a_user):
    attended_registration.attended = False
    attended_registration.save()
    client.force_login(pupil_a_user)

    response = client.post(feedback_url(attended_registration), {"rating": "3"})

    assert "вас не было на мероприятии" in response.content.decode()
    assert not Feedback.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"rating": "6"}, "Поставьте оценку от 1 до 5."),
        ({"rating": ""}, "Поставьте оценку от 1 до 5."),
        ({"rating": "4", "comment": "а" * 1001}, "не длиннее 1000 знаков"),
    ],
)
def test_feedback_form_explains_wrong_values(
    client, attended_registration, pupil_a_user, data, message
):
    client.force_login(pupil_a_user)

    response = client.post(feedback_url(attended_registration), data)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Feedback.objects.exists()


def test_organiser_sees_average_rating_and_comments_without_names(
    client, held_event, technikum_staff
):
    for rating, comment in ((5, "Понравилась сварка"), (4, "")):
        row = registered(held_event, last_name=f"Отзывчивый{rating}")
        Feedback.objects.create(registration=row, rating=rating, comment=comment)
    client.force_login(technikum_staff)

    page = client.get(reverse("guidance:event_detail", args=[held_event.uuid])).content.decode()

    assert "Средняя оценка: 4,5 из 5 (отзывов: 2)" in page
    assert "Понравилась сварка" in page
    assert "Отзывчивый" not in page


# --- the event page ---------------------------------------------------------------------


def test_counsellor_sees_own_registered_pupils_only(
    client, technikum_event, counsellor_a, pupil_a, pupil_b
):
    f.RegistrationFactory(event=technikum_event, student=pupil_a)
    f.RegistrationFactory(event=technikum_event, student=pupil_b)
    client.force_login(counsellor_a)

    page = client.get(
        reverse("guidance:event_detail", args=[technikum_event.uuid])
    ).content.decode()

    assert pupil_a.full_name in page
    assert pupil_b.full_name not in page
    assert 'data-testid="event-register"' in page
    assert (
        reverse("guidance:registration_cancel", args=[pupil_a.event_registrations.get().uuid])
        in page
    )


def test_anonymous_visitor_sees_no_pupil_on_the_event_page(client, technikum_event, pupil_a):
    f.RegistrationFactory(event=technikum_event, student=pupil_a)

    page = client.get(
        reverse("guidance:event_detail", args=[technikum_event.uuid])
    ).content.decode()

    assert technikum_event.title in page
    assert pupil_a.last_name not in page
    assert "свободно: 9" in page
    assert 'data-testid="event-register"' not in page


def queries_of(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_event_page_queries_do_not_grow_with_registrations(
    client, held_event, technikum_staff, django_assert_num_queries
):
    url = reverse("guidance:event_detail", args=[held_event.uuid])
    client.force_login(technikum_staff)
    for n in range(2):
        Feedback.objects.create(registration=registered(held_event, last_name=f"А{n}"), rating=4)
    few = queries_of(client, url)
    for n in range(30):
        Feedback.objects.create(registration=registered(held_event, last_name=f"Б{n}"), rating=3)

    # session, user; memberships, guardian, pupil (access); the event with its organiser;
    # its interest types; the registration count; the figures (counts, ratings, comments);
    # the user's own registered pupils (technikum staff edit technikum students)
    with django_assert_num_queries(few):
        client.get(url)


def test_attendance_page_queries_do_not_grow_with_pupils(
    client, held_event, technikum_staff, django_assert_num_queries
):
    url = attendance_url(held_event)
    client.force_login(technikum_staff)
    for n in range(2):
        registered(held_event, last_name=f"А{n}")
    few = queries_of(client, url)
    for n in range(30):
        registered(held_event, last_name=f"Б{n}")

    # session, user, access lookups; the event; the listed registrations; the hidden count;
    # one bulk insert of the audit rows
    with django_assert_num_queries(few):
        client.get(url)


def test_register_page_queries_do_not_grow_with_pupils(
    client, school_event, counsellor_a, world, django_assert_num_queries
):
    url = register_url(school_event)
    client.force_login(counsellor_a)
    for pupil in f.StudentFactory.create_batch(2, organisation=world.school_a):
        give_consent(pupil)
    few = queries_of(client, url)
    for pupil in f.StudentFactory.create_batch(30, organisation=world.school_a):
        give_consent(pupil)

    with django_assert_num_queries(few):
        client.get(url)


# --- the student's page -----------------------------------------------------------------


def test_student_events_are_read_in_one_query(pupil_a, world, django_assert_num_queries):
    for _ in range(5):
        f.RegistrationFactory(student=pupil_a, event=f.EventFactory(organiser=world.school_a))

    with django_assert_num_queries(1):
        rows = list(registrations_of_student(student=pupil_a))

    assert len(rows) == 5
    assert [r.event.starts_at for r in rows] == sorted(
        (r.event.starts_at for r in rows), reverse=True
    )


def test_pupil_finds_the_feedback_link_on_own_page(
    client, attended_registration, pupil_a, pupil_a_user
):
    client.force_login(pupil_a_user)

    page = client.get(reverse("students:student_detail", args=[pupil_a.uuid])).content.decode()

    assert feedback_url(attended_registration) in page


def test_counsellor_can_cancel_from_the_student_page(
    client, technikum_event, counsellor_a, pupil_a
):
    give_consent(pupil_a)
    registration = f.RegistrationFactory(event=technikum_event, student=pupil_a)
    client.force_login(counsellor_a)

    page = client.get(reverse("students:student_detail", args=[pupil_a.uuid])).content.decode()

    assert technikum_event.title in page
    assert cancel_url(registration) in page
    assert feedback_url(registration) not in page


def test_coordinator_may_register_district_pupils(coordinator, school_event, pupil_b):
    give_consent(pupil_b)
    assert access.can_register_pupils(coordinator)

    services.event_register(event=school_event, students=[pupil_b], by=coordinator)

    assert school_event.registrations.get().student == pupil_b


def test_technikum_students_are_offered_whatever_the_grades(
    client, world, technikum_staff, placed_student
):
    event = f.EventFactory(
        organiser=world.employer, kind=Event.Kind.JOB_FAIR, min_grade=1, max_grade=2
    )
    client.force_login(technikum_staff)

    page = client.get(register_url(event)).content.decode()

    assert placed_student.full_name in page
