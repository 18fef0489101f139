"""Issue 18 §2: guessing one user name's password from many addresses is capped too. A user
name with AXES_USERNAME_FAILURE_LIMIT (20) failed logins within an hour, from any addresses, is
refused from every address, even with the right password; an administrator sees it and lifts
it. The per-address lock (tests/test_login_lockout.py) stays the first, lower limit."""

import datetime

import pytest
import time_machine
from axes.models import AccessAttempt, AccessFailureLog
from django.urls import reverse

from tests.test_login_lockout import RIGHT, log_in, logged_in

pytestmark = pytest.mark.django_db

PROXY = "172.18.0.5"  # docker-compose.yml's Caddy: every request's REMOTE_ADDR
MORNING = datetime.datetime(2025, 3, 14, 9, 0, tzinfo=datetime.UTC)
CHANGELIST = "admin:axes_accessfailurelog_changelist"


@pytest.fixture(autouse=True)
def one_proxy(settings):
    """The shipped shape: one proxy in front (API_NUM_PROXIES=1)."""
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}


def from_address(client, n: int, password: str = "guess", username: str = "researcher"):  # noqa: S107
    """A login try from client address number n, with a forged entry in front for good measure:
    only the last X-Forwarded-For entry (the one the proxy wrote) is the client's address."""
    return log_in(
        client,
        username,
        password,
        address=PROXY,
        HTTP_X_FORWARDED_FOR=f"10.9.9.9, 198.51.100.{n}",
    )


def guess_from_many_addresses(client, count: int, first: int = 1, username: str = "researcher"):
    """`count` wrong passwords, each from an address of its own: no address reaches its limit."""
    return [from_address(client, first + i, username=username) for i in range(count)]


def test_the_user_name_limit_is_higher_than_the_per_address_one(settings):
    assert settings.AXES_USERNAME_FAILURE_LIMIT == 20
    assert settings.AXES_USERNAME_FAILURE_LIMIT > settings.AXES_FAILURE_LIMIT
    window = settings.AXES_USERNAME_FAILURE_WINDOW
    assert window.total_seconds() == 60 * 60


def test_guesses_spread_over_many_addresses_lock_the_user_name_from_every_address(
    client, staff_user
):
    answers = guess_from_many_addresses(client, 20)
    assert [a.status_code for a in answers[:19]] == [200] * 19
    assert answers[19].status_code == 429
    assert AccessFailureLog.objects.filter(username="researcher").count() == 20
    # The right password, from an address that never tried, is refused too.
    response = from_address(client, 200, password=RIGHT)
    assert response.status_code == 429
    assert not logged_in(client)


def test_the_lockout_page_says_the_user_name_is_locked_from_every_address(client, staff_user):
    guess_from_many_addresses(client, 20)
    response = from_address(client, 200, password=RIGHT)
    text = " ".join(response.text.split())
    assert "Too many failed logins for “researcher” from many addresses" in text
    assert "After 20 wrong passwords within an hour, from any addresses" in text
    assert "Someone may be guessing this password" in text
    assert "Lift the lock on the selected user names" in text


def test_other_user_names_can_still_log_in(client, staff_user, django_user_model):
    django_user_model.objects.create_user(
        username="colleague", password="another long passphrase", is_staff=True
    )
    guess_from_many_addresses(client, 20)
    response = from_address(client, 1, password="another long passphrase", username="colleague")
    assert response.status_code == 302


def test_the_user_name_lock_ends_an_hour_after_the_failures(client, staff_user):
    with time_machine.travel(MORNING) as t:
        guess_from_many_addresses(client, 20)
        t.shift(datetime.timedelta(minutes=59))
        assert from_address(client, 200, password=RIGHT).status_code == 429
        t.shift(datetime.timedelta(minutes=2))
        assert from_address(client, 200, password=RIGHT).status_code == 302
        assert logged_in(client)


def test_failures_spread_over_more_than_an_hour_do_not_lock_the_user_name(client, staff_user):
    with time_machine.travel(MORNING) as t:
        guess_from_many_addresses(client, 19)
        t.shift(datetime.timedelta(minutes=61))
        assert from_address(client, 100).status_code == 200
        assert from_address(client, 101, password=RIGHT).status_code == 302


