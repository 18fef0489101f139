from django.core.exceptions import ValidationError
from import_export import fields, widgets

from config.resources import ValidatedResource
from tracker.cases.models import DetainedPerson
from tracker.cases.services import detained_person_save


class DetainedPersonResource(ValidatedResource):
    """Aliases and context terms are one cell each, entries separated by semicolons.

    Rows are saved through detained_person_save, so a status the import sets is recorded on
    the timeline as an admin or API change is: dated by the optional `status_date` column
    (import only; blank on export), and refused, as the row's error, when the timeline
    contradicts it."""

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
    status_date = fields.Field(column_name="status_date", widget=widgets.DateWidget())

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
            "status_date",
            "detained_on",
            "place_of_detention",
            "charges",
            "sentence",
            "summary",
            "watch_enabled",
        )

    def save_instance(self, instance, is_create, row, **kwargs):
        # The dry run (preview) saves too, in a transaction rolled back afterwards: a status
        # the timeline refuses is reported before anything is written.
        try:
            status_date = self.fields["status_date"].clean(row) if "status_date" in row else None
        except ValueError as exc:
            raise ValidationError({"status_date": str(exc)}) from None
        given = {"status": instance.status} if "status" in row else {}
        self.before_save_instance(instance, row, **kwargs)
        detained_person_save(person=instance, status_date=status_date, **given)
        self.after_save_instance(instance, row, **kwargs)
