"""Campaigns, the organisations and people around them, letters to officials and who signed them."""

import re
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from config.formats import staff_date
from config.models import TimeStampedModel
from config.uploads import UPLOAD_EXTENSIONS


class Organization(TimeStampedModel):
    class Kind(models.TextChoices):
        NGO = "ngo", "NGO"
        GOVERNMENT = "government", "Government"
        LEGISLATURE = "legislature", "Legislature"
        MEDIA = "media", "Media"
        INTERGOVERNMENTAL = "intergovernmental", "Intergovernmental"
        OTHER = "other", "Other"

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.NGO)
    country = CountryField(blank=True)
    website = models.URLField(blank=True)
    notes = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        permissions = [("export_organization", "Can export organizations")]
        constraints = [
            # Names are matched case-insensitively (CSV imports, API bulk signatures), so two
            # organisations may not differ by case alone. Also serves lookups by Lower(name).
            models.UniqueConstraint(Lower("name"), name="organization_name_ci_unique"),
        ]
        indexes = [
            # The countries the admin list's filter offers (a walk over this index:
            # config.admin_filters.CountryInUseFilter).
            models.Index(fields=["country"], name="organization_country_idx"),
        ]

    def __str__(self) -> str:
        return self.name


class Person(TimeStampedModel):
    """Officials who receive letters, individuals who sign them, spokespeople."""

    full_name = models.CharField(max_length=200)
    native_name = models.CharField(
        "name in native script",
        max_length=200,
        blank=True,
        help_text="As the person writes it, if not in Latin letters (王毅, Лавров).",
    )
    title = models.CharField("title (position)", max_length=200, blank=True)
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="people",
        null=True,
        blank=True,
    )
    country = CountryField(blank=True)
    email = models.EmailField(blank=True)
    notes = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["full_name"]
        verbose_name_plural = "people"
        permissions = [("export_person", "Can export people")]
        indexes = [
            # Bulk signature import and admin search match people by name, case-insensitively.
            models.Index(Lower("full_name"), name="person_full_name_lower_idx"),
            # The countries the admin list's filter offers (config.admin_filters).
            models.Index(fields=["country"], name="person_country_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.title})" if self.title else self.full_name


class PersonIdentifier(models.Model):
    """A person's identifier in another system, as OSDI writes it ("<system>:<id>", such as
    "action_network:1efc3644-..."): how a person pulled from Action Network is found again on the
    next pull, and what Vigil's OSDI answers list beside "vigil:<id>"."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="identifiers")
    value = models.CharField(max_length=300, unique=True)

    class Meta:
        ordering = ["person", "value"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(value__contains=":"), name="personidentifier_has_namespace"
            ),
        ]

    def __str__(self) -> str:
        return self.value


def validate_petition_api_url(value: str) -> None:
    """An OSDI petition's API address (.../api/.../petitions/<id>), not its public page: what a
    pull of its signatures asks (campaigns/osdi/pull.py)."""
    path = urlsplit(value).path.rstrip("/")
    if "/api/" not in path or not re.search(r"/petitions/[^/]+$", path):
        raise ValidationError(
            "This is not a petition's API address: it should look like "
            "https://actionnetwork.org/api/v2/petitions/<id> (not the petition's public page).",
            code="not_petition_api_url",
        )


class Campaign(TimeStampedModel):
    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        ACTIVE = "active", "Active"
        PAUSED = "paused", "Paused"
        WON = "won", "Won"
        CLOSED = "closed", "Closed"

    name = models.CharField(max_length=200)
    slug = models.SlugField(
        max_length=200, unique=True, help_text="Derived from the name when left blank."
    )
    summary = models.CharField(max_length=500, blank=True)
    description = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    started_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    lead_organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="led_campaigns",
        null=True,
        blank=True,
    )
    lead_person = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        related_name="led_campaigns",
        null=True,
        blank=True,
    )
    website = models.URLField(blank=True)
    detained_persons = models.ManyToManyField(
        "tracker.DetainedPerson", related_name="campaigns", blank=True
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-started_on", "name"]
        permissions = [("export_campaign", "Can export campaigns")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True)
                | models.Q(started_on__isnull=True)
                | models.Q(ended_on__gte=models.F("started_on")),
                name="campaign_ends_after_start",
                violation_error_message="A campaign cannot end before it starts.",
            ),
            models.CheckConstraint(condition=~models.Q(slug=""), name="campaign_slug_not_empty"),
        ]
        indexes = [
            # The admin list: its order and its dates (config.admin_dates).
            models.Index(fields=["-started_on", "name"], name="campaign_started_idx"),
        ]

    def __str__(self) -> str:
        return self.name


class Letter(TimeStampedModel):
    class Kind(models.TextChoices):
        OPEN_LETTER = "open_letter", "Open letter"
        PRIVATE_LETTER = "private_letter", "Private letter"
        PETITION = "petition", "Petition"
        STATEMENT = "statement", "Statement"

    class Delivery(models.TextChoices):
        """How the letter reached its recipients (OSDI outreaches carry it as their type)."""

        NOT_RECORDED = "", "Not recorded"
        POSTAL_MAIL = "postal_mail", "Postal mail"
        EMAIL = "email", "Email"
        IN_PERSON = "in_person", "In person"
        PUBLISHED = "published", "Published (open letter)"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        COLLECTING_SIGNATURES = "collecting_signatures", "Collecting signatures"
        SENT = "sent", "Sent"
        PUBLISHED = "published", "Published"
        RESPONDED = "responded", "Responded"

    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.PROTECT,
        related_name="letters",
        null=True,
        blank=True,
    )
    title = models.CharField(max_length=300)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OPEN_LETTER)
    status = models.CharField(max_length=30, choices=Status.choices, default=Status.DRAFT)
    sent_on = models.DateField(null=True, blank=True)
    delivery = models.CharField(
        "sent by",
        max_length=20,
        choices=Delivery.choices,
        default=Delivery.NOT_RECORDED,
        blank=True,
        help_text="How it reached its recipients.",
    )
    recipients = models.ManyToManyField(Person, related_name="letters_received", blank=True)
    # Whom the letter is about: a campaign's letter may concern some of its cases only, and a
    # case's page lists these first ("Letters about them").
    persons = models.ManyToManyField(
        "tracker.DetainedPerson",
        related_name="letters",
        blank=True,
        verbose_name="detained persons",
        help_text="The detained persons this letter is about.",
    )
    author_organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="authored_letters",
        null=True,
        blank=True,
    )
    # The staff member who follows the letter up: chasing recipients who have not answered.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        related_name="letters_owned",
        null=True,
        blank=True,
        help_text="The staff member who follows this letter up (chases unanswered recipients).",
    )
    body = models.TextField("body or summary", blank=True)
    demands = models.TextField(blank=True)
    url = models.URLField("URL", max_length=500, blank=True)
    # Where its signatures are collected, if on Action Network: pulled from there on request
    # (campaigns/osdi/pull.py).
    osdi_petition_url = models.URLField(
        "Action Network petition",
        max_length=500,
        blank=True,
        validators=[validate_petition_api_url],
        help_text="The petition's API address, such as "
        "https://actionnetwork.org/api/v2/petitions/<id> (not its public page): its "
        "signatures can then be pulled into this letter.",
    )
    response_notes = models.TextField(blank=True)

    history = HistoricalRecords(m2m_fields=[recipients, persons])

    class Meta:
        ordering = ["-sent_on", "title"]
        permissions = [("export_letter", "Can export letters")]
        indexes = [
            # Letters of a campaign, newest first (campaign pages, API `campaign` filter).
            models.Index(fields=["campaign", "-sent_on"], name="letter_campaign_sent_idx"),
            # The admin list: its order and its dates (config.admin_dates).
            models.Index(fields=["-sent_on", "title"], name="letter_sent_idx"),
        ]

    def __str__(self) -> str:
        return self.title


class Signature(TimeStampedModel):
    """A letter signed by exactly one organisation or one person."""

    letter = models.ForeignKey(Letter, on_delete=models.PROTECT, related_name="signatures")
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="signatures",
        null=True,
        blank=True,
    )
    person = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        related_name="signatures",
        null=True,
        blank=True,
    )
    signed_on = models.DateField(null=True, blank=True)
    note = models.CharField(max_length=500, blank=True)
    # Where the signature was collected: blank for Vigil itself (staff, the CSV import, the
    # API), else the other system's name, as OSDI's `origin_system` ("Action Network").
    origin_system = models.CharField(max_length=100, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["letter", "id"]
        permissions = [("export_signature", "Can export signatures")]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(organization__isnull=False) & models.Q(person__isnull=True))
                | (models.Q(organization__isnull=True) & models.Q(person__isnull=False)),
                name="signature_exactly_one_signatory",
                violation_error_message=(
                    "A signature needs exactly one of an organization or a person."
                ),
            ),
            # Also serves "signatures of this letter" and "letters this organization signed".
            models.UniqueConstraint(
                fields=["letter", "organization"],
                condition=models.Q(organization__isnull=False),
                name="signature_unique_letter_organization",
                violation_error_message="This organization has already signed this letter.",
            ),
            models.UniqueConstraint(
                fields=["letter", "person"],
                condition=models.Q(person__isnull=False),
                name="signature_unique_letter_person",
                violation_error_message="This person has already signed this letter.",
            ),
        ]
        indexes = [
            # The admin list's dates (config.admin_dates).
            models.Index(fields=["signed_on"], name="signature_signed_on_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.signatory} on {self.letter}"

    @property
    def signatory(self) -> Organization | Person | None:
        return self.organization or self.person


class SignaturePull(models.Model):
    """One pull of a letter's signatures from its Action Network petition, and its report.

    Made queued by `signature_pull_request` and run, a page at a time, by
    `signatures_pull_osdi` (campaigns/osdi/pull.py); its counts grow as each page is applied,
    which the letter's page shows."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    ACTIVE = (Status.QUEUED, Status.RUNNING)
    MAX_ERRORS_KEPT = 1000

    letter = models.ForeignKey(Letter, on_delete=models.PROTECT, related_name="signature_pulls")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        related_name="signature_pulls",
        null=True,
        blank=True,
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Only signatures modified after this were asked for: the start of the letter's last
    # successful pull, less a margin (None: the first pull reads them all).
    modified_since = models.DateTimeField(null=True, blank=True)
    # The page to read next while running: each page is applied with this moved on, in one
    # transaction, so a pull resumes where it stopped.
    next_url = models.URLField(max_length=2000, blank=True)
    pages_read = models.PositiveIntegerField(default=0)
    signatures_added = models.PositiveIntegerField(default=0)
    already_signed = models.PositiveIntegerField(default=0)
    people_matched = models.PositiveIntegerField(default=0)
    people_created = models.PositiveIntegerField(default=0)
    people_updated = models.PositiveIntegerField(default=0)
    rows_not_applied = models.PositiveIntegerField(default=0)
    # The first of them (MAX_ERRORS_KEPT): [{"page", "row", "identifier", "message"}], as the
    # CSV import reports its rows.
    errors = models.JSONField(default=list, blank=True)
    error = models.TextField("why it failed", blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # Two pulls of one letter would read the same pages twice: a second request finds
            # the first (signature_pull_request) instead.
            models.UniqueConstraint(
                fields=["letter"],
                condition=models.Q(status__in=["queued", "running"]),
                name="signaturepull_one_active_per_letter",
            ),
        ]
        indexes = [
            # A letter's latest pulls (its page), and its last successful one (modified_since).
            models.Index(fields=["letter", "-created_at"], name="signaturepull_letter_idx"),
        ]

    def __str__(self) -> str:
        return f"Pull of {self.letter} ({self.get_status_display().lower()})"


# What a response's file may be: the upload rules every file follows (config.uploads).
RESPONSE_FILE_EXTENSIONS = UPLOAD_EXTENSIONS


class LetterResponse(TimeStampedModel):
    """An answer to a letter, from a person (usually one of its recipients) or an organisation.

    Recorded through `letter_response_record` (campaigns/services.py), which moves the letter to
    "responded"; deleting its last response (`letter_response_delete`) moves it back to "sent"."""

    letter = models.ForeignKey(Letter, on_delete=models.PROTECT, related_name="responses")
    person = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        related_name="letter_responses",
        null=True,
        blank=True,
        help_text="Who answered: usually one of the letter's recipients.",
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="letter_responses",
        null=True,
        blank=True,
        help_text="Or the organisation that answered (a ministry, an office).",
    )
    received_on = models.DateField()
    summary = models.TextField()
    url = models.URLField("link", max_length=500, blank=True)
    # Kept under MEDIA_ROOT, which is not served: the admin serves each file to staff who may
    # view responses (LetterResponseAdmin.file_view).
    file = models.FileField(
        upload_to="letter-responses/%Y/%m/",
        max_length=300,
        blank=True,
        validators=[FileExtensionValidator(RESPONSE_FILE_EXTENSIONS)],
        help_text="A scan or copy of the answer: " + ", ".join(RESPONSE_FILE_EXTENSIONS) + ".",
    )
    # Whom the answer covers, among the persons its letter asks about (a letter may name 20,
    # an answer speak of 3): letter_response_record refuses anyone else.
    persons = models.ManyToManyField(
        "tracker.DetainedPerson",
        related_name="answered_in",
        blank=True,
        verbose_name="persons answered about",
        help_text="Whom this answer speaks of, among the detained persons its letter is about.",
    )

    history = HistoricalRecords(m2m_fields=[persons])

    class Meta:
        ordering = ["letter", "-received_on", "-id"]
        permissions = [("export_letterresponse", "Can export letter responses")]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(organization__isnull=False) & models.Q(person__isnull=True))
                | (models.Q(organization__isnull=True) & models.Q(person__isnull=False)),
                name="letterresponse_exactly_one_responder",
                violation_error_message=(
                    "A response comes from exactly one of a person or an organization."
                ),
            ),
        ]
        indexes = [
            # A letter's responses, earliest first: "answered on" per recipient, and whether
            # a letter still has any response when one is deleted.
            models.Index(fields=["letter", "received_on"], name="letterresponse_letter_idx"),
            # The admin list's dates (config.admin_dates).
            models.Index(fields=["received_on"], name="letterresponse_received_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.responder} on {staff_date(self.received_on)}: {self.letter}"

    @property
    def responder(self) -> Organization | Person | None:
        return self.person or self.organization

    def clean(self) -> None:
        # Checked here (every write goes through full_clean in the service), not as a database
        # constraint: "today" moves, and is the staff's date, not the database server's.
        errors = {}
        today = timezone.localdate()
        if self.received_on and self.received_on > today:
            errors["received_on"] = ValidationError(
                "A response cannot be received after today (%(today)s).",
                code="received_in_future",
                params={"today": today.isoformat()},
            )
        elif (
            self.received_on
            and self.letter_id is not None
            and self.letter.sent_on
            and self.received_on < self.letter.sent_on
        ):
            errors["received_on"] = ValidationError(
                "A response cannot be received before the letter was sent (%(sent_on)s).",
                code="received_before_sent",
                params={"sent_on": self.letter.sent_on.isoformat()},
            )
        if errors:
            raise ValidationError(errors)
