"""At 1366 px wide (a common laptop), no admin list cuts its columns off and no form spills
sideways: every page fits the window, with the navigation sidebar open."""

import pytest
from django.contrib import admin
from django.urls import reverse

from campaigns.demo import seed_demo
from campaigns.models import Letter, Person, Signature
from tracker.cases.services import case_event_record
from tracker.models import DetainedPerson, DigestDelivery, Mention, NewsItem, Subscription

pytestmark = pytest.mark.django_db(transaction=True)

LONG = "Open letter to the Standing Committee of the National People's Congress on " * 3


@pytest.fixture
def long_records():
    """The demo data, plus the long texts that staff really enter."""
    seed_demo()
    letter = Letter.objects.first()
    Letter.objects.filter(pk=letter.pk).update(title=LONG[:300])
    person = Person.objects.create(
        full_name="Maximilian Alexander Konstantin von Habsburg-Lothringen"
    )
    Signature.objects.create(letter=letter, person=person, note=LONG[:500])
    liu = DetainedPerson.objects.get(name="Liu Xia")
    case_event_record(person=liu, date=liu.detained_on, kind="hearing", description=LONG)
    item = NewsItem.objects.create(
        url="https://news.example.org/" + "very-long-path/" * 30, title=LONG, summary=LONG * 3
    )
    Mention.objects.create(news_item=item, person=liu, matched_terms=["Liu Xia"])
    subscription = Subscription.objects.create(
        email="a.very.long.address.of.a.coalition.partner@partner-organisation.example.org"
    )
    DigestDelivery.objects.create(
        subscription=subscription,
        period_start=liu.created_at,
        period_end=liu.created_at,
        last_error="SMTPServerDisconnected: Connection unexpectedly closed " * 4,
    )
    return {"liu": liu, "letter": letter}


def _overflow(page) -> dict:
    """How far the page, and the list's scrolling box, are wider than what shows."""
    return page.evaluate(
        """() => {
            const doc = document.documentElement;
            const results = document.querySelector('#changelist .results');
            return {
                page: doc.scrollWidth - doc.clientWidth,
                list: results ? results.scrollWidth - results.clientWidth : 0,
            };
        }"""
    )


def _changelists() -> list[str]:
    return sorted(
        reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        for model in admin.site._registry
        if model._meta.app_label in ("campaigns", "tracker")
    )


def test_every_list_fits_a_1366_px_window(staff_page, long_records):
    cut_off = {}
    for path in _changelists():
        staff_page.goto(staff_page.base_url + path)
        overflow = _overflow(staff_page)
        if overflow["page"] > 0 or overflow["list"] > 0:
            cut_off[path] = overflow
    assert cut_off == {}


def test_a_case_page_and_a_letter_page_with_their_inlines_fit_a_1366_px_window(
    staff_page, long_records
):
    for path in (
        reverse("admin:tracker_detainedperson_change", args=[long_records["liu"].pk]),
        reverse("admin:campaigns_letter_change", args=[long_records["letter"].pk]),
    ):
        staff_page.goto(staff_page.base_url + path)
        assert staff_page.locator(".inline-group").count() >= 1
        assert _overflow(staff_page)["page"] == 0, path
