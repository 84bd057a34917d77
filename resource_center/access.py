"""Every per-object access rule of the portal, in one module.

Views fetch objects through the ``*_for`` helpers (another organisation's object is 404,
a visible but read-only one is 403) and lists start from the ``*_visible_to`` querysets.
District administration and the employment centre see aggregates only: no query here
gives them a student row.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from resource_center import page_cache
from resource_center.models import AuditEntry, District, Membership, Organisation, Role

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    from career_minimum.models import Activity, Participation
    from employers.models import DualTrainingPlace, Placement, Vacancy
    from guidance.models import AssignmentBatch, Attempt, Event, Registration
    from labour.models import LabourSummary, VacancyImport
    from reports.scope import ReportScope
    from schools.models import Programme
    from students.models import Guardian, PupilImport, Student

    AnyUser = AbstractBaseUser | AnonymousUser


PUPIL_READERS = (Role.COUNSELLOR, Role.SCHOOL_HEAD)
STUDENT_EDITORS = (Role.COUNSELLOR, Role.TECHNIKUM_STAFF)


@dataclass(frozen=True)
class Grant:
    role: str
    organisation_id: int
    district_id: int
    organisation_kind: str


@dataclass
class UserAccess:
    """What one user holds: staff roles in organisations, children, own student record."""

    grants: list[Grant] = field(default_factory=list)
    is_superuser: bool = False
    is_parent: bool = False
    is_pupil: bool = False

    def roles(self) -> set[str]:
        return {g.role for g in self.grants}

    def has(self, *roles: str) -> bool:
        return any(g.role in roles for g in self.grants)

    def organisations(self, *roles: str) -> set[int]:
        return {g.organisation_id for g in self.grants if g.role in roles}

    def districts(self, *roles: str) -> set[int]:
        return {g.district_id for g in self.grants if g.role in roles}


def access_of(user: AnyUser) -> UserAccess:
    """The user's grants, read once per request and cached on the user object."""
    cached = getattr(user, "_rc_access", None)
    if cached is not None:
        return cached
    if not user.is_authenticated:
        result = UserAccess()
    else:
        # Kept in the cache until any data changes (a membership, a guardian, a user).
        result = page_cache.remembered(f"rc:access:{user.pk}", lambda: _access_read(user))
    user._rc_access = result  # type: ignore[union-attr]
    return result


def _access_read(user: AnyUser) -> UserAccess:
    from students.models import Guardian, Student

    rows = (
        Membership.objects.active()
        .filter(user=user)
        .values_list("role", "organisation_id", "organisation__district_id", "organisation__kind")
    )
    return UserAccess(
        grants=[Grant(*row) for row in rows],
        is_superuser=user.is_superuser,
        is_parent=Guardian.objects.filter(user=user).exists(),
        is_pupil=Student.objects.filter(user=user).exists(),
    )


# --- students ------------------------------------------------------------------------


def _student_rule(user: AnyUser) -> Q | None:
    """The Q that selects the students the user may see; None means all, Q(pk__in=[]) none."""
    acc = access_of(user)
    if acc.is_superuser:
        return None
    from employers.models import Placement
    from students.models import Guardian

    rule = Q(pk__in=[])
    if acc.has(Role.COORDINATOR):
        rule |= Q(organisation__district_id__in=acc.districts(Role.COORDINATOR))
    if acc.has(*PUPIL_READERS, Role.TECHNIKUM_STAFF):
        rule |= Q(organisation_id__in=acc.organisations(*PUPIL_READERS, Role.TECHNIKUM_STAFF))
    if acc.has(Role.EMPLOYER_REP):
        placed = Placement.objects.filter(
            place__employer_id__in=acc.organisations(Role.EMPLOYER_REP),
            status__in=Placement.VISIBLE_TO_EMPLOYER,
        ).values("student_id")
        rule |= Q(pk__in=placed)
    if acc.is_parent:
        rule |= Q(pk__in=Guardian.objects.filter(user=user).values("student_id"))
    if acc.is_pupil:
        rule |= Q(user=user)
    return rule


def students_visible_to(
    user: AnyUser, queryset: QuerySet[Student] | None = None
) -> QuerySet[Student]:
    """Students whose records the user may open (never any for administration)."""
    from students.models import Student

    qs = Student.objects.all() if queryset is None else queryset
    rule = _student_rule(user)
    return qs if rule is None else qs.filter(rule)


