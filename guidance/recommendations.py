"""Recommendations for a pupil: programmes, dual-training places, vacancies and events.

Each candidate gets a score from the pupil's interest types (the latest result of each
questionnaire against the types the candidate is tagged with), intended path,
labour-market demand and free seats, weighted by WEIGHTS;
the reasons behind the score are kept in words for the pupil and the counsellor. The
candidates and every count come from the database in a fixed number of queries; the
weighting and the ranking of the (district-sized) candidate lists happen here.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    Count,
    Exists,
    F,
    Func,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    TextField,
    Value,
)
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from employers.models import DualTrainingPlace, Placement, Vacancy
from guidance.models import (
    Attempt,
    AttemptScore,
    Event,
    Option,
    Profession,
    Question,
    Registration,
    Scale,
)
from labour.models import LabourSummary
from resource_center.models import Organisation
from schools.models import Programme
from students.models import Consent, Student, held_scopes

# Everything that decides the order, in one place. A candidate's score is the sum of
# these terms; change a number here and every list re-orders accordingly.
WEIGHTS: dict[str, float] = {
    # Per questionnaire the pupil has a result of: times the pupil's share (0..1) of the
    # maximum score in the best-scored type the candidate is tagged with, so a pupil at the
    # top of «человек — техника» adds the full weight to a candidate tagged «Т».
    "interest": 10.0,
    # The pupil's intended path fits the kind: technikum (programmes, dual places and the
    # technikum's events) or work (vacancies and employers' events).
    "path": 4.0,
    # Per open vacancy of the district whose profession the programme trains for (as the
    # district's latest labour-market summary counts them)...
    "demand": 0.5,
    # ...counted up to this many, so demand adds at most 0.5 × 6 = 3 and never outweighs
    # a clear interest.
    "demand_cap": 6,
    # Per free seat of a dual-training place or seat left at an event...
    "seats": 0.2,
    # ...counted up to this many: a big hall is not a reason in itself.
    "seats_cap": 5,
    # An event tomorrow adds this much, falling linearly to nothing at `soon_days` ahead.
    "soon": 1.0,
    "soon_days": 30,
    # A pupil's share of a type's maximum from which the type is named as a reason.
    "reason_share": 0.5,
}

# How many of each kind the student page shows.
LIMIT = 5

# The age from which the law lets a minor work (Labour Code, art. 63) and adulthood.
MIN_WORKING_AGE = 14
ADULT_AGE = 18


@dataclass(frozen=True)
class Recommendation:
    """One recommended programme, place, vacancy or event with why it is recommended."""

    object: Any
    score: float
    reasons: list[str]
    url: str

    @property
    def display_score(self) -> float:
        return round(self.score, 1)


@dataclass(frozen=True)
class Section:
    """One kind of recommendations as the student page lists it."""

    key: str
    title: Promise
    items: list[Recommendation]
    total: int
    catalogue_url: str


@dataclass
class Recommendations:
    """Ranked lists of each kind (best first, at most LIMIT) and notes for the whole page."""

    programmes: list[Recommendation] = field(default_factory=list)
    places: list[Recommendation] = field(default_factory=list)
    vacancies: list[Recommendation] = field(default_factory=list)
    events: list[Recommendation] = field(default_factory=list)
    # How many candidates of each kind there were before the lists were cut to LIMIT.
    totals: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    has_consent: bool = True

    @property
    def is_empty(self) -> bool:
        return not (self.programmes or self.places or self.vacancies or self.events)

    @property
    def sections(self) -> list[Section]:
        kinds = [
            ("programmes", gettext_lazy("Программы техникума"), "schools:programme_list"),
            ("places", gettext_lazy("Места дуального обучения"), "employers:place_list"),
            ("vacancies", gettext_lazy("Вакансии"), "employers:vacancy_list"),
            ("events", gettext_lazy("Мероприятия"), "guidance:event_list"),
        ]
        return [
            Section(key, title, getattr(self, key), self.totals.get(key, 0), reverse(url))
            for key, title, url in kinds
        ]


@dataclass(frozen=True)
class _Interest:
    """The pupil's score on one interest type and the most that type can score."""

    scale: Scale
    score: int
    maximum: int

    @property
    def share(self) -> float:
        return self.score / self.maximum if self.maximum else 0.0


