"""Tasks in the admin: the list, the tasks on a case's, letter's and campaign's page, and
"Mark the selected tasks done" with its confirmation page."""

import datetime

import pytest
from django.contrib.admin import helpers
from django.urls import reverse
from django.utils import timezone

from tests.campaigns.factories import CampaignFactory, LetterFactory
from tests.tracker.factories import DetainedPersonFactory
from tracker.models import StaffPreference, Task

pytestmark = pytest.mark.django_db

LIST = "admin:tracker_task_changelist"


def task(user, *, title="Call the lawyer", due_in=0, **fields):
    return Task.objects.create(
        title=title,
        assignee=user,
        due_on=timezone.localdate() + datetime.timedelta(days=due_in),
        **fields,
    )


def test_the_list_shows_open_tasks_by_default_and_mine_on_request(staff_client, staff_user, alice):
    task(staff_user, title="Mine, open")
    task(alice, title="Alice's, open")
    task(staff_user, title="Mine, done", done_at=timezone.now())

    page = staff_client.get(reverse(LIST)).content.decode()
    assert "Mine, open" in page and "Alice&#x27;s, open" in page and "Mine, done" not in page

    mine = staff_client.get(reverse(LIST) + "?mine=yes").content.decode()
    assert "Mine, open" in mine and "Alice" not in mine.split("<tbody")[1]

    done = staff_client.get(reverse(LIST) + "?done=done").content.decode()
    assert "Mine, done" in done and "Mine, open" not in done


def test_mark_done_asks_first_then_marks_the_open_ones_with_one_service_call(
    staff_client, staff_user, alice
):
    first = task(alice, title="First")
    second = task(staff_user, title="Second")
    earlier = timezone.now() - datetime.timedelta(days=2)
    done = task(alice, title="Done before", done_at=earlier, done_by=alice)
    selection = {
        "action": "mark_done",
        helpers.ACTION_CHECKBOX_NAME: [first.pk, second.pk, done.pk],
    }

    every = reverse(LIST) + "?done=all"  # the list shows open tasks only by default
    confirm = staff_client.post(every, selection)
    assert confirm.status_code == 200
    page = confirm.content.decode()
    assert "Mark 2 tasks done" in page and "Done before" in page
    assert not Task.objects.filter(done_by=staff_user).exists()  # nothing yet

    response = staff_client.post(every, {**selection, "post": "yes"})
    assert response.status_code == 302
    assert set(Task.objects.filter(done_by=staff_user).values_list("pk", flat=True)) == {
        first.pk,
        second.pk,
    }
    done.refresh_from_db()
    assert (done.done_by, done.done_at) == (alice, earlier)
    assert first.history.latest().history_user == staff_user


def test_the_case_letter_and_campaign_pages_show_their_tasks(staff_client, alice):
    person, letter, campaign = DetainedPersonFactory(), LetterFactory(), CampaignFactory()
    task(alice, title="About the case", person=person)
    task(alice, title="About the letter", letter=letter)
    task(alice, title="About the campaign", campaign=campaign)
    pages = {
        "About the case": reverse("admin:tracker_detainedperson_change", args=[person.pk]),
        "About the letter": reverse("admin:campaigns_letter_change", args=[letter.pk]),
        "About the campaign": reverse("admin:campaigns_campaign_change", args=[campaign.pk]),
    }
    for title, url in pages.items():
        response = staff_client.get(url)
        assert response.status_code == 200, url
        assert title in response.content.decode(), url


def test_a_task_added_on_a_case_page_is_the_savers_and_ticking_done_marks_it(
    staff_client, staff_user
):
    person = DetainedPersonFactory()
    url = reverse("admin:tracker_detainedperson_change", args=[person.pk])
    form = staff_client.get(url).context["adminform"].form
    data = {
        name: value
        for name, value in {
            **{f.name: form.initial.get(f.name, f.field.initial) for f in form},
        }.items()
        if value is not None and not isinstance(value, list | dict)
    }
    data.update(
        {
            "name": person.name,
            "status": person.status,
            "publicity": person.publicity,
            "country": "CN",
            "aliases": "",
            "context_terms": "",
            "events-TOTAL_FORMS": "0",
            "events-INITIAL_FORMS": "0",
            "tasks-TOTAL_FORMS": "1",
            "tasks-INITIAL_FORMS": "0",
            "tasks-0-title": "Visit the family",
            "tasks-0-due_on": "2026-12-10",
            "tasks-0-assignee": str(staff_user.pk),
            "tasks-0-done": "on",
        }
    )

    response = staff_client.post(url, data)

    assert response.status_code == 302, response.context["errors"]
    added = Task.objects.get()
    assert (added.person, added.created_by, added.done_by) == (person, staff_user, staff_user)


def test_ticking_done_on_a_tasks_page_is_in_its_history(staff_client, staff_user, alice):
    mine = task(alice, title="Send the letter")
    url = reverse("admin:tracker_task_change", args=[mine.pk])
    data = {
        "title": mine.title,
        "due_on": mine.due_on.isoformat(),
        "assignee": alice.pk,
        "notes": "",
        "done": "on",
    }

    response = staff_client.post(url, data)

    assert response.status_code == 302, response.context["errors"]
    mine.refresh_from_db()
    assert mine.done_by == staff_user
    latest = mine.history.latest()
    assert latest.done_by_id == staff_user.pk and latest.history_user == staff_user


def test_any_staff_member_turns_their_own_morning_email_off_and_on_from_the_account_menu(
    client, django_user_model
):
    member = django_user_model.objects.create_user("member", "m@example.org", "x", is_staff=True)
    client.force_login(member)  # no permission on preferences: their own is theirs
    url = reverse("admin:tracker_staffpreference_mine")

    assert url in client.get(reverse("admin:index")).content.decode()  # the account menu
    page = client.get(url)
    assert page.status_code == 200 and "Turn it off" in page.content.decode()

    assert client.post(url, {"reminders": "off"}).status_code == 302
    assert StaffPreference.objects.get(user=member).task_reminders is False
    assert "Turn it on" in client.get(url).content.decode()
    client.post(url, {"reminders": "on"})
    assert StaffPreference.objects.get(user=member).task_reminders is True