def can_edit_student(user: AnyUser, student: Student) -> bool:
    """Counsellors edit their pupils, technikum staff its students, coordinators the district's."""
    acc = access_of(user)
    if acc.is_superuser:
        return True
    if student.organisation_id in acc.organisations(*STUDENT_EDITORS):
        return True
    return student.organisation.district_id in acc.districts(Role.COORDINATOR)


def can_see_special_needs(user: AnyUser, student: Student) -> bool:
    """The ОВЗ flag is for the pupil's own school counsellors and head only."""
    acc = access_of(user)
    return acc.is_superuser or student.organisation_id in acc.organisations(*PUPIL_READERS)


def student_for(user: AnyUser, uuid: UUID | str, *, write: bool = False) -> Student:
    """One student by UUID: 404 when not visible, 403 when visible but read-only."""
    student = get_object_or_404(
        students_visible_to(user).select_related(
            "organisation", "organisation__district", "programme"
        ),
        uuid=uuid,
    )
    if write and not can_edit_student(user, student):
        raise PermissionDenied
    return student


def can_see_audit_of(user: AnyUser) -> bool:
    """School heads read their school's part of the audit trail, coordinators their district's."""
    acc = access_of(user)
    return acc.is_superuser or acc.has(Role.SCHOOL_HEAD, Role.COORDINATOR)


def audit_entries_visible_to(user: AnyUser) -> QuerySet[AuditEntry]:
    """Audit rows about students of the head's school or the coordinator's district."""
    acc = access_of(user)
    qs = AuditEntry.objects.all()
    if acc.is_superuser:
        return qs
    return qs.filter(
        Q(organisation_id__in=acc.organisations(Role.SCHOOL_HEAD))
        | Q(organisation__district_id__in=acc.districts(Role.COORDINATOR))
    )


def schools_for_import(user: AnyUser) -> QuerySet[Organisation]:
    """Schools into which the user may import pupil lists: a counsellor's own ones."""
    acc = access_of(user)
    qs = Organisation.objects.schools().filter(is_active=True)
    if acc.is_superuser:
        return qs
    return qs.filter(pk__in=acc.organisations(Role.COUNSELLOR))


def pupil_import_for(user: AnyUser, uuid: UUID | str) -> PupilImport:
    """One import of a school the user may import into; 404 otherwise."""
    from students.models import PupilImport

    return get_object_or_404(
        PupilImport.objects.filter(organisation__in=schools_for_import(user)).select_related(
            "organisation", "uploaded_by"
        ),
        uuid=uuid,
    )


def guardian_record_of(user: AnyUser, student: Student) -> Guardian | None:
    """The guardian row through which a parent's account is linked to this student (the
    first by id); read from the student's guardians, so a page that prefetched them asks
    the database nothing more."""
    if not user.is_authenticated or not access_of(user).is_parent:
        return None
    linked = (g for g in student.guardians.all() if g.user_id == user.pk)
    return min(linked, key=lambda g: g.pk, default=None)


def can_manage_consents(user: AnyUser, student: Student) -> bool:
    """Staff who edit the student record consents on paper; a parent gives theirs online."""
    return can_edit_student(user, student) or guardian_record_of(user, student) is not None


def can_list_students(user: AnyUser) -> bool:
    """Staff who work with student lists (not parents, pupils or administration)."""
    acc = access_of(user)
    return acc.is_superuser or acc.has(*PUPIL_READERS, Role.TECHNIKUM_STAFF, Role.COORDINATOR)


def students_editable_by(
    user: AnyUser, queryset: QuerySet[Student] | None = None
) -> QuerySet[Student]:
    """Students whose records the user edits (see can_edit_student), as a queryset: the
    pupils a counsellor may assign a questionnaire to or register for an event."""
    from students.models import Student

    qs = Student.objects.all() if queryset is None else queryset
    acc = access_of(user)
    if acc.is_superuser:
        return qs
    return qs.filter(
        Q(organisation_id__in=acc.organisations(*STUDENT_EDITORS))
        | Q(organisation__district_id__in=acc.districts(Role.COORDINATOR))
    )


