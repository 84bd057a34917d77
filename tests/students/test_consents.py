"""Consents (152-FZ): recorded by staff, given and withdrawn online by parents."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from resource_center.models import AuditEntry
from students.models import Achievement, Consent, Student
from students.services import consents as services
from tests import factories as f

pytestmark = pytest.mark.django_db

PROCESSING = Consent.Scope.PROCESSING
TECHNIKUM = Consent.Scope.TRANSFER_TECHNIKUM
EMPLOYERS = Consent.Scope.TRANSFER_EMPLOYERS


def create_url(student: Student) -> str:
    return reverse("students:consent_create", args=[student.uuid])


def withdraw_url(consent: Consent) -> str:
    return reverse("students:consent_withdraw", args=[consent.student.uuid, consent.uuid])


@pytest.fixture
def mother(pupil_a):
    return f.GuardianFactory(student=pupil_a, last_name="Иванова", first_name="Мария")


def paper(guardian, scope=PROCESSING, **extra) -> dict[str, str]:
    return {
        "guardian": str(guardian.pk),
        "scope": scope,
        "given_on": timezone.localdate().isoformat(),
        "document_number": "№ 17",
        **extra,
    }


@pytest.fixture
def profiled_pupil(pupil_a, mother):
    """A pupil with processing and both transfer consents, optional data and achievements."""
    for scope in (PROCESSING, TECHNIKUM, EMPLOYERS):
        f.ConsentFactory(student=pupil_a, guardian=mother, scope=scope)
    Student.objects.filter(pk=pupil_a.pk).update(
        phone="+7 900 123-45-67",
        email="ivanov@example.ru",
        interests="Сварка",
        preferred_professions="Сварщик",
        path_after_9="technikum",
        notes="Хочет на профпробу",
        has_special_needs=True,
    )
    f.AchievementFactory.create_batch(2, student=pupil_a)
    return pupil_a


# --- staff record consents from paper ----------------------------------------------------


def test_counsellor_records_a_consent(client, counsellor_a, pupil_a, mother):
    client.force_login(counsellor_a)
    response = client.post(create_url(pupil_a), paper(mother))
    assert response.status_code == 302
    assert response["Location"] == reverse("students:student_detail", args=[pupil_a.uuid])
    consent = Consent.objects.get()
    assert (consent.student, consent.guardian, consent.scope) == (pupil_a, mother, PROCESSING)
    assert (consent.given_on, consent.document_number) == (timezone.localdate(), "№ 17")
    assert consent.recorded_by == counsellor_a
    assert consent.is_active
    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.action, entry.student) == (counsellor_a, "consent_given", pupil_a)
    assert entry.details == "scope: processing"


def test_consent_form_offers_only_the_pupils_guardians(client, counsellor_a, pupil_a, mother):
    stranger = f.GuardianFactory()
    client.force_login(counsellor_a)
    form = client.get(create_url(pupil_a)).context["form"]
    assert list(form.fields["guardian"].queryset) == [mother]
    response = client.post(create_url(pupil_a), paper(stranger))
    assert response.context["form"].errors["guardian"] == [
        "Выберите одного из родителей этого обучающегося."
    ]
    assert not Consent.objects.exists()


def test_page_without_guardians_says_to_add_one(client, counsellor_a, pupil_a):
    client.force_login(counsellor_a)
    response = client.get(create_url(pupil_a))
    assert 'data-testid="no-guardians"' in response.content.decode()


def test_consent_date_cannot_be_in_the_future(client, counsellor_a, pupil_a, mother):
    client.force_login(counsellor_a)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = client.post(create_url(pupil_a), paper(mother, given_on=tomorrow.isoformat()))
    assert response.context["form"].errors["given_on"] == ["Дата согласия не может быть в будущем."]


def test_consent_date_cannot_precede_the_birth(client, counsellor_a, pupil_a, mother):
    client.force_login(counsellor_a)
    before = pupil_a.birth_date - datetime.timedelta(days=1)
    response = client.post(create_url(pupil_a), paper(mother, given_on=before.strftime("%d.%m.%Y")))
    assert response.context["form"].errors["given_on"] == [
        "Дата согласия не может быть раньше даты рождения обучающегося."
    ]


def test_second_active_consent_of_a_scope_is_a_form_error(client, counsellor_a, pupil_a, mother):
    f.ConsentFactory(student=pupil_a, guardian=mother)
    father = f.GuardianFactory(student=pupil_a, first_name="Пётр", relation="father")
    client.force_login(counsellor_a)
    response = client.post(create_url(pupil_a), paper(father))
    assert response.status_code == 200
    assert response.context["form"].errors["scope"] == [
        "Согласие «Обработка школой и ресурсным центром» уже действует. "
        "Чтобы записать новое, сначала отзовите прежнее."
    ]
    assert Consent.objects.count() == 1


def test_scope_can_be_given_again_after_withdrawal(client, counsellor_a, pupil_a, mother):
    f.ConsentFactory(student=pupil_a, guardian=mother, withdrawn_at=timezone.now())
    client.force_login(counsellor_a)
    assert client.post(create_url(pupil_a), paper(mother)).status_code == 302
    assert Consent.objects.active().count() == 1


def test_transfer_scope_needs_processing(client, counsellor_a, pupil_a, mother):
    client.force_login(counsellor_a)
    response = client.post(create_url(pupil_a), paper(mother, scope=TECHNIKUM))
    assert response.context["form"].errors["scope"] == [
        "Согласие «Передача техникуму» можно записать только при действующем согласии на "
        "обработку персональных данных. Сначала запишите его."
    ]
    assert not Consent.objects.exists()


def test_scopes_are_given_separately(client, counsellor_a, pupil_a, mother):
    client.force_login(counsellor_a)
    client.post(create_url(pupil_a), paper(mother))
    client.post(create_url(pupil_a), paper(mother, scope=EMPLOYERS))
    assert set(Consent.objects.active().values_list("scope", flat=True)) == {
        PROCESSING,
        EMPLOYERS,
    }


# --- withdrawal --------------------------------------------------------------------------


def test_withdrawing_a_transfer_scope_leaves_the_others(client, counsellor_a, profiled_pupil):
    technikum = Consent.objects.get(scope=TECHNIKUM)
    client.force_login(counsellor_a)
    response = client.post(withdraw_url(technikum))
    assert response.status_code == 302
    technikum.refresh_from_db()
    assert technikum.withdrawn_at is not None
    assert technikum.withdrawn_by == counsellor_a
    assert set(Consent.objects.active().values_list("scope", flat=True)) == {
        PROCESSING,
        EMPLOYERS,
    }
    profiled_pupil.refresh_from_db()
    assert profiled_pupil.interests == "Сварка"
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.details) == ("consent_withdrawn", "scope: transfer_technikum")


def test_withdrawing_processing_clears_optional_data_and_transfers_at_once(
    client, counsellor_a, profiled_pupil
):
    processing = Consent.objects.get(scope=PROCESSING)
    client.force_login(counsellor_a)
    response = client.post(withdraw_url(processing), follow=True)
    assert "Профориентационные сведения удалены" in response.content.decode()
    assert not Consent.objects.active().exists()
    assert set(Consent.objects.values_list("withdrawn_by", flat=True)) == {counsellor_a.pk}
    profiled_pupil.refresh_from_db()
    for name in Student.OPTIONAL_FIELDS:
        assert getattr(profiled_pupil, name) == "", name
    # what the school must keep stays
    assert profiled_pupil.has_special_needs
    assert profiled_pupil.last_name == "Иванов"
    assert not Achievement.objects.exists()
    rows = list(
        AuditEntry.objects.exclude(action="view").order_by("pk").values_list("action", "details")
    )
    assert rows == [
        ("consent_withdrawn", "scope: processing"),
        ("consent_withdrawn", "scope: transfer_employers; with: processing"),
        ("consent_withdrawn", "scope: transfer_technikum; with: processing"),
        (
            "update",
            "cleared: phone, email, interests, preferred_professions, path_after_9, notes, "
            "achievements",
        ),
    ]


def test_withdrawing_twice_changes_nothing(client, counsellor_a, pupil_a):
    consent = f.ConsentFactory(student=pupil_a, withdrawn_at=timezone.now())
    client.force_login(counsellor_a)
    response = client.post(withdraw_url(consent), follow=True)
    assert "Это согласие уже отозвано." in response.content.decode()
    assert not AuditEntry.objects.exclude(action="view").exists()


def test_withdraw_service_is_atomic(counsellor_a, profiled_pupil, monkeypatch):
    processing = Consent.objects.get(scope=PROCESSING)

    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "student_optional_data_clear", broken)
    with pytest.raises(RuntimeError):
        services.consent_withdraw(consent=processing, by=counsellor_a)
    assert Consent.objects.active().count() == 3
    assert not AuditEntry.objects.exists()


def test_give_service_refuses_another_students_guardian(counsellor_a, pupil_a, pupil_b):
    other = f.GuardianFactory(student=pupil_b)
    with pytest.raises(ValueError, match="guardian"):
        services.consent_give(
            student=pupil_a,
            guardian=other,
            scope=PROCESSING,
            given_on=timezone.localdate(),
            by=counsellor_a,
        )


def test_give_service_enforces_one_active_per_scope(counsellor_a, pupil_a, mother):
    f.ConsentFactory(student=pupil_a, guardian=mother)
    with pytest.raises(ValidationError, match="уже действует"):
        services.consent_give(
            student=pupil_a,
            guardian=mother,
            scope=PROCESSING,
            given_on=timezone.localdate(),
            by=counsellor_a,
        )


def test_consent_of_another_student_is_404(client, counsellor_a, pupil_a, world):
    other = f.ConsentFactory(student=f.StudentFactory(organisation=world.school_a))
    client.force_login(counsellor_a)
    url = reverse("students:consent_withdraw", args=[pupil_a.uuid, other.uuid])
    assert client.post(url).status_code == 404
    other.refresh_from_db()
    assert other.is_active


# --- parents online ----------------------------------------------------------------------


@pytest.fixture
def parent_guardian(parent_of_pupil_a, pupil_a):
    return pupil_a.guardians.get(user=parent_of_pupil_a)


def test_parent_form_has_no_guardian_date_or_document(client, parent_of_pupil_a, pupil_a):
    client.force_login(parent_of_pupil_a)
    response = client.get(create_url(pupil_a) + "?scope=processing")
    assert response.status_code == 200
    assert set(response.context["form"].fields) == {"scope", "confirm"}
    assert response.context["form"]["scope"].value() == "processing"


def test_parent_gives_consent_online(client, parent_of_pupil_a, parent_guardian, pupil_a):
    client.force_login(parent_of_pupil_a)
    response = client.post(create_url(pupil_a), {"scope": PROCESSING, "confirm": "on"})
    assert response.status_code == 302
    consent = Consent.objects.get()
    assert (consent.guardian, consent.recorded_by) == (parent_guardian, parent_of_pupil_a)
    assert (consent.given_on, consent.document_number) == (timezone.localdate(), "")
    assert AuditEntry.objects.get().action == "consent_given"
    page = client.get(reverse("students:student_detail", args=[pupil_a.uuid]))
    assert "онлайн на портале" in page.content.decode()


def test_parent_must_confirm(client, parent_of_pupil_a, pupil_a):
    client.force_login(parent_of_pupil_a)
    response = client.post(create_url(pupil_a), {"scope": PROCESSING})
    assert response.context["form"].errors["confirm"] == ["Подтвердите, что даёте согласие."]
    assert not Consent.objects.exists()


def test_parent_cannot_pass_another_guardian(client, parent_of_pupil_a, parent_guardian, pupil_a):
    father = f.GuardianFactory(student=pupil_a, first_name="Пётр", relation="father")
    client.force_login(parent_of_pupil_a)
    data = {
        "scope": PROCESSING,
        "confirm": "on",
        "guardian": str(father.pk),
        "document_number": "X",
    }
    client.post(create_url(pupil_a), data)
    consent = Consent.objects.get()
    assert (consent.guardian, consent.document_number) == (parent_guardian, "")


def test_parent_withdraws_consent_online(client, parent_of_pupil_a, profiled_pupil):
    processing = Consent.objects.get(scope=PROCESSING)
    client.force_login(parent_of_pupil_a)
    response = client.post(withdraw_url(processing))
    assert response.status_code == 302
    processing.refresh_from_db()
    assert processing.withdrawn_by == parent_of_pupil_a
    profiled_pupil.refresh_from_db()
    assert profiled_pupil.interests == ""


def test_parent_cannot_touch_another_childs_consent(client, parent_of_pupil_a, pupil_b):
    consent = f.ConsentFactory(student=pupil_b)
    client.force_login(parent_of_pupil_a)
    assert client.get(create_url(pupil_b)).status_code == 404
    assert client.post(withdraw_url(consent)).status_code == 404
    consent.refresh_from_db()
    assert consent.is_active


# --- access and methods ------------------------------------------------------------------


def test_head_reads_but_does_not_record(client, head_a, pupil_a, mother):
    consent = f.ConsentFactory(student=pupil_a, guardian=mother)
    client.force_login(head_a)
    assert client.get(create_url(pupil_a)).status_code == 403
    assert client.post(create_url(pupil_a), paper(mother, scope=EMPLOYERS)).status_code == 403
    assert client.post(withdraw_url(consent)).status_code == 403
    consent.refresh_from_db()
    assert consent.is_active
    assert Consent.objects.count() == 1


def test_pupil_cannot_record_consent(client, pupil_a_user, pupil_a, mother):
    consent = f.ConsentFactory(student=pupil_a, guardian=mother)
    client.force_login(pupil_a_user)
    assert client.get(create_url(pupil_a)).status_code == 403
    assert client.post(withdraw_url(consent)).status_code == 403
    consent.refresh_from_db()
    assert consent.is_active


def test_counsellor_of_other_school_gets_404(client, counsellor_b, pupil_a, mother):
    consent = f.ConsentFactory(student=pupil_a, guardian=mother)
    client.force_login(counsellor_b)
    assert client.get(create_url(pupil_a)).status_code == 404
    assert client.post(create_url(pupil_a), paper(mother, scope=EMPLOYERS)).status_code == 404
    assert client.post(withdraw_url(consent)).status_code == 404
    consent.refresh_from_db()
    assert consent.is_active


def test_withdraw_answers_only_post(client, counsellor_a, pupil_a):
    consent = f.ConsentFactory(student=pupil_a)
    client.force_login(counsellor_a)
    for method in ("get", "head", "put", "delete"):
        assert getattr(client, method)(withdraw_url(consent)).status_code == 405
    consent.refresh_from_db()
    assert consent.is_active


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_consent_create_refuses_other_methods(client, counsellor_a, pupil_a, method):
    client.force_login(counsellor_a)
    assert getattr(client, method)(create_url(pupil_a)).status_code == 405
