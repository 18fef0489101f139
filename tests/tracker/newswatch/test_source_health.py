"""A search source's health says what happened: a person counts as searched only when a request
about them succeeded, a round that searched no one is no success, and a source stays failing
until a request succeeds. The source list, its page's coverage, the API and the dashboard say
the same thing. Providers are real local servers: one that answers 500, and a loopback port
nobody listens on (the connection is refused)."""

import json
import socket

import pytest
from django.urls import reverse

from tests.tracker.newswatch.feedserver import Route
from tracker import tasks
from tracker.cases.services import detained_person_save
from tracker.models import NewsSource, SearchCoverage
from tracker.newswatch.polling import poll_source
from tracker.newswatch.services import news_source_save
from tracker.workspace.dashboard import failing_sources

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("allow_loopback")]

NAMES = ["Zora Quill", "Ilse Varga", "Amir Sadeh"]


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens there once the probe is closed


def _gdelt(url: str, **fields) -> NewsSource:
    return news_source_save(name="GDELT", kind="gdelt", url=url, min_interval_seconds=0, **fields)


def _articles() -> Route:
    return Route(json.dumps({"articles": []}).encode(), content_type="application/json")


def _everywhere(source: NewsSource, staff_client, api_client) -> dict:
    """What each place staff look at says of the source."""
    failing_list = staff_client.get(failing_sources()["url"])  # the dashboard's link
    page = staff_client.get(reverse("admin:tracker_newssource_change", args=[source.pk]))
    api = api_client.get(f"/api/news-sources/{source.pk}/").json()
    listed = {row["id"]: row for row in api_client.get("/api/news-sources/").json()["results"]}
    return {
        "dashboard failing": source in failing_sources()["rows"],
        "source list failing": source in failing_list.context["cl"].result_list,
        "api status": (api["last_status"], api["consecutive_failures"]),
        "api list status": (
            listed[source.pk]["last_status"],
            listed[source.pk]["consecutive_failures"],
        ),
        "api searched": api["coverage"]["searched_last_24h"],
        "api never searched": api["coverage"]["never_searched"],
        "page coverage": f"{api['coverage']['searched_last_24h']} of {len(NAMES)} watched people"
        in page.content.decode(),
        "coverage rows": SearchCoverage.objects.filter(source=source).count(),
    }


def _failing(failures: int) -> dict:
    return {
        "dashboard failing": True,
        "source list failing": True,
        "api status": ("failed", failures),
        "api list status": ("failed", failures),
        "api searched": 0,
        "api never searched": len(NAMES),
        "page coverage": True,
        "coverage rows": 0,
    }


@pytest.fixture
def people():
    return [detained_person_save(name=name) for name in NAMES]


@pytest.fixture
def api_client(client_for, staff_user):
    return client_for(staff_user)


def test_a_source_whose_connections_are_refused_stays_failing_after_the_retry(
    people, staff_client, api_client
):
    source = _gdelt(f"http://127.0.0.1:{_closed_port()}/gdelt?query={{query}}")

    failed = poll_source(source_id=source.pk)
    assert (failed.status, failed.searched) == ("failed", 0)
    assert "Could not connect" in failed.error
    assert _everywhere(source, staff_client, api_client) == _failing(1)

    retried = poll_source(source_id=source.pk)  # what the task's automatic retry runs
    assert (retried.status, retried.searched, retried.requests) == ("failed", 0, 1)
    assert _everywhere(source, staff_client, api_client) == _failing(2)


def test_the_task_and_its_retries_leave_a_refused_source_failing(people):
    source = _gdelt(f"http://127.0.0.1:{_closed_port()}/gdelt?query={{query}}")

    result = tasks.poll_source.apply(args=[source.pk]).get()

    assert (result["status"], result["searched"]) == ("failed", 0)
    source.refresh_from_db()
    assert (source.last_status, source.consecutive_failures) == ("failed", 1 + tasks.POLL_RETRIES)
    assert not SearchCoverage.objects.filter(source=source).exists()


