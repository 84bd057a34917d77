"""Reads of career events shaped for their pages: the calendar, the feed, an event's page,
the registration and attendance lists, and the events on a student's page."""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import (
    Avg,
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
)
from django.db.models.functions import Now
from django.utils import timezone

from guidance.models import Event, Feedback, Registration
from resource_center import access
from resource_center.models import Organisation
from students.models import Consent, Student, active_consent

if TYPE_CHECKING:
    from resource_center.access import AnyUser

# The feed carries the last month too, so that a subscribed calendar keeps recent history.
FEED_PAST_DAYS = 30
# Bounds for pages that show every matching row at once (a month, the feed, a register list).
MONTH_LIMIT = 500
FEED_LIMIT = 500
CANDIDATE_LIMIT = 300
COMMENT_LIMIT = 50


# --- the calendar and the feed --------------------------------------------------------


def _listed_events(user: AnyUser) -> QuerySet[Event]:
    """Visible events; cancelled ones only for those who manage them (to see and restore)."""
    return access.events_visible_to(user).filter(
        Q(is_cancelled=False) | Q(organiser__in=access.event_organisers_for(user))
    )


def _filtered(qs: QuerySet[Event], *, kind: str | None, grade: int | None) -> QuerySet[Event]:
    if kind:
        qs = qs.filter(kind=kind)
    if grade:
        qs = qs.for_grade(grade)
    return qs


def event_list_for(
    *, user: AnyUser, kind: str | None = None, grade: int | None = None, past: bool = False
) -> QuerySet[Event]:
    """Events the user may see, upcoming (not yet ended, soonest first) or past (latest
    first), with the organiser (one JOIN), ``registered`` and ``seats_left`` (counts in the
    same query)."""
    qs = _filtered(_listed_events(user), kind=kind, grade=grade)
    now = timezone.now()
    if past:
        qs = qs.filter(ends_at__lt=now).order_by("-starts_at", "-pk")
    else:
        qs = qs.filter(ends_at__gte=now).order_by("starts_at", "pk")
    return qs.select_related("organiser").annotate(
        registered=Count("registrations"), seats_left=F("capacity") - Count("registrations")
    )


@dataclass
class MonthDay:
    date: datetime.date
    in_month: bool
    is_today: bool
    events: list[Event] = field(default_factory=list)


@dataclass
class Month:
    first: datetime.date
    weeks: list[list[MonthDay]]
    previous: datetime.date
    next: datetime.date
    truncated: bool


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def event_month_for(
    *, user: AnyUser, year: int, month: int, kind: str | None = None, grade: int | None = None
) -> Month:
    """A Monday-first grid of the month (whole weeks) with the visible events of each day
    (an event spanning days appears on each), in one query of events with their organiser."""
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    first_day, last_day = weeks[0][0], weeks[-1][-1]
    start, end = _local_midnight(first_day), _local_midnight(last_day + datetime.timedelta(1))
    rows = list(
        _filtered(_listed_events(user), kind=kind, grade=grade)
        .filter(starts_at__lt=end, ends_at__gte=start)
        .select_related("organiser")
        .order_by("starts_at", "pk")[: MONTH_LIMIT + 1]
    )
    today = timezone.localdate()
    days = {
        day: MonthDay(date=day, in_month=day.month == month, is_today=day == today)
        for week in weeks
        for day in week
    }
    for event in rows[:MONTH_LIMIT]:
        day = max(timezone.localtime(event.starts_at).date(), first_day)
        until = min(timezone.localtime(event.ends_at).date(), last_day)
        while day <= until:
            days[day].events.append(event)
            day += datetime.timedelta(days=1)
    first = datetime.date(year, month, 1)
    return Month(
        first=first,
        weeks=[[days[day] for day in week] for week in weeks],
        previous=(first - datetime.timedelta(days=1)).replace(day=1),
        next=(first + datetime.timedelta(days=32)).replace(day=1),
        truncated=len(rows) > MONTH_LIMIT,
    )


def event_feed_for(*, user: AnyUser) -> list[Event]:
    """Visible events that are not cancelled, from a month ago on, with the organiser (one
    query), for the iCalendar feed."""
    since = timezone.now() - datetime.timedelta(days=FEED_PAST_DAYS)
    return list(
        access.events_visible_to(user)
        .filter(is_cancelled=False, ends_at__gte=since)
        .select_related("organiser")
        .order_by("starts_at", "pk")[:FEED_LIMIT]
    )


# --- consents an event needs ------------------------------------------------------------


def consent_label(scope: str) -> str:
    """The consent's name as parents and counsellors know it."""
    return str(Consent.Scope(scope).label)


def consented(scopes: Iterable[str], *, student_ref: str = "pk") -> Q:
    """The condition that the student (``student_ref`` leads to its id) holds every scope."""
    condition = Q()
    for scope in scopes:
        condition &= Q(active_consent(scope, student_ref))
    return condition


# --- one event's page -------------------------------------------------------------------


@dataclass
class EventFigures:
    """What the organiser sees of the registrations: counts and anonymous feedback."""

    registered: int
    attended: int
    absent: int
    hidden: int
    feedback_count: int
    average_rating: float | None
    comments: list[Feedback]


def event_registered_count(*, event: Event) -> int:
    """How many pupils are registered (one COUNT)."""
    return event.registrations.count()


