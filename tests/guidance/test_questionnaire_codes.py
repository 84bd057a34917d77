"""Assigning a questionnaire by one-time codes and completing it with a code."""

from __future__ import annotations

import datetime
import re
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from guidance.models import Assignment, AssignmentBatch, Attempt, Option
from guidance.services import questionnaires as services
from resource_center.models import AuditEntry
from students.models import Consent
from tests import factories as f

pytestmark = pytest.mark.django_db

# Pair -> the «техника» option of Klimov's ДДО (key: Т 1б 4а 7б 9а 11б 14а 17б 19а); «а»
# elsewhere.
TECHNICAL = {n: "а" for n in range(1, 21)} | {1: "б", 7: "б", 11: "б", 17: "б"}
PRINTED = re.compile(
    r"^[23456789ABCDEFGHJKLMNPQRSTUVWXYZ]{4}-[23456789ABCDEFGHJKLMNPQRSTUVWXYZ]{4}$"
)


def option_ids(questionnaire, picks: dict[int, str]) -> list[int]:
    found = dict(
        (((n, label), pk))
        for n, label, pk in Option.objects.filter(
            question__questionnaire=questionnaire
        ).values_list("question__number", "label", "pk")
    )
    return [found[(n, label)] for n, label in picks.items()]


def with_consent(student):
    # A guardian of its own: the parent persona of pupil_a is another guardian row.
    guardian = f.GuardianFactory(student=student, first_name="Согласная")
    f.ConsentFactory(student=student, guardian=guardian)
    return student


@pytest.fixture
def klimov(questionnaires):
    return questionnaires["klimov-ddo"]


@pytest.fixture
def class_9a(world):
    return [
        with_consent(f.StudentFactory(organisation=world.school_a, grade=9, class_letter="А"))
        for _ in range(3)
    ]


def assign(klimov, students, by, days: int = 14) -> AssignmentBatch:
    return services.assignment_batch_create(
        questionnaire=klimov,
        students=students,
        title="9А",
        expires_at=timezone.now() + datetime.timedelta(days=days),
        by=by,
    )


# --- assigning --------------------------------------------------------------------------


def test_each_pupil_gets_a_distinct_printable_code(klimov, class_9a, counsellor_a):
    batch = assign(klimov, class_9a, counsellor_a)

    codes = list(batch.assignments.values_list("code", flat=True))
    assert len(codes) == 3
    assert len(set(codes)) == 3
    for code in codes:
        assert PRINTED.match(services.assignment_code_format(code)), code
    assert set(batch.assignments.values_list("student", flat=True)) == {s.pk for s in class_9a}
    assert batch.organisation_id == class_9a[0].organisation_id
    assert (
        AuditEntry.objects.filter(action=AuditEntry.Action.CREATE, actor=counsellor_a).count() == 3
    )


def test_a_pupil_without_consent_cannot_be_assigned(klimov, class_9a, counsellor_a, world):
    refusing = f.StudentFactory(organisation=world.school_a, last_name="Несогласных")
    with pytest.raises(ValidationError, match="Несогласных"):
        assign(klimov, [*class_9a, refusing], counsellor_a)
    assert not AssignmentBatch.objects.exists()
    assert not Assignment.objects.exists()


def test_a_withdrawn_consent_counts_as_none(klimov, counsellor_a, world):
    pupil = with_consent(f.StudentFactory(organisation=world.school_a))
    Consent.objects.filter(student=pupil).update(withdrawn_at=timezone.now())
    with pytest.raises(ValidationError):
        assign(klimov, [pupil], counsellor_a)


def test_codes_must_expire_in_the_future(klimov, class_9a, counsellor_a):
    with pytest.raises(ValidationError):
        assign(klimov, class_9a, counsellor_a, days=-1)


# --- normalising codes ------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    ["ABCD-EFGH", "abcd efgh", " abcdefgh ", "АВСD-ЕFGН", "a-b-c-d-e-f-g-h"],
    ids=["printed", "lower-with-space", "padded", "cyrillic-lookalikes", "hyphens"],
)
def test_codes_are_normalised_as_typed(typed):
    assert services.assignment_code_normalise(typed) == "ABCDEFGH"


# --- completing by code -----------------------------------------------------------------


