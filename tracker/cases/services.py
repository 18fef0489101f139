"""Writes for detained persons and their case timelines."""

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone

from tracker.cases.models import (
    CaseDocument,
    CaseEvent,
    CaseEventProposal,
    CaseEventProposalSource,
    CaseNote,
    CaseStatus,
    DetainedPerson,
)
from tracker.newswatch.models import Mention
from tracker.newswatch.status_news import detect_status_news


def _latest_status_event(person_id: int) -> CaseEvent | None:
    return (
        CaseEvent.objects.filter(person_id=person_id, kind__in=CaseStatus.values)
        .order_by("-date", "-id")
        .first()
    )


def detained_person_status_event(
    *, person: DetainedPerson, status_date: date | None = None
) -> CaseEvent | None:
    """The status event that saving `person` (its status set, not yet saved) records on the
    timeline, checked but unsaved; None when the stored status is the same (then a
    `status_date` is refused: it would be ignored).

    It is dated `status_date`; else, for a new person, `detained_on` (what the record itself
    says of the past); else today. ValidationError, under the field the date came from
    (`status_date`, `detained_on`, else `status`), when it would be dated after today or
    would not be the latest status event (the timeline has a later one): the status and the
    timeline never disagree."""
    if person.pk is not None:
        stored = DetainedPerson.objects.filter(pk=person.pk).values_list("status", flat=True)
        if stored.first() == person.status:
            if status_date is not None:
                raise ValidationError(
                    {
                        "status_date": ValidationError(
                            "The status is already %(status)s: a date is taken with a new "
                            "status only. To correct when it began, edit its event.",
                            code="status_unchanged",
                            params={"status": person.get_status_display()},
                        )
                    }
                )
            return None
    if status_date is not None:
        key, on = "status_date", status_date
    elif person.pk is None and person.detained_on is not None:
        key, on = "detained_on", person.detained_on
    else:
        key, on = "status", timezone.localdate()
    event = CaseEvent(person=person, date=on, kind=person.status)
    try:
        event.full_clean(exclude=["person"])
    except ValidationError as exc:
        raise ValidationError({key: exc.message_dict.get("date", exc.messages)}) from None
    latest = _latest_status_event(person.pk) if person.pk is not None else None
    if latest is not None and latest.date > on:
        raise ValidationError(
            {
                key: ValidationError(
                    "The timeline has a later status event (%(kind)s on %(date)s), which the "
                    "status follows. Date the new status on or after it, or correct the "
                    "timeline.",
                    code="status_not_latest",
                    params={"kind": latest.get_kind_display(), "date": latest.date.isoformat()},
                )
            }
        )
    return event


@transaction.atomic
def detained_person_save(
    *,
    person: DetainedPerson | None = None,
    campaigns: Iterable | None = None,
    status_date: date | None = None,
    **fields: Any,
) -> DetainedPerson:
    """Create (person=None) or update a detained person; `campaigns` replaces their campaigns.

    The status follows the timeline only: a new status (a `status` given for a new person, or
    one that differs from the stored one) is recorded as a status event, in this transaction,
    dated as detained_person_status_event says, and refused when it could not be the latest.
    A new person given no status starts Detained: with a detention date, their timeline opens
    with the Detained event of that date; without one, it is empty."""
    person = person or DetainedPerson()
    records_status = (
        person.pk is not None or "status" in fields or fields.get("detained_on") is not None
    )
    if status_date is not None and not records_status:
        raise ValidationError({"status_date": "Give the status this date is for."})
    for name, value in fields.items():
        setattr(person, name, value)
    person.full_clean()  # also derives search_names
    if person.pk is not None:
        _lock_person(person.pk)  # the stored status and the latest event, read under the lock
    event = (
        detained_person_status_event(person=person, status_date=status_date)
        if records_status
        else None
    )
    person.save()
    if event is not None:
        event.person = person
        case_event_save(event=event)
    if campaigns is not None:
        person.campaigns.set(campaigns)
    return person


def _lock_person(person_id: int) -> DetainedPerson:
    """Lock the person's row for the rest of the transaction. Every timeline write takes this
    lock before it reads "the latest event", so two events recorded at once are serialised and
    the status cannot end up pointing at the older one."""
    return DetainedPerson.objects.select_for_update().get(pk=person_id)


def _follow_latest_status(person: DetainedPerson) -> None:
    latest = _latest_status_event(person.pk)
    if latest is not None and person.status != latest.kind:
        person.status = latest.kind
        person.save(update_fields=["status", "updated_at"])