@dataclass
class _Pupil:
    """What the ranking needs to know about the pupil, fetched once."""

    student: Student
    today: datetime.date
    age: int
    district_id: int
    interests: dict[int, _Interest]
    # The scopes of the student's active consents.
    scopes: set[str]
    is_school_pupil: bool
    plans_technikum: bool
    plans_work: bool


def recommendations_for(
    *, student: Student, consents: Iterable[Consent] | None = None
) -> Recommendations:
    """Ranked programmes, dual places, vacancies and upcoming events of the student's
    district, each with its reasons; empty (with the reason why) without a processing
    consent. ``consents``: all the student's consents when the caller has them already
    (the student page prefetches them), else they are read here. Queries: consents (unless
    given), interest scores, demand (the district's latest labour-market summary),
    programmes, places, vacancies, events, and the interest types of all of them at once
    (none without interest scores)."""
    if consents is None:
        active = Consent.objects.active().filter(student=student)
        scopes = set(active.values_list("scope", flat=True))
    else:
        scopes = held_scopes(consents)
    if Consent.Scope.PROCESSING not in scopes:
        return Recommendations(
            has_consent=False,
            notes=[
                _(
                    "Нет действующего согласия родителей на обработку персональных данных: "
                    "рекомендации не составляются."
                )
            ],
        )
    pupil = _pupil(student, scopes)
    result = Recommendations()
    if not pupil.interests:
        result.notes.append(_("Пройдите анкету, чтобы рекомендации учитывали интересы."))
    if not pupil.is_school_pupil:
        result.notes.append(
            _("Программы и мероприятия подбираются для учеников школ; здесь — места и вакансии.")
        )
    elif pupil.age < MIN_WORKING_AGE:
        result.notes.append(_("Вакансии подбираются с %(min)d лет.") % {"min": MIN_WORKING_AGE})
    demand = labour_demand_by_programme(district_id=pupil.district_id)
    # Counted live only while the district has no summary to take the demand from.
    live = demand.as_of is None
    programmes = list(_programmes(pupil, live_demand=live))
    places = list(_places(pupil, live_demand=live))
    vacancies = list(_vacancies(pupil))
    events = list(_events(pupil))
    types = _interest_types(
        pupil,
        programme_ids=[
            *(p.pk for p in programmes),
            *(p.programme_id for p in places),
            *(e.programme_id for e in events if e.programme_id),
        ],
        profession_ids=[v.profession_id for v in vacancies if v.profession_id],
        event_ids=[e.pk for e in events],
    )
    kinds: list[tuple[str, Iterable[Any], Callable[..., list[Term]], Callable[[Any], str]]] = [
        ("programmes", programmes, _programme_terms, _url("schools:programme_list", "programme")),
        ("places", places, _place_terms, _url("employers:place_list", "place")),
        ("vacancies", vacancies, _vacancy_terms, _url("employers:vacancy_list", "vacancy")),
        ("events", events, _event_terms, _event_url),
    ]
    for key, candidates, terms, url in kinds:
        ranked = sorted(
            (_Scored(obj, terms(pupil, obj, demand, types)) for obj in candidates),
            key=lambda c: (-round(c.score, 9), *_tie_key(c.object)),
        )
        # Only what is shown gets its link.
        setattr(result, key, [c.recommendation(url(c.object)) for c in ranked[:LIMIT]])
        result.totals[key] = len(ranked)
    return result


# --- the pupil --------------------------------------------------------------------------


def _pupil(student: Student, scopes: set[str]) -> _Pupil:
    today = timezone.localdate()
    technikum = Student.PathAfter9.TECHNIKUM
    work = Student.PathAfter9.WORK
    return _Pupil(
        student=student,
        today=today,
        age=student.age_on(today),
        district_id=student.organisation.district_id,
        interests=_interests(student),
        scopes=scopes,
        is_school_pupil=student.organisation.kind == Organisation.Kind.SCHOOL,
        plans_technikum=technikum in (student.path_after_9, student.path_after_11),
        plans_work=work in (student.path_after_9, student.path_after_11),
    )


