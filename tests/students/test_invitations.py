"""Parent access by one-time invitation codes: issuing, accepting, throttling."""

from __future__ import annotations

import datetime
import hashlib
import threading
import time

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from resource_center.models import AuditEntry
from students.models import Guardian, GuardianInvitation
from students.services import invitations as services
from students.views import invitations as views
from tests import factories as f

pytestmark = pytest.mark.django_db

User = get_user_model()
ACCEPT_URL = reverse("students:invitation_accept")
INVALID = "Код приглашения не подошёл"
PASSWORD = "Kolokol-na-bashne-7"


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def guardian_a(pupil_a):
    return f.GuardianFactory(
        student=pupil_a, last_name="Иванова", first_name="Ольга", email="olga@example.ru"
    )


def invite_url(student, guardian) -> str:
    return reverse("students:invitation_create", args=[student.uuid, guardian.uuid])


def issue(guardian, by) -> str:
    """A code issued through the service, as printed for the parent."""
    _, code = services.guardian_invitation_issue(guardian=guardian, by=by)
    return services.invitation_code_format(code)


def new_account(code: str, username: str = "olga", **extra: str) -> dict[str, str]:
    return {"code": code, "username": username, "password1": PASSWORD, "password2": PASSWORD} | (
        extra
    )


# --- issuing ---------------------------------------------------------------------------


def test_counsellor_issues_a_code_that_is_stored_only_as_a_hash(
    client, counsellor_a, pupil_a, guardian_a
):
    client.force_login(counsellor_a)
    response = client.post(invite_url(pupil_a, guardian_a))

    assert response.status_code == 200
    code = response.context["code"]
    assert len(code) == 14
    assert code[4] == code[9] == "-"
    html = response.content.decode()
    assert code in html
    assert "http://testserver" + ACCEPT_URL in html
    assert "no-store" in response["Cache-Control"]
    invitation = GuardianInvitation.objects.get()
    raw = code.replace("-", "")
    assert invitation.code_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in invitation.code_hash
    assert (invitation.guardian, invitation.created_by) == (guardian_a, counsellor_a)
    assert invitation.used_at is None
    expected_expiry = timezone.now() + datetime.timedelta(days=14)
    assert abs(invitation.expires_at - expected_expiry) < datetime.timedelta(minutes=1)
    assert timezone.localtime(invitation.expires_at).strftime("%d.%m.%Y") in html
    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.student, entry.action) == (
        counsellor_a,
        pupil_a,
        "invitation_issued",
    )
    assert guardian_a.full_name in entry.details
    assert raw not in entry.details


def test_code_page_has_printable_instructions_in_russian(client, counsellor_a, pupil_a, guardian_a):
    client.force_login(counsellor_a)
    html = client.post(invite_url(pupil_a, guardian_a)).content.decode()
    assert "Откройте в браузере" in html
    assert "Введите код приглашения" in html
    assert "Мои дети" in html
    assert "Распечатать" in html
    assert "только один раз" in html


def test_new_code_invalidates_the_previous_unused_one(client, counsellor_a, pupil_a, guardian_a):
    client.force_login(counsellor_a)
    first = client.post(invite_url(pupil_a, guardian_a)).context["code"]
    second = client.post(invite_url(pupil_a, guardian_a)).context["code"]
    assert first != second
    old, new = GuardianInvitation.objects.order_by("created_at", "pk")
    assert not old.is_usable()
    assert new.is_usable()

    client.logout()
    response = client.post(ACCEPT_URL, new_account(first))
    assert INVALID in response.content.decode()
    response = client.post(ACCEPT_URL, new_account(second))
    assert response.status_code == 302


def test_new_code_leaves_other_guardians_codes_alone(counsellor_a, pupil_a, guardian_a):
    father = f.GuardianFactory(
        student=pupil_a, first_name="Пётр", relation=Guardian.Relation.FATHER
    )
    issue(father, counsellor_a)
    issue(guardian_a, counsellor_a)
    assert GuardianInvitation.objects.get(guardian=father).is_usable()


