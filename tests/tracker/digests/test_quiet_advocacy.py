"""A family's wish for quiet advocacy: their case is named to staff only, never in a digest to
an address outside the staff, however the subscription reaches it (the case itself, or a
campaign it is in)."""

import datetime

import pytest
from django.contrib.auth.models import User
from django.core import mail

from tests.tracker.digests.conftest import START, mention, subscribe
from tracker.cases.services import case_event_record, detained_person_save
from tracker.digests.sending import digest_send, digests_create_due

pytestmark = pytest.mark.django_db
HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)


@pytest.fixture
def quiet(people, campaign):
    person = detained_person_save(name="Zhao Hailin", native_name="赵海林", publicity="quiet")
    campaign.detained_persons.add(person)
    return person


def _send_all() -> dict[str, str]:
    for pk in digests_create_due(frequency="daily"):
        digest_send(delivery_id=pk)
    return {message.to[0]: message.body for message in mail.outbox}


def test_a_quiet_case_is_named_to_staff_only(clock, people, campaign, quiet):
    User.objects.create_user(username="ana", email="ana@ngo.example", is_staff=True)
    for address in ("ana@ngo.example", "ally@partner.example"):
        subscribe(address, campaigns=[campaign], persons=[quiet], include_unreviewed=True)
    clock.move_to(START + HOUR)
    mention(people["liu"])
    mention(quiet, title="Citizen journalist Zhao Hailin held")
    case_event_record(person=quiet, date=START.date(), kind="arrested", description="")
    clock.move_to(START + DAY)

    bodies = _send_all()

    assert "Zhao Hailin" in bodies["ana@ngo.example"]
    assert "赵海林" in bodies["ana@ngo.example"]
    outside = bodies["ally@partner.example"]
    assert "Liu Xia" in outside
    assert "Zhao Hailin" not in outside and "赵海林" not in outside
    subjects = {message.to[0]: message.subject for message in mail.outbox}
    assert subjects["ally@partner.example"] == "Vigil daily digest: 1 new mention (1 case)"


def test_an_outside_address_following_only_a_quiet_case_gets_no_digest(clock, quiet):
    subscribe("ally@partner.example", persons=[quiet], include_unreviewed=True)
    clock.move_to(START + HOUR)
    mention(quiet)
    clock.move_to(START + DAY)
    assert _send_all() == {}


def test_a_case_made_public_is_named_from_then_on(clock, quiet):
    subscribe("ally@partner.example", persons=[quiet], include_unreviewed=True)
    detained_person_save(person=quiet, publicity="public")
    clock.move_to(START + HOUR)
    mention(quiet)
    clock.move_to(START + DAY)
    assert "Zhao Hailin" in _send_all()["ally@partner.example"]
