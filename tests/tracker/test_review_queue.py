"""The admin's review queue of news mentions (News watch > News mentions), as staff see it."""

import datetime
import itertools
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.tracker.factories import DetainedPersonFactory
from tracker.models import Mention, NewsItem
from tracker.newswatch.admin import excerpt_around_match

pytestmark = pytest.mark.django_db

QUEUE = reverse("admin:tracker_mention_changelist")

SUMMARY = (
    "Beijing. Lawyers and relatives gathered outside the court on Monday morning, where the "
    "trial of the human rights lawyer Wang Yu opened behind closed doors; diplomats from "
    "eleven countries were refused entry and the verdict is expected within weeks."
)


_numbers = itertools.count()


def _mention(title="Wang Yu on trial", summary=SUMMARY, status=Mention.Status.NEW):
    url = f"https://news.example.org/{next(_numbers)}"
    item = NewsItem.objects.create(url=url, title=title, summary=summary)
    person = DetainedPersonFactory(name="Wang Yu", native_name="王宇")
    return Mention.objects.create(
        news_item=item, person=person, matched_terms=["Wang Yu"], status=status
    )


def _shown(response) -> set[int]:
    return {mention.pk for mention in response.context["cl"].result_list}


def test_the_review_queue_opens_on_the_new_mentions_with_the_other_statuses_a_click_away(
    staff_client,
):
    new = _mention()
    _mention(status=Mention.Status.CONFIRMED)
    _mention(status=Mention.Status.DISMISSED)

    response = staff_client.get(QUEUE)

    assert _shown(response) == {new.pk}
    page = response.content.decode()
    links = re.findall(
        r'<li class="(selected )?[^"]*">\s*<a href="\?status__exact=([a-z]+)"[^>]*>([^<]*)</a>',
        page,
    )
    assert [(label, value) for _, value, label in links] == [
        ("All", "all"),
        ("New", "new"),
        ("Confirmed", "confirmed"),
        ("Dismissed", "dismissed"),
    ]
    assert [label for selected, _, label in links if selected] == ["New"]


@pytest.mark.parametrize(
    ("query", "statuses"),
    [
        ("status__exact=all", {"new", "confirmed", "dismissed"}),
        ("status__exact=confirmed", {"confirmed"}),
        ("status__exact=dismissed", {"dismissed"}),
        ("status__exact=new", {"new"}),
    ],
)
def test_the_review_queue_shows_the_status_asked_for_in_its_address(staff_client, query, statuses):
    for status in Mention.Status.values:
        _mention(status=status)

    response = staff_client.get(f"{QUEUE}?{query}")

    shown = Mention.objects.filter(pk__in=_shown(response))
    assert set(shown.values_list("status", flat=True)) == statuses
    assert len(shown) == len(statuses)


def test_the_review_queue_opens_on_the_oldest_article_first_those_of_unknown_date_last(
    staff_client,
):
    def published(days_ago):
        mention = _mention()
        if days_ago is not None:
            when = timezone.now() - datetime.timedelta(days=days_ago)
            NewsItem.objects.filter(pk=mention.news_item_id).update(published_at=when)
        return mention

    # Created (found) in this order: the list used to open on the last found.
    recent, undated, old, older = published(2), published(None), published(30), published(400)

    shown = [m.pk for m in staff_client.get(QUEUE).context["cl"].result_list]

    assert shown == [older.pk, old.pk, recent.pk, undated.pk]
    # The dashboard's link to the queue opens it so too.
    shown = [m.pk for m in staff_client.get(QUEUE + "?status__exact=new").context["cl"].result_list]
    assert shown == [older.pk, old.pk, recent.pk, undated.pk]


def test_confirming_from_the_queue_takes_the_mention_out_of_the_new_ones(staff_client):
    mention = _mention()

    response = staff_client.post(
        QUEUE, {"action": "confirm", "_selected_action": [mention.pk], "apply": "1"}, follow=True
    )

    assert _shown(response) == set()
    mention.refresh_from_db()
    assert mention.status == Mention.Status.CONFIRMED
    confirmed = staff_client.get(f"{QUEUE}?status__exact=confirmed")
    assert _shown(confirmed) == {mention.pk}