# --- career guidance -------------------------------------------------------------------

# Staff roles that may organise career events for their organisation (not administration).
EVENT_ORGANISERS = (
    Role.COUNSELLOR,
    Role.SCHOOL_HEAD,
    Role.TECHNIKUM_STAFF,
    Role.EMPLOYER_REP,
    Role.CENTRE_SPECIALIST,
    Role.COORDINATOR,
)


def can_see_guidance_of(user: AnyUser, student: Student) -> bool:
    """Questionnaire results, event registrations and recommendations of a student: the
    school's (or technikum's) staff, the coordinator, the parent and the pupil; not employers."""
    acc = access_of(user)
    if acc.is_superuser:
        return True
    if student.organisation_id in acc.organisations(*PUPIL_READERS, Role.TECHNIKUM_STAFF):
        return True
    if student.organisation.district_id in acc.districts(Role.COORDINATOR):
        return True
    if acc.is_pupil and student.user_id == getattr(user, "pk", None):
        return True
    return guardian_record_of(user, student) is not None


def assignment_batches_visible_to(user: AnyUser) -> QuerySet[AssignmentBatch]:
    """Questionnaire assignments of the organisations whose students the user edits."""
    from guidance.models import AssignmentBatch

    acc = access_of(user)
    qs = AssignmentBatch.objects.all()
    if acc.is_superuser:
        return qs
    return qs.filter(
        Q(organisation_id__in=acc.organisations(*STUDENT_EDITORS))
        | Q(organisation__district_id__in=acc.districts(Role.COORDINATOR))
    )


def assignment_batch_for(user: AnyUser, uuid: UUID | str) -> AssignmentBatch:
    """One assignment (with its class list of codes); 404 for everyone else."""
    return get_object_or_404(
        assignment_batches_visible_to(user).select_related("questionnaire", "organisation"),
        uuid=uuid,
    )


def attempt_for(user: AnyUser, uuid: UUID | str) -> Attempt:
    """One questionnaire result: 404 unless the user may see the student's guidance data."""
    from guidance.models import Attempt

    attempt = get_object_or_404(
        Attempt.objects.filter(student__in=students_visible_to(user)).select_related(
            "questionnaire", "student", "student__organisation"
        ),
        uuid=uuid,
    )
    if not can_see_guidance_of(user, attempt.student):
        raise Http404
    return attempt


def events_visible_to(user: AnyUser) -> QuerySet[Event]:
    """Public events for everyone; staff also see the other events of their districts."""
    from guidance.models import Event

    acc = access_of(user)
    qs = Event.objects.all()
    if acc.is_superuser:
        return qs
    districts = acc.districts(*Role.values)
    if not districts:
        return qs.filter(is_public=True)
    return qs.filter(Q(is_public=True) | Q(organiser__district_id__in=districts))


def event_organisers_for(user: AnyUser) -> QuerySet[Organisation]:
    """Organisations on whose behalf the user may publish career events."""
    acc = access_of(user)
    qs = Organisation.objects.filter(is_active=True)
    if acc.is_superuser:
        return qs
    return qs.filter(
        Q(pk__in=acc.organisations(*EVENT_ORGANISERS))
        | Q(district_id__in=acc.districts(Role.COORDINATOR))
    )


def can_manage_event(user: AnyUser, event: Event) -> bool:
    """The organiser's staff and the district's coordinator edit it and mark attendance."""
    acc = access_of(user)
    if acc.is_superuser:
        return True
    if event.organiser_id in acc.organisations(*EVENT_ORGANISERS):
        return True
    return event.organiser.district_id in acc.districts(Role.COORDINATOR)


def event_for(user: AnyUser, uuid: UUID | str, *, manage: bool = False) -> Event:
    """One event: 404 when not visible, 403 when visible but managed by others."""
    event = get_object_or_404(
        events_visible_to(user).select_related("organiser", "organiser__district", "programme"),
        uuid=uuid,
    )
    if manage and not can_manage_event(user, event):
        raise PermissionDenied
    return event


def can_register_pupils(user: AnyUser) -> bool:
    """Counsellors (and technikum staff, coordinators) register the students they edit."""
    acc = access_of(user)
    return acc.is_superuser or acc.has(*STUDENT_EDITORS, Role.COORDINATOR)


