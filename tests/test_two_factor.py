"""Issue 12 §7: staff turn on two-factor authentication (TOTP, with recovery codes); an
account with it on needs a token to reach the admin; REQUIRE_2FA (production) makes every
staff account set it up first. Tokens are computed with django-otp's own TOTP."""

import base64

import pytest
from django.conf import settings
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"  # the staff_user fixture's password


def log_in(client, username="researcher", password=PASSWORD):
    return client.post(
        reverse("admin:login"),
        {"login_view-current_step": "auth", "auth-username": username, "auth-password": password},
    )


def give_token(client, token, step="token"):
    return client.post(
        reverse("admin:login"),
        {"login_view-current_step": step, f"{step}-otp_token": token},
    )


def reaches_the_admin(client) -> bool:
    return client.get(reverse("admin:index")).status_code == 200


def token_for(device: TOTPDevice) -> str:
    return f"{TOTP(device.bin_key, device.step, device.t0, device.digits).token():06d}"


@pytest.fixture
def totp_device(staff_user):
    """The researcher's authenticator app, as the setup wizard leaves it."""
    return TOTPDevice.objects.create(user=staff_user, name="default", confirmed=True)


@pytest.fixture
def recovery_code(staff_user):
    device = StaticDevice.objects.create(user=staff_user, name="backup")
    device.token_set.create(token="k3x9q2mz")
    return "k3x9q2mz"


def test_staff_turn_on_two_factor_authentication_with_an_authenticator_app(staff_client):
    setup = reverse("two_factor:setup")
    page = staff_client.get(setup)
    assert page.status_code == 200
    assert "Set up two-factor authentication" in page.text
    page = staff_client.post(setup, {"setup_view-current_step": "welcome"})
    assert "Scan this QR code with your authenticator app" in page.text
    secret = page.context["secret_key"]
    assert secret in page.text  # for typing into the app by hand
    assert staff_client.get(reverse("two_factor:qr")).status_code == 200  # the QR code (SVG)
    token = TOTP(base64.b32decode(secret)).token()
    response = staff_client.post(
        setup, {"setup_view-current_step": "generator", "generator-token": token}
    )
    assert response.status_code == 302
    done = staff_client.get(response["Location"])
    assert "Two-factor authentication is on" in done.text
    assert "Get recovery codes" in done.text
    device = TOTPDevice.objects.get(user__username="researcher")
    assert device.confirmed
    assert reaches_the_admin(staff_client)  # this session gave a token during setup


def test_a_wrong_setup_token_turns_nothing_on(staff_client):
    setup = reverse("two_factor:setup")
    staff_client.post(setup, {"setup_view-current_step": "welcome"})
    response = staff_client.post(
        setup, {"setup_view-current_step": "generator", "generator-token": "123456"}
    )
    assert response.status_code == 200
    assert "Entered token is not valid." in response.text
    assert not TOTPDevice.objects.exists()


def test_with_two_factor_on_the_password_alone_does_not_log_in(client, totp_device):
    response = log_in(client)
    assert response.status_code == 200
    assert "Enter the 6-digit code that your authenticator app shows" in response.text
    assert not reaches_the_admin(client)
    wrong = f"{(int(token_for(totp_device)) + 1) % 10**6:06d}"
    response = give_token(client, wrong)
    assert response.status_code == 200
    assert not reaches_the_admin(client)


def test_with_two_factor_on_the_password_and_a_token_log_in(client, totp_device):
    log_in(client)
    response = give_token(client, token_for(totp_device))
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")
    assert reaches_the_admin(client)


def test_a_session_that_gave_no_token_does_not_reach_the_admin_of_an_account_with_2fa(
    client, staff_user, totp_device
):
    client.force_login(staff_user)  # signed in as if by password alone
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_a_recovery_code_logs_in_once(client, totp_device, recovery_code):
    page = log_in(client)
    assert "Use a recovery code" in page.text
    page = client.post(
        reverse("admin:login"),
        {"login_view-current_step": "token", "wizard_goto_step": "backup"},
    )
    assert "Enter one of the recovery codes" in page.text
    assert give_token(client, recovery_code, step="backup").status_code == 302
    assert reaches_the_admin(client)

    client.logout()
    log_in(client)
    client.post(
        reverse("admin:login"),
        {"login_view-current_step": "token", "wizard_goto_step": "backup"},
    )
    response = give_token(client, recovery_code, step="backup")
    assert response.status_code == 200
    assert not reaches_the_admin(client)


def test_staff_with_two_factor_on_make_recovery_codes(client, totp_device):
    log_in(client)
    give_token(client, token_for(totp_device))
    codes_page = reverse("two_factor:backup_tokens")
    assert "You have no recovery codes" in client.get(codes_page).text
    response = client.post(codes_page, follow=True)
    codes = StaticDevice.objects.get(user=totp_device.user).token_set.all()
    assert len(codes) == 10
    assert all(code.token in response.text for code in codes)


@pytest.fixture
def require_2fa(settings):
    settings.REQUIRE_2FA = True


def test_with_2fa_required_staff_without_it_are_sent_to_set_it_up(client, staff_user, require_2fa):
    response = log_in(client)
    assert response.status_code == 302
    response = client.get(response["Location"], follow=True)
    assert response.redirect_chain[-1][0] == reverse("two_factor:setup")
    assert "Vigil asks every staff member for a second factor" in response.text
    assert not reaches_the_admin(client)


def test_with_2fa_required_staff_reach_the_admin_once_it_is_set_up(
    staff_client, staff_user, require_2fa
):
    from config.enrolment import enrolment_link

    # The password alone enrols nothing here: an administrator's link lets the wizard run
    # (tests/test_enrolment.py).
    staff_client.get(enrolment_link(staff_user).removeprefix(settings.SITE_URL))
    setup = reverse("two_factor:setup")
    page = staff_client.post(setup, {"setup_view-current_step": "welcome"})
    token = TOTP(base64.b32decode(page.context["secret_key"])).token()
    staff_client.post(setup, {"setup_view-current_step": "generator", "generator-token": token})
    assert reaches_the_admin(staff_client)


def test_with_2fa_required_staff_with_it_log_in_with_a_token(client, totp_device, require_2fa):
    log_in(client)
    assert give_token(client, token_for(totp_device)).status_code == 302
    assert reaches_the_admin(client)


def test_api_tokens_need_no_second_factor_even_when_2fa_is_required(
    client_for, viewer, require_2fa
):
    response = client_for(viewer).get("/api/campaigns/")
    assert response.status_code == 200


def test_the_admin_links_to_the_two_factor_settings(staff_client):
    page = staff_client.get(reverse("admin:index"))
    assert f'href="{reverse("two_factor:profile")}"' in page.text
    profile = staff_client.get(reverse("two_factor:profile"))
    assert "Off: your password alone opens your account" in profile.text
