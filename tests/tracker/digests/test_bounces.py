"""Issue 25: the mail provider's reports of bounces and complaints, posted to django-anymail's
tracking webhook as the provider posts them (Postmark's webhooks; every provider anymail
supports reaches the same service), suppress the address for every
subscription, record why and when on the digest concerned, show to staff in the admin and the
API, and the next digest run leaves the address out. A soft bounce changes nothing."""

import base64
import datetime
import importlib
import json

import pytest
from anymail.signals import AnymailTrackingEvent, EventType, RejectReason
from django.contrib.auth.models import Group
from django.core import mail
from django.test import Client
from django.urls import clear_url_caches, reverse

from config.roles import EDITOR, VIEWER
from tests.tracker.digests.conftest import START, mention, subscribe
from tracker.digests.feedback import suppression_reason, tracking_event_record
from tracker.digests.sending import deliveries_resend, digest_send, digests_create_due
from tracker.models import DigestDelivery, Subscription, SuppressedAddress

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)
HOUR = datetime.timedelta(hours=1)
WEBHOOK = "/anymail/postmark/tracking/"
ADDRESS = "ally@example.org"


def _auth(secret: str) -> str:
    return "Basic " + base64.b64encode(secret.encode()).decode()


def _post(event: dict, *, secret: str | None = None) -> object:
    """POST `event` as Postmark delivers a webhook: JSON, with the basic-auth credentials put
    in the webhook's URL in Postmark's settings."""
    from django.conf import settings

    return Client().post(
        WEBHOOK,
        json.dumps(event),
        content_type="application/json",
        HTTP_AUTHORIZATION=_auth(secret or settings.ANYMAIL_WEBHOOK_SECRET),
    )


def _bounce(delivery: DigestDelivery, *, kind="HardBounce", to=ADDRESS) -> dict:
    """Postmark's Bounce webhook (https://postmarkapp.com/developer/webhooks/bounce-webhook)."""
    hard = kind == "HardBounce"
    return {
        "RecordType": "Bounce",
        "ID": 4323372036854775807,
        "Type": kind,
        "TypeCode": 1 if hard else 4096,
        "Name": "Hard bounce" if hard else "Soft bounce",
        "Tag": "",
        # Postmark's own id for the message, not its Message-ID header.
        "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483",
        "Metadata": {},
        "ServerID": 23,
        "MessageStream": "outbound",
        "Description": "The server was unable to deliver your message (ex: unknown user, "
        "mailbox not found)."
        if hard
        else "The server could not temporarily deliver your message (ex: Message is "
        "delayed due to network troubles).",
        "Details": "smtp;550 5.1.1 The email account that you tried to reach does not exist."
        if hard
        else "smtp;452 4.2.2 The email account that you tried to reach is over quota.",
        "Email": to,
        "From": "digest@vigil.example.org",
        "BouncedAt": "2026-03-02T07:05:00Z",
        "DumpAvailable": False,
        "Inactive": hard,
        "CanActivate": True,
        "Subject": "Vigil daily digest",
    }


def _complaint(delivery: DigestDelivery, to=ADDRESS) -> dict:
    """Postmark's Spam complaint webhook."""
    return {
        "RecordType": "SpamComplaint",
        "ID": 42,
        "Type": "SpamComplaint",
        "TypeCode": 512,
        "Name": "Spam complaint",
        "Tag": "",
        "MessageID": "00000000-0000-0000-0000-000000000000",
        "Metadata": {},
        "ServerID": 23,
        "MessageStream": "outbound",
        "Description": "The subscriber explicitly marked this message as spam.",
        "Details": "Test spam complaint details",
        "Email": to,
        "From": "digest@vigil.example.org",
        "BouncedAt": "2026-03-02T09:00:00Z",
        "DumpAvailable": False,
        "Inactive": True,
        "CanActivate": False,
        "Subject": "Vigil daily digest",
    }


@pytest.fixture
def sent(clock, people):
    """Two subscribers got yesterday's digest; ALLY also has a weekly subscription. Returns
    ALLY's daily delivery."""
    clock.move_to(START)
    for email in (ADDRESS, "colleague@example.org"):
        subscribe(email, persons=[people["liu"]], include_unreviewed=True)
    subscribe(ADDRESS, frequency="weekly", persons=[people["liu"]], include_unreviewed=True)
    clock.move_to(START + HOUR)
    mention(people["liu"], title="Liu Xia's appeal heard")
    clock.move_to(START + DAY)
    for pk in digests_create_due(frequency="daily"):
        assert digest_send(delivery_id=pk) == "sent"
    return DigestDelivery.objects.get(subscription__email=ADDRESS)