def test_counsellor_of_other_school_gets_404(client, counsellor_b, pupil_a, guardian_a):
    client.force_login(counsellor_b)
    response = client.post(invite_url(pupil_a, guardian_a))
    assert response.status_code == 404
    assert not GuardianInvitation.objects.exists()


def test_guardian_of_another_pupil_is_404(client, counsellor_a, pupil_a, world):
    other_pupil = f.StudentFactory(organisation=world.school_a)
    other_guardian = f.GuardianFactory(student=other_pupil)
    client.force_login(counsellor_a)
    response = client.post(invite_url(pupil_a, other_guardian))
    assert response.status_code == 404
    assert not GuardianInvitation.objects.exists()


def test_school_head_gets_403(client, head_a, pupil_a, guardian_a):
    client.force_login(head_a)
    response = client.post(invite_url(pupil_a, guardian_a))
    assert response.status_code == 403
    assert not GuardianInvitation.objects.exists()


def test_parent_cannot_issue_codes(client, parent_of_pupil_a, pupil_a, guardian_a):
    client.force_login(parent_of_pupil_a)
    assert client.post(invite_url(pupil_a, guardian_a)).status_code == 403


def test_coordinator_of_the_district_may_issue(client, coordinator, pupil_a, guardian_a):
    client.force_login(coordinator)
    assert client.post(invite_url(pupil_a, guardian_a)).status_code == 200


@pytest.mark.parametrize("method", ["get", "head"])
def test_invitation_create_answers_405_to_get(client, counsellor_a, pupil_a, guardian_a, method):
    client.force_login(counsellor_a)
    response = getattr(client, method)(invite_url(pupil_a, guardian_a))
    assert response.status_code == 405
    assert not GuardianInvitation.objects.exists()


def test_anonymous_is_sent_to_login_for_issuing(client, pupil_a, guardian_a):
    response = client.post(invite_url(pupil_a, guardian_a))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_no_code_for_a_guardian_already_connected(client, counsellor_a, pupil_a, guardian_a):
    guardian_a.user = f.UserFactory()
    guardian_a.save()
    client.force_login(counsellor_a)
    response = client.post(invite_url(pupil_a, guardian_a), follow=True)
    assert response.redirect_chain[0][0] == reverse("students:student_detail", args=[pupil_a.uuid])
    assert "уже есть учётная запись" in response.content.decode()
    assert not GuardianInvitation.objects.exists()


def test_invite_partial_posts_to_the_guardians_url(rf, pupil_a, guardian_a):
    html = render_to_string(
        "students/_guardian_invite.html",
        {"student": pupil_a, "guardian": guardian_a},
        request=rf.get("/"),
    )
    assert f'action="{invite_url(pupil_a, guardian_a)}"' in html
    assert 'method="post"' in html
    assert "csrfmiddlewaretoken" in html
    assert "Выдать код приглашения" in html

    guardian_a.user = f.UserFactory()
    html = render_to_string(
        "students/_guardian_invite.html", {"student": pupil_a, "guardian": guardian_a}
    )
    assert "Выдать код приглашения" not in html
    assert "подключён к порталу" in html


# --- accepting with a new account ------------------------------------------------------


def test_accept_page_is_public(client):
    response = client.get(ACCEPT_URL)
    assert response.status_code == 200
    assert list(response.context["form"].fields) == ["code", "username", "password1", "password2"]


def test_parent_creates_an_account_and_sees_the_child(client, counsellor_a, pupil_a, guardian_a):
    code = issue(guardian_a, counsellor_a)
    response = client.post(ACCEPT_URL, new_account(code))

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    user = User.objects.get(username="olga")
    assert (user.first_name, user.last_name, user.email) == ("Ольга", "Иванова", "olga@example.ru")
    assert user.check_password(PASSWORD)
    guardian_a.refresh_from_db()
    assert guardian_a.user == user
    invitation = GuardianInvitation.objects.get()
    assert invitation.used_by == user
    assert invitation.used_at is not None
    assert int(client.session["_auth_user_id"]) == user.pk
    entry = AuditEntry.objects.filter(actor=user).get()
    assert (entry.student, entry.action) == (pupil_a, "guardian_linked")

    home = client.get(reverse("home")).content.decode()
    assert "Мои дети" in home
    assert pupil_a.full_name in home
    assert "Учётная запись создана" in home


