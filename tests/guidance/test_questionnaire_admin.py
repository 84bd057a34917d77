"""The coordinator's admin of questionnaires: editable data, read-only audited results."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from guidance.models import (
    Answer,
    Assignment,
    AssignmentBatch,
    Attempt,
    AttemptScore,
    Band,
    Option,
    Question,
    Questionnaire,
    Scale,
)
from resource_center.models import AuditEntry
from tests import factories as f

pytestmark = pytest.mark.django_db


def _band(n: int) -> Band:
    return Band.objects.create(
        questionnaire=f.QuestionnaireFactory(), min_score=0, max_score=n + 1, label="низкий"
    )


def _score(n: int) -> AttemptScore:
    attempt = f.AttemptFactory()
    return AttemptScore.objects.create(
        attempt=attempt, scale=f.ScaleFactory(questionnaire=attempt.questionnaire), score=n
    )


def _answer(n: int) -> Answer:
    option = f.OptionFactory()
    attempt = f.AttemptFactory(questionnaire=option.question.questionnaire)
    return Answer.objects.create(attempt=attempt, question=option.question, option=option)


MAKERS: dict[type, Callable[[int], object]] = {
    Questionnaire: lambda n: f.QuestionnaireFactory(),
    Scale: lambda n: f.ScaleFactory(),
    Band: _band,
    Question: lambda n: f.QuestionFactory(),
    Option: lambda n: f.OptionFactory(),
    AssignmentBatch: lambda n: f.AssignmentBatchFactory(),
    Assignment: lambda n: f.AssignmentFactory(),
    Attempt: lambda n: f.AttemptFactory(),
    AttemptScore: _score,
    Answer: _answer,
}


def admin_url(model: type, view: str, *args: object) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def changelist_queries(client, model: type) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(admin_url(model, "changelist"), {"q": "Иван"})
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.fixture
def admin_coordinator(coordinator):
    coordinator.user_permissions.add(*Permission.objects.filter(content_type__app_label="guidance"))
    return coordinator


@pytest.mark.parametrize("model", list(MAKERS), ids=lambda m: m.__name__)
def test_admin_pages_answer_and_lists_do_not_grow(admin_client, model):
    assert admin.site.is_registered(model)
    obj = MAKERS[model](0)
    assert admin_client.get(admin_url(model, "change", obj.pk)).status_code == 200
    assert admin_client.get(admin_url(model, "add")).status_code in (200, 403)
    few = changelist_queries(admin_client, model)
    for n in range(1, 11):
        MAKERS[model](n)
    assert changelist_queries(admin_client, model) == few


def test_coordinator_edits_a_shipped_questionnaire_but_not_its_code(
    client, admin_coordinator, questionnaires
):
    klimov = questionnaires["klimov-ddo"]
    client.force_login(admin_coordinator)

    response = client.get(admin_url(Questionnaire, "change", klimov.pk))

    form = response.context["adminform"].form
    assert "code" not in form.fields
    assert "title" in form.fields
    assert response.context["inline_admin_formsets"]


def test_option_key_offers_only_types_of_the_same_questionnaire(admin_client, questionnaires):
    question = questionnaires["klimov-ddo"].questions.get(number=1)

    offered = scale_choices_of_option_inline(admin_client, question)

    assert set(offered) == set(questionnaires["klimov-ddo"].scales.values_list("pk", flat=True))


def scale_choices_of_option_inline(client, question: Question) -> list[int]:
    response = client.get(admin_url(Question, "change", question.pk))
    formset = next(
        fs.formset for fs in response.context["inline_admin_formsets"] if fs.formset.model is Option
    )
    return [s.pk for s in formset.forms[0].fields["scale"].queryset]


def test_results_are_read_only_and_their_viewing_is_audited(
    client, admin_coordinator, world, pupil_a
):
    attempt = f.AttemptFactory(student=pupil_a)
    client.force_login(admin_coordinator)

    response = client.get(admin_url(Attempt, "change", attempt.pk))

    assert response.status_code == 200
    assert response.context["has_change_permission"] is False
    assert client.get(admin_url(Attempt, "add")).status_code == 403
    assert AuditEntry.objects.filter(
        actor=admin_coordinator, action=AuditEntry.Action.VIEW, student=pupil_a
    ).exists()


def test_coordinator_sees_results_of_own_district_only(client, admin_coordinator, world):
    here = f.AttemptFactory(student=f.StudentFactory(organisation=world.school_a))
    there = f.AttemptFactory(student=f.StudentFactory(organisation=world.other_district_school))
    client.force_login(admin_coordinator)

    shown = set(client.get(admin_url(Attempt, "changelist")).context["cl"].queryset)

    assert here in shown
    assert there not in shown
    assert client.get(admin_url(Attempt, "change", there.pk)).status_code == 302