def registration_for(user: AnyUser, uuid: UUID | str) -> Registration:
    """A registration seen by whoever registered such pupils, the event's organiser or the
    pupil; 404 for everyone else."""
    from guidance.models import Registration

    registration = get_object_or_404(
        Registration.objects.select_related(
            "event", "event__organiser", "event__organiser__district", "student"
        ),
        uuid=uuid,
    )
    student = registration.student
    if (
        students_editable_by(user).filter(pk=student.pk).exists()
        or can_manage_event(user, registration.event)
        or (user.is_authenticated and student.user_id == user.pk)
    ):
        return registration
    raise Http404


def can_cancel_registration(user: AnyUser, registration: Registration) -> bool:
    return can_manage_event(user, registration.event) or (
        students_editable_by(user).filter(pk=registration.student_id).exists()
    )


def can_leave_feedback(user: AnyUser, registration: Registration) -> bool:
    """Only the pupil, from their own account."""
    return user.is_authenticated and registration.student.user_id == user.pk


# --- organisations and their publications ----------------------------------------------


def organisations_managed_by(user: AnyUser, kind: str) -> QuerySet[Organisation]:
    """Organisations of a kind whose publications the user may edit."""
    acc = access_of(user)
    qs = Organisation.objects.filter(kind=kind)
    if acc.is_superuser:
        return qs
    own_roles = {
        Organisation.Kind.TECHNIKUM: (Role.TECHNIKUM_STAFF,),
        Organisation.Kind.EMPLOYER: (Role.EMPLOYER_REP,),
    }.get(kind, ())
    rule = Q(pk__in=acc.organisations(*own_roles)) | Q(
        district_id__in=acc.districts(Role.COORDINATOR)
    )
    if kind == Organisation.Kind.EMPLOYER:
        # The employment centre publishes vacancies on behalf of the district's employers.
        rule |= Q(district_id__in=acc.districts(Role.CENTRE_SPECIALIST))
    return qs.filter(rule)


def programmes_visible_to(user: AnyUser) -> QuerySet[Programme]:
    """Published programmes for everyone; their technikum's staff and the coordinator also
    see the unpublished ones."""
    from schools.models import Programme

    return Programme.objects.filter(
        Q(is_published=True, technikum__is_active=True)
        | Q(technikum__in=organisations_managed_by(user, Organisation.Kind.TECHNIKUM))
    )


def can_edit_programme(user: AnyUser, programme: Programme) -> bool:
    return (
        organisations_managed_by(user, Organisation.Kind.TECHNIKUM)
        .filter(pk=programme.technikum_id)
        .exists()
    )


def programme_for(user: AnyUser, pk: int, *, manage: bool = False) -> Programme:
    """One programme: 404 when not visible, 403 when visible but the user does not manage it."""
    programme = get_object_or_404(
        programmes_visible_to(user).select_related("technikum", "technikum__district"), pk=pk
    )
    if manage and not can_edit_programme(user, programme):
        raise PermissionDenied
    return programme


def can_manage_programmes(user: AnyUser) -> bool:
    """Technikum staff (and coordinators) publish programmes and dual-training places."""
    acc = access_of(user)
    return acc.is_superuser or acc.has(Role.TECHNIKUM_STAFF, Role.COORDINATOR)


# --- dual training ---------------------------------------------------------------------


def places_visible_to(user: AnyUser) -> QuerySet[DualTrainingPlace]:
    """Published places for everyone; drafts and closed ones for the programme's technikum,
    the place's employer and the district's coordinator."""
    from employers.models import DualTrainingPlace

    acc = access_of(user)
    qs = DualTrainingPlace.objects.all()
    if acc.is_superuser:
        return qs
    return qs.filter(
        # Also ended ones: an old link says the period is over instead of "not found".
        Q(
            status=DualTrainingPlace.Status.PUBLISHED,
            employer__is_active=True,
            programme__is_published=True,
        )
        | Q(programme__technikum__in=organisations_managed_by(user, Organisation.Kind.TECHNIKUM))
        | Q(employer_id__in=acc.organisations(Role.EMPLOYER_REP))
    )


def can_edit_dual_place(user: AnyUser, place: DualTrainingPlace) -> bool:
    """The technikum of the place's programme publishes and edits it (and the coordinator)."""
    return can_edit_programme(user, place.programme)