def test_new_parent_sees_only_own_child(client, counsellor_a, pupil_a, pupil_b, guardian_a):
    client.post(ACCEPT_URL, new_account(issue(guardian_a, counsellor_a)))
    assert client.get(reverse("students:student_detail", args=[pupil_a.uuid])).status_code == 200
    assert client.get(reverse("students:student_detail", args=[pupil_b.uuid])).status_code == 404
    assert client.get(reverse("students:student_list")).status_code == 403


@pytest.mark.parametrize(
    "typed",
    [
        lambda c: c.lower(),
        lambda c: c.replace("-", ""),
        lambda c: "  " + c.replace("-", " ") + " ",
        # Typed on a Russian keyboard: Cyrillic А, В, Е, К, М, Н, Р, С, Т, У, Х.
        lambda c: c.translate(str.maketrans("ABEKMHPCTYX", "АВЕКМНРСТУХ")),
    ],
    ids=["lower", "no-dashes", "spaces", "cyrillic"],
)
def test_code_is_accepted_as_people_type_it(client, counsellor_a, guardian_a, typed):
    code = issue(guardian_a, counsellor_a)
    response = client.post(ACCEPT_URL, new_account(typed(code)))
    assert response.status_code == 302
    assert Guardian.objects.get(pk=guardian_a.pk).user is not None


def test_normalisation_maps_cyrillic_lookalikes():
    assert services.invitation_code_normalise("аbс-х23 456 7мр") == "ABCX234567MP"


# --- accepting while logged in ---------------------------------------------------------


def test_logged_in_parent_links_a_second_child(client, counsellor_a, parent_of_pupil_a, world):
    sibling = f.StudentFactory(organisation=world.school_a, first_name="Мария", grade=5)
    guardian = f.GuardianFactory(student=sibling)
    code = issue(guardian, counsellor_a)
    users_before = User.objects.count()
    client.force_login(parent_of_pupil_a)

    page = client.get(ACCEPT_URL)
    assert list(page.context["form"].fields) == ["code"]
    response = client.post(ACCEPT_URL, {"code": code})

    assert response.status_code == 302
    assert User.objects.count() == users_before
    guardian.refresh_from_db()
    assert guardian.user == parent_of_pupil_a
    assert GuardianInvitation.objects.get().used_by == parent_of_pupil_a
    home = client.get(reverse("home")).content.decode()
    assert sibling.full_name in home
    assert client.get(reverse("students:student_detail", args=[sibling.uuid])).status_code == 200


@pytest.mark.parametrize("persona", ["counsellor_a", "pupil_a_user"])
def test_staff_or_pupil_must_log_out_first(request, client, counsellor_a, guardian_a, persona):
    code = issue(guardian_a, counsellor_a)
    client.force_login(request.getfixturevalue(persona))
    for response in (client.get(ACCEPT_URL), client.post(ACCEPT_URL, new_account(code))):
        assert response.status_code == 200
        assert "выйдите из этой учётной записи" in response.content.decode()
    guardian_a.refresh_from_db()
    assert guardian_a.user is None
    assert GuardianInvitation.objects.get().used_at is None


# --- wrong, used, expired --------------------------------------------------------------


def _used(counsellor, guardian) -> str:
    code = issue(guardian, counsellor)
    services.guardian_invitation_accept(
        code=code, new_account=services.NewAccount(username="first", password=PASSWORD)
    )
    return code


def _expired(counsellor, guardian) -> str:
    code = issue(guardian, counsellor)
    GuardianInvitation.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    return code


