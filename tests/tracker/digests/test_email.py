"""The digest email as a subscriber's mail client shows it: subject, both parts, headers."""

import datetime as dt
import email
import email.policy
import re
from urllib.parse import urlsplit

import pytest
import time_machine
from django.core import mail
from django.urls import resolve

from campaigns.models import Campaign, Letter, Organization, Person, Signature
from tracker.cases.services import case_event_record, detained_person_save
from tracker.digests.content import CampaignNews, CaseNews, Digest
from tracker.digests.email import MAX_LINK_CHARS, render_digest_email
from tracker.digests.unsubscribe import make_token, read_token, unsubscribe
from tracker.models import CaseEvent, DetainedPerson, Mention, NewsItem, NewsSource, Subscription

pytestmark = pytest.mark.django_db

SITE = "https://vigil.example.org"
PERIOD_START = dt.datetime(2025, 3, 3, 8, 0, tzinfo=dt.UTC)
NOW = dt.datetime(2025, 3, 4, 7, 30, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE
    settings.DEFAULT_FROM_EMAIL = "Vigil digests <digest@vigil.example.org>"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def subscription():
    return Subscription.objects.create(email="researcher@example.org", frequency="daily")


@pytest.fixture
def people():
    return {
        "liu": detained_person_save(name="Liu Xia", native_name="刘霞", country="CN"),
        "daria": detained_person_save(
            name="Daria Petrenko", native_name="Дарья Петренко", country="RU"
        ),
        "ha": detained_person_save(name="Trần Thị Thu Hà", country="VN"),
    }


def _mention(person, url, title, *, status=Mention.Status.NEW, publisher="", published_at=None):
    item = NewsItem.objects.create(
        url=url, title=title, publisher=publisher, published_at=published_at
    )
    return Mention.objects.create(news_item=item, person=person, status=status)


@pytest.fixture
def news(people):
    """In the period: three mentions, a sentence (a status change), a hearing, a new letter
    and two signatures on it."""
    with time_machine.travel(NOW, tick=False):
        source = NewsSource.objects.create(name="RFA", url="https://www.rfa.org/feed")
        unreviewed = _mention(
            people["liu"],
            "https://www.rfa.org/english/news/liu-xia-1.html",
            "Liu Xia's brother sentenced / 刘霞之弟被判刑",
            publisher="Radio Free Asia",
            published_at=dt.datetime(2025, 3, 2, 22, 15, tzinfo=dt.UTC),
        )
        unreviewed.news_item.sources.add(source)
        confirmed = _mention(
            people["daria"],
            "https://www.example.net/ru/2025/03/petrenko",
            "Суд над Дарьей Петренко отложен",
            status=Mention.Status.CONFIRMED,
        )
        vietnamese = _mention(
            people["ha"],
            "https://www.bbc.com/vietnamese/articles/tran-thi-thu-ha",
            "Trần Thị Thu Hà bị chuyển trại",
            status=Mention.Status.CONFIRMED,
            publisher="BBC News Tiếng Việt",
            published_at=dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.UTC),
        )
        sentenced = case_event_record(
            person=people["liu"],
            date=dt.date(2025, 3, 3),
            kind=CaseEvent.Kind.SENTENCED,
            description="Sentenced to 4 years by the Beijing No. 1 Intermediate Court.",
        )
        hearing = case_event_record(
            person=people["daria"],
            date=dt.date(2025, 3, 3),
            kind=CaseEvent.Kind.HEARING,
            description="Hearing postponed to 20 March.",
        )
        campaign = Campaign.objects.create(name="Free the Petrenko family", slug="petrenko")
        letter = Letter.objects.create(
            campaign=campaign,
            title="Open letter to the Prosecutor General",
            kind=Letter.Kind.OPEN_LETTER,
            status=Letter.Status.COLLECTING_SIGNATURES,
            url="https://example.org/letters/petrenko",
        )
        signatures = [
            Signature.objects.create(
                letter=letter, organization=Organization.objects.create(name="Мемориал")
            ),
            Signature.objects.create(
                letter=letter, person=Person.objects.create(full_name="Nguyễn Văn Đài")
            ),
        ]
    return {
        "unreviewed": unreviewed,
        "confirmed": confirmed,
        "vietnamese": vietnamese,
        "sentenced": sentenced,
        "hearing": hearing,
        "campaign": campaign,
        "letter": letter,
        "signatures": signatures,
    }


