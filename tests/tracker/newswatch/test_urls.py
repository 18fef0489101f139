import json
from collections import defaultdict

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.tracker.newswatch.feedserver import FIXTURES
from tracker.newswatch.parsing import parse_feed, parse_gdelt, parse_google_news
from tracker.newswatch.urls import _PLAIN, _canonical, canonical_url

CASES = [
    # scheme and host lower-cased, default ports dropped, empty path -> "/"
    ("HTTP://Example.COM", "http://example.com/"),
    ("http://example.com:80/a", "http://example.com/a"),
    ("https://example.com:443/a", "https://example.com/a"),
    ("https://example.com:80/a", "https://example.com:80/a"),
    ("http://example.com:8080", "http://example.com:8080/"),
    ("https://example.com./a", "https://example.com/a"),
    ("https://Example.com/Path/Case", "https://example.com/Path/Case"),
    # fragment dropped
    ("https://example.com/a#comments", "https://example.com/a"),
    # tracking parameters dropped, the others kept in their order and spelling
    (
        "https://example.com/a?utm_source=rss&id=7&utm_medium=feed&utm_campaign=x",
        "https://example.com/a?id=7",
    ),
    ("https://example.com/a?b=2&fbclid=IwAR0&a=1", "https://example.com/a?b=2&a=1"),
    (
        "https://example.com/?gclid=1&dclid=2&gbraid=3&wbraid=4&msclkid=5&yclid=6&q=x",
        "https://example.com/?q=x",
    ),
    ("https://example.com/?mc_cid=1&mc_eid=2&igshid=3&_ga=4&_gl=5", "https://example.com/"),
    ("https://example.com/?ref_src=twsrc%5Etfw&page=2", "https://example.com/?page=2"),
    ("https://example.com/?UTM_Source=x&utm%5Fterm=y&p=1", "https://example.com/?p=1"),
    ("https://example.com/?p=1&&q=&r", "https://example.com/?p=1&q=&r"),
    ("https://example.com/a?", "https://example.com/a"),
    ("https://github.com/o/r/blob/x?ref=main", "https://github.com/o/r/blob/x?ref=main"),
    # percent-encoding: hex upper-cased, unreserved decoded, reserved kept, raw encoded
    ("https://example.com/%7euser/a%2fb", "https://example.com/~user/a%2Fb"),
    ("https://example.com/a%41?q=%41%26", "https://example.com/aA?q=A%26"),
    ("https://example.com/a b?q=a b+c", "https://example.com/a%20b?q=a%20b+c"),
    ("https://example.com/café", "https://example.com/caf%C3%A9"),
    ("https://example.com/100%", "https://example.com/100%25"),
    # hosts
    ("https://Bücher.example/", "https://xn--bcher-kva.example/"),
    ("http://[2001:DB8::1]:80/x", "http://[2001:db8::1]/x"),
    ("https://user:pw@Example.com/", "https://user:pw@example.com/"),
    # not absolute URLs: returned stripped
    ("  example.com/a  ", "example.com/a"),
    ("//example.com/a", "//example.com/a"),
    ("mailto:someone@example.com", "mailto:someone@example.com"),
    ("http://example.com:99999/", "http://example.com:99999/"),
    ("", ""),
]


@pytest.mark.parametrize(("url", "expected"), CASES)
def test_canonical_url_normalises_what_cannot_change_the_page(url, expected):
    assert canonical_url(url) == expected


@pytest.mark.parametrize(("url", "expected"), CASES)
def test_canonical_url_of_a_canonical_url_is_itself(url, expected):
    assert canonical_url(expected) == expected
    assert canonical_url(canonical_url(url)) == canonical_url(url)


URL_CHARACTERS = st.sampled_from(
    [*"aZ09-._~:/?#[]@!$&'()*+,;=% é\u00a0\t", "%2", "%41", "%7e", "%%", "utm_x=1&"]
)


@settings(deadline=None)
@given(
    scheme=st.sampled_from(["http", "HTTPS", "ftp", ""]),
    host=st.sampled_from(["Example.COM", "example.com.", "bücher.de", "[::1]", "h:80", ""]),
    rest=st.lists(URL_CHARACTERS, max_size=30).map("".join),
)
def test_canonical_url_is_idempotent_for_any_input(scheme, host, rest):
    url = f"{scheme}://{host}{rest}" if scheme else f"{host}{rest}"

    once = canonical_url(url)

    assert canonical_url(once) == once


PLAIN_QUERY_PARTS = st.sampled_from(
    ["a=1", "utm_source=rss", "UTM_Medium=x", "fbclid=abc", "b", "", "q=a+b", "x=1?y", "c=/d"]
)


@settings(deadline=None, max_examples=300)
@given(
    scheme=st.sampled_from(["http", "https"]),
    host=st.from_regex(r"[a-z0-9](?:[a-z0-9.-]{0,20}[a-z0-9])?", fullmatch=True),
    path=st.from_regex(r"(?:/[A-Za-z0-9\-._~!$&'()*+,;=:@]{0,12}){0,4}", fullmatch=True),
    query=st.none() | st.lists(PLAIN_QUERY_PARTS, max_size=5).map("&".join),
    fragment=st.none() | st.text(max_size=8),
)
def test_the_fast_way_for_plain_urls_agrees_with_the_general_one(
    scheme, host, path, query, fragment
):
    url = f"{scheme}://{host}{path}"
    url += "" if query is None else f"?{query}"
    url += "" if fragment is None else f"#{fragment}"
    assert _PLAIN.fullmatch(url.strip()), url  # every example takes the fast way

    assert canonical_url(url) == _canonical(url.strip())


@settings(deadline=None)
@given(st.text(max_size=60))
def test_canonical_url_is_idempotent_for_arbitrary_text(text):
    once = canonical_url(text)

    assert canonical_url(once) == once


def fixture_entries() -> list[tuple[str, str]]:
    """(file, article URL) for every article in every fixture feed."""
    found = []
    for path in sorted(FIXTURES.rglob("*")):
        name = str(path.relative_to(FIXTURES))
        if path.suffix in {".xml", ".atom", ".rdf"} and not name.startswith("hostile"):
            parse = parse_google_news if name.startswith("gnews") else parse_feed
            found += [(name, entry.url) for entry in parse(path.read_bytes())]
        elif path.suffix == ".json" and name.startswith("gdelt"):
            found += [(name, entry.url) for entry in parse_gdelt(path.read_bytes())]
    return found


def test_article_carried_by_two_sources_under_tracking_urls_has_one_canonical_url():
    by_canonical = defaultdict(set)
    for name, url in fixture_entries():
        by_canonical[canonical_url(url)].add((name, url))

    shared = {canonical: seen for canonical, seen in by_canonical.items() if len(seen) > 1}

    assert shared == {
        "https://rights.example.org/2016/03/nguyen-van-minh": {
            ("rights.xml", "https://rights.example.org/2016/03/nguyen-van-minh"),
            (
                "gnews/P3.xml",
                "https://rights.example.org/2016/03/nguyen-van-minh?utm_source=gn&utm_medium=rss",
            ),
        }
    }


def test_fixture_articles_have_as_many_canonical_urls_as_there_are_articles():
    expected = json.loads((FIXTURES / "expected_mentions.json").read_text())

    canonical = {canonical_url(url) for _, url in fixture_entries()}

    assert canonical == {article["article_url"] for article in expected}
