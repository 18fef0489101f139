from import_export import fields

from campaigns.models import LetterResponse, Organization, Person, Signature
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
