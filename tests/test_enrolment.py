"""Issue 18 §1: the password alone does not enrol a second factor where one is asked for.
A staff member without a device follows an enrolment link that an administrator issued (the
users' action, or `manage.py issue_enrolment_link` for the first administrator); the link is
for one account, expires, and dies once a device is enrolled."""

import base64
import datetime
import re
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

pytestmark = pytest.mark.django_db

ASK_FOR_A_LINK = "Ask an administrator for an enrolment link"
LINK_NOT_VALID = "This enrolment link is not valid"
SETUP = reverse("two_factor:setup")


@pytest.fixture
def require_2fa(settings):
    settings.REQUIRE_2FA = True


def password_only(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def fully_signed_in(user) -> Client:
    device, _ = TOTPDevice.objects.get_or_create(user=user, name="default", confirmed=True)
    client = password_only(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def enrolment_link(user) -> str:
    from config.enrolment import enrolment_link

    return enrolment_link(user)


def path_of(link: str) -> str:
    return re.sub(r"^https?://[^/]+", "", link)


def try_to_enrol(client):
    """The setup wizard, step by step, as a browser (or a script) would post it. Returns the
    last response."""
    page = client.post(SETUP, {"setup_view-current_step": "welcome"})
    secret = page.context.get("secret_key") if page.context else None
    if not secret:
        return page
    token = TOTP(base64.b32decode(secret)).token()
    return client.post(SETUP, {"setup_view-current_step": "generator", "generator-token": token})


def reaches_the_admin(client) -> bool:
    return client.get(reverse("admin:index")).status_code == 200


# --- the password alone enrols nothing -------------------------------------------------------


def test_with_2fa_required_the_password_alone_enrols_no_device(staff_user, require_2fa):
    client = password_only(staff_user)
    page = client.get(SETUP)
    assert page.status_code == 403
    assert ASK_FOR_A_LINK in page.text
    response = try_to_enrol(client)
    assert response.status_code == 403
    assert ASK_FOR_A_LINK in response.text
    assert client.get(reverse("two_factor:qr")).status_code == 403
    assert not TOTPDevice.objects.exists()
    assert not reaches_the_admin(client)


def test_the_password_alone_adds_no_device_to_an_account_with_one_when_2fa_is_optional(
    staff_user,
):
    TOTPDevice.objects.create(user=staff_user, name="default", confirmed=True)
    client = password_only(staff_user)
    response = try_to_enrol(client)
    assert response.status_code == 403
    assert ASK_FOR_A_LINK in response.text
    assert TOTPDevice.objects.filter(user=staff_user).count() == 1
    assert not reaches_the_admin(client)


def test_with_2fa_optional_staff_without_a_device_set_it_up_with_their_password(staff_user):
    client = password_only(staff_user)
    assert try_to_enrol(client).status_code == 302
    assert TOTPDevice.objects.filter(user=staff_user, confirmed=True).exists()


# --- the enrolment link ----------------------------------------------------------------------


def test_an_enrolment_link_lets_its_staff_member_set_up_two_factor(staff_user, require_2fa):
    client = password_only(staff_user)
    response = client.get(path_of(enrolment_link(staff_user)))
    assert response.status_code == 302
    assert response["Location"] == SETUP
    page = client.get(SETUP)
    assert page.status_code == 200
    assert ASK_FOR_A_LINK not in page.text
    assert try_to_enrol(client).status_code == 302
    assert TOTPDevice.objects.filter(user=staff_user, confirmed=True).exists()
    assert reaches_the_admin(client)


def test_an_enrolment_link_opened_signed_out_leads_through_the_login(staff_user, require_2fa):
    link = path_of(enrolment_link(staff_user))
    client = Client()
    response = client.get(link)
    assert response.status_code == 302
    login = response["Location"]
    assert login.startswith(reverse("admin:login"))
    response = client.post(
        login,
        {
            "login_view-current_step": "auth",
            "auth-username": "researcher",
            "auth-password": "correct horse battery staple",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == link
    assert client.get(link)["Location"] == SETUP
    assert try_to_enrol(client).status_code == 302
    assert TOTPDevice.objects.filter(user=staff_user, confirmed=True).exists()


def test_an_enrolment_link_works_once(staff_user, require_2fa):
    link = path_of(enrolment_link(staff_user))
    client = password_only(staff_user)
    client.get(link)
    assert try_to_enrol(client).status_code == 302
    # Someone who later learns the password, and finds the link in the staff member's mail:
    thief = password_only(staff_user)
    page = thief.get(link)
    assert page.status_code == 400
    assert LINK_NOT_VALID in page.text
    assert try_to_enrol(thief).status_code == 403
    assert TOTPDevice.objects.filter(user=staff_user).count() == 1


def test_an_enrolment_link_expires(staff_user, require_2fa, settings):
    settings.TWO_FACTOR_ENROLMENT_LINK_HOURS = 72
    start = datetime.datetime(2026, 3, 2, 9, 0)
    with time_machine.travel(start, tick=False):
        link = path_of(enrolment_link(staff_user))
    client = password_only(staff_user)
    with time_machine.travel(start + datetime.timedelta(hours=71), tick=False):
        assert client.get(link).status_code == 302
    with time_machine.travel(start + datetime.timedelta(hours=73), tick=False):
        assert LINK_NOT_VALID in client.get(link).text
        # The link followed while it was valid no longer helps either.
        assert try_to_enrol(client).status_code == 403
    assert not TOTPDevice.objects.exists()


def test_an_enrolment_link_is_for_its_own_account_only(staff_user, django_user_model, require_2fa):
    other = django_user_model.objects.create_user("colleague", password="x", is_staff=True)
    client = password_only(staff_user)
    page = client.get(path_of(enrolment_link(other)))
    assert page.status_code == 400
    assert LINK_NOT_VALID in page.text
    assert try_to_enrol(client).status_code == 403
    assert not TOTPDevice.objects.exists()


def test_a_tampered_enrolment_link_is_not_valid(staff_user, require_2fa):
    link = path_of(enrolment_link(staff_user))
    client = password_only(staff_user)
    assert client.get(link[:-2] + ("0/" if link[-2] != "0" else "1/")).status_code == 400
    assert try_to_enrol(client).status_code == 403


# --- who issues links ------------------------------------------------------------------------


def test_an_administrator_issues_an_enrolment_link_from_the_users_list(
    superuser, staff_user, require_2fa
):
    admin = fully_signed_in(superuser)
    page = admin.post(
        reverse("admin:auth_user_changelist"),
        {"action": "issue_enrolment_link", "_selected_action": [staff_user.pk]},
    )
    assert page.status_code == 200
    links = re.findall(r"https?://[^\s\"<]+/enrol/[^\s\"<]+", page.text)
    assert len(links) == 1
    client = password_only(staff_user)
    assert client.get(path_of(links[0]))["Location"] == SETUP
    assert try_to_enrol(client).status_code == 302


def test_staff_who_may_not_change_users_issue_no_enrolment_link(staff_user, require_2fa):
    staff = fully_signed_in(staff_user)
    response = staff.post(
        reverse("admin:auth_user_changelist"),
        {"action": "issue_enrolment_link", "_selected_action": [staff_user.pk]},
    )
    assert response.status_code == 403
    assert "/enrol/" not in response.text


def test_the_first_administrator_gets_an_enrolment_link_from_the_command(
    superuser, settings, require_2fa
):
    settings.SITE_URL = "https://vigil.example.org"
    out = StringIO()
    call_command("issue_enrolment_link", "root", stdout=out)
    links = re.findall(r"https://vigil\.example\.org/\S+/enrol/\S+", out.getvalue())
    assert len(links) == 1
    client = password_only(superuser)
    assert client.get(path_of(links[0]))["Location"] == SETUP
    assert try_to_enrol(client).status_code == 302
    with pytest.raises(CommandError, match="No active user"):
        call_command("issue_enrolment_link", "nobody-by-that-name", stdout=StringIO())


# --- staff with a device ---------------------------------------------------------------------


def test_staff_signed_in_with_their_second_factor_move_to_a_new_phone(staff_user, require_2fa):
    client = fully_signed_in(staff_user)
    response = client.post(reverse("two_factor:disable"), {"understand": "on"})
    assert response.status_code == 302
    assert not TOTPDevice.objects.exists()
    assert try_to_enrol(client).status_code == 302
    assert TOTPDevice.objects.filter(user=staff_user, confirmed=True).exists()
    assert reaches_the_admin(client)