def _interests(student: Student) -> dict[int, _Interest]:
    """The scores of the student's latest attempt of each questionnaire, by scale id, each
    with its scale's maximum: one query."""
    latest = (
        Attempt.objects.filter(student=student, questionnaire=OuterRef("attempt__questionnaire"))
        .order_by("-completed_at", "-pk")
        .values("pk")[:1]
    )
    scores = (
        AttemptScore.objects.filter(attempt__student=student, attempt=Subquery(latest))
        .select_related("scale")
        .annotate(maximum=_scale_maximum())
    )
    return {s.scale_id: _Interest(s.scale, s.score, s.maximum or 0) for s in scores}


def _scale_maximum() -> Coalesce:
    """The most points the outer row's scale can score: per question of its questionnaire
    the most any option gives to it, summed; computed in the database."""
    best_option = (
        Option.objects.filter(question=OuterRef("pk"), scale=OuterRef(OuterRef("scale")))
        .order_by()
        .values("question")
        .annotate(best=Max("points"))
        .values("best")
    )
    per_question = (
        Question.objects.filter(questionnaire=OuterRef("scale__questionnaire"))
        .annotate(best=Subquery(best_option))
        .order_by()
        .values("questionnaire")
        .annotate(total=Sum("best"))
        .values("total")
    )
    return Coalesce(Subquery(per_question), 0)


# --- candidates -------------------------------------------------------------------------


@dataclass
class _Types:
    """The interest types (scale ids) the candidates are tagged with, per programme,
    profession and event; a candidate without any has none here."""

    programmes: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    professions: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    events: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))

    def of(self, kind: str, pk: int | None) -> list[int]:
        return getattr(self, kind).get(pk, [])


def _interest_types(
    pupil: _Pupil,
    *,
    programme_ids: Sequence[int],
    profession_ids: Sequence[int],
    event_ids: Sequence[int],
) -> _Types:
    """The tags of every candidate (and of the programme of a place or event, the profession
    of a vacancy) in one query, a UNION of the three link tables; none when the pupil has
    no interest scores, as then no type can count."""
    types = _Types()
    if not pupil.interests:
        return types
    links = [
        (kind, through, column, ids)
        for kind, through, column, ids in (
            ("programmes", Programme.interest_types.through, "programme_id", programme_ids),
            ("professions", Profession.interest_types.through, "profession_id", profession_ids),
            ("events", Event.interest_types.through, "event_id", event_ids),
        )
        if ids
    ]
    if not links:
        return types
    parts = [
        through.objects.filter(**{f"{column}__in": set(ids)})
        .order_by()
        .values_list(Value(kind, output_field=TextField()), column, "scale_id")
        for kind, through, column, ids in links
    ]
    for kind, pk, scale_id in parts[0].union(*parts[1:], all=True):
        getattr(types, kind)[pk].append(scale_id)
    return types


def _programmes(pupil: _Pupil, *, live_demand: bool) -> QuerySet[Programme]:
    """Published programmes of the district's technikum open after the pupil's grade
    (with ``published_demand`` when ``live_demand``)."""
    if not pupil.is_school_pupil:
        return Programme.objects.none()
    programmes = Programme.objects.published().filter(
        technikum__district_id=pupil.district_id, base_education=_base(pupil)
    )
    if live_demand:
        programmes = programmes.annotate(
            published_demand=_published_demand("pk", pupil.district_id)
        )
    return programmes