def place_for(user: AnyUser, uuid: UUID | str, *, manage: bool = False) -> DualTrainingPlace:
    """One place: 404 when not visible, 403 when visible but edited by others."""
    place = get_object_or_404(
        places_visible_to(user).select_related(
            "programme", "programme__technikum", "employer", "employer__district"
        ),
        uuid=uuid,
    )
    if manage and not can_edit_dual_place(user, place):
        raise PermissionDenied
    return place


def can_see_mentor(user: AnyUser) -> bool:
    """Mentors' names and contacts are personal data: signed-in staff only, never public."""
    acc = access_of(user)
    return acc.is_superuser or bool(acc.grants)


def placements_visible_to(user: AnyUser) -> QuerySet[Placement]:
    """The technikum's placements, the employer's (those under way or done) and the
    coordinator's district's; nobody else's."""
    from employers.models import Placement

    acc = access_of(user)
    qs = Placement.objects.all()
    if acc.is_superuser:
        return qs
    return qs.filter(
        Q(place__programme__technikum_id__in=acc.organisations(Role.TECHNIKUM_STAFF))
        | Q(
            place__employer_id__in=acc.organisations(Role.EMPLOYER_REP),
            status__in=Placement.VISIBLE_TO_EMPLOYER,
        )
        | Q(place__employer__district_id__in=acc.districts(Role.COORDINATOR))
    )


def can_list_placements(user: AnyUser) -> bool:
    """Those who work with placements: the technikum, employers and the coordinator."""
    acc = access_of(user)
    return acc.is_superuser or acc.has(Role.TECHNIKUM_STAFF, Role.EMPLOYER_REP, Role.COORDINATOR)


def placement_for(user: AnyUser, uuid: UUID | str) -> Placement:
    """One placement with its place, programme, employer and student; 404 if not visible."""
    return get_object_or_404(
        placements_visible_to(user).select_related(
            "place",
            "place__programme",
            "place__programme__technikum",
            "place__employer",
            "student",
        ),
        uuid=uuid,
    )


def placement_sides(user: AnyUser, placement: Placement) -> set[str]:
    """Which side of a placement the user acts for: "technikum" (staff of the programme's
    technikum), "employer" (the place's employer's representative); the coordinator reads."""
    acc = access_of(user)
    sides = set()
    if acc.is_superuser or placement.place.programme.technikum_id in acc.organisations(
        Role.TECHNIKUM_STAFF
    ):
        sides.add("technikum")
    if acc.is_superuser or placement.place.employer_id in acc.organisations(Role.EMPLOYER_REP):
        sides.add("employer")
    return sides


def can_propose_to(user: AnyUser, place: DualTrainingPlace) -> bool:
    """Staff of the technikum whose programme the place is for propose its students."""
    acc = access_of(user)
    return acc.is_superuser or place.programme.technikum_id in acc.organisations(
        Role.TECHNIKUM_STAFF
    )


def can_evaluate(user: AnyUser, placement: Placement) -> bool:
    """The employer's representative (the mentor's side) records evaluations."""
    return "employer" in placement_sides(user, placement)


# --- vacancies and employers ------------------------------------------------------------


def vacancies_visible_to(user: AnyUser) -> QuerySet[Vacancy]:
    """Published vacancies for everyone; every state for those who publish or moderate them."""
    from employers.models import Vacancy

    acc = access_of(user)
    qs = Vacancy.objects.all()
    if acc.is_superuser:
        return qs
    return qs.filter(
        # Also expired ones: an old link says so instead of "not found".
        Q(status=Vacancy.Status.PUBLISHED, employer__is_active=True)
        | Q(employer__in=organisations_managed_by(user, Organisation.Kind.EMPLOYER))
    )


def can_edit_vacancy(user: AnyUser, vacancy: Vacancy) -> bool:
    return (
        organisations_managed_by(user, Organisation.Kind.EMPLOYER)
        .filter(pk=vacancy.employer_id)
        .exists()
    )