def test_a_long_attack_keeps_the_user_name_locked(client, staff_user, settings):
    # Only the newest failures of a user name are kept (AXES_ACCESS_FAILURE_LOG_PER_USER_LIMIT):
    # dropping the newest instead would let the lock lapse while the guessing goes on.
    settings.AXES_ACCESS_FAILURE_LOG_PER_USER_LIMIT = 25
    with time_machine.travel(MORNING) as t:
        guess_from_many_addresses(client, 25)
        t.shift(datetime.timedelta(minutes=50))
        guess_from_many_addresses(client, 25, first=100)
        assert AccessFailureLog.objects.filter(username="researcher").count() == 25
        t.shift(datetime.timedelta(minutes=20))
        assert from_address(client, 200, password=RIGHT).status_code == 429


@pytest.fixture
def admin_client(superuser):
    from django.test import Client

    admin = Client()
    admin.force_login(superuser)
    return admin


def test_an_administrator_sees_the_locked_user_names(client, staff_user, admin_client):
    guess_from_many_addresses(client, 20)
    guess_from_many_addresses(client, 3, username="someone-else")
    page = admin_client.get(reverse(CHANGELIST), {"username_locked": "yes"})
    assert page.status_code == 200
    assert "researcher" in page.text
    assert "someone-else" not in page.text
    assert page.context["cl"].result_count == 20


def test_an_administrator_lifts_the_user_name_lock(client, staff_user, admin_client):
    guess_from_many_addresses(client, 20)
    failure = AccessFailureLog.objects.filter(username="researcher").first()
    response = admin_client.post(
        reverse(CHANGELIST),
        {"action": "lift_username_lock", "_selected_action": [failure.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert "Lifted the lock on researcher (every address). They can log in again." in response.text
    # The failures stay on record; only the lock is lifted.
    assert AccessFailureLog.objects.filter(username="researcher").count() == 20
    assert not AccessAttempt.objects.filter(username="researcher").exists()
    assert from_address(client, 200, password=RIGHT).status_code == 302
    assert logged_in(client)


def test_a_lifted_user_name_is_locked_again_after_as_many_new_failures(
    client, staff_user, admin_client
):
    guess_from_many_addresses(client, 20)
    failure = AccessFailureLog.objects.filter(username="researcher").first()
    admin_client.post(
        reverse(CHANGELIST), {"action": "lift_username_lock", "_selected_action": [failure.pk]}
    )
    answers = guess_from_many_addresses(client, 20, first=100)
    assert [a.status_code for a in answers] == [200] * 19 + [429]


def test_staff_without_the_unlock_permission_cannot_lift_a_lock(client, staff_user, viewer):
    from django.test import Client

    guess_from_many_addresses(client, 20)
    viewer.is_staff = True
    viewer.save()
    other = Client()
    other.force_login(viewer)
    failure = AccessFailureLog.objects.filter(username="researcher").first()
    other.post(
        reverse(CHANGELIST), {"action": "lift_username_lock", "_selected_action": [failure.pk]}
    )
    assert from_address(client, 200, password=RIGHT).status_code == 429


def test_the_failed_logins_list_marks_the_locked_user_names(client, staff_user, admin_client):
    guess_from_many_addresses(client, 20)
    guess_from_many_addresses(client, 1, username="someone-else")
    page = admin_client.get(reverse(CHANGELIST))
    rows = {row.username: row.username_locked_now for row in page.context["cl"].result_list}
    assert rows == {"researcher": True, "someone-else": False}


def test_unlocking_one_address_says_when_the_user_name_stays_locked_everywhere(
    client, staff_user, admin_client
):
    guess_from_many_addresses(client, 20)
    attempt = AccessAttempt.objects.filter(username="researcher").first()
    response = admin_client.post(
        reverse("admin:axes_accessattempt_changelist"),
        {"action": "unlock", "_selected_action": [attempt.pk]},
        follow=True,
    )
    text = " ".join(response.text.split())
    assert "Still locked from every address: researcher" in text
    assert "Settings › Failed logins" in text
