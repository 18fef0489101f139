"""At 1366 px wide (a common laptop), no admin list cuts its columns off and no form spills
sideways: every page fits the window, with the navigation sidebar open, and no box inside it
(an inline's table) scrolls sideways, in the pages' ordinary state and with every inline showing
its errors."""

from datetime import timedelta

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from campaigns.models import Letter, LetterResponse, Organization, Person, Signature
from tracker.cases.services import case_event_record
from tracker.models import DetainedPerson, DigestDelivery, Mention, NewsItem, Subscription
from tracker.workspace.demo import seed_demo

pytestmark = pytest.mark.django_db(transaction=True)

LONG = "Open letter to the Standing Committee of the National People's Congress on " * 3


@pytest.fixture
def long_records():
    """The demo data, plus the long texts that staff really enter."""
    seed_demo()
    # A letter with a response (the senators', answered) and signatures.
    letter = LetterResponse.objects.select_related("letter").first().letter
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
    """How far the page, the list in its scrolling box, and any other box that scrolls
    sideways (an inline's table) are wider than what shows. Form fields scrolling their own
    text are not boxes."""
    return page.evaluate(
        """() => {
            const doc = document.documentElement;
            const table = document.querySelector('#changelist #result_list');
            const box = table && table.closest('[data-simplebar]');
            const boxes = {};
            for (const el of document.querySelectorAll('body *')) {
                if (el.matches('input, textarea, select') || !el.clientWidth) continue;
                const overflow = getComputedStyle(el).overflowX;
                if (overflow !== 'auto' && overflow !== 'scroll') continue;
                if (el.scrollWidth > el.clientWidth + 1) {
                    const group = el.closest('[id$="-group"]');
                    boxes[group ? group.id : el.className] = el.scrollWidth - el.clientWidth;
                }
            }
            return {
                page: doc.scrollWidth - doc.clientWidth,
                list: box ? Math.max(0, table.offsetWidth - box.clientWidth) : 0,
                boxes: boxes,
            };
        }"""
    )


def _narrow_fields(page, min_width: int = 150) -> dict:
    """The fields of inline rows narrower than `min_width` px (a summary squeezed to a sliver),
    by id: text inputs, text areas, select boxes and autocompletes."""
    return page.evaluate(
        """(minWidth) => {
            const narrow = {};
            const fields = document.querySelectorAll(
                '[data-inline-type] .form-row input[type=text], [data-inline-type] .form-row '
                + 'input[type=url], [data-inline-type] .form-row textarea, [data-inline-type] '
                + '.form-row select:not(.admin-autocomplete), [data-inline-type] .form-row '
                + '.select2-container'
            );
            for (const field of fields) {
                if (field.closest('.empty-form') || !field.offsetParent) continue;
                const width = field.getBoundingClientRect().width;
                if (width < minWidth) {
                    const id = field.id || field.previousElementSibling?.id || field.className;
                    narrow[id] = Math.round(width);
                }
            }
            return narrow;
        }""",
        min_width,
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


def _case_and_letter_pages(records) -> list[str]:
    return [
        reverse("admin:tracker_detainedperson_change", args=[records["liu"].pk]),
        reverse("admin:campaigns_letter_change", args=[records["letter"].pk]),
    ]


def test_a_case_page_and_a_letter_page_with_their_inlines_fit_a_1366_px_window(
    staff_page, long_records
):
    for path in _case_and_letter_pages(long_records):
        staff_page.goto(staff_page.base_url + path)
        assert staff_page.locator("[data-inline-type]").count() >= 1  # the inline is there
        assert _overflow(staff_page) == {"page": 0, "list": 0, "boxes": {}}, path
        assert _narrow_fields(staff_page) == {}, path
    # The letter's page has its response and signatures, each with its fields.
    assert staff_page.locator("#id_responses-0-summary").is_visible()
    assert staff_page.locator("#id_signatures-0-note").is_visible()


def _save_and_continue(page) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name="Save and continue editing").click()


def test_the_case_and_letter_pages_fit_with_every_inline_showing_its_errors(
    staff_page, long_records
):
    page = staff_page
    ahead = (timezone.localdate() + timedelta(days=30)).isoformat()
    case_url, letter_url = _case_and_letter_pages(long_records)

    # The case: a status event dated ahead is refused, its row shows why.
    page.goto(page.base_url + case_url)
    new_event = page.locator("#events-group tbody.template").first
    new_event.locator("input[name$='-date']").fill(ahead)
    new_event.locator("select[name$='-kind']").select_option("sentenced")
    new_event.locator("textarea[name$='-description']").fill(LONG)
    _save_and_continue(page)
    assert page.locator("#events-group td.errors").count() == 1
    assert "cannot be dated after today" in page.locator("#events-group").inner_text()
    assert _overflow(page) == {"page": 0, "list": 0, "boxes": {}}
    assert _narrow_fields(page) == {}

    # The letter: a response received "after today" from both a person and an organization,
    # and a signature without a signatory.
    page.goto(page.base_url + letter_url)
    page.locator("input[name='responses-0-received_on']").fill(ahead)
    page.evaluate(
        """(pk) => document.querySelector('#id_responses-0-organization')
            .append(new Option('An organization', pk, true, true))""",
        str(Organization.objects.first().pk),
    )
    new_signature = page.locator("#signatures-group tbody.template").first
    new_signature.locator("input[name$='-note']").fill(LONG[:200])
    _save_and_continue(page)
    responses = page.locator("#responses-group").inner_text()
    assert "cannot be received after today" in responses
    assert "exactly one of a person or an organization" in responses
    signatures = page.locator("#signatures-group").inner_text()
    assert "exactly one of an organization or a person" in signatures
    assert _overflow(page) == {"page": 0, "list": 0, "boxes": {}}
    assert _narrow_fields(page) == {}