def _places(pupil: _Pupil, *, live_demand: bool) -> QuerySet[DualTrainingPlace]:
    """Published, not yet ended places of the district's employers with free seats; a
    technikum student sees the places of their own programme they are not placed at
    (with ``published_demand`` of the programme when ``live_demand``)."""
    places = (
        DualTrainingPlace.objects.published()
        .filter(employer__district_id=pupil.district_id, ends_on__gt=pupil.today)
        .annotate(held=Count("placements", filter=Q(placements__status__in=Placement.SEAT_HOLDING)))
        .annotate(free=F("seats") - F("held"))
        .filter(free__gt=0)
        .select_related("programme", "employer")
    )
    if live_demand:
        places = places.annotate(
            published_demand=_published_demand("programme_id", pupil.district_id)
        )
    if not pupil.is_school_pupil:
        places = places.filter(programme_id=pupil.student.programme_id).exclude(
            Exists(Placement.objects.filter(place=OuterRef("pk"), student=pupil.student))
        )
    return places


def vacancies_open_to(age: int, vacancies: QuerySet[Vacancy] | None = None) -> QuerySet[Vacancy]:
    """The vacancies a person of this age may take: none under 14; from 14 to 17 only
    those for minors whose minimum age is reached; adults every one whose minimum age is."""
    vacancies = Vacancy.objects.all() if vacancies is None else vacancies
    if age < MIN_WORKING_AGE:
        return vacancies.none()
    reached = Q(min_age__isnull=True) | Q(min_age__lte=age)
    if age < ADULT_AGE:
        return vacancies.filter(reached, for_minors=True)
    return vacancies.filter(reached)


def _vacancies(pupil: _Pupil) -> QuerySet[Vacancy]:
    """Published vacancies of the district's employers open to the pupil's age."""
    published = Vacancy.objects.published().filter(employer__district_id=pupil.district_id)
    return vacancies_open_to(pupil.age, published).select_related("employer", "profession")


def _events(pupil: _Pupil) -> QuerySet[Event]:
    """Upcoming events for the pupil's grade, public or of the district, with seats left
    and without the pupil registered."""
    if not pupil.is_school_pupil:
        return Event.objects.none()
    return (
        Event.objects.upcoming()
        .for_grade(pupil.student.grade)
        .filter(Q(is_public=True) | Q(organiser__district_id=pupil.district_id))
        .exclude(Exists(Registration.objects.filter(event=OuterRef("pk"), student=pupil.student)))
        .annotate(left=F("capacity") - Count("registrations"))
        .filter(left__gt=0)
        .select_related("organiser", "programme")
    )


@dataclass(frozen=True)
class LabourDemand:
    """Open vacancies and their work places per ОКСО code of the technikum's programmes,
    from the balance of the district's latest labour-market summary (``as_of`` is its last
    day). Without a summary ``as_of`` is None and each candidate's ``published_demand``
    (the district's vacancies published now, see _published_demand) is used instead."""

    by_okso: dict[str, tuple[int, int]] = field(default_factory=dict)
    as_of: datetime.date | None = None

    def of(self, programme: Programme, published: int | None) -> tuple[int | None, int | None]:
        """Vacancies and work places for the programme (no work places when counted live)."""
        if self.as_of is None:
            return published, None
        return self.by_okso.get(programme.okso_code, (0, 0))


def labour_demand_by_programme(*, district_id: int) -> LabourDemand:
    """The demand of the district's latest labour-market summary, per ОКСО code: one query.

    The summary's balance has a row per profession trained by the district's technikum with
    the open vacancies and work places at the end of the period, and the ОКСО codes of the
    programmes linked to it; a programme's demand is the sum over the rows naming its code.
    A vacancy has one profession, so it counts once per programme. Keyed by code rather than
    by programme, the same speciality taught after the 9th and after the 11th grade shares
    one demand: the jobs do not depend on where the training starts.
    """
    summary = (
        LabourSummary.objects.filter(district_id=district_id)
        .order_by("-period_end", "period")
        .only("period_end", "figures")
        .first()
    )
    if summary is None:
        return LabourDemand()
    by_okso: dict[str, tuple[int, int]] = {}
    for row in summary.figures.get("balance") or []:
        for code in set(row.get("programmes") or []):
            vacancies, work_places = by_okso.get(code, (0, 0))
            by_okso[code] = (
                vacancies + row.get("vacancies", 0),
                work_places + row.get("work_places", 0),
            )
    return LabourDemand(by_okso=by_okso, as_of=summary.period_end)


