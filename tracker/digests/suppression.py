"""Suppressed addresses: no digest goes to them, whatever their subscriptions.

An address is suppressed by the mail provider's report of a hard bounce, a spam complaint or
an unsubscribe there (tracker/digests/feedback.py); sending leaves out every subscription of a
suppressed address (Subscription.objects.mailable()). Staff lift a suppression (admin and
API, with the permission to change suppressed addresses); the lift is recorded (who, when, in
its history) and the address gets digests again from the next run.
"""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from tracker.digests.models import DigestDelivery, SuppressedAddress


def normalised_email(email: str) -> str:
    """As subscriptions store it (Subscription.clean)."""
    return (email or "").strip().lower()


@transaction.atomic
def address_suppress(
    *,
    email: str,
    reason: str,
    detail: str = "",
    provider: str = "",
    delivery: DigestDelivery | None = None,
    at: datetime | None = None,
) -> SuppressedAddress:
    """Suppress `email` for every subscription, and record on `delivery` (the digest the report
    was about, when known) why and when. Idempotent: an address already suppressed keeps its
    first suppression (a report delivered twice, or a complaint after a bounce, changes
    nothing but the delivery's record)."""
    email = normalised_email(email)
    at = at or timezone.now()
    if delivery is not None:
        DigestDelivery.objects.filter(pk=delivery.pk).update(
            feedback=reason,
            feedback_at=at,
            feedback_detail=detail[:2000],
            updated_at=timezone.now(),  # what a partner syncing with `updated_since` reads
        )
    existing = SuppressedAddress.objects.in_force().filter(email=email).first()
    if existing is not None:
        return existing
    suppression = SuppressedAddress(
        email=email, reason=reason, detail=detail[:2000], provider=provider[:50], delivery=delivery
    )
    suppression.full_clean(validate_constraints=False)
    suppression._change_reason = f"Reported by {provider or 'the mail provider'}"
    try:
        with transaction.atomic():
            suppression.save()
    except IntegrityError:
        # The same report, delivered twice at once: the other one made it.
        return SuppressedAddress.objects.in_force().get(email=email)
    return suppression


@transaction.atomic
def suppression_lift(*, suppression: SuppressedAddress, user) -> SuppressedAddress:
    """Let digests go to the address again, recording who lifted the suppression and when
    (in its history too). Lifting a lifted suppression changes nothing."""
    locked = SuppressedAddress.objects.select_for_update().get(pk=suppression.pk)
    if locked.lifted_at is None:
        locked.lifted_at = timezone.now()
        locked.lifted_by = user
        locked._history_user = user  # outside a request too (an API token's user)
        locked._change_reason = "Lifted by staff"
        locked.full_clean(validate_constraints=False)
        locked.save(update_fields=["lifted_at", "lifted_by", "updated_at"])
    return locked
