"""Who gets which digest, and each digest at most once per (subscription, period)."""

import datetime

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.concurrency import at_once
from tests.tracker.digests.conftest import START, mention, subscribe
from tracker.cases.services import case_event_record
from tracker.digests.content import build_digests
from tracker.digests.sending import deliveries_resend, digest_send, digests_create_due
from tracker.digests.unsubscribe import subscription_unsubscribe
from tracker.models import DigestDelivery, Mention, Subscription
from tracker.newswatch.services import mention_review

pytestmark = pytest.mark.django_db
HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)


def _send_all(frequency="daily") -> list[str]:
    return [digest_send(delivery_id=pk) for pk in digests_create_due(frequency=frequency)]


def _due_with_news(clock, people) -> tuple[Subscription, int]:
    """A subscription following Liu Xia, a mention of her an hour later, then a day on: the
    subscription and the id of its one due delivery."""
    sub = subscribe(persons=[people["liu"]], include_unreviewed=True)
    clock.move_to(START + HOUR)
    mention(people["liu"])
    clock.move_to(START + DAY)
    (pk,) = digests_create_due(frequency="daily")
    return sub, pk


def test_following_a_campaign_covers_its_people_including_people_added_later(
    clock, people, campaign
):
    sub = subscribe(campaigns=[campaign], include_unreviewed=True)
    clock.move_to(START + HOUR)
    campaign.detained_persons.add(people["daria"])  # joins the campaign after subscribing
    mention(people["liu"])
    mention(people["daria"])
    mention(people["ha"])  # not in the campaign
    clock.move_to(START + DAY)
    assert _send_all() == ["sent"]
    (message,) = mail.outbox
    assert message.to == [sub.email]
    assert "Liu Xia" in message.body and "Daria Petrenko" in message.body
    assert "Trần Thị Thu Hà" not in message.body
    assert message.subject == "Vigil daily digest: 2 new mentions (2 cases)"


def test_a_new_subscription_gets_confirmed_mentions_only(clock, people):
    subscribe(persons=[people["liu"]])
    clock.move_to(START + HOUR)
    mention(people["liu"], status=Mention.Status.NEW, title="Unreviewed story")
    mention(people["liu"], status=Mention.Status.CONFIRMED, title="Confirmed story")
    clock.move_to(START + DAY)
    _send_all()
    assert "Confirmed story" in mail.outbox[0].body
    assert "Unreviewed story" not in mail.outbox[0].body
    assert "unreviewed" not in mail.outbox[0].body.lower()


def test_only_digests_to_staff_addresses_link_to_the_case_in_the_admin(clock, people):
    User.objects.create_user(username="ana", email="Ana@Example.org", is_staff=True)
    User.objects.create_user(
        username="gone", email="gone@example.org", is_staff=True, is_active=False
    )
    User.objects.create_user(username="member", email="member@example.org")
    for address in (
        "ana@example.org",
        "gone@example.org",
        "member@example.org",
        "partner@example.org",
    ):
        subscribe(address, persons=[people["liu"]])
    clock.move_to(START + HOUR)
    mention(people["liu"], status=Mention.Status.CONFIRMED)
    clock.move_to(START + DAY)
    _send_all()
    linked = {m.to[0] for m in mail.outbox if "Open the case in Vigil" in m.body}
    assert len(mail.outbox) == 4
    assert linked == {"ana@example.org"}


def test_following_a_person_covers_only_them(clock, people, campaign):
    subscribe(persons=[people["ha"]], include_unreviewed=True)
    clock.move_to(START + HOUR)
    mention(people["liu"])
    mention(people["ha"])
    clock.move_to(START + DAY)
    _send_all()
    assert "Trần Thị Thu Hà" in mail.outbox[0].body
    assert "Liu Xia" not in mail.outbox[0].body


