"""What the mail provider reports after a digest left: bounces, spam complaints, unsubscribes.

django-anymail's tracking webhooks (/anymail/<provider>/tracking/, HTTP basic auth with
ANYMAIL_WEBHOOK_SECRET) turn each provider's reports into one kind of event; `on_tracking`
(connected in tracker.apps) hands each to `tracking_event_record`, which:

- a hard bounce, a spam complaint, an unsubscribe at the provider, or the provider refusing
  an address it knows to bounce or be invalid: suppresses the address for every subscription
  (tracker/digests/suppression.py) and records why and when on the digest concerned;
- a soft bounce (a full mailbox, a server down: the provider tries again itself), a delivery,
  an open and everything else: changes nothing. A send the mail server refused outright is
  retried by the digest tasks, as before.

The digest concerned is found by its Message-ID (random and stored: tracker.digests.email),
which Amazon SES's reports carry and anymail gives as the event's message_id for providers that
keep it; failing that, the address's latest digest sent.
"""

import logging

from anymail.signals import AnymailTrackingEvent, EventType, RejectReason
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from tracker.digests.models import DigestDelivery, SuppressedAddress
from tracker.digests.suppression import address_suppress, normalised_email

Reason = SuppressedAddress.Reason
logger = logging.getLogger(__name__)


def _is_soft_bounce(event: AnymailTrackingEvent) -> bool:
    """Some providers report temporary bounces as bounces too: Amazon SES (bounceType
    Transient or Undetermined), Postmark (Type SoftBounce); others say it in the SMTP answer
    (4xx)."""
    esp = event.esp_event if isinstance(event.esp_event, dict) else {}
    ses_bounce = esp.get("bounce")
    if isinstance(ses_bounce, dict) and ses_bounce.get("bounceType"):
        return ses_bounce["bounceType"] != "Permanent"
    if esp.get("Type") == "SoftBounce":
        return True
    return (event.mta_response or "").lstrip().startswith("4")


def suppression_reason(event: AnymailTrackingEvent) -> str | None:
    """Why this event stops the address, or None when it does not."""
    if event.event_type == EventType.BOUNCED:
        return None if _is_soft_bounce(event) else Reason.BOUNCED
    if event.event_type == EventType.COMPLAINED:
        return Reason.COMPLAINED
    if event.event_type == EventType.UNSUBSCRIBED:
        return Reason.UNSUBSCRIBED
    if event.event_type == EventType.REJECTED and event.reject_reason in (
        RejectReason.BOUNCED,
        RejectReason.INVALID,
    ):
        return Reason.BOUNCED
    return None


def _message_ids(event: AnymailTrackingEvent) -> list[str]:
    """The Message-IDs the event may name, in the <...> form Vigil stores."""
    found = [event.message_id]
    esp = event.esp_event if isinstance(event.esp_event, dict) else {}
    mail = esp.get("mail")
    if isinstance(mail, dict):  # Amazon SES: the headers of the message as sent
        found.append((mail.get("commonHeaders") or {}).get("messageId"))
    ids = []
    for value in found:
        if isinstance(value, str) and value.strip():
            value = value.strip()
            ids.append(value if value.startswith("<") else f"<{value}>")
    return ids


def _delivery(event: AnymailTrackingEvent, email: str) -> DigestDelivery | None:
    sent_to = DigestDelivery.objects.filter(subscription__email=email)
    ids = _message_ids(event)
    by_id = sent_to.filter(message_id__in=ids).first() if ids else None
    if by_id is not None:
        return by_id
    return (
        sent_to.filter(status=DigestDelivery.Status.SENT)
        .order_by("-sent_at", "-pk")
        .only("pk")
        .first()
    )


def _detail(event: AnymailTrackingEvent) -> str:
    return " ".join(part for part in (event.description, event.mta_response) if part).strip()


def tracking_event_record(*, event: AnymailTrackingEvent, esp_name: str) -> str | None:
    """Act on one provider report (see the module); return the suppression reason, if any.
    Idempotent: providers deliver a report again when unsure it arrived."""
    reason = suppression_reason(event)
    email = normalised_email(event.recipient or "")
    if reason is None or not email:
        return None
    try:
        validate_email(email)
    except ValidationError:
        # No subscription can have it; answering 500 would only make the provider try again.
        logger.warning("%s reported %s for an invalid address; ignored.", esp_name, reason)
        return None
    address_suppress(
        email=email,
        reason=reason,
        detail=_detail(event),
        provider=esp_name,
        delivery=_delivery(event, email),
        at=event.timestamp,
    )
    return reason


def on_tracking(sender, event: AnymailTrackingEvent, esp_name: str, **kwargs) -> None:
    """anymail's `tracking` signal, connected in tracker.apps: glue only."""
    tracking_event_record(event=event, esp_name=esp_name)
