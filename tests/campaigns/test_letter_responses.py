"""Responses to letters: who may answer, when, and what recording or deleting one does to the
letter's status; and the per-recipient view (sent on, answered on, days waiting)."""

import datetime

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from campaigns.models import Letter, LetterResponse
from campaigns.selectors import (
    campaign_summary,
    letter_recipient_statuses,
    letters_waiting_for_answer,
)
from campaigns.services import letter_response_delete, letter_response_record, letter_save
from tests.campaigns.factories import (
    CampaignFactory,
    LetterFactory,
    LetterResponseFactory,
    OrganizationFactory,
    PersonFactory,
    SignatureFactory,
)
from tracker.models import DetainedPerson

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2025, 3, 14)
# Reads every part of a summary (tests/test_panel_permissions.py reads them as narrower roles).
EVERYONE = User(username="root", is_superuser=True, is_active=True)


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(datetime.datetime(2025, 3, 14, 12, tzinfo=datetime.UTC), tick=False):
        yield TODAY


def _sent_letter(*recipients, sent_on=datetime.date(2025, 1, 10), **fields):
    letter = LetterFactory(status=Letter.Status.SENT, sent_on=sent_on, **fields)
    letter.recipients.set(recipients)
    return letter


# --- the record --------------------------------------------------------------------------------


def test_database_refuses_a_response_from_nobody():
    with pytest.raises(IntegrityError), transaction.atomic():
        LetterResponseFactory(person=None)


def test_database_refuses_a_response_from_both_a_person_and_an_organization():
    with pytest.raises(IntegrityError), transaction.atomic():
        LetterResponseFactory(organization=OrganizationFactory())


def test_service_explains_a_response_from_nobody_and_records_nothing():
    letter = _sent_letter(PersonFactory())
    with pytest.raises(ValidationError, match="exactly one of a person or an organization"):
        letter_response_record(letter=letter, received_on=TODAY, summary="Thanks.")
    assert LetterResponse.objects.count() == 0
    letter.refresh_from_db()
    assert letter.status == Letter.Status.SENT


def test_a_response_cannot_be_received_after_today():
    minister = PersonFactory()
    letter = _sent_letter(minister)
    with pytest.raises(ValidationError) as error:
        letter_response_record(
            letter=letter,
            person=minister,
            received_on=TODAY + datetime.timedelta(days=1),
            summary="From the future.",
        )
    assert "received_on" in error.value.message_dict
    assert "after today (2025-03-14)" in error.value.message_dict["received_on"][0]
    # Today itself is fine.
    letter_response_record(letter=letter, person=minister, received_on=TODAY, summary="Today.")


def test_a_response_cannot_be_received_before_the_letter_was_sent():
    minister = PersonFactory()
    letter = _sent_letter(minister, sent_on=datetime.date(2025, 1, 10))
    with pytest.raises(ValidationError, match="before the letter was sent") as error:
        letter_response_record(
            letter=letter, person=minister, received_on=datetime.date(2025, 1, 9), summary="?"
        )
    assert list(error.value.message_dict) == ["received_on"]


# --- the letter's status ------------------------------------------------------------------------


def test_recording_a_response_moves_the_letter_to_responded_once():
    minister = PersonFactory()
    letter = _sent_letter(minister)
    versions = letter.history.count()
    letter_response_record(
        letter=letter, person=minister, received_on=datetime.date(2025, 2, 1), summary="Noted."
    )
    letter.refresh_from_db()
    assert letter.status == Letter.Status.RESPONDED
    assert letter.history.count() == versions + 1
    assert letter.history.first().status == Letter.Status.RESPONDED
    # A second response leaves the status as it is, and writes no version of the letter.
    letter_response_record(
        letter=letter,
        organization=OrganizationFactory(),
        received_on=datetime.date(2025, 2, 3),
        summary="The ministry replied too.",
    )
    letter.refresh_from_db()
    assert letter.status == Letter.Status.RESPONDED
    assert letter.history.count() == versions + 1


