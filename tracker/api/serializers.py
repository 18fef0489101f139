from django_countries.serializer_fields import CountryField
from rest_framework import serializers

from campaigns.models import Campaign
from config.api.serializers import StrictModelSerializer, StringListField
from tracker.models import CaseEvent, DetainedPerson


class DetainedPersonSerializer(StrictModelSerializer):
    aliases = StringListField(required=False)
    context_terms = StringListField(required=False)
    country = CountryField(required=False, allow_blank=True)
    campaigns = serializers.PrimaryKeyRelatedField(
        many=True, required=False, queryset=Campaign.objects.all()
    )

    class Meta:
        model = DetainedPerson
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
            "detained_on",
            "place_of_detention",
            "charges",
            "sentence",
            "summary",
            "watch_enabled",
            "campaigns",
            "created_at",
            "updated_at",
        ]


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