@pytest.mark.parametrize(
    "make_code",
    [
        lambda c, g: "ABCD-EFGH-JKLM",  # well formed, never issued
        lambda c, g: "12345",  # malformed
        lambda c, g: "ЖЖЖЖ-ЖЖЖЖ-ЖЖЖЖ",  # not in the alphabet
        _used,
        _expired,
    ],
    ids=["unknown", "malformed", "foreign-letters", "used", "expired"],
)
def test_bad_code_gets_one_message_and_creates_nothing(client, counsellor_a, guardian_a, make_code):
    code = make_code(counsellor_a, guardian_a)
    users_before = User.objects.count()
    guardian_user_before = Guardian.objects.get(pk=guardian_a.pk).user_id
    audit_before = AuditEntry.objects.count()

    response = client.post(ACCEPT_URL, new_account(code, username="second"))

    assert response.status_code == 200
    assert response.context["form"].errors == {"code": [str(views.INVALID_CODE_MESSAGE)]}
    assert User.objects.count() == users_before
    assert Guardian.objects.get(pk=guardian_a.pk).user_id == guardian_user_before
    assert AuditEntry.objects.count() == audit_before
    assert "_auth_user_id" not in client.session


def test_code_used_twice_fails_the_second_time(client, counsellor_a, guardian_a):
    code = issue(guardian_a, counsellor_a)
    assert client.post(ACCEPT_URL, new_account(code, username="first")).status_code == 302
    client.logout()
    response = client.post(ACCEPT_URL, new_account(code, username="second"))
    assert INVALID in response.content.decode()
    assert not User.objects.filter(username="second").exists()
    assert GuardianInvitation.objects.get().used_by.username == "first"


def test_used_code_cannot_be_taken_over_by_a_logged_in_parent(
    client, counsellor_a, guardian_a, parent_of_pupil_a
):
    code = issue(guardian_a, counsellor_a)
    first = services.guardian_invitation_accept(
        code=code, new_account=services.NewAccount(username="first", password=PASSWORD)
    )
    client.force_login(parent_of_pupil_a)
    response = client.post(ACCEPT_URL, {"code": code})
    assert INVALID in response.content.decode()
    assert Guardian.objects.get(pk=guardian_a.pk).user == first


# --- form errors -----------------------------------------------------------------------


def test_password_mismatch_is_a_russian_form_error(client, counsellor_a, guardian_a):
    code = issue(guardian_a, counsellor_a)
    response = client.post(ACCEPT_URL, new_account(code, password2=PASSWORD + "x"))
    assert response.status_code == 200
    assert response.context["form"].errors["password2"] == ["Пароли не совпадают."]
    assert not User.objects.filter(username="olga").exists()
    assert GuardianInvitation.objects.get().used_at is None


@pytest.mark.parametrize(
    ("password", "fragment"),
    [
        ("12345678", "только из цифр"),
        ("abc", "слишком короткий"),
        ("password", "слишком широко распространён"),
    ],
)
def test_weak_password_gets_russian_validator_messages(
    client, counsellor_a, guardian_a, password, fragment
):
    code = issue(guardian_a, counsellor_a)
    response = client.post(ACCEPT_URL, new_account(code, password1=password, password2=password))
    assert response.status_code == 200
    assert fragment in " ".join(response.context["form"].errors["password2"])
    assert not User.objects.filter(username="olga").exists()
    assert GuardianInvitation.objects.get().used_at is None


def test_password_like_the_guardians_name_is_refused(client, counsellor_a, pupil_a):
    guardian = f.GuardianFactory(student=pupil_a, last_name="Криворучковская")
    code = issue(guardian, counsellor_a)
    weak = "Криворучковская1"
    response = client.post(ACCEPT_URL, new_account(code, password1=weak, password2=weak))
    assert response.status_code == 200
    assert "похож на" in " ".join(response.context["form"].errors["password2"])
    assert not User.objects.filter(username="olga").exists()
    assert GuardianInvitation.objects.get().used_at is None