def test_deleting_the_last_response_moves_the_letter_back_to_sent():
    minister, deputy = PersonFactory(), PersonFactory()
    letter = _sent_letter(minister, deputy)
    first = letter_response_record(
        letter=letter, person=minister, received_on=datetime.date(2025, 2, 1), summary="One."
    )
    second = letter_response_record(
        letter=letter, person=deputy, received_on=datetime.date(2025, 2, 2), summary="Two."
    )
    letter_response_delete(response=first)
    letter.refresh_from_db()
    assert letter.status == Letter.Status.RESPONDED  # the deputy's answer is still there
    letter_response_delete(response=second)
    letter.refresh_from_db()
    assert letter.status == Letter.Status.SENT
    assert not LetterResponse.objects.exists()
    # Deleting it again (a second click, a retried request) changes nothing.
    letter_response_delete(response=second)
    letter.refresh_from_db()
    assert letter.status == Letter.Status.SENT


def test_deleting_a_response_leaves_a_status_staff_set_by_hand():
    minister = PersonFactory()
    letter = _sent_letter(minister)
    response = letter_response_record(
        letter=letter, person=minister, received_on=datetime.date(2025, 2, 1), summary="One."
    )
    letter_save(letter=letter, status=Letter.Status.PUBLISHED)
    letter_response_delete(response=response)
    letter.refresh_from_db()
    assert letter.status == Letter.Status.PUBLISHED


def test_moving_a_response_to_another_letter_moves_both_statuses():
    minister = PersonFactory()
    wrong, right = _sent_letter(minister), _sent_letter(minister)
    response = letter_response_record(
        letter=wrong, person=minister, received_on=datetime.date(2025, 2, 1), summary="Reply."
    )
    letter_response_record(response=response, letter=right)
    wrong.refresh_from_db()
    right.refresh_from_db()
    assert (wrong.status, right.status) == (Letter.Status.SENT, Letter.Status.RESPONDED)


def test_a_response_keeps_a_history_of_its_changes():
    minister = PersonFactory()
    response = letter_response_record(
        letter=_sent_letter(minister), person=minister, received_on=TODAY, summary="First."
    )
    letter_response_record(response=response, summary="Corrected.")
    assert [v.summary for v in response.history.all()] == ["Corrected.", "First."]


# --- per recipient ------------------------------------------------------------------------------


def test_each_recipient_has_sent_on_answered_on_and_days_waiting():
    ministry = OrganizationFactory(name="Ministry of Justice")
    minister = PersonFactory(full_name="A Minister", organization=ministry)
    envoy = PersonFactory(full_name="B Envoy")
    mayor = PersonFactory(full_name="C Mayor")
    letter = _sent_letter(minister, envoy, mayor, sent_on=datetime.date(2025, 1, 10))
    # The ministry answers for its minister; the envoy answers twice (the first counts).
    letter_response_record(
        letter=letter, organization=ministry, received_on=datetime.date(2025, 1, 20), summary="."
    )
    letter_response_record(
        letter=letter, person=envoy, received_on=datetime.date(2025, 2, 9), summary="Later."
    )
    letter_response_record(
        letter=letter, person=envoy, received_on=datetime.date(2025, 2, 1), summary="First."
    )
    rows = [
        (r.recipient.full_name, r.sent_on, r.answered_on, r.days_waiting)
        for r in letter_recipient_statuses(letter=letter)
    ]
    assert rows == [
        ("A Minister", datetime.date(2025, 1, 10), datetime.date(2025, 1, 20), 10),
        ("B Envoy", datetime.date(2025, 1, 10), datetime.date(2025, 2, 1), 22),
        ("C Mayor", datetime.date(2025, 1, 10), None, 63),  # to today, 14 March
    ]