def test_the_review_queue_shows_an_excerpt_of_the_text_around_the_match(staff_client):
    _mention()

    page = staff_client.get(QUEUE).content.decode()

    assert re.search(r'<th\b[^>]*\bcolumn-text_excerpt\b[^>]*scope="col"', page)
    assert (
        "… court on Monday morning, where the trial of the human rights lawyer <mark>Wang Yu</mark>"
        " opened behind closed doors; diplomats from eleven countries were refused entry and the "
        "verdict is …"
    ) in page
    assert "Lawyers and relatives" not in page


def test_a_script_in_a_news_title_or_text_is_shown_as_text_and_never_run(staff_client):
    mention = _mention(
        title="<script>alert('title')</script> Wang Yu",
        summary="Wang Yu <script>alert('summary')</script> <img src=x onerror=alert(1)>",
    )

    for url in [QUEUE, reverse("admin:tracker_mention_change", args=[mention.pk])]:
        page = staff_client.get(url).content.decode()
        assert "<script>alert(" not in page
        assert "<img src=x" not in page
        assert "&lt;script&gt;alert(&#x27;title&#x27;)&lt;/script&gt; <mark>Wang Yu</mark>" in page
        assert "<mark>Wang Yu</mark> &lt;script&gt;alert(&#x27;summary&#x27;)" in page


def test_a_mentions_page_shows_its_matched_terms_as_words_not_json(staff_client):
    mention = _mention()
    Mention.objects.filter(pk=mention.pk).update(matched_terms=["王宇", "Wang Yu"])

    page = staff_client.get(reverse("admin:tracker_mention_change", args=[mention.pk]))

    body = page.content.decode()
    assert "王宇, Wang Yu" in body
    assert "[&quot;" not in body and '["' not in body
    assert "Matched terms" in body


def test_the_review_queue_reads_as_many_queries_for_forty_mentions_as_for_two(staff_client):
    def queries_for_queue() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = staff_client.get(f"{QUEUE}?status__exact=all")
        assert response.status_code == 200
        return len(queries)

    for _ in range(2):
        _mention()
    few = queries_for_queue()
    for _ in range(38):
        _mention(status=Mention.Status.CONFIRMED)
    assert queries_for_queue() == few


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        # Cut between words on both sides, with an ellipsis where the text goes on.
        (
            "word " * 60 + "then Wang Yu was taken away " + "again " * 60,
            "… word word word word word word word word word word word word "
            "then <mark>Wang Yu</mark> was taken away again again again again again again again "
            "again again again again again again again …",
        ),
        # A short text is shown whole.
        ("Wang Yu freed.", "<mark>Wang Yu</mark> freed."),
        # Chinese has no spaces: cut between characters.
        ("据报道" * 50 + "王宇" + "被拘留" * 50, "据报道据报道<mark>王宇</mark>被拘留"),
        # No match in the text (it was in the title): its start.
        ("Nothing here. " * 30, "Nothing here. Nothing here."),
    ],
)
def test_an_excerpt_shows_about_180_characters_around_the_first_match(text, shown):
    result = str(excerpt_around_match(text, ["Wang Yu", "王宇"]))
    assert shown in result
    assert len(result.replace("<mark>", "").replace("</mark>", "")) <= 190


@pytest.mark.parametrize(
    ("text", "terms", "marked"),
    [
        ("Tang Wen-bo transferred", ["Tang Wenbo"], "<mark>Tang Wen-bo</mark> transferred"),
        ("Court frees Wenbo TANG", ["Tang Wenbo"], "Court frees <mark>Wenbo TANG</mark>"),
        ("馮潔被判處有期徒刑三年", ["冯洁"], "<mark>馮潔</mark>被判處有期徒刑三年"),
        ("伊力哈木•土赫提在獄中", ["伊力哈木·土赫提"], "<mark>伊力哈木•土赫提</mark>在獄中"),
    ],
)
def test_a_name_is_marked_in_the_form_the_article_writes_it(text, terms, marked):
    """The matched term is the form as the record spells it; the article's own form of it
    (issue 23) is what is marked, as written."""
    assert str(excerpt_around_match(text, terms)) == marked
