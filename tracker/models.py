"""Detained persons and the dated timeline of each case."""

from urllib.parse import parse_qs, urlsplit

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from config.models import TimeStampedModel
from tracker.text import fold


class UnicodeJSONEncoder(DjangoJSONEncoder):
    """Stores non-ASCII text as itself, so native names in JSON lists stay searchable on SQLite."""

    def __init__(self, *args, **kwargs):
        kwargs["ensure_ascii"] = False
        super().__init__(*args, **kwargs)


def validate_string_list(value) -> None:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValidationError("Enter a list of strings.", code="invalid_list")
    if any(not item.strip() for item in value):
        raise ValidationError("Entries cannot be blank.", code="blank_entry")
    if any(len(item) > 200 for item in value):
        raise ValidationError("Entries are at most 200 characters.", code="entry_too_long")


# A plausible year of birth: the database constraint, the forms and the API (which states it in
# its schema and reports a bad value under `birth_year`) all read it here.
BIRTH_YEAR_MIN, BIRTH_YEAR_MAX = 1880, 2100


class CaseStatus(models.TextChoices):
    """Where a case stands. CaseEvent kinds include every one of these."""

    DETAINED = "detained", "Detained"
    DISAPPEARED = "disappeared", "Disappeared"
    RSDL = "rsdl", "Residential surveillance at a designated location (RSDL)"
    ARRESTED = "arrested", "Formally arrested"
    INDICTED = "indicted", "Indicted"
    ON_TRIAL = "on_trial", "On trial"
    SENTENCED = "sentenced", "Sentenced"
    RELEASED = "released", "Released"
    RELEASED_ON_BAIL = "released_on_bail", "Released on bail"
    EXIT_BAN = "exit_ban", "Exit ban"
    DECEASED = "deceased", "Deceased"


class DetainedPersonQuerySet(models.QuerySet):
    def search(self, term: str) -> "DetainedPersonQuerySet":
        """Name, native name and aliases; case- and accent-insensitive for Latin script."""
        key = fold(term)
        if not key:
            return self
        return self.filter(search_names__contains=key)

    def watched(self) -> "DetainedPersonQuerySet":
        return self.filter(watch_enabled=True)


def name_forms(name: str, native_name: str, aliases: list | None) -> list[str]:
    """Every non-blank form of a person's name: name, native name, aliases (also for rows read
    with values_list, as the news watch does)."""
    forms = [name, native_name, *(aliases or [])]
    return [form for form in forms if isinstance(form, str) and form.strip()]


