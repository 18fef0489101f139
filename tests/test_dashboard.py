"""The admin's home page: every panel against data made here, and its cost in queries."""

import datetime

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from campaigns.models import Letter, Person
from campaigns.selectors import letters_waiting_for_answer
from campaigns.services import letter_response_record
from tracker.models import CaseEvent, CaseOfficer, DetainedPerson, Mention, NewsItem, NewsSource
from tracker.workspace.dashboard import (
    NEAR_LIMIT_SHOWN,
    cases_by_country,
    cases_by_status,
    dashboard,
    detention_anniversaries,
    failing_sources,
    held_longest,
    mentions_per_week,
    review_queue,
    upcoming_events,
)
from tracker.workspace.models import Task

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 10)  # a Wednesday
# Reads every panel (tests/test_panel_permissions.py reads them as narrower roles).
EVERYONE = User(username="root", is_superuser=True, is_active=True)


def days(n: int, today: datetime.date = TODAY) -> datetime.date:
    return today + datetime.timedelta(days=n)


def _person(name="Lin Qiuyue", *, status="detained", detained_on=None, country="CN", **fields):
    return DetainedPerson.objects.create(
        name=name, status=status, detained_on=detained_on, country=country, **fields
    )


def _mention(
    person,
    *,
    found_days_ago=0,
    published_days_ago=None,
    status=Mention.Status.NEW,
    title=None,
    today=TODAY,
):
    published = None
    if published_days_ago is not None:
        published = timezone.make_aware(
            datetime.datetime.combine(days(-published_days_ago, today), datetime.time(8))
        )
    item = NewsItem.objects.create(
        url=f"https://news.example.org/{NewsItem.objects.count()}",
        title=title or f"{person.name} in the news",
        published_at=published,
    )
    mention = Mention.objects.create(news_item=item, person=person, status=status)
    found = timezone.make_aware(
        datetime.datetime.combine(days(-found_days_ago, today), datetime.time(12))
    )
    Mention.objects.filter(pk=mention.pk).update(created_at=found)
    return mention


def _letter(title, *, sent_days_ago, status="sent", recipients=(), today=TODAY):
    letter = Letter.objects.create(title=title, status=status, sent_on=days(-sent_days_ago, today))
    letter.recipients.set(recipients)
    return letter


def test_cases_by_status_count_each_status_in_order_with_a_link_to_those_cases():
    _person("A", status="rsdl")
    _person("B", status="rsdl")
    _person("C", status="detained")
    rows = cases_by_status()
    assert [(r["status"], r["count"]) for r in rows] == [("detained", 1), ("rsdl", 2)]
    assert rows[1]["url"] == "/admin/tracker/detainedperson/?status__exact=rsdl"


def test_cases_by_country_most_first_with_a_link_to_those_cases():
    _person("A", country="VN")
    _person("B", country="CN")
    _person("C", country="CN")
    rows = cases_by_country()
    assert [(r["name"], r["count"]) for r in rows] == [("China", 2), ("Vietnam", 1)]
    assert rows[1]["url"] == "/admin/tracker/detainedperson/?country__exact=VN"


def test_held_longest_lists_people_still_held_longest_first_ten_at_most():
    oldest = _person("Oldest", detained_on=days(-3000))
    _person("Released", status="released", detained_on=days(-5000))
    _person("On bail", status="released_on_bail", detained_on=days(-4000))
    from_event = _person("From an event", status="rsdl")
    CaseEvent.objects.create(person=from_event, date=days(-2000), kind="disappeared")
    for n in range(10):
        _person(f"Recent {n}", detained_on=days(-n - 1))
    panel = held_longest(today=TODAY)
    rows = panel["rows"]
    assert [(r["person"], r["days"]) for r in rows[:2]] == [(oldest, 3000), (from_event, 2000)]
    assert len(rows) == 10
    assert panel["open_count"] == 12


def test_legal_limits_panel_lists_cases_past_or_near_their_limit():
    over = _person("Over", status="rsdl", detained_on=days(-200))
    _person("Fine", status="rsdl", detained_on=days(-100))
    near = dashboard(user=EVERYONE, today=TODAY)["near_limit"]
    assert [(c.person, c.days_over) for c in near] == [(over, 17)]


def test_upcoming_lists_events_of_the_next_30_days_soonest_first():
    person = _person()
    later = CaseEvent.objects.create(person=person, date=days(30), kind="hearing")
    soon = CaseEvent.objects.create(person=person, date=days(2), kind="hearing")
    CaseEvent.objects.create(person=person, date=days(31), kind="hearing")
    CaseEvent.objects.create(person=person, date=days(-1), kind="hearing")
    panel = upcoming_events(today=TODAY)
    assert panel["rows"] == [soon, later]
    assert "date__gte=2026-06-10" in panel["url"]


