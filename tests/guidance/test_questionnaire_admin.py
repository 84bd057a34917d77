"""The coordinator's admin of questionnaires: editable data, read-only audited results."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from guidance.models import (
    Attempt,
    Option,
    Question,
    Questionnaire,
)
from resource_center.models import AuditEntry
from tests import factories as f

pytestmark = pytest.mark.django_db


def admin_url(model: type, view: str, *args: object) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def admin_coordinator(coordinator):
    coordinator.user_permissions.add(*Permission.objects.filter(content_type__app_label="guidance"))
    return coordinator


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