def _case(person: DetainedPerson) -> CaseNews:
    person.refresh_from_db()
    return CaseNews(
        person=person,
        mentions=list(
            person.mentions.exclude(status=Mention.Status.DISMISSED)
            .select_related("news_item")
            .order_by("-created_at", "-id")
        ),
        events=list(person.events.order_by("date", "id")),
    )


@pytest.fixture
def digest(subscription, people, news):
    return Digest(
        subscription=subscription,
        period_start=PERIOD_START,
        period_end=NOW,
        cases=[_case(people[key]) for key in ("daria", "liu", "ha")],
        to_staff=True,  # the researcher's address is a staff user's
        campaigns=[
            CampaignNews(
                campaign=news["campaign"],
                letters=[news["letter"]],
                signatures=list(
                    Signature.objects.filter(pk__in=[s.pk for s in news["signatures"]])
                    .select_related("letter", "organization", "person")
                    .order_by("id")
                ),
            )
        ],
    )


def _received(message):
    """The message as the recipient's mail client parses it from the bytes on the wire."""
    return email.message_from_bytes(message.message().as_bytes(), policy=email.policy.default)


def _header(message, name: str) -> str:
    """A header's value as a mail client reads it: a long header is folded over several lines
    on the wire (RFC 5322), and unfolding leaves only single spaces."""
    return " ".join(str(_received(message)[name]).split())


def _parts(message) -> tuple[str, str]:
    received = _received(message)
    text = received.get_body(preferencelist=("plain",)).get_content()
    html = received.get_body(preferencelist=("html",)).get_content()
    return text, html


def _html_item(html: str, needle: str) -> str:
    """The <li> of the HTML part that contains `needle`."""
    items = [item for item in re.split(r"<li\b", html) if needle in item]
    assert len(items) == 1, needle
    return items[0].split("</li>")[0]


def _text_item(text: str, needle: str) -> str:
    """The list entry of the text part that starts on the line containing `needle`."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if needle in line)
    entry = [lines[start]]
    for line in lines[start + 1 :]:
        if not line.startswith("  "):
            break
        entry.append(line)
    return "\n".join(entry)


def test_subject_says_how_many_mentions_status_changes_and_cases(digest):
    message = render_digest_email(digest)

    assert message.subject == (
        "Vigil daily digest: 3 new mentions, 1 status change, 1 case event, 1 new letter, "
        "2 new signatures (3 cases)"
    )
    assert _header(message, "Subject") == message.subject


def test_digest_goes_to_the_subscriber_from_the_default_sender(digest):
    render_digest_email(digest).send()

    assert len(mail.outbox) == 1
    received = _received(mail.outbox[0])
    assert received["To"] == "researcher@example.org"
    assert received["From"] == "Vigil digests <digest@vigil.example.org>"


def test_chinese_cyrillic_and_vietnamese_names_read_correctly_in_both_parts(digest):
    text, html = _parts(render_digest_email(digest))

    for part in (text, html):
        assert "Liu Xia (刘霞)" in part
        assert "Daria Petrenko (Дарья Петренко)" in part
        assert "Trần Thị Thu Hà" in part
        assert "Суд над Дарьей Петренко отложен" in part
        assert "BBC News Tiếng Việt" in part
        assert "Мемориал" in part
        assert "Nguyễn Văn Đài" in part
    assert "&#" not in text


def test_text_part_shows_quotes_and_ampersands_as_written_and_html_escapes_them(
    subscription, people
):
    with time_machine.travel(NOW, tick=False):
        _mention(
            people["liu"],
            "https://example.com/a?x=1&y=2",
            'Liu Xia\'s "release" <b>denied</b> & appealed',
        )
    digest = Digest(
        subscription=subscription,
        period_start=PERIOD_START,
        period_end=NOW,
        cases=[_case(people["liu"])],
    )

    text, html = _parts(render_digest_email(digest))

    assert 'Liu Xia\'s "release" <b>denied</b> & appealed' in text
    assert "https://example.com/a?x=1&y=2" in text
    assert "&amp;" not in text
    assert "&#x27;" not in text
    assert "&lt;b&gt;denied&lt;/b&gt; &amp; appealed" in html
    assert "<b>denied</b>" not in html
    assert 'href="https://example.com/a?x=1&amp;y=2"' in html


def test_html_part_has_no_scripts_images_or_external_css_and_styles_are_inline(digest):
    _, html = _parts(render_digest_email(digest))

    assert "<script" not in html.lower()
    assert "<img" not in html.lower()
    assert not re.search(r"""src\s*=\s*["']?https?:""", html, re.IGNORECASE)
    assert "<link" not in html.lower()
    assert "<style" not in html.lower()
    assert "@import" not in html
    assert html.count('style="') > 20
    assert 'charset="utf-8"' in html or "charset=utf-8" in html


