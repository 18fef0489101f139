"""Subscriptions and digest deliveries for staff: the REST API (CRUD for subscriptions, read-only
deliveries) and the admin (preview of the next digest, resending failed deliveries)."""

import datetime
from unittest import mock

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.core import mail
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape, strip_tags

from campaigns.models import Campaign
from campaigns.services import campaign_save
from tracker.cases.services import detained_person_save
from tracker.digests.email import render_digest_email
from tracker.digests.sending import digest_preview
from tracker.digests.services import subscription_save
from tracker.digests.unsubscribe import subscription_unsubscribe
from tracker.models import (
    CaseEvent,
    DetainedPerson,
    DigestDelivery,
    Mention,
    NewsItem,
    Subscription,
)
from tracker.tasks import send_digest_batch

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)
N = 210  # more than the largest page


@pytest.fixture
def admin_site_client(client, superuser):
    client.force_login(superuser)
    return client


# --- Records ------------------------------------------------------------------------------------


@pytest.fixture
def gao():
    return detained_person_save(name="Gao Yu", native_name="高瑜")


@pytest.fixture
def liu():
    return detained_person_save(name="Liu Xia", native_name="刘霞")


@pytest.fixture
def free_the_20(liu):
    return campaign_save(name="Free the 20", detained_persons=[liu])


_n = iter(range(1, 100_000))


def _mention(person, *, title=None) -> Mention:
    n = next(_n)
    item = NewsItem.objects.create(
        url=f"https://news.example.org/{n}",
        title=title or f"{person.name} in the news ({n})",
        published_at=timezone.now(),
        publisher="Example News",
    )
    return Mention.objects.create(news_item=item, person=person, matched_terms=[person.name])


def _delivery(subscription, *, status=DigestDelivery.Status.FAILED, **fields) -> DigestDelivery:
    start = subscription.created_at
    return DigestDelivery.objects.create(
        subscription=subscription,
        period_start=start,
        period_end=start + DAY,
        status=status,
        **fields,
    )


def _ids(response) -> list[int]:
    assert response.status_code == 200, response.json()
    return [row["id"] for row in response.json()["results"]]


# --- Subscriptions API --------------------------------------------------------------------------


def test_a_viewer_can_list_subscriptions_but_not_create_one(viewer_client, gao):
    existing = subscription_save(email="ally@example.org", persons=[gao])
    listed = viewer_client.get("/api/subscriptions/")
    assert _ids(listed) == [existing.pk]
    refused = viewer_client.post("/api/subscriptions/", {"email": "new@example.org"})
    assert refused.status_code == 403
    assert list(Subscription.objects.all()) == [existing]


