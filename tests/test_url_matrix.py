"""The authorization matrix: every URL of the project × every role × own/foreign object.

The table below is the specification. The test walks the URL resolver, so a new URL
without a row here fails until its expected statuses are written down.
"""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests import factories as f

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "counsellor_a",
    "head_a",
    "technikum_staff",
    "employer_rep",
    "centre_specialist",
    "district_admin",
    "coordinator",
    "parent_of_pupil_a",
    "pupil_a_user",
]

# The student each role would call its own, and one of another organisation (or district).
OWN_STUDENT = {
    "anonymous": "pupil_a",
    "counsellor_a": "pupil_a",
    "head_a": "pupil_a",
    "technikum_staff": "placed_student",
    "employer_rep": "placed_student",
    "centre_specialist": "pupil_a",
    "district_admin": "pupil_a",
    "coordinator": "pupil_a",
    "parent_of_pupil_a": "pupil_a",
    "pupil_a_user": "pupil_a",
}
FOREIGN_STUDENT = {
    **dict.fromkeys(OWN_STUDENT, "pupil_b"),
    "technikum_staff": "pupil_a",
    "employer_rep": "pupil_a",
    "coordinator": "far_pupil",
}

LOGIN = 302  # anonymous visitors are sent to the login page
PUBLIC = dict.fromkeys(ROLES, 200)
STAFF_ONLY = {**dict.fromkeys(ROLES, 200), "anonymous": LOGIN}


def student_editors(ok: int, *, parent: int = 403) -> dict[str, tuple[int, int]]:
    """A page that changes a student: `ok` for those who edit it (and `parent` for the
    parent), 403 for those who only read it, 404 for everyone else and every foreign one."""
    return {
        "anonymous": (LOGIN, LOGIN),
        "counsellor_a": (ok, 404),
        "head_a": (403, 404),
        "technikum_staff": (ok, 404),
        "employer_rep": (403, 404),
        "centre_specialist": (404, 404),
        "district_admin": (404, 404),
        "coordinator": (ok, 404),
        "parent_of_pupil_a": (parent, 404),
        "pupil_a_user": (403, 404),
    }


# Pages for those who edit students: counsellors, technikum staff, coordinators.
STUDENT_EDITOR_PAGE = {
    **dict.fromkeys(ROLES, 403),
    "anonymous": LOGIN,
    "counsellor_a": 200,
    "technikum_staff": 200,
    "coordinator": 200,
}
# Pages of an event's organiser (the technikum) and the district's coordinator.
EVENT_MANAGER_PAGE = {
    **dict.fromkeys(ROLES, (403, 404)),
    "anonymous": (LOGIN, LOGIN),
    "technikum_staff": (200, 404),
    "coordinator": (200, 404),
}

# Pages of the technikum (and the coordinator), of everyone who publishes vacancies, and of
# those who work with placements.
TECHNIKUM_PAGE = {
    **dict.fromkeys(ROLES, 403),
    "anonymous": LOGIN,
    "technikum_staff": 200,
    "coordinator": 200,
}
PUBLISHER_PAGE = {
    **dict.fromkeys(ROLES, 403),
    "anonymous": LOGIN,
    "employer_rep": 200,
    "centre_specialist": 200,
    "coordinator": 200,
}
DUAL_TRAINING_PAGE = {**TECHNIKUM_PAGE, "employer_rep": 200}


def two_factor_action(ok: int) -> dict[str, int]:
    """A page of the user's own two-factor login: coordinators and district administration."""
    return {
        **dict.fromkeys(ROLES, 403),
        "anonymous": LOGIN,
        "coordinator": ok,
        "district_admin": ok,
    }


TWO_FACTOR_PAGE = two_factor_action(200)
# A public page of a published object (own) or of another district's draft (foreign).
PUBLIC_OBJECT = dict.fromkeys(ROLES, (200, 404))


