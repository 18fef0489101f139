"""A case's admin page: a summary to read above the form."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from campaigns.models import Campaign, Letter, LetterResponse, Person
from campaigns.services import letter_response_record, letter_save
from tracker.cases.services import (
    case_document_save,
    case_event_record,
    case_note_save,
    case_officer_add,
    detained_person_save,
)
from tracker.models import CaseDocument, CaseEvent, CaseEventProposal, CaseNote, Mention, NewsItem
from tracker.workspace.services import task_save

pytestmark = pytest.mark.django_db


def ago(n: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=n)


@pytest.fixture
def lin():
    person = detained_person_save(
        name="Lin Qiuyue",
        native_name="林秋月",
        aliases=["Lin Chiu-yueh"],
        country="CN",
        status="detained",
        detained_on=ago(215),
    )
    case_event_record(
        person=person,
        date=ago(213),
        kind="rsdl",
        description="Family notified of RSDL.",
        source_url="https://news.example.org/rsdl-notice",
    )
    return person


def _page(client, person) -> str:
    response = client.get(reverse("admin:tracker_detainedperson_change", args=[person.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _summary(page: str) -> str:
    start = page.index('id="case-summary"')
    return page[start : page.index('name="name"')]  # the summary ends where the form begins


def test_the_case_page_summarises_names_status_days_held_and_the_legal_limit(staff_client, lin):
    summary = _summary(_page(staff_client, lin))
    assert "Lin Qiuyue" in summary and "林秋月" in summary and "Lin Chiu-yueh" in summary
    assert "Residential surveillance at a designated location (RSDL)" in summary
    assert "Held <strong>215 days</strong>" in summary
    assert '<progress class="vd-progress" max="100" value="100"' in summary
    assert "213 of 183 days" in summary
    assert "30 days over the limit" in summary


def test_a_case_within_its_limit_shows_the_days_left(staff_client):
    person = detained_person_save(
        name="Zhao Hailin", country="CN", status="detained", detained_on=ago(32)
    )
    summary = _summary(_page(staff_client, person))
    assert "32 of 37 days" in summary and "5 days left" in summary


def test_the_case_page_lists_campaigns_letters_and_their_answers(staff_client, lin):
    campaign = Campaign.objects.create(name="Free Lin", slug="free-lin")
    campaign.detained_persons.add(lin)
    letter = Letter.objects.create(
        title="Appeal for Lin", campaign=campaign, status="sent", sent_on=ago(40)
    )
    minister = Person.objects.create(full_name="A Minister")
    letter.recipients.add(minister)
    letter_response_record(
        letter=letter,
        person=minister,
        received_on=ago(10),
        summary="The ministry says the case follows the law.",
        url="https://example.org/answer",
    )
    Letter.objects.create(title="Someone else's letter", status="sent")
    summary = _summary(_page(staff_client, lin))
    assert reverse("admin:campaigns_campaign_change", args=[campaign.pk]) in summary
    assert reverse("admin:campaigns_letter_change", args=[letter.pk]) in summary
    assert "to A Minister" in summary
    assert "The ministry says the case follows the law." in summary
    assert "Answer from A Minister" in summary and 'href="https://example.org/answer"' in summary
    assert "Someone else" not in summary


def test_the_case_page_lists_the_letters_about_them_then_their_campaigns_other_letters(
    staff_client, lin
):
    zhao = detained_person_save(name="Zhao Hailin", country="CN", publicity="public")
    campaign = Campaign.objects.create(name="Urgent cases", slug="urgent")
    campaign.detained_persons.add(lin, zhao)
    elsewhere = Campaign.objects.create(name="Another campaign", slug="another")
    elsewhere.detained_persons.add(zhao)
    letters = {}
    for title, in_campaign, about in [
        ("Appeal for Lin", campaign, [lin]),
        ("Appeal for Zhao", campaign, [zhao]),
        ("Joint appeal", campaign, [lin, zhao]),
        ("On the campaign in general", campaign, []),
        ("Lin, outside any campaign", None, [lin]),
        ("Zhao, in another campaign", elsewhere, [zhao]),
    ]:
        letters[title] = letter_save(title=title, campaign=in_campaign, persons=about)
    summary = _summary(_page(staff_client, lin))
    about, others = summary.split('id="vd-case-other-letters"')
    about = about[about.index('id="vd-case-letters"') :]
    assert "Letters about them" in about
    for title in ["Appeal for Lin", "Joint appeal", "Lin, outside any campaign"]:
        assert title in about
    assert "Appeal for Zhao" not in about and "in general" not in about
    assert "Other letters in their campaigns" in others and "Not about them" in others
    others = others[: others.index('id="vd-case-timeline"')]
    assert "Appeal for Zhao" in others and "about Zhao Hailin" in others
    assert "On the campaign in general" in others
    assert "Appeal for Lin" not in others and "Joint appeal" not in others
    assert "Zhao, in another campaign" not in summary  # not one of Lin's campaigns


def test_a_case_no_letter_names_says_so_and_has_no_other_letters_heading(staff_client, lin):
    summary = _summary(_page(staff_client, lin))
    assert "No letter names them yet" in summary
    assert "Other letters in their campaigns" not in summary


def test_the_case_summary_gives_country_place_of_detention_charges_and_sentence(staff_client, lin):
    detained_person_save(
        person=lin,
        place_of_detention="Beijing No. 3 Detention Centre",
        charges='"Subversion of state power".',
        sentence="Seven years.",
    )
    summary = _summary(_page(staff_client, lin))
    detention = summary[summary.index('id="vd-case-detention"') :]
    for text in ["China", "Beijing No. 3 Detention Centre", "Subversion of state power", "Seven"]:
        assert text in detention


def test_the_case_summary_says_what_is_not_recorded(staff_client):
    person = detained_person_save(name="Someone")
    summary = _summary(_page(staff_client, person))
    detention = summary[summary.index('id="vd-case-detention"') :]
    assert detention.count("Not recorded") == 4


def test_the_timeline_is_newest_first_with_its_sources(staff_client, lin):
    CaseEvent.objects.create(person=lin, date=ago(-5), kind="hearing", description="Hearing")
    summary = _summary(_page(staff_client, lin))
    timeline = summary[summary.index('id="vd-case-timeline"') :]
    order = [timeline.index(text) for text in ["(upcoming)", "Family notified", "Detained"]]
    assert order == sorted(order)
    assert 'href="https://news.example.org/rsdl-notice"' in timeline


def test_only_confirmed_mentions_are_listed_with_their_dates_and_links(staff_client, lin):
    for status, title in [
        ("confirmed", "Lin still held"),
        ("new", "Unreviewed"),
        ("dismissed", "Not her"),
    ]:
        item = NewsItem.objects.create(
            url=f"https://news.example.org/{status}",
            title=title,
            published_at=timezone.make_aware(datetime.datetime(2026, 5, 4, 8)),
        )
        Mention.objects.create(news_item=item, person=lin, status=status)
    news = _summary(_page(staff_client, lin)).split('id="vd-case-news"')[1]
    assert "4 May 2026" in news and 'href="https://news.example.org/confirmed"' in news
    assert "Unreviewed" not in news and "Not her" not in news


def _fill(person, n: int, *, tag: str, campaign, other, staff) -> None:
    """`n` of each thing a case's page shows: events, mentions (confirmed, and new), letters
    about the case and about another one in its campaign, with recipients and answers, notes,
    documents, officers, tasks, and events proposed from the news."""
    for i in range(n):
        CaseEvent.objects.create(person=person, date=ago(100 - i), kind="other", description="x")
        item = NewsItem.objects.create(url=f"https://e.example.org/{tag}/{i}", title=f"T{i}")
        mention = Mention.objects.create(news_item=item, person=person, status="confirmed")
        item = NewsItem.objects.create(url=f"https://e.example.org/{tag}/{i}/new", title="N")
        Mention.objects.create(news_item=item, person=person, matched_terms=["Lin"])
        CaseEventProposal.objects.create(
            person=person,
            mention=mention,
            kind="hearing",
            date=ago(-10 - i),
            evidence="A hearing is set.",
            source_url=item.url,
        )
        letter = Letter.objects.create(title=f"L{tag}/{i}", campaign=campaign, status="sent")
        letter.persons.add(person if i % 2 else other)  # about them, or about another case
        recipient = Person.objects.create(full_name=f"P{tag}/{i}")
        letter.recipients.add(recipient)
        response = LetterResponse.objects.create(
            letter=letter, person=recipient, received_on=ago(1), summary="Noted."
        )
        response.persons.add(person if i % 2 else other)  # "answered in N" counts them
        case_note_save(note=CaseNote(person=person, text=f"Called the family ({i})."), user=staff)
        case_document_save(
            document=CaseDocument(
                person=person, title=f"Notice {i}", file=SimpleUploadedFile("n.pdf", b"%PDF-")
            ),
            user=staff,
        )
        officer = staff.__class__.objects.create_user(f"officer-{tag}-{i}", is_staff=True)
        case_officer_add(person=person, user=officer, lead=i == 0 and tag == "few")
        task_save(user=staff, title=f"Chase {i}", due_on=ago(-3), person=person, assignee=officer)


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.fixture
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.mark.usefixtures("_media")
def test_the_case_page_reads_as_many_queries_for_40_of_everything_as_for_2(
    staff_client, staff_user, lin
):
    campaign = Campaign.objects.create(name="Free Lin", slug="free-lin")
    other = detained_person_save(name="Zhao Hailin")
    campaign.detained_persons.add(lin, other)
    url = reverse("admin:tracker_detainedperson_change", args=[lin.pk])

    _fill(lin, 2, tag="few", campaign=campaign, other=other, staff=staff_user)
    _page(staff_client, lin)  # fills the process's caches (content types): run alone, it differed
    few = _queries(staff_client, url)
    _fill(lin, 38, tag="many", campaign=campaign, other=other, staff=staff_user)
    assert _queries(staff_client, url) == few


# What the case page reads beyond what every admin page reads (the session, the user, the
# second-factor check; the admin's own password page reads only that): the case with its
# clock, campaigns, letters, timeline, mentions, notes and documents; the officers; the tasks;
# the proposed events; and the access log's record of the restricted fields shown.
CASE_PAGE_OWN_QUERIES = 5


@pytest.mark.usefixtures("_media")
def test_the_case_page_reads_five_queries_of_its_own(client, superuser, lin):
    client.force_login(superuser)
    campaign = Campaign.objects.create(name="Free Lin", slug="free-lin")
    other = detained_person_save(name="Zhao Hailin")
    campaign.detained_persons.add(lin, other)
    detained_person_save(person=lin, lawyer="Mo Shaoping")  # a restricted field: logged
    _fill(lin, 3, tag="few", campaign=campaign, other=other, staff=superuser)
    url = reverse("admin:tracker_detainedperson_change", args=[lin.pk])
    _page(client, lin)
    every_page = _queries(client, reverse("admin:password_change"))
    assert _queries(client, url) - every_page <= CASE_PAGE_OWN_QUERIES


@pytest.mark.usefixtures("_media")
def test_the_case_page_reads_at_most_12_queries_for_1_or_for_40_of_everything(
    client, superuser, lin
):
    # As bench/pages.py measures it: a superuser's page of a case with no restricted field
    # filled in (whose reading the access log would record: CASE_PAGE_OWN_QUERIES).
    client.force_login(superuser)
    campaign = Campaign.objects.create(name="Free Lin", slug="free-lin")
    other = detained_person_save(name="Zhao Hailin")
    campaign.detained_persons.add(lin, other)
    url = reverse("admin:tracker_detainedperson_change", args=[lin.pk])
    _fill(lin, 1, tag="few", campaign=campaign, other=other, staff=superuser)
    _page(client, lin)
    one = _queries(client, url)
    _fill(lin, 39, tag="many", campaign=campaign, other=other, staff=superuser)
    assert _queries(client, url) == one <= 12


@pytest.mark.usefixtures("_media")
def test_the_news_watch_tab_lists_the_latest_mentions_of_any_status(staff_client, lin):
    for status, title in [("confirmed", "Lin still held"), ("new", "Unreviewed")]:
        item = NewsItem.objects.create(url=f"https://news.example.org/{status}", title=title)
        Mention.objects.create(news_item=item, person=lin, status=status, matched_terms=["Lin"])
    page = _page(staff_client, lin)
    tab = page[page.index("<th>article</th>") :]
    tab = tab[: tab.index("</table>")]
    assert "Lin still held" in tab and "Unreviewed" in tab and "<td>Lin</td>" in tab
    assert "Unreviewed" not in _summary(page).split('id="vd-case-news"')[1]


def test_the_case_page_reads_its_case_as_the_admin_would():
    # The case page reads its case with selectors.case_page_queryset (made once per process),
    # from all cases: as the admin's get_queryset, Django's, gives them. An admin that came to
    # narrow its cases would have to narrow that read too.
    from django.contrib.admin.options import BaseModelAdmin

    from tracker.cases.admin import DetainedPersonAdmin

    assert DetainedPersonAdmin.get_queryset is BaseModelAdmin.get_queryset