def test_dismissed_mentions_never_appear_and_unreviewed_only_when_wanted(clock, people):
    everything = subscribe("a@example.org", persons=[people["liu"]], include_unreviewed=True)
    confirmed_only = subscribe("b@example.org", persons=[people["liu"]], include_unreviewed=False)
    clock.move_to(START + HOUR)
    mention(people["liu"], status=Mention.Status.DISMISSED, title="Dismissed story")
    mention(people["liu"], status=Mention.Status.NEW, title="Unreviewed story")
    mention(people["liu"], status=Mention.Status.CONFIRMED, title="Confirmed story")
    clock.move_to(START + DAY)
    _send_all()
    bodies = {m.to[0]: m.body for m in mail.outbox}
    assert "Dismissed story" not in bodies[everything.email]
    assert "Unreviewed story" in bodies[everything.email]
    assert "Confirmed story" in bodies[everything.email]
    assert "Unreviewed story" not in bodies[confirmed_only.email]
    assert "Confirmed story" in bodies[confirmed_only.email]


def test_a_mention_confirmed_the_day_after_it_was_found_reaches_confirmed_only_subscribers(
    clock, people
):
    everything = subscribe("a@example.org", persons=[people["liu"]], include_unreviewed=True)
    confirmed_only = subscribe("b@example.org", persons=[people["liu"]], include_unreviewed=False)
    reviewer = User.objects.create_user(username="reviewer")
    clock.move_to(START + HOUR)
    found = mention(people["liu"], title="Found on Monday")
    clock.move_to(START + DAY)
    assert sorted(_send_all()) == ["empty", "sent"]
    assert [m.to for m in mail.outbox] == [[everything.email]]
    assert "Found on Monday" in mail.outbox[0].body

    clock.move_to(START + DAY + HOUR)
    mention_review(mention=found, status=Mention.Status.CONFIRMED, user=reviewer)
    clock.move_to(START + 2 * DAY)
    # Confirmed-only: counted in the period it was confirmed. Everything: already sent as
    # unreviewed the day before, so not sent again.
    assert sorted(_send_all()) == ["empty", "sent"]
    assert [m.to for m in mail.outbox[1:]] == [[confirmed_only.email]]
    assert "Found on Monday" in mail.outbox[1].body
    assert mail.outbox[1].subject == "Vigil daily digest: 1 new mention (1 case)"
    delivery = DigestDelivery.objects.get(subscription=confirmed_only, status="sent")
    assert list(delivery.mentions.all()) == [found]


def test_a_mention_confirmed_and_then_dismissed_before_the_digest_is_not_sent(clock, people):
    subscribe(persons=[people["liu"]], include_unreviewed=False)
    reviewer = User.objects.create_user(username="reviewer")
    clock.move_to(START + HOUR)
    found = mention(people["liu"])
    mention_review(mention=found, status=Mention.Status.CONFIRMED, user=reviewer)
    mention_review(mention=found, status=Mention.Status.DISMISSED, user=reviewer)
    clock.move_to(START + DAY)
    assert _send_all() == ["empty"]
    assert mail.outbox == []


def test_status_changes_are_counted_in_the_subject(clock, people):
    subscribe(persons=[people["liu"]])
    clock.move_to(START + HOUR)
    case_event_record(person=people["liu"], date=datetime.date(2026, 2, 28), kind="released")
    case_event_record(person=people["liu"], date=datetime.date(2026, 2, 27), kind="hearing")
    clock.move_to(START + DAY)
    _send_all()
    assert mail.outbox[0].subject == ("Vigil daily digest: 1 status change, 1 case event (1 case)")


def test_inactive_subscriptions_get_nothing(clock, people):
    subscribe(persons=[people["liu"]], active=False)
    clock.move_to(START + HOUR)
    mention(people["liu"])
    clock.move_to(START + DAY)
    assert _send_all() == []
    assert mail.outbox == []


def test_a_delivery_queued_before_unsubscribing_is_never_sent(clock, people):
    sub, pk = _due_with_news(clock, people)
    subscription_unsubscribe(subscription=sub)  # before the worker gets to it
    assert digest_send(delivery_id=pk) == "skipped"
    assert mail.outbox == []
    assert DigestDelivery.objects.get(pk=pk).attempts == 0


