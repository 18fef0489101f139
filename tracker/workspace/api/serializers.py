from rest_framework import serializers

from tracker.workspace.search import COUNT_LIMIT, KINDS, MAX_QUERY_LENGTH


class SearchQuerySerializer(serializers.Serializer):
    q = serializers.CharField(
        max_length=MAX_QUERY_LENGTH,
        help_text="What to look for: any part of a name or title. Cases are found by any form "
        "of their names (romanised, native script, aliases) ignoring case and accents; the "
        "other kinds ignoring case.",
    )


class SearchItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField(help_text="The record as the admin names it.")
    detail = serializers.CharField(help_text="A line about it (status, country, date...).")
    url = serializers.URLField(help_text="The record in the API.")
    admin_url = serializers.CharField(help_text="The record's page in the admin (a path).")


class SearchGroupSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[kind.key for kind in KINDS])
    label = serializers.CharField()
    count = serializers.IntegerField(
        help_text=f"How many records of this kind match, counted up to {COUNT_LIMIT}."
    )
    capped = serializers.BooleanField(help_text=f"More than {COUNT_LIMIT} match.")
    items = SearchItemSerializer(many=True, help_text="The first matches (at most 10).")


class SearchResultSerializer(serializers.Serializer):
    q = serializers.CharField(help_text="The query, as searched (trimmed).")
    results = SearchGroupSerializer(
        many=True,
        help_text="One group per kind the user may view, in a fixed order (cases, "
        "organizations, people, campaigns, letters, news_items), empty ones included.",
    )
