"""Questionnaires: scoring, recording a completed one, assigning by one-time codes."""

from __future__ import annotations

import datetime
import secrets
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from guidance.models import (
    Answer,
    Assignment,
    AssignmentBatch,
    Attempt,
    AttemptScore,
    Option,
    Question,
    Questionnaire,
    Scale,
)
from guidance.selectors.questionnaires import scores_ranked
from resource_center import audit
from students.models import Student

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser
    from django.http import HttpRequest

# No 0/O, 1/I: a pupil copies the code from a printed list. 32 symbols × 8 = 40 bits, and a
# code opens nothing but one empty questionnaire, once, for a limited time; guesses are
# throttled per address.
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_LENGTH = 8
CODE_GROUP = 4
# Cyrillic letters that look like Latin ones (and З like 3): a pupil copying the code on a
# Russian keyboard types these.
_LOOKALIKES = str.maketrans("АВЕКМНОРСТУХЗ", "ABEKMHOPCTYX3")
_CODE_ATTEMPTS = 5

NO_CONSENT = _(
    "Нет действующего согласия родителя (законного представителя) на обработку "
    "персональных данных: обучающийся не участвует в анкетировании."
)
CODE_UNKNOWN = _(
    "Такого кода нет. Проверьте, что он введён без ошибок: в коде 8 знаков, например "
    "ABCD-EFGH, без цифр 0 и 1 и без букв O и I."
)
CODE_USED = _(
    "Анкета по этому коду уже пройдена: код действует только один раз. Если это ошибка, "
    "обратитесь к классному руководителю или педагогу-навигатору."
)
CODE_EXPIRED = _(
    "Срок действия этого кода истёк %(date)s. Попросите у классного руководителя или "
    "педагога-навигатора новый код."
)
CODE_NO_CONSENT = _(
    "Анкету по этому коду пройти нельзя: сейчас нет действующего согласия родителя на "
    "обработку персональных данных. Обратитесь к классному руководителю."
)


class CodeRefused(ValidationError):
    """A one-time code that cannot be used; ``code`` says why: unknown, used, expired,
    no_consent."""


@dataclass(frozen=True)
class ScaleScore:
    scale: Scale
    score: int


@dataclass(frozen=True)
class ScoreResult:
    """Scores of every scale, highest first (ties by Scale.order), and the leading types."""

    scores: list[ScaleScore]
    result_code: str
    leading_scale: Scale | None

    def score_of(self, code: str) -> int:
        return next(s.score for s in self.scores if s.scale.code == code)


# --- codes ---------------------------------------------------------------------------


def assignment_code_normalise(raw: str) -> str:
    """Upper case, without spaces or hyphens, Cyrillic look-alikes turned into Latin."""
    return "".join(ch for ch in raw.upper().translate(_LOOKALIKES) if ch.isalnum())


def assignment_code_is_well_formed(code: str) -> bool:
    """Whether a normalised code is worth looking up (issued codes are CODE_LENGTH symbols
    of CODE_ALPHABET; older or hand-made ones may differ, so only the length is checked)."""
    return 0 < len(code) <= Assignment._meta.get_field("code").max_length


def assignment_code_format(code: str) -> str:
    """ABCD-EFGH: how a code is printed and shown."""
    return "-".join(code[i : i + CODE_GROUP] for i in range(0, len(code), CODE_GROUP))


def _code_generate() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def _fresh_codes(n: int) -> list[str]:
    codes: set[str] = set()
    while len(codes) < n:
        codes |= {_code_generate() for _ in range(n - len(codes))}
        codes -= set(Assignment.objects.filter(code__in=codes).values_list("code", flat=True))
    return list(codes)


# --- scoring -------------------------------------------------------------------------


def questionnaire_score(*, questionnaire: Questionnaire, options: Iterable[Option]) -> ScoreResult:
    """Add up the options' points per scale (zeros included) and rank the scales.

    Writes nothing; reads the questionnaire's scales unless they are prefetched. The result
    code is made of the first ``result_code_length`` scales that scored at all: a type with
    no points is not a leading one.
    """
    scales = list(questionnaire.scales.all())
    by_id = {s.pk: s for s in scales}
    totals = dict.fromkeys(by_id, 0)
    for option in options:
        if option.scale_id is None:
            continue
        if option.scale_id not in by_id:
            raise ValueError(f"option {option.pk} scores a scale of another questionnaire")
        totals[option.scale_id] += option.points
    ranked = [
        ScaleScore(scale, score)
        for scale, score in scores_ranked((by_id[i], totals[i]) for i in by_id)
    ]
    leading = [s.scale for s in ranked if s.score > 0][: questionnaire.result_code_length]
    return ScoreResult(
        scores=ranked,
        result_code="".join(s.code for s in leading),
        leading_scale=leading[0] if leading else None,
    )