def test_taken_login_is_reported_only_with_a_valid_code(client, counsellor_a, guardian_a):
    f.UserFactory(username="Olga")
    response = client.post(ACCEPT_URL, new_account("ABCD-EFGH-JKLM"))
    assert set(response.context["form"].errors) == {"code"}

    response = client.post(ACCEPT_URL, new_account(issue(guardian_a, counsellor_a)))
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "username": ["Этот логин уже занят, придумайте другой."]
    }
    assert Guardian.objects.get(pk=guardian_a.pk).user is None
    assert GuardianInvitation.objects.get().used_at is None


def test_empty_form_is_not_a_server_error(client):
    response = client.post(ACCEPT_URL, {})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"code", "username", "password1", "password2"}


# --- throttling ------------------------------------------------------------------------


def test_too_many_wrong_codes_get_429(client, counsellor_a, guardian_a):
    for _ in range(views.INVITATION_THROTTLE.limit):
        assert client.post(ACCEPT_URL, new_account("ABCD-EFGH-JKLM")).status_code == 200

    good = issue(guardian_a, counsellor_a)
    response = client.post(ACCEPT_URL, new_account(good))

    assert response.status_code == 429
    assert "Слишком много попыток" in response.content.decode()
    assert Guardian.objects.get(pk=guardian_a.pk).user is None
    assert GuardianInvitation.objects.get().used_at is None
    # Another address is not affected.
    other = client.post(ACCEPT_URL, new_account(good), REMOTE_ADDR="10.0.0.2")
    assert other.status_code == 302


def test_malformed_codes_count_as_failures(client):
    for _ in range(views.INVITATION_THROTTLE.limit):
        client.post(ACCEPT_URL, new_account("oops"))
    assert client.post(ACCEPT_URL, new_account("oops")).status_code == 429


def test_form_errors_do_not_count_as_failures(client, counsellor_a, guardian_a):
    code = issue(guardian_a, counsellor_a)
    for _ in range(views.INVITATION_THROTTLE.limit + 1):
        client.post(ACCEPT_URL, new_account(code, password2="different"))
    assert client.post(ACCEPT_URL, new_account(code)).status_code == 302


def test_throttle_window_expires(client, counsellor_a, guardian_a, monkeypatch):
    monkeypatch.setattr(views.INVITATION_THROTTLE, "window", 1)
    for _ in range(views.INVITATION_THROTTLE.limit):
        client.post(ACCEPT_URL, new_account("ABCD-EFGH-JKLM"))
    code = issue(guardian_a, counsellor_a)
    assert client.post(ACCEPT_URL, new_account(code)).status_code == 429
    time.sleep(1.1)
    assert client.post(ACCEPT_URL, new_account(code)).status_code == 302


# --- the service under concurrency -----------------------------------------------------


def test_service_refuses_a_code_twice(counsellor_a, guardian_a):
    code = issue(guardian_a, counsellor_a)
    services.guardian_invitation_accept(
        code=code, new_account=services.NewAccount(username="first", password=PASSWORD)
    )
    with pytest.raises(services.InvitationInvalid):
        services.guardian_invitation_accept(
            code=code, new_account=services.NewAccount(username="second", password=PASSWORD)
        )


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks need PostgreSQL (SQLite serialises)"
)
def test_concurrent_acceptances_create_one_account(world, counsellor_a, pupil_a):
    guardian = f.GuardianFactory(student=pupil_a)
    code = issue(guardian, counsellor_a)
    barrier = threading.Barrier(4)
    outcomes: list[str] = []

    def accept(n: int) -> None:
        from django.db import connections

        barrier.wait()
        try:
            services.guardian_invitation_accept(
                code=code, new_account=services.NewAccount(username=f"p{n}", password=PASSWORD)
            )
            outcomes.append("ok")
        except services.InvitationInvalid:
            outcomes.append("invalid")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=accept, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sorted(outcomes) == ["invalid", "invalid", "invalid", "ok"]
    assert User.objects.filter(username__startswith="p").count() == 1
