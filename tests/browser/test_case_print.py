"""A case's page on paper (Chromium's print media): the summary (names and detention, status,
campaigns, letters, timeline, confirmed news) and nothing else: no sidebar, header, form,
events, Delete or Save button."""

import pytest
from django.urls import reverse

from tracker.models import DetainedPerson
from tracker.workspace.demo import seed_demo

pytestmark = pytest.mark.django_db(transaction=True)

PRINTED = [
    "#vd-case-names",
    "#vd-case-detention",
    "#vd-case-status",
    "#vd-case-campaigns",
    "#vd-case-letters",
    "#vd-case-other-letters",
    "#vd-case-timeline",
    "#vd-case-news",
]
NOT_PRINTED = {
    "the sidebar": "#nav-sidebar-apps",
    "the header's History link": "a.historylink, a[href$='/history/']",
    "the form's first field": "#id_name",
    "the case events": "#events-group",
    "the proposed events": "text=Events proposed from the news",
    "the Delete button": "text=Delete detained person",
    "the Save button": "button[name='_save'], input[name='_save']",
    "the link to the form below": "text=Edit the events",
}


def test_printing_a_case_page_prints_its_summary_and_nothing_else(staff_page):
    seed_demo()
    lin = DetainedPerson.objects.get(native_name="林秋月")
    page = staff_page
    page.goto(page.base_url + reverse("admin:tracker_detainedperson_change", args=[lin.pk]))
    # On screen, all of it is there.
    on_screen = [*PRINTED, *NOT_PRINTED.values()]
    assert [css for css in on_screen if not page.locator(css).first.is_visible()] == []

    page.emulate_media(media="print")

    hidden = [css for css in PRINTED if not page.locator(css).first.is_visible()]
    assert hidden == []
    shown = [name for name, css in NOT_PRINTED.items() if page.locator(css).first.is_visible()]
    assert shown == []
    # The whole summary is on paper, not the first screenful of a scrolling box: no box that
    # holds it clips it, and it starts at the top of the page.
    clipped = page.evaluate(
        """() => {
            const clipped = [];
            for (let el = document.querySelector('#case-summary'); el; el = el.parentElement) {
                const overflow = getComputedStyle(el).overflowY;
                if (overflow !== 'visible' && el.scrollHeight > el.clientHeight + 1)
                    clipped.push(el.tagName + '.' + el.className);
            }
            return clipped;
        }"""
    )
    assert clipped == []
    assert page.locator("#case-summary").bounding_box()["y"] < 50
    assert "Lin Qiuyue" in page.locator("#case-summary").inner_text()


def test_a_printed_case_page_does_not_name_another_case_in_quiet_advocacy(staff_page):
    seed_demo()  # Lin Qiuyue's campaign has a letter about Zhao Hailin, in quiet advocacy
    lin = DetainedPerson.objects.get(native_name="林秋月")
    page = staff_page
    page.goto(page.base_url + reverse("admin:tracker_detainedperson_change", args=[lin.pk]))
    quiet = page.locator("#case-summary .vd-quiet-name")
    assert quiet.inner_text() == "Zhao Hailin (赵海林) (quiet advocacy)"
    assert not page.get_by_text("a case in quiet advocacy").is_visible()

    page.emulate_media(media="print")

    assert not quiet.is_visible()
    assert page.get_by_text("a case in quiet advocacy").is_visible()