def test_an_editor_creates_a_subscription_to_campaigns_and_persons(
    editor_client, gao, liu, free_the_20
):
    response = editor_client.post(
        "/api/subscriptions/",
        {
            "email": "  Ally@Example.ORG ",
            "frequency": "weekly",
            "campaigns": [free_the_20.pk],
            "persons": [liu.pk, gao.pk],
            "include_unreviewed": False,
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    subscription = Subscription.objects.get()
    assert body == {
        "id": subscription.pk,
        "email": "ally@example.org",
        "frequency": "weekly",
        "campaigns": [free_the_20.pk],
        "persons": sorted([gao.pk, liu.pk]),
        "include_unreviewed": False,
        "active": True,
        "created_at": body["created_at"],
        "updated_at": body["updated_at"],
    }
    assert body["created_at"].endswith("Z")
    assert subscription.email == "ally@example.org"
    assert (subscription.frequency, subscription.include_unreviewed) == ("weekly", False)
    assert list(subscription.campaigns.all()) == [free_the_20]
    assert set(subscription.persons.all()) == {gao, liu}


def test_an_editor_changes_what_a_subscription_follows(editor_client, gao, liu, free_the_20):
    subscription = subscription_save(
        email="ally@example.org", campaigns=[free_the_20], persons=[gao]
    )
    response = editor_client.patch(
        f"/api/subscriptions/{subscription.pk}/", {"persons": [liu.pk], "active": False}
    )
    assert response.status_code == 200, response.json()
    assert (response.json()["persons"], response.json()["active"]) == ([liu.pk], False)
    assert response.json()["campaigns"] == [free_the_20.pk]  # not sent: left as it was
    subscription.refresh_from_db()
    assert list(subscription.persons.all()) == [liu]
    assert list(subscription.campaigns.all()) == [free_the_20]
    assert subscription.active is False


def test_the_same_address_and_frequency_in_another_case_is_a_400(editor_client):
    subscription_save(email="ally@example.org", frequency="daily")
    response = editor_client.post(
        "/api/subscriptions/", {"email": "ALLY@example.org", "frequency": "daily"}
    )
    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": ["This address already has a subscription this often."]
    }
    assert Subscription.objects.count() == 1
    weekly = editor_client.post(
        "/api/subscriptions/", {"email": "ALLY@example.org", "frequency": "weekly"}
    )
    assert weekly.status_code == 201, weekly.json()
    assert set(Subscription.objects.values_list("email", "frequency")) == {
        ("ally@example.org", "daily"),
        ("ally@example.org", "weekly"),
    }


def test_an_unknown_campaign_or_a_person_id_as_text_is_a_400_naming_the_field(editor_client, gao):
    unknown = editor_client.post(
        "/api/subscriptions/", {"email": "ally@example.org", "campaigns": [999_999]}
    )
    assert unknown.status_code == 400
    assert list(unknown.json()) == ["campaigns"]
    as_text = editor_client.post(
        "/api/subscriptions/", {"email": "ally@example.org", "persons": [str(gao.pk)]}
    )
    assert as_text.status_code == 400
    assert as_text.json() == {"persons": ["Item 0: Expected an integer id."]}
    assert not Subscription.objects.exists()


def test_subscriptions_filter_by_address_campaign_person_frequency_and_active(
    viewer_client, gao, liu, free_the_20
):
    by_campaign = subscription_save(email="a@example.org", campaigns=[free_the_20])
    by_person = subscription_save(email="b@example.org", frequency="weekly", persons=[gao])
    stopped = subscription_save(email="c@example.org", persons=[gao, liu], active=False)

    def listed(**params):
        return _ids(viewer_client.get("/api/subscriptions/", params))

    assert listed(campaign=free_the_20.slug) == [by_campaign.pk]
    assert listed(campaign=str(free_the_20.pk)) == [by_campaign.pk]
    assert listed(person=gao.pk) == [by_person.pk, stopped.pk]
    assert listed(person=liu.pk) == [stopped.pk]  # directly; not through the campaign
    assert listed(frequency="weekly") == [by_person.pk]
    assert listed(active="false") == [stopped.pk]
    assert listed(email="B@Example.org") == [by_person.pk]
    assert listed(person=gao.pk, active="true") == [by_person.pk]

    bad = viewer_client.get("/api/subscriptions/", {"active": "maybe"})
    assert bad.status_code == 400
    assert bad.json() == {"active": ["Must be true or false."]}
    unknown = viewer_client.get("/api/subscriptions/", {"campaign": "no-such-campaign"})
    assert unknown.status_code == 400
    assert "campaign" in unknown.json()


def test_anonymous_requests_get_401(anonymous_client):
    subscription = subscription_save(email="ally@example.org")
    for url in ["/api/subscriptions/", "/api/digest-deliveries/"]:
        assert anonymous_client.get(url).status_code == 401
    created = anonymous_client.post("/api/subscriptions/", {"email": "x@example.org"})
    assert created.status_code == 401
    deleted = anonymous_client.delete(f"/api/subscriptions/{subscription.pk}/")
    assert deleted.status_code == 401
    assert list(Subscription.objects.all()) == [subscription]


# --- Digest deliveries API ----------------------------------------------------------------------


def test_digest_deliveries_are_read_only_even_for_an_editor(editor_client):
    subscription = subscription_save(email="ally@example.org")
    delivery = _delivery(subscription)
    created = editor_client.post(
        "/api/digest-deliveries/", {"subscription": subscription.pk, "status": "sent"}
    )
    assert created.status_code == 405
    changed = editor_client.patch(f"/api/digest-deliveries/{delivery.pk}/", {"status": "sent"})
    assert changed.status_code == 405
    deleted = editor_client.delete(f"/api/digest-deliveries/{delivery.pk}/")
    assert deleted.status_code == 405
    assert list(DigestDelivery.objects.values_list("pk", "status")) == [(delivery.pk, "failed")]


def test_a_delivery_lists_the_mentions_and_events_its_digest_held(viewer_client, gao):
    subscription = subscription_save(email="ally@example.org", persons=[gao])
    sent_at = subscription.created_at + DAY
    delivery = _delivery(
        subscription,
        status=DigestDelivery.Status.SENT,
        attempts=1,
        sent_at=sent_at,
        message_id="<digest-1@vigil.example.org>",
    )
    mentions = [_mention(gao), _mention(gao)]
    event = CaseEvent.objects.create(person=gao, date=datetime.date(2024, 5, 1), kind="hearing")
    delivery.mentions.set(mentions)
    delivery.events.set([event])
    other = _delivery(subscription_save(email="other@example.org"))

    response = viewer_client.get("/api/digest-deliveries/", {"subscription": subscription.pk})
    assert response.status_code == 200
    (row,) = response.json()["results"]

    def utc(when):
        return when.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")

    assert row == {
        "id": delivery.pk,
        "subscription": subscription.pk,
        "period_start": utc(delivery.period_start),
        "period_end": utc(delivery.period_end),
        "status": "sent",
        "attempts": 1,
        "sent_at": utc(sent_at),
        "message_id": "<digest-1@vigil.example.org>",
        "feedback": "",
        "feedback_at": None,
        "feedback_detail": "",
        "last_error": "",
        "mentions": sorted(m.pk for m in mentions),
        "events": [event.pk],
        "created_at": utc(delivery.created_at),
        "updated_at": utc(delivery.updated_at),
    }
    failed = viewer_client.get("/api/digest-deliveries/", {"status": "failed"})
    assert _ids(failed) == [other.pk]
    detail = viewer_client.get(f"/api/digest-deliveries/{delivery.pk}/")
    assert detail.status_code == 200 and detail.json() == row


# --- Query counts -------------------------------------------------------------------------------


def _populate_subscriptions() -> list[Subscription]:
    detained = DetainedPerson.objects.bulk_create(
        DetainedPerson(name=f"Detainee {i}", country="CN") for i in range(3)
    )
    campaigns = Campaign.objects.bulk_create(
        Campaign(name=f"Campaign {i}", slug=f"campaign-{i}") for i in range(3)
    )
    subscriptions = Subscription.objects.bulk_create(
        Subscription(email=f"reader{i}@example.org") for i in range(N)
    )
    for relation, targets, column in [
        (Subscription.campaigns, campaigns, "campaign_id"),
        (Subscription.persons, detained, "detainedperson_id"),
    ]:
        through = relation.through
        through.objects.bulk_create(
            through(subscription_id=s.pk, **{column: t.pk})
            for s in subscriptions
            for t in targets[:2]
        )
    return subscriptions


def _populate_deliveries() -> None:
    subscriptions = _populate_subscriptions()
    person = DetainedPerson.objects.first()
    mentions = [_mention(person) for _ in range(3)]
    events = CaseEvent.objects.bulk_create(
        CaseEvent(person=person, date=datetime.date(2024, 1, i + 1), kind="hearing")
        for i in range(3)
    )
    now = timezone.now()
    deliveries = DigestDelivery.objects.bulk_create(
        DigestDelivery(subscription=s, period_start=now - DAY, period_end=now, status="sent")
        for s in subscriptions
    )
    for relation, targets, column in [
        (DigestDelivery.mentions, mentions, "mention_id"),
        (DigestDelivery.events, events, "caseevent_id"),
    ]:
        through = relation.through
        through.objects.bulk_create(
            through(digestdelivery_id=d.pk, **{column: t.pk}) for d in deliveries for t in targets
        )


def _list(client, url, size) -> tuple[int, list[dict]]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, {"page_size": size})
    assert response.status_code == 200, response.json()
    return len(queries), response.json()["results"]