def test_unreviewed_mentions_are_labelled_and_confirmed_ones_are_not(digest):
    text, html = _parts(render_digest_email(digest))

    assert "- [unreviewed] Liu Xia's brother sentenced / 刘霞之弟被判刑" in text
    assert "- Суд над Дарьей Петренко отложен" in text
    assert "- Trần Thị Thu Hà bị chuyển trại" in text
    assert "unreviewed" in _html_item(html, "刘霞之弟被判刑")
    assert "unreviewed" not in _html_item(html, "Суд над Дарьей Петренко отложен")
    assert "unreviewed" not in _html_item(html, "bị chuyển trại")


def test_each_mention_shows_its_title_publisher_date_and_link(digest):
    text, html = _parts(render_digest_email(digest))

    assert _text_item(text, "刘霞之弟被判刑") == (
        "- [unreviewed] Liu Xia's brother sentenced / 刘霞之弟被判刑\n"
        "  Radio Free Asia, 2 March 2025\n"
        "  https://www.rfa.org/english/news/liu-xia-1.html"
    )
    item = _html_item(html, "刘霞之弟被判刑")
    assert 'href="https://www.rfa.org/english/news/liu-xia-1.html"' in item
    assert "Radio Free Asia, 2 March 2025" in item


def test_a_mention_without_publisher_or_date_shows_the_site_and_when_it_was_found(digest):
    text, html = _parts(render_digest_email(digest))

    assert _text_item(text, "Суд над Дарьей Петренко отложен") == (
        "- Суд над Дарьей Петренко отложен\n"
        "  example.net, 4 March 2025\n"
        "  https://www.example.net/ru/2025/03/petrenko"
    )
    assert "example.net, 4 March 2025" in _html_item(html, "Суд над Дарьей Петренко отложен")


def test_each_case_shows_its_current_status_and_what_changed(digest):
    text, html = _parts(render_digest_email(digest))

    liu = text.split("==== Liu Xia (刘霞) ====")[1].split("====")[0]
    assert "Current status: Sentenced" in liu
    assert (
        "- 3 March 2025: Sentenced [STATUS CHANGE]\n"
        "  Sentenced to 4 years by the Beijing No. 1 Intermediate Court."
    ) in liu
    daria = text.split("==== Daria Petrenko (Дарья Петренко) ====")[1].split("====")[0]
    assert "Current status: Detained" in daria
    assert "- 3 March 2025: Hearing\n  Hearing postponed to 20 March." in daria
    assert "STATUS CHANGE" not in daria

    assert "status change" in _html_item(html, "Beijing No. 1 Intermediate Court")
    assert "status change" not in _html_item(html, "Hearing postponed to 20 March.")
    assert "Current status: <strong" in html


def test_cases_come_in_the_digest_order_each_with_a_link_to_its_admin_page(digest, people):
    text, html = _parts(render_digest_email(digest))

    for key in ("liu", "daria", "ha"):
        url = f"{SITE}/admin/tracker/detainedperson/{people[key].pk}/change/"
        assert f"Open the case in Vigil: {url}" in text
        assert f'href="{url}"' in html
        assert resolve(urlsplit(url).path).url_name == "tracker_detainedperson_change"
    assert text.index("Daria Petrenko") < text.index("Liu Xia") < text.index("Trần Thị Thu Hà")


