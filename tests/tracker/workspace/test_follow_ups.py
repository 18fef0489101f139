"""Vigil makes follow-up tasks itself, once each however often the beat job runs."""

import datetime

import pytest
from django.test import override_settings

from campaigns.models import LetterResponse
from tests.tracker.workspace.conftest import (
    TODAY,
    case_near_limit,
    case_with_lead,
    hearing,
    sent_letter,
)
from tracker.models import Task
from tracker.tasks import create_follow_ups
from tracker.workspace.services import follow_ups_create

pytestmark = pytest.mark.django_db


def test_an_unanswered_letter_gets_a_chase_for_each_waiting_recipient_for_its_owner(alice):
    letter = sent_letter(owner=alice, days_ago=31, recipients=2)
    answered, waiting = sorted(letter.recipients.all(), key=lambda p: p.pk)
    LetterResponse.objects.create(
        letter=letter, person=answered, received_on=TODAY, summary="Noted."
    )

    counts = follow_ups_create(today=TODAY)

    assert counts.chase == 1
    task = Task.objects.get()
    assert task.assignee == alice and task.letter == letter and task.due_on == TODAY
    assert task.title.startswith(f"Chase {waiting.full_name}")
    assert task.follow_up_key == f"chase:letter:{letter.pk}:person:{waiting.pk}"
    assert task.origin == Task.Origin.CHASE
    assert task.history.get().history_change_reason == "Follow-up made by Vigil"


def test_running_the_beat_job_twice_creates_nothing_new(alice, clock):
    sent_letter(owner=alice, days_ago=40)
    person, _ends = case_near_limit(alice, days_left=3)
    hearing(person, in_days=2)

    first = create_follow_ups.apply().get()
    second = create_follow_ups.apply().get()

    assert first == {"chase": 1, "legal_limit": 1, "hearing": 1, "no_owner": 0}
    assert second == {"chase": 0, "legal_limit": 0, "hearing": 0, "no_owner": 0}
    assert Task.objects.count() == 3


def test_a_done_follow_up_is_not_made_again(alice):
    sent_letter(owner=alice, days_ago=40)
    follow_ups_create(today=TODAY)
    Task.objects.update(done_at=datetime.datetime(2026, 12, 1, tzinfo=datetime.UTC))

    assert follow_ups_create(today=TODAY + datetime.timedelta(days=1)).chase == 0
    assert Task.objects.count() == 1


def test_a_letter_sent_recently_or_without_an_owner_gets_no_chase(alice):
    sent_letter(owner=alice, days_ago=29)
    sent_letter(owner=None, days_ago=60)

    counts = follow_ups_create(today=TODAY)

    assert (counts.chase, counts.no_owner) == (0, 1)
    assert not Task.objects.exists()


@override_settings(FOLLOW_UP_CHASE_AFTER_DAYS=10)
def test_the_chase_delay_is_a_setting(alice):
    sent_letter(owner=alice, days_ago=10)
    assert follow_ups_create(today=TODAY).chase == 1


def test_a_case_near_its_legal_limit_gets_a_task_for_its_lead_due_on_the_limit(alice, bob):
    near, ends_on = case_near_limit(alice, days_left=7)
    case_near_limit(bob, days_left=8)  # not yet

    counts = follow_ups_create(today=TODAY)

    assert counts.legal_limit == 1
    task = Task.objects.get()
    assert (task.assignee, task.person, task.due_on) == (alice, near, ends_on)
    assert task.follow_up_key == f"limit:person:{near.pk}:{ends_on:%Y-%m-%d}"


def test_a_case_without_a_lead_gets_no_follow_up(alice):
    person, _ends = case_near_limit(None, days_left=2)
    hearing(person, in_days=1)

    counts = follow_ups_create(today=TODAY)

    assert (counts.total, counts.no_owner) == (0, 2)


def test_a_hearing_in_the_next_seven_days_gets_a_task_for_the_lead(alice):
    person = case_with_lead(alice)
    soon = hearing(person, in_days=7)
    hearing(person, in_days=8)
    hearing(person, in_days=-1)

    counts = follow_ups_create(today=TODAY)

    assert counts.hearing == 1
    task = Task.objects.get()
    assert (task.assignee, task.person, task.due_on) == (alice, person, soon.date)
    assert task.follow_up_key == f"hearing:event:{soon.pk}"


@override_settings(FOLLOW_UP_HEARING_DAYS=2, FOLLOW_UP_LIMIT_WARNING_DAYS=1)
def test_the_warning_days_are_settings(alice):
    person = case_with_lead(alice)
    hearing(person, in_days=3)
    case_near_limit(alice, days_left=2)

    assert follow_ups_create(today=TODAY).total == 0


def test_a_letter_whose_owner_left_gets_no_chase(alice):
    sent_letter(owner=alice, days_ago=40)
    alice.is_active = False
    alice.save()

    counts = follow_ups_create(today=TODAY)

    assert (counts.chase, counts.no_owner) == (0, 1)
