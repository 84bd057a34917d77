"""Optional two-factor login (TOTP): enrolment, the code step after the password, back-off
after wrong codes, turning it off, who may enrol, and the admin's demand for the code."""

from __future__ import annotations

import time
from base64 import b32encode
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from resource_center import access

pytestmark = pytest.mark.django_db

PASSWORD = "test-pass-123"  # tests.factories.UserFactory


def code_for(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    """The code the user's app shows now (or ``steps_ahead`` periods later)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def wrong_code_for(device: TOTPDevice) -> str:
    """A six-digit code that no period the device accepts now would show."""
    accepted = {code_for(device, steps_ahead=n) for n in range(-2, 3)}
    return next(c for c in (f"{n:06d}" for n in range(1_000_000)) if c not in accepted)


def enrolled(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Телефон", confirmed=True)


def log_in(client, user, next_url: str = "") -> object:
    data = {"username": user.username, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post(reverse("login"), data)


def enter_code(client, code: str, next_url: str = "") -> object:
    data = {"code": code}
    if next_url:
        data["next"] = next_url
    return client.post(reverse("login_code"), data)


def form_errors(response) -> str:
    return " ".join(str(e) for e in response.context["form"].errors.get("code", []))


# --- enrolment ------------------------------------------------------------------------


def test_coordinator_sees_how_to_turn_it_on(client, coordinator):
    client.force_login(coordinator)
    response = client.get(reverse("two_factor"))

    assert response.status_code == 200
    assert reverse("two_factor_start") in response.content.decode()
    assert not TOTPDevice.objects.filter(user=coordinator).exists()


def test_starting_enrolment_shows_secret_uri_and_qr_code(client, coordinator):
    client.force_login(coordinator)

    response = client.post(reverse("two_factor_start"))

    assert response.status_code == 302
    device = TOTPDevice.objects.get(user=coordinator)
    assert not device.confirmed
    page = client.get(reverse("two_factor"))
    html = page.content.decode()
    secret = b32encode(device.bin_key).decode()
    assert page.context["secret"].replace(" ", "") == secret
    assert secret[:4] in html
    assert page.context["otpauth_uri"] == device.config_url
    assert f"secret={secret}" in device.config_url
    assert 'src="data:image/svg+xml' in html
    # The Content-Security-Policy allows no inline styles or scripts.
    assert 'style="' not in html
    assert "<script>" not in html


def test_starting_again_replaces_the_unconfirmed_secret(client, coordinator):
    client.force_login(coordinator)
    client.post(reverse("two_factor_start"))
    first = TOTPDevice.objects.get(user=coordinator).key

    client.post(reverse("two_factor_start"))

    assert list(TOTPDevice.objects.filter(user=coordinator).values_list("key", flat=True)) != [
        first
    ]
    assert TOTPDevice.objects.filter(user=coordinator).count() == 1


def test_right_code_turns_it_on_and_verifies_the_session(client, coordinator):
    client.force_login(coordinator)
    client.post(reverse("two_factor_start"))
    device = TOTPDevice.objects.get(user=coordinator)

    response = client.post(reverse("two_factor_confirm"), {"code": code_for(device)}, follow=True)

    device.refresh_from_db()
    assert device.confirmed
    assert "Вход с кодом включён" in response.content.decode()
    # This session entered the code: pages open without a second step.
    assert client.get(reverse("home")).status_code == 200


def test_wrong_code_does_not_turn_it_on(client, coordinator):
    client.force_login(coordinator)
    client.post(reverse("two_factor_start"))
    device = TOTPDevice.objects.get(user=coordinator)

    response = client.post(reverse("two_factor_confirm"), {"code": wrong_code_for(device)})

    assert response.status_code == 200
    assert "Неверный код" in " ".join(
        str(e) for e in response.context["confirm_form"].errors["code"]
    )
    device.refresh_from_db()
    assert not device.confirmed
    assert device.throttling_failure_count == 1


def test_district_administration_may_enrol(client, district_admin):
    client.force_login(district_admin)
    assert client.get(reverse("two_factor")).status_code == 200
    assert client.post(reverse("two_factor_start")).status_code == 302
    assert TOTPDevice.objects.filter(user=district_admin, confirmed=False).exists()


@pytest.mark.parametrize(
    "persona",
    [
        "counsellor_a",
        "head_a",
        "technikum_staff",
        "employer_rep",
        "centre_specialist",
        "parent_of_pupil_a",
        "pupil_a_user",
    ],
)
def test_other_roles_cannot_enrol(request, client, persona):
    user = request.getfixturevalue(persona)
    client.force_login(user)

    assert client.get(reverse("two_factor")).status_code == 403
    assert client.post(reverse("two_factor_start")).status_code == 403
    assert not TOTPDevice.objects.filter(user=user).exists()


def test_menu_links_the_page_for_coordinators_only(client, coordinator, counsellor_a):
    client.force_login(coordinator)
    assert reverse("two_factor") in client.get(reverse("home")).content.decode()
    client.force_login(counsellor_a)
    assert reverse("two_factor") not in client.get(reverse("home")).content.decode()


# --- the code step after the password -------------------------------------------------


def test_user_without_device_logs_in_with_password_alone(client, coordinator):
    response = log_in(client, coordinator)

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200


def test_enrolled_user_is_asked_for_the_code_after_the_password(client, coordinator):
    enrolled(coordinator)
    log_in(client, coordinator)

    response = client.get(reverse("students:student_list"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login_code"))
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "Код подтверждения" in page.content.decode()


@pytest.mark.parametrize(
    "url_name", ["home", "students:student_list", "two_factor", "password_change", "admin:index"]
)
def test_without_the_code_every_page_leads_to_the_code_step(client, coordinator, url_name):
    enrolled(coordinator)
    log_in(client, coordinator)

    response = client.get(reverse(url_name))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login_code"))


def test_without_the_code_a_post_changes_nothing(client, coordinator):
    device = enrolled(coordinator)
    log_in(client, coordinator)

    response = client.post(reverse("two_factor_disable"), {"code": code_for(device)})

    assert response.status_code == 302
    assert response["Location"] == reverse("login_code")
    assert TOTPDevice.objects.filter(pk=device.pk).exists()


def test_right_code_completes_the_login_and_goes_on(client, coordinator):
    device = enrolled(coordinator)
    log_in(client, coordinator)
    target = reverse("students:student_list")

    response = enter_code(client, code_for(device), next_url=target)

    assert response.status_code == 302
    assert response["Location"] == target
    assert client.get(target).status_code == 200
    device.refresh_from_db()
    assert device.last_used_at is not None


def test_wrong_code_keeps_the_user_at_the_code_step(client, coordinator):
    device = enrolled(coordinator)
    log_in(client, coordinator)

    response = enter_code(client, wrong_code_for(device))

    assert response.status_code == 200
    assert "Неверный код" in form_errors(response)
    assert client.get(reverse("home"))["Location"].startswith(reverse("login_code"))


def test_malformed_code_is_explained_and_not_counted(client, coordinator):
    device = enrolled(coordinator)
    log_in(client, coordinator)

    response = enter_code(client, "12ab")

    assert response.status_code == 200
    assert "шесть цифр" in form_errors(response)
    device.refresh_from_db()
    assert device.throttling_failure_count == 0


def test_code_is_accepted_once(client, coordinator):
    device = enrolled(coordinator)
    code = code_for(device)
    log_in(client, coordinator)
    enter_code(client, code)
    client.post(reverse("logout"))
    log_in(client, coordinator)

    response = enter_code(client, code)

    assert response.status_code == 200
    assert "Неверный код" in form_errors(response)


def test_code_step_goes_to_no_foreign_site(client, coordinator):
    device = enrolled(coordinator)
    log_in(client, coordinator)

    response = enter_code(client, code_for(device), next_url="https://evil.example/")

    assert response["Location"] == reverse("home")


@pytest.mark.parametrize("target", ["home", "students:student_list", "!1¨", "javascript:x"])
def test_code_step_takes_only_a_path_of_this_site_as_next(client, coordinator, target):
    device = enrolled(coordinator)
    log_in(client, coordinator)

    response = enter_code(client, code_for(device), next_url=target)

    # A view name or a scheme is not a path: the user lands on the home page.
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_code_step_is_skipped_by_users_who_owe_no_code(client, counsellor_a):
    client.force_login(counsellor_a)

    response = client.get(reverse("login_code"), {"next": reverse("students:student_list")})

    assert response.status_code == 302
    assert response["Location"] == reverse("students:student_list")


def test_device_removed_meanwhile_releases_the_session(client, coordinator):
    device = enrolled(coordinator)
    log_in(client, coordinator)
    device.delete()

    response = client.get(reverse("login_code"))

    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_logout_stays_open_at_the_code_step(client, coordinator):
    enrolled(coordinator)
    log_in(client, coordinator)

    client.post(reverse("logout"))

    response = client.get(reverse("students:student_list"))
    assert response["Location"].startswith(reverse("login"))
    assert not response["Location"].startswith(reverse("login_code"))


# --- back-off after wrong codes -------------------------------------------------------


def test_after_several_wrong_codes_even_the_right_one_waits(client, coordinator):
    device = enrolled(coordinator)
    log_in(client, coordinator)
    for _ in range(3):
        enter_code(client, wrong_code_for(device))
    device.refresh_from_db()
    assert device.throttling_failure_count >= 1

    # Four wrong codes in a row just now: django-otp waits 8 seconds before the next check.
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_count=4, throttling_failure_timestamp=timezone.now()
    )
    response = enter_code(client, code_for(device))

    assert response.status_code == 200
    message = form_errors(response)
    assert "Слишком много неверных кодов" in message
    assert "через" in message
    assert client.get(reverse("home"))["Location"].startswith(reverse("login_code"))
    device.refresh_from_db()
    assert device.throttling_failure_count == 4  # a refused attempt is not checked


def test_right_code_is_accepted_once_the_wait_is_over(client, coordinator):
    device = enrolled(coordinator)
    log_in(client, coordinator)
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_count=4,
        throttling_failure_timestamp=timezone.now() - timedelta(seconds=9),
    )

    response = enter_code(client, code_for(device))

    assert response.status_code == 302
    device.refresh_from_db()
    assert device.throttling_failure_count == 0


def test_throttling_is_on():
    assert TOTPDevice(throttling_failure_count=1).get_throttle_factor() > 0


# --- turning it off -------------------------------------------------------------------


@pytest.fixture
def verified_coordinator(client, coordinator) -> TOTPDevice:
    """The coordinator enrolled and logged in with the code; returns the device."""
    device = enrolled(coordinator)
    log_in(client, coordinator)
    assert enter_code(client, code_for(device)).status_code == 302
    return device


def test_enrolled_user_sees_it_is_on_and_no_secret(client, verified_coordinator):
    response = client.get(reverse("two_factor"))

    html = response.content.decode()
    assert 'data-testid="two-factor-on"' in html
    assert b32encode(verified_coordinator.bin_key).decode()[:8] not in html
    assert "secret" not in response.context


def test_turning_off_needs_a_current_code(client, verified_coordinator):
    response = client.post(
        reverse("two_factor_disable"), {"code": wrong_code_for(verified_coordinator)}
    )

    assert response.status_code == 200
    assert TOTPDevice.objects.filter(pk=verified_coordinator.pk).exists()


def test_turning_off_with_the_code_removes_the_device(client, coordinator, verified_coordinator):
    # The login used this period's code; the app's next one is accepted as well.
    code = code_for(verified_coordinator, steps_ahead=1)

    response = client.post(reverse("two_factor_disable"), {"code": code}, follow=True)

    assert "Вход с кодом выключен" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=coordinator).exists()
    client.post(reverse("logout"))
    log_in(client, coordinator)
    assert client.get(reverse("home")).status_code == 200


def test_enrolment_then_a_later_login_asks_for_the_code(client, coordinator):
    client.force_login(coordinator)
    client.post(reverse("two_factor_start"))
    device = TOTPDevice.objects.get(user=coordinator)
    client.post(reverse("two_factor_confirm"), {"code": code_for(device)})
    client.post(reverse("logout"))

    log_in(client, coordinator)
    assert client.get(reverse("home"))["Location"].startswith(reverse("login_code"))
    # The enrolment used this period's code; the next period's one completes the login.
    assert enter_code(client, code_for(device, steps_ahead=1)).status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_turning_it_on_signs_out_the_other_sessions(client, coordinator, counsellor_a):
    other = Client()
    log_in(other, coordinator)
    bystander = Client()
    log_in(bystander, counsellor_a)
    assert other.get(reverse("two_factor")).status_code == 200

    enrol_through_the_pages(client, coordinator)

    # The session that turned it on goes on; the one opened with the password alone must
    # log in again, and then owes the code; other users are not touched.
    assert client.get(reverse("two_factor")).status_code == 200
    signed_out = other.get(reverse("two_factor"))
    assert signed_out["Location"].startswith(reverse("login") + "?")
    log_in(other, coordinator)
    assert other.get(reverse("two_factor"))["Location"].startswith(reverse("login_code"))
    assert bystander.get(reverse("students:student_list")).status_code == 200


# --- backup codes ---------------------------------------------------------------------


def enrol_through_the_pages(client, user) -> tuple[TOTPDevice, list[str]]:
    """Turn two-factor login on as the user would; returns the device and the backup codes
    the settings page showed."""
    client.force_login(user)
    client.post(reverse("two_factor_start"))
    device = TOTPDevice.objects.get(user=user)
    client.post(reverse("two_factor_confirm"), {"code": code_for(device)})
    return device, client.get(reverse("two_factor")).context["new_backup_codes"]


def backup_codes_stored(user) -> set[str]:
    return set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))


def test_enrolment_shows_ten_backup_codes_once(client, coordinator):
    client.force_login(coordinator)
    client.post(reverse("two_factor_start"))
    device = TOTPDevice.objects.get(user=coordinator)
    client.post(reverse("two_factor_confirm"), {"code": code_for(device)})

    first = client.get(reverse("two_factor"))
    codes = first.context["new_backup_codes"]
    html = first.content.decode()
    assert len(set(codes)) == 10
    assert set(codes) == backup_codes_stored(coordinator)
    assert all(code in html for code in codes)
    again = client.get(reverse("two_factor")).content.decode()
    assert not any(code in again for code in codes)
    assert "Неиспользованных резервных кодов: 10" in again


def test_backup_code_completes_the_login_once(client, coordinator):
    _device, codes = enrol_through_the_pages(client, coordinator)
    client.post(reverse("logout"))
    log_in(client, coordinator)

    response = enter_code(client, codes[0], next_url=reverse("two_factor"))

    assert response.status_code == 302
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "Осталось резервных кодов: 9" in page.content.decode()
    assert backup_codes_stored(coordinator) == set(codes[1:])
    client.post(reverse("logout"))
    log_in(client, coordinator)
    refused = enter_code(client, codes[0])
    assert refused.status_code == 200
    assert "Неверный или уже использованный резервный код" in form_errors(refused)
    assert client.get(reverse("home"))["Location"].startswith(reverse("login_code"))


def test_backup_code_may_be_typed_in_capitals_with_a_space(client, coordinator):
    _device, codes = enrol_through_the_pages(client, coordinator)
    client.post(reverse("logout"))
    log_in(client, coordinator)

    typed = f"{codes[3][:4].upper()} {codes[3][4:].upper()}"
    assert enter_code(client, typed).status_code == 302
    assert codes[3] not in backup_codes_stored(coordinator)


def test_wrong_backup_code_is_refused_and_counted(client, coordinator):
    _device, codes = enrol_through_the_pages(client, coordinator)
    client.post(reverse("logout"))
    log_in(client, coordinator)
    wrong = next(c for c in ("aaaaaaaa", "bbbbbbbb") if c not in codes)

    response = enter_code(client, wrong)

    assert response.status_code == 200
    assert "Неверный или уже использованный резервный код" in form_errors(response)
    assert StaticDevice.objects.get(user=coordinator).throttling_failure_count == 1
    assert backup_codes_stored(coordinator) == set(codes)


def test_new_backup_codes_need_a_code_and_replace_the_old_ones(client, coordinator):
    device, codes = enrol_through_the_pages(client, coordinator)

    refused = client.post(reverse("two_factor_backup_codes"), {"code": wrong_code_for(device)})
    assert refused.status_code == 200
    assert backup_codes_stored(coordinator) == set(codes)
    # The back-off after that wrong code is over.
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=timezone.now() - timedelta(seconds=2)
    )

    response = client.post(
        reverse("two_factor_backup_codes"),
        {"code": code_for(device, steps_ahead=1)},
        follow=True,
    )
    new = response.context["new_backup_codes"]
    assert "Выданы новые резервные коды" in response.content.decode()
    assert backup_codes_stored(coordinator) == set(new)
    assert not set(new) & set(codes)


def test_turning_off_with_a_backup_code_removes_the_codes_too(client, coordinator):
    _device, codes = enrol_through_the_pages(client, coordinator)

    response = client.post(reverse("two_factor_disable"), {"code": codes[5]}, follow=True)

    assert "Вход с кодом выключен" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=coordinator).exists()
    assert not StaticDevice.objects.filter(user=coordinator).exists()


def test_backup_codes_without_the_app_ask_for_nothing(client, coordinator):
    device = StaticDevice.objects.create(user=coordinator, name="Резервные коды")
    StaticToken.objects.create(device=device, token="abcdefgh")

    log_in(client, coordinator)

    assert client.get(reverse("home")).status_code == 200
    assert not access.has_second_factor(coordinator)


def test_backup_code_is_not_taken_where_only_the_app_will_do(client, coordinator):
    # Enrolment proves the app works: a code of the right shape from elsewhere is refused.
    client.force_login(coordinator)
    client.post(reverse("two_factor_start"))

    response = client.post(reverse("two_factor_confirm"), {"code": "abcdefgh"})

    assert response.status_code == 200
    assert "Введите шесть цифр кода" in " ".join(
        str(e) for e in response.context["confirm_form"].errors["code"]
    )
    assert not TOTPDevice.objects.filter(user=coordinator, confirmed=True).exists()


# --- the admin ------------------------------------------------------------------------


def test_enrolled_coordinator_reaches_the_admin_only_after_the_code(client, coordinator):
    device = enrolled(coordinator)
    log_in(client, coordinator)
    assert client.get(reverse("admin:index"))["Location"].startswith(reverse("login_code"))

    enter_code(client, code_for(device))

    assert client.get(reverse("admin:index")).status_code == 200


def test_admin_rule_itself_asks_enrolled_users_for_the_code(coordinator, admin_user):
    enrolled(coordinator)
    enrolled(admin_user)
    fresh = type(coordinator).objects.get(pk=coordinator.pk)
    fresh_admin = type(admin_user).objects.get(pk=admin_user.pk)

    # Without OTPMiddleware's verification nobody enrolled counts as verified.
    assert not access.can_use_admin(fresh)
    assert not access.can_use_admin(fresh_admin)


def test_superuser_removes_a_lost_device_in_the_admin(client, admin_client, coordinator):
    device = enrolled(coordinator)
    changelist = reverse("admin:otp_totp_totpdevice_changelist")
    assert admin_client.get(changelist).status_code == 200
    assert (
        admin_client.get(reverse("admin:otp_totp_totpdevice_change", args=[device.pk])).status_code
        == 200
    )

    response = admin_client.post(
        reverse("admin:otp_totp_totpdevice_delete", args=[device.pk]), {"post": "yes"}
    )

    assert response.status_code == 302
    log_in(client, coordinator)
    assert client.get(reverse("home")).status_code == 200
