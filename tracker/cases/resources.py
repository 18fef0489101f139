from django.core.exceptions import ValidationError
from import_export import fields, resources, widgets

from config.resources import ValidatedResource
from tracker.cases.models import CaseEvent, DetainedPerson, LegalLimit
from tracker.cases.restricted import RESTRICTED_FIELDS, withheld_fields
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
            "publicity",
            *RESTRICTED_FIELDS,
            "watch_enabled",
        )

    # Restricted columns this resource may not read or write (see for_user).
    withheld: tuple[str, ...] = ()

    @classmethod
    def for_user(cls, user) -> type["DetainedPersonResource"]:
        """The resource `user` exports and imports with: without the restricted fields for
        anyone who may not see them, so the export form does not even offer their columns."""
        withheld = withheld_fields(user)
        if not withheld:
            return cls
        meta = type(
            "Meta",
            (cls.Meta,),
            {"fields": tuple(f for f in cls.Meta.fields if f not in withheld)},
        )
        return type(cls.__name__, (cls,), {"Meta": meta, "withheld": withheld})

    def before_import(self, dataset, **kwargs):
        # A file carrying restricted columns is refused whole, not imported without them: the
        # user would believe the values were recorded.
        refused = [name for name in dataset.headers or [] if name in self.withheld]
        if refused:
            raise ValueError(
                "You may not import restricted fields ("
                + ", ".join(refused)
                + "): remove those columns, or ask a case officer to import the file."
            )
        super().before_import(dataset, **kwargs)

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


class CaseEventResource(resources.ModelResource):
    """Export only: a status event moves its person's status (case_event_record), which an
    import would bypass."""

    person_name = fields.Field(attribute="person__name", column_name="person_name", readonly=True)

    class Meta:
        model = CaseEvent
        fields = ("id", "person", "person_name", "date", "kind", "description", "source_url")


class LegalLimitResource(resources.ModelResource):
    """Export only: a handful of rows, edited one by one."""

    class Meta:
        model = LegalLimit
        fields = ("id", "country", "status", "max_days", "legal_basis")
