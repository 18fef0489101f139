"""Issue 18 §6: every sign-in and failed sign-in through the admin's login is in the access
log, with the name typed and the address it came from; a try refused by the lockout and a
wrong token at the second step count as failed."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tracker.accesslog.models import AccessRecord

pytestmark = pytest.mark.django_db

RIGHT = "correct horse battery staple"  # the staff_user fixture's password
OFFICE = "203.0.113.7"

SIGN_IN, FAILED = AccessRecord.Action.SIGN_IN, AccessRecord.Action.SIGN_IN_FAILED


def log_in(client, username, password, address=OFFICE, **headers):
    return client.post(
        reverse("admin:login"),
        {"login_view-current_step": "auth", "auth-username": username, "auth-password": password},
        REMOTE_ADDR=address,
        **headers,
    )


def give_token(client, token, address=OFFICE):
    return client.post(
        reverse("admin:login"),
        {"login_view-current_step": "token", "token-otp_token": token},
        REMOTE_ADDR=address,
    )


def records(action):
    return list(AccessRecord.objects.filter(action=action).order_by("at", "id"))


def test_a_sign_in_is_recorded_with_the_user_and_the_address(client, staff_user):
    assert log_in(client, "researcher", RIGHT).status_code == 302
    [record] = records(SIGN_IN)
    assert (record.user, record.username, record.ip_address) == (staff_user, "researcher", OFFICE)
    assert record.interface == AccessRecord.Interface.ADMIN
    assert not records(FAILED)


def test_a_wrong_password_is_recorded_with_the_name_typed_and_no_user(client, staff_user):
    assert log_in(client, "researcher", "guess").status_code == 200
    assert log_in(client, "no-such-person", "guess").status_code == 200
    failed = records(FAILED)
    assert [(r.username, r.user, r.ip_address) for r in failed] == [
        ("researcher", None, OFFICE),
        ("no-such-person", None, OFFICE),
    ]
    assert failed[0].details == {"step": "password", "locked_out": False}
    assert not records(SIGN_IN)


def test_the_address_behind_a_proxy_is_the_one_the_proxy_saw(client, staff_user, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    log_in(client, "researcher", "guess", "10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.9")
    assert records(FAILED)[0].ip_address == "198.51.100.9"


def test_tries_refused_by_the_lockout_are_failed_sign_ins_even_with_the_right_password(
    client, staff_user
):
    for _ in range(5):
        log_in(client, "researcher", "guess")
    assert log_in(client, "researcher", RIGHT).status_code == 429
    failed = records(FAILED)
    assert len(failed) == 6
    # The fifth wrong password is the one that locked the name out; the sixth try was refused.
    assert [r.details["locked_out"] for r in failed] == [False] * 4 + [True, True]
    assert not records(SIGN_IN)


def test_a_wrong_token_is_a_failed_sign_in_of_that_user_and_the_right_one_signs_in(
    client, staff_user
):
    device = TOTPDevice.objects.create(user=staff_user, name="default", confirmed=True)
    with time_machine.travel(datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)) as t:
        log_in(client, "researcher", RIGHT)
        assert not records(SIGN_IN)  # the password alone is not a sign-in
        token = f"{TOTP(device.bin_key, device.step, device.t0, device.digits).token():06d}"
        wrong = "000000" if token != "000000" else "111111"
        assert give_token(client, wrong).status_code == 200
        [failed] = records(FAILED)
        assert (failed.user, failed.username, failed.ip_address) == (
            staff_user,
            "researcher",
            OFFICE,
        )
        assert failed.details == {"step": "token"}
        t.shift(datetime.timedelta(seconds=2))  # past django-otp's throttle of a wrong token
        token = f"{TOTP(device.bin_key, device.step, device.t0, device.digits).token():06d}"
        assert give_token(client, token).status_code == 302
    [signed_in] = records(SIGN_IN)
    assert signed_in.user == staff_user


def test_an_api_token_is_not_a_sign_in(superuser_client):
    assert superuser_client.get("/api/campaigns/").status_code == 200
    assert not AccessRecord.objects.exists()