def _next_run(clock, people, frequency="daily", days=2) -> set[str]:
    """Tomorrow's news and run: the addresses it sends to."""
    clock.move_to(START + (days - 1) * DAY + HOUR)
    mention(people["liu"], title="More news")
    clock.move_to(START + days * DAY)
    before = len(mail.outbox)
    for pk in digests_create_due(frequency=frequency):
        digest_send(delivery_id=pk)
    return {message.to[0] for message in mail.outbox[before:]}


def test_a_hard_bounce_suppresses_the_address_and_the_next_run_skips_it(clock, people, sent):
    response = _post(_bounce(sent))

    assert response.status_code == 200
    suppression = SuppressedAddress.objects.get()
    assert (suppression.email, suppression.reason) == (ADDRESS, "bounced")
    assert suppression.provider == "Postmark"
    assert "unable to deliver" in suppression.detail and "550 5.1.1" in suppression.detail
    assert suppression.delivery == sent and suppression.lifted_at is None
    sent.refresh_from_db()
    assert sent.feedback == "bounced"
    assert sent.feedback_at == datetime.datetime(2026, 3, 2, 7, 5, tzinfo=datetime.UTC)
    assert "550 5.1.1 The email account" in sent.feedback_detail
    assert sent.status == "sent"  # it was sent: what became of it after is the feedback
    assert _next_run(clock, people) == {"colleague@example.org"}


def test_a_suppression_covers_every_subscription_of_the_address(clock, people, sent):
    _post(_bounce(sent))

    # Monday: the weekly run leaves the address out too, and its subscriptions stay active
    # (lifting the suppression brings them back as they were).
    assert _next_run(clock, people, frequency="weekly", days=7) == set()
    assert set(Subscription.objects.filter(email=ADDRESS).values_list("active", flat=True)) == {
        True
    }


def test_a_spam_complaint_suppresses_the_address(clock, people, sent):
    assert _post(_complaint(sent)).status_code == 200

    suppression = SuppressedAddress.objects.get()
    assert (suppression.email, suppression.reason) == (ADDRESS, "complained")
    assert suppression.detail.startswith("The subscriber explicitly marked this message as spam.")
    sent.refresh_from_db()
    assert sent.feedback == "complained"
    assert sent.feedback_at == datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
    assert _next_run(clock, people) == {"colleague@example.org"}


def test_a_soft_bounce_changes_nothing_and_the_address_keeps_its_digests(clock, people, sent):
    response = _post(_bounce(sent, kind="SoftBounce"))

    assert response.status_code == 200
    assert not SuppressedAddress.objects.exists()
    sent.refresh_from_db()
    assert sent.feedback == "" and sent.feedback_at is None
    assert _next_run(clock, people) == {ADDRESS, "colleague@example.org"}


def test_a_report_delivered_twice_suppresses_once(sent):
    _post(_bounce(sent))
    _post(_bounce(sent))
    _post(_complaint(sent))

    assert SuppressedAddress.objects.count() == 1
    assert SuppressedAddress.objects.get().reason == "bounced"


def test_an_address_in_another_case_is_the_same_address(clock, people, sent):
    _post(_bounce(sent, to="Ally@Example.ORG"))

    assert SuppressedAddress.objects.get().email == ADDRESS
    assert _next_run(clock, people) == {"colleague@example.org"}


def test_a_digest_already_due_for_a_suppressed_address_is_not_sent(clock, people, sent):
    clock.move_to(START + DAY + HOUR)
    mention(people["liu"])
    clock.move_to(START + 2 * DAY)
    due = digests_create_due(frequency="daily")
    ally = DigestDelivery.objects.get(pk__in=due, subscription__email=ADDRESS)
    _post(_bounce(sent))

    assert digest_send(delivery_id=ally.pk) == "skipped"
    assert DigestDelivery.objects.get(pk=ally.pk).status == "pending"


def test_a_report_naming_no_digest_of_vigils_is_recorded_on_the_latest_one_sent(clock, sent):
    # Postmark names the message by an id of its own: the address's latest digest is meant.
    _post(_bounce(sent))

    sent.refresh_from_db()
    assert sent.feedback == "bounced"