def managers(*roles: str, ok: int = 200, others: int = 403) -> dict[str, tuple[int, int]]:
    """A page that changes an object: `ok` for the roles that manage it, `others` for those
    who only see it, 404 for every foreign one."""
    return {
        **dict.fromkeys(ROLES, (others, 404)),
        "anonymous": (LOGIN, LOGIN),
        **dict.fromkeys(roles, (ok, 404)),
    }


# url name -> (methods the view handles, {role: status} or {role: (own, foreign)})
MATRIX: dict[str, tuple[set[str], dict[str, int | tuple[int, int]]]] = {
    "home": ({"GET", "HEAD"}, PUBLIC),
    "health": ({"GET", "HEAD"}, PUBLIC),
    "ping": ({"GET", "HEAD"}, PUBLIC),
    "login": ({"GET", "HEAD", "POST"}, {**dict.fromkeys(ROLES, 302), "anonymous": 200}),
    "logout": ({"POST"}, dict.fromkeys(ROLES, 302)),  # to the home page, or to log in
    "password_change": ({"GET", "HEAD", "POST"}, STAFF_ONLY),
    "password_change_done": ({"GET", "HEAD"}, STAFF_ONLY),
    # The code step after the password: a user who owes no code goes on to the home page.
    "login_code": ({"GET", "HEAD", "POST"}, dict.fromkeys(ROLES, 302)),
    # Two-factor settings: coordinators and administration; POSTs without a device redirect.
    "two_factor": ({"GET", "HEAD"}, TWO_FACTOR_PAGE),
    "two_factor_start": ({"POST"}, two_factor_action(302)),
    "two_factor_confirm": ({"POST"}, two_factor_action(302)),
    "two_factor_disable": ({"POST"}, two_factor_action(302)),
    "two_factor_backup_codes": ({"POST"}, two_factor_action(302)),
    "schools:programme_list": ({"GET", "HEAD"}, PUBLIC),
    "schools:programme_detail": ({"GET", "HEAD"}, PUBLIC_OBJECT),
    "schools:programme_create": ({"GET", "HEAD", "POST"}, TECHNIKUM_PAGE),
    "schools:programme_manage": ({"GET", "HEAD"}, TECHNIKUM_PAGE),
    "schools:programme_update": (
        {"GET", "HEAD", "POST"},
        managers("technikum_staff", "coordinator"),
    ),
    "employers:place_detail": ({"GET", "HEAD"}, PUBLIC_OBJECT),
    "employers:place_create": ({"GET", "HEAD", "POST"}, TECHNIKUM_PAGE),
    "employers:place_manage": ({"GET", "HEAD"}, DUAL_TRAINING_PAGE),
    "employers:place_update": (
        {"GET", "HEAD", "POST"},
        managers("technikum_staff", "coordinator"),
    ),
    "employers:placement_create": ({"GET", "HEAD", "POST"}, managers("technikum_staff")),
    "employers:placement_list": ({"GET", "HEAD"}, DUAL_TRAINING_PAGE),
    "employers:placement_detail": (
        {"GET", "HEAD"},
        managers("technikum_staff", "employer_rep", "coordinator", others=404),
    ),
    # POST-only: an empty POST is refused with a message and a redirect to the placement.
    "employers:placement_transition": (
        {"POST"},
        {
            **managers("technikum_staff", "employer_rep", ok=302, others=404),
            "coordinator": (403, 404),
        },
    ),
    "employers:evaluation_create": (
        {"GET", "HEAD", "POST"},
        {
            **managers("employer_rep", others=404),
            "technikum_staff": (403, 404),
            "coordinator": (403, 404),
        },
    ),
    "employers:vacancy_detail": ({"GET", "HEAD"}, PUBLIC_OBJECT),
    "employers:vacancy_create": ({"GET", "HEAD", "POST"}, PUBLISHER_PAGE),
    "employers:vacancy_manage": ({"GET", "HEAD"}, PUBLISHER_PAGE),
    "employers:vacancy_update": (
        {"GET", "HEAD", "POST"},
        managers("employer_rep", "centre_specialist", "coordinator"),
    ),
    "employers:vacancy_transition": (
        {"POST"},
        managers("employer_rep", "centre_specialist", "coordinator", ok=302),
    ),
    "employers:employer_profile": (
        {"GET", "HEAD", "POST"},
        managers("employer_rep", "centre_specialist", "coordinator", others=404),
    ),
    "sitemap": ({"GET", "HEAD"}, PUBLIC),
    "employers:vacancy_list": ({"GET", "HEAD"}, PUBLIC),
    "employers:place_list": ({"GET", "HEAD"}, PUBLIC),
    "students:student_list": (
        {"GET", "HEAD"},
        {
            "anonymous": LOGIN,
            "counsellor_a": 200,
            "head_a": 200,
            "technikum_staff": 200,
            "employer_rep": 403,
            "centre_specialist": 403,
            "district_admin": 403,
            "coordinator": 200,
            "parent_of_pupil_a": 403,
            "pupil_a_user": 403,
        },
    ),
    "students:student_detail": (
        {"GET", "HEAD"},
        {
            "anonymous": (LOGIN, LOGIN),
            "counsellor_a": (200, 404),
            "head_a": (200, 404),
            "technikum_staff": (200, 404),
            "employer_rep": (200, 404),
            "centre_specialist": (404, 404),
            "district_admin": (404, 404),
            "coordinator": (200, 404),
            "parent_of_pupil_a": (200, 404),
            "pupil_a_user": (200, 404),
        },
    ),
    "students:student_create": (
        {"GET", "HEAD", "POST"},
        {**dict.fromkeys(ROLES, 403), "anonymous": LOGIN, "counsellor_a": 200},
    ),
    "students:student_update": ({"GET", "HEAD", "POST"}, student_editors(200)),
    "students:consent_create": ({"GET", "HEAD", "POST"}, student_editors(200, parent=200)),
    # POST-only actions are probed with a POST (see probe_method).
    "students:consent_withdraw": ({"POST"}, student_editors(302, parent=302)),
    "students:invitation_create": ({"POST"}, student_editors(200)),
    "students:invitation_accept": ({"GET", "HEAD", "POST"}, PUBLIC),
    "students:student_export": (
        {"GET"},
        {
            **dict.fromkeys(ROLES, 403),
            "anonymous": LOGIN,
            "counsellor_a": 200,
            "head_a": 200,
            "technikum_staff": 200,
            "coordinator": 200,
        },
    ),
    "students:import_upload": (
        {"GET", "HEAD", "POST"},
        {**dict.fromkeys(ROLES, 403), "anonymous": LOGIN, "counsellor_a": 200},
    ),
    "students:import_list": (
        {"GET", "HEAD"},
        {**dict.fromkeys(ROLES, 403), "anonymous": LOGIN, "counsellor_a": 200},
    ),
    "students:import_preview": (
        {"GET", "HEAD"},
        {
            **dict.fromkeys(ROLES, (404, 404)),
            "anonymous": (LOGIN, LOGIN),
            "counsellor_a": (200, 404),
        },
    ),
    "students:import_commit": (
        {"POST"},
        {
            **dict.fromkeys(ROLES, (404, 404)),
            "anonymous": (LOGIN, LOGIN),
            "counsellor_a": (302, 404),
        },
    ),
    "students:import_discard": (
        {"POST"},
        {
            **dict.fromkeys(ROLES, (404, 404)),
            "anonymous": (LOGIN, LOGIN),
            "counsellor_a": (302, 404),
        },
    ),
    "audit_list": (
        {"GET", "HEAD"},
        {**dict.fromkeys(ROLES, 403), "anonymous": LOGIN, "head_a": 200, "coordinator": 200},
    ),
    # --- career guidance: questionnaires ---
    "guidance:assignment_create": ({"GET", "HEAD", "POST"}, STUDENT_EDITOR_PAGE),
    "guidance:assignment_list": ({"GET", "HEAD"}, STUDENT_EDITOR_PAGE),
    "guidance:assignment_detail": (
        {"GET", "HEAD"},
        {
            **dict.fromkeys(ROLES, (404, 404)),
            "anonymous": (LOGIN, LOGIN),
            "counsellor_a": (200, 404),
            "coordinator": (200, 200),
        },
    ),
    "guidance:code_entry": ({"GET", "HEAD", "POST"}, PUBLIC),
    "guidance:questionnaire_take": ({"GET", "HEAD", "POST"}, PUBLIC),
    "guidance:paper_entry": ({"GET", "HEAD", "POST"}, student_editors(200)),
    "guidance:result_detail": (
        {"GET", "HEAD"},
        {
            **dict.fromkeys(ROLES, (404, 404)),
            "anonymous": (LOGIN, LOGIN),
            "counsellor_a": (200, 404),
            "head_a": (200, 404),
            "coordinator": (200, 200),
            "parent_of_pupil_a": (200, 404),
            "pupil_a_user": (200, 404),
        },
    ),
    # --- career guidance: events (own: the technikum's public event; foreign: another
    # district's closed one) ---
    "guidance:event_list": ({"GET", "HEAD"}, PUBLIC),
    "guidance:event_ical": ({"GET", "HEAD"}, PUBLIC),
    "guidance:event_create": (
        {"GET", "HEAD", "POST"},
        {
            **dict.fromkeys(ROLES, 200),
            "anonymous": LOGIN,
            "district_admin": 403,
            "parent_of_pupil_a": 403,
            "pupil_a_user": 403,
        },
    ),
    "guidance:event_detail": ({"GET", "HEAD"}, dict.fromkeys(ROLES, (200, 404))),
    "guidance:event_update": ({"GET", "HEAD", "POST"}, EVENT_MANAGER_PAGE),
    "guidance:event_attendance": ({"GET", "HEAD", "POST"}, EVENT_MANAGER_PAGE),
    "guidance:event_register": (
        {"GET", "HEAD", "POST"},
        {
            **dict.fromkeys(ROLES, (403, 404)),
            "anonymous": (LOGIN, LOGIN),
            "counsellor_a": (200, 404),
            "technikum_staff": (200, 404),
            "coordinator": (200, 404),
        },
    ),
    # own: pupil_a at the technikum's event; foreign: pupil_b at school B's event.
    "guidance:registration_cancel": (
        {"POST"},
        {
            **dict.fromkeys(ROLES, (404, 404)),
            "anonymous": (LOGIN, LOGIN),
            "counsellor_a": (302, 404),
            "technikum_staff": (302, 404),
            "coordinator": (302, 302),
            "pupil_a_user": (403, 404),
        },
    ),
    "guidance:feedback_create": (
        {"GET", "HEAD", "POST"},
        {
            **dict.fromkeys(ROLES, (404, 404)),
            "anonymous": (LOGIN, LOGIN),
            "counsellor_a": (403, 404),
            "technikum_staff": (403, 404),
            "coordinator": (403, 403),
            "pupil_a_user": (200, 404),
        },
    ),
}

