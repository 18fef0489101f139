"""How the REST API of cases (detained persons, case events and the events proposed from the
news) reads and writes its records."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, serializers

from campaigns.models import Campaign, Letter, LetterResponse
from campaigns.selectors import persons_letter_counts
from config.api.serializers import (
    CountryCodeField,
    StrictModelSerializer,
    StringListField,
)
from config.permissions import may_view
from tracker.cases.models import (
    CaseDocument,
    CaseEvent,
    CaseEventProposal,
    CaseEventProposalSource,
    CaseNote,
    DetainedPerson,
)
from tracker.cases.restricted import RESTRICTED_FIELDS, withheld_fields
from tracker.cases.selectors import detained_person_campaign_ids


class CampaignIdsField(serializers.ManyRelatedField):
    """`campaigns` as ids, ascending. A list page's rows carry `campaign_ids`, filled for the
    whole page in one query (DetainedPersonListSerializer); a single record asks for its own."""

    def __init__(self, **kwargs):
        super().__init__(
            child_relation=serializers.PrimaryKeyRelatedField(queryset=Campaign.objects.all()),
            **kwargs,
        )

    def get_attribute(self, instance):
        if isinstance(instance, dict):  # a row of a list page
            return instance["campaign_ids"]
        return list(instance.campaigns.order_by("pk").values_list("pk", flat=True))

    def to_representation(self, value):
        return list(value)


class DetainedPersonListSerializer(serializers.ListSerializer):
    """A list page: rows (dicts from `.values()`, see DetainedPersonViewSet) with their
    campaign ids added from one query."""

    def to_representation(self, data):
        rows = list(data.all() if hasattr(data, "all") else data)
        ids = [row["id"] for row in rows]
        campaign_ids = detained_person_campaign_ids(person_ids=ids)
        # Letters asking about each and answering about each: one query for the page.
        counts = persons_letter_counts(person_ids=ids) if self.child.may_view(Letter) else {}
        for row in rows:
            row["campaign_ids"] = campaign_ids.get(row["id"], [])
            row["letter_counts"] = counts.get(row["id"], (0, 0))
        return super().to_representation(rows)


class DetainedPersonSerializer(StrictModelSerializer):
    aliases = StringListField(required=False)
    context_terms = StringListField(required=False)
    country = CountryCodeField(required=False, allow_blank=True)
    campaigns = CampaignIdsField(required=False)
    letters_asking = serializers.SerializerMethodField(
        help_text="How many letters are about this person (a letter's `persons`). Null "
        "without the permission to view letters."
    )
    letters_answered = serializers.SerializerMethodField(
        help_text="Of those letters, how many a response answered about this person (a "
        "response's `persons`). Null without the permission to view letter responses."
    )
    status_date = serializers.DateField(
        write_only=True,
        required=False,
        help_text="With a new `status`: the date it took effect (default: today; for a new "
        "person, `detained_on` if given). A new status is recorded as a case event of that "
        "date; it cannot be after today, nor before the latest status event.",
    )

    class Meta:
        model = DetainedPerson
        list_serializer_class = DetainedPersonListSerializer
        fields = [
            "id",
            "name",
            "native_name",
            "aliases",
            "context_terms",
            "gender",
            "birth_year",
            "country",
            "occupation",
            "affiliation",
            "status",
            "status_date",
            "detained_on",
            "place_of_detention",
            "charges",
            "sentence",
            "summary",
            "publicity",
            *RESTRICTED_FIELDS,
            "watch_enabled",
            "campaigns",
            "letters_asking",
            "letters_answered",
            "created_at",
            "updated_at",
        ]
        # Read as columns by a list page (DetainedPersonViewSet); `status_date` is not one, and
        # restricted fields are read one case at a time (the detail), never a page at once.
        columns = [
            f
            for f in fields
            if f
            not in (
                "status_date",
                "campaigns",
                "letters_asking",
                "letters_answered",
                *RESTRICTED_FIELDS,
            )
        ]

    def _user(self):
        request = self.context.get("request")
        return getattr(request, "user", None)

    def may_view(self, model) -> bool:
        user = self._user()
        return user is not None and may_view(user, model)

    def _letter_counts(self, person) -> tuple[int, int]:
        if isinstance(person, dict):  # a row of a list page
            return person["letter_counts"]
        if not hasattr(self, "_counts"):
            self._counts = persons_letter_counts(person_ids=[person.pk])
        return self._counts.get(person.pk, (0, 0))

    def get_letters_asking(self, person) -> int | None:
        return self._letter_counts(person)[0] if self.may_view(Letter) else None

    def get_letters_answered(self, person) -> int | None:
        if not (self.may_view(Letter) and self.may_view(LetterResponse)):
            return None
        return self._letter_counts(person)[1]

    def _is_list(self) -> bool:
        view = self.context.get("view")
        return getattr(view, "action", None) == "list"

    def get_fields(self):
        """Restricted fields only for those who may see them (tracker.cases.restricted), and
        only in a single case file."""
        fields = super().get_fields()
        hidden = RESTRICTED_FIELDS if self._is_list() else withheld_fields(self._user())
        for name in hidden:
            fields.pop(name, None)
        return fields

    def to_internal_value(self, data):
        # A write naming a restricted field the user may not change is refused (403), not
        # dropped: an integration must not believe it recorded a lawyer's name.
        if isinstance(data, dict):
            refused = [name for name in withheld_fields(self._user()) if name in data]
            if refused:
                raise exceptions.PermissionDenied(
                    "You may not change restricted fields: " + ", ".join(refused) + ". They "
                    "are written only by users with the permission to see restricted case "
                    "fields (case officers)."
                )
        return super().to_internal_value(data)


class CaseEventSerializer(StrictModelSerializer):
    class Meta:
        model = CaseEvent
        fields = [
            "id",
            "person",
            "date",
            "kind",
            "description",
            "source_url",
            "created_at",
            "updated_at",
        ]

    def validate_person(self, person):
        if self.instance is not None and person.pk != self.instance.person_id:
            raise serializers.ValidationError(
                "An event cannot move to another person; delete it and record a new one."
            )
        return person


class CaseEventProposalSourceSerializer(serializers.ModelSerializer):
    """One article that reports a proposed event."""

    class Meta:
        model = CaseEventProposalSource
        fields = ["mention", "date", "date_in_text", "evidence", "source_url"]
        read_only_fields = fields


class SimilarEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = CaseEvent
        fields = ["id", "kind", "date"]
        read_only_fields = fields


class CaseEventProposalSerializer(StrictModelSerializer):
    """Read only: a proposal is decided with the `accept` and `reject` actions."""

    sources = serializers.SerializerMethodField(
        help_text="Every article that reports this event, the first one (`mention`, "
        "`evidence`, `source_url`) first: articles on the same kind of event for the same "
        "person a few days apart make one proposal."
    )
    similar_event = SimilarEventSerializer(
        read_only=True,
        allow_null=True,
        help_text="An event of this kind the timeline had a few days from this one when it "
        "was proposed: accepting adds this proposal's sources to it rather than a second "
        "event. Null when there was none.",
    )

    class Meta:
        model = CaseEventProposal
        fields = [
            "id",
            "mention",
            "person",
            "kind",
            "date",
            "date_in_text",
            "evidence",
            "source_url",
            "sources",
            "similar_event",
            "status",
            "decided_by",
            "decided_at",
            "event",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(CaseEventProposalSourceSerializer(many=True))
    def get_sources(self, proposal: CaseEventProposal) -> list[dict]:
        first = CaseEventProposalSource(  # the proposal's own, in the same shape
            mention_id=proposal.mention_id,
            date=proposal.date,
            date_in_text=proposal.date_in_text,
            evidence=proposal.evidence,
            source_url=proposal.source_url,
        )
        # other_sources is prefetched by the viewset, in its model's order (by pk).
        others = list(proposal.other_sources.all())
        return [
            CaseEventProposalSourceSerializer(first).data,
            *CaseEventProposalSourceSerializer(others, many=True).data,
        ]


class CaseNoteSerializer(StrictModelSerializer):
    """An internal note: written by the user who sends it (`author`, read-only)."""

    class Meta:
        model = CaseNote
        fields = ["id", "person", "written_on", "text", "author", "created_at", "updated_at"]
        read_only_fields = ["author"]

    def validate_person(self, person):
        if self.instance is not None and person.pk != self.instance.person_id:
            raise serializers.ValidationError(
                "A note cannot move to another person; delete it and write a new one."
            )
        return person


class CaseDocumentSerializer(StrictModelSerializer):
    """Read only: documents are uploaded in the admin, under the upload rules of its forms."""

    file = serializers.SerializerMethodField(
        help_text="Link to the admin's download of the file (staff who may view documents, "
        "signed in to the admin; each download is in the access log)."
    )

    class Meta:
        model = CaseDocument
        fields = [
            "id",
            "person",
            "title",
            "kind",
            "dated",
            "file",
            "file_name",
            "uploaded_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field({"type": "string", "format": "uri"})
    def get_file(self, document) -> str:
        path = reverse("admin:tracker_casedocument_file", args=[document.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path
