"""What each kind of news source means, declared once.

A `SourceKind` says everything the news watch does differently for a kind: whether it is a feed
(read whole at every poll) or a search provider (asked about the watched people, a batch of them
per request), the provider's public endpoint, its pace, a batch's limits, how a query is
written in its syntax, which parser reads its answers, how many records one answer holds at
most, and how to ask only for what is new. Everything else asks `for_kind(source.kind)`, or the
NewsSource properties that do.

Adding a kind touches this module (a `Kind` member and its `SourceKind` in `KINDS`), its parser
in parsing.py, a migration for the new choice, and tests: test_kinds.py checks that every
choice is declared and that its parser reads its fixture in tests/fixtures/news/.
"""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol
from urllib.parse import parse_qs, quote_plus, urlsplit

from django.db import models

from tracker.newswatch.batches import batch_query, pack_batches
from tracker.newswatch.matching import WatchedPerson
from tracker.newswatch.parsing import ParsedEntry, parse_feed, parse_gdelt, parse_google_news


class Parser(Protocol):
    """An answer's bytes, and the URL it came from (for relative links) -> its entries;
    raises ParseError."""

    def __call__(self, data: bytes, *, base_url: str = "") -> list[ParsedEntry]: ...


# (search URL, the batch's oldest last search, now) -> the URL asking only for what is new.
Since = Callable[[str, datetime, datetime], str]


class Kind(models.TextChoices):
    FEED = "feed", "RSS or Atom feed"
    GOOGLE_NEWS = "google_news", "Google News search (per case)"
    GDELT = "gdelt", "GDELT search (per case)"


@dataclass(frozen=True, slots=True)
class SourceKind:
    kind: Kind
    name: str  # as a sentence names it: "GDELT", "feeds"
    parse: Parser
    # A search provider, asked about the watched people (its URL a template with {query}),
    # rather than a feed read whole.
    per_person: bool = False
    default_url: str = ""  # blank: a source of this kind must give its URL
    request_interval: int = 0  # seconds between two requests to one source: the provider's pace
    # A batch's limits: its query's length URL-encoded, as sent, and the people it names.
    max_query_chars: int = 0
    max_people_per_query: int = 1
    # The provider wants an OR of several terms in parentheses ('("A" OR "B")').
    grouped: bool = False
    # The most records one answer holds (an answer this full is split and asked again), and the
    # URL parameter that sets it, if the provider has one.
    max_records: int = 0
    max_records_parameter: str = ""
    since: Since | None = None  # None: the provider cannot be asked for only what is new

    def query(self, people: Iterable[WatchedPerson]) -> str:
        """The OR of the people's name forms, in the provider's syntax."""
        return batch_query(people, grouped=self.grouped)

    def batches(
        self, people: Iterable[WatchedPerson], *, max_chars: int, max_people: int
    ) -> Iterator[list[WatchedPerson]]:
        """The people in order, cut into batches whose query fits both limits."""
        return pack_batches(
            people, max_chars=max_chars, max_people=max_people, grouped=self.grouped
        )

    def search_url(
        self,
        template: str,
        people: Iterable[WatchedPerson],
        *,
        oldest_search: datetime | None,
        now: datetime,
    ) -> str:
        """A batch's request: its query in the source's URL template, asking only for what is
        new since `oldest_search` (None: someone in the batch was never searched) where the
        provider allows it."""
        url = template.replace("{query}", quote_plus(self.query(people)))
        if self.since is not None and oldest_search is not None:
            url = self.since(url, oldest_search, now)
        return url

    def answer_limit(self, url: str) -> int:
        """The most records one answer to `url` holds."""
        if self.max_records_parameter:
            values = parse_qs(urlsplit(url).query).get(self.max_records_parameter, [])
            try:
                return int(values[0])
            except (IndexError, ValueError):
                pass
        return self.max_records


# GDELT indexes articles some minutes after it sees them: a search since the last one goes back
# this much further. It searches only the last three months: an older start is left out.
GDELT_OVERLAP = timedelta(minutes=30)
GDELT_REACH = timedelta(days=85)


def _gdelt_since(url: str, oldest_search: datetime, now: datetime) -> str:
    """`startdatetime`, unless the URL already narrows the time (`startdatetime`, `timespan`)."""
    start = oldest_search - GDELT_OVERLAP
    if "startdatetime=" in url or "timespan=" in url or start <= now - GDELT_REACH:
        return url
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}startdatetime={start.astimezone(UTC):%Y%m%d%H%M%S}"


KINDS: dict[str, SourceKind] = {
    declared.kind.value: declared
    for declared in (
        SourceKind(kind=Kind.FEED, name="feeds", parse=parse_feed),
        SourceKind(
            kind=Kind.GOOGLE_NEWS,
            name="Google News",
            parse=parse_google_news,
            per_person=True,
            default_url="https://news.google.com/rss/search?q={query}&hl=en-US&gl=US&ceid=US:en",
            # No published limit: one request a second is a polite guess.
            request_interval=1,
            # Google News takes long URLs, but its 100 results are shared by everyone asked for.
            max_query_chars=1000,
            max_people_per_query=8,
            max_records=100,
        ),
        SourceKind(
            kind=Kind.GDELT,
            name="GDELT",
            parse=parse_gdelt,
            per_person=True,
            default_url=(
                "https://api.gdeltproject.org/api/v2/doc/doc?query={query}"
                "&mode=artlist&format=json&maxrecords=250&sort=datedesc"
            ),
            request_interval=5,  # GDELT documents one request per 5 seconds
            # GDELT refuses long queries; about 900 encoded characters is its practical cap.
            max_query_chars=900,
            max_people_per_query=10,
            grouped=True,  # an OR outside parentheses is refused
            max_records=75,  # without `maxrecords` in the URL
            max_records_parameter="maxrecords",
            since=_gdelt_since,
        ),
    )
}

# The kinds read whole at each poll, and the search providers (for a query by kind).
FEEDS = frozenset(value for value, declared in KINDS.items() if not declared.per_person)
SEARCHES = frozenset(value for value, declared in KINDS.items() if declared.per_person)


def for_kind(kind: str) -> SourceKind:
    """The declaration of a NewsSource.Kind value; KeyError for an unknown one."""
    return KINDS[kind]


def defaults_help(attribute: str, *, searches_only: bool = False) -> str:
    """'Blank: 0 for feeds, 1 for Google News, 5 for GDELT.': a field's default per kind, for
    its help text."""
    declared = [d for d in KINDS.values() if d.per_person or not searches_only]
    return "Blank: " + ", ".join(f"{getattr(d, attribute):,} for {d.name}" for d in declared) + "."
