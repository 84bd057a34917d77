"""Scoring of the shipped questionnaires against answer sets computed by hand from the key,
and the installer that puts them into the database."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from guidance.models import Answer, Attempt, AttemptScore, Option, Question, Questionnaire
from guidance.questionnaire_data import install_questionnaires
from guidance.services import questionnaires as services
from resource_center.models import AuditEntry
from tests import factories as f

pytestmark = pytest.mark.django_db

# Klimov's key as published (shared KLIMOV.md), pair -> (type of а, type of б).
KLIMOV_KEY = {
    1: ("П", "Т"),
    2: ("Ч", "З"),
    3: ("Х", "П"),
    4: ("Т", "Ч"),
    5: ("З", "Х"),
    6: ("П", "Ч"),
    7: ("Х", "Т"),
    8: ("Ч", "Х"),
    9: ("Т", "З"),
    10: ("П", "З"),
    11: ("П", "Т"),
    12: ("Ч", "З"),
    13: ("Х", "П"),
    14: ("Т", "Ч"),
    15: ("З", "Х"),
    16: ("П", "Ч"),
    17: ("Х", "Т"),
    18: ("Ч", "Х"),
    19: ("Т", "З"),
    20: ("П", "З"),
}

# Every «техника» activity (1б 4а 7б 9а 11б 14а 17б 19а) and «а» in the other twelve pairs:
# 2а Ч, 3а Х, 5а З, 6а П, 8а Ч, 10а П, 12а Ч, 13а Х, 15а З, 16а П, 18а Ч, 20а П
# -> Т 8, П 4, Ч 4, Х 2, З 2; П and Ч tie, П comes first in the method's order.
TECHNICAL = {n: "а" for n in range(1, 21)} | {1: "б", 7: "б", 11: "б", 17: "б"}

# «а» everywhere: П 1 6 10 11 16 20 = 6; Т 4 9 14 19 = 4; Ч 2 8 12 18 = 4;
# Х 3 7 13 17 = 4; З 5 15 = 2. Т, Ч and Х tie at 4: Т is next in the method's order.
ALL_A = dict.fromkeys(range(1, 21), "а")

# «б» everywhere: З 2 9 10 12 19 20 = 6; Т 1 7 11 17 = 4; Ч 4 6 14 16 = 4;
# Х 5 8 15 18 = 4; П 3 13 = 2.
ALL_B = dict.fromkeys(range(1, 21), "б")


def options(questionnaire: Questionnaire, picks: dict[int, str]) -> list[Option]:
    """The options picked by question number and label, as a pupil would tick them."""
    found = {
        (o.question.number, o.label): o
        for o in Option.objects.filter(question__questionnaire=questionnaire).select_related(
            "question"
        )
    }
    return [found[(number, label)] for number, label in picks.items()]


def scores_by_code(result: services.ScoreResult) -> dict[str, int]:
    return {s.scale.code: s.score for s in result.scores}


# --- the data ---------------------------------------------------------------------------


def test_klimov_options_carry_the_published_key(questionnaires):
    klimov = questionnaires["klimov-ddo"]
    stored = {
        (o.question.number, o.label): o.scale.code
        for o in Option.objects.filter(question__questionnaire=klimov).select_related(
            "question", "scale"
        )
    }
    expected = {
        (n, label): kind for n, (a, b) in KLIMOV_KEY.items() for label, kind in (("а", a), ("б", b))
    }
    assert stored == expected
    assert set(
        Option.objects.filter(question__questionnaire=klimov).values_list("points", flat=True)
    ) == {1}


def test_klimov_has_twenty_pairs_and_five_types_of_eight_options(questionnaires):
    klimov = questionnaires["klimov-ddo"]
    assert klimov.questions.count() == 20
    assert [s.name for s in klimov.scales.order_by("order")] == [
        "Человек — природа",
        "Человек — техника",
        "Человек — человек",
        "Человек — знаковая система",
        "Человек — художественный образ",
    ]
    for scale in klimov.scales.all():
        assert scale.options.count() == 8, scale.name
    assert klimov.result_code_length == 2
    assert [(b.min_score, b.max_score) for b in klimov.bands.order_by("min_score")] == [
        (0, 2),
        (3, 6),
        (7, 8),
    ]


def test_riasec_has_six_types_seven_items_each_answered_yes_unsure_no(questionnaires):
    riasec = questionnaires["riasec"]
    assert riasec.questions.count() == 42
    assert [s.code for s in riasec.scales.order_by("order")] == list("RIASEC")
    assert riasec.result_code_length == 3
    for question in riasec.questions.prefetch_related("options__scale"):
        answers = [(o.label, o.points, o.scale is not None) for o in question.options.all()]
        assert answers == [("да", 2, True), ("не знаю", 1, True), ("нет", 0, False)]
    for scale in riasec.scales.all():
        assert scale.options.filter(label="да").count() == 7, scale.code


def test_the_data_migration_installed_both_questionnaires():
    assert set(Questionnaire.objects.values_list("code", flat=True)) >= {"klimov-ddo", "riasec"}


def test_install_again_creates_nothing_and_keeps_the_coordinators_edits(questionnaires):
    klimov = questionnaires["klimov-ddo"]
    klimov.title = "ДДО (редакция ресурсного центра)"
    klimov.save()
    question_count = Question.objects.count()

    again = install_questionnaires()

    assert again["klimov-ddo"].pk == klimov.pk
    assert again["klimov-ddo"].title == "ДДО (редакция ресурсного центра)"
    assert Question.objects.count() == question_count


def test_install_restores_a_deleted_questionnaire_only(questionnaires):
    # Options first: their scale is protected so that no stored answer loses its key.
    Option.objects.filter(question__questionnaire__code="riasec").delete()
    Questionnaire.objects.filter(code="riasec").delete()
    klimov_pk = questionnaires["klimov-ddo"].pk

    again = install_questionnaires()

    assert again["klimov-ddo"].pk == klimov_pk
    assert again["riasec"].questions.count() == 42


# --- scoring ----------------------------------------------------------------------------


def test_every_technical_activity_puts_technique_first(questionnaires):
    klimov = questionnaires["klimov-ddo"]
    result = services.questionnaire_score(questionnaire=klimov, options=options(klimov, TECHNICAL))
    assert scores_by_code(result) == {"Т": 8, "П": 4, "Ч": 4, "Х": 2, "З": 2}
    assert result.scores[0].scale.name == "Человек — техника"
    assert result.result_code == "ТП"
    assert result.leading_scale.code == "Т"


@pytest.mark.parametrize(
    ("picks", "scores", "code"),
    [
        (ALL_A, {"П": 6, "Т": 4, "Ч": 4, "Х": 4, "З": 2}, "ПТ"),
        (ALL_B, {"З": 6, "Т": 4, "Ч": 4, "Х": 4, "П": 2}, "ЗТ"),
    ],
    ids=["all-a", "all-b"],
)
def test_klimov_scores_match_hand_computed_sets(questionnaires, picks, scores, code):
    klimov = questionnaires["klimov-ddo"]
    result = services.questionnaire_score(questionnaire=klimov, options=options(klimov, picks))
    assert scores_by_code(result) == scores
    assert sum(scores_by_code(result).values()) == 20
    assert result.result_code == code
    # Ranked: highest first, ties in the method's order П Т Ч З Х.
    ranked = [s.scale.code for s in result.scores]
    assert ranked[:2] == list(code)


def riasec_picks(**answers: tuple[str, ...]) -> dict[int, str]:
    """Answers per type in item order; items of R are 1 7 13 …, of I 2 8 14 …, and so on."""
    picks = {}
    for offset, kind in enumerate("RIASEC"):
        given = answers.get(kind, ("нет",) * 7)
        for i, answer in enumerate(given):
            picks[i * 6 + offset + 1] = answer
    return picks


def test_riasec_scores_match_a_hand_computed_set(questionnaires):
    riasec = questionnaires["riasec"]
    picks = riasec_picks(
        R=("да",) * 7,  # 7 × 2 = 14
        I=("не знаю",) * 7,  # 7 × 1 = 7
        A=("да", "да", "да", "нет", "нет", "нет", "нет"),  # 6
        E=("не знаю", "не знаю", "нет", "нет", "нет", "нет", "нет"),  # 2
        C=("да", "не знаю", "нет", "нет", "нет", "нет", "нет"),  # 3
    )  # S: «нет» everywhere = 0
    result = services.questionnaire_score(questionnaire=riasec, options=options(riasec, picks))
    assert scores_by_code(result) == {"R": 14, "I": 7, "A": 6, "S": 0, "E": 2, "C": 3}
    assert result.result_code == "RIA"


def test_riasec_tie_goes_to_the_type_earlier_in_riasec_order(questionnaires):
    riasec = questionnaires["riasec"]
    # R 14; A «да» ×3 = 6 and I «не знаю» ×6 = 6 tie: I (earlier in R I A S E C) comes first.
    picks = riasec_picks(
        R=("да",) * 7,
        A=("да", "да", "да", "нет", "нет", "нет", "нет"),
        I=("не знаю",) * 6 + ("нет",),
    )
    result = services.questionnaire_score(questionnaire=riasec, options=options(riasec, picks))
    assert result.result_code == "RIA"


def test_a_type_without_points_is_not_a_leading_one(questionnaires):
    riasec = questionnaires["riasec"]
    picks = riasec_picks(S=("да",) * 7)
    result = services.questionnaire_score(questionnaire=riasec, options=options(riasec, picks))
    assert result.result_code == "S"
    assert [s.score for s in result.scores] == [14, 0, 0, 0, 0, 0]


def test_all_no_gives_no_leading_type(questionnaires):
    riasec = questionnaires["riasec"]
    result = services.questionnaire_score(
        questionnaire=riasec, options=options(riasec, riasec_picks())
    )
    assert result.result_code == ""
    assert result.leading_scale is None


def test_ties_break_by_scale_order_not_by_creation_order():
    questionnaire = f.QuestionnaireFactory(result_code_length=1)
    later = f.ScaleFactory(questionnaire=questionnaire, code="B", order=2)
    earlier = f.ScaleFactory(questionnaire=questionnaire, code="A", order=1)
    question = f.QuestionFactory(questionnaire=questionnaire)
    picked = [
        f.OptionFactory(question=question, scale=later, label="x"),
        f.OptionFactory(question=question, scale=earlier, label="y"),
    ]
    for _ in range(3):
        result = services.questionnaire_score(questionnaire=questionnaire, options=picked)
        assert [s.scale.code for s in result.scores] == ["A", "B"]
        assert result.result_code == "A"


# --- recording --------------------------------------------------------------------------


@pytest.fixture
def consenting_pupil(pupil_a):
    f.ConsentFactory(student=pupil_a)
    return pupil_a


def test_recorded_paper_attempt_stores_scores_answers_and_an_audit_row(
    questionnaires, consenting_pupil, counsellor_a
):
    klimov = questionnaires["klimov-ddo"]
    attempt = services.attempt_record(
        questionnaire=klimov,
        student=consenting_pupil,
        option_ids=[o.pk for o in options(klimov, TECHNICAL)],
        source=Attempt.Source.PAPER,
        by=counsellor_a,
    )
    attempt.refresh_from_db()
    assert attempt.result_code == "ТП"
    assert attempt.leading_scale.code == "Т"
    assert attempt.entered_by == counsellor_a
    stored = dict(AttemptScore.objects.filter(attempt=attempt).values_list("scale__code", "score"))
    assert stored == {"Т": 8, "П": 4, "Ч": 4, "Х": 2, "З": 2}
    assert Answer.objects.filter(attempt=attempt).count() == 20
    entry = AuditEntry.objects.get(student=consenting_pupil, action=AuditEntry.Action.CREATE)
    assert entry.actor == counsellor_a
    assert "ДДО Климова" in entry.details
    assert "бумажного бланка" in entry.details


def test_missing_answers_are_refused_with_the_question_numbers(
    questionnaires, consenting_pupil, counsellor_a
):
    klimov = questionnaires["klimov-ddo"]
    picked = [o.pk for o in options(klimov, ALL_A) if o.question.number not in (3, 17)]
    with pytest.raises(ValidationError, match=r"№ 3, 17"):
        services.attempt_record(
            questionnaire=klimov,
            student=consenting_pupil,
            option_ids=picked,
            source=Attempt.Source.PAPER,
            by=counsellor_a,
        )
    assert not Attempt.objects.exists()


def test_two_answers_to_one_question_are_refused(questionnaires, consenting_pupil, counsellor_a):
    klimov = questionnaires["klimov-ddo"]
    picked = [o.pk for o in options(klimov, ALL_A)] + [o.pk for o in options(klimov, {5: "б"})]
    with pytest.raises(ValidationError, match="№ 5"):
        services.attempt_record(
            questionnaire=klimov,
            student=consenting_pupil,
            option_ids=picked,
            source=Attempt.Source.PAPER,
            by=counsellor_a,
        )
    assert not Attempt.objects.exists()


def test_an_option_of_another_questionnaire_is_refused(
    questionnaires, consenting_pupil, counsellor_a
):
    klimov, riasec = questionnaires["klimov-ddo"], questionnaires["riasec"]
    # Pair 20 answered with RIASEC's first «да» instead.
    picked = [*(o.pk for o in options(klimov, ALL_A)[:-1]), options(riasec, {1: "да"})[0].pk]
    with pytest.raises(ValidationError, match="нет в этой анкете"):
        services.attempt_record(
            questionnaire=klimov,
            student=consenting_pupil,
            option_ids=picked,
            source=Attempt.Source.PAPER,
            by=counsellor_a,
        )
    assert not Attempt.objects.exists()


def test_a_pupil_without_consent_gets_no_attempt(questionnaires, pupil_a, counsellor_a):
    klimov = questionnaires["klimov-ddo"]
    with pytest.raises(ValidationError, match="согласия"):
        services.attempt_record(
            questionnaire=klimov,
            student=pupil_a,
            option_ids=[o.pk for o in options(klimov, ALL_A)],
            source=Attempt.Source.PAPER,
            by=counsellor_a,
        )
    assert not Attempt.objects.exists()
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.CREATE).exists()
