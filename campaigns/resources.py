from import_export import fields, resources, widgets

from campaigns.models import Campaign, Letter, LetterResponse, Organization, Person, Signature
from config.resources import CaseInsensitiveForeignKeyWidget, ValidatedResource


class OrganizationResource(ValidatedResource):
    class Meta(ValidatedResource.Meta):
        model = Organization
        fields = ("id", "name", "kind", "country", "website", "notes")


class PersonResource(ValidatedResource):
    organization = fields.Field(
        attribute="organization",
        column_name="organization",
        widget=CaseInsensitiveForeignKeyWidget(Organization, field="name"),
    )

    class Meta(ValidatedResource.Meta):
        model = Person
        fields = (
            "id",
            "full_name",
            "native_name",
            "title",
            "organization",
            "country",
            "email",
            "notes",
        )


class SignatureResource(ValidatedResource):
    organization = fields.Field(
        attribute="organization",
        column_name="organization",
        widget=CaseInsensitiveForeignKeyWidget(Organization, field="name"),
    )
    letter_title = fields.Field(
        attribute="letter__title", column_name="letter_title", readonly=True
    )
    person_name = fields.Field(
        attribute="person__full_name", column_name="person_name", readonly=True
    )

    class Meta(ValidatedResource.Meta):
        model = Signature
        fields = (
            "id",
            "letter",
            "letter_title",
            "organization",
            "person",
            "person_name",
            "signed_on",
            "note",
        )


class LetterResponseResource(ValidatedResource):
    letter_title = fields.Field(
        attribute="letter__title", column_name="letter_title", readonly=True
    )
    person_name = fields.Field(
        attribute="person__full_name", column_name="person_name", readonly=True
    )
    organization_name = fields.Field(
        attribute="organization__name", column_name="organization_name", readonly=True
    )

    class Meta(ValidatedResource.Meta):
        model = LetterResponse
        fields = (
            "id",
            "letter",
            "letter_title",
            "person",
            "person_name",
            "organization",
            "organization_name",
            "received_on",
            "summary",
            "url",
        )


class CampaignResource(resources.ModelResource):
    """Export only: a campaign is saved through campaign_save (its slug, its cases), which an
    import would bypass. Its cases are one cell, names separated by semicolons."""

    lead_organization_name = fields.Field(
        attribute="lead_organization__name", column_name="lead_organization_name", readonly=True
    )
    lead_person_name = fields.Field(
        attribute="lead_person__full_name", column_name="lead_person_name", readonly=True
    )
    detained_persons = fields.Field(
        attribute="detained_persons",
        column_name="detained_persons",
        widget=widgets.ManyToManyWidget(Campaign.detained_persons.field.related_model, ";", "name"),
        readonly=True,
    )

    class Meta:
        model = Campaign
        fields = (
            "id",
            "name",
            "slug",
            "status",
            "started_on",
            "ended_on",
            "summary",
            "description",
            "lead_organization",
            "lead_organization_name",
            "lead_person",
            "lead_person_name",
            "website",
            "detained_persons",
        )


class LetterResource(resources.ModelResource):
    """Export only: a letter is saved through letter_save, which an import would bypass. Its
    recipients are one cell, names separated by semicolons."""

    campaign_name = fields.Field(
        attribute="campaign__name", column_name="campaign_name", readonly=True
    )
    author_organization_name = fields.Field(
        attribute="author_organization__name",
        column_name="author_organization_name",
        readonly=True,
    )
    recipients = fields.Field(
        attribute="recipients",
        column_name="recipients",
        widget=widgets.ManyToManyWidget(Person, ";", "full_name"),
        readonly=True,
    )

    class Meta:
        model = Letter
        fields = (
            "id",
            "campaign",
            "campaign_name",
            "title",
            "kind",
            "status",
            "sent_on",
            "delivery",
            "author_organization",
            "author_organization_name",
            "recipients",
            "body",
            "demands",
            "url",
            "response_notes",
        )