def vacancy_roles(user: AnyUser, vacancy: Vacancy) -> set[str]:
    """ "publisher" (the employer's representative, the employment centre, the coordinator)
    and "moderator" (the coordinator of the employer's district)."""
    acc = access_of(user)
    roles = set()
    if can_edit_vacancy(user, vacancy):
        roles.add("publisher")
    if acc.is_superuser or vacancy.employer.district_id in acc.districts(Role.COORDINATOR):
        roles.add("moderator")
    return roles


def vacancy_for(user: AnyUser, uuid: UUID | str, *, manage: bool = False) -> Vacancy:
    """One vacancy: 404 when not visible, 403 when visible but published by others."""
    vacancy = get_object_or_404(
        vacancies_visible_to(user).select_related("employer", "employer__district", "profession"),
        uuid=uuid,
    )
    if manage and not can_edit_vacancy(user, vacancy):
        raise PermissionDenied
    return vacancy


def can_moderate_vacancies(user: AnyUser) -> bool:
    acc = access_of(user)
    return acc.is_superuser or acc.has(Role.COORDINATOR)


def vacancies_moderated_by(user: AnyUser) -> QuerySet[Vacancy]:
    """Vacancies on moderation whose employer is in a district the user coordinates."""
    from employers.models import Vacancy

    acc = access_of(user)
    qs = Vacancy.objects.filter(status=Vacancy.Status.MODERATION, employer__is_active=True)
    if acc.is_superuser:
        return qs
    return qs.filter(employer__district_id__in=acc.districts(Role.COORDINATOR))


def can_publish_vacancies(user: AnyUser) -> bool:
    acc = access_of(user)
    return acc.is_superuser or acc.has(Role.EMPLOYER_REP, Role.CENTRE_SPECIALIST, Role.COORDINATOR)


def employer_for(user: AnyUser, pk: int) -> Organisation:
    """An employer whose profile the user keeps (its representative, the employment centre,
    the coordinator); 404 otherwise."""
    return get_object_or_404(
        organisations_managed_by(user, Organisation.Kind.EMPLOYER).select_related("district"),
        pk=pk,
    )


# --- labour market ---------------------------------------------------------------------
# The summaries hold aggregates only (no person in them): every staff role reads its own
# district's, and the short public page of in-demand professions is open to everyone.


def labour_districts_of(user: AnyUser) -> QuerySet[District]:
    """The districts whose labour-market pages the user reads (all for a superuser)."""
    acc = access_of(user)
    if acc.is_superuser:
        return District.objects.all()
    return District.objects.filter(pk__in=acc.districts(*Role.values))


def can_read_labour_market(user: AnyUser) -> bool:
    acc = access_of(user)
    return acc.is_superuser or bool(acc.grants)


def labour_summaries_visible_to(user: AnyUser) -> QuerySet[LabourSummary]:
    from labour.models import LabourSummary

    return LabourSummary.objects.filter(district__in=labour_districts_of(user))


def can_map_vacancies(user: AnyUser) -> bool:
    """The coordinator maps the vacancies the rules left without a profession."""
    acc = access_of(user)
    return acc.is_superuser or acc.has(Role.COORDINATOR)


def vacancies_mapped_by(user: AnyUser) -> QuerySet[Vacancy]:
    """Every vacancy (any status) of the districts the user coordinates."""
    from employers.models import Vacancy

    return coordinated_scope(user, Vacancy.objects.all(), district_path="employer__district")


def vacancy_to_map_for(user: AnyUser, uuid: UUID | str) -> Vacancy:
    """403 for those who do not map vacancies, 404 for another district's vacancy."""
    if not can_map_vacancies(user):
        raise PermissionDenied
    return get_object_or_404(vacancies_mapped_by(user).select_related("employer"), uuid=uuid)


def can_import_vacancies(user: AnyUser) -> bool:
    """The employment centre's specialists and the coordinator load the centre's exports."""
    acc = access_of(user)
    return acc.is_superuser or acc.has(Role.CENTRE_SPECIALIST, Role.COORDINATOR)


def districts_for_vacancy_import(user: AnyUser) -> QuerySet[District]:
    acc = access_of(user)
    if acc.is_superuser:
        return District.objects.all()
    return District.objects.filter(pk__in=acc.districts(Role.CENTRE_SPECIALIST, Role.COORDINATOR))


