"""Each Vigil record as its OSDI 1.1.1 resource (HAL+JSON): the mapping the README's "OSDI"
section tabulates. A function per resource takes a record from campaigns.osdi.selectors and
`Links` (which knows the request's absolute addresses) and returns the resource's dict.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.urls import reverse

from campaigns.models import Campaign, Letter, LetterResponse, Person, Signature

NAMESPACE = "vigil"
ORIGIN_SYSTEM = "Vigil"
# OSDI's outreach types, for Letter.delivery ("" — not recorded — gives none).
OUTREACH_TYPES = {
    Letter.Delivery.POSTAL_MAIL: "postal mail",
    Letter.Delivery.EMAIL: "email",
    Letter.Delivery.IN_PERSON: "in-person",
    Letter.Delivery.PUBLISHED: "published",
}


def identifier(pk: int) -> str:
    return f"{NAMESPACE}:{pk}"


def osdi_date(value: datetime.datetime | datetime.date | None) -> str | None:
    """OSDI's dates: ISO 8601 in UTC with a Z (a date alone: its midnight)."""
    if value is None:
        return None
    if not isinstance(value, datetime.datetime):
        value = datetime.datetime.combine(value, datetime.time(), tzinfo=datetime.UTC)
    return value.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Links:
    """The absolute address of every OSDI resource, for one request."""

    request: object

    def url(self, name: str, *args) -> str:
        return self.request.build_absolute_uri(reverse(f"osdi:{name}", args=args))

    def href(self, name: str, *args, **extra) -> dict:
        return {"href": self.url(name, *args), **extra}


def _common(record, links_: dict) -> dict:
    return {
        "created_date": osdi_date(record.created_at),
        "modified_date": osdi_date(record.updated_at),
        "_links": links_,
    }


def split_name(full_name: str) -> tuple[str, str]:
    """(given_name, family_name) of a name recorded whole: the last word is taken for the
    family name, as in "Jane Doe"; a name of one word (or in a script without spaces) is
    all given name. The name as recorded is in custom_fields too."""
    words = full_name.split()
    if len(words) < 2:
        return full_name.strip(), ""
    return " ".join(words[:-1]), words[-1]


def target(person: Person) -> dict:
    """A letter's recipient as OSDI's target hash."""
    given, family = split_name(person.full_name)
    result = {"name": str(person), "given_name": given, "family_name": family}
    if person.title:
        result["title"] = person.title
    if person.organization_id:
        result["organization"] = person.organization.name
    return result


def person(record: Person, links: Links) -> dict:
    given, family = split_name(record.full_name)
    custom = {f"{NAMESPACE}:full_name": record.full_name}
    if record.native_name:
        custom[f"{NAMESPACE}:native_name"] = record.native_name
    if record.title:
        custom[f"{NAMESPACE}:title"] = record.title
    if record.organization_id:
        custom[f"{NAMESPACE}:organization"] = record.organization.name
    return {
        "identifiers": [identifier(record.pk), *(i.value for i in record.identifiers.all())],
        **_common(
            record,
            {
                "self": links.href("person", record.pk),
                "osdi:signatures": links.href("person-signatures", record.pk),
            },
        ),
        "given_name": given,
        "family_name": family,
        "email_addresses": ([{"address": record.email, "primary": True}] if record.email else []),
        "postal_addresses": (
            [{"country": record.country.code, "primary": True}] if record.country else []
        ),
        "custom_fields": custom,
    }