class DetainedPerson(TimeStampedModel):
    Status = CaseStatus

    class Gender(models.TextChoices):
        FEMALE = "female", "Female"
        MALE = "male", "Male"
        OTHER = "other", "Other"

    name = models.CharField("name (romanised)", max_length=200)
    native_name = models.CharField(
        max_length=200, blank=True, help_text="The name in its own script, e.g. 刘霞."
    )
    aliases = models.JSONField(
        default=list,
        blank=True,
        encoder=UnicodeJSONEncoder,
        validators=[validate_string_list],
        help_text="Other spellings and names, as a list.",
    )
    context_terms = models.JSONField(
        default=list,
        blank=True,
        encoder=UnicodeJSONEncoder,
        validators=[validate_string_list],
        help_text="For common names: a news item mentions this person only if it also "
        "contains one of these terms.",
    )
    gender = models.CharField(max_length=10, choices=Gender.choices, blank=True)
    birth_year = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(BIRTH_YEAR_MIN), MaxValueValidator(BIRTH_YEAR_MAX)],
        help_text=f"From {BIRTH_YEAR_MIN} to {BIRTH_YEAR_MAX}; empty when unknown.",
    )
    country = CountryField(blank=True)
    occupation = models.CharField(max_length=200, blank=True)
    affiliation = models.CharField(max_length=200, blank=True)
    status = models.CharField(
        max_length=20, choices=CaseStatus.choices, default=CaseStatus.DETAINED
    )
    detained_on = models.DateField(null=True, blank=True)
    place_of_detention = models.CharField(max_length=300, blank=True)
    charges = models.TextField(blank=True)
    sentence = models.CharField(max_length=300, blank=True)
    summary = models.TextField(blank=True)
    watch_enabled = models.BooleanField(
        default=True,
        help_text="Watch the news for this case and record mentions for review.",
    )
    # Every name form folded (see tracker.text.fold), one per line: what search looks in.
    # Derived in clean(), which every write path (services, admin, CSV import) runs.
    search_names = models.TextField(editable=False, default="")

    history = HistoricalRecords(excluded_fields=["search_names"])
    objects = DetainedPersonQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(birth_year__isnull=True)
                | models.Q(birth_year__gte=BIRTH_YEAR_MIN, birth_year__lte=BIRTH_YEAR_MAX),
                name="detainedperson_birth_year_plausible",
                violation_error_message=f"Birth year must be between {BIRTH_YEAR_MIN} and "
                f"{BIRTH_YEAR_MAX}.",
            ),
        ]
        indexes = [
            # API list: ?status=...&ordering=-detained_on.
            models.Index(fields=["status", "-detained_on"], name="dp_status_detained_on_idx"),
            # API/admin list: ?country=...
            models.Index(fields=["country"], name="dp_country_idx"),
            # News watch: has the watch list changed since the matcher was built? (the
            # latest edit of a watched person, found without reading the others)
            models.Index(
                fields=["updated_at"],
                condition=models.Q(watch_enabled=True),
                name="dp_watched_updated_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.native_name})" if self.native_name else self.name

    @property
    def name_forms(self) -> list[str]:
        return name_forms(self.name, self.native_name, self.aliases)

    def clean(self) -> None:
        if isinstance(self.aliases, list):
            self.aliases = [a.strip() for a in self.aliases if isinstance(a, str) and a.strip()]
        if isinstance(self.context_terms, list):
            self.context_terms = [
                t.strip() for t in self.context_terms if isinstance(t, str) and t.strip()
            ]
        self.search_names = "\n".join(dict.fromkeys(fold(form) for form in self.name_forms))


class CaseEvent(TimeStampedModel):
    """One dated step in a case. An event whose kind is a status moves the person's status
    when it is the latest such event (tracker.services.case_event_record)."""

    class Kind(models.TextChoices):
        # Each status is a kind, with the status's own label (a bare value would take a label
        # made from the member name: "Rsdl", "On Trial").
        DETAINED = CaseStatus.DETAINED.value, CaseStatus.DETAINED.label
        DISAPPEARED = CaseStatus.DISAPPEARED.value, CaseStatus.DISAPPEARED.label
        RSDL = CaseStatus.RSDL.value, CaseStatus.RSDL.label
        ARRESTED = CaseStatus.ARRESTED.value, CaseStatus.ARRESTED.label
        INDICTED = CaseStatus.INDICTED.value, CaseStatus.INDICTED.label
        ON_TRIAL = CaseStatus.ON_TRIAL.value, CaseStatus.ON_TRIAL.label
        SENTENCED = CaseStatus.SENTENCED.value, CaseStatus.SENTENCED.label
        RELEASED = CaseStatus.RELEASED.value, CaseStatus.RELEASED.label
        RELEASED_ON_BAIL = CaseStatus.RELEASED_ON_BAIL.value, CaseStatus.RELEASED_ON_BAIL.label
        EXIT_BAN = CaseStatus.EXIT_BAN.value, CaseStatus.EXIT_BAN.label
        DECEASED = CaseStatus.DECEASED.value, CaseStatus.DECEASED.label
        TRANSFERRED = "transferred", "Transferred"
        FAMILY_HARASSED = "family_harassed", "Family harassed"
        HEALTH_CONCERN = "health_concern", "Health concern"
        HEARING = "hearing", "Hearing"
        OTHER = "other", "Other"

    person = models.ForeignKey(DetainedPerson, on_delete=models.PROTECT, related_name="events")
    date = models.DateField()
    kind = models.CharField(max_length=20, choices=Kind.choices)
    description = models.TextField(blank=True)
    source_url = models.URLField(max_length=500, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["person", "-date", "-id"]
        indexes = [
            # A person's timeline, newest first, and "latest status event" in services.
            models.Index(fields=["person", "-date", "-id"], name="caseevent_person_date_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.date}: {self.get_kind_display()}"

    @property
    def is_status_change(self) -> bool:
        return self.kind in CaseStatus.values

    def clean(self) -> None:
        # A status event moves the status as soon as it is recorded: dated ahead, it would
        # announce as fact what has not happened (a living person "deceased" in 2099). Other
        # events, a hearing say, may be dated ahead: they are upcoming.
        if self.is_status_change and self.date and self.date > timezone.localdate():
            raise ValidationError(
                {
                    "date": ValidationError(
                        "A status change cannot be dated after today (%(today)s): record it "
                        "once it has happened. Only events that are not status changes, such "
                        "as a hearing, may be dated ahead.",
                        code="status_in_future",
                        params={"today": timezone.localdate().isoformat()},
                    )
                }
            )


# --- News watch ---------------------------------------------------------------------------------

GOOGLE_NEWS_SEARCH_URL = "https://news.google.com/rss/search?q={query}&hl=en-US&gl=US&ceid=US:en"
GDELT_DOC_URL = (
    "https://api.gdeltproject.org/api/v2/doc/doc?query={query}"
    "&mode=artlist&format=json&maxrecords=250&sort=datedesc"
)


def _validate_source_url(value: str) -> None:
    if not value.lower().startswith(("http://", "https://")):
        raise ValidationError("Enter an http or https URL.", code="invalid_scheme")


class NewsSource(TimeStampedModel):
    """Where the news watch looks: a feed, or a search provider asked once per watched person."""

    class Kind(models.TextChoices):
        FEED = "feed", "RSS or Atom feed"
        GOOGLE_NEWS = "google_news", "Google News search (per case)"
        GDELT = "gdelt", "GDELT search (per case)"

    class LastStatus(models.TextChoices):
        NEVER = "", "Not polled yet"
        OK = "ok", "OK"
        NOT_MODIFIED = "not_modified", "Not modified"
        FAILED = "failed", "Failed"

    DEFAULT_URLS = {Kind.GOOGLE_NEWS: GOOGLE_NEWS_SEARCH_URL, Kind.GDELT: GDELT_DOC_URL}
    # GDELT documents one request per 5 seconds; Google News has no published limit.
    DEFAULT_MIN_INTERVALS = {Kind.FEED: 0, Kind.GOOGLE_NEWS: 1, Kind.GDELT: 5}
    # Bounds the API states in its schema: a source is polled at least weekly (a larger
    # interval would be a source nobody watches), and no pause between two requests is
    # longer than an hour.
    # A search source asks for several watched people at once: the OR of all their name forms,
    # as many people as fit both limits. The query's length is counted URL-encoded (as sent):
    # GDELT refuses long queries, and about 900 encoded characters is its safe practical cap;
    # Google News takes longer URLs, but its 100 results are shared by everyone in the query.
    DEFAULT_MAX_QUERY_CHARS = {Kind.GOOGLE_NEWS: 1000, Kind.GDELT: 900}
    DEFAULT_MAX_PEOPLE_PER_QUERY = {Kind.GOOGLE_NEWS: 8, Kind.GDELT: 10}
    # The most records one answer holds: an answer this full may have left some out, so its
    # people are asked again in smaller batches. GDELT's is its `maxrecords` (75 when absent).
    GOOGLE_NEWS_MAX_RECORDS = 100
    GDELT_DEFAULT_MAX_RECORDS = 75
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
        "most an hour. Blank: 5 for GDELT, 1 for Google News, 0 for feeds.",
    )
    max_query_chars = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[
            MinValueValidator(QUERY_CHARS_BOUNDS[0]),
            MaxValueValidator(QUERY_CHARS_BOUNDS[1]),
        ],
        help_text="Search sources: the longest query sent, URL-encoded (100 to 8,000). "
        "Blank: 900 for GDELT, 1,000 for Google News.",
    )
    max_people_per_query = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(PEOPLE_PER_QUERY_MAX)],
        help_text="Search sources: the most watched people one query asks for (1 to 50). "
        "Blank: 10 for GDELT, 8 for Google News.",
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
                condition=models.Q(kind="feed") | models.Q(url__contains="{query}"),
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
    def is_search(self) -> bool:
        return self.kind != self.Kind.FEED

    @property
    def request_interval(self) -> int:
        if self.min_interval_seconds is not None:
            return self.min_interval_seconds
        return self.DEFAULT_MIN_INTERVALS[self.Kind(self.kind)]

    @property
    def query_chars_limit(self) -> int:
        if self.max_query_chars is not None:
            return self.max_query_chars
        return self.DEFAULT_MAX_QUERY_CHARS.get(self.Kind(self.kind), 0)

    @property
    def people_per_query_limit(self) -> int:
        if self.max_people_per_query is not None:
            return self.max_people_per_query
        return self.DEFAULT_MAX_PEOPLE_PER_QUERY.get(self.Kind(self.kind), 1)

    @property
    def max_records(self) -> int:
        """The most records one answer of this search source holds."""
        if self.kind == self.Kind.GDELT:
            values = parse_qs(urlsplit(self.url).query).get("maxrecords", [])
            try:
                return int(values[0])
            except (IndexError, ValueError):
                return self.GDELT_DEFAULT_MAX_RECORDS
        return self.GOOGLE_NEWS_MAX_RECORDS

    def clean(self) -> None:
        if self.is_search and not self.url:
            self.url = self.DEFAULT_URLS[self.Kind(self.kind)]
        if not self.url:
            raise ValidationError({"url": "A feed needs its URL."})
        if self.is_search and "{query}" not in self.url:
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
        return f"{self.source_id}/{self.person_id} searched {self.last_searched_at:%Y-%m-%d %H:%M}"


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
        ]

    def __str__(self) -> str:
        return f"{self.person} in {self.news_item}"


class CaseEventProposal(TimeStampedModel):
    """A case event the news watch read in a confirmed mention's article, waiting for staff to
    accept it onto the timeline or reject it; nothing changes in the case until they accept
    (tracker.services.case_event_proposal_accept)."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected"

    # Who may accept or reject one (admin buttons and API actions alike): a decision adds a
    # case event and changes the proposal.
    DECIDE_PERMISSIONS = ("tracker.add_caseevent", "tracker.change_caseeventproposal")

    # No index of its own: the unique (mention, kind) constraint starts with it.
    mention = models.ForeignKey(
        Mention, on_delete=models.CASCADE, related_name="proposals", db_index=False
    )
    person = models.ForeignKey(
        DetainedPerson, on_delete=models.PROTECT, related_name="event_proposals", db_index=False
    )
    kind = models.CharField(max_length=20, choices=CaseEvent.Kind.choices)
    date = models.DateField(help_text="The date the article gives, else its publication date.")
    evidence = models.TextField(help_text="The sentence of the article that says it.")
    # The news item's canonical URL as stored (NewsItem.url), unvalidated like it: a proposal is
    # never refused for its article's address.
    source_url = models.CharField("source URL", max_length=2000)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    decided_by = models.ForeignKey(
        "auth.User",
        on_delete=models.SET_NULL,
        related_name="decided_event_proposals",
        null=True,
        blank=True,
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # The timeline event it became (or that the timeline already had) once accepted.
    event = models.ForeignKey(
        CaseEvent,
        on_delete=models.SET_NULL,
        related_name="proposals",
        null=True,
        blank=True,
    )

    history = HistoricalRecords(no_db_index=["mention", "person", "decided_by", "event"])

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # Reading the same article twice proposes nothing new.
            models.UniqueConstraint(
                fields=["mention", "kind"], name="proposal_unique_mention_kind"
            ),
            models.CheckConstraint(
                condition=models.Q(status="proposed", decided_at__isnull=True)
                | (~models.Q(status="proposed") & models.Q(decided_at__isnull=False)),
                name="proposal_decided_when_not_proposed",
                violation_error_message="A decided proposal records when it was decided.",
            ),
        ]
        indexes = [
            # A case page and the API's ?person=: the person's proposals, pending first.
            models.Index(fields=["person", "status"], name="proposal_person_status_idx"),
            # The list of proposals waiting for a decision, newest first.
            models.Index(fields=["status", "-created_at"], name="proposal_status_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.date} for {self.person} ({self.status})"


# --- Email digests ------------------------------------------------------------------------------


class Subscription(TimeStampedModel):
    """Someone who follows campaigns or cases and gets a digest of what is new by email."""

    class Frequency(models.TextChoices):
        DAILY = "daily", "Daily"
        WEEKLY = "weekly", "Weekly (Mondays)"

    email = models.EmailField()
    user = models.ForeignKey(
        "auth.User",
        on_delete=models.SET_NULL,
        related_name="subscriptions",
        null=True,
        blank=True,
    )
    frequency = models.CharField(max_length=10, choices=Frequency.choices, default=Frequency.DAILY)
    campaigns = models.ManyToManyField(
        "campaigns.Campaign",
        related_name="subscriptions",
        blank=True,
        help_text="Following a campaign covers every person in it, including people added later.",
    )
    persons = models.ManyToManyField(DetainedPerson, related_name="subscriptions", blank=True)
    include_unreviewed = models.BooleanField(
        # Off by default: digests often go to partners outside the organisation, and a match
        # nobody has checked may name the wrong person.
        default=False,
        help_text="Also list new mentions that staff have not reviewed yet (marked as "
        "unreviewed). Off: only confirmed mentions. Dismissed mentions never appear.",
    )
    active = models.BooleanField(default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["email", "frequency"]
        constraints = [
            models.UniqueConstraint(
                fields=["email", "frequency"],
                name="subscription_unique_email_frequency",
                violation_error_message="This address already has a subscription this often.",
            ),
        ]
        indexes = [
            # send_due_digests: the active subscriptions of one frequency.
            models.Index(fields=["frequency", "active"], name="subscription_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.email} ({self.get_frequency_display()})"

    def clean(self) -> None:
        self.email = (self.email or "").strip().lower()


class DigestDelivery(models.Model):
    """One digest for one subscription and one period; unique per (subscription, period
    start), which is what makes sending idempotent."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        EMPTY = "empty", "Empty (nothing new)"

    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    period_start = models.DateTimeField()
    period_end = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    message_id = models.CharField(max_length=300, blank=True)
    # A worker that claims the delivery holds it until then; a claim that outlives its worker
    # (killed mid-send) expires and another attempt may claim it.
    claimed_until = models.DateTimeField(null=True, blank=True)
    # When a task to send it was last queued: the sweeper re-queues a pending delivery only once
    # that is long past (its task was lost), not while it waits its turn in the queue.
    queued_at = models.DateTimeField(null=True, blank=True)
    # The message as built when first claimed (subject, from, to, headers, text and HTML): every
    # later attempt sends exactly this, so a resend after a crash is the same message with the
    # same Message-ID, which mail clients fold into one. Dropped once it is recorded as sent.
    content = models.JSONField(null=True, blank=True, editable=False)
    mentions = models.ManyToManyField(Mention, related_name="digest_deliveries", blank=True)
    events = models.ManyToManyField(CaseEvent, related_name="digest_deliveries", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-period_end", "-id"]
        verbose_name_plural = "digest deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "period_start"], name="digestdelivery_unique_period"
            ),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="digestdelivery_period_ordered",
            ),
        ]
        indexes = [
            # The next period starts where the subscription's latest delivery ended.
            models.Index(fields=["subscription", "-period_end"], name="digest_sub_period_idx"),
            # Workers pick up pending deliveries.
            models.Index(fields=["status"], name="digest_status_idx"),
        ]

    def __str__(self) -> str:
        when = "%Y-%m-%d %H:%M"
        return f"{self.subscription}: {self.period_start:{when}} to {self.period_end:{when}}"