def vacancy_imports_visible_to(user: AnyUser) -> QuerySet[VacancyImport]:
    """The imports (any source) of the districts where the user loads vacancies."""
    from labour.models import VacancyImport

    return VacancyImport.objects.filter(district__in=districts_for_vacancy_import(user))


def vacancy_import_for(user: AnyUser, uuid: UUID | str) -> VacancyImport:
    """One import of the user's district; 404 otherwise (also for those who do not import)."""
    return get_object_or_404(
        vacancy_imports_visible_to(user).select_related("district", "started_by"), uuid=uuid
    )


def can_subscribe_to_digest(user: AnyUser) -> bool:
    return can_read_labour_market(user)


# --- reports --------------------------------------------------------------------------
# The district reports hold aggregates only. The administration sees its districts with
# small counts hidden; the coordinator its districts and a school head their schools, exact.


def can_read_reports(user: AnyUser) -> bool:
    acc = access_of(user)
    return acc.is_superuser or acc.has(Role.ADMINISTRATION, Role.COORDINATOR, Role.SCHOOL_HEAD)


def report_scope_for(user: AnyUser) -> ReportScope:
    """What the user's reports cover and whether small counts are hidden; 403 for others."""
    from reports.scope import ReportScope

    acc = access_of(user)
    if acc.is_superuser:
        return ReportScope(
            district_ids=frozenset(District.objects.values_list("pk", flat=True)), exact=True
        )
    if acc.has(Role.COORDINATOR):
        return ReportScope(district_ids=frozenset(acc.districts(Role.COORDINATOR)), exact=True)
    if acc.has(Role.ADMINISTRATION):
        return ReportScope(district_ids=frozenset(acc.districts(Role.ADMINISTRATION)), exact=False)
    if acc.has(Role.SCHOOL_HEAD):
        return ReportScope(
            district_ids=frozenset(acc.districts(Role.SCHOOL_HEAD)),
            school_ids=frozenset(acc.organisations(Role.SCHOOL_HEAD)),
            exact=True,
        )
    raise PermissionDenied


# --- career-guidance minimum (профминимум) ---------------------------------------------
# The school's counsellors record class activities; its head and counsellors read the hours
# of its pupils, the coordinator those of the district's schools; parents and pupils see
# their own. Technikum staff and employers see none: the minimum is a school matter.

MINIMUM_READERS = (Role.COUNSELLOR, Role.SCHOOL_HEAD)


def can_read_career_minimum(user: AnyUser) -> bool:
    acc = access_of(user)
    return acc.is_superuser or acc.has(*MINIMUM_READERS, Role.COORDINATOR)


def career_schools_of(user: AnyUser, *, record: bool = False) -> QuerySet[Organisation]:
    """Schools whose minimum the user reads, or (``record``) whose activities they record."""
    acc = access_of(user)
    schools = Organisation.objects.filter(kind=Organisation.Kind.SCHOOL)
    if acc.is_superuser:
        return schools
    roles = (Role.COUNSELLOR,) if record else MINIMUM_READERS
    return schools.filter(
        Q(pk__in=acc.organisations(*roles)) | Q(district_id__in=acc.districts(Role.COORDINATOR))
    )


def can_record_activities(user: AnyUser) -> bool:
    acc = access_of(user)
    return acc.is_superuser or acc.has(Role.COUNSELLOR, Role.COORDINATOR)


def can_choose_career_level(user: AnyUser) -> bool:
    """The school's head (and the coordinator) choose the level of the year."""
    acc = access_of(user)
    return acc.is_superuser or acc.has(Role.SCHOOL_HEAD, Role.COORDINATOR)


def career_plan_schools_of(user: AnyUser) -> QuerySet[Organisation]:
    acc = access_of(user)
    schools = Organisation.objects.filter(kind=Organisation.Kind.SCHOOL)
    if acc.is_superuser:
        return schools
    return schools.filter(
        Q(pk__in=acc.organisations(Role.SCHOOL_HEAD))
        | Q(district_id__in=acc.districts(Role.COORDINATOR))
    )


def activities_visible_to(user: AnyUser) -> QuerySet[Activity]:
    from career_minimum.models import Activity

    return Activity.objects.filter(school__in=career_schools_of(user))