def test_anniversaries_of_1_2_5_and_10_years_held_in_the_next_30_days():
    two = _person("Two years", detained_on=datetime.date(2024, 6, 20))
    ten = _person("Ten years", detained_on=datetime.date(2016, 6, 10))
    _person("Three years", detained_on=datetime.date(2023, 6, 20))
    _person("Released", status="released", detained_on=datetime.date(2025, 6, 20))
    _person("Two years, next month", detained_on=datetime.date(2024, 7, 11))
    rows = detention_anniversaries(today=TODAY)
    assert [(r["person"], r["years"], r["on"], r["in_days"]) for r in rows] == [
        (ten, 10, TODAY, 0),
        (two, 2, datetime.date(2026, 6, 20), 10),
    ]


def test_review_queue_counts_new_mentions_and_lists_the_oldest_articles_first():
    person = _person()
    # Found in another order than they were published: an old article found yesterday.
    middle = _mention(person, found_days_ago=9, published_days_ago=10)
    oldest = _mention(person, found_days_ago=1, published_days_ago=400)
    _mention(person, found_days_ago=20, published_days_ago=500, status=Mention.Status.CONFIRMED)
    newest = _mention(person, found_days_ago=5, published_days_ago=6)
    undated = _mention(person, found_days_ago=30)  # its date unknown: last
    panel = review_queue()
    assert panel["new_count"] == 4
    assert panel["oldest"] == [oldest, middle, newest, undated]


def test_the_review_panel_dates_each_mention_by_when_it_was_published(staff_client):
    person = _person()
    _mention(person, found_days_ago=1, published_days_ago=400, title="An old article")
    _mention(person, found_days_ago=2, title="An article of unknown date")
    page = staff_client.get(reverse("admin:index")).content.decode()
    panel = page[page.index('id="vd-review-h"') :]
    assert "oldest article first (by the date it was published)" in panel
    published = days(-400).strftime("%-d %B %Y")  # e.g. 6 May 2025
    assert f'title="Published">{published}</time>' in panel
    assert panel.index("An old article") < panel.index("An article of unknown date")
    assert "Date unknown" in panel


def test_review_queue_lists_active_sources_whose_last_poll_failed():
    failing = NewsSource.objects.create(
        name="Failing", url="https://a.example.org/rss", last_status="failed"
    )
    NewsSource.objects.create(name="OK", url="https://b.example.org/rss", last_status="ok")
    NewsSource.objects.create(
        name="Switched off", url="https://c.example.org/rss", last_status="failed", active=False
    )
    assert failing_sources()["rows"] == [failing]


def test_letters_waiting_lists_each_recipient_of_letters_unanswered_after_30_days():
    minister = Person.objects.create(full_name="A Minister")
    ambassador = Person.objects.create(full_name="An Ambassador")
    waiting = _letter("Old appeal", sent_days_ago=45, recipients=[minister, ambassador])
    _letter("Recent appeal", sent_days_ago=29, recipients=[minister])
    answered = _letter("Answered", sent_days_ago=90, recipients=[minister])
    letter_response_record(
        letter=answered, person=minister, received_on=days(-60), summary="Under review."
    )
    _letter("Draft", sent_days_ago=90, status="draft", recipients=[minister])
    rows = letters_waiting_for_answer(today=TODAY)
    assert [(r.letter, r.recipient, r.days_waiting) for r in rows] == [
        (waiting, minister, 45),
        (waiting, ambassador, 45),
    ]


def test_mentions_per_week_counts_26_weeks_by_status():
    person = _person()
    _mention(person, found_days_ago=0)  # this week (from Monday 8 June)
    _mention(person, found_days_ago=2, status=Mention.Status.CONFIRMED)  # Monday 8 June
    _mention(person, found_days_ago=3, status=Mention.Status.DISMISSED)  # the week before
    _mention(person, found_days_ago=7 * 26, status=Mention.Status.CONFIRMED)  # too old
    weekly = mentions_per_week(today=TODAY)
    assert len(weekly["weeks"]) == 26
    assert weekly["weeks"][-1] == "8 June"  # the chart's label, in the staff's format
    series = {s["status"]: s["counts"] for s in weekly["series"]}
    assert (series["new"][-1], series["confirmed"][-1], series["dismissed"][-1]) == (1, 1, 0)
    assert series["dismissed"][-2] == 1
    assert weekly["total"] == 3


