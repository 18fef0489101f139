"""Reads for campaigns, letters, their responses and signatures."""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import (
    Count,
    DateField,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from campaigns.models import Campaign, Letter, LetterResponse, Person, Signature
from config.subqueries import count_of
from tracker.cases.models import DetainedPerson

# After this many days without an answer, a recipient is "waiting" (dashboard, campaign page).
WAITING_AFTER_DAYS = 30

# A letter counts as sent once it has a date of sending and has left the draft stages.
UNSENT_STATUSES = [Letter.Status.DRAFT, Letter.Status.COLLECTING_SIGNATURES]


def letter_signature_changes(*, letter: Letter, limit: int) -> list:
    """The latest `limit` signatures added to or removed from a letter (Signature history
    versions "+" and "-"), newest first, with who signed and who made the change: one query."""
    return list(
        Signature.history.filter(letter_id=letter.pk, history_type__in=["+", "-"])
        .select_related("history_user", "organization", "person")
        .order_by("-history_date", "-history_id")[:limit]
    )


@dataclass(frozen=True)
class RecipientStatus:
    """One recipient of one letter: when it was sent to them and when they (or their
    organization) first answered. `days_waiting` runs from sending to the answer, or to today
    while there is none; None for a letter not sent."""

    letter: Letter
    recipient: Person
    sent_on: datetime.date | None
    answered_on: datetime.date | None
    days_waiting: int | None

    @property
    def answered(self) -> bool:
        return self.answered_on is not None


def _recipient_answers() -> QuerySet:
    """Responses to the outer row's letter by its recipient or by the recipient's organization
    (a ministry answering for its minister): a subquery of the recipients table."""
    return LetterResponse.objects.filter(letter_id=OuterRef("letter_id")).filter(
        Q(person_id=OuterRef("person_id")) | Q(organization_id=OuterRef("person__organization_id"))
    )


# Longest wait first, as letters_waiting_for_answer lists them.
_RECIPIENT_ORDER = ["letter__sent_on", "letter_id", "person__full_name", "person_id"]


def _recipient_rows() -> QuerySet:
    """Rows of (letter, recipient) (the recipients table), each with its first answer's date: one
    query, whatever the number of letters and recipients."""
    first_answer = _recipient_answers().order_by("received_on")
    return (
        Letter.recipients.through.objects.select_related("letter", "person")
        .annotate(answered_on=Subquery(first_answer.values("received_on")[:1]))
        .order_by(*_RECIPIENT_ORDER)
    )


def _status(row, today: datetime.date) -> RecipientStatus:
    letter = row.letter
    sent_on = letter.sent_on if letter.status not in UNSENT_STATUSES else None
    days = None if sent_on is None else ((row.answered_on or today) - sent_on).days
    return RecipientStatus(letter, row.person, sent_on, row.answered_on, days)


def letters_recipient_statuses(
    *, letter_ids: Iterable[int], today: datetime.date | None = None
) -> dict[int, list[RecipientStatus]]:
    """For each letter id, its recipients by name with sent on, answered on, days waiting."""
    today = today or timezone.localdate()
    statuses: dict[int, list[RecipientStatus]] = defaultdict(list)
    for row in _recipient_rows().filter(letter_id__in=list(letter_ids)):
        statuses[row.letter_id].append(_status(row, today))
    return statuses


def letter_recipient_statuses(
    *, letter: Letter, today: datetime.date | None = None
) -> list[RecipientStatus]:
    """A letter's recipients by name, with sent on, answered on and days waiting: one query."""
    return letters_recipient_statuses(letter_ids=[letter.pk], today=today).get(letter.pk, [])


def letters_waiting_for_answer(
    *, today: datetime.date | None = None, after_days: int = WAITING_AFTER_DAYS
) -> list[RecipientStatus]:
    """Letters waiting for an answer, one row per recipient: sent `after_days` days ago or
    more, and neither the recipient nor their organization has answered. Longest wait first;
    one query (rows have letter, recipient, sent_on and days_waiting)."""
    today = today or timezone.localdate()
    return [_status(row, today) for row in _recipient_rows().filter(_waiting(today, after_days))]


def _waiting(today: datetime.date, after_days: int) -> Q:
    """Rows of the recipients table waiting for an answer (letters_waiting_for_answer)."""
    return (
        Q(letter__sent_on__lte=today - datetime.timedelta(days=after_days))
        & ~Q(letter__status__in=UNSENT_STATUSES)
        & ~Exists(_recipient_answers())
    )


def letters_waiting_first(
    *,
    today: datetime.date | None = None,
    limit: int,
    owner=None,
    after_days: int = WAITING_AFTER_DAYS,
) -> dict:
    """The dashboard's letters waiting for an answer (as letters_waiting_for_answer): how many
    rows there are ("count"), the first `limit` ("rows") and every one of the letters `owner`
    owns ("owner_rows"). One query, however many letters wait."""
    today = today or timezone.localdate()
    waiting = Letter.recipients.through.objects.filter(_waiting(today, after_days))
    wanted = Q(pk__in=waiting.order_by(*_RECIPIENT_ORDER).values("pk")[:limit])
    if owner is not None and owner.pk is not None:
        wanted |= Q(letter__owner_id=owner.pk)
    rows = list(
        waiting.filter(wanted)
        .select_related("letter", "person")
        # What a row shows; none of them has an answer (answered_on is None).
        .only(
            "letter__title",
            "letter__status",
            "letter__sent_on",
            "letter__owner_id",
            "person__full_name",
        )
        .annotate(answered_on=Value(None, output_field=DateField()))
        .annotate(waiting_count=count_of(waiting))
        .order_by(*_RECIPIENT_ORDER)
    )
    owner_id = owner.pk if owner is not None else None
    return {
        "count": rows[0].waiting_count if rows else 0,
        "rows": [_status(row, today) for row in rows[:limit]],
        "owner_rows": [
            _status(row, today)
            for row in rows
            if owner_id is not None and row.letter.owner_id == owner_id
        ],
    }


@dataclass(frozen=True)
class AnsweredAbout:
    """What a letter asked and what its answers covered: the persons it is about (`asked`, by
    name) and, of these, those some response to it names (`answered_ids`). "Answered about 3
    of 20"; `unanswered` is who is still waiting for a word."""

    asked: list[DetainedPerson]
    answered_ids: frozenset[int]

    @property
    def answered(self) -> list[DetainedPerson]:
        return [p for p in self.asked if p.pk in self.answered_ids]

    @property
    def unanswered(self) -> list[DetainedPerson]:
        return [p for p in self.asked if p.pk not in self.answered_ids]


def letters_answered_person_ids(*, letter_ids: Iterable[int]) -> dict[int, set[int]]:
    """For each letter id, the ids of the persons its responses answer about, among those the
    letter is about (a person since taken off the letter is not counted): one query."""
    on_letter = Letter.persons.through.objects.filter(
        letter_id=OuterRef("letterresponse__letter_id"),
        detainedperson_id=OuterRef("detainedperson_id"),
    )
    rows = (
        LetterResponse.persons.through.objects.filter(
            letterresponse__letter_id__in=list(letter_ids)
        )
        .filter(Exists(on_letter))
        .values_list("letterresponse__letter_id", "detainedperson_id")
        .distinct()
    )
    answered: dict[int, set[int]] = defaultdict(set)
    for letter_id, person_id in rows:
        answered[letter_id].add(person_id)
    return answered


def letter_answered_about(*, letter: Letter) -> AnsweredAbout:
    """Whom a letter asked about, by name, and whom its answers covered: two queries."""
    asked = list(letter.persons.only("pk", "name", "publicity").order_by("name", "pk"))
    answered = letters_answered_person_ids(letter_ids=[letter.pk]).get(letter.pk, set())
    return AnsweredAbout(asked=asked, answered_ids=frozenset(answered))


def persons_letter_counts(*, person_ids: Iterable[int]) -> dict[int, tuple[int, int]]:
    """For each detained person id, (letters asking about them, of these the letters a
    response answered about them): "asked about in 4 letters, answered in 1". One query,
    however many persons; a person no letter names is left out (0, 0)."""
    answered = LetterResponse.persons.through.objects.filter(
        letterresponse__letter_id=OuterRef("letter_id"),
        detainedperson_id=OuterRef("detainedperson_id"),
    )
    rows = (
        Letter.persons.through.objects.filter(detainedperson_id__in=list(person_ids))
        .order_by()
        .values("detainedperson_id")
        .annotate(
            asking=Count("letter_id", distinct=True),
            answered=Count("letter_id", distinct=True, filter=Q(Exists(answered))),
        )
        .values_list("detainedperson_id", "asking", "answered")
    )
    return {person_id: (asking, answered) for person_id, asking, answered in rows}


@dataclass(frozen=True)
class CampaignSummary:
    """What a campaign's page shows above its form: each part None where the user may not view
    its records (config.permissions.may_view), and its totals only of what is shown."""

    cases: list[DetainedPerson] | None
    # Each with n_signatures (if `signatures`), n_responses and .recipient_statuses (if
    # `responses`).
    letters: list[Letter] | None
    totals: dict[str, int]
    signatures: bool = False
    responses: bool = False


def _count(queryset: QuerySet, outer: str) -> Coalesce:
    """Count of `queryset`'s rows for the outer row, as a subquery (no join that would
    multiply other counts)."""
    counted = (
        queryset.filter(letter_id=OuterRef(outer))
        .order_by()
        .values("letter_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def campaign_summary(
    *, campaign: Campaign, user, today: datetime.date | None = None
) -> CampaignSummary:
    """A campaign's cases with their statuses, its letters with their signature and response
    counts and per-recipient answers, and its totals: three queries, however many cases and
    letters it has. Only what `user` may view is read: cases, letters, and of these the
    signatures and the answers, each with its own permission."""
    from config.permissions import may_view

    today = today or timezone.localdate()
    totals: dict[str, int] = {}
    cases = letters = None
    if may_view(user, DetainedPerson):
        cases = list(
            DetainedPerson.objects.filter(campaigns=campaign)
            .only("pk", "name", "native_name", "status", "country", "detained_on")
            .order_by("name", "pk")
        )
        totals["cases"] = len(cases)
    signatures = may_view(user, Signature)
    responses = may_view(user, LetterResponse)
    if may_view(user, Letter):
        counts = {}
        if signatures:
            counts["n_signatures"] = _count(Signature.objects.all(), "pk")
        if responses:
            counts["n_responses"] = _count(LetterResponse.objects.all(), "pk")
        letters = list(
            Letter.objects.filter(campaign=campaign)
            .annotate(**counts)
            .order_by("-sent_on", "title", "pk")
        )
        totals["letters"] = len(letters)
        totals["letters_sent"] = sum(
            1 for x in letters if x.status not in UNSENT_STATUSES and x.sent_on
        )
        if signatures:
            totals["signatures"] = sum(x.n_signatures for x in letters)
        if responses:
            statuses = letters_recipient_statuses(letter_ids=[x.pk for x in letters], today=today)
            for letter in letters:
                letter.recipient_statuses = statuses.get(letter.pk, [])
                letter.n_waiting = sum(
                    1
                    for s in letter.recipient_statuses
                    if not s.answered
                    and s.days_waiting is not None
                    and s.days_waiting >= WAITING_AFTER_DAYS
                )
            totals["letters_responded"] = sum(1 for x in letters if x.n_responses)
            totals["responses"] = sum(x.n_responses for x in letters)
            totals["recipients_waiting"] = sum(x.n_waiting for x in letters)
    return CampaignSummary(
        cases=cases,
        letters=letters,
        totals=totals,
        signatures=signatures,
        responses=responses,
    )