# --- recording -----------------------------------------------------------------------


def _consent_check(student: Student, message: str, error: type[ValidationError]) -> None:
    # The student's row lock is the one consent_withdraw takes: a consent withdrawn at the
    # same moment either lands before this check or waits until the attempt is written.
    Student.objects.select_for_update().filter(pk=student.pk).values_list("pk").get()
    if not Student.objects.with_consent().filter(pk=student.pk).exists():
        raise error(message, code="no_consent")


def _options_checked(questionnaire: Questionnaire, option_ids: Sequence[object]) -> list[Option]:
    """Exactly one existing option of this questionnaire for each of its questions."""
    try:
        ids = [int(str(i)) for i in option_ids]
    except ValueError:
        raise ValidationError(
            gettext("Ответы не распознаны. Отметьте ответы ещё раз."), code="answers"
        ) from None
    options = list(
        Option.objects.filter(pk__in=set(ids), question__questionnaire=questionnaire)
        .select_related("question")
        .order_by("question__number", "order")
    )
    if len(options) != len(set(ids)):
        raise ValidationError(
            gettext("Среди ответов есть варианты, которых нет в этой анкете."), code="answers"
        )
    by_pk = {o.pk: o for o in options}
    per_question = Counter(by_pk[i].question.number for i in ids)
    repeated = sorted(n for n, count in per_question.items() if count > 1)
    if repeated:
        raise ValidationError(
            gettext("На вопросы № %(numbers)s дано больше одного ответа: нужен один.")
            % {"numbers": ", ".join(map(str, repeated))},
            code="answers",
        )
    numbers = set(
        Question.objects.filter(questionnaire=questionnaire).values_list("number", flat=True)
    )
    missing = sorted(numbers - set(per_question))
    if missing:
        raise ValidationError(
            gettext("Нет ответа на вопросы № %(numbers)s. Ответьте на все вопросы.")
            % {"numbers": ", ".join(map(str, missing))},
            code="answers",
        )
    return [by_pk[i] for i in ids]


@transaction.atomic
def attempt_record(
    *,
    questionnaire: Questionnaire,
    student: Student,
    option_ids: Sequence[int],
    source: str,
    by: AbstractBaseUser | None = None,
    assignment: Assignment | None = None,
    request: HttpRequest | None = None,
    completed_at: datetime.datetime | None = None,
) -> Attempt:
    """Score and store a completed questionnaire with its answers; audited.

    Raises ValidationError (in Russian) unless there is exactly one option of the
    questionnaire per question and the student has an active processing consent.
    ``by`` is who entered it (a paper form); a pupil completing it by code has no account,
    so the audit row names the counsellor who assigned the code.
    """
    if source not in Attempt.Source.values:
        raise ValueError(f"unknown source {source!r}")
    if by is None and assignment is None:
        raise ValueError("an attempt is entered by someone or completed through a code")
    if assignment is not None and (
        assignment.student_id != student.pk or assignment.batch.questionnaire_id != questionnaire.pk
    ):
        raise ValueError("the code was given to another student or for another questionnaire")
    _consent_check(student, NO_CONSENT, ValidationError)
    options = _options_checked(questionnaire, option_ids)
    result = questionnaire_score(questionnaire=questionnaire, options=options)
    attempt = Attempt.objects.create(
        questionnaire=questionnaire,
        student=student,
        assignment=assignment,
        source=source,
        entered_by=by,
        completed_at=completed_at or timezone.now(),
        result_code=result.result_code,
        leading_scale=result.leading_scale,
    )
    AttemptScore.objects.bulk_create(
        AttemptScore(attempt=attempt, scale=s.scale, score=s.score) for s in result.scores
    )
    Answer.objects.bulk_create(
        Answer(attempt=attempt, question_id=o.question_id, option=o) for o in options
    )
    if assignment is not None and assignment.used_at is None:
        assignment.used_at = timezone.now()
        assignment.save(update_fields=["used_at"])

    if by is not None:
        how = gettext("ответы внесены с бумажного бланка")
        actor = by
    else:
        how = gettext(
            "пройдена обучающимся по одноразовому коду без учётной записи; в журнале указан "
            "педагог, назначивший анкету"
        )
        actor = assignment.batch.created_by  # type: ignore[union-attr]
    audit.record(
        actor=actor,
        action=audit.Action.CREATE,
        student=student,
        details=gettext("Анкета «%(title)s», результат %(code)s: %(how)s")
        % {"title": questionnaire.short_title, "code": result.result_code or "—", "how": how},
        request=request,
    )
    return attempt