# --- labour market: aggregates for every staff role, the public in-demand page, mapping by
# the coordinator, the employment centre's imports ---
LABOUR_READER_PAGE = {
    **STAFF_ONLY,
    "parent_of_pupil_a": 403,
    "pupil_a_user": 403,
}
VACANCY_IMPORTER_PAGE = {
    **dict.fromkeys(ROLES, 403),
    "anonymous": LOGIN,
    "centre_specialist": 200,
    "coordinator": 200,
}


def vacancy_importers(ok: int) -> dict[str, tuple[int, int]]:
    return {
        **dict.fromkeys(ROLES, (404, 404)),
        "anonymous": (LOGIN, LOGIN),
        "centre_specialist": (ok, 404),
        "coordinator": (ok, 404),
    }


MATRIX.update(
    {
        "labour:overview": ({"GET", "HEAD"}, LABOUR_READER_PAGE),
        "labour:balance": ({"GET", "HEAD"}, LABOUR_READER_PAGE),
        "labour:in_demand": ({"GET", "HEAD"}, PUBLIC),
        "labour:digest": ({"GET", "HEAD", "POST"}, LABOUR_READER_PAGE),
        "labour:unmapped_list": (
            {"GET", "HEAD"},
            {**dict.fromkeys(ROLES, 403), "anonymous": LOGIN, "coordinator": 200},
        ),
        # An empty POST is refused with a message and a redirect to the list.
        "labour:vacancy_map": (
            {"POST"},
            {
                **dict.fromkeys(ROLES, (403, 403)),
                "anonymous": (LOGIN, LOGIN),
                "coordinator": (302, 404),
            },
        ),
        "labour:import_list": ({"GET", "HEAD"}, VACANCY_IMPORTER_PAGE),
        "labour:import_upload": ({"GET", "HEAD", "POST"}, VACANCY_IMPORTER_PAGE),
        "labour:import_preview": ({"GET", "HEAD"}, vacancy_importers(200)),
        "labour:import_commit": ({"POST"}, vacancy_importers(302)),
        "labour:import_discard": ({"POST"}, vacancy_importers(302)),
    }
)

