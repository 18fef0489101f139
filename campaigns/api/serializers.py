from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from campaigns.models import Campaign, Letter, LetterResponse, Organization, Person, Signature
from campaigns.selectors import letter_recipient_statuses, letters_answered_person_ids
from campaigns.signature_import import ImportFileError, check_file_size
from config.api.serializers import CountryCodeField, StrictModelSerializer
from config.permissions import may_view
from tracker.cases.selectors import staff_members
from tracker.models import DetainedPerson


class OrganizationSerializer(StrictModelSerializer):
    country = CountryCodeField(required=False, allow_blank=True)

    class Meta:
        model = Organization
        fields = ["id", "name", "kind", "country", "website", "notes", "created_at", "updated_at"]


class PersonSerializer(StrictModelSerializer):
    country = CountryCodeField(required=False, allow_blank=True)

    class Meta:
        model = Person
        fields = [
            "id",
            "full_name",
            "native_name",
            "title",
            "organization",
            "country",
            "email",
            "notes",
            "created_at",
            "updated_at",
        ]


def campaign_person_ids(*, campaign_ids) -> dict[int, list[int]]:
    """The detained persons' ids of each campaign, ascending, in one query on the link table
    (not a DetainedPerson made for each of a page's thousands of links)."""
    links = (
        Campaign.detained_persons.through.objects.filter(campaign_id__in=list(campaign_ids))
        .order_by("campaign_id", "detainedperson_id")
        .values_list("campaign_id", "detainedperson_id")
    )
    result: dict[int, list[int]] = {}
    for campaign_id, person_id in links:
        result.setdefault(campaign_id, []).append(person_id)
    return result


class PersonIdsField(serializers.ManyRelatedField):
    """`detained_persons` as ids, ascending: a list page's campaigns carry them, read for the
    page in one query (CampaignListSerializer); a single campaign reads its own."""

    def __init__(self, **kwargs):
        super().__init__(
            child_relation=serializers.PrimaryKeyRelatedField(
                queryset=DetainedPerson.objects.all()
            ),
            **kwargs,
        )

    def get_attribute(self, instance):
        ids = getattr(instance, "detained_person_ids", None)
        if ids is None:
            ids = campaign_person_ids(campaign_ids=[instance.pk]).get(instance.pk, [])
        return ids

    def to_representation(self, value):
        return list(value)


class CampaignListSerializer(serializers.ListSerializer):
    def to_representation(self, data):
        campaigns = list(data.all() if hasattr(data, "all") else data)
        ids = campaign_person_ids(campaign_ids=[c.pk for c in campaigns])
        for campaign in campaigns:
            campaign.detained_person_ids = ids.get(campaign.pk, [])
        return super().to_representation(campaigns)


class CampaignSerializer(StrictModelSerializer):
    # Declared, so without the model field's UniqueValidator: the service derives the slug and
    # checks its uniqueness (full_clean).
    slug = serializers.SlugField(
        max_length=200, required=False, help_text="Derived from the name when not given."
    )
    detained_persons = PersonIdsField(required=False)

    class Meta:
        model = Campaign
        list_serializer_class = CampaignListSerializer
        fields = [
            "id",
            "name",
            "slug",
            "summary",
            "description",
            "status",
            "started_on",
            "ended_on",
            "lead_organization",
            "lead_person",
            "website",
            "detained_persons",
            "created_at",
            "updated_at",
        ]


class AnsweredAboutSerializer(serializers.Serializer):
    asked = serializers.IntegerField(help_text="How many detained persons the letter is about.")
    answered = serializers.IntegerField(help_text="How many of them a response answers about.")
    persons_answered = serializers.ListField(
        child=serializers.IntegerField(), help_text="Their ids, ascending."
    )
    persons_unanswered = serializers.ListField(
        child=serializers.IntegerField(),
        help_text="The ids of the persons it is about that no response answers about yet.",
    )


class LetterListSerializer(serializers.ListSerializer):
    """A page of letters: whom their responses answered about, read for the page in one query."""

    def to_representation(self, data):
        letters = list(data.all() if hasattr(data, "all") else data)
        if self.child.may_view_answers():
            answered = letters_answered_person_ids(letter_ids=[x.pk for x in letters])
            for letter in letters:
                letter.answered_person_ids = answered.get(letter.pk, set())
        return super().to_representation(letters)