def activity_for(user: AnyUser, uuid: UUID | str, *, manage: bool = False) -> Activity:
    """One activity: 404 when not visible, 403 when visible but recorded by others."""
    activity = get_object_or_404(
        activities_visible_to(user).select_related("school", "direction"), uuid=uuid
    )
    if manage and not career_schools_of(user, record=True).filter(pk=activity.school_id).exists():
        raise PermissionDenied
    return activity


def participation_for(user: AnyUser, uuid: UUID | str) -> Participation:
    """A pupil's presence at an activity, for those who record the school's activities."""
    from career_minimum.models import Participation

    participation = get_object_or_404(
        Participation.objects.filter(activity__in=activities_visible_to(user)).select_related(
            "activity", "student"
        ),
        uuid=uuid,
    )
    if (
        not career_schools_of(user, record=True)
        .filter(pk=participation.activity.school_id)
        .exists()
    ):
        raise PermissionDenied
    return participation


def career_minimum_student_for(user: AnyUser, uuid: UUID | str) -> Student:
    """A school pupil whose hours the user sees: the school's counsellors and head, the
    district's coordinator, the pupil's parent and the pupil; 404 for everyone else."""
    from students.models import Guardian, Student

    acc = access_of(user)
    pupils = Student.objects.filter(organisation__kind=Organisation.Kind.SCHOOL)
    if not acc.is_superuser:
        rule = Q(organisation__in=career_schools_of(user))
        if acc.is_parent:
            rule |= Q(pk__in=Guardian.objects.filter(user=user).values("student_id"))
        if acc.is_pupil:
            rule |= Q(user=user)
        pupils = pupils.filter(rule)
    return get_object_or_404(pupils.select_related("organisation"), uuid=uuid)


# --- admin scope and roles ------------------------------------------------------------


def coordinated_scope(user: AnyUser, queryset: QuerySet, *, district_path: str) -> QuerySet:
    """The admin's scope: rows of the districts the user coordinates (all for a superuser)."""
    acc = access_of(user)
    if acc.is_superuser:
        return queryset
    return queryset.filter(**{f"{district_path}__in": acc.districts(Role.COORDINATOR)})


def staff_organisations(user: AnyUser, *roles: str) -> QuerySet[Organisation]:
    """The organisations where the user holds one of the roles, for home pages."""
    return Organisation.objects.filter(pk__in=access_of(user).organisations(*roles)).select_related(
        "district"
    )


def roles_of(user: AnyUser) -> Iterable[str]:
    """The user's roles including the non-staff ones ('parent', 'pupil')."""
    acc = access_of(user)
    yield from sorted(acc.roles())
    if acc.is_parent:
        yield "parent"
    if acc.is_pupil:
        yield "pupil"


def is_admin_user(user: AnyUser) -> bool:
    """Active staff who coordinate a district, and superusers: the admin's users."""
    if not (user.is_authenticated and user.is_active and user.is_staff):
        return False
    acc = access_of(user)
    return acc.is_superuser or acc.has(Role.COORDINATOR)


def can_use_admin(user: AnyUser) -> bool:
    """The Django admin: its users, those enrolled in two-factor login once they entered
    the code in this session."""
    return is_admin_user(user) and not second_factor_pending(user)


# --- two-factor login ------------------------------------------------------------------


def can_use_two_factor(user: AnyUser) -> bool:
    """Coordinators and district administration (and superusers) may enrol a TOTP device."""
    acc = access_of(user)
    return acc.is_superuser or acc.has(Role.COORDINATOR, Role.ADMINISTRATION)


def has_second_factor(user: AnyUser) -> bool:
    """Whether the user has a confirmed authenticator app (read once per request). Backup
    codes alone do not count: they stand in for the app and go with it."""
    cached = getattr(user, "_rc_second_factor", None)
    if cached is not None:
        return cached
    from django_otp.plugins.otp_totp.models import TOTPDevice

    result = user.is_authenticated and TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    user._rc_second_factor = result  # type: ignore[union-attr]
    return result


def second_factor_pending(user: AnyUser) -> bool:
    """An enrolled user who has not entered a code in this session (OTPMiddleware's
    ``is_verified``; without the middleware nobody counts as verified)."""
    is_verified = getattr(user, "is_verified", None)
    if is_verified is not None and is_verified():
        return False
    return has_second_factor(user)
