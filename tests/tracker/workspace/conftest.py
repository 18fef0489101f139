import datetime

import pytest
import time_machine
from django.contrib.auth.models import Permission

from campaigns.models import Letter
from tests.campaigns.factories import LetterFactory, PersonFactory
from tests.tracker.factories import CaseEventFactory, DetainedPersonFactory
from tracker.models import CaseOfficer, LegalLimit

TODAY = datetime.date(2026, 12, 1)


@pytest.fixture
def clock():
    """Frozen at 06:00 UTC on TODAY, moved by hand."""
    moment = datetime.datetime.combine(TODAY, datetime.time(6), tzinfo=datetime.UTC)
    with time_machine.travel(moment, tick=False) as traveller:
        yield traveller


def make_staff(django_user_model, username: str, **extra):
    user = django_user_model.objects.create_user(
        username=username, email=f"{username}@example.org", password="x", is_staff=True, **extra
    )
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label__in=["campaigns", "tracker"])
    )
    return user


@pytest.fixture
def alice(django_user_model):
    return make_staff(django_user_model, "alice")


@pytest.fixture
def bob(django_user_model):
    return make_staff(django_user_model, "bob")


def sent_letter(*, owner, days_ago: int, recipients: int = 1) -> Letter:
    letter = LetterFactory(
        status=Letter.Status.SENT,
        sent_on=TODAY - datetime.timedelta(days=days_ago),
        owner=owner,
    )
    letter.recipients.set([PersonFactory() for _ in range(recipients)])
    return letter


def case_with_lead(lead, **fields):
    person = DetainedPersonFactory(**fields)
    if lead is not None:
        CaseOfficer.objects.create(person=person, user=lead, is_lead=True)
    return person


def case_near_limit(lead, *, days_left: int):
    """A case detained (China: a limit of 37 days) so that `days_left` days are left."""
    LegalLimit.objects.get_or_create(country="CN", status="detained", defaults={"max_days": 37})
    limit = LegalLimit.objects.get(country="CN", status="detained")
    since = TODAY - datetime.timedelta(days=limit.max_days - days_left)
    return case_with_lead(lead, detained_on=since), since + datetime.timedelta(days=limit.max_days)


def hearing(person, *, in_days: int):
    return CaseEventFactory(
        person=person, kind="hearing", date=TODAY + datetime.timedelta(days=in_days)
    )
