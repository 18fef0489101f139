"""The news watch's API: sources (CRUD, SSRF rules on save), items (read), mentions (read,
PATCH status with the reviewer recorded)."""

import datetime
import socket

import pytest
from django.db import connection
from django.utils import timezone

from tracker.cases.services import detained_person_save
from tracker.models import Mention, NewsItem, NewsSource

pytestmark = pytest.mark.django_db


@pytest.fixture
def mention():
    person = detained_person_save(name="Wang Fang", native_name="王芳")
    source = NewsSource.objects.create(name="Rights", url="https://rights.example.org/feed")
    item = NewsItem.objects.create(
        url="https://rights.example.org/a",
        title="Activist Wang Fang detained",
        published_at=timezone.now() - datetime.timedelta(days=1),
    )
    item.sources.add(source)
    return Mention.objects.create(news_item=item, person=person, matched_terms=["Wang Fang"])


def test_an_editor_adds_a_feed_source_with_a_public_address(editor_client):
    response = editor_client.post(
        "/api/news-sources/", {"name": "HRW", "kind": "feed", "url": "http://93.184.216.34/rss"}
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["last_status"] == "" and body["next_poll_at"] is None
    assert NewsSource.objects.get(pk=body["id"]).url == "http://93.184.216.34/rss"


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/feed",
        "http://10.0.0.5/rss",
        "http://169.254.169.254/latest/meta-data",
        "file:///etc/passwd",
    ],
)
def test_a_source_on_a_private_address_is_refused_with_400(editor_client, url):
    response = editor_client.post("/api/news-sources/", {"name": "x", "kind": "feed", "url": url})
    assert response.status_code == 400
    assert "url" in response.json()
    assert not NewsSource.objects.exists()


def test_an_allowed_network_may_be_used(editor_client, settings):
    settings.NEWSWATCH_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    response = editor_client.post(
        "/api/news-sources/", {"name": "dev", "kind": "feed", "url": "http://127.0.0.1:9/feed"}
    )
    assert response.status_code == 201


def test_a_source_keeps_its_fetch_state_unless_its_url_changes(editor_client):
    source = NewsSource.objects.create(
        name="HRW", url="http://93.184.216.34/rss", etag='"v1"', last_modified="Mon, 01 Jun"
    )
    url = f"/api/news-sources/{source.pk}/"
    same = editor_client.patch(url, {"name": "HRW feed", "url": "http://93.184.216.34/rss"})
    assert same.status_code == 200, same.json()
    source.refresh_from_db()
    assert (source.name, source.etag, source.last_modified) == ("HRW feed", '"v1"', "Mon, 01 Jun")
    moved = editor_client.patch(url, {"url": "http://93.184.216.34/feed"})
    assert moved.status_code == 200, moved.json()
    source.refresh_from_db()
    assert (source.url, source.etag, source.last_modified) == ("http://93.184.216.34/feed", "", "")


@pytest.mark.django_db(transaction=True)
def test_a_sources_host_is_looked_up_outside_any_transaction(superuser_client, monkeypatch):
    in_transaction = []

    def getaddrinfo(host, port, *args, **kwargs):
        in_transaction.append(connection.in_atomic_block)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    response = superuser_client.post(
        "/api/news-sources/", {"name": "HRW", "kind": "feed", "url": "http://hrw.example/rss"}
    )
    assert response.status_code == 201, response.json()
    assert in_transaction == [False]


def test_a_search_source_gets_the_provider_endpoint_and_its_politeness_default():
    # Checked on the model, not through the API: saving would look the provider's host up in
    # DNS, and tests stay off the network.
    source = NewsSource(name="GDELT", kind=NewsSource.Kind.GDELT)
    source.full_clean()
    assert source.url.startswith("https://api.gdeltproject.org/api/v2/doc/doc?query={query}")
    assert "mode=artlist" in source.url and "format=json" in source.url
    assert source.request_interval == 5
    assert NewsSource(kind=NewsSource.Kind.GOOGLE_NEWS).request_interval == 1
    assert NewsSource(kind=NewsSource.Kind.FEED).request_interval == 0


def test_a_search_source_url_must_contain_the_query_placeholder(editor_client):
    bad = editor_client.post(
        "/api/news-sources/",
        {"name": "G", "kind": "google_news", "url": "http://93.184.216.34/rss/search"},
    )
    assert bad.status_code == 400 and "url" in bad.json()
    good = editor_client.post(
        "/api/news-sources/",
        {"name": "G", "kind": "google_news", "url": "http://93.184.216.34/rss?q={query}"},
    )
    assert good.status_code == 201, good.json()