def event_figures_for(*, event: Event) -> EventFigures:
    """Registration counts (one aggregate), rating average (one aggregate) and the latest
    comments without names (one query) for the event's managers."""
    shown = consented(event.required_consent_scopes, student_ref="student_id")
    counts = event.registrations.aggregate(
        n_registered=Count("pk"),
        n_attended=Count("pk", filter=Q(attended=True)),
        n_absent=Count("pk", filter=Q(attended=False)),
        n_shown=Count("pk", filter=shown),
    )
    ratings = Feedback.objects.filter(registration__event=event).aggregate(
        n=Count("pk"), average=Avg("rating")
    )
    comments = list(
        Feedback.objects.filter(registration__event=event)
        .exclude(comment="")
        .only("rating", "comment", "created_at")
        .order_by("-created_at", "-pk")[:COMMENT_LIMIT]
    )
    return EventFigures(
        registered=counts["n_registered"],
        attended=counts["n_attended"],
        absent=counts["n_absent"],
        hidden=counts["n_registered"] - counts["n_shown"],
        feedback_count=ratings["n"],
        average_rating=ratings["average"],
        comments=comments,
    )


def own_registrations_for(*, user: AnyUser, event: Event) -> list[Registration]:
    """Registrations of the students the user edits (their own pupils), with the student
    and their organisation (two JOINs), by class and name."""
    return list(
        Registration.objects.filter(
            event=event, student__in=access.students_editable_by(user).values("pk")
        )
        .select_related("student", "student__organisation")
        .order_by(
            "student__organisation__short_name",
            "student__grade",
            "student__class_letter",
            "student__last_name",
            "student__first_name",
            "pk",
        )
    )


def pupil_registration_for(*, user: AnyUser, event: Event) -> Registration | None:
    """The pupil's own registration for the event, with its feedback (one query)."""
    if not user.is_authenticated:
        return None
    return (
        Registration.objects.filter(event=event, student__user=user)
        .select_related("feedback")
        .first()
    )


# --- registering pupils -----------------------------------------------------------------


def registration_candidates_for(
    *, user: AnyUser, event: Event, grade: int | None = None, letter: str = ""
) -> QuerySet[Student]:
    """The user's students of this academic year who fit the event (school pupils by grade;
    technikum students, whose «grade» is a course, for any event), with ``has_<scope>`` for
    each consent the event needs, ``is_registered`` and their organisation (one JOIN)."""
    fits = Q(organisation__kind=Organisation.Kind.TECHNIKUM) | Q(
        organisation__kind=Organisation.Kind.SCHOOL,
        grade__gte=event.min_grade,
        grade__lte=event.max_grade,
    )
    qs = access.students_editable_by(user, Student.objects.current()).filter(fits)
    if grade:
        qs = qs.filter(grade=grade)
    if letter:
        qs = qs.filter(class_letter__iexact=letter)
    annotations = {
        f"has_{scope}": active_consent(scope, "pk") for scope in event.required_consent_scopes
    }
    return (
        qs.annotate(
            **annotations,
            is_registered=Exists(Registration.objects.filter(event=event, student=OuterRef("pk"))),
        )
        .select_related("organisation")
        .order_by("organisation__short_name", "grade", "class_letter", "last_name", "first_name")
    )


@dataclass
class Candidate:
    """One row of the register page: a student and why they cannot be ticked, if so."""

    student: Student
    registered: bool
    missing: list[str]

    @property
    def selectable(self) -> bool:
        return not self.registered and not self.missing


def candidate_rows(*, candidates: QuerySet[Student], event: Event) -> tuple[list[Candidate], bool]:
    """The first CANDIDATE_LIMIT candidates as rows (one query), and whether there are more."""
    scopes = event.required_consent_scopes
    students = list(candidates[: CANDIDATE_LIMIT + 1])
    rows = [
        Candidate(
            student=s,
            registered=s.is_registered,
            missing=[consent_label(scope) for scope in scopes if not getattr(s, f"has_{scope}")],
        )
        for s in students[:CANDIDATE_LIMIT]
    ]
    return rows, len(students) > CANDIDATE_LIMIT


def registerable_students_for(*, user: AnyUser, event: Event) -> QuerySet[Student]:
    """The candidates who may be registered now: every consent held, not yet registered."""
    return (
        registration_candidates_for(user=user, event=event)
        .filter(consented(event.required_consent_scopes))
        .filter(is_registered=False)
    )


# --- attendance -------------------------------------------------------------------------


def attendance_list_for(*, event: Event) -> tuple[list[Registration], int]:
    """Registrations whose pupils still hold the consents the event needs (a withdrawal
    hides the pupil from the organiser at once), with the student and their organisation
    (two JOINs), by school, class and name; and how many are hidden (one COUNT)."""
    shown = consented(event.required_consent_scopes, student_ref="student_id")
    rows = list(
        event.registrations.filter(shown)
        .select_related("student", "student__organisation")
        .order_by(
            "student__organisation__short_name",
            "student__grade",
            "student__class_letter",
            "student__last_name",
            "student__first_name",
            "pk",
        )
    )
    hidden = event.registrations.filter(~shown).count()
    return rows, hidden


def feedback_of(*, registration: Registration) -> Feedback | None:
    """The pupil's feedback on the registration, if given (one query)."""
    return Feedback.objects.filter(registration=registration).first()


# --- the student's page -----------------------------------------------------------------


def registrations_of_student(*, student: Student) -> QuerySet[Registration]:
    """The student's registrations, latest event first, with the event and its organiser
    (two JOINs), ``started`` and ``feedback_rating`` (a LEFT JOIN), in one query."""
    return (
        Registration.objects.filter(student=student)
        .select_related("event", "event__organiser")
        .annotate(
            started=ExpressionWrapper(Q(event__starts_at__lte=Now()), output_field=BooleanField()),
            feedback_rating=F("feedback__rating"),
        )
        .order_by("-event__starts_at", "-pk")
    )
