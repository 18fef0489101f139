"""The news watch: sources, the articles they carry, and the mentions of watched people."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from config.formats import staff_datetime
from config.models import TimeStampedModel
from tracker.cases.models import DetainedPerson, UnicodeJSONEncoder
from tracker.newswatch import kinds


def _validate_source_url(value: str) -> None:
    if not value.lower().startswith(("http://", "https://")):
        raise ValidationError("Enter an http or https URL.", code="invalid_scheme")


class NewsSource(TimeStampedModel):
    """Where the news watch looks: a feed, or a search provider asked about the watched people.
    What each kind means is declared in tracker/newswatch/kinds.py."""

    Kind = kinds.Kind

    class LastStatus(models.TextChoices):
        NEVER = "", "Not polled yet"
        OK = "ok", "OK"
        NOT_MODIFIED = "not_modified", "Not modified"
        FAILED = "failed", "Failed"

    # Bounds the API states in its schema: a source is polled at least weekly (a larger
    # interval would be a source nobody watches), and no pause between two requests is
    # longer than an hour. A search source asks for several watched people at once, as many
    # as fit its two limits (the kind's, unless the source sets its own).
    QUERY_CHARS_BOUNDS = (100, 8000)
    PEOPLE_PER_QUERY_MAX = 50
    POLL_INTERVAL_MAX_MINUTES = 7 * 24 * 60
    MIN_INTERVAL_MAX_SECONDS = 60 * 60

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.FEED)
    url = models.CharField(
        "URL",
        max_length=1000,
        blank=True,
        validators=[_validate_source_url],
        help_text="For a feed, its URL. For a search source, a URL template containing {query}; "
        "left blank, the provider's public endpoint.",
    )
    active = models.BooleanField(default=True)
    poll_interval_minutes = models.PositiveIntegerField(
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(POLL_INTERVAL_MAX_MINUTES)],
        help_text="Minutes between two polls of this source (at most a week).",
    )
    min_interval_seconds = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MaxValueValidator(MIN_INTERVAL_MAX_SECONDS)],
        help_text="Least time between two requests to this source, across all workers, at "
        f"most an hour. {kinds.defaults_help('request_interval')}",
    )
    max_query_chars = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[
            MinValueValidator(QUERY_CHARS_BOUNDS[0]),
            MaxValueValidator(QUERY_CHARS_BOUNDS[1]),
        ],
        help_text="Search sources: the longest query sent, URL-encoded (100 to 8,000). "
        f"{kinds.defaults_help('max_query_chars', searches_only=True)}",
    )
    max_people_per_query = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(PEOPLE_PER_QUERY_MAX)],
        help_text="Search sources: the most watched people one query asks for (1 to 50). "
        f"{kinds.defaults_help('max_people_per_query', searches_only=True)}",
    )
    # Fetch state, written by the news watch.
    etag = models.CharField(max_length=500, blank=True, editable=False)
    last_modified = models.CharField(max_length=100, blank=True, editable=False)
    last_polled_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_status = models.CharField(
        max_length=20, choices=LastStatus.choices, blank=True, default="", editable=False
    )
    last_error = models.TextField(blank=True, editable=False)
    consecutive_failures = models.PositiveIntegerField(default=0, editable=False)
    next_poll_at = models.DateTimeField(null=True, blank=True)
    # The politeness token when there is no Redis: the time of the last request sent.
    last_request_at = models.DateTimeField(null=True, blank=True, editable=False)
    # A search source's round (every watched person searched once) runs as a chain of short
    # tasks: when the round under way began (null: none is). People searched since are done.
    round_started_at = models.DateTimeField(null=True, blank=True, editable=False)

    history = HistoricalRecords(
        excluded_fields=[
            "etag",
            "last_modified",
            "last_polled_at",
            "last_status",
            "last_error",
            "consecutive_failures",
            "next_poll_at",
            "last_request_at",
            "round_started_at",
        ]
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(poll_interval_minutes__gte=1),
                name="newssource_poll_interval_positive",
                violation_error_message="Poll at most once a minute.",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=sorted(kinds.FEEDS))
                | models.Q(url__contains="{query}"),
                name="newssource_search_url_has_query",
                violation_error_message="A search source's URL must contain {query}.",
            ),
        ]
        indexes = [
            # poll_due_sources: active sources whose next_poll_at has passed.
            models.Index(fields=["active", "next_poll_at"], name="newssource_due_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def source_kind(self) -> kinds.SourceKind:
        return kinds.for_kind(self.kind)

    @property
    def is_search(self) -> bool:
        return self.source_kind.per_person

    @property
    def request_interval(self) -> int:
        if self.min_interval_seconds is not None:
            return self.min_interval_seconds
        return self.source_kind.request_interval

    @property
    def query_chars_limit(self) -> int:
        if self.max_query_chars is not None:
            return self.max_query_chars
        return self.source_kind.max_query_chars

    @property
    def people_per_query_limit(self) -> int:
        if self.max_people_per_query is not None:
            return self.max_people_per_query
        return self.source_kind.max_people_per_query

    @property
    def max_records(self) -> int:
        """The most records one answer of this search source holds."""
        return self.source_kind.answer_limit(self.url)

    def clean(self) -> None:
        if self.kind not in kinds.KINDS:
            return  # clean_fields reports the unknown kind
        declared = self.source_kind
        if not self.url:
            self.url = declared.default_url
        if not self.url:
            raise ValidationError({"url": "This kind of source has no default URL: give its URL."})
        if declared.per_person and "{query}" not in self.url:
            raise ValidationError({"url": "A search source's URL must contain {query}."})


class NewsItem(models.Model):
    """One article, however many sources carried it or how often it was polled."""

    url = models.CharField("canonical URL", max_length=2000, unique=True)
    title = models.CharField(max_length=1000)
    summary = models.TextField(blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    language = models.CharField(max_length=20, blank=True)
    guid = models.CharField(max_length=1000, blank=True)
    publisher = models.CharField(max_length=300, blank=True)
    # Google News links are opaque: such items are also recognised by publisher + title.
    title_key = models.CharField(max_length=1300, blank=True, editable=False)
    sources = models.ManyToManyField(
        NewsSource, related_name="items", blank=True, through="NewsItemSource"
    )
    first_seen_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-published_at", "-id"]
        indexes = [
            # Ingest: an entry whose guid was seen before updates its item. Most feeds use the
            # article's address as its guid: such an item is found by its URL (unique), so
            # only the others need this index (see tracker.newswatch.store.find_items).
            models.Index(
                fields=["guid"],
                condition=~models.Q(guid="") & ~models.Q(guid=models.F("url")),
                name="newsitem_guid_idx",
            ),
            # Ingest: Google News duplicates, by publisher + normalised title within 7 days.
            # Only items with a publisher have a key: the others cost this index nothing.
            models.Index(
                fields=["title_key", "first_seen_at"],
                condition=~models.Q(title_key=""),
                name="newsitem_title_key_idx",
            ),
            # API/admin lists: newest first, by date.
            models.Index(fields=["-published_at"], name="newsitem_published_idx"),
            # (No index on first_seen_at alone: every poll would write it, for the sake of
            # `rematch`, an occasional command that may as well read the table.)
        ]

    def __str__(self) -> str:
        return self.title


class SearchCoverage(models.Model):
    """When a search source last asked about a watched person: a round takes the least
    recently searched first, so nobody waits more than a round."""

    source = models.ForeignKey(NewsSource, on_delete=models.CASCADE, related_name="search_coverage")
    person = models.ForeignKey(
        "DetainedPerson", on_delete=models.CASCADE, related_name="search_coverage"
    )
    last_searched_at = models.DateTimeField()

    class Meta:
        constraints = [
            # A round's left join of the watch list to this source's rows goes through it.
            models.UniqueConstraint(
                fields=["source", "person"], name="searchcoverage_source_person_unique"
            ),
        ]
        indexes = [
            # A source's coverage: its people searched since a time, its oldest search.
            models.Index(
                fields=["source", "last_searched_at"], name="searchcoverage_source_last_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source_id}/{self.person_id} searched {staff_datetime(self.last_searched_at)}"


class NewsItemSource(models.Model):
    """That a source carried an item: the link table behind `NewsItem.sources` (the table
    Django would create for it, without its own index on the item, which the unique pair
    starts with: each poll writes one link per item)."""

    id = models.BigAutoField(primary_key=True)
    newsitem = models.ForeignKey(
        NewsItem, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    newssource = models.ForeignKey(NewsSource, on_delete=models.CASCADE, related_name="+")

    class Meta:
        db_table = "tracker_newsitem_sources"
        unique_together = [("newsitem", "newssource")]

    def __str__(self) -> str:
        return f"{self.newsitem_id} from {self.newssource_id}"


class Mention(TimeStampedModel):
    """A news item that names a watched person, waiting for staff to confirm or dismiss it."""

    class Status(models.TextChoices):
        NEW = "new", "New"
        CONFIRMED = "confirmed", "Confirmed"
        DISMISSED = "dismissed", "Dismissed"

    # No index of their own: the unique (news_item, person) constraint and the (person,
    # created_at) index below start with them. Every index costs each poll that finds mentions.
    news_item = models.ForeignKey(
        NewsItem, on_delete=models.CASCADE, related_name="mentions", db_index=False
    )
    person = models.ForeignKey(
        DetainedPerson, on_delete=models.PROTECT, related_name="mentions", db_index=False
    )
    matched_terms = models.JSONField(default=list, encoder=UnicodeJSONEncoder)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NEW)
    reviewed_by = models.ForeignKey(
        "auth.User",
        on_delete=models.SET_NULL,
        related_name="reviewed_mentions",
        null=True,
        blank=True,
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    # History is read per mention (by id, the default index) and by date; not by item or person.
    history = HistoricalRecords(no_db_index=["news_item", "person", "reviewed_by"])

    class Meta:
        # One name in the sidebar, the pages and the API docs (#19 §4).
        verbose_name = "news mention"
        verbose_name_plural = "news mentions"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["news_item", "person"], name="mention_unique_item_person"
            ),
        ]
        indexes = [
            # The review queue: new mentions, newest first.
            models.Index(fields=["status", "-created_at"], name="mention_status_created_idx"),
            # A person's mentions (admin inline, API ?person=, digests).
            models.Index(fields=["person", "-created_at"], name="mention_person_created_idx"),
            # The admin list's dates with every status shown (config.admin_dates).
            models.Index(fields=["-created_at", "-id"], name="mention_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.person} in {self.news_item}"


# The review queue (the new mentions), oldest article first and those whose date is unknown
# last: the admin's list opens so, and the dashboard's review panel lists them so.
MENTION_REVIEW_ORDER = [
    models.F("news_item__published_at").asc(nulls_last=True),
    "created_at",
    "id",
]