@pytest.mark.parametrize(
    ("url", "populate", "relations"),
    [
        ("/api/subscriptions/", _populate_subscriptions, ["campaigns", "persons"]),
        ("/api/digest-deliveries/", _populate_deliveries, ["mentions", "events"]),
    ],
    ids=["subscriptions", "digest-deliveries"],
)
def test_a_list_takes_as_many_queries_for_200_records_as_for_one(
    viewer_client, url, populate, relations
):
    populate()
    one, results_one = _list(viewer_client, url, 1)
    many, results_many = _list(viewer_client, url, 200)
    assert (len(results_one), len(results_many)) == (1, 200)
    for relation in relations:  # the relations are really there to be (pre)fetched
        assert all(row[relation] for row in results_many)
    assert many == one


# --- Admin --------------------------------------------------------------------------------------


def _admin_url(model, view, *args):
    return reverse(f"admin:tracker_{model._meta.model_name}_{view}", args=args)


def test_subscription_and_delivery_pages_render_for_a_superuser(admin_site_client, gao):
    subscription = subscription_save(email="ally@example.org", persons=[gao])
    delivery = _delivery(subscription, last_error="SMTPServerDisconnected: closed")
    delivery.mentions.set([_mention(gao)])
    preview_url = _admin_url(Subscription, "preview", subscription.pk)

    changelist = admin_site_client.get(_admin_url(Subscription, "changelist"))
    assert changelist.status_code == 200
    assert "ally@example.org" in changelist.content.decode()
    assert preview_url in changelist.content.decode()
    change = admin_site_client.get(_admin_url(Subscription, "change", subscription.pk))
    assert change.status_code == 200
    assert preview_url in change.content.decode()
    assert admin_site_client.get(_admin_url(Subscription, "add")).status_code == 200

    deliveries = admin_site_client.get(_admin_url(DigestDelivery, "changelist"))
    assert deliveries.status_code == 200
    assert "SMTPServerDisconnected: closed" in deliveries.content.decode()
    page = admin_site_client.get(_admin_url(DigestDelivery, "change", delivery.pk))
    assert page.status_code == 200
    assert "Gao Yu" in page.content.decode()
    assert 'name="_save"' not in page.content.decode()  # read-only
    assert admin_site_client.get(_admin_url(DigestDelivery, "add")).status_code == 403


