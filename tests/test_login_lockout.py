"""Issue 12 §7: the admin's login locks out a user name from an address after repeated wrong
passwords (django-axes), says so clearly, and an administrator can unlock it."""

import datetime
import re

import pytest
import time_machine
from axes.models import AccessAttempt
from django.urls import reverse
from rest_framework.throttling import BaseThrottle

pytestmark = pytest.mark.django_db

RIGHT = "correct horse battery staple"  # the staff_user fixture's password
OFFICE = "203.0.113.7"
ELSEWHERE = "198.51.100.23"


def log_in(client, username, password, address=OFFICE, **headers):
    """One try at /admin/login/'s first step, as a browser posts it."""
    return client.post(
        reverse("admin:login"),
        {
            "login_view-current_step": "auth",
            "auth-username": username,
            "auth-password": password,
        },
        REMOTE_ADDR=address,
        **headers,
    )


def logged_in(client) -> bool:
    return client.get(reverse("admin:index")).status_code == 200


def lock_out(client, username="researcher", address=OFFICE, **headers):
    """Wrong passwords up to the limit (5 by default); returns the last answer."""
    for _ in range(4):
        response = log_in(client, username, "guess", address, **headers)
        assert response.status_code == 200
        assert "Please enter a correct username and password" in response.text
    return log_in(client, username, "guess", address, **headers)


def test_repeated_wrong_passwords_lock_out_that_user_from_that_address(client, staff_user):
    response = lock_out(client)
    assert response.status_code == 429
    assert "Too many failed logins for “researcher” from your address" in response.text
    assert "Wait 30 minutes" in response.text
    # The right password is refused too, until the lockout is lifted.
    response = log_in(client, "researcher", RIGHT)
    assert response.status_code == 429
    assert "logging in is locked" in response.text
    assert not logged_in(client)


def test_the_lockout_page_looks_like_the_admin(client, staff_user):
    response = lock_out(client)
    assert re.search(r"<title>\s*Login locked \| Vigil\s*</title>", response.text)
    assert 'id="site-name"' in response.text
    assert "Ask a Vigil administrator to unlock you" in " ".join(response.text.split())


def test_the_same_user_can_still_log_in_from_another_address(client, staff_user):
    lock_out(client)
    response = log_in(client, "researcher", RIGHT, address=ELSEWHERE)
    assert response.status_code == 302
    assert logged_in(client)


def test_other_users_behind_the_same_address_can_still_log_in(
    client, staff_user, django_user_model
):
    django_user_model.objects.create_user(
        username="colleague", password="another long passphrase", is_staff=True
    )
    lock_out(client)
    response = log_in(client, "colleague", "another long passphrase")
    assert response.status_code == 302
    assert logged_in(client)


def test_the_lockout_lifts_after_the_cool_off(client, staff_user):
    with time_machine.travel(datetime.datetime(2025, 3, 14, 9, 0, tzinfo=datetime.UTC)) as t:
        assert lock_out(client).status_code == 429
        t.shift(datetime.timedelta(minutes=29))
        assert log_in(client, "researcher", RIGHT).status_code == 429
        # That try started the wait again.
        t.shift(datetime.timedelta(minutes=31))
        assert log_in(client, "researcher", RIGHT).status_code == 302
        assert logged_in(client)


def test_a_successful_login_forgets_the_failures_before_it(client, staff_user):
    for _ in range(4):
        log_in(client, "researcher", "guess")
    assert log_in(client, "researcher", RIGHT).status_code == 302
    client.logout()
    for _ in range(4):
        assert log_in(client, "researcher", "guess").status_code == 200
    assert log_in(client, "researcher", RIGHT).status_code == 302


def test_an_administrator_unlocks_a_user_with_the_admin_action(client, staff_user, superuser):
    lock_out(client)
    admin_client = type(client)()
    admin_client.force_login(superuser)
    changelist = reverse("admin:axes_accessattempt_changelist")
    page = admin_client.get(changelist)
    assert page.status_code == 200
    assert "researcher" in page.text
    assert "Locked Out" in page.text
    attempt = AccessAttempt.objects.get(username="researcher")
    response = admin_client.post(
        changelist,
        {"action": "unlock", "_selected_action": [attempt.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert f"Unlocked: researcher from {OFFICE}. They can log in again." in response.text
    assert not AccessAttempt.objects.exists()
    assert log_in(client, "researcher", RIGHT).status_code == 302
    assert logged_in(client)


def test_a_forged_x_forwarded_for_does_not_dodge_the_lockout(client, staff_user):
    # No proxy in front (API_NUM_PROXIES=0, the default): the header is not read at all.
    for i in range(4):
        log_in(client, "researcher", "guess", HTTP_X_FORWARDED_FOR=f"10.0.0.{i}")
    response = log_in(client, "researcher", "guess", HTTP_X_FORWARDED_FOR="10.0.0.99")
    assert response.status_code == 429
    response = log_in(client, "researcher", RIGHT, HTTP_X_FORWARDED_FOR="192.0.2.1")
    assert response.status_code == 429


@pytest.fixture
def one_proxy(settings):
    """docker-compose.yml: one proxy in front, writing the address it saw to X-Forwarded-For."""
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    return "172.18.0.5"  # the proxy: every request's REMOTE_ADDR


def test_behind_a_proxy_the_address_the_proxy_saw_is_locked_out_whatever_the_client_forges(
    client, staff_user, one_proxy
):
    def through_proxy(password, forged, client_address=OFFICE):
        return log_in(
            client,
            "researcher",
            password,
            address=one_proxy,
            HTTP_X_FORWARDED_FOR=f"{forged}, {client_address}",
        )

    for i in range(4):
        assert through_proxy("guess", forged=f"10.0.0.{i}").status_code == 200
    assert through_proxy("guess", forged="10.0.0.99").status_code == 429
    assert through_proxy(RIGHT, forged="192.0.2.1").status_code == 429
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == [OFFICE]
    # Another client of the same proxy is not locked out.
    assert through_proxy(RIGHT, forged="10.0.0.1", client_address=ELSEWHERE).status_code == 302


@pytest.mark.parametrize("num_proxies", [0, 1, 2])
def test_the_lockout_and_the_api_throttle_see_the_same_client_address(rf, settings, num_proxies):
    from config.client_ip import client_ip

    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": num_proxies}
    request = rf.post(
        "/admin/login/",
        REMOTE_ADDR="172.18.0.5",
        HTTP_X_FORWARDED_FOR="10.9.9.9, 203.0.113.7, 172.18.0.4",
    )
    assert client_ip(request) == BaseThrottle().get_ident(request)


def test_api_tokens_keep_working_for_a_locked_out_user(client, client_for, viewer):
    lock_out(client, username="viewer")
    response = client_for(viewer).get("/api/campaigns/", REMOTE_ADDR=OFFICE)
    assert response.status_code == 200