@transaction.atomic
def case_event_save(*, event: CaseEvent | None = None, **fields: Any) -> CaseEvent:
    """Add (event=None) or change an event. When the event is (or was) the person's latest
    status event, the person's status follows the latest status event; older events never
    move it."""
    event = event or CaseEvent()
    for name, value in fields.items():
        setattr(event, name, value)
    event.full_clean()
    locked = _lock_person(event.person_id)
    was_latest = event.pk is not None and _latest_status_event(locked.pk) == event
    event.save()
    if was_latest or (event.is_status_change and _latest_status_event(locked.pk) == event):
        _follow_latest_status(locked)
    _proposals_name_similar_event(event)
    return event


def _proposals_name_similar_event(event: CaseEvent) -> None:
    """Pending proposals of this kind for this person within SAME_EVENT_WITHIN that named no
    like event now name this one, so that they say what accepting them will do (add their
    articles to it). A hint derived from the timeline, so written without a history row."""
    window = CaseEventProposal.SAME_EVENT_WITHIN
    CaseEventProposal.objects.filter(
        person_id=event.person_id,
        kind=event.kind,
        status=CaseEventProposal.Status.PROPOSED,
        similar_event__isnull=True,
        date__gte=event.date - window,
        date__lte=event.date + window,
    ).update(similar_event=event)


def case_event_record(
    *,
    person: DetainedPerson,
    date: date,
    kind: str,
    description: str = "",
    source_url: str = "",
) -> CaseEvent:
    """Add an event to a case and refresh `person` (see case_event_save for the status rule)."""
    event = case_event_save(
        person=person, date=date, kind=kind, description=description, source_url=source_url
    )
    person.refresh_from_db(fields=["status", "updated_at"])
    return event


@transaction.atomic
def case_event_delete(*, event: CaseEvent) -> None:
    """Remove an event; if it was the latest status event, the status follows the new latest."""
    locked = _lock_person(event.person_id)
    was_latest = _latest_status_event(locked.pk) == event
    event.delete()
    if was_latest:
        _follow_latest_status(locked)


# --- Case events proposed from the news ---------------------------------------------------------


def _nearest(queryset, on: date):
    """Of `queryset` (rows with a `date`), the one dated nearest `on` within
    CaseEventProposal.SAME_EVENT_WITHIN, the earliest made on a tie; None if none is."""
    window = CaseEventProposal.SAME_EVENT_WITHIN
    rows = queryset.filter(date__gte=on - window, date__lte=on + window).order_by("pk")
    return min(rows, key=lambda row: abs(row.date - on), default=None)


def _similar_event(*, person_id: int, kind: str, on: date) -> CaseEvent | None:
    """The timeline's event of this kind nearest `on`, within SAME_EVENT_WITHIN."""
    return _nearest(CaseEvent.objects.filter(person_id=person_id, kind=kind), on)


@transaction.atomic
def case_event_proposals_for_mention(*, mention: Mention) -> list[CaseEventProposal]:
    """Propose the status changes a confirmed mention's article says of its person (see
    tracker.newswatch.status_news), one per kind; return those made now.

    Articles on one event make one proposal: when the person has a pending proposal of that
    kind within CaseEventProposal.SAME_EVENT_WITHIN, this article becomes another of its
    sources (and its date replaces one the proposal took from a publication date, when this
    article writes it). When the timeline has an event of that kind within that window, the
    proposal names it (`similar_event`), and accepting it adds the source to that event.

    Safe to run again: a kind already proposed for this mention, or joined (whatever was
    decided), is left as it is, and an event the timeline already has (same kind and date) is
    not proposed. The person's row is locked, so two articles confirmed at once make one
    proposal with two sources, not two proposals."""
    item = mention.news_item
    person = _lock_person(mention.person_id)
    published = timezone.localtime(item.published_at or item.first_seen_at).date()
    made = []
    for news in detect_status_news(
        title=item.title,
        summary=item.summary,
        name_forms=person.name_forms,
        published=min(published, timezone.localdate()),  # a feed's clock may run ahead
    ):
        if CaseEvent.objects.filter(person=person, kind=news.kind, date=news.date).exists():
            continue
        if CaseEventProposal.objects.filter(mention=mention, kind=news.kind).exists():
            continue
        if CaseEventProposalSource.objects.filter(
            mention=mention, proposal__kind=news.kind
        ).exists():
            continue
        pending = _nearest(
            CaseEventProposal.objects.select_for_update().filter(
                person=person, kind=news.kind, status=CaseEventProposal.Status.PROPOSED
            ),
            news.date,
        )
        if pending is not None:
            _proposal_add_source(proposal=pending, mention=mention, news=news)
            continue
        proposal = CaseEventProposal(
            mention=mention,
            person=person,
            kind=news.kind,
            date=news.date,
            date_in_text=news.date_in_text,
            evidence=news.evidence,
            source_url=item.url,
            similar_event=_similar_event(person_id=person.pk, kind=news.kind, on=news.date),
        )
        proposal.full_clean()
        proposal.save()
        made.append(proposal)
    return made


