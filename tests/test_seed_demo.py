import datetime

import pytest
import time_machine
from django.apps import apps
from django.contrib.auth.models import User
from django.core.management import call_command

from campaigns.models import Campaign, Letter
from campaigns.selectors import letter_answered_about, letters_waiting_for_answer
from tracker.models import CaseEvent, CaseEventProposal, DetainedPerson, Mention
from tracker.workspace.dashboard import dashboard
from tracker.workspace.demo import INVENTED

pytestmark = pytest.mark.django_db


def _row_counts() -> dict[str, int]:
    """Every table of our apps, history tables included."""
    return {
        model._meta.label: model._default_manager.count()
        for app in ("campaigns", "tracker")
        for model in apps.get_app_config(app).get_models()
    } | {
        f"{m._meta.label}.{f.name}": getattr(m, f.name).through.objects.count()
        for app in ("campaigns", "tracker")
        for m in apps.get_app_config(app).get_models()
        for f in m._meta.local_many_to_many
    }


def test_seed_demo_twice_changes_nothing():
    call_command("seed_demo")
    first = _row_counts()
    snapshot = list(DetainedPerson.objects.values().order_by("pk"))
    call_command("seed_demo")
    assert _row_counts() == first
    assert list(DetainedPerson.objects.values().order_by("pk")) == snapshot


def test_seed_demo_tells_the_free_the_20_story():
    call_command("seed_demo")
    free_the_20 = Campaign.objects.get(slug="free-the-20")
    assert free_the_20.lead_person.full_name == "Samantha Power"
    assert free_the_20.started_on is None  # the exact day is not documented: left blank
    women = {p.name: p.native_name for p in free_the_20.detained_persons.all()}
    assert women == {"Liu Xia": "刘霞", "Gao Yu": "高瑜", "Wang Yu": "王宇"}
    lawyers = Campaign.objects.get(slug="709-crackdown-lawyers")
    assert "Wang Yu" in lawyers.detained_persons.values_list("name", flat=True)
    letters = Letter.objects.filter(recipients__full_name="Barack Obama")
    assert letters.count() == 2


def test_seed_demo_statuses_follow_the_documented_timelines():
    call_command("seed_demo")
    wang_yu = DetainedPerson.objects.get(native_name="王宇")
    assert wang_yu.status == "released_on_bail"
    assert [e.kind for e in wang_yu.events.order_by("date")] == [
        "detained",
        "arrested",
        "released_on_bail",
    ]
    assert str(wang_yu.detained_on) == "2015-07-09"


def test_seed_demo_includes_cases_still_open_today():
    call_command("seed_demo")
    trang = DetainedPerson.objects.get(native_name="Phạm Đoan Trang")
    assert (trang.status, str(trang.detained_on)) == ("sentenced", "2020-10-06")
    assert list(DetainedPerson.objects.search("doan trang")) == [trang]
    xu = DetainedPerson.objects.get(native_name="许志永")
    assert xu.status == "sentenced"
    assert [e.kind for e in xu.events.order_by("date")] == [
        "detained",
        "rsdl",
        "arrested",
        "sentenced",
    ]
    # Zhou Shifeng, held when the 2015 story was told, was released at the end of his sentence.
    zhou = DetainedPerson.objects.get(native_name="周世锋")
    assert zhou.status == "released"
    open_statuses = ["detained", "disappeared", "rsdl", "arrested", "indicted", "on_trial"]
    held = DetainedPerson.objects.filter(status__in=[*open_statuses, "sentenced"])
    real = held.exclude(summary__startswith=INVENTED)
    assert sorted(real.values_list("name", flat=True)) == ["Pham Doan Trang", "Xu Zhiyong"]
    invented = held.filter(summary__startswith=INVENTED)
    assert sorted(invented.values_list("name", flat=True)) == [
        "He Wenjing",
        "Lin Qiuyue",
        "Zhao Hailin",
    ]


def test_seed_demo_statuses_are_each_the_latest_status_event():
    call_command("seed_demo")
    for person in DetainedPerson.objects.all():
        latest = person.events.filter(kind__in=DetainedPerson.Status.values).first()
        assert latest.kind == person.status, person.name