def test_a_digest_to_an_address_outside_the_staff_has_no_link_into_the_admin(digest):
    digest.to_staff = False
    text, html = _parts(render_digest_email(digest))

    assert "Open the case in Vigil" not in text
    assert "Open the case in Vigil" not in html
    assert "/admin/" not in text + html
    assert "Liu Xia" in text  # the cases themselves are all there


def test_followed_campaigns_list_new_letters_and_who_signed(digest):
    text, html = _parts(render_digest_email(digest))

    campaign = text.split("==== Campaign: Free the Petrenko family ====")[1]
    assert (
        "New letters:\n"
        "- Open letter to the Prosecutor General (Open letter, Collecting signatures)\n"
        "  https://example.org/letters/petrenko"
    ) in campaign
    assert (
        "New signatures:\n"
        "- Open letter to the Prosecutor General: 2 new signatures\n"
        "  Мемориал, Nguyễn Văn Đài"
    ) in campaign
    assert "Campaign: Free the Petrenko family" in html
    assert 'href="https://example.org/letters/petrenko"' in html
    assert "2 new signatures" in html


def test_a_letter_with_hundreds_of_new_signatures_names_the_first_twenty(subscription):
    with time_machine.travel(NOW, tick=False):
        campaign = Campaign.objects.create(name="Mass petition", slug="mass")
        letter = Letter.objects.create(campaign=campaign, title="Petition", kind="petition")
        for n in range(250):
            Signature.objects.create(
                letter=letter, person=Person.objects.create(full_name=f"Signer {n:03}")
            )
    news = CampaignNews(
        campaign=campaign,
        signatures=list(Signature.objects.select_related("letter", "person").order_by("id")),
    )
    digest = Digest(
        subscription=subscription, period_start=PERIOD_START, period_end=NOW, campaigns=[news]
    )

    text, html = _parts(render_digest_email(digest))

    assert "- Petition: 250 new signatures" in text
    assert "Signer 019 and 230 more" in text
    assert "Signer 020" not in text
    assert "Signer 019 and 230 more" in html


def test_a_link_that_is_not_a_web_address_is_not_made_clickable(subscription, people):
    with time_machine.travel(NOW, tick=False):
        _mention(people["ha"], "javascript:alert(1)", "Odd feed entry")
    digest = Digest(
        subscription=subscription,
        period_start=PERIOD_START,
        period_end=NOW,
        cases=[_case(people["ha"])],
    )

    text, html = _parts(render_digest_email(digest))

    assert "javascript:" not in html
    assert "javascript:" not in text
    assert "Odd feed entry" in html


def test_list_unsubscribe_offers_the_one_click_link_and_no_mailto(digest, subscription):
    # Vigil receives no mail: a mailto nothing reads would tell the reader they had
    # unsubscribed while the digests kept coming.
    token = make_token(subscription)

    message = render_digest_email(digest)

    assert _header(message, "List-Unsubscribe") == f"<{SITE}/digests/unsubscribe/{token}/>"
    assert "mailto" not in _header(message, "List-Unsubscribe")
    assert _header(message, "List-Unsubscribe-Post") == "List-Unsubscribe=One-Click"


def test_both_parts_end_with_an_unsubscribe_link_that_leads_to_the_page(digest, subscription):
    url = f"{SITE}/digests/unsubscribe/{make_token(subscription)}/"

    text, html = _parts(render_digest_email(digest))

    assert text.rstrip().endswith(
        "You receive this daily digest at researcher@example.org.\nUnsubscribe: " + url
    )
    assert f'<a href="{url}"' in html.split("unreviewed</strong>: found by the news watch")[1]
    match = resolve(urlsplit(url).path)
    assert match.func is unsubscribe
    assert read_token(match.kwargs["token"]) == subscription