def test_a_viewer_reads_sources_but_cannot_add_one(viewer_client):
    assert viewer_client.get("/api/news-sources/").status_code == 200
    response = viewer_client.post(
        "/api/news-sources/", {"name": "x", "kind": "feed", "url": "http://93.184.216.34/"}
    )
    assert response.status_code == 403
    assert not NewsSource.objects.exists()


def test_news_items_are_read_only_and_filterable_by_person_and_date(
    viewer_client, editor_client, mention
):
    other = NewsItem.objects.create(url="https://x.example/b", title="Unrelated")
    listed = viewer_client.get("/api/news-items/", {"person": mention.person_id}).json()
    assert [i["id"] for i in listed["results"]] == [mention.news_item_id]
    assert listed["results"][0]["sources"] == [mention.news_item.sources.get().pk]
    today = timezone.now().date().isoformat()
    assert viewer_client.get("/api/news-items/", {"published_after": today}).json()["count"] == 0
    assert (
        viewer_client.get("/api/news-items/", {"search": "unrelated"}).json()["results"][0]["id"]
        == other.pk
    )
    assert editor_client.post("/api/news-items/", {"title": "x"}).status_code == 405


def test_an_item_is_listed_once_when_filtered_by_person_and_source(viewer_client, mention):
    other_source = NewsSource.objects.create(name="Wire", url="https://wire.example.org/feed")
    item = mention.news_item
    item.sources.add(other_source)  # carried by two sources...
    other_person = detained_person_save(name="Li Wei")
    Mention.objects.create(news_item=item, person=other_person, matched_terms=["Li Wei"])
    source = item.sources.exclude(pk=other_source.pk).get()  # ...and naming two people
    for params in [
        {},
        {"person": mention.person_id},
        {"source": source.pk},
        {"person": other_person.pk, "source": other_source.pk},
    ]:
        listed = viewer_client.get("/api/news-items/", params).json()
        assert listed["count"] == 1, params
        assert [i["id"] for i in listed["results"]] == [item.pk], params


def test_news_item_times_are_given_in_utc(viewer_client, mention, settings):
    # Whatever the server's own time zone (DRF's default field would answer "+08:00" here).
    settings.TIME_ZONE = "Asia/Shanghai"
    (row,) = viewer_client.get("/api/news-items/").json()["results"]
    for name in ["published_at", "first_seen_at", "updated_at"]:
        assert row[name].endswith("Z"), (name, row[name])


def test_refused_requests_for_mentions_count_towards_throttling(anonymous_client, settings):
    settings.API_THROTTLE_RATES = {"anon": "2/minute", "user": "1000/minute"}
    statuses = [anonymous_client.get("/api/mentions/").status_code for _ in range(3)]
    assert statuses == [401, 401, 429]


def test_an_editor_confirms_a_mention_and_the_reviewer_is_recorded(editor_client, editor, mention):
    response = editor_client.patch(f"/api/mentions/{mention.pk}/", {"status": "confirmed"})
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "confirmed"
    assert response.json()["reviewed_by"] == editor.pk
    mention.refresh_from_db()
    assert mention.reviewed_by == editor and mention.reviewed_at is not None
    assert mention.history.first().history_user == editor


def test_confirming_a_confirmed_mention_keeps_the_first_review(
    editor_client, editor, superuser_client, mention
):
    editor_client.patch(f"/api/mentions/{mention.pk}/", {"status": "confirmed"})
    mention.refresh_from_db()
    first = (mention.reviewed_by_id, mention.reviewed_at, mention.history.count())

    again = superuser_client.patch(f"/api/mentions/{mention.pk}/", {"status": "confirmed"})

    assert again.status_code == 200, again.json()
    assert (again.json()["status"], again.json()["reviewed_by"]) == ("confirmed", editor.pk)
    mention.refresh_from_db()
    assert (mention.reviewed_by_id, mention.reviewed_at, mention.history.count()) == first
    # A real change is still recorded, with the new reviewer.
    dismissed = superuser_client.patch(f"/api/mentions/{mention.pk}/", {"status": "dismissed"})
    assert dismissed.json()["reviewed_by"] != editor.pk
    assert mention.history.count() == first[2] + 1