def _world(n: int, today: datetime.date = TODAY) -> None:
    """n cases, each with events, mentions, a letter and a source: every panel has rows."""
    recipient = Person.objects.create(full_name=f"Recipient {n}")
    for i in range(n):
        person = _person(f"Case {n}-{i}", status="rsdl", detained_on=days(-180 - i, today))
        CaseEvent.objects.create(person=person, date=days(-180 - i, today), kind="rsdl")
        CaseEvent.objects.create(person=person, date=days(1 + i % 20, today), kind="hearing")
        _mention(person, found_days_ago=i % 100, today=today)
        _mention(person, found_days_ago=i % 60, status=Mention.Status.CONFIRMED, today=today)
        _letter(f"Letter {n}-{i}", sent_days_ago=40 + i, recipients=[recipient], today=today)
        NewsSource.objects.create(
            name=f"Source {n}-{i}", url=f"https://{i}.example.org/rss", last_status="failed"
        )
    _person(f"Anniversary {n}", status="sentenced", detained_on=days(10, today).replace(year=2025))


def _queries(callable_) -> int:
    with CaptureQueriesContext(connection) as queries:
        callable_()
    return len(queries)


def test_the_dashboard_reads_as_many_queries_for_50_cases_as_for_5():
    _world(5)
    few = _queries(lambda: dashboard(user=EVERYONE, today=TODAY))
    assert len(dashboard(user=EVERYONE, today=TODAY)["near_limit"]) == 5
    _world(45)
    data = dashboard(user=EVERYONE, today=TODAY)
    # All 50 counted, the 20 most overdue listed.
    assert data["near_count"] == 50 and data["review"]["new_count"] == 50
    assert len(data["near_limit"]) == NEAR_LIMIT_SHOWN == 20
    assert _queries(lambda: dashboard(user=EVERYONE, today=TODAY)) == few


def _bulk_world(n: int, *, officer, today: datetime.date) -> None:
    """n more cases in bulk, each with something in every panel: near its limit, held since an
    anniversary, a hearing, new mentions, a task, a letter waiting; officer is an officer of
    every tenth."""
    people = DetainedPerson.objects.bulk_create(
        DetainedPerson(
            name=f"Bulk {i}",
            status="rsdl",
            country="CN",
            detained_on=days(-365 - i % 3, today),
        )
        for i in range(n)
    )
    CaseEvent.objects.bulk_create(
        event
        for i, person in enumerate(people)
        for event in (
            CaseEvent(person=person, date=days(-180 - i % 20, today), kind="rsdl"),
            CaseEvent(person=person, date=days(1 + i % 10, today), kind="hearing"),
        )
    )
    CaseOfficer.objects.bulk_create(
        CaseOfficer(person=person, user=officer, is_lead=i % 20 == 0)
        for i, person in enumerate(people)
        if i % 10 == 0
    )
    items = NewsItem.objects.bulk_create(
        NewsItem(url=f"https://bulk.example.org/{n}/{i}", title=f"Bulk news {i}") for i in range(n)
    )
    Mention.objects.bulk_create(
        Mention(news_item=item, person=person) for item, person in zip(items, people, strict=True)
    )
    Task.objects.bulk_create(
        Task(title=f"Bulk task {i}", due_on=days(i % 5, today), person=person, assignee=officer)
        for i, person in enumerate(people)
        if i % 5 == 0
    )
    recipient = Person.objects.create(full_name=f"Bulk recipient {n}")
    for i in range(0, n, 25):
        letter = Letter.objects.create(
            title=f"Bulk letter {n}-{i}", status="sent", sent_on=days(-40, today), owner=officer
        )
        letter.recipients.set([recipient])


# What the dashboard reads for a user who may read every panel and owns cases, however many
# cases there are: who owns which case; the counts of cases; the cases near their limit, held
# longest and with an anniversary; the events of the next 30 days; the mentions per week with
# the numbers to review; the mentions to review; the letters waiting; the failing sources;
# the tasks. (The page adds the admin's own: session, user, second factor, sidebar.)
DASHBOARD_QUERIES = 9


def test_the_dashboard_reads_nine_queries_with_5_cases_or_500(django_user_model):
    today = timezone.localdate()
    me = django_user_model.objects.create_superuser("officer", "officer@example.org", "x")
    _world(5, today)
    _bulk_world(5, officer=me, today=today)
    assert _queries(lambda: dashboard(user=me, today=today)) == DASHBOARD_QUERIES
    _bulk_world(490, officer=me, today=today)
    data = dashboard(user=me, today=today)
    assert data["near_count"] == 500 and len(data["near_limit"]) == NEAR_LIMIT_SHOWN
    assert len(data["my_work"]["cases"]["rows"]) == 50  # one case in ten is mine
    assert data["my_work"]["mentions"]["count"] == 50
    assert data["my_work"]["tasks"]["open"] == 99 and len(data["my_work"]["letters"]["rows"]) == 21
    assert _queries(lambda: dashboard(user=me, today=today)) == DASHBOARD_QUERIES


def test_the_home_page_reads_as_many_queries_for_50_cases_as_for_5(admin_client):
    today = timezone.localdate()
    _world(5, today)
    url = reverse("admin:index")
    page = admin_client.get(url).content.decode()
    assert "Hearing" in page and "1 year held" in page and "Letter 5-0" in page
    few = _queries(lambda: admin_client.get(url))
    _world(45, today)
    assert _queries(lambda: admin_client.get(url)) == few