@pytest.fixture
def batch(klimov, class_9a, counsellor_a):
    return assign(klimov, class_9a, counsellor_a)


@pytest.fixture
def assignment(batch):
    return batch.assignments.order_by("pk").first()


def test_completing_by_code_records_the_attempt_and_spends_the_code(
    klimov, assignment, counsellor_a
):
    typed = services.assignment_code_format(assignment.code).lower()

    attempt = services.questionnaire_complete_by_code(
        code=typed, option_ids=option_ids(klimov, TECHNICAL)
    )

    assignment.refresh_from_db()
    assert assignment.used_at is not None
    assert attempt.assignment == assignment
    assert attempt.student == assignment.student
    assert attempt.source == Attempt.Source.LINK
    assert attempt.entered_by is None
    assert attempt.leading_scale.name == "Человек — техника"
    entry = AuditEntry.objects.get(
        student=assignment.student, details__contains="без учётной записи"
    )
    # The pupil has no account: the row names the counsellor who assigned the code.
    assert entry.action == AuditEntry.Action.CREATE
    assert entry.actor == counsellor_a


def test_a_used_code_is_refused_and_saves_nothing(klimov, assignment):
    answers = option_ids(klimov, TECHNICAL)
    services.questionnaire_complete_by_code(code=assignment.code, option_ids=answers)

    with pytest.raises(services.CodeRefused) as refused:
        services.questionnaire_complete_by_code(code=assignment.code, option_ids=answers)

    assert refused.value.code == "used"
    assert Attempt.objects.count() == 1


def test_an_expired_code_is_refused_and_saves_nothing(klimov, batch, assignment):
    AssignmentBatch.objects.filter(pk=batch.pk).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    with pytest.raises(services.CodeRefused) as refused:
        services.questionnaire_complete_by_code(
            code=assignment.code, option_ids=option_ids(klimov, TECHNICAL)
        )
    assert refused.value.code == "expired"
    assert "истёк" in refused.value.messages[0]
    assert not Attempt.objects.exists()
    assignment.refresh_from_db()
    assert assignment.used_at is None


@pytest.mark.parametrize("code", ["ZZZZ-ZZZZ", "", "-- --", "Я" * 40])
def test_a_wrong_code_is_refused(klimov, assignment, code):
    with pytest.raises(services.CodeRefused) as refused:
        services.questionnaire_complete_by_code(code=code, option_ids=option_ids(klimov, TECHNICAL))
    assert refused.value.code == "unknown"
    assert not Attempt.objects.exists()


def test_a_code_stops_working_when_consent_is_withdrawn(klimov, assignment):
    Consent.objects.filter(student=assignment.student).update(withdrawn_at=timezone.now())
    with pytest.raises(services.CodeRefused) as refused:
        services.questionnaire_complete_by_code(
            code=assignment.code, option_ids=option_ids(klimov, TECHNICAL)
        )
    assert refused.value.code == "no_consent"
    assert not Attempt.objects.exists()
    assignment.refresh_from_db()
    assert assignment.used_at is None


def test_incomplete_answers_leave_the_code_usable(klimov, assignment):
    answers = option_ids(klimov, TECHNICAL)[:-1]
    with pytest.raises(ValidationError, match="№ 20"):
        services.questionnaire_complete_by_code(code=assignment.code, option_ids=answers)
    assignment.refresh_from_db()
    assert assignment.used_at is None
    assert not Attempt.objects.exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks need PostgreSQL (SQLite serialises)"
)
def test_concurrent_submits_of_one_code_record_one_attempt(questionnaires, world, counsellor_a):
    klimov = questionnaires["klimov-ddo"]
    pupil = with_consent(f.StudentFactory(organisation=world.school_a))
    code = assign(klimov, [pupil], counsellor_a).assignments.get().code
    answers = option_ids(klimov, TECHNICAL)
    barrier = threading.Barrier(4)
    outcomes: list[str] = []

    def submit() -> None:
        from django.db import connections

        barrier.wait()
        try:
            services.questionnaire_complete_by_code(code=code, option_ids=answers)
            outcomes.append("ok")
        except services.CodeRefused as refused:
            outcomes.append(refused.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sorted(outcomes) == ["ok", "used", "used", "used"]
    assert Attempt.objects.filter(student=pupil).count() == 1