def petition(record: Letter, links: Links) -> dict:
    links_ = {
        "self": links.href("petition", record.pk),
        "osdi:signatures": links.href("petition-signatures", record.pk),
        f"{NAMESPACE}:responses": links.href("petition-responses", record.pk),
    }
    custom = {
        f"{NAMESPACE}:kind": record.kind,
        f"{NAMESPACE}:status": record.status,
        f"{NAMESPACE}:sent_on": record.sent_on.isoformat() if record.sent_on else None,
    }
    return {
        "identifiers": [identifier(record.pk)],
        "origin_system": ORIGIN_SYSTEM,
        **_common(record, links_),
        "name": record.title,
        "title": record.title,
        "description": record.demands,
        "petition_text": record.body,
        "browser_url": record.url or None,
        "total_signatures": record.total_signatures,
        "target": [target(p) for p in record.recipients.all()],
        "custom_fields": custom,
    }


def signature(record: Signature, links: Links) -> dict:
    links_ = {
        "self": links.href("signature", record.pk),
        "osdi:petition": links.href("petition", record.letter_id),
    }
    result = {
        "identifiers": [identifier(record.pk)],
        "origin_system": record.origin_system or ORIGIN_SYSTEM,
        **_common(record, links_),
        "action_date": osdi_date(record.signed_on or record.created_at),
        "comments": record.note,
    }
    if record.person_id:
        links_["osdi:person"] = links.href("person", record.person_id)
    else:
        # OSDI signatures are made by people; an organisation that signed is named here (the
        # README's OSDI section says so), with no osdi:person link.
        organization = record.organization
        result[f"{NAMESPACE}:organization"] = {
            "name": organization.name,
            **({"country": organization.country.code} if organization.country else {}),
        }
    return result


def response(record: LetterResponse, links: Links) -> dict:
    links_ = {
        "self": links.href("response", record.pk),
        "osdi:petition": links.href("petition", record.letter_id),
    }
    if record.person_id:
        links_["osdi:person"] = links.href("person", record.person_id)
    responder = record.person or record.organization
    return {
        "identifiers": [identifier(record.pk)],
        "origin_system": ORIGIN_SYSTEM,
        **_common(record, links_),
        "received_date": osdi_date(record.received_on),
        "responder": str(responder),
        "summary": record.summary,
        "browser_url": record.url or None,
    }


def advocacy_campaign(record: Campaign, links: Links) -> dict:
    letters = record.sent_letters
    targets, seen = [], set()
    for letter in letters:
        for recipient in letter.recipients.all():
            if recipient.pk not in seen:
                seen.add(recipient.pk)
                targets.append(target(recipient))
    types = {OUTREACH_TYPES.get(letter.delivery) for letter in letters}
    result = {
        "identifiers": [identifier(record.pk)],
        "origin_system": ORIGIN_SYSTEM,
        **_common(
            record,
            {
                "self": links.href("advocacy-campaign", record.pk),
                "osdi:outreaches": links.href("advocacy-campaign-outreaches", record.pk),
            },
        ),
        "name": record.name,
        "title": record.name,
        "summary": record.summary,
        "description": record.description,
        "browser_url": record.website or None,
        "targets": targets,
        "total_outreaches": record.total_outreaches,
        "custom_fields": {f"{NAMESPACE}:status": record.status},
    }
    if len(types) == 1 and None not in types:
        result["type"] = types.pop()
    return result


def outreach(record, links: Links) -> dict:
    """A row of Letter.recipients: the letter, sent to that recipient."""
    letter = record.letter
    links_ = {
        "self": links.href("outreach", record.pk),
        f"{NAMESPACE}:petition": links.href("petition", letter.pk),
    }
    if letter.campaign_id and record.campaign_shown:
        links_["osdi:advocacy_campaign"] = links.href("advocacy-campaign", letter.campaign_id)
    result = {
        "identifiers": [identifier(record.pk)],
        "origin_system": ORIGIN_SYSTEM,
        # The letter's dates: a recipient is part of the letter, recorded with it.
        **_common(letter, links_),
        "action_date": osdi_date(letter.sent_on),
        "subject": letter.title,
        "message": letter.body,
        "targets": [target(record.person)],
    }
    if letter.delivery in OUTREACH_TYPES:
        result["type"] = OUTREACH_TYPES[letter.delivery]
    return result