def test_a_report_naming_the_message_id_is_recorded_on_that_digest(clock, people, sent):
    # Providers that keep the Message-ID (anymail's event.message_id) name the very digest,
    # not just the latest one: here the next one has gone out meanwhile.
    clock.move_to(START + DAY + HOUR)
    mention(people["liu"])
    clock.move_to(START + 2 * DAY)
    for pk in digests_create_due(frequency="daily"):
        digest_send(delivery_id=pk)
    latest = DigestDelivery.objects.filter(subscription__email=ADDRESS).exclude(pk=sent.pk).get()
    event = AnymailTrackingEvent(
        event_type=EventType.BOUNCED,
        recipient=ADDRESS,
        message_id=sent.message_id.strip("<>"),
        mta_response="550 5.1.1 user unknown",
        esp_event={},
    )

    assert tracking_event_record(event=event, esp_name="Mailgun") == "bounced"

    sent.refresh_from_db()
    latest.refresh_from_db()
    assert (sent.feedback, latest.feedback) == ("bounced", "")
    assert SuppressedAddress.objects.get().delivery == sent


@pytest.mark.parametrize(
    ("event_type", "reject_reason", "mta_response", "reason"),
    [
        (EventType.BOUNCED, None, "550 5.1.1 user unknown", "bounced"),
        (EventType.BOUNCED, None, "452 4.2.2 mailbox full", None),
        (EventType.DEFERRED, None, "421 try later", None),
        (EventType.COMPLAINED, RejectReason.SPAM, None, "complained"),
        (EventType.UNSUBSCRIBED, RejectReason.UNSUBSCRIBED, None, "unsubscribed"),
        (EventType.REJECTED, RejectReason.BOUNCED, None, "bounced"),
        (EventType.REJECTED, RejectReason.INVALID, None, "bounced"),
        (EventType.REJECTED, RejectReason.SPAM, None, None),
        (EventType.DELIVERED, None, "250 ok", None),
        (EventType.OPENED, None, None, None),
    ],
)
def test_which_reports_suppress_an_address(event_type, reject_reason, mta_response, reason):
    event = AnymailTrackingEvent(
        event_type=event_type,
        reject_reason=reject_reason,
        mta_response=mta_response,
        recipient=ADDRESS,
        esp_event={},
    )

    assert suppression_reason(event) == reason


@pytest.mark.parametrize("secret", ["vigil-test:a-wrong-password-for-the-hook", "nobody:x"])
def test_a_report_with_the_wrong_credentials_is_refused_and_changes_nothing(sent, secret):
    response = _post(_bounce(sent), secret=secret)

    assert response.status_code == 400
    assert not SuppressedAddress.objects.exists()


def test_a_report_without_credentials_is_refused(sent):
    response = Client().post(WEBHOOK, json.dumps(_bounce(sent)), content_type="application/json")

    assert response.status_code == 400
    assert not SuppressedAddress.objects.exists()


@pytest.fixture
def no_webhook_secret(settings):
    """The URLs as an installation without ANYMAIL_WEBHOOK_SECRET has them."""
    import config.urls

    settings.ANYMAIL_WEBHOOK_SECRET = ""
    importlib.reload(config.urls)
    clear_url_caches()
    yield
    settings.ANYMAIL_WEBHOOK_SECRET = "vigil-test:test-only-webhook-password"
    importlib.reload(config.urls)
    clear_url_caches()


def test_without_a_webhook_secret_the_webhook_is_not_served(sent, no_webhook_secret):
    response = _post(_bounce(sent))

    assert response.status_code == 404
    assert not SuppressedAddress.objects.exists()


# --- What staff see, and lifting ---------------------------------------------------------------


def _changelist(model) -> str:
    return reverse(f"admin:tracker_{model._meta.model_name}_changelist")


@pytest.fixture
def staff(django_user_model):
    """Staff who sign in to the admin, in the Viewer and the Editor role."""

    def member(name, role):
        user = django_user_model.objects.create_user(username=name, password="x", is_staff=True)
        user.groups.add(Group.objects.get(name=role))
        client = Client()
        client.force_login(user)
        return user, client

    return {"viewer": member("viewer-staff", VIEWER), "editor": member("editor-staff", EDITOR)}


def test_staff_see_the_suppression_list_and_the_reason_on_the_digest(sent, staff):
    _post(_complaint(sent))
    _user, client = staff["viewer"]

    page = client.get(_changelist(SuppressedAddress))
    assert page.status_code == 200
    body = page.content.decode()
    assert ADDRESS in body and "Spam complaint" in body
    detail = client.get(
        reverse("admin:tracker_digestdelivery_change", args=[sent.pk])
    ).content.decode()
    assert "Spam complaint" in detail and "explicitly marked this message as spam" in detail


