from import_export import fields, widgets

from config.resources import ValidatedResource
from tracker.models import DetainedPerson


class DetainedPersonResource(ValidatedResource):
    """Aliases and context terms are one cell each, entries separated by semicolons."""

    aliases = fields.Field(
        attribute="aliases",
        column_name="aliases",
        widget=widgets.SimpleArrayWidget(";"),
    )
    context_terms = fields.Field(
        attribute="context_terms",
        column_name="context_terms",
        widget=widgets.SimpleArrayWidget(";"),
    )

    class Meta(ValidatedResource.Meta):
        model = DetainedPerson
        fields = (
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
        )