# District reports: the administration (small counts hidden), the coordinator and a
# school head (their school only); nobody else.
REPORT_READER_PAGE = {
    **dict.fromkeys(ROLES, 403),
    "anonymous": LOGIN,
    "head_a": 200,
    "district_admin": 200,
    "coordinator": 200,
}
MATRIX.update(
    {
        "reports:dashboard": ({"GET", "HEAD"}, REPORT_READER_PAGE),
        "reports:report_detail": ({"GET", "HEAD"}, REPORT_READER_PAGE),
        "reports:report_export": ({"GET", "HEAD"}, REPORT_READER_PAGE),
    }
)

# --- career-guidance minimum: the school's counsellors record, its head and counsellors
# read, the coordinator does both for the district; foreign = a school of another district ---
MINIMUM_READER_PAGE = {
    **dict.fromkeys(ROLES, 403),
    "anonymous": LOGIN,
    "counsellor_a": 200,
    "head_a": 200,
    "coordinator": 200,
}


def minimum_recorders(ok: int) -> dict[str, tuple[int, int]]:
    return {
        **dict.fromkeys(ROLES, (404, 404)),
        "anonymous": (LOGIN, LOGIN),
        "counsellor_a": (ok, 404),
        "head_a": (403, 404),
        "coordinator": (ok, 404),
    }