def test_seed_demo_has_an_answered_letter_and_one_still_waiting():
    call_command("seed_demo")
    senators = Letter.objects.get(title__startswith="Bipartisan senators")
    assert senators.status == "responded"
    (answer,) = senators.responses.all()
    assert (answer.person.full_name, str(answer.received_on)) == ("Barack Obama", "2015-09-25")
    # Of the real letters, the NGOs' waits (the invented urgent appeal waits too: see below).
    waiting = [row for row in letters_waiting_for_answer() if "(invented)" not in row.letter.title]
    assert [(row.letter.title[:4], row.recipient.full_name) for row in waiting] == [
        ("NGOs", "Barack Obama")
    ]
    assert waiting[0].days_waiting > 30
    ngos = Letter.objects.get(title__startswith="NGOs")
    assert ngos.status == "sent"
    assert ngos.signatures.count() == 9


def test_seed_demo_gives_every_dashboard_panel_something_to_show():
    call_command("seed_demo")
    board = dashboard(user=User(username="root", is_superuser=True, is_active=True))
    assert {c.person.name: (c.is_over, c.days_over) for c in board["near_limit"]} == {
        "Lin Qiuyue": (True, 30),  # 213 days under RSDL against 183
        "Zhao Hailin": (False, -5),  # 32 days of criminal detention against 37
    }
    assert [e.get_kind_display() for e in board["upcoming"]["rows"]] == ["Hearing"]
    assert [(a["person"].name, a["years"]) for a in board["anniversaries"]] == [("He Wenjing", 2)]
    # Four invented reports and the Chinese report of Wang Quanzhang's trial wait for review.
    assert board["review"]["new_count"] == 5 and board["failing"]["rows"]
    # The NGOs' real letter of 2015 waits longest; the invented urgent appeal 45 days.
    waiting = [(r.letter.title[:14], r.days_waiting) for r in board["letters_waiting"]]
    assert [title for title, _ in waiting] == ["NGOs' open let", "Urgent appeal "]
    assert waiting[1][1] == 45
    weekly = {s["status"]: sum(s["counts"]) for s in board["weekly"]["series"]}
    assert weekly == {"new": 5, "confirmed": 8, "dismissed": 3}
    assert board["by_status"] and board["by_country"] and board["held_longest"]["rows"]


def test_seed_demo_on_a_later_day_leaves_the_invented_cases_as_they_were():
    call_command("seed_demo")
    first = _row_counts()
    events = list(CaseEvent.objects.values_list("person__name", "date", "kind").order_by("pk"))
    later = datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(days=10)
    with time_machine.travel(later, tick=False):
        call_command("seed_demo")
    assert _row_counts() == first
    assert list(CaseEvent.objects.values_list("person__name", "date", "kind").order_by("pk")) == (
        events
    )


def test_seed_demo_has_news_proposing_an_event_for_staff_to_accept():
    call_command("seed_demo")
    call_command("seed_demo")
    wang = DetainedPerson.objects.get(native_name="王全璋")
    (proposal,) = CaseEventProposal.objects.filter(person=wang)
    assert (proposal.kind, str(proposal.date), proposal.status) == (
        "on_trial",
        "2018-12-26",
        "proposed",
    )
    assert proposal.mention.status == Mention.Status.CONFIRMED
    assert "on_trial" not in wang.events.values_list("kind", flat=True)  # not until accepted
    # The Chinese report waits in the review queue.
    assert wang.mentions.filter(status=Mention.Status.NEW).count() == 1


def test_seed_demo_has_a_letter_answered_about_some_of_the_cases_it_asks_about():
    call_command("seed_demo")
    call_command("seed_demo")  # twice: the second run changes nothing
    joint = Letter.objects.get(title__startswith="Joint appeal")
    about = letter_answered_about(letter=joint)
    assert [p.name for p in about.asked] == ["He Wenjing", "Lin Qiuyue", "Zhao Hailin"]
    assert [p.name for p in about.answered] == ["Lin Qiuyue"]
    assert joint.responses.count() == 1