def test_the_subscription_list_counts_each_subscriptions_campaigns_and_cases(
    superuser, gao, liu, free_the_20
):
    from django.contrib import admin

    second = campaign_save(name="Release Gao Yu", detained_persons=[gao])
    followed = subscription_save(
        email="ally@example.org", campaigns=[free_the_20, second], persons=[gao, liu]
    )
    subscription_save(email="quiet@example.org")
    model_admin = admin.site._registry[Subscription]
    request = RequestFactory().get("/")
    request.user = superuser

    counts = {
        s.email: (model_admin.n_campaigns(s), model_admin.n_persons(s))
        for s in model_admin.get_queryset(request)
    }

    assert counts == {followed.email: (2, 2), "quiet@example.org": (0, 0)}


def test_a_subscription_saved_in_the_admin_goes_through_the_service(
    admin_site_client, gao, free_the_20
):
    data = {
        "email": "Ally@Example.org",
        "frequency": "daily",
        "campaigns": [free_the_20.pk],
        "persons": [gao.pk],
        "include_unreviewed": "on",
        "active": "on",
    }
    response = admin_site_client.post(_admin_url(Subscription, "add"), data)
    assert response.status_code == 302, response.context["errors"]
    subscription = Subscription.objects.get()
    assert subscription.email == "ally@example.org"
    assert list(subscription.campaigns.all()) == [free_the_20]
    assert list(subscription.persons.all()) == [gao]

    duplicate = admin_site_client.post(
        _admin_url(Subscription, "add"), {**data, "email": "ALLY@EXAMPLE.ORG"}
    )
    assert duplicate.status_code == 200
    assert "This address already has a subscription this often." in duplicate.content.decode()
    assert Subscription.objects.count() == 1


def test_the_preview_shows_the_subject_and_the_escaped_html_of_the_next_digest(client, superuser):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        start = timezone.now()
        client.force_login(superuser)
        gao = detained_person_save(name="Gao Yu", native_name="高瑜", publicity="public")
        subscription = subscription_save(
            email="ally@example.org", persons=[gao], include_unreviewed=True
        )
        clock.move_to(start + HOUR)
        _mention(gao, title='Gao Yu <b>freed</b> <script>alert("x")</script>')
        clock.move_to(start + DAY)
        client.force_login(superuser)  # a day on: the morning's session ended after 10 hours

        response = client.get(_admin_url(Subscription, "preview", subscription.pk))
        message = render_digest_email(digest_preview(subscription=subscription))

    assert response.status_code == 200
    body = response.content.decode()
    assert message.subject == "Vigil daily digest: 1 new mention (1 case)"
    assert f'<dd id="digest-subject">{message.subject}</dd>' in body
    html = message.alternatives[0][0]
    assert "Gao Yu &lt;b&gt;freed&lt;/b&gt;" in html  # the email escapes the title once...
    assert f'srcdoc="{escape(html)}"' in body  # ...and the page escapes the whole email again
    assert "Gao Yu &amp;lt;b&amp;gt;freed" in body
    assert "<script>alert" not in body and "<b>freed</b>" not in body
    assert 'sandbox="allow-popups allow-popups-to-escape-sandbox"' in body
    assert escape(message.body) in body  # the plain-text part
    assert "Nothing new since" not in body
    assert not DigestDelivery.objects.exists()  # a preview writes nothing


