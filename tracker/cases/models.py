"""Detained persons and the dated timeline of each case."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import (
    FileExtensionValidator,
    MaxValueValidator,
    MinValueValidator,
)
from django.db import models
from django.utils import timezone
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from config.formats import staff_date
from config.models import TimeStampedModel
from config.uploads import UPLOAD_EXTENSIONS
from tracker.names import all_name_keys
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


# CaseStatus.values builds a new list at each call: a digest asks each of its events.
_STATUS_KINDS = frozenset(CaseStatus.values)


class CasePublicity(models.TextChoices):
    """Whether the family consents to the case being named in public. A case in quiet advocacy
    is never named outside the staff (tracker.cases.restricted)."""

    PUBLIC = "public", "Public: the family consents to naming the case"
    QUIET = "quiet", "Quiet advocacy only: never named outside the staff"


class DetainedPersonQuerySet(models.QuerySet):
    def search(self, term: str) -> "DetainedPersonQuerySet":
        """Name, native name and aliases, and the forms the news watch finds them in; folded
        (case, accents, traditional or simplified Chinese, a name's dots: tracker.text.fold)."""
        key = fold(term)
        if not key:
            return self
        return self.filter(search_names__contains=key)

    def watched(self) -> "DetainedPersonQuerySet":
        return self.filter(watch_enabled=True)


def search_names(forms: list[str]) -> str:
    """What DetainedPerson.search_names holds for these name forms: every key each is found
    under (tracker.names: folded, with its romanisation variants), one a line."""
    return "\n".join(all_name_keys(forms))


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

    Publicity = CasePublicity

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
    # New cases start quiet: naming one in public is the family's choice, recorded by staff.
    publicity = models.CharField(
        max_length=10,
        choices=CasePublicity.choices,
        default=CasePublicity.QUIET,
        help_text="Quiet advocacy: the case never appears in digests to addresses outside the "
        "staff, nor in anything else that leaves Vigil.",
    )
    # Restricted fields (tracker.cases.restricted): seen, changed, filtered and exported only
    # with the permission tracker.access_restricted_fields.
    family_contact = models.TextField(
        blank=True, help_text="How to reach the family: names, telephone, address."
    )
    lawyer = models.CharField("lawyer's name", max_length=200, blank=True)
    lawyer_contact = models.TextField("lawyer's contact", blank=True)
    health = models.TextField(blank=True, help_text="Health and medical needs.")
    information_sources = models.TextField(
        "where the information came from",
        blank=True,
        help_text="Who told us, including sources inside the country.",
    )
    internal_assessment = models.TextField(
        blank=True, help_text="Staff's own assessment of the case, never shared."
    )
    watch_enabled = models.BooleanField(
        default=True,
        help_text="Watch the news for this case and record mentions for review.",
    )
    # The staff who own the case (one of them its lead): CaseOfficer.
    officers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="CaseOfficer",
        related_name="cases_officered",
        blank=True,
        verbose_name="case officers",
    )
    # Every name form folded (see tracker.text.fold), with the other forms the news watch finds
    # it in (tracker.names), one per line: what search looks in.
    # Derived in clean(), which every write path (services, admin, CSV import) runs.
    search_names = models.TextField(editable=False, default="")

    history = HistoricalRecords(excluded_fields=["search_names"])
    objects = DetainedPersonQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        permissions = [
            ("access_restricted_fields", "Can see and change restricted case fields"),
            ("export_detainedperson", "Can export detained persons"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(publicity__in=CasePublicity.values),
                name="detainedperson_publicity_known",
            ),
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
            # API/admin list: ?country=..., and the countries its filter offers (a walk over
            # this index: config.admin_filters.CountryInUseFilter).
            models.Index(fields=["country"], name="dp_country_idx"),
            # The admin list's order (name, then newest first as Django adds it), read from
            # the index rather than sorting every case for each page; the case events' list
            # (ordered by their person's name) walks it too.
            models.Index(fields=["name", "-id"], name="dp_name_idx"),
            # The admin list's dates (config.admin_dates): first and last, and which years.
            models.Index(fields=["detained_on"], name="dp_detained_on_idx"),
            # News watch: has the watch list changed since the matcher was built? (how many
            # watched persons there are and their latest edit, read from this index alone)
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
        self.search_names = search_names(self.name_forms)


class CaseOfficer(TimeStampedModel):
    """A staff member who owns a case; at most one per case is its lead."""

    person = models.ForeignKey(
        DetainedPerson, on_delete=models.CASCADE, related_name="officer_links"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="case_officer_links"
    )
    is_lead = models.BooleanField("lead", default=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["person", "-is_lead", "user__username"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "user"],
                name="caseofficer_unique_person_user",
                violation_error_message="This staff member is already an officer of this case.",
            ),
            # One lead a case (the one follow-ups go to).
            models.UniqueConstraint(
                fields=["person"],
                condition=models.Q(is_lead=True),
                name="caseofficer_one_lead_per_case",
                violation_error_message="This case already has a lead officer.",
            ),
        ]
        indexes = [
            # "My cases": the cases of one officer.
            models.Index(fields=["user", "person"], name="caseofficer_user_person_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({'lead, ' if self.is_lead else ''}{self.person})"


class CaseNote(TimeStampedModel):
    """A dated internal note on a case, by a member of staff. Internal: shown on the case's page
    beside the timeline, never on it, and never in a digest or anything else that leaves Vigil
    (only in the case file, when asked for by someone who may view notes)."""

    person = models.ForeignKey(DetainedPerson, on_delete=models.PROTECT, related_name="notes")
    # Kept when the account is deleted: the note stays, its author unknown.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        related_name="case_notes",
        null=True,
        blank=True,
    )
    written_on = models.DateField("date", default=timezone.localdate)
    text = models.TextField()

    history = HistoricalRecords()

    class Meta:
        ordering = ["person", "-written_on", "-id"]
        indexes = [
            # A case's notes, newest first (its page, the case file, the API's ?person=).
            models.Index(fields=["person", "-written_on", "-id"], name="casenote_person_date_idx"),
            # The admin list's dates (config.admin_dates).
            models.Index(fields=["written_on"], name="casenote_written_on_idx"),
        ]

    def __str__(self) -> str:
        return f"Note of {staff_date(self.written_on)} on {self.person}"


class CaseDocumentKind(models.TextChoices):
    VERDICT = "verdict", "Verdict"
    NOTICE = "notice", "Official notice"
    FAMILY_LETTER = "family_letter", "Family letter"
    OTHER = "other", "Other"


class CaseDocument(TimeStampedModel):
    """A document about a case (a verdict, an official notice, a letter from the family), with
    the same upload rules as a letter response's scan (config.uploads). Internal like notes; the
    file is served only by the admin's download (CaseDocumentAdmin.file_view), which records
    each download in the access log."""

    Kind = CaseDocumentKind

    person = models.ForeignKey(DetainedPerson, on_delete=models.PROTECT, related_name="documents")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        related_name="case_documents",
        null=True,
        blank=True,
    )
    title = models.CharField(max_length=300)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OTHER)
    dated = models.DateField(null=True, blank=True, help_text="The document's own date.")
    # Kept under MEDIA_ROOT, which is not served.
    file = models.FileField(
        upload_to="case-documents/%Y/%m/",
        max_length=300,
        validators=[FileExtensionValidator(UPLOAD_EXTENSIONS)],
        help_text="The document: " + ", ".join(UPLOAD_EXTENSIONS) + ".",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["person", "-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=CaseDocumentKind.values),
                name="casedocument_kind_known",
            ),
        ]
        indexes = [
            # A case's documents, newest first (its page, the case file, the API's ?person=).
            models.Index(fields=["person", "-created_at"], name="casedocument_person_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_kind_display()}, {self.person})"

    @property
    def file_name(self) -> str:
        return self.file.name.rsplit("/", 1)[-1] if self.file else ""


class CaseEvent(TimeStampedModel):
    """One dated step in a case. An event whose kind is a status moves the person's status
    when it is the latest such event (tracker.cases.services.case_event_record)."""

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
    source_url = models.URLField("source URL", max_length=500, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["person", "-date", "-id"]
        permissions = [("export_caseevent", "Can export case events")]
        indexes = [
            # A person's timeline, newest first, and "latest status event" in services.
            models.Index(fields=["person", "-date", "-id"], name="caseevent_person_date_idx"),
            # The admin list's dates (config.admin_dates); the dashboard's next 30 days.
            models.Index(fields=["date"], name="caseevent_date_idx"),
        ]

    def __str__(self) -> str:
        return f"{staff_date(self.date)}: {self.get_kind_display()}"

    @property
    def is_status_change(self) -> bool:
        return self.kind in _STATUS_KINDS

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


class LegalLimit(TimeStampedModel):
    """The longest a person may lawfully be held in one status in one country (for China:
    residential surveillance at a designated location, criminal detention before arrest
    approval). Staff edit these; the dashboard and the case page count each case's days in its
    current status against them (tracker.cases.limits)."""

    country = CountryField()
    status = models.CharField(max_length=20, choices=CaseStatus.choices)
    max_days = models.PositiveIntegerField(
        validators=[MinValueValidator(1)],
        help_text="Counted from the day the status began (its latest status event).",
    )
    legal_basis = models.TextField(
        blank=True, help_text="The law that sets the limit, and how the days were counted."
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["country", "status"]
        permissions = [("export_legallimit", "Can export legal limits")]
        constraints = [
            models.UniqueConstraint(
                fields=["country", "status"],
                name="legallimit_country_status_unique",
                violation_error_message="This country already has a limit for this status.",
            ),
            models.CheckConstraint(
                condition=models.Q(max_days__gte=1), name="legallimit_max_days_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.country.name}: {self.get_status_display()}, at most {self.max_days} days"


class CaseEventProposal(TimeStampedModel):
    """A case event the news watch read in a confirmed mention's article, waiting for staff to
    accept it onto the timeline or reject it; nothing changes in the case until they accept
    (tracker.cases.services.case_event_proposal_accept)."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected"

    # Who may accept or reject one (admin buttons and API actions alike): a decision adds a
    # case event and changes the proposal.
    DECIDE_PERMISSIONS = ("tracker.add_caseevent", "tracker.change_caseeventproposal")
    # Articles on one event seldom agree on its day (a trial on the 26th, reported on the
    # 27th): events of one kind for one person this close are taken to be the same event.
    SAME_EVENT_WITHIN = timedelta(days=3)

    # No index of its own: the unique (mention, kind) constraint starts with it.
    mention = models.ForeignKey(
        "tracker.Mention", on_delete=models.CASCADE, related_name="proposals", db_index=False
    )
    person = models.ForeignKey(
        DetainedPerson, on_delete=models.PROTECT, related_name="event_proposals", db_index=False
    )
    kind = models.CharField(max_length=20, choices=CaseEvent.Kind.choices)
    date = models.DateField(help_text="The date the article gives, else its publication date.")
    date_in_text = models.BooleanField(
        default=False,
        help_text="The date is written in the article (else: its publication date, which a "
        "later source that writes the date replaces).",
    )
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
    # An event of this kind the timeline had within SAME_EVENT_WITHIN when it was proposed:
    # accepting adds this proposal's sources to it rather than a second event.
    similar_event = models.ForeignKey(
        CaseEvent,
        on_delete=models.SET_NULL,
        related_name="similar_proposals",
        null=True,
        blank=True,
    )

    history = HistoricalRecords(
        no_db_index=["mention", "person", "decided_by", "event", "similar_event"]
    )

    class Meta:
        # The sidebar's words, on its pages and in the API docs too (#19 §4).
        verbose_name = "event proposed from the news"
        verbose_name_plural = "events proposed from the news"
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
            # The admin list's dates (config.admin_dates).
            models.Index(fields=["date"], name="proposal_date_idx"),
        ]

    def __str__(self) -> str:
        when = staff_date(self.date)
        return f"{self.get_kind_display()} on {when} for {self.person} ({self.status})"


class CaseEventProposalSource(models.Model):
    """Another confirmed mention whose article reports a pending proposal's event (the same kind
    for the same person within CaseEventProposal.SAME_EVENT_WITHIN): one proposal, several
    sources. The proposal's own mention, evidence and source_url are its first source."""

    # A proposal's sources: the foreign key's own index.
    proposal = models.ForeignKey(
        CaseEventProposal, on_delete=models.CASCADE, related_name="other_sources"
    )
    # No index of its own: the unique (mention, proposal) constraint starts with it.
    mention = models.ForeignKey(
        "tracker.Mention",
        on_delete=models.CASCADE,
        related_name="proposal_sources",
        db_index=False,
    )
    date = models.DateField(help_text="The date this article gives, else its publication date.")
    date_in_text = models.BooleanField(default=False)
    evidence = models.TextField(help_text="The sentence of this article that says it.")
    source_url = models.CharField("source URL", max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["proposal", "pk"]
        constraints = [
            # An article is one source of a proposal, once.
            models.UniqueConstraint(
                fields=["mention", "proposal"], name="proposal_source_unique_mention"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source_url} for proposal {self.proposal_id}"


# --- Kept by the database: what the dashboard reads instead of every case -----------------------
# Both tables are written only by the triggers tracker/cases/summaries.py installs on the tables
# of cases, events and legal limits, in the same transaction as each write (bulk ones and raw SQL
# included): never by Django, so they are never stale. No permissions, no admin: the dashboard
# reads them for the panels of cases, which need the permission to view cases.


class CaseCount(models.Model):
    """How many cases have each status in each country: the dashboard's figures and its cases by
    status and by country, read from a few dozen rows however many cases there are."""

    status = models.CharField(max_length=20, choices=CaseStatus.choices)
    country = models.CharField(max_length=2, blank=True)
    cases = models.IntegerField(default=0)

    class Meta:
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(fields=["status", "country"], name="casecount_status_country")
        ]

    def __str__(self) -> str:
        return f"{self.status} in {self.country or '(no country)'}: {self.cases}"


class CaseDates(models.Model):
    """One case's clock as tracker.cases.limits computes it, stored so that an index finds the
    cases held longest, those with an anniversary of detention, and those at or near their legal
    limit: `held_since` (the detention date, else the first event that began a detention),
    `status_since` (the latest status event, else the detention date), and for a person still
    held whose country and status have a LegalLimit, that limit and the day it ends
    (`status_since` + its days)."""

    person = models.OneToOneField(
        DetainedPerson,
        primary_key=True,
        on_delete=models.DO_NOTHING,  # the trigger removes the row with the case
        db_constraint=False,
        related_name="dates",
    )
    status = models.CharField(max_length=20, choices=CaseStatus.choices)
    country = models.CharField(max_length=2, blank=True)
    held = models.BooleanField()
    held_since = models.DateField(null=True)
    status_since = models.DateField(null=True)
    limit = models.ForeignKey(
        LegalLimit,
        null=True,
        on_delete=models.DO_NOTHING,  # the trigger clears it with the limit
        db_constraint=False,
        related_name="+",
    )
    limit_ends_on = models.DateField(null=True)

    class Meta:
        default_permissions = ()
        indexes = [
            # Held longest (the first ten), anniversaries (four ranges of 30 days).
            models.Index(fields=["held", "held_since"], name="casedates_held_since_idx"),
            # At or near the legal limit: limit_ends_on <= today + WARN_DAYS, soonest first.
            models.Index(fields=["limit_ends_on"], name="casedates_limit_ends_idx"),
        ]

    def __str__(self) -> str:
        return f"Dates of case {self.person_id}"
