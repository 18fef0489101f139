"""Unsubscribing by the link in a digest: GET asks, POST (no login, no CSRF token) stops it."""

import pytest
from django.core import signing
from django.test import Client

from tracker.cases.services import detained_person_save
from tracker.digests.unsubscribe import (
    BadToken,
    _email_key,
    make_token,
    read_token,
    subscription_unsubscribe,
)
from tracker.models import Subscription

pytestmark = pytest.mark.django_db


@pytest.fixture
def subscription():
    person = detained_person_save(name="Liu Xia", native_name="刘霞", country="CN")
    sub = Subscription.objects.create(email="researcher@example.org", frequency="daily")
    sub.persons.add(person)
    return sub


@pytest.fixture
def other():
    return Subscription.objects.create(email="someone.else@example.net", frequency="weekly")


@pytest.fixture
def mail_provider():
    """What sends an RFC 8058 one-click POST: no session, no cookies, CSRF checks enforced."""
    return Client(enforce_csrf_checks=True)


def _url(token: str) -> str:
    return f"/digests/unsubscribe/{token}/"


def _flip(token: str, at: int) -> str:
    replacement = "A" if token[at] != "A" else "B"
    return token[:at] + replacement + token[at + 1 :]


def _active(subscription: Subscription) -> bool:
    subscription.refresh_from_db()
    return subscription.active


def test_the_link_asks_before_unsubscribing_and_changes_nothing(client, subscription):
    response = client.get(_url(make_token(subscription)))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Stop the daily digest to <strong>researcher@example.org</strong>?" in page
    assert '<form method="post"' in page
    assert '<button type="submit"' in page
    assert _active(subscription) is True
    assert subscription.history.count() == 1


def test_a_post_without_cookies_or_csrf_token_unsubscribes(mail_provider, subscription):
    before = subscription.updated_at

    response = mail_provider.post(_url(make_token(subscription)))

    assert response.status_code == 200
    assert "You are unsubscribed" in response.content.decode()
    assert (
        "The daily digest will no longer be sent to <strong>researcher@example.org</strong>."
        in response.content.decode()
    )
    assert _active(subscription) is False
    assert subscription.updated_at > before
    latest = subscription.history.latest()
    assert latest.active is False
    assert latest.history_user is None
    assert latest.history_change_reason == "Unsubscribed by the link in a digest"


def test_a_one_click_post_from_a_mail_provider_unsubscribes(mail_provider, subscription):
    response = mail_provider.post(
        _url(make_token(subscription)),
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 200
    assert _active(subscription) is False


def test_unsubscribing_twice_is_fine_and_recorded_once(mail_provider, subscription):
    url = _url(make_token(subscription))

    first = mail_provider.post(url)
    second = mail_provider.post(url)

    assert first.status_code == second.status_code == 200
    assert _active(subscription) is False
    assert subscription.history.filter(active=False).count() == 1


def test_the_link_of_an_unsubscribed_address_says_so(client, subscription):
    subscription_unsubscribe(subscription=subscription)

    response = client.get(_url(make_token(subscription)))

    assert response.status_code == 200
    assert "Already unsubscribed" in response.content.decode()
    assert "<form" not in response.content.decode()


@pytest.mark.parametrize("where", ["payload", "signature"])
def test_a_tampered_token_is_refused_and_changes_nothing(client, subscription, where):
    token = make_token(subscription)
    tampered = _flip(token, 3 if where == "payload" else len(token) - 5)

    got = client.get(_url(tampered))
    posted = Client(enforce_csrf_checks=True).post(_url(tampered))

    assert got.status_code == posted.status_code == 400
    assert "This unsubscribe link is not valid" in posted.content.decode()
    assert "researcher@example.org" not in posted.content.decode()
    assert _active(subscription) is True


def test_a_token_made_for_another_address_cannot_unsubscribe_this_subscription(
    client, subscription
):
    foreign = make_token(Subscription(pk=subscription.pk, email="attacker@example.com"))

    got = client.get(_url(foreign))
    posted = Client(enforce_csrf_checks=True).post(_url(foreign))

    assert got.status_code == posted.status_code == 400
    assert _active(subscription) is True


def test_links_sent_to_an_old_address_stop_working_when_the_address_changes(subscription):
    old_token = make_token(subscription)
    subscription.email = "new.address@example.org"
    subscription.save()

    response = Client(enforce_csrf_checks=True).post(_url(old_token))

    assert response.status_code == 400
    assert _active(subscription) is True


def test_another_subscriptions_token_unsubscribes_only_that_one(subscription, other):
    response = Client(enforce_csrf_checks=True).post(_url(make_token(other)))

    assert response.status_code == 200
    assert "someone.else@example.net" in response.content.decode()
    assert _active(other) is False
    assert _active(subscription) is True


def test_a_value_signed_for_another_purpose_is_not_a_token(client, subscription):
    payload = [subscription.pk, _email_key(subscription.email)]
    for token in (
        signing.Signer().sign_object(payload),
        signing.Signer(salt="vigil.something.else").sign_object(payload),
        signing.dumps(payload),
    ):
        assert client.get(_url(token)).status_code == 400
        assert Client(enforce_csrf_checks=True).post(_url(token)).status_code == 400
    assert _active(subscription) is True


@pytest.mark.parametrize("token", ["nonsense", "a:b", "WzEsMl0:x", ":", "%00"])
def test_a_malformed_token_is_refused(client, token):
    assert client.get(_url(token)).status_code == 400


@pytest.mark.parametrize("method", ["put", "patch", "delete", "options"])
def test_other_methods_are_not_allowed(client, subscription, method):
    response = getattr(client, method)(_url(make_token(subscription)))

    assert response.status_code == 405
    assert _active(subscription) is True


def test_the_page_shows_only_the_subscriptions_address_and_frequency(client, subscription, other):
    page = client.get(_url(make_token(subscription))).content.decode()

    assert "researcher@example.org" in page
    assert "daily" in page
    assert "Liu Xia" not in page
    assert "刘霞" not in page
    assert "someone.else@example.net" not in page


def test_the_pages_are_not_cached_or_indexed(client, subscription):
    response = client.get(_url(make_token(subscription)))

    assert "no-store" in response["Cache-Control"]
    assert '<meta name="robots" content="noindex, nofollow">' in response.content.decode()


def test_a_token_reads_back_as_its_subscription(subscription, other):
    assert read_token(make_token(subscription)) == subscription
    assert read_token(make_token(other)) == other
    assert make_token(subscription) == make_token(subscription)
    assert make_token(subscription) != make_token(other)


def test_links_keep_working_after_the_secret_key_is_rotated(subscription, settings):
    token = make_token(subscription)
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-brand-new-secret-key-for-this-test"

    assert read_token(token) == subscription
    settings.SECRET_KEY_FALLBACKS = []
    with pytest.raises(BadToken):
        read_token(token)


def test_the_address_cannot_be_read_from_the_token(subscription):
    token = make_token(subscription)

    payload = signing.Signer(salt="vigil.digests.unsubscribe").unsign_object(token)

    assert payload[0] == subscription.pk
    assert "researcher" not in str(payload)


def test_the_token_of_a_deleted_subscription_is_refused(client, subscription):
    token = make_token(subscription)
    subscription.persons.clear()
    subscription.delete()

    with pytest.raises(BadToken):
        read_token(token)
    assert client.get(_url(token)).status_code == 400