def test_a_preview_with_nothing_new_says_no_email_would_be_sent(admin_site_client):
    subscription = subscription_save(email="ally@example.org")
    response = admin_site_client.get(_admin_url(Subscription, "preview", subscription.pk))
    assert response.status_code == 200
    assert "Nothing new since" in response.content.decode()
    assert "Vigil daily digest: nothing new" in response.content.decode()


def test_staff_who_may_only_view_subscriptions_get_no_preview(client, django_user_model):
    # The preview holds the subscriber's working unsubscribe link.
    user = django_user_model.objects.create_user(username="intern", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename="view_subscription"))
    client.force_login(user)
    subscription = subscription_save(email="ally@example.org")
    preview_url = _admin_url(Subscription, "preview", subscription.pk)
    assert client.get(preview_url).status_code == 403
    change = client.get(_admin_url(Subscription, "change", subscription.pk))
    assert change.status_code == 200
    assert preview_url not in change.content.decode()
    assert preview_url not in client.get(_admin_url(Subscription, "changelist")).content.decode()


def _resend(client, capture_on_commit_callbacks, *deliveries) -> tuple[str, list]:
    """Run the admin's Resend action on deliveries: the page it leads to, and the callbacks
    it left to run on commit (not run)."""
    with capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(
            _admin_url(DigestDelivery, "changelist"),
            {"action": "resend", "_selected_action": [d.pk for d in deliveries]},
            follow=True,
        )
    assert response.status_code == 200
    return response.content.decode(), callbacks


def test_resending_a_failed_delivery_puts_it_back_in_the_queue(
    admin_site_client, django_capture_on_commit_callbacks
):
    subscription = subscription_save(email="ally@example.org")
    failed = _delivery(subscription, attempts=5, last_error="SMTPServerDisconnected: closed")
    other = subscription_save(email="other@example.org")
    sent = _delivery(other, status=DigestDelivery.Status.SENT, attempts=1)

    page, callbacks = _resend(admin_site_client, django_capture_on_commit_callbacks, failed, sent)
    assert "Queued 1 delivery to send again." in page
    assert "1 sent or empty one left alone" in page
    failed.refresh_from_db()
    assert (failed.status, failed.attempts, failed.claimed_until) == ("pending", 0, None)
    sent.refresh_from_db()
    assert (sent.status, sent.attempts) == ("sent", 1)

    # The send is queued once the change is committed, for the failed delivery only.
    assert len(callbacks) == 1
    with mock.patch.object(send_digest_batch, "delay") as delay:
        callbacks[0]()
    delay.assert_called_once_with([failed.pk])


def test_resending_leaves_a_delivery_being_sent_to_its_worker_and_says_so(
    admin_site_client, django_capture_on_commit_callbacks
):
    subscription = subscription_save(email="ally@example.org")
    claimed = _delivery(
        subscription,
        status=DigestDelivery.Status.PENDING,
        attempts=1,
        claimed_until=timezone.now() + datetime.timedelta(minutes=5),
    )

    page, callbacks = _resend(admin_site_client, django_capture_on_commit_callbacks, claimed)
    assert "Queued 0 deliveries to send again." in page
    assert "1 being sent right now, left to the worker sending it." in page
    assert "sent or empty" not in page
    claimed.refresh_from_db()
    assert (claimed.status, claimed.attempts) == ("pending", 1)
    assert callbacks == []


def test_resending_leaves_deliveries_of_unsubscribed_addresses_alone(
    admin_site_client, django_capture_on_commit_callbacks
):
    gone = subscription_save(email="gone@example.org")
    failed = _delivery(gone, attempts=5, last_error="SMTPServerDisconnected: closed")
    subscription_unsubscribe(subscription=gone)

    page, callbacks = _resend(admin_site_client, django_capture_on_commit_callbacks, failed)
    assert "Queued 0 deliveries to send again." in page
    assert "1 of unsubscribed (inactive) or suppressed addresses left alone." in page
    assert "sent or empty" not in page
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == ("failed", 5)
    assert callbacks == []


