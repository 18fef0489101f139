"""Writes of the email digests made by staff: subscriptions."""

from collections.abc import Iterable
from typing import Any

from django.db import transaction

from tracker.digests.models import Subscription


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