def test_resending_leaves_deliveries_of_unsubscribed_addresses_alone(clock, people):
    sub, pk = _due_with_news(clock, people)
    DigestDelivery.objects.filter(pk=pk).update(status="failed", attempts=5)
    subscription_unsubscribe(subscription=sub)
    outcome = deliveries_resend(deliveries=DigestDelivery.objects.filter(pk=pk))
    assert (outcome.queued, outcome.unsubscribed) == ([], 1)
    delivery = DigestDelivery.objects.get(pk=pk)
    assert (delivery.status, delivery.attempts) == ("failed", 5)
    assert digest_send(delivery_id=pk) == "skipped"
    assert mail.outbox == []


def test_a_delivery_sent_while_a_resend_is_under_way_is_not_sent_twice(clock, people):
    _sub, pk = _due_with_news(clock, people)  # pending, not claimed: resendable
    chosen = DigestDelivery.objects.filter(pk=pk)
    sent_meanwhile = []

    def worker_sends_before_the_resend_writes(execute, sql, params, many, context):
        # A worker sends the delivery between the resend's read and its write.
        if sql.startswith('UPDATE "tracker_digestdelivery"') and not sent_meanwhile:
            sent_meanwhile.append("sending")
            sent_meanwhile[0] = digest_send(delivery_id=pk)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(worker_sends_before_the_resend_writes):
        deliveries_resend(deliveries=chosen)
    assert sent_meanwhile == ["sent"]
    delivery = DigestDelivery.objects.get(pk=pk)
    assert (delivery.status, delivery.attempts) == ("sent", 1)
    assert digest_send(delivery_id=pk) == "skipped"
    assert len(mail.outbox) == 1


def test_a_period_with_nothing_new_sends_nothing_and_is_recorded_empty(clock, people):
    sub = subscribe(persons=[people["liu"]])
    clock.move_to(START + DAY)
    assert _send_all() == ["empty"]
    assert mail.outbox == []
    delivery = DigestDelivery.objects.get(subscription=sub)
    assert delivery.status == "empty" and delivery.period_end == START + DAY


def test_the_same_period_twice_sends_one_message(clock, people):
    sub = subscribe(persons=[people["liu"]], include_unreviewed=True)
    clock.move_to(START + HOUR)
    mention(people["liu"])
    clock.move_to(START + DAY)
    first = digests_create_due(frequency="daily")
    again = digests_create_due(frequency="daily")
    assert first == again
    assert digest_send(delivery_id=first[0]) == "sent"
    assert digest_send(delivery_id=first[0]) == "skipped"
    assert len(mail.outbox) == 1
    delivery = DigestDelivery.objects.get(subscription=sub)
    assert (delivery.status, delivery.attempts) == ("sent", 1)
    assert list(delivery.mentions.all()) == list(Mention.objects.all())


def test_each_digest_starts_where_the_last_one_ended_so_nothing_falls_between(clock, people):
    subscribe(persons=[people["liu"]], include_unreviewed=True)
    clock.move_to(START + HOUR)
    mention(people["liu"], title="Monday story")
    clock.move_to(START + DAY)
    _send_all()
    # The worker is down for two days; then a digest is built.
    clock.move_to(START + DAY + HOUR)
    mention(people["liu"], title="Tuesday story")
    clock.move_to(START + 3 * DAY)
    _send_all()
    assert len(mail.outbox) == 2
    assert "Monday story" in mail.outbox[0].body and "Tuesday story" not in mail.outbox[0].body
    assert "Tuesday story" in mail.outbox[1].body and "Monday story" not in mail.outbox[1].body
    first, second = DigestDelivery.objects.order_by("period_start")
    assert second.period_start == first.period_end