class LetterSerializer(StrictModelSerializer):
    owner = serializers.PrimaryKeyRelatedField(
        queryset=staff_members(),
        required=False,
        allow_null=True,
        help_text="The staff member who follows the letter up (chases unanswered recipients): "
        "an active staff member's user id, or null.",
    )
    answered_about = serializers.SerializerMethodField(
        help_text="What the letter asked and what the answers covered: of the persons it is "
        "about, how many and which a response answers about, and which not yet. Null without "
        "the permission to view letter responses."
    )

    class Meta:
        model = Letter
        list_serializer_class = LetterListSerializer
        fields = [
            "id",
            "campaign",
            "title",
            "kind",
            "status",
            "sent_on",
            "delivery",
            "recipients",
            "persons",
            "author_organization",
            "body",
            "demands",
            "url",
            "response_notes",
            "owner",
            "answered_about",
            "created_at",
            "updated_at",
        ]

    def may_view_answers(self) -> bool:
        if not hasattr(self, "_may_view_answers"):
            request = self.context.get("request")
            user = getattr(request, "user", None)
            self._may_view_answers = user is not None and may_view(user, LetterResponse)
        return self._may_view_answers

    @extend_schema_field(AnsweredAboutSerializer(allow_null=True))
    def get_answered_about(self, letter) -> dict | None:
        if not self.may_view_answers():
            return None
        answered = getattr(letter, "answered_person_ids", None)
        if answered is None:  # one letter (a detail, a write): its own query
            answered = letters_answered_person_ids(letter_ids=[letter.pk]).get(letter.pk, set())
        asked = sorted(p.pk for p in letter.persons.all())
        return {
            "asked": len(asked),
            "answered": sum(1 for pk in asked if pk in answered),
            "persons_answered": [pk for pk in asked if pk in answered],
            "persons_unanswered": [pk for pk in asked if pk not in answered],
        }


class RecipientStatusSerializer(serializers.Serializer):
    person = serializers.IntegerField(source="recipient.pk", help_text="The recipient's id.")
    name = serializers.CharField(source="recipient.full_name")
    sent_on = serializers.DateField(allow_null=True, help_text="Null while the letter is unsent.")
    answered_on = serializers.DateField(
        allow_null=True,
        help_text="The first response from this person or their organization; null if none.",
    )
    days_waiting = serializers.IntegerField(
        allow_null=True,
        help_text="Days from sending to the answer, or to today while there is none.",
    )


class LetterDetailSerializer(LetterSerializer):
    """One letter, with how each recipient has answered."""

    recipients_status = serializers.SerializerMethodField()

    class Meta(LetterSerializer.Meta):
        fields = [*LetterSerializer.Meta.fields, "recipients_status"]

    @extend_schema_field(RecipientStatusSerializer(many=True))
    def get_recipients_status(self, letter) -> list:
        return RecipientStatusSerializer(letter_recipient_statuses(letter=letter), many=True).data


class LetterResponseSerializer(StrictModelSerializer):
    file = serializers.SerializerMethodField(
        help_text="Link to the uploaded file (staff who may view responses, signed in to the "
        "admin), or null."
    )

    class Meta:
        model = LetterResponse
        fields = [
            "id",
            "letter",
            "person",
            "organization",
            "received_on",
            "summary",
            "url",
            "file",
            "persons",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = {
            "persons": {
                "help_text": "The ids of the detained persons this answer speaks of: only "
                "persons its letter is about (400 naming `persons` otherwise). PUT and PATCH "
                "replace the list; leaving it out keeps it."
            }
        }
        # Exactly one of person and organization is a database constraint, checked by the
        # service's full_clean() and reported as a 400 with the constraint's message.
        validators = []

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_file(self, response) -> str | None:
        if not response.file:
            return None
        path = reverse("admin:campaigns_letterresponse_file", args=[response.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class SignatureSerializer(StrictModelSerializer):
    class Meta:
        model = Signature
        fields = [
            "id",
            "letter",
            "organization",
            "person",
            "signed_on",
            "note",
            "created_at",
            "updated_at",
        ]
        # Exactly-one-signatory and no-double-signing are database constraints, checked by
        # the service's full_clean() and reported as 400s with the constraint's message.
        validators = []


class SignatureImportSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="CSV, UTF-8 (with or without BOM). Columns: organization, person, email, "
        "country, signed_on, note; each row fills exactly one of organization and person."
    )

    def validate_file(self, upload):
        try:
            check_file_size(upload.size)
        except ImportFileError as exc:
            raise serializers.ValidationError(str(exc)) from None
        return upload


class ImportRowErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="As a spreadsheet numbers it: the header is row 1.")
    column = serializers.CharField()
    message = serializers.CharField()


class ImportDuplicateSerializer(serializers.Serializer):
    row = serializers.IntegerField()
    signatory = serializers.CharField()


class SignatureImportReportSerializer(serializers.Serializer):
    detail = serializers.CharField()
    rows = serializers.IntegerField()
    created = serializers.IntegerField()
    organizations_created = serializers.IntegerField()
    people_created = serializers.IntegerField()
    duplicates = ImportDuplicateSerializer(many=True)
    errors = ImportRowErrorSerializer(many=True)