def _proposal_add_source(*, proposal: CaseEventProposal, mention: Mention, news) -> None:
    """Another article reports a pending proposal's event: it becomes one more source. When it
    writes the date and the proposal's first source did not (its date was the publication's),
    it becomes the first source, whose date is the proposal's, and the other one follows."""
    new = CaseEventProposalSource(
        proposal=proposal,
        mention=mention,
        date=news.date,
        date_in_text=news.date_in_text,
        evidence=news.evidence,
        source_url=mention.news_item.url,
    )
    if news.date_in_text and not proposal.date_in_text:
        first = CaseEventProposalSource(
            proposal=proposal,
            mention_id=proposal.mention_id,
            date=proposal.date,
            date_in_text=proposal.date_in_text,
            evidence=proposal.evidence,
            source_url=proposal.source_url,
        )
        proposal.mention = mention
        proposal.date, proposal.date_in_text = news.date, True
        proposal.evidence, proposal.source_url = news.evidence, new.source_url
        proposal.similar_event = _similar_event(
            person_id=proposal.person_id, kind=proposal.kind, on=news.date
        )
        proposal.full_clean()
        proposal.save()
        new = first
    new.full_clean()
    new.save()


def case_event_proposals_withdraw(*, mention: Mention, user) -> None:
    """A mention no longer confirmed (dismissed, or back to new) proposes nothing: it is no
    longer a source of pending proposals. One it was the first source of goes on with its next
    source, or, with none left, is rejected, by whoever changed the review. Decided ones stay
    as they are."""
    CaseEventProposalSource.objects.filter(
        mention=mention, proposal__status=CaseEventProposal.Status.PROPOSED
    ).delete()
    pending = CaseEventProposal.objects.select_for_update().filter(
        mention=mention, status=CaseEventProposal.Status.PROPOSED
    )
    for proposal in pending:
        following = proposal.other_sources.order_by("-date_in_text", "pk").first()
        if following is None:
            _decide(proposal, CaseEventProposal.Status.REJECTED, user)
            continue
        proposal.mention_id = following.mention_id
        proposal.evidence, proposal.source_url = following.evidence, following.source_url
        proposal.date, proposal.date_in_text = following.date, following.date_in_text
        proposal.similar_event = _similar_event(
            person_id=proposal.person_id, kind=proposal.kind, on=following.date
        )
        following.delete()
        proposal._history_user = user if getattr(user, "pk", None) else None
        proposal.full_clean()
        proposal.save()


def _decide(proposal: CaseEventProposal, status: str, user, event: CaseEvent | None = None):
    proposal.status = status
    proposal.decided_by = user if getattr(user, "pk", None) else None
    proposal.decided_at = timezone.now()
    if event is not None:
        proposal.event = event
    proposal._history_user = proposal.decided_by  # simple_history: who, outside a request too
    proposal.full_clean()
    proposal.save()


def _lock_proposal(proposal: CaseEventProposal) -> CaseEventProposal:
    """Lock the proposal's mention, then its person, then the proposal, and return the
    proposal as stored. Its mention first, as mention_review does when it withdraws
    proposals: an accept and a dismissal at once are serialised, so a withdrawal never
    overwrites an acceptance. The person before the proposal, in the order
    case_event_proposals_for_mention takes them (mention, person, pending proposals)."""
    list(Mention.objects.select_for_update().filter(pk=proposal.mention_id).values_list("pk"))
    _lock_person(proposal.person_id)  # no other event of this kind is recorded meanwhile
    return CaseEventProposal.objects.select_for_update().get(pk=proposal.pk)


def _news_line(*, publisher: str, evidence: str, url: str) -> str:
    return f"From the news ({publisher}): {evidence}\nSource: {url}"