def test_long_lists_show_their_first_rows_and_say_how_many_more(staff_client):
    today = timezone.localdate()
    for i in range(25):
        person = _person(f"Over {i:02}", status="rsdl", detained_on=today.replace(year=2024))
        CaseEvent.objects.create(person=person, date=days(-190 - i, today), kind="rsdl")
    page = staff_client.get(reverse("admin:index")).content.decode()
    assert "<strong>25</strong> at or near a legal limit" in page
    limits = page[page.index('id="vd-limits-h"') : page.index('id="vd-status-h"')]
    assert "Over 24" in limits and "Over 05" in limits and "Over 04" not in limits  # most over
    assert "and 5 more further from their limit." in limits
    ahead = page[page.index('id="vd-upcoming-h"') :]
    assert ahead.count("2 years held") == 20 and "and 5 more later in the 30 days." in ahead


def test_the_home_page_shows_staff_the_numbers_with_links(staff_client):
    today = timezone.localdate()
    over = _person("Wang Over", native_name="王", status="rsdl")
    CaseEvent.objects.create(person=over, date=today - datetime.timedelta(days=190), kind="rsdl")
    _mention(over, title="Lawyer Wang still held")
    Mention.objects.update(created_at=timezone.now())
    response = staff_client.get(reverse("admin:index"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "7 over" in page  # 190 days in RSDL against 183
    assert "1</strong> mentions to review" in page
    assert "Lawyer Wang still held" in page
    assert reverse("admin:tracker_detainedperson_change", args=[over.pk]) in page
    # Every record is still a click away.
    assert reverse("admin:campaigns_letter_changelist") in page


def test_each_chart_has_a_table_with_its_numbers_and_its_data_for_the_script(staff_client):
    _person("A", status="rsdl")
    _person("B", status="rsdl")
    _mention(_person("C"))
    Mention.objects.update(created_at=timezone.now())
    response = staff_client.get(reverse("admin:index"))
    page = response.content.decode()
    assert 'id="vd-status-chart"' in page and 'id="vd-status-table"' in page
    assert 'id="vd-weekly-chart"' in page and 'id="vd-weekly-table"' in page
    assert (
        '<td><a href="/admin/tracker/detainedperson/?status__exact=rsdl">'
        "Residential surveillance at a designated location (RSDL)</a></td>"
        '<td class="vd-num">2</td>'
    ) in page
    assert 'id="vd-chart-data"' in page and "unfold/js/chart/chart.js" in page


def test_an_empty_dashboard_says_so_in_each_panel(staff_client):
    page = staff_client.get(reverse("admin:index")).content.decode()
    for message in [
        "No open case is past its legal limit",
        "No cases yet.",
        "No new mentions to review.",
        "Every news source answered its last poll.",
        "has been answered.",
        "No mentions in the last 26 weeks.",
        "No hearing or other event is dated",
    ]:
        assert message in page, message


def test_staff_who_may_not_read_cases_see_no_dashboard(client, django_user_model):
    user = django_user_model.objects.create_user("clerk", password="x", is_staff=True)
    _person("Secret")
    client.force_login(user)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    assert "Legal limits" not in response.content.decode()


def _contrast(a: str, b: str) -> float:
    """WCAG's contrast ratio of two #rrggbb colours."""

    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@pytest.mark.django_db(False)
def test_the_weekly_charts_series_stand_out_from_the_page_and_from_each_other():
    """WCAG 1.4.11 and 1.4.1: each series at least 3:1 against the white page, and series whose
    colours are closer than 3:1 to each other also differ by pattern."""
    import re
    from pathlib import Path

    script = (Path(__file__).resolve().parents[1] / "static/vigil/dashboard.js").read_text()
    colours = dict(
        re.findall(
            r'(\w+): "(#[0-9a-f]{6})"', re.search(r"var colours = \{[^}]*\}", script).group(0)
        )
    )
    patterns = dict(
        re.findall(r'(\w+): "(\w+)"', re.search(r"var patterns = \{[^}]*\}", script).group(0))
    )
    assert set(colours) == {"new", "confirmed", "dismissed"}
    for status, colour in colours.items():
        assert _contrast(colour, "#ffffff") >= 3, status
    for a in colours:
        for b in colours:
            if a < b and _contrast(colours[a], colours[b]) < 3:
                assert patterns.get(a) != patterns.get(b), (a, b)
    # Each disclosure is named after its chart.
    page = (Path(__file__).resolve().parents[1] / "templates/admin/index.html").read_text()
    assert "Show cases by status as a table" in page
    assert "Show mentions per week as a table" in page
    assert "<summary>Show as a table</summary>" not in page