# --- "Send now" ---------------------------------------------------------------------------------


@pytest.fixture
def named():
    """A case whose family consents to naming it: in digests to partners' addresses."""
    return detained_person_save(name="Gao Yu", native_name="高瑜", publicity="public")


def _send_now(client, subscription):
    return client.post(_admin_url(Subscription, "send", subscription.pk), follow=True)


def _messages(response) -> list[str]:
    """The messages the page shows, as text (each links its delivery)."""
    return [strip_tags(str(m)) for m in response.context["messages"]]


def test_send_now_sends_the_digest_once_and_then_only_what_is_new(admin_site_client, named):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        start = timezone.now()
        subscription = subscription_save(
            email="ally@example.org", persons=[named], include_unreviewed=True
        )
        clock.move_to(start + HOUR)
        _mention(named)
        clock.move_to(start + 2 * HOUR)
        preview = admin_site_client.get(_admin_url(Subscription, "preview", subscription.pk))
        send_url = _admin_url(Subscription, "send", subscription.pk)
        assert f'action="{send_url}"' in preview.content.decode()  # a form, with its token
        assert "csrfmiddlewaretoken" in preview.content.decode()

        first = _send_now(admin_site_client, subscription)
        assert first.status_code == 200
        assert first.redirect_chain[-1][0] == _admin_url(Subscription, "preview", subscription.pk)
        [message] = _messages(first)
        assert message.startswith("Sent the digest to ally@example.org")
        assert [m.to for m in mail.outbox] == [["ally@example.org"]]
        assert mail.outbox[0].subject == "Vigil daily digest: 1 new mention (1 case)"
        sent = DigestDelivery.objects.get()
        assert f'href="{_admin_url(DigestDelivery, "change", sent.pk)}"' in first.content.decode()

        clock.move_to(start + 3 * HOUR)
        again = _send_now(admin_site_client, subscription)  # a second click
        assert _messages(again) == [
            "Nothing new since the last digest: no email was sent (recorded as empty)."
        ]
        assert len(mail.outbox) == 1
    statuses = DigestDelivery.objects.order_by("period_start").values_list("status", flat=True)
    assert list(statuses) == ["sent", "empty"]


def test_send_now_reports_a_failure_with_its_reason(admin_site_client, named):
    subscription = subscription_save(
        email="ally@example.org", persons=[named], include_unreviewed=True
    )
    _mention(named)
    with mock.patch(
        "django.core.mail.backends.locmem.EmailBackend.send_messages",
        side_effect=ConnectionRefusedError("the mail server refused the connection"),
    ):
        response = _send_now(admin_site_client, subscription)
    [message] = _messages(response)
    assert message.startswith(
        "Sending failed: ConnectionRefusedError: the mail server refused the connection."
    )
    assert mail.outbox == []
    delivery = DigestDelivery.objects.get()
    assert delivery.last_error.startswith("ConnectionRefusedError")
    assert delivery.status == "pending"  # tried again later


def test_send_now_sends_nothing_to_an_inactive_subscription(admin_site_client, named):
    subscription = subscription_save(email="ally@example.org", persons=[named], active=False)
    _mention(named)
    response = _send_now(admin_site_client, subscription)
    assert _messages(response) == [
        "Nothing was sent: this subscription is inactive (unsubscribed)."
    ]
    assert mail.outbox == [] and not DigestDelivery.objects.exists()


def test_send_now_takes_a_post_and_the_change_permission(client, django_user_model, named):
    subscription = subscription_save(
        email="ally@example.org", persons=[named], include_unreviewed=True
    )
    _mention(named)
    user = django_user_model.objects.create_user(username="intern", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename="view_subscription"))
    client.force_login(user)
    url = _admin_url(Subscription, "send", subscription.pk)
    assert client.post(url).status_code == 403
    user.user_permissions.add(Permission.objects.get(codename="change_subscription"))
    assert client.get(url).status_code == 405  # a link followed sends nothing
    assert mail.outbox == [] and not DigestDelivery.objects.exists()


def test_send_now_is_refused_without_the_csrf_token(superuser, named):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(superuser)
    subscription = subscription_save(
        email="ally@example.org", persons=[named], include_unreviewed=True
    )
    _mention(named)
    assert client.post(_admin_url(Subscription, "send", subscription.pk)).status_code == 403
    assert mail.outbox == []
