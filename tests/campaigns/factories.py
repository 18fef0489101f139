import datetime

import factory

from campaigns.models import Campaign, Letter, LetterResponse, Organization, Person, Signature


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Organization {n}")
    kind = Organization.Kind.NGO
    country = "US"


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    full_name = factory.Sequence(lambda n: f"Person {n}")
    title = "Official"


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    name = factory.Sequence(lambda n: f"Campaign {n}")
    slug = factory.Sequence(lambda n: f"campaign-{n}")


class LetterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Letter

    title = factory.Sequence(lambda n: f"Letter {n}")
    campaign = factory.SubFactory(CampaignFactory)


class SignatureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Signature

    letter = factory.SubFactory(LetterFactory)
    organization = factory.SubFactory(OrganizationFactory)


class LetterResponseFactory(factory.django.DjangoModelFactory):
    """A response written straight to the database (the letter's status is not moved: use
    campaigns.services.letter_response_record for that)."""

    class Meta:
        model = LetterResponse

    letter = factory.SubFactory(LetterFactory)
    person = factory.SubFactory(PersonFactory)
    received_on = datetime.date(2024, 3, 1)
    summary = "Acknowledged receipt."