def test_a_provider_answering_500_leaves_everyone_unsearched_until_it_answers(
    people, feed_server, staff_client, api_client
):
    feed_server.routes["/gdelt"] = Route(b"oops", status=500, content_type="text/plain")
    source = _gdelt(feed_server.url("/gdelt?query={query}"))

    assert poll_source(source_id=source.pk).status == "failed"
    assert _everywhere(source, staff_client, api_client) == _failing(1)
    assert poll_source(source_id=source.pk).status == "failed"
    assert _everywhere(source, staff_client, api_client) == _failing(2)

    feed_server.routes["/gdelt"] = _articles()
    recovered = poll_source(source_id=source.pk)

    assert (recovered.status, recovered.searched) == ("ok", len(NAMES))
    assert _everywhere(source, staff_client, api_client) == {
        "dashboard failing": False,
        "source list failing": False,
        "api status": ("ok", 0),
        "api list status": ("ok", 0),
        "api searched": len(NAMES),
        "api never searched": 0,
        "page coverage": True,
        "coverage rows": len(NAMES),
    }
    source.refresh_from_db()
    assert source.round_started_at is None  # the round ended once everyone was searched


def test_people_whose_batch_failed_are_not_searched_and_are_asked_first_next_round(
    people, feed_server
):
    def answer(seen):
        if '"Ilse Varga"' in seen.query["query"][0]:
            return Route(b"oops", status=500, content_type="text/plain")
        return _articles()

    feed_server.routes["/gdelt"] = answer
    source = _gdelt(feed_server.url("/gdelt?query={query}"), max_people_per_query=1)

    partly = poll_source(source_id=source.pk)

    # Some requests succeeded: the source is working, with a note of what failed.
    assert (partly.status, partly.searched, partly.more) == ("ok", 2, False)
    source.refresh_from_db()
    assert (source.last_status, source.consecutive_failures) == ("ok", 0)
    assert source.last_error.startswith("1 of 3 searches failed")
    searched = set(
        SearchCoverage.objects.filter(source=source).values_list("person__name", flat=True)
    )
    assert searched == {"Zora Quill", "Amir Sadeh"}

    # The next round asks first for who was not searched.
    NewsSource.objects.filter(pk=source.pk).update(next_poll_at=None)
    feed_server.requests.clear()
    feed_server.routes["/gdelt"] = _articles()
    poll_source(source_id=source.pk)
    first = feed_server.hits("/gdelt")[0].query["query"][0]
    assert '"Ilse Varga"' in first


def test_a_round_that_searched_no_one_is_not_a_success(feed_server):
    feed_server.routes["/gdelt"] = Route(b"oops", status=500, content_type="text/plain")
    source = _gdelt(feed_server.url("/gdelt?query={query}"))
    zora = detained_person_save(name="Zora Quill")
    assert poll_source(source_id=source.pk).status == "failed"

    zora.watch_enabled = False  # nobody left to search
    detained_person_save(person=zora)
    idle = poll_source(source_id=source.pk)

    assert (idle.searched, idle.requests) == (0, 0)
    source.refresh_from_db()
    assert (source.last_status, source.consecutive_failures) == ("failed", 1)
    assert source in failing_sources()["rows"]


def test_the_dashboards_failing_sources_are_the_ones_its_link_lists(staff_client):
    failing = {}
    for name, active in (("On", True), ("Off", False)):
        source = news_source_save(name=name, kind="feed", url=f"https://example.org/{name}.xml")
        NewsSource.objects.filter(pk=source.pk).update(
            active=active, last_status=NewsSource.LastStatus.FAILED, consecutive_failures=1
        )
        failing[name] = source

    queue = failing_sources()
    listed = staff_client.get(queue["url"]).context["cl"].result_list

    assert queue["rows"] == [failing["On"]]
    assert list(listed) == [failing["On"]]