def test_each_rendering_has_a_new_random_message_id_on_the_sites_domain(digest):
    first = _received(render_digest_email(digest))["Message-ID"]
    second = _received(render_digest_email(digest))["Message-ID"]

    assert first != second
    for message_id in (first, second):
        assert re.fullmatch(r"<digest-[0-9a-f]{32}@vigil\.example\.org>", message_id)


def test_an_empty_digest_says_there_is_nothing_new(subscription):
    digest = Digest(subscription=subscription, period_start=PERIOD_START, period_end=NOW)

    text, html = _parts(render_digest_email(digest))

    assert "Nothing new in this period." in text
    assert "Nothing new in this period." in html
    assert "Unsubscribe:" in text


# --- Size: a digest names the newest news of each case and stays under MAX_MESSAGE_BYTES ------


def _hostile_mentions(person: DetainedPerson, count: int) -> list[Mention]:
    """`count` mentions of `person`, newest first, each as large as the news watch can store:
    a 1,000-character title of characters that escape or encode badly, a 300-character
    publisher and the longest URL a digest prints (not saved: rendering stores nothing)."""
    hostile = ("&<>\"'刘霞" * 200)[:1000]
    mentions = []
    for n in range(count):
        url = f"https://news.example.org/{n}?q="
        item = NewsItem(
            url=url + "&" * (MAX_LINK_CHARS - len(url)),  # each & is 5 bytes in HTML
            title=f"No. {count - n} {hostile}",
            publisher=("Радио & 電台 " * 30)[:300],
            published_at=NOW,
        )
        mentions.append(Mention(news_item=item, person=person, status=Mention.Status.NEW))
    return mentions


def _worst_case_digest(subscription, *, cases: int, mentions_each: int, to_staff: bool):
    people = [
        DetainedPerson(pk=n + 1, name=f"Person {n:04d}", native_name="王" * 200)
        for n in range(cases)
    ]
    return Digest(
        subscription=subscription,
        period_start=PERIOD_START,
        period_end=NOW,
        to_staff=to_staff,
        cases=[CaseNews(person=p, mentions=_hostile_mentions(p, mentions_each)) for p in people],
    )


def test_a_case_with_thousands_of_mentions_lists_the_newest_and_counts_the_rest(subscription):
    digest = _worst_case_digest(subscription, cases=1, mentions_each=10_000, to_staff=True)

    message = render_digest_email(digest)
    text, html = _parts(message)

    assert len(message.message().as_bytes()) < 1_000_000
    assert message.subject == "Vigil daily digest: 10000 new mentions (1 case)"
    assert "In the news (the newest 10):" in text
    assert "No. 10000 " in text and "No. 9991 " in text and "No. 9990 " not in text
    assert 'href="https://news.example.org/0?q=&amp;&amp;' in html  # long links kept
    more = f"{SITE}/admin/tracker/mention/?person__id__exact=1&status__exact=all"
    assert f"- and 9990 more: {more}" in text
    assert f'<a href="{more.replace("&", "&amp;")}"' in html
    assert "and 9990 more</a>" in html


def test_a_partners_digest_counts_what_it_does_not_list_without_a_link(subscription):
    digest = _worst_case_digest(subscription, cases=1, mentions_each=25, to_staff=False)

    text, html = _parts(render_digest_email(digest))

    assert "- and 15 more\n" in text
    assert "and 15 more</li>" in html
    assert "/admin/" not in text + html


def test_the_worst_digest_stays_under_a_megabyte_and_says_how_many_cases_it_left_out(
    subscription,
):
    # Hundreds of followed cases, each with a day's worth of the largest mentions there are.
    digest = _worst_case_digest(subscription, cases=300, mentions_each=100, to_staff=True)

    message = render_digest_email(digest)
    text, html = _parts(message)

    size = len(message.message().as_bytes())
    assert size < 1_000_000
    assert size > 500_000  # it lists as much as fits, not one case
    listed = text.count("==== Person ")
    assert 0 < listed < 300
    assert f"And {300 - listed} more cases with news in this period: {SITE}/admin/" in text
    assert f"And {300 - listed} more cases with news in this period" in html
    assert message.subject == "Vigil daily digest: 30000 new mentions (300 cases)"