MATRIX.update(
    {
        "career_minimum:activity_list": ({"GET", "HEAD"}, MINIMUM_READER_PAGE),
        "career_minimum:activity_create": (
            {"GET", "HEAD", "POST"},
            {**MINIMUM_READER_PAGE, "head_a": 403},
        ),
        "career_minimum:activity_detail": (
            {"GET", "HEAD"},
            {**minimum_recorders(200), "head_a": (200, 404)},
        ),
        "career_minimum:activity_update": ({"GET", "HEAD", "POST"}, minimum_recorders(200)),
        "career_minimum:participation_toggle": ({"POST"}, minimum_recorders(302)),
        "career_minimum:class_sheet": ({"GET", "HEAD"}, MINIMUM_READER_PAGE),
        "career_minimum:class_sheet_export": ({"GET"}, MINIMUM_READER_PAGE),
        "career_minimum:school_plan": (
            {"GET", "HEAD", "POST"},
            {**dict.fromkeys(ROLES, 403), "anonymous": LOGIN, "head_a": 200, "coordinator": 200},
        ),
        # own: pupil_a (placed_student for technikum staff and employers: not a school pupil).
        "career_minimum:student_hours": (
            {"GET", "HEAD"},
            {
                **dict.fromkeys(ROLES, (404, 404)),
                "anonymous": (LOGIN, LOGIN),
                "counsellor_a": (200, 404),
                "head_a": (200, 404),
                "coordinator": (200, 404),
                "parent_of_pupil_a": (200, 404),
                "pupil_a_user": (200, 404),
            },
        ),
    }
)