def _event_source(proposal: CaseEventProposal) -> tuple[str, str]:
    """The event's description and source URL: the sentence and where it was read, then each
    other source's. An address CaseEvent.source_url cannot hold (longer than 500 characters,
    or not a valid URL) goes into the description, so the source is never lost."""
    item = proposal.mention.news_item
    where = item.publisher or item.title
    description = f"From the news ({where}): {proposal.evidence}"
    url = proposal.source_url
    field = CaseEvent._meta.get_field("source_url")
    try:
        URLValidator()(url)
        if len(url) > field.max_length:
            raise ValidationError("too long")
    except ValidationError:
        description, url = f"{description}\nSource: {url}", ""
    return "\n".join([description, *_other_sources_lines(proposal)]), url


def _other_sources_lines(proposal: CaseEventProposal) -> list[str]:
    return [
        _news_line(
            publisher=s.mention.news_item.publisher or s.mention.news_item.title,
            evidence=s.evidence,
            url=s.source_url,
        )
        for s in proposal.other_sources.select_related("mention__news_item").order_by("pk")
    ]


def _event_add_sources(event: CaseEvent, proposal: CaseEventProposal) -> None:
    """Add an accepted proposal's sources to the event the timeline already has."""
    item = proposal.mention.news_item
    lines = [
        _news_line(
            publisher=item.publisher or item.title,
            evidence=proposal.evidence,
            url=proposal.source_url,
        ),
        *_other_sources_lines(proposal),
    ]
    new = [line for line in lines if line not in event.description]
    if new:
        case_event_save(event=event, description="\n".join(filter(None, [event.description, *new])))


@transaction.atomic
def case_event_proposal_accept(*, proposal: CaseEventProposal, user) -> CaseEventProposal:
    """Put a proposed event on the person's timeline (through case_event_record, so a status
    event moves the status when it is the latest, and one dated after today is refused) and
    mark the proposal accepted by `user`; return it as stored. Accepting it again does nothing;
    a rejected proposal may still be accepted. When the timeline already has that event (the
    same kind on the same date, else the nearest within CaseEventProposal.SAME_EVENT_WITHIN),
    the proposal points to it, its sources are added to that event's description, and no
    second event is made. ValidationError when its mention is no longer confirmed."""
    stored = _lock_proposal(proposal)
    if stored.status == CaseEventProposal.Status.ACCEPTED:
        return stored
    if stored.mention.status != Mention.Status.CONFIRMED:
        raise ValidationError(
            "Its news mention is no longer confirmed: confirm the mention to accept this.",
            code="mention_not_confirmed",
        )
    event = _similar_event(person_id=stored.person_id, kind=stored.kind, on=stored.date)
    if event is not None:
        _event_add_sources(event, stored)
    else:
        description, source_url = _event_source(stored)
        event = case_event_record(
            person=stored.person,
            date=stored.date,
            kind=stored.kind,
            description=description,
            source_url=source_url,
        )
    _decide(stored, CaseEventProposal.Status.ACCEPTED, user, event=event)
    return stored


@transaction.atomic
def case_event_proposal_reject(*, proposal: CaseEventProposal, user) -> CaseEventProposal:
    """Mark a proposal rejected by `user`; the case does not change. Rejecting it again does
    nothing. ValidationError for an accepted one: its event is on the timeline, and is
    removed there."""
    stored = _lock_proposal(proposal)
    if stored.status == CaseEventProposal.Status.REJECTED:
        return stored
    if stored.status == CaseEventProposal.Status.ACCEPTED:
        raise ValidationError(
            "This proposal was accepted: its event is on the timeline. To undo it, delete the "
            "event from the case.",
            code="proposal_accepted",
        )
    _decide(stored, CaseEventProposal.Status.REJECTED, user)
    return stored


# --- Internal notes and documents ------------------------------------------------------------


@transaction.atomic
def case_note_save(*, note: CaseNote, user=None) -> CaseNote:
    """Saves a note (new or edited); a new one without an author is `user`'s."""
    if note.pk is None and note.author_id is None and user is not None:
        note.author = user
    note.full_clean()
    note.save()
    return note


@transaction.atomic
def case_document_save(*, document: CaseDocument, user=None) -> CaseDocument:
    """Saves a document (new or edited); a new one is uploaded by `user`. The size limit is the
    form's (config.uploads.validate_upload_size), checked before the upload is kept."""
    if document.pk is None and document.uploaded_by_id is None and user is not None:
        document.uploaded_by = user
    document.full_clean()
    document.save()
    return document
