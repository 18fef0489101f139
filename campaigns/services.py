"""Writes for campaigns, organisations, people, letters and signatures.

Every service validates with full_clean() (field rules and database constraints) before saving,
so a bad write is a ValidationError naming the field, not an IntegrityError.
"""

from collections.abc import Iterable
from typing import Any

from django.db import models, transaction
from django.utils.text import slugify

from campaigns.models import Campaign, Letter, Organization, Person, Signature
from config.history import without_history


def _apply(instance: models.Model, fields: dict[str, Any]) -> None:
    for name, value in fields.items():
        setattr(instance, name, value)


def campaign_unique_slug(*, name: str, exclude_pk: int | None = None) -> str:
    """A slug for `name` that no other campaign uses: `free-the-20`, then `free-the-20-2`, ..."""
    base = slugify(name, allow_unicode=False)[:180] or "campaign"
    taken = set(
        Campaign.objects.filter(slug__startswith=base)
        .exclude(pk=exclude_pk)
        .values_list("slug", flat=True)
    )
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def campaign_save(
    *,
    campaign: Campaign | None = None,
    detained_persons: Iterable | None = None,
    **fields: Any,
) -> Campaign:
    """Create (campaign=None) or update a campaign; a blank slug is derived from the name."""
    campaign = campaign or Campaign()
    _apply(campaign, fields)
    if not campaign.slug:
        campaign.slug = campaign_unique_slug(name=campaign.name, exclude_pk=campaign.pk)
    campaign.full_clean()
    campaign.save()
    if detained_persons is not None:
        campaign.detained_persons.set(detained_persons)
    return campaign


@transaction.atomic
def organization_save(*, organization: Organization | None = None, **fields: Any) -> Organization:
    organization = organization or Organization()
    _apply(organization, fields)
    organization.full_clean()
    organization.save()
    return organization


@transaction.atomic
def person_save(*, person: Person | None = None, **fields: Any) -> Person:
    person = person or Person()
    _apply(person, fields)
    person.full_clean()
    person.save()
    return person


@transaction.atomic
def letter_save(
    *,
    letter: Letter | None = None,
    recipients: Iterable[Person] | None = None,
    **fields: Any,
) -> Letter:
    """Create (letter=None) or change a letter; `recipients` replaces its recipients. A change
    is one version in its history, recipients included."""
    letter = letter or Letter()
    _apply(letter, fields)
    letter.full_clean()
    if recipients is not None and letter.pk is not None:
        # Set before the save, unrecorded: the save's version then has them. (Set after it,
        # they would be a second version, and the save's would show the old recipients.)
        with without_history(letter):
            letter.recipients.set(recipients)
        recipients = None
    letter.save()
    if recipients is not None:  # a new letter: its recipients are a change after its creation
        letter.recipients.set(recipients)
    return letter


@transaction.atomic
def signature_save(*, signature: Signature | None = None, **fields: Any) -> Signature:
    """Add or change a signature. Exactly one signatory and no double signing are enforced by
    the database constraints, checked here first so the caller gets a ValidationError."""
    signature = signature or Signature()
    _apply(signature, fields)
    signature.full_clean()
    signature.save()
    return signature