# A request to delete a pupil's data: those who manage consents (staff who edit the record,
# the parent online); an empty POST records it and redirects.
MATRIX["students:deletion_request"] = ({"GET", "HEAD", "POST"}, student_editors(200, parent=200))

# Django's own admin has its own permission system and tests (tests/resource_center/test_admin.py).
EXCLUDED_NAMESPACES = {"admin"}

# What the URL's object is, where it is not a student; own/foreign per kind below.
URL_OBJECT: dict[str, str] = {
    **dict.fromkeys(
        ["students:import_preview", "students:import_commit", "students:import_discard"],
        "pupil_import",
    ),
    "guidance:assignment_detail": "batch",
    "guidance:questionnaire_take": "assignment",
    "guidance:result_detail": "attempt",
    **dict.fromkeys(
        [
            "guidance:event_detail",
            "guidance:event_update",
            "guidance:event_attendance",
            "guidance:event_register",
        ],
        "event",
    ),
    **dict.fromkeys(["guidance:registration_cancel", "guidance:feedback_create"], "registration"),
    **dict.fromkeys(
        ["schools:programme_detail", "schools:programme_update"],
        "programme",
    ),
    **dict.fromkeys(
        [
            "employers:place_detail",
            "employers:place_update",
            "employers:placement_create",
        ],
        "place",
    ),
    **dict.fromkeys(
        [
            "employers:placement_detail",
            "employers:placement_transition",
            "employers:evaluation_create",
        ],
        "placement",
    ),
    **dict.fromkeys(
        [
            "employers:vacancy_detail",
            "employers:vacancy_update",
            "employers:vacancy_transition",
        ],
        "vacancy",
    ),
    "employers:employer_profile": "employer",
    "labour:vacancy_map": "vacancy",
    **dict.fromkeys(
        [
            "career_minimum:activity_detail",
            "career_minimum:activity_update",
        ],
        "career_activity",
    ),
    "career_minimum:participation_toggle": "career_participation",
    **dict.fromkeys(
        ["labour:import_preview", "labour:import_commit", "labour:import_discard"],
        "vacancy_import",
    ),
}
OWN_OBJECT = {
    "pupil_import": "import_a",
    "batch": "batch_a",
    "assignment": "assignment_a",
    "attempt": "attempt_a",
    "event": "event_open",
    "registration": "registration_a",
    "programme": "programme_own",
    "place": "place_own",
    "placement": "placement_own",
    "vacancy": "vacancy_own",
    "employer": "employer_own",
    "vacancy_import": "vacancy_import_own",
    "career_activity": "career_activity_own",
    "career_participation": "career_participation_own",
}
FOREIGN_OBJECT = {
    "pupil_import": "import_b",
    "batch": "batch_b",
    "assignment": "assignment_a",
    "attempt": "attempt_b",
    "event": "event_closed_far",
    "registration": "registration_b",
    "programme": "programme_far",
    "place": "place_far",
    "placement": "placement_far",
    "vacancy": "vacancy_far",
    "employer": "employer_far",
    "vacancy_import": "vacancy_import_far",
    "career_activity": "career_activity_far",
    "career_participation": "career_participation_far",
}


def _consent_of(student) -> object:
    guardian = f.GuardianFactory(student=student, first_name="Согласная")
    return f.ConsentFactory(student=student, guardian=guardian)


def _guardian_of(student) -> object:
    return f.GuardianFactory(student=student, first_name="Приглашённая")