def test_an_editor_lifts_a_suppression_in_the_admin_and_it_is_recorded(clock, people, sent, staff):
    _post(_bounce(sent))
    suppression = SuppressedAddress.objects.get()
    user, client = staff["editor"]

    response = client.post(
        _changelist(SuppressedAddress),
        {"action": "lift", "_selected_action": [suppression.pk]},
        follow=True,
    )

    assert response.status_code == 200
    assert "Lifted 1 suppression" in response.content.decode()
    suppression.refresh_from_db()
    assert suppression.lifted_at is not None and suppression.lifted_by == user
    latest = suppression.history.latest()
    assert (latest.history_user, latest.history_change_reason) == (user, "Lifted by staff")
    assert _next_run(clock, people) == {ADDRESS, "colleague@example.org"}


def test_a_viewer_cannot_lift_a_suppression_in_the_admin(sent, staff):
    _post(_bounce(sent))
    suppression = SuppressedAddress.objects.get()
    _user, client = staff["viewer"]

    page = client.get(_changelist(SuppressedAddress)).content.decode()
    assert 'value="lift"' not in page
    client.post(
        _changelist(SuppressedAddress), {"action": "lift", "_selected_action": [suppression.pk]}
    )

    suppression.refresh_from_db()
    assert suppression.lifted_at is None


def test_the_api_lists_suppressions_and_the_deliverys_feedback(sent, viewer_client):
    _post(_bounce(sent))

    rows = viewer_client.get("/api/suppressed-addresses/").json()["results"]
    assert [(r["email"], r["reason"], r["delivery"], r["lifted_at"]) for r in rows] == [
        (ADDRESS, "bounced", sent.pk, None)
    ]
    delivery = viewer_client.get(f"/api/digest-deliveries/{sent.pk}/").json()
    assert delivery["feedback"] == "bounced"
    assert "550 5.1.1" in delivery["feedback_detail"]
    only_in_force = viewer_client.get("/api/suppressed-addresses/", {"lifted": "false"})
    assert len(only_in_force.json()["results"]) == 1


def test_an_editor_lifts_a_suppression_through_the_api_and_a_viewer_may_not(
    sent, viewer_client, editor_client, editor
):
    _post(_bounce(sent))
    suppression = SuppressedAddress.objects.get()
    url = f"/api/suppressed-addresses/{suppression.pk}/lift/"

    refused = viewer_client.post(url)
    assert refused.status_code == 403
    assert SuppressedAddress.objects.get().lifted_at is None

    response = editor_client.post(url)
    assert response.status_code == 200
    assert response.json()["lifted_by"] == editor.pk
    suppression.refresh_from_db()
    assert suppression.lifted_by == editor and suppression.lifted_at is not None
    assert suppression.history.latest().history_user == editor
    assert editor_client.post(url).status_code == 200  # lifting twice changes nothing


def test_the_suppression_api_needs_a_login(anonymous_client, sent):
    assert anonymous_client.get("/api/suppressed-addresses/").status_code == 401


def test_a_new_bounce_after_a_lift_suppresses_the_address_again(sent, editor_client):
    _post(_bounce(sent))
    first = SuppressedAddress.objects.get()
    editor_client.post(f"/api/suppressed-addresses/{first.pk}/lift/")

    _post(_bounce(sent))

    assert SuppressedAddress.objects.count() == 2
    assert SuppressedAddress.objects.in_force().get().pk != first.pk


def test_a_report_for_an_address_that_is_no_address_is_ignored(sent):
    response = _post(_bounce(sent, to="not an address"))

    assert response.status_code == 200  # else the provider would post it again for ever
    assert not SuppressedAddress.objects.exists()


def test_resending_leaves_a_suppressed_addresss_delivery_alone(clock, people, sent):
    clock.move_to(START + DAY + HOUR)
    mention(people["liu"])
    clock.move_to(START + 2 * DAY)
    due = digests_create_due(frequency="daily")
    _post(_bounce(sent))

    outcome = deliveries_resend(deliveries=DigestDelivery.objects.filter(pk__in=due))

    ally = DigestDelivery.objects.get(pk__in=due, subscription__email=ADDRESS)
    assert ally.pk not in outcome.queued and outcome.unsubscribed == 1


def test_nobody_deletes_a_suppression_in_the_admin(sent, staff):
    _post(_bounce(sent))
    suppression = SuppressedAddress.objects.get()
    _user, admin_site_client = staff["editor"]  # whose role may delete tracker records

    page = admin_site_client.get(_changelist(SuppressedAddress)).content.decode()
    delete = reverse("admin:tracker_suppressedaddress_delete", args=[suppression.pk])

    assert 'value="delete_selected"' not in page
    assert admin_site_client.post(delete, {"post": "yes"}).status_code == 403
    assert SuppressedAddress.objects.exists()
