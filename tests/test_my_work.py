""" "My work" at the top of the dashboard: the signed-in staff member's cases with something
due, letters waiting and mentions to review, each with its link and its empty state, each for
those who may read it, in a fixed number of queries."""

import datetime

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from campaigns.models import Letter, Person
from config.formats import staff_date
from config.roles import VIEWER
from tracker.cases.services import case_officer_add
from tracker.models import CaseEvent, DetainedPerson, Mention, NewsItem
from tracker.workspace.dashboard import dashboard
from tracker.workspace.models import Task

pytestmark = pytest.mark.django_db


def days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


@pytest.fixture
def me(django_user_model):
    user = django_user_model.objects.create_user(username="me", password="x", is_staff=True)
    user.groups.add(Group.objects.get(name=VIEWER))
    return user


@pytest.fixture
def colleague(django_user_model):
    return django_user_model.objects.create_user(username="colleague", password="x", is_staff=True)


def _case(name, *, owner, lead=False, over_limit=False, hearing_in=None):
    person = DetainedPerson.objects.create(name=name, status="rsdl", country="CN")
    CaseEvent.objects.create(person=person, date=days(-190 if over_limit else -10), kind="rsdl")
    if hearing_in is not None:
        CaseEvent.objects.create(person=person, date=days(hearing_in), kind="hearing")
    case_officer_add(person=person, user=owner, lead=lead)
    return person


def _mention(person, n):
    item = NewsItem.objects.create(url=f"https://news.example.org/{n}", title=f"News {n}")
    return Mention.objects.create(news_item=item, person=person, matched_terms=[person.name])


def _letter(title, *, owner, recipient):
    letter = Letter.objects.create(title=title, status="sent", sent_on=days(-40), owner=owner)
    letter.recipients.set([recipient])
    return letter


def _world(n, *, me, colleague):
    recipient = Person.objects.create(full_name=f"Minister {n}")
    for i in range(n):
        over = _case(f"Over {n}-{i}", owner=me, lead=True, over_limit=True)
        soon = _case(f"Soon {n}-{i}", owner=me, hearing_in=3)
        later = _case(f"Later {n}-{i}", owner=me, hearing_in=20)  # nothing due
        tasked = _case(f"Tasked {n}-{i}", owner=me)
        Task.objects.create(title=f"Call the lawyer {n}-{i}", due_on=days(2), person=tasked)
        Task.objects.create(title=f"Write {n}-{i}", due_on=days(30), person=later, assignee=me)
        Task.objects.create(title=f"Visit {n}-{i}", due_on=days(-1), assignee=me)
        theirs = _case(f"Theirs {n}-{i}", owner=colleague, over_limit=True, hearing_in=1)
        _mention(over, f"{n}-{i}-a")
        _mention(soon, f"{n}-{i}-b")
        _mention(theirs, f"{n}-{i}-c")
        _letter(f"Mine {n}-{i}", owner=me, recipient=recipient)
        _letter(f"Theirs {n}-{i}", owner=colleague, recipient=recipient)


def test_my_work_lists_my_cases_with_something_due_my_letters_and_my_mentions(me, colleague):
    _world(1, me=me, colleague=colleague)

    work = dashboard(user=me)["my_work"]

    rows = {row["person"].name: (row["is_lead"], row["due"]) for row in work["cases"]["rows"]}
    assert rows == {
        "Over 1-0": (True, ["7 days over its legal limit"]),
        "Soon 1-0": (False, [f"hearing on {staff_date(days(3))}"]),
        "Tasked 1-0": (False, [f"task due {staff_date(days(2))}: Call the lawyer 1-0"]),
    }
    assert work["cases"]["url"] == "/admin/tracker/detainedperson/?officer=me"
    assert [row.letter.title for row in work["letters"]["rows"]] == ["Mine 1-0"]
    assert work["letters"]["url"] == "/admin/campaigns/letter/?owner=me"
    assert work["mentions"]["count"] == 2
    assert {m.person.name for m in work["mentions"]["rows"]} == {"Over 1-0", "Soon 1-0"}
    assert work["mentions"]["url"] == "/admin/tracker/mention/?status__exact=new&officer=me"
    assert [t.title for t in work["tasks"]["rows"]] == ["Visit 1-0", "Write 1-0"]
    assert (work["tasks"]["open"], work["tasks"]["overdue"]) == (2, 1)
    assert work["tasks"]["url"] == "/admin/tracker/task/?mine=yes"


def test_my_works_links_open_the_lists_filtered_to_me(client, me, colleague):
    _world(1, me=me, colleague=colleague)
    client.force_login(me)
    work = dashboard(user=me)["my_work"]

    cases = client.get(work["cases"]["url"]).context["cl"].result_list
    assert {p.name for p in cases} == {"Over 1-0", "Soon 1-0", "Later 1-0", "Tasked 1-0"}
    tasks = client.get(work["tasks"]["url"]).context["cl"].result_list
    assert {t.title for t in tasks} == {"Visit 1-0", "Write 1-0"}
    letters = client.get(work["letters"]["url"]).context["cl"].result_list
    assert [letter.title for letter in letters] == ["Mine 1-0"]
    mentions = client.get(work["mentions"]["url"]).context["cl"].result_list
    assert {m.person.name for m in mentions} == {"Over 1-0", "Soon 1-0"}


def test_the_home_page_opens_with_my_work_and_says_when_each_part_is_empty(client, me):
    client.force_login(me)

    page = client.get(reverse("admin:index")).content.decode()

    assert page.index('id="vd-my-work-h"') < page.index('id="vd-limits-h"')
    for message in [
        "None of your cases is at or near a legal limit",
        "No letter of yours is waiting for an answer.",
        "No new mentions of your cases to review.",
        "You have no open tasks.",
    ]:
        assert message in page, message


def test_my_work_leaves_out_what_i_may_not_read(client, django_user_model):
    user = django_user_model.objects.create_user(username="cases", password="x", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_detainedperson"))

    work = dashboard(user=user)["my_work"]

    assert work["cases"] is not None
    assert (work["letters"], work["mentions"], work["tasks"]) == (None, None, None)
    client.force_login(user)
    page = client.get(reverse("admin:index")).content.decode()
    assert "My letters waiting" not in page and "News of my cases" not in page


def _queries(callable_) -> int:
    with CaptureQueriesContext(connection) as queries:
        callable_()
    return len(queries)


def test_my_work_reads_as_many_queries_for_40_of_my_cases_as_for_4(client, me, colleague):
    client.force_login(me)
    url = reverse("admin:index")
    _world(1, me=me, colleague=colleague)
    few = _queries(lambda: client.get(url))
    _world(10, me=me, colleague=colleague)
    assert len(dashboard(user=me)["my_work"]["cases"]["rows"]) == 33
    assert _queries(lambda: client.get(url)) == few
