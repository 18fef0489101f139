"""Writes for campaigns, organisations, people, letters, their responses and signatures.

Every service validates with full_clean() (field rules and database constraints) before saving,
so a bad write is a ValidationError naming the field, not an IntegrityError.
"""

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.text import slugify

from campaigns.models import Campaign, Letter, LetterResponse, Organization, Person, Signature
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
    persons: Iterable | None = None,
    **fields: Any,
) -> Letter:
    """Create (letter=None) or change a letter; `recipients` replaces its recipients and
    `persons` the detained persons it is about (None leaves either as it is). A change is one
    version in its history, recipients and persons included."""
    letter = letter or Letter()
    _apply(letter, fields)
    letter.full_clean()
    links = {
        name: values
        for name, values in (("recipients", recipients), ("persons", persons))
        if values is not None
    }
    if links and letter.pk is not None:
        # Set before the save, unrecorded: the save's version then has them. (Set after it,
        # they would be a second version, and the save's would show the old ones.)
        with without_history(letter):
            for name, values in links.items():
                getattr(letter, name).set(values)
        links = {}
    letter.save()
    # A new letter: its links are changes after its creation.
    for name, values in links.items():
        getattr(letter, name).set(values)
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


def _letter_status_follow_responses(*, letter_id: int) -> Letter:
    """A letter with a response is "responded"; a "responded" letter whose last response was
    deleted is "sent" again. Any other status is left as staff set it. Called with the letter
    locked (select_for_update), so two requests adding or deleting its responses at the same
    moment see each other's work and the status ends up right; no write when it already is."""
    letter = Letter.objects.select_for_update().get(pk=letter_id)
    answered = LetterResponse.objects.filter(letter_id=letter_id).exists()
    if answered and letter.status != Letter.Status.RESPONDED:
        letter.status = Letter.Status.RESPONDED
    elif not answered and letter.status == Letter.Status.RESPONDED:
        letter.status = Letter.Status.SENT
    else:
        return letter
    letter.save(update_fields=["status", "updated_at"])  # one version in the letter's history
    return letter


def letter_response_check_persons(*, letter: Letter | None, persons: Iterable) -> None:
    """A response answers about some of the persons its letter asks about, never anyone else:
    a ValidationError naming `persons` (and who is not on the letter) otherwise. The one rule
    the service, the admin's forms and the API share."""
    ids = {getattr(p, "pk", p) for p in persons}
    if not ids:
        return
    asked = set() if letter is None else set(letter.persons.values_list("pk", flat=True))
    strangers = ids - asked
    if strangers:
        from tracker.cases.models import DetainedPerson

        names = DetainedPerson.objects.filter(pk__in=strangers).order_by("name", "pk")
        raise ValidationError(
            {
                "persons": ValidationError(
                    "A response can only answer about persons its letter is about; the letter "
                    "does not name %(names)s.",
                    code="not_on_letter",
                    params={"names": ", ".join(str(p) for p in names) or "them"},
                )
            }
        )


@transaction.atomic
def letter_response_record(
    *,
    response: LetterResponse | None = None,
    persons: Iterable | None = None,
    **fields: Any,
) -> LetterResponse:
    """Record (response=None) or change a response to a letter, from exactly one of a person or
    an organization, received no later than today. `persons` replaces whom it answers about
    (None leaves them as they are), each one of the persons its letter is about. The letter
    becomes "responded"; a response moved to another letter may leave its former letter
    without one ("sent" again)."""
    response = response or LetterResponse()
    # The letter it had when last saved (the admin hands over a response its form changed).
    before = None
    if response.pk is not None:
        before = (
            LetterResponse.objects.filter(pk=response.pk)
            .values_list("letter_id", flat=True)
            .first()
        )
    _apply(response, fields)
    # Lock the letters first (in id order, so two writers never wait on each other), then
    # check and write: the status follows the responses that exist once this one is saved.
    letter_ids = sorted({i for i in (before, response.letter_id) if i is not None})
    list(Letter.objects.select_for_update().filter(pk__in=letter_ids).order_by("pk"))
    response.full_clean()
    if persons is not None:
        persons = list(persons)
    elif before is not None and before != response.letter_id:
        # Moved to another letter: the persons it names must be that letter's too.
        persons = list(response.persons.all())
    if persons is not None:
        letter = response.letter if response.letter_id else None
        letter_response_check_persons(letter=letter, persons=persons)
    if persons is not None and response.pk is not None:
        # Set before the save, unrecorded: the save's version then has them (as letter_save).
        with without_history(response):
            response.persons.set(persons)
        persons = None
    response.save()
    if persons is not None:  # a new response: its persons are a change after its creation
        response.persons.set(persons)
    for letter_id in letter_ids:
        _letter_status_follow_responses(letter_id=letter_id)
    return response


@transaction.atomic
def letter_response_delete(*, response: LetterResponse) -> None:
    """Delete a response; the letter's last one deleted, the letter is "sent" again. Deleting
    a response that is already gone changes nothing."""
    letter_id = response.letter_id
    Letter.objects.select_for_update().filter(pk=letter_id).first()
    LetterResponse.objects.filter(pk=response.pk).delete()
    _letter_status_follow_responses(letter_id=letter_id)