# How to fill each URL keyword from the object under test.
SAMPLE_KWARGS = {
    "uuid": lambda obj: obj.uuid,
    "consent_uuid": lambda obj: _consent_of(obj).uuid,
    "guardian_uuid": lambda obj: _guardian_of(obj).uuid,
    "code": lambda obj: obj.code,
    "pk": lambda obj: obj.pk,
    "slug": lambda obj: "coverage",  # a report of reports.registry, for every role
}


def probe_method(name: str) -> str:
    """GET where the view answers it, else POST (for POST-only actions)."""
    return "GET" if "GET" in MATRIX[name][0] else "POST"


def project_url_patterns() -> dict[str, list[str]]:
    """Every named URL of the project: qualified name -> its keyword names."""
    found: dict[str, list[str]] = {}

    def walk(patterns, namespace: str | None) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                if p.namespace in EXCLUDED_NAMESPACES:
                    continue
                ns = p.namespace
                walk(p.url_patterns, f"{namespace}:{ns}" if namespace and ns else ns or namespace)
            elif isinstance(p, URLPattern) and p.name:
                name = f"{namespace}:{p.name}" if namespace else p.name
                found[name] = list(p.pattern.converters) or list(p.pattern.regex.groupindex)

    walk(get_resolver().url_patterns, None)
    return found


def test_every_url_has_a_row_for_every_role():
    patterns = project_url_patterns()
    assert set(patterns) == set(MATRIX), "URLs without rows / rows without URLs"
    for name, (_, row) in MATRIX.items():
        assert set(row) == set(ROLES), f"{name}: roles missing from its row"
        for kwarg in patterns[name]:
            assert kwarg in SAMPLE_KWARGS, f"{name}: no sample for URL keyword {kwarg!r}"


CASES = [
    (name, role, side)
    for name, (_, row) in MATRIX.items()
    for role in ROLES
    for side in (("own", "foreign") if isinstance(row[role], tuple) else ("any",))
]


@pytest.fixture
def far_pupil(world):
    return f.StudentFactory(organisation=world.other_district_school, last_name="Далёкий")


@pytest.fixture
def import_a(world, counsellor_a):
    return f.PupilImportFactory(organisation=world.school_a, uploaded_by=counsellor_a)


@pytest.fixture
def import_b(world, counsellor_b):
    return f.PupilImportFactory(organisation=world.school_b, uploaded_by=counsellor_b)


@pytest.fixture
def batch_a(world, counsellor_a):
    return f.AssignmentBatchFactory(organisation=world.school_a, created_by=counsellor_a)


@pytest.fixture
def batch_b(world, counsellor_b):
    return f.AssignmentBatchFactory(organisation=world.school_b, created_by=counsellor_b)


@pytest.fixture
def assignment_a(batch_a, pupil_a):
    return f.AssignmentFactory(batch=batch_a, student=pupil_a)


@pytest.fixture
def attempt_a(pupil_a):
    return f.AttemptFactory(student=pupil_a)


@pytest.fixture
def attempt_b(pupil_b):
    return f.AttemptFactory(student=pupil_b)


@pytest.fixture
def event_open(world, technikum_staff):
    return f.EventFactory(organiser=world.technikum, created_by=technikum_staff)


@pytest.fixture
def event_closed_far(world):
    return f.EventFactory(organiser=world.other_district_school, is_public=False)


@pytest.fixture
def registration_a(event_open, pupil_a, counsellor_a):
    return f.RegistrationFactory(event=event_open, student=pupil_a, registered_by=counsellor_a)


@pytest.fixture
def registration_b(world, pupil_b, counsellor_b):
    event = f.EventFactory(organiser=world.school_b, created_by=counsellor_b)
    return f.RegistrationFactory(event=event, student=pupil_b, registered_by=counsellor_b)


@pytest.fixture
def programme_own(placed_student):
    """The published programme of the technikum's placed student."""
    return placed_student.programme