def _published_demand(programme: str, district_id: int) -> Coalesce:
    """The district's published vacancies whose profession the outer row's programme
    trains for, counted now: the fallback while the district has no summary. COUNT without
    GROUP BY keeps the subquery to one row; each vacancy joins the programme once."""
    vacancies = (
        Vacancy.objects.published()
        .filter(employer__district_id=district_id, profession__programmes=OuterRef(programme))
        .order_by()
        .annotate(n=Func(F("pk"), function="COUNT", output_field=IntegerField()))
        .values("n")
    )
    return Coalesce(Subquery(vacancies), 0)


# --- scoring ----------------------------------------------------------------------------

# A term of a score: its weighted value and the reason in words (None: no reason to say).
Term = tuple[float, str | None]


@dataclass(frozen=True)
class _Scored:
    """A candidate with the terms of its score, before the lists are cut to LIMIT."""

    object: Any
    terms: list[Term]

    @property
    def score(self) -> float:
        return sum(value for value, _reason in self.terms)

    def recommendation(self, url: str) -> Recommendation:
        return Recommendation(
            object=self.object,
            score=self.score,
            reasons=[reason for _value, reason in self.terms if reason],
            url=url,
        )


def _url(list_name: str, anchor: str) -> Callable[[Any], str]:
    """The link to a candidate's row in its catalogue list (the list reversed once)."""
    base = reverse(list_name)
    return lambda obj: f"{base}#{anchor}-{obj.pk}"


def _event_url(event: Event) -> str:
    return reverse("guidance:event_detail", args=[event.uuid])


def _interest_terms(pupil: _Pupil, scale_ids: Iterable[int]) -> list[Term]:
    """The type match: per questionnaire, the candidate's tagged type the pupil scored best
    in. Taking the best rather than the sum keeps a candidate tagged with many types from
    outranking one tagged with just the pupil's type."""
    matched = sorted(
        (pupil.interests[pk] for pk in scale_ids if pk in pupil.interests),
        key=lambda i: (-i.share, i.scale.order, i.scale.pk),
    )
    best: dict[int, _Interest] = {}
    for interest in matched:
        best.setdefault(interest.scale.questionnaire_id, interest)
    return [
        (
            WEIGHTS["interest"] * i.share,
            _("Подходит вашему типу «%(type)s» (%(score)d из %(max)d баллов)")
            % {"type": _in_sentence(i.scale.name), "score": i.score, "max": i.maximum}
            if i.share >= WEIGHTS["reason_share"]
            else None,
        )
        for i in sorted(best.values(), key=lambda i: (-i.share, i.scale.questionnaire_id))
    ]


def _in_sentence(name: str) -> str:
    """«Человек — техника» inside a sentence reads «человек — техника»; «RIASEC» stays."""
    if len(name) > 1 and name[1].islower():
        return name[0].lower() + name[1:]
    return name


def _technikum_path_term(pupil: _Pupil) -> list[Term]:
    if not pupil.plans_technikum:
        return []
    return [(WEIGHTS["path"], _("Вы планируете учиться в техникуме"))]


def _demand_term(programme: Programme, published: int | None, demand: LabourDemand) -> list[Term]:
    n, places = demand.of(programme, published)
    if not n:
        return []
    counted = min(n, WEIGHTS["demand_cap"])
    if demand.as_of is None:
        reason = _(
            "Работодатели района ищут таких специалистов, вакансий: %(n)d (опубликованных "
            "сейчас: сводки по рынку труда района ещё нет)"
        ) % {"n": n}
    else:
        reason = _(
            "Работодатели района ищут таких специалистов, вакансий: %(n)d, рабочих мест: "
            "%(places)d (сводка по рынку труда района на %(date)s)"
        ) % {"n": n, "places": places, "date": formats.date_format(demand.as_of, "d.m.Y")}
    return [(WEIGHTS["demand"] * counted, reason)]


