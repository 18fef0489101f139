"""Issue 18 §4: a staff session ends after a working day (DJANGO_SESSION_HOURS), not after
Django's two weeks."""

import datetime

import pytest
import time_machine
from django.urls import reverse

pytestmark = pytest.mark.django_db

RIGHT = "correct horse battery staple"  # the staff_user fixture's password
MORNING = datetime.datetime(2025, 3, 14, 8, 0, tzinfo=datetime.UTC)


def log_in(client):
    return client.post(
        reverse("admin:login"),
        {"login_view-current_step": "auth", "auth-username": "researcher", "auth-password": RIGHT},
    )


def test_a_staff_session_lasts_a_working_day_by_default(settings):
    assert settings.SESSION_COOKIE_AGE == 10 * 60 * 60


def test_the_session_cookie_says_when_it_ends(client, staff_user):
    response = log_in(client)
    assert response.status_code == 302
    assert response.cookies["sessionid"]["max-age"] == 10 * 60 * 60


def test_a_staff_session_ends_after_a_working_day(client, staff_user):
    with time_machine.travel(MORNING) as t:
        assert log_in(client).status_code == 302
        t.shift(datetime.timedelta(hours=9, minutes=59))
        assert client.get(reverse("admin:index")).status_code == 200
        t.shift(datetime.timedelta(minutes=2))
        response = client.get(reverse("admin:index"))
        assert response.status_code == 302
        assert response.url.startswith(reverse("admin:login"))
