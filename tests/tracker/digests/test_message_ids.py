"""Issue 25: a digest's Message-ID is unique in the world (no other installation, restored backup
or reset database repeats it) and kept by a resend; the only unsubscribe route a digest offers
is the one-click link, which works end to end."""

import datetime
import re
import smtplib

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management.color import no_style
from django.db import connection
from django.test import Client

from tests.tracker.digests.conftest import START, mention, subscribe
from tracker.digests.sending import digest_send, digests_create_due
from tracker.models import DigestDelivery, Subscription

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)
HOUR = datetime.timedelta(hours=1)


def _send_one_digest(clock, people) -> DigestDelivery:
    """A fresh installation's first digest: subscribe, some news, send."""
    clock.move_to(START)
    subscribe(persons=[people["liu"]], include_unreviewed=True)
    clock.move_to(START + HOUR)
    mention(people["liu"], title="Liu Xia's appeal heard")
    clock.move_to(START + DAY)
    (pk,) = digests_create_due(frequency="daily")
    assert digest_send(delivery_id=pk) == "sent"
    return DigestDelivery.objects.get(pk=pk)


def _reset_the_database() -> None:
    """As a new installation, a restored backup or a test database starts: no digests, and the
    ids counted from 1 again."""
    DigestDelivery.objects.all().delete()
    Subscription.objects.all().delete()
    tables = [DigestDelivery._meta.db_table, Subscription._meta.db_table]
    sql = connection.ops.sequence_reset_by_name_sql(
        no_style(), [{"table": table, "column": "id"} for table in tables]
    )
    # Raw SQL, though Django writes it (connection.ops): the ORM has no way to reset an id
    # sequence, and only a reset gives the next delivery the id an earlier one had.
    with connection.cursor() as cursor:
        for statement in sql:
            cursor.execute(statement)


def test_a_reset_database_never_repeats_a_message_id(clock, people, settings):
    settings.SITE_URL = "https://vigil.example.org"
    _reset_the_database()  # (PostgreSQL's sequences go on counting across tests)
    first = _send_one_digest(clock, people)
    _reset_the_database()

    again = _send_one_digest(clock, people)

    assert again.pk == first.pk  # the same delivery id, as a second installation would have
    sent_first, sent_again = (message.extra_headers["Message-ID"] for message in mail.outbox)
    assert sent_first == first.message_id and sent_again == again.message_id
    assert sent_first != sent_again
    for message_id in (sent_first, sent_again):
        # Random: nothing in it counts the digests sent.
        assert re.fullmatch(r"<digest-[0-9a-f]{32}@vigil\.example\.org>", message_id)
        assert f"<digest-{first.pk}@" != message_id[: len(f"<digest-{first.pk}@")]


def test_message_ids_of_many_deliveries_are_all_different(clock, people):
    clock.move_to(START)
    for i in range(20):
        subscribe(f"ally{i}@example.org", persons=[people["liu"]], include_unreviewed=True)
    clock.move_to(START + HOUR)
    mention(people["liu"])
    clock.move_to(START + DAY)
    for pk in digests_create_due(frequency="daily"):
        digest_send(delivery_id=pk)

    ids = list(DigestDelivery.objects.values_list("message_id", flat=True))
    assert len(ids) == 20 and len(set(ids)) == 20
    assert {m.extra_headers["Message-ID"] for m in mail.outbox} == set(ids)


class Refused(BaseEmailBackend):
    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("the mail server went away")


def test_a_delivery_stored_before_random_ids_is_sent_with_its_stored_message_id(
    clock, people, settings
):
    # A delivery claimed before the upgrade holds the old kind of id in its fixed content:
    # it is sent as stored, like any resend.
    clock.move_to(START)
    subscribe(persons=[people["liu"]], include_unreviewed=True)
    clock.move_to(START + HOUR)
    mention(people["liu"])
    clock.move_to(START + DAY)
    (pk,) = digests_create_due(frequency="daily")
    settings.EMAIL_BACKEND = f"{__name__}.Refused"
    with pytest.raises(smtplib.SMTPServerDisconnected):
        digest_send(delivery_id=pk)
    delivery = DigestDelivery.objects.get(pk=pk)
    old = "<digest-1@vigil.example.org>"
    delivery.content["headers"]["Message-ID"] = old
    DigestDelivery.objects.filter(pk=pk).update(content=delivery.content, message_id=old)

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert digest_send(delivery_id=pk) == "sent"

    assert mail.outbox[0].extra_headers["Message-ID"] == old
    assert DigestDelivery.objects.get(pk=pk).message_id == old


def test_a_sent_digest_offers_only_the_one_click_link_and_it_unsubscribes(clock, people):
    delivery = _send_one_digest(clock, people)
    (message,) = mail.outbox

    header = message.extra_headers["List-Unsubscribe"]
    assert "mailto:" not in header
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    (url,) = re.fullmatch(r"<([^>]+)>", header).groups()
    # What a mail client does with RFC 8058: POST the body below, no cookie, no CSRF token.
    provider = Client(enforce_csrf_checks=True)
    path = url.removeprefix("http://127.0.0.1:8000")
    response = provider.post(
        path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 200
    assert not Subscription.objects.get(pk=delivery.subscription_id).active
    # And the next run sends nothing to it.
    clock.move_to(START + 2 * DAY)
    mention(people["liu"])
    assert digests_create_due(frequency="daily") == []
