"""What staff do in a day, in Chromium with real clicks and typing: log in, read the dashboard,
add a case and find it by its native-script name, confirm a news mention and accept the event
it proposes, record a letter's answer; and a Viewer who cannot add. Each step is named: when
one fails, its screenshot is left in var/browser-failures/<test>-<step>.png."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.urls import reverse
from django.utils import timezone

from campaigns.models import Letter, LetterResponse, Person
from config.roles import VIEWER, sync_roles
from tracker.cases.limits import held_cases
from tracker.models import (
    CaseEvent,
    CaseEventProposal,
    DetainedPerson,
    Mention,
    NewsItem,
)
from tracker.workspace.demo import seed_demo

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct horse battery staple"


def _log_in(page, username: str, password: str = PASSWORD) -> None:
    """Through the login form at /admin/login/, landing on the admin's home page."""
    page.goto(page.base_url + reverse("admin:login"))
    page.fill("input[name='auth-username']", username)
    page.fill("input[name='auth-password']", password)
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()
    page.wait_for_url(page.base_url + reverse("admin:index"))


def _staff(django_user_model, username="staff"):
    return django_user_model.objects.create_superuser(username, f"{username}@example.org", PASSWORD)


def _pick(page, field: str, typed: str, option: str) -> None:
    """Choose `option` in an autocomplete (select2) field by typing `typed` into its search."""
    page.locator(f"#id_{field} + .select2 .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill(typed)
    page.locator(".select2-results__option", has_text=option).click()
    assert option in page.locator(f"#id_{field} + .select2").inner_text()


def _tab(page, name: str) -> None:
    """Open a tab of the form's fieldsets (buttons: unfold/helpers/fieldsets_tabs.html)."""
    page.get_by_role("button", name=name, exact=True).click()


def test_log_in_and_read_the_dashboard(anon_page, step, django_user_model):
    page = anon_page
    seed_demo()
    _staff(django_user_model)
    with step(page, "log-in"):
        _log_in(page, "staff")
        assert page.locator(".vd-figures").is_visible()
    with step(page, "counts"):
        figures = page.locator(".vd-figures li strong").all_inner_texts()
        assert figures[0] == str(DetainedPerson.objects.count())
        assert figures[1] == str(held_cases().count())
        assert figures[3] == str(Mention.objects.filter(status="new").count())
    with step(page, "charts"):
        statuses = DetainedPerson.objects.values("status").distinct().count()
        page.wait_for_selector("#vd-status-chart[data-rendered]")
        assert page.locator("#vd-status-chart").get_attribute("data-rendered") == str(statuses)
        page.wait_for_selector("#vd-weekly-chart[data-rendered]")
        assert page.locator("#vd-weekly-chart").get_attribute("data-rendered") == "26"


def test_add_a_case_with_a_native_name_and_find_it_by_that_name(anon_page, step, django_user_model):
    page = anon_page
    _staff(django_user_model)
    since = timezone.localdate() - datetime.timedelta(days=20)
    with step(page, "log-in"):
        _log_in(page, "staff")
    with step(page, "fill-the-form"):
        page.goto(page.base_url + reverse("admin:tracker_detainedperson_add"))
        page.fill("#id_name", "Li Yanhe")
        page.fill("#id_native_name", "李延贺")
        page.select_option("#id_status", "detained")
        page.fill("#id_status_date", since.isoformat())
        _tab(page, "Detention")
        page.fill("#id_place_of_detention", "Chengdu No. 1 Detention Centre")
        _tab(page, "Person")
        page.select_option("#id_country", "CN")
    with step(page, "save"):
        with page.expect_navigation():
            page.locator("button[name='_continue']").click()
        assert "was added successfully" in page.locator("#content, body").first.inner_text()
        person = DetainedPerson.objects.get(native_name="李延贺")
        assert (person.name, person.status, person.country.code) == ("Li Yanhe", "detained", "CN")
        assert person.place_of_detention == "Chengdu No. 1 Detention Centre"
        event = CaseEvent.objects.get(person=person)
        assert (event.kind, event.date) == ("detained", since)
    with step(page, "timeline-shows-the-event"):
        timeline = page.locator("#case-summary .vd-timeline li")
        assert timeline.count() == 1
        assert timeline.first.locator("time").get_attribute("datetime") == since.isoformat()
        assert "Detained" in timeline.first.inner_text()
    with step(page, "search-by-native-name"):
        DetainedPerson.objects.create(name="Wang Quanzhang", native_name="王全璋", country="CN")
        page.goto(page.base_url + reverse("admin:tracker_detainedperson_changelist"))
        # Staff who may add see the list's add button (a Viewer does not: see below).
        add_url = reverse("admin:tracker_detainedperson_add")
        assert page.locator(f"a[href$='{add_url}']").count() >= 1
        # The list's own search box (the header's searches everything: tests of its own).
        search = page.locator("#changelist-search input[name='q']")
        search.fill("李延贺")
        with page.expect_navigation():
            search.press("Enter")
        assert "q=" in page.url
        rows = page.locator("#result_list tbody tr")
        assert rows.count() == 1
        assert "Li Yanhe" in rows.first.inner_text()


def test_confirm_a_mention_and_accept_the_event_it_proposes(anon_page, step, django_user_model):
    page = anon_page
    _staff(django_user_model)
    person = DetainedPerson.objects.create(
        name="Li Yanhe", native_name="李延贺", country="CN", status="detained"
    )
    item = NewsItem.objects.create(
        url="https://news.example.org/li-yanhe-sentenced",
        title="Activist Li Yanhe sentenced to eight years for subversion",
        summary="A court in Fuzhou handed down the sentence on Tuesday.",
        published_at=timezone.now(),
        publisher="Example News",
    )
    mention = Mention.objects.create(news_item=item, person=person, matched_terms=["Li Yanhe"])
    with step(page, "log-in"):
        _log_in(page, "staff")
    with step(page, "review-queue"):
        page.goto(page.base_url + reverse("admin:tracker_mention_changelist"))
        row = page.locator("#result_list tbody tr", has_text="sentenced to eight years")
        assert row.count() == 1
    with step(page, "confirm"):
        row.locator("input.action-select").check()
        page.select_option("select[name='action']", "confirm")
        with page.expect_navigation():
            page.locator("button[name='index'], button[type='submit'][title*='Run']").first.click()
        # Bulk changes ask first, listing what they will change.
        assert "sentenced to eight years" in page.inner_text("body")
        with page.expect_navigation():
            page.get_by_role("button", name="Mark them confirmed").click()
        assert "1 mention marked confirmed" in page.inner_text("body")
        mention.refresh_from_db()
        assert mention.status == "confirmed"
        proposal = CaseEventProposal.objects.get(mention=mention)
        assert (proposal.kind, proposal.status) == ("sentenced", "proposed")
    with step(page, "open-the-proposal"):
        with page.expect_navigation():
            page.get_by_role("link", name="accept or reject it").click()
        row = page.locator("#result_list tbody tr", has_text="Li Yanhe")
        assert row.count() == 1
    with step(page, "accept"):
        with page.expect_navigation():
            row.get_by_role("button", name="Accept").click()
        assert "accepted" in page.inner_text("body")
        proposal.refresh_from_db()
        assert proposal.status == "accepted"
        event = CaseEvent.objects.get(person=person, kind="sentenced")
        assert proposal.event == event
        person.refresh_from_db()
        assert person.status == "sentenced"
    with step(page, "case-page"):
        page.goto(page.base_url + reverse("admin:tracker_detainedperson_change", args=[person.pk]))
        latest = page.locator("#case-summary .vd-timeline li").first
        assert latest.locator("time").get_attribute("datetime") == event.date.isoformat()
        assert "Sentenced" in latest.inner_text()
        assert "sentenced to eight years" in latest.inner_text()
        assert page.locator("#id_status").input_value() == "sentenced"


def test_recording_a_letter_response_shortens_the_waiting_list(anon_page, step, django_user_model):
    page = anon_page
    _staff(django_user_model)
    minister = Person.objects.create(full_name="Minister Zhang Wei", title="Minister")
    ambassador = Person.objects.create(full_name="Ambassador Chen Lu", title="Ambassador")
    letter = Letter.objects.create(
        title="Release Li Yanhe now",
        status=Letter.Status.SENT,
        sent_on=timezone.localdate() - datetime.timedelta(days=45),
    )
    letter.recipients.set([minister, ambassador])
    with step(page, "log-in"):
        _log_in(page, "staff")
    with step(page, "both-wait"):
        waiting = page.locator("#vd-letters tbody tr")
        assert waiting.count() == 2
        text = page.locator("#vd-letters").inner_text()
        assert "Minister Zhang Wei" in text and "Ambassador Chen Lu" in text
    with step(page, "add-a-response"):
        page.goto(page.base_url + reverse("admin:campaigns_letterresponse_add"))
        _pick(page, "letter", "Release Li", "Release Li Yanhe now")
        _pick(page, "person", "Zhang", "Minister Zhang Wei")
        page.fill("#id_received_on", timezone.localdate().isoformat())
        page.fill("#id_summary", "The ministry says the case is handled according to law.")
        with page.expect_navigation():
            page.locator("button[name='_save']").click()
        assert "was added successfully" in page.inner_text("body")
        response = LetterResponse.objects.get()
        assert (response.letter, response.person) == (letter, minister)
    with step(page, "one-waits"):
        page.goto(page.base_url + reverse("admin:index"))
        waiting = page.locator("#vd-letters tbody tr")
        assert waiting.count() == 1
        assert "Ambassador Chen Lu" in waiting.first.inner_text()
        assert "Minister Zhang Wei" not in page.locator("#vd-letters").inner_text()
        letter.refresh_from_db()
        assert letter.status == Letter.Status.RESPONDED
    with step(page, "letter-page"):
        page.goto(page.base_url + reverse("admin:campaigns_letter_change", args=[letter.pk]))
        assert page.locator("#id_status").input_value() == "responded"


def test_a_viewer_cannot_reach_an_add_form(anon_page, step, django_user_model):
    page = anon_page
    # The roles migration made the groups; this test's database was flushed since, so make
    # them again the way the migrations do.
    sync_roles(MigrationLoader(connection).project_state().apps)
    viewer = django_user_model.objects.create_user("viewer", password=PASSWORD, is_staff=True)
    viewer.groups.add(Group.objects.get(name=VIEWER))
    DetainedPerson.objects.create(name="Li Yanhe", native_name="李延贺", country="CN")
    with step(page, "log-in"):
        _log_in(page, "viewer")
    with step(page, "add-form-refused"):
        add_url = reverse("admin:tracker_detainedperson_add")
        response = page.goto(page.base_url + add_url)
        assert response.status == 403
        assert page.locator("#id_name").count() == 0
    with step(page, "list-without-add"):
        page.goto(page.base_url + reverse("admin:tracker_detainedperson_changelist"))
        assert "Li Yanhe" in page.locator("#result_list").inner_text()
        assert page.locator(f"a[href$='{add_url}']").count() == 0
    assert DetainedPerson.objects.count() == 1