def test_only_the_status_of_a_mention_can_be_changed(editor_client, mention):
    response = editor_client.patch(f"/api/mentions/{mention.pk}/", {"matched_terms": ["x"]})
    assert response.status_code == 400
    assert editor_client.put(f"/api/mentions/{mention.pk}/", {"status": "new"}).status_code == 405
    assert editor_client.delete(f"/api/mentions/{mention.pk}/").status_code == 405
    bad = editor_client.patch(f"/api/mentions/{mention.pk}/", {"status": "maybe"})
    assert bad.status_code == 400 and "status" in bad.json()


def test_a_viewer_cannot_review_mentions(viewer_client, mention):
    response = viewer_client.patch(f"/api/mentions/{mention.pk}/", {"status": "dismissed"})
    assert response.status_code == 403
    mention.refresh_from_db()
    assert mention.status == "new"


def test_mentions_filter_by_status_person_campaign_and_since(viewer_client, mention):
    from campaigns.services import campaign_save

    campaign = campaign_save(name="Free them", detained_persons=[mention.person])
    for params, expected in [
        ({"status": "new"}, 1),
        ({"status": "confirmed,dismissed"}, 0),
        ({"person": mention.person_id}, 1),
        ({"campaign": campaign.slug}, 1),
        ({"since": (timezone.now() + datetime.timedelta(hours=1)).isoformat()}, 0),
    ]:
        response = viewer_client.get("/api/mentions/", params)
        assert response.status_code == 200, (params, response.json())
        assert response.json()["count"] == expected, params


def test_a_person_with_mentions_cannot_be_deleted(editor_client, mention):
    response = editor_client.delete(f"/api/detained-persons/{mention.person_id}/")
    assert response.status_code == 409
    assert response.json()["protected"] == {"news mentions": 1}


def test_a_search_sources_coverage_and_batch_limits_are_in_the_api_with_few_queries_on_a_list(
    editor_client, django_assert_max_num_queries
):
    from tracker.models import SearchCoverage

    people = [detained_person_save(name=n) for n in ("Zora Quill", "Ilse Varga", "Amir Sadeh")]
    response = editor_client.post(
        "/api/news-sources/",
        {"name": "GDELT", "kind": "gdelt", "max_people_per_query": 1, "poll_interval_minutes": 10},
        format="json",
    )
    assert response.status_code == 201, response.json()
    source = NewsSource.objects.get(pk=response.json()["id"])
    assert (source.max_people_per_query, source.max_query_chars) == (1, None)
    SearchCoverage.objects.create(source=source, person=people[0], last_searched_at=timezone.now())

    coverage = editor_client.get(f"/api/news-sources/{source.pk}/").json()["coverage"]

    assert coverage["watched"] == 3
    assert (coverage["searched_last_24h"], coverage["never_searched"]) == (1, 2)
    assert coverage["oldest_search_at"] is None
    assert (coverage["round_requests"], coverage["round_seconds"]) == (3, 15)
    assert coverage["round_longer_than_poll_interval"] is False and coverage["warning"] == ""

    editor_client.patch(
        f"/api/news-sources/{source.pk}/", {"min_interval_seconds": 300}, format="json"
    )
    slow = editor_client.get(f"/api/news-sources/{source.pk}/").json()["coverage"]
    assert slow["round_longer_than_poll_interval"] is True and "15 minutes" in slow["warning"]

    for n in range(5):
        NewsSource.objects.create(name=f"Feed {n}", url=f"https://example.org/{n}.xml")
        NewsSource.objects.create(
            name=f"Google {n}",
            kind="google_news",
            url="https://news.google.com/rss/search?q={query}",
        )
    with django_assert_max_num_queries(8) as few:
        listed = editor_client.get("/api/news-sources/").json()
    by_name = {row["name"]: row for row in listed["results"]}
    assert by_name["Feed 0"]["coverage"] is None
    assert by_name["Google 4"]["coverage"]["never_searched"] == 3
    NewsSource.objects.create(name="Feed 6", url="https://example.org/6.xml")
    with django_assert_max_num_queries(len(few.captured_queries)):
        editor_client.get("/api/news-sources/")


def test_the_admin_page_of_a_search_source_shows_its_coverage_and_warns_of_a_long_round(
    staff_client,
):
    detained_person_save(name="Zora Quill")
    source = NewsSource.objects.create(
        name="GDELT",
        kind="gdelt",
        url="https://api.gdeltproject.org/?q={query}",
        min_interval_seconds=3600,
        poll_interval_minutes=30,
    )
    page = staff_client.get(f"/admin/tracker/newssource/{source.pk}/change/").content.decode()
    assert "0 of 1 watched people searched in the last 24 hours." in page
    assert "Oldest last search: never (1 not searched yet)." in page
    assert "longer than its poll interval of 30 minutes" in page