def test_a_failed_send_is_recorded_and_tried_again_next_time(clock, people, settings):
    sub, pk = _due_with_news(clock, people)
    # A real SMTP connection to a port where nothing listens.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 2
    with pytest.raises(OSError):
        digest_send(delivery_id=pk)
    delivery = DigestDelivery.objects.get(pk=pk)
    assert (delivery.status, delivery.attempts) == ("pending", 1)
    assert "refused" in delivery.last_error.lower()

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert digests_create_due(frequency="daily") == [pk]
    assert digest_send(delivery_id=pk) == "sent"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [sub.email]


def test_building_the_digests_takes_the_same_queries_for_5_or_50_subscriptions(
    clock, people, campaign
):
    def build(n: int) -> int:
        clock.move_to(START)
        Subscription.objects.all().delete()
        for i in range(n):
            subscribe(
                f"s{n}-{i}@example.org",
                campaigns=[campaign],
                persons=[people["ha"]],
                include_unreviewed=True,
            )
        clock.move_to(START + HOUR)
        mention(people["liu"])
        mention(people["ha"])
        clock.move_to(START + DAY)
        deliveries = list(
            DigestDelivery.objects.filter(pk__in=digests_create_due(frequency="daily"))
        )
        with CaptureQueriesContext(connection) as queries:
            digests = build_digests(deliveries, period_end=START + DAY)
        assert all(len(d.cases) == 2 for d in digests.values())
        return len(queries)

    assert build(5) == build(50)


def test_making_the_due_deliveries_takes_the_same_queries_for_3_or_30_subscriptions(clock, people):
    def create_due(n: int) -> tuple[int, list[str]]:
        clock.move_to(START)
        Subscription.objects.all().delete()
        subs = [subscribe(f"s{n}-{i}@example.org", persons=[people["ha"]]) for i in range(n)]
        clock.move_to(START + DAY)
        _send_all()  # a first period each, sent or empty
        clock.move_to(START + 2 * DAY)
        DigestDelivery.objects.create(  # a failed delivery of the period now due: reused
            subscription=subs[0],
            period_start=START + DAY,
            period_end=START + 2 * DAY,
            status="failed",
        )
        with CaptureQueriesContext(connection) as queries:
            ids = digests_create_due(frequency="daily")
        due = {d.pk: d for d in DigestDelivery.objects.filter(pk__in=ids).select_related()}
        due = [due[pk] for pk in ids]
        assert len(due) == n
        assert {(d.period_start, d.status) for d in due} == {(START + DAY, "pending")}
        assert digests_create_due(frequency="daily") == ids  # a second run makes nothing new
        assert DigestDelivery.objects.count() == 2 * n
        return len(queries), [d.subscription.email for d in due]

    queries_3, emails_3 = create_due(3)
    queries_30, _emails_30 = create_due(30)
    assert queries_3 == queries_30
    assert emails_3 == [  # in the subscriptions' order
        "s3-0@example.org",
        "s3-1@example.org",
        "s3-2@example.org",
    ]


def test_send_digests_dry_run_prints_and_sends_nothing(clock, people, capsys):
    subscribe(persons=[people["liu"]], include_unreviewed=True)
    clock.move_to(START + HOUR)
    mention(people["liu"])
    clock.move_to(START + DAY)
    call_command("send_digests", "--frequency", "daily", "--dry-run")
    out = capsys.readouterr().out
    assert "ally@example.org: Vigil daily digest: 1 new mention (1 case)" in out
    assert mail.outbox == [] and not DigestDelivery.objects.exists()
    call_command("send_digests", "--frequency", "daily", "--email", "ALLY@example.org")
    assert "daily digests: 1 sent." in capsys.readouterr().out
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrency needs PostgreSQL")
def test_two_workers_sending_the_same_delivery_at_once_send_one_message(people):
    subscribe(persons=[people["liu"]], include_unreviewed=True)
    mention(people["liu"])
    (pk,) = digests_create_due(frequency="daily")
    results = at_once(*[lambda: digest_send(delivery_id=pk)] * 2)
    # The other finds it held by the first (its task would try again once the claim lapses,
    # and then find it sent).
    assert sorted(results) == ["held", "sent"]
    assert digest_send(delivery_id=pk) == "skipped"
    assert len(mail.outbox) == 1