def test_a_draft_has_no_days_waiting():
    letter = LetterFactory(status=Letter.Status.DRAFT, sent_on=None)
    letter.recipients.add(PersonFactory())
    (row,) = letter_recipient_statuses(letter=letter)
    assert (row.sent_on, row.answered_on, row.days_waiting) == (None, None, None)


def test_letters_waiting_for_an_answer_lists_each_silent_recipient_after_30_days():
    minister, envoy, mayor = (PersonFactory(full_name=n) for n in ("Minister", "Envoy", "Mayor"))
    old = _sent_letter(minister, envoy, title="Old", sent_on=TODAY - datetime.timedelta(days=90))
    _sent_letter(mayor, title="Recent", sent_on=TODAY - datetime.timedelta(days=29))
    month = _sent_letter(mayor, title="A month", sent_on=TODAY - datetime.timedelta(days=30))
    draft = LetterFactory(
        title="Draft", status=Letter.Status.DRAFT, sent_on=datetime.date(2024, 1, 1)
    )
    draft.recipients.add(mayor)
    letter_response_record(letter=old, person=envoy, received_on=TODAY, summary="Answered.")
    rows = [
        (r.letter.title, r.recipient.full_name, r.sent_on, r.days_waiting)
        for r in letters_waiting_for_answer()
    ]
    assert rows == [
        ("Old", "Minister", TODAY - datetime.timedelta(days=90), 90),
        ("A month", "Mayor", month.sent_on, 30),
    ]


def test_letters_waiting_for_an_answer_takes_one_query_however_many_there_are():
    people = [PersonFactory() for _ in range(3)]
    _sent_letter(*people, sent_on=datetime.date(2024, 1, 1))
    with CaptureQueriesContext(connection) as few:
        assert len(letters_waiting_for_answer()) == 3
    for _ in range(10):
        _sent_letter(*people, sent_on=datetime.date(2024, 1, 1))
    with CaptureQueriesContext(connection) as many:
        rows = letters_waiting_for_answer()
        assert len(rows) == 33
        assert {r.recipient.full_name for r in rows} == {p.full_name for p in people}
    assert len(many) == len(few) == 1


# --- a campaign at a glance ---------------------------------------------------------------------


def _campaign_with(n_letters: int):
    campaign = CampaignFactory()
    for i in range(n_letters):
        minister = PersonFactory()
        letter = _sent_letter(minister, campaign=campaign, sent_on=datetime.date(2024, 12, 1))
        SignatureFactory(letter=letter)
        SignatureFactory(letter=letter)
        if i % 2 == 0:
            letter_response_record(
                letter=letter, person=minister, received_on=datetime.date(2025, 1, 5), summary="."
            )
        person = DetainedPerson.objects.create(name=f"Case {i}", country="CN")
        campaign.detained_persons.add(person)
    return campaign


def test_a_campaign_summary_counts_its_cases_letters_signatures_and_answers():
    campaign = _campaign_with(3)
    summary = campaign_summary(campaign=campaign, user=EVERYONE)
    assert summary.totals == {
        "cases": 3,
        "letters": 3,
        "letters_sent": 3,
        "letters_responded": 2,
        "signatures": 6,
        "responses": 2,
        "recipients_waiting": 1,
    }
    assert [letter.n_signatures for letter in summary.letters] == [2, 2, 2]
    assert sorted(letter.status for letter in summary.letters) == ["responded", "responded", "sent"]


def test_a_campaign_summary_takes_as_many_queries_for_many_letters_as_for_one():
    one, many = _campaign_with(1), _campaign_with(12)
    with CaptureQueriesContext(connection) as few_queries:
        campaign_summary(campaign=one, user=EVERYONE)
    with CaptureQueriesContext(connection) as many_queries:
        summary = campaign_summary(campaign=many, user=EVERYONE)
        assert sum(len(x.recipient_statuses) for x in summary.letters) == 12
    assert len(many_queries) == len(few_queries) == 3
