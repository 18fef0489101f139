import datetime

import pytest
import time_machine
from django.utils import timezone

from campaigns.services import campaign_save
from tracker.cases.services import detained_person_save
from tracker.digests.services import subscription_save
from tracker.models import Mention, NewsItem

START = datetime.datetime(2026, 3, 1, 7, 0, tzinfo=datetime.UTC)


@pytest.fixture
def clock():
    """Frozen time, moved by hand: `clock.move_to(...)`."""
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def people(db):
    """Cases whose families consent to naming them (quiet advocacy: test_quiet_advocacy.py)."""
    public = {"publicity": "public"}
    return {
        "liu": detained_person_save(name="Liu Xia", native_name="刘霞", **public),
        "daria": detained_person_save(
            name="Daria Petrenko", native_name="Дарья Петренко", **public
        ),
        "ha": detained_person_save(name="Trần Thị Thu Hà", **public),
    }


@pytest.fixture
def campaign(people):
    return campaign_save(name="Free the 20", detained_persons=[people["liu"]])


def subscribe(email="ally@example.org", *, frequency="daily", campaigns=(), persons=(), **kw):
    """A subscription made as staff make one (tracker.digests.services.subscription_save)."""
    return subscription_save(
        email=email, frequency=frequency, campaigns=campaigns, persons=persons, **kw
    )


_n = iter(range(1, 10_000))


def mention(person, *, status=Mention.Status.NEW, title=None) -> Mention:
    n = next(_n)
    item = NewsItem.objects.create(
        url=f"https://news.example.org/{n}",
        title=title or f"{person.name} in the news ({n})",
        published_at=timezone.now(),
        publisher="Example News",
    )
    return Mention.objects.create(
        news_item=item, person=person, matched_terms=[person.name], status=status
    )