# --- assignment by codes -------------------------------------------------------------


@transaction.atomic
def assignment_batch_create(
    *,
    questionnaire: Questionnaire,
    students: Iterable[Student],
    title: str,
    expires_at: datetime.datetime,
    by: AbstractBaseUser,
    request: HttpRequest | None = None,
) -> AssignmentBatch:
    """Give each student a fresh one-time code for the questionnaire; audited.

    Refuses (ValidationError listing them) students without an active processing
    consent: callers pass only those who have one and tell the user about the others.
    """
    students = list({s.pk: s for s in students}.values())
    if not students:
        raise ValidationError(gettext("Некому назначать анкету: список пуст."), code="empty")
    if not questionnaire.is_active:
        raise ValidationError(gettext("Эта анкета сейчас не используется."), code="inactive")
    if expires_at <= timezone.now():
        raise ValidationError(gettext("Срок действия кодов должен быть в будущем."), code="expiry")
    organisations = {s.organisation_id for s in students}
    if len(organisations) != 1:
        raise ValueError("a batch is for the students of one organisation")
    without = list(
        Student.objects.filter(pk__in=[s.pk for s in students])
        .annotate_consent()
        .filter(has_consent=False)
        .order_by("last_name", "first_name", "patronymic")
    )
    if without:
        raise ValidationError(
            gettext(
                "Нет действующего согласия родителя на обработку персональных данных, "
                "анкету назначить нельзя: %(names)s."
            )
            % {"names": ", ".join(s.full_name for s in without)},
            code="no_consent",
        )
    batch = AssignmentBatch.objects.create(
        questionnaire=questionnaire,
        organisation_id=organisations.pop(),
        title=title[:200],
        created_by=by,
        expires_at=expires_at,
    )
    for attempt_no in range(_CODE_ATTEMPTS):
        codes = _fresh_codes(len(students))
        try:
            # Another batch may take one of these codes between the check and the insert.
            with transaction.atomic():
                Assignment.objects.bulk_create(
                    Assignment(batch=batch, student=s, code=c)
                    for s, c in zip(students, codes, strict=True)
                )
            break
        except IntegrityError:
            if attempt_no == _CODE_ATTEMPTS - 1:
                raise
    audit.record_many(
        actor=by,
        action=audit.Action.CREATE,
        students=students,
        details=gettext("Назначена анкета «%(title)s» (одноразовый код до %(until)s)")
        % {
            "title": questionnaire.short_title,
            "until": timezone.localtime(expires_at).strftime("%d.%m.%Y"),
        },
        request=request,
    )
    return batch


@transaction.atomic
def questionnaire_complete_by_code(
    *, code: str, option_ids: Sequence[int], request: HttpRequest | None = None
) -> Attempt:
    """Record the answers of the pupil holding a usable code and spend the code.

    Raises CodeRefused (unknown, used, expired, no_consent) or ValidationError (answers);
    nothing is written then.
    """
    normalised = assignment_code_normalise(code)
    if not assignment_code_is_well_formed(normalised):
        raise CodeRefused(CODE_UNKNOWN, code="unknown")
    # The row lock makes a second submit with the same code wait for the first to commit
    # and then see used_at set; Attempt.assignment being one-to-one is the last guard.
    assignment = (
        Assignment.objects.select_for_update(of=("self",))
        .select_related("batch", "batch__questionnaire", "batch__created_by", "student")
        .filter(code=normalised)
        .first()
    )
    if assignment is None:
        raise CodeRefused(CODE_UNKNOWN, code="unknown")
    if assignment.used_at is not None:
        raise CodeRefused(CODE_USED, code="used")
    batch = assignment.batch
    if batch.is_expired():
        raise CodeRefused(
            CODE_EXPIRED,
            code="expired",
            params={"date": timezone.localtime(batch.expires_at).strftime("%d.%m.%Y %H:%M")},
        )
    _consent_check(assignment.student, CODE_NO_CONSENT, CodeRefused)
    return attempt_record(
        questionnaire=batch.questionnaire,
        student=assignment.student,
        option_ids=option_ids,
        source=Attempt.Source.LINK,
        assignment=assignment,
        request=request,
    )
