"""Writes for detained persons and their case timelines."""

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from tracker.cases.models import CaseEvent, CaseStatus, DetainedPerson


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
