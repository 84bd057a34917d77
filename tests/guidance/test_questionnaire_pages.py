"""Questionnaire pages: assigning to a class, the printed list of codes, taking a
questionnaire by code, paper forms, result pages and the student page's section."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from guidance.models import Assignment, AssignmentBatch, Attempt, Option
from guidance.services import questionnaires as services
from guidance.views.questionnaires import code_throttle
from resource_center.models import AuditEntry
from students.models import Consent
from tests import factories as f

pytestmark = pytest.mark.django_db

# Klimov's ДДО: every «техника» option (key: Т 1б 4а 7б 9а 11б 14а 17б 19а) and «а» in the
# other pairs -> Т 8, П 4, Ч 4, Х 2, З 2.
TECHNICAL = {n: "а" for n in range(1, 21)} | {1: "б", 7: "б", 11: "б", 17: "б"}
# «б» everywhere -> З 6 (2 9 10 12 19 20), Т 4 (1 7 11 17), Ч 4, Х 4, П 2 (3 13).
ALL_B = dict.fromkeys(range(1, 21), "б")

CREATE_URL = reverse("guidance:assignment_create")
LIST_URL = reverse("guidance:assignment_list")
CODE_URL = reverse("guidance:code_entry")


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def klimov(questionnaires):
    return questionnaires["klimov-ddo"]


def with_consent(student):
    # A guardian of its own: the parent persona of pupil_a is another guardian row.
    guardian = f.GuardianFactory(student=student, first_name="Согласная")
    f.ConsentFactory(student=student, guardian=guardian)
    return student


def pupils(school, n: int, *, grade: int = 9, letter: str = "А", consent: bool = True) -> list:
    made = [
        f.StudentFactory(organisation=school, grade=grade, class_letter=letter) for _ in range(n)
    ]
    return [with_consent(s) for s in made] if consent else made


def option_ids(questionnaire, picks: dict[int, str]) -> dict[int, int]:
    """Question number -> option id, for the picks given by number and label."""
    found = {
        (n, label): pk
        for n, label, pk in Option.objects.filter(
            question__questionnaire=questionnaire
        ).values_list("question__number", "label", "pk")
    }
    return {n: found[(n, label)] for n, label in picks.items()}


def answers_post(questionnaire, picks: dict[int, str]) -> dict[str, str]:
    return {f"q{n}": str(pk) for n, pk in option_ids(questionnaire, picks).items()}


def batch_for(klimov, students, by) -> AssignmentBatch:
    return services.assignment_batch_create(
        questionnaire=klimov,
        students=students,
        title="9А",
        expires_at=timezone.now() + datetime.timedelta(days=7),
        by=by,
    )


def take_url(assignment: Assignment) -> str:
    return reverse(
        "guidance:questionnaire_take",
        kwargs={"code": services.assignment_code_format(assignment.code)},
    )


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


# --- assigning --------------------------------------------------------------------------


def test_counsellor_chooses_among_own_current_classes_with_consent_counts(
    client, counsellor_a, world, klimov
):
    pupils(world.school_a, 2)
    pupils(world.school_a, 1, consent=False)
    pupils(world.school_a, 1, grade=8, letter="Б")
    pupils(world.school_b, 2, grade=7, letter="В")
    f.StudentFactory(organisation=world.school_a, grade=5, class_letter="Г", academic_year=2020)
    client.force_login(counsellor_a)

    response = client.get(CREATE_URL)

    choices = dict(response.context["form"].fields["target"].choices)
    labels = [label for key, label in choices.items() if key]
    assert labels == [
        "8Б (СОШ № 1): обучающихся 1, с согласием 1",
        "9А (СОШ № 1): обучающихся 3, с согласием 2",
    ]
    assert "Обучающиеся без согласия кода не получат" in text_of(response)


def test_assigning_to_a_class_gives_codes_to_pupils_with_consent_and_names_the_others(
    client, counsellor_a, world, klimov
):
    agreeing = pupils(world.school_a, 2)
    refusing = f.StudentFactory(
        organisation=world.school_a, grade=9, class_letter="А", last_name="Безсогласиев"
    )
    client.force_login(counsellor_a)

    response = client.post(
        CREATE_URL,
        {"questionnaire": klimov.pk, "target": f"{world.school_a.pk}:9:А", "days": 10},
        follow=True,
    )

    batch = AssignmentBatch.objects.get()
    assert response.redirect_chain[-1][0] == reverse(
        "guidance:assignment_detail", kwargs={"uuid": batch.uuid}
    )
    assert {a.student_id for a in batch.assignments.all()} == {s.pk for s in agreeing}
    assert (batch.questionnaire, batch.title, batch.organisation) == (klimov, "9А", world.school_a)
    assert batch.created_by == counsellor_a
    assert timezone.localdate(batch.expires_at) == timezone.localdate() + datetime.timedelta(
        days=10
    )
    page = text_of(response)
    assert "Кодов выдано: 2" in page
    assert "Не получили код" in page
    assert "Безсогласиев" in page
    assert not refusing.assignments.exists()


def test_a_class_without_any_consent_is_refused_with_a_clear_message(
    client, counsellor_a, world, klimov
):
    pupils(world.school_a, 2, consent=False)
    client.force_login(counsellor_a)

    response = client.post(
        CREATE_URL, {"questionnaire": klimov.pk, "target": f"{world.school_a.pk}:9:А", "days": 5}
    )

    assert response.status_code == 200
    assert "Некому назначать" in text_of(response)
    assert not AssignmentBatch.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"target": "{school}:9:А", "days": "0"}, "не меньше 1 дня"),
        ({"target": "{school}:9:А", "days": "61"}, "не больше 60 дней"),
        ({"target": "{school}:9:А", "days": "abc"}, "целое число"),
        ({"target": "{other}:7:В", "days": "5"}, "Выберите класс из списка"),
        ({"target": "garbage", "days": "5"}, "Выберите класс из списка"),
        ({"target": "", "days": "5"}, "Выберите класс."),
        ({"target": "{school}:9:А", "days": "5", "questionnaire": "999999"}, "Выберите анкету"),
    ],
    ids=[
        "zero-days",
        "too-many-days",
        "days-not-a-number",
        "foreign-class",
        "garbage",
        "no-class",
        "bogus-questionnaire",
    ],
)
def test_invalid_assignment_posts_show_errors_and_save_nothing(
    client, counsellor_a, world, klimov, data, message
):
    pupils(world.school_a, 1)
    pupils(world.school_b, 1, grade=7, letter="В")
    client.force_login(counsellor_a)
    post = {"questionnaire": klimov.pk} | {
        k: v.format(school=world.school_a.pk, other=world.school_b.pk) for k, v in data.items()
    }

    response = client.post(CREATE_URL, post)

    assert response.status_code == 200
    assert message in text_of(response)
    assert not AssignmentBatch.objects.exists()


def test_assigning_to_one_pupil(client, counsellor_a, world, klimov):
    pupil = with_consent(f.StudentFactory(organisation=world.school_a, last_name="Одинцов"))
    client.force_login(counsellor_a)
    url = f"{CREATE_URL}?student={pupil.uuid}"

    form = client.get(url)
    assert "target" not in form.context["form"].fields
    response = client.post(url, {"questionnaire": klimov.pk, "days": 3})

    batch = AssignmentBatch.objects.get()
    assert response.status_code == 302
    assert batch.title.startswith("Одинцов")
    assert list(batch.assignments.values_list("student", flat=True)) == [pupil.pk]


def test_a_pupil_without_consent_cannot_be_assigned(client, counsellor_a, pupil_a, klimov):
    client.force_login(counsellor_a)
    url = f"{CREATE_URL}?student={pupil_a.uuid}"

    page = client.get(url)
    response = client.post(url, {"questionnaire": klimov.pk, "days": 3})

    assert 'data-testid="no-consent"' in page.content.decode()
    assert 'data-testid="assignment-form"' not in page.content.decode()
    assert response.status_code == 200
    assert not AssignmentBatch.objects.exists()


@pytest.mark.parametrize("value", ["not-a-uuid", "", "00000000-0000-0000-0000-000000000000"])
def test_assigning_to_an_unknown_pupil_is_404(client, counsellor_a, value):
    client.force_login(counsellor_a)
    assert client.get(f"{CREATE_URL}?student={value}").status_code == 404


def test_assigning_to_another_schools_pupil_is_404(client, counsellor_a, pupil_b):
    with_consent(pupil_b)
    client.force_login(counsellor_a)
    assert client.get(f"{CREATE_URL}?student={pupil_b.uuid}").status_code == 404
    assert client.post(f"{CREATE_URL}?student={pupil_b.uuid}", {"days": 3}).status_code == 404


def test_assignment_form_queries_do_not_grow_with_classes(
    client, counsellor_a, world, klimov, django_assert_num_queries
):
    client.force_login(counsellor_a)
    pupils(world.school_a, 1)
    # session, user, memberships, guardian?, pupil?, classes (grouped), questionnaires
    with django_assert_num_queries(7):
        client.get(CREATE_URL)
    for grade in range(5, 11):
        pupils(world.school_a, 3, grade=grade, letter="Б")
    with django_assert_num_queries(7):
        client.get(CREATE_URL)


# --- the list of assignments and the printed class list ---------------------------------


def test_assignment_list_shows_own_batches_with_progress(
    client, counsellor_a, counsellor_b, world, klimov
):
    mine = pupils(world.school_a, 3)
    batch = batch_for(klimov, mine, counsellor_a)
    batch_for(klimov, pupils(world.school_b, 1), counsellor_b)
    first = batch.assignments.order_by("pk").first()
    services.questionnaire_complete_by_code(
        code=first.code, option_ids=list(option_ids(klimov, TECHNICAL).values())
    )
    client.force_login(counsellor_a)

    response = client.get(LIST_URL)

    rows = list(response.context["page_obj"].object_list)
    assert rows == [batch]
    assert (rows[0].done, rows[0].total) == (1, 3)
    assert "1 из 3" in text_of(response)


def test_assignment_list_queries_do_not_grow(
    client, counsellor_a, world, klimov, django_assert_num_queries
):
    client.force_login(counsellor_a)
    batch_for(klimov, pupils(world.school_a, 1), counsellor_a)
    # session, user, memberships, guardian?, pupil?, count, page of batches with counts
    with django_assert_num_queries(7):
        client.get(LIST_URL)
    for _ in range(5):
        batch_for(klimov, pupils(world.school_a, 4), counsellor_a)
    with django_assert_num_queries(7):
        client.get(LIST_URL)


def test_printed_list_shows_each_pupil_with_code_and_link(client, counsellor_a, world, klimov):
    class_9a = pupils(world.school_a, 2)
    batch = batch_for(klimov, class_9a, counsellor_a)
    client.force_login(counsellor_a)

    response = client.get(reverse("guidance:assignment_detail", kwargs={"uuid": batch.uuid}))

    page = response.content.decode()
    assert "data-print" in page  # the print button (portal.js; no inline handlers under CSP)
    for assignment in batch.assignments.select_related("student"):
        printed = services.assignment_code_format(assignment.code)
        assert assignment.student.full_name in page
        assert printed in page
        assert f"http://testserver{take_url(assignment)}" in page
    assert "не пройдена" in page
    viewed = AuditEntry.objects.filter(action=AuditEntry.Action.VIEW, actor=counsellor_a)
    assert set(viewed.values_list("student", flat=True)) == {s.pk for s in class_9a}


def test_printed_list_shows_who_completed_it(client, counsellor_a, world, klimov):
    batch = batch_for(klimov, pupils(world.school_a, 2), counsellor_a)
    done = batch.assignments.order_by("pk").first()
    attempt = services.questionnaire_complete_by_code(
        code=done.code, option_ids=list(option_ids(klimov, TECHNICAL).values())
    )
    client.force_login(counsellor_a)

    response = client.get(reverse("guidance:assignment_detail", kwargs={"uuid": batch.uuid}))

    page = response.content.decode()
    assert "пройдена " + timezone.localdate().strftime("%d.%m.%Y") in page
    assert reverse("guidance:result_detail", kwargs={"uuid": attempt.uuid}) in page


@pytest.mark.usefixtures("uncached")
def test_printed_list_queries_do_not_grow_with_pupils(
    client, counsellor_a, world, klimov, django_assert_num_queries
):
    client.force_login(counsellor_a)
    small = batch_for(klimov, pupils(world.school_a, 1), counsellor_a)
    large = batch_for(klimov, pupils(world.school_a, 25, letter="Б"), counsellor_a)
    # session, user, memberships, guardian?, pupil?, batch, rows with pupils and attempts,
    # audit rows in bulk
    with django_assert_num_queries(8):
        client.get(reverse("guidance:assignment_detail", kwargs={"uuid": small.uuid}))
    with django_assert_num_queries(8):
        client.get(reverse("guidance:assignment_detail", kwargs={"uuid": large.uuid}))


# --- entering a code --------------------------------------------------------------------


@pytest.fixture
def assignment(klimov, world, counsellor_a):
    pupil = with_consent(
        f.StudentFactory(organisation=world.school_a, last_name="Техников", first_name="Степан")
    )
    return batch_for(klimov, [pupil], counsellor_a).assignments.get()


def test_a_typed_code_leads_to_the_questionnaire(client, assignment):
    typed = services.assignment_code_format(assignment.code).lower().replace("-", " ")
    response = client.post(CODE_URL, {"code": typed})
    assert response.status_code == 302
    assert response["Location"] == take_url(assignment)


@pytest.mark.parametrize("typed", ["ZZZZ-ZZZZ", "", "!!!"])
def test_a_wrong_code_is_answered_clearly(client, assignment, typed):
    response = client.post(CODE_URL, {"code": typed})
    assert response.status_code == 200
    assert response.context["form"].errors["code"]


def test_wrong_codes_are_throttled(client, assignment):
    for _ in range(code_throttle.limit):
        assert client.post(CODE_URL, {"code": "ZZZZ-ZZZZ"}).status_code == 200

    blocked = client.post(CODE_URL, {"code": services.assignment_code_format(assignment.code)})

    assert blocked.status_code == 429
    assert "Слишком много попыток" in text_of(blocked)
    assert client.get(take_url(assignment)).status_code == 429


def test_unknown_codes_in_links_count_toward_the_throttle(client, assignment):
    for _ in range(code_throttle.limit):
        response = client.get(reverse("guidance:questionnaire_take", kwargs={"code": "ZZZZ-ZZZZ"}))
        assert response.status_code == 404
        assert "Код не найден" in text_of(response)
    assert client.post(CODE_URL, {"code": "ZZZZ-ZZZZ"}).status_code == 429


# --- taking it --------------------------------------------------------------------------


def test_the_questionnaire_greets_the_pupil_by_first_name_only(client, assignment):
    response = client.get(take_url(assignment))

    page = text_of(response)
    assert response.status_code == 200
    assert "Степан" in page
    assert "Техников" not in page
    assert page.count('data-testid="question"') == 20
    assert "Ухаживать за животными" in page


def test_a_pupil_picking_every_technical_activity_sees_technique_first(client, klimov, assignment):
    response = client.post(take_url(assignment), answers_post(klimov, TECHNICAL))

    assert response.status_code == 200
    attempt = Attempt.objects.get(student=assignment.student)
    assert attempt.source == Attempt.Source.LINK
    leading = response.context["page"].leading
    assert [row.scale.name for row in leading] == ["Человек — техника", "Человек — природа"]
    assert leading[0].score == 8
    page = text_of(response)
    assert "выраженный интерес" in page
    assert "сварщик" in page
    assert 'id="scores-chart-data"' in page
    assert "Ответы сохранены" in page


def test_the_result_is_not_reachable_again_by_the_code(client, klimov, assignment):
    client.post(take_url(assignment), answers_post(klimov, TECHNICAL))

    again = client.get(take_url(assignment))
    resubmit = client.post(take_url(assignment), answers_post(klimov, ALL_B))

    assert 'data-testid="code-used"' in again.content.decode()
    assert "Человек — техника" not in again.content.decode()
    assert 'data-testid="code-used"' in resubmit.content.decode()
    assert "Ответы не сохранены" in text_of(resubmit)
    assert Attempt.objects.filter(student=assignment.student).count() == 1
    assert Attempt.objects.get().result_code == "ТП"


def test_an_expired_code_shows_a_clear_page_and_saves_nothing(client, klimov, assignment):
    AssignmentBatch.objects.filter(pk=assignment.batch_id).update(
        expires_at=timezone.now() - datetime.timedelta(hours=1)
    )

    shown = client.get(take_url(assignment))
    posted = client.post(take_url(assignment), answers_post(klimov, TECHNICAL))

    for response in (shown, posted):
        assert response.status_code == 200
        assert 'data-testid="code-expired"' in response.content.decode()
        assert "Срок действия" in text_of(response)
    assert not Attempt.objects.exists()


def test_a_code_whose_consent_was_withdrawn_saves_nothing(client, klimov, assignment):
    Consent.objects.filter(student=assignment.student).update(withdrawn_at=timezone.now())

    response = client.post(take_url(assignment), answers_post(klimov, TECHNICAL))

    assert 'data-testid="code-no_consent"' in response.content.decode()
    assert not Attempt.objects.exists()


def test_an_unknown_code_saves_nothing(client, klimov, assignment):
    response = client.post(
        reverse("guidance:questionnaire_take", kwargs={"code": "ZZZZ-ZZZZ"}),
        answers_post(klimov, TECHNICAL),
    )
    assert response.status_code == 404
    assert not Attempt.objects.exists()


def test_missing_answers_keep_the_form_and_the_code(client, klimov, assignment):
    data = answers_post(klimov, TECHNICAL)
    del data["q7"], data["q12"]

    response = client.post(take_url(assignment), data)

    assert response.status_code == 200
    assert "№ 7, 12" in text_of(response)
    assert 'data-testid="answers-form"' in response.content.decode()
    assert not Attempt.objects.exists()
    assignment.refresh_from_db()
    assert assignment.used_at is None


# --- paper forms ------------------------------------------------------------------------


@pytest.fixture
def paper_pupil(pupil_a):
    return with_consent(pupil_a)


def paper_url(student, q: str | None = "klimov-ddo") -> str:
    url = reverse("guidance:paper_entry", kwargs={"uuid": student.uuid})
    return f"{url}?q={q}" if q is not None else url


def test_paper_form_lists_every_question_with_its_options(client, counsellor_a, paper_pupil):
    client.force_login(counsellor_a)
    response = client.get(paper_url(paper_pupil))
    page = response.content.decode()
    assert page.count('data-testid="question"') == 20
    assert page.count('type="radio"') == 40


def test_paper_entry_without_a_questionnaire_offers_the_choice(client, counsellor_a, paper_pupil):
    client.force_login(counsellor_a)
    response = client.get(paper_url(paper_pupil, q=None))
    page = text_of(response)
    assert "ДДО Климова" in page
    assert "RIASEC" in page
    assert 'data-testid="paper-form"' not in page


def test_paper_entry_of_an_unknown_questionnaire_says_so(client, counsellor_a, paper_pupil):
    client.force_login(counsellor_a)
    response = client.get(paper_url(paper_pupil, q="nope<script>"))
    assert response.status_code == 200
    assert 'data-testid="unknown-questionnaire"' in response.content.decode()


def test_paper_answers_are_saved_with_who_entered_them(client, counsellor_a, klimov, paper_pupil):
    client.force_login(counsellor_a)
    day = timezone.localdate() - datetime.timedelta(days=3)

    response = client.post(
        paper_url(paper_pupil),
        answers_post(klimov, ALL_B) | {"completed_on": day.isoformat()},
    )

    attempt = Attempt.objects.get(student=paper_pupil)
    assert response.status_code == 302
    assert response["Location"] == reverse("guidance:result_detail", kwargs={"uuid": attempt.uuid})
    assert attempt.source == Attempt.Source.PAPER
    assert attempt.entered_by == counsellor_a
    assert attempt.result_code == "ЗТ"
    assert timezone.localdate(attempt.completed_at) == day


@pytest.mark.parametrize(
    "tamper",
    ["missing", "other-question", "bogus-id", "not-a-number", "riasec-option", "future-date"],
)
def test_invalid_paper_posts_show_errors_and_save_nothing(
    client, counsellor_a, klimov, questionnaires, paper_pupil, tamper
):
    client.force_login(counsellor_a)
    data = answers_post(klimov, TECHNICAL)
    if tamper == "missing":
        del data["q3"]
    elif tamper == "other-question":
        data["q3"] = data["q4"]
    elif tamper == "bogus-id":
        data["q3"] = "99999999"
    elif tamper == "not-a-number":
        data["q3"] = "abc"
    elif tamper == "riasec-option":
        data["q3"] = str(option_ids(questionnaires["riasec"], {1: "да"})[1])
    else:
        data["completed_on"] = (timezone.localdate() + datetime.timedelta(days=2)).isoformat()

    response = client.post(paper_url(paper_pupil), data)

    assert response.status_code == 200
    assert response.context["form"].errors
    assert not Attempt.objects.exists()


def test_paper_entry_without_consent_explains_and_has_no_form(
    client, counsellor_a, klimov, pupil_a
):
    client.force_login(counsellor_a)

    shown = client.get(paper_url(pupil_a))
    posted = client.post(paper_url(pupil_a), answers_post(klimov, TECHNICAL))

    for response in (shown, posted):
        assert response.status_code == 200
        assert 'data-testid="no-consent"' in response.content.decode()
        assert 'data-testid="paper-form"' not in response.content.decode()
    assert not Attempt.objects.exists()


# --- result pages -----------------------------------------------------------------------


def record(klimov, student, picks, by, *, days_ago: int = 0) -> Attempt:
    return services.attempt_record(
        questionnaire=klimov,
        student=student,
        option_ids=list(option_ids(klimov, picks).values()),
        source=Attempt.Source.PAPER,
        by=by,
        completed_at=timezone.now() - datetime.timedelta(days=days_ago),
    )


def test_result_page_explains_the_leading_types_with_chart_and_table(
    client, counsellor_a, klimov, paper_pupil
):
    attempt = record(klimov, paper_pupil, TECHNICAL, counsellor_a)
    client.force_login(counsellor_a)

    response = client.get(reverse("guidance:result_detail", kwargs={"uuid": attempt.uuid}))

    page = text_of(response)
    assert "Человек — техника" in page
    assert "Вам интересны машины, механизмы, приборы и материалы" in page
    assert "выраженный интерес" in page
    assert "js/scores_chart.js" in page
    assert "vendor/chart.js/chart.umd.min.js" in page
    chart = response.context["page"].chart
    assert dict(zip(chart["labels"], chart["scores"], strict=True)) == {
        "Человек — природа": 4,
        "Человек — техника": 8,
        "Человек — человек": 4,
        "Человек — знаковая система": 2,
        "Человек — художественный образ": 2,
    }
    table = re.findall(r'data-testid="score-(\S+)">.*?data-testid="score-value">(\d+)<', page)
    assert table == [("Т", "8"), ("П", "4"), ("Ч", "4"), ("З", "2"), ("Х", "2")]
    assert "Это первое прохождение" in page
    assert AuditEntry.objects.filter(
        action=AuditEntry.Action.VIEW, student=paper_pupil, details__contains="ДДО Климова"
    ).exists()


def test_result_page_shows_the_history_with_changes(client, counsellor_a, klimov, paper_pupil):
    earlier = record(klimov, paper_pupil, TECHNICAL, counsellor_a, days_ago=90)
    later = record(klimov, paper_pupil, ALL_B, counsellor_a)
    client.force_login(counsellor_a)

    response = client.get(reverse("guidance:result_detail", kwargs={"uuid": later.uuid}))

    page = response.context["page"]
    assert [row.attempt for row in page.history] == [earlier, later]
    # Т 8 -> 4, П 4 -> 2, Ч 4 -> 4, З 2 -> 6, Х 2 -> 4.
    changes = {c.scale.code: c.delta for c in page.history[1].cells}
    assert changes == {"П": -2, "Т": -4, "Ч": 0, "З": 4, "Х": 2}
    assert all(c.delta is None for c in page.history[0].cells)
    text = text_of(response)
    assert "+4" in text
    assert "−4" in text
    assert reverse("guidance:result_detail", kwargs={"uuid": earlier.uuid}) in text
    assert response.context["page"].chart["previous"] == [4, 8, 4, 2, 2]


def test_result_page_queries_do_not_grow_with_history(
    client, counsellor_a, klimov, paper_pupil, django_assert_num_queries
):
    first = record(klimov, paper_pupil, TECHNICAL, counsellor_a, days_ago=400)
    client.force_login(counsellor_a)
    url = reverse("guidance:result_detail", kwargs={"uuid": first.uuid})
    # session, user, memberships, guardian?, pupil?, attempt, consent, audit row, bands,
    # scores of every attempt with their previous ones
    with django_assert_num_queries(10):
        client.get(url)
    for n in range(6):
        record(klimov, paper_pupil, ALL_B if n % 2 else TECHNICAL, counsellor_a, days_ago=n)
    with django_assert_num_queries(10):
        client.get(url)


@pytest.mark.parametrize("who", ["parent_of_pupil_a", "pupil_a_user", "head_a"])
def test_parent_pupil_and_head_read_the_result(
    request, client, counsellor_a, klimov, paper_pupil, who
):
    attempt = record(klimov, paper_pupil, TECHNICAL, counsellor_a)
    client.force_login(request.getfixturevalue(who))
    response = client.get(reverse("guidance:result_detail", kwargs={"uuid": attempt.uuid}))
    assert response.status_code == 200
    assert "Человек — техника" in text_of(response)


def test_result_is_hidden_once_consent_is_withdrawn(client, counsellor_a, klimov, paper_pupil):
    attempt = record(klimov, paper_pupil, TECHNICAL, counsellor_a)
    Consent.objects.filter(student=paper_pupil).update(withdrawn_at=timezone.now())
    client.force_login(counsellor_a)

    response = client.get(reverse("guidance:result_detail", kwargs={"uuid": attempt.uuid}))

    assert 'data-testid="no-consent"' in response.content.decode()
    assert "Человек — техника" not in text_of(response)


# --- the student page -------------------------------------------------------------------


def test_student_page_lists_results_and_offers_actions_to_the_counsellor(
    client, counsellor_a, klimov, paper_pupil
):
    attempt = record(klimov, paper_pupil, TECHNICAL, counsellor_a)
    batch_for(klimov, [paper_pupil], counsellor_a)
    client.force_login(counsellor_a)

    response = client.get(reverse("students:student_detail", kwargs={"uuid": paper_pupil.uuid}))

    page = response.content.decode()
    assert reverse("guidance:result_detail", kwargs={"uuid": attempt.uuid}) in page
    assert f"{CREATE_URL}?student={paper_pupil.uuid}" in page
    assert reverse("guidance:paper_entry", kwargs={"uuid": paper_pupil.uuid}) in page
    assert 'data-testid="pending-questionnaires"' in page


def test_parent_sees_results_without_staff_actions(
    client, counsellor_a, klimov, paper_pupil, parent_of_pupil_a
):
    attempt = record(klimov, paper_pupil, TECHNICAL, counsellor_a)
    client.force_login(parent_of_pupil_a)

    response = client.get(reverse("students:student_detail", kwargs={"uuid": paper_pupil.uuid}))

    page = response.content.decode()
    assert reverse("guidance:result_detail", kwargs={"uuid": attempt.uuid}) in page
    assert 'data-testid="assign-questionnaire"' not in page
    assert 'data-testid="paper-entry"' not in page


def test_pupil_takes_an_assigned_questionnaire_from_own_page(
    client, counsellor_a, klimov, paper_pupil, pupil_a_user
):
    assignment = batch_for(klimov, [paper_pupil], counsellor_a).assignments.get()
    client.force_login(pupil_a_user)

    response = client.get(reverse("students:student_detail", kwargs={"uuid": paper_pupil.uuid}))

    assert take_url(assignment) in response.content.decode()


def test_student_page_section_queries_do_not_grow(
    klimov, paper_pupil, counsellor_a, django_assert_num_queries
):
    from guidance.selectors.questionnaires import attempts_of_student

    record(klimov, paper_pupil, TECHNICAL, counsellor_a)
    with django_assert_num_queries(2):
        attempts_of_student(student=paper_pupil)
    for n in range(5):
        record(klimov, paper_pupil, ALL_B, counsellor_a, days_ago=n + 1)
        batch_for(klimov, [paper_pupil], counsellor_a)
    with django_assert_num_queries(2):
        result = attempts_of_student(student=paper_pupil)
    assert len(result.results) == 6
    assert len(result.pending) == 5
