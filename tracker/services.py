"""Writes for detained persons and their case timelines."""

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from tracker.models import (
    CaseEvent,
    CaseStatus,
    DetainedPerson,
    Mention,
    NewsSource,
    Subscription,
)
from tracker.newswatch import kinds
from tracker.newswatch.http import FetchError, check_url


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
    A new person given no status starts Detained with an empty timeline."""
    person = person or DetainedPerson()
    records_status = person.pk is not None or "status" in fields
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
    return event


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


@transaction.atomic
def mention_review(*, mention: Mention, status: str, user) -> Mention:
    """Confirm or dismiss a mention (or put it back to new), recording who and when; return it
    as stored.

    A mention already in that status keeps its reviewer, time and history: confirming it again
    (two staff at once, or a second click) does not claim someone else's review. The stored
    status is read under a row lock, so of two reviews at once the second sees the first."""
    stored = Mention.objects.select_for_update().get(pk=mention.pk)
    if stored.status == status:
        return stored
    stored.status = status
    if status == Mention.Status.NEW:
        stored.reviewed_by, stored.reviewed_at = None, None
    else:
        stored.reviewed_by, stored.reviewed_at = user, timezone.now()
    stored.full_clean()
    stored.save()
    return stored


def news_source_check_url(*, url: str, kind: str) -> None:
    """Raise ValidationError unless a source's URL passes the same SSRF rules as every fetch (a
    private or loopback address is refused unless NEWSWATCH_ALLOWED_NETWORKS allows it). Looks
    the host up in DNS, so callers keep it out of their own transactions: news_source_save
    calls it for every save before taking its lock. The admin form calls it too, for a field
    error, inside the transaction Django's admin wraps every save in (a second look-up, on a
    rare action)."""
    declared = kinds.KINDS.get(kind)
    probe = url.replace("{query}", "test") if declared is not None and declared.per_person else url
    try:
        check_url(probe)
    except FetchError as exc:
        # A name that does not resolve now is no SSRF risk (every fetch checks again); an
        # address that is not public is refused.
        if exc.kind != "dns":
            raise ValidationError(exc.message, code="refused_url") from None


def news_source_save(*, source: NewsSource | None = None, **fields: Any) -> NewsSource:
    """Create or change a source; its URL must pass news_source_check_url. A changed URL is
    another resource: its fetch state (etag, last_modified) is dropped unless given too."""
    source = source or NewsSource()
    for name, value in fields.items():
        setattr(source, name, value)
    source.full_clean()  # also fills a search source's default URL
    try:
        news_source_check_url(url=source.url, kind=source.kind)  # DNS: before the transaction
    except ValidationError as exc:
        raise ValidationError({"url": exc.error_list}) from None
    with transaction.atomic():
        # Compared with the stored URL, not with what the caller passed: the admin hands over
        # an instance already changed, and an API PATCH may send the URL unchanged.
        stored = (
            NewsSource.objects.select_for_update()
            .filter(pk=source.pk)
            .values_list("url", flat=True)
            .first()
            if source.pk is not None
            else None
        )
        if stored != source.url:
            for name in ("etag", "last_modified"):
                if name not in fields:
                    setattr(source, name, "")
        source.save()
    return source


@transaction.atomic
def subscription_save(
    *,
    subscription: Subscription | None = None,
    campaigns: Iterable | None = None,
    persons: Iterable | None = None,
    **fields: Any,
) -> Subscription:
    """Create (subscription=None) or change a digest subscription; `campaigns` and `persons`
    replace what it follows. The address is stored lower-cased (Subscription.clean), so one
    address has at most one subscription of each frequency whatever its case."""
    subscription = subscription or Subscription()
    for name, value in fields.items():
        setattr(subscription, name, value)
    subscription.full_clean()
    subscription.save()
    if campaigns is not None:
        subscription.campaigns.set(campaigns)
    if persons is not None:
        subscription.persons.set(persons)
    return subscription