@pytest.fixture
def far_technikum(world):
    return f.TechnikumFactory(district=world.other_district_school.district)


@pytest.fixture
def programme_far(far_technikum):
    return f.ProgrammeFactory(technikum=far_technikum, is_published=False)


@pytest.fixture
def placement_own(placed_student):
    return placed_student.placements.get()


@pytest.fixture
def place_own(placement_own):
    return placement_own.place


@pytest.fixture
def employer_far(world):
    return f.EmployerFactory(district=world.other_district_school.district)


@pytest.fixture
def place_far(programme_far, employer_far):
    return f.DualTrainingPlaceFactory(
        programme=programme_far, employer=employer_far, status="draft"
    )


@pytest.fixture
def placement_far(place_far):
    return f.PlacementFactory(place=place_far)


@pytest.fixture
def vacancy_own(world):
    return f.VacancyFactory(employer=world.employer)


@pytest.fixture
def vacancy_far(employer_far):
    return f.VacancyFactory(employer=employer_far, status="draft")


@pytest.fixture
def employer_own(world):
    return world.employer


@pytest.fixture
def vacancy_import_own(world, centre_specialist):
    return f.VacancyImportFactory(district=world.district, started_by=centre_specialist)


@pytest.fixture
def vacancy_import_far(employer_far):
    return f.VacancyImportFactory(district=employer_far.district)


@pytest.fixture
def career_activity_own(world, counsellor_a):
    return f.ActivityFactory(school=world.school_a, recorded_by=counsellor_a)


@pytest.fixture
def career_activity_far(world):
    return f.ActivityFactory(school=world.other_district_school)


@pytest.fixture
def career_participation_own(career_activity_own, pupil_a):
    return f.ParticipationFactory(activity=career_activity_own, student=pupil_a)


@pytest.fixture
def career_participation_far(career_activity_far, far_pupil):
    return f.ParticipationFactory(activity=career_activity_far, student=far_pupil)


def _url(request, name: str, role: str, side: str) -> str:
    kwargs_names = project_url_patterns()[name]
    if not kwargs_names:
        return reverse(name)
    kind = URL_OBJECT.get(name)
    if kind:
        owner = FOREIGN_OBJECT[kind] if side == "foreign" else OWN_OBJECT[kind]
    else:
        owner = FOREIGN_STUDENT[role] if side == "foreign" else OWN_STUDENT[role]
    obj = request.getfixturevalue(owner)
    return reverse(name, kwargs={k: SAMPLE_KWARGS[k](obj) for k in kwargs_names})


@pytest.mark.parametrize(("name", "role", "side"), CASES)
def test_access_matrix(request, client, world, name, role, side):
    for fixture in ("pupil_a", "pupil_b", "placed_student", "far_pupil"):
        request.getfixturevalue(fixture)
    user = request.getfixturevalue(role)
    if user.is_authenticated:
        client.force_login(user)
    url = _url(request, name, role, side)
    expected = MATRIX[name][1][role]
    if isinstance(expected, tuple):
        expected = expected[0] if side == "own" else expected[1]
    method = probe_method(name)
    response = client.generic(method, url)
    assert response.status_code == expected, f"{method} {url} as {role} ({side})"
    if expected == LOGIN and role == "anonymous":
        assert response["Location"].startswith(reverse("login"))


METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"]
UNHANDLED = [
    (name, method)
    for name, (allowed, _) in MATRIX.items()
    for method in METHODS
    if method not in allowed
]


@pytest.mark.parametrize(("name", "method"), UNHANDLED)
def test_views_allow_only_the_methods_they_handle(
    request, client, coordinator, pupil_a, name, method
):
    """Every method a view does not handle is 405, for a logged-in user who may see the page."""
    client.force_login(coordinator)
    url = _url(request, name, "coordinator", "own")
    response = client.generic(method, url)
    assert response.status_code == 405, f"{method} {url}"