def _seats_term(free: int, text: str) -> list[Term]:
    return [(WEIGHTS["seats"] * min(free, WEIGHTS["seats_cap"]), text % {"n": free})]


def _base(pupil: _Pupil) -> str:
    grade = pupil.student.grade
    return Programme.BaseEducation.GRADE_9 if grade <= 9 else Programme.BaseEducation.GRADE_11


def _programme_terms(
    pupil: _Pupil, programme: Programme, demand: LabourDemand, types: _Types
) -> list[Term]:
    base = _("Приём на базе %(base)s классов — подходит вам (%(grade)d класс)") % {
        "base": programme.base_education,
        "grade": pupil.student.grade,
    }
    return [
        *_interest_terms(pupil, types.of("programmes", programme.pk)),
        *_technikum_path_term(pupil),
        *_demand_term(programme, getattr(programme, "published_demand", None), demand),
        (0.0, base),
    ]


def _place_terms(
    pupil: _Pupil, place: DualTrainingPlace, demand: LabourDemand, types: _Types
) -> list[Term]:
    return [
        *_interest_terms(pupil, types.of("programmes", place.programme_id)),
        *_technikum_path_term(pupil),
        *_demand_term(place.programme, getattr(place, "published_demand", None), demand),
        *_seats_term(place.free, _("Свободных мест: %(n)d")),
    ]


def _vacancy_terms(
    pupil: _Pupil, vacancy: Vacancy, demand: LabourDemand, types: _Types
) -> list[Term]:
    terms = _interest_terms(pupil, types.of("professions", vacancy.profession_id))
    if pupil.plans_work:
        terms.append((WEIGHTS["path"], _("Вы планируете работать")))
    if pupil.age < ADULT_AGE:
        if vacancy.min_age:
            age = _("Берут подростков с %(min)d лет, вам %(age)d") % {
                "min": vacancy.min_age,
                "age": pupil.age,
            }
        else:
            age = _("Подходит подросткам, вам %(age)d") % {"age": pupil.age}
        terms.append((0.0, age))
    if vacancy.is_summer_job:
        terms.append((0.0, _("Летняя работа")))
    return terms


def _event_terms(pupil: _Pupil, event: Event, demand: LabourDemand, types: _Types) -> list[Term]:
    scales = types.of("events", event.pk)
    if not scales and event.programme_id:
        scales = types.of("programmes", event.programme_id)
    terms = _interest_terms(pupil, scales)
    organiser_kind = event.organiser.kind
    if event.programme_id or organiser_kind == Organisation.Kind.TECHNIKUM:
        terms += _technikum_path_term(pupil)
    elif pupil.plans_work and organiser_kind in (
        Organisation.Kind.EMPLOYER,
        Organisation.Kind.EMPLOYMENT_CENTRE,
    ):
        terms.append((WEIGHTS["path"], _("Вы планируете работать")))
    terms += _seats_term(event.left, _("Осталось мест: %(n)d"))
    missing = [s for s in event.required_consent_scopes if s not in pupil.scopes]
    if missing:
        labels = ", ".join(str(Consent.Scope(s).label) for s in missing)
        terms.append(
            (0.0, _("Для записи нужно согласие родителей: %(scopes)s") % {"scopes": labels})
        )
    starts = timezone.localtime(event.starts_at)
    days = (starts.date() - pupil.today).days
    soon = max(0.0, 1 - days / WEIGHTS["soon_days"]) if WEIGHTS["soon_days"] else 0.0
    when = formats.date_format(starts, "j E, H:i")
    terms.append((WEIGHTS["soon"] * soon, _("Когда: %(when)s") % {"when": when}))
    return terms


def _tie_key(obj: Any) -> tuple[Any, ...]:
    """Equal scores keep a stable order: events by date, the rest by title, then by id."""
    if isinstance(obj, Event):
        return (obj.starts_at, obj.title, obj.pk)
    if isinstance(obj, DualTrainingPlace):
        return (obj.programme.title, obj.employer.short_name, obj.workplace, obj.pk)
    return (obj.title, obj.pk)
