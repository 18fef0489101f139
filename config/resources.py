"""Shared pieces for CSV import/export (django-import-export)."""

from import_export import resources, widgets


class CaseInsensitiveForeignKeyWidget(widgets.ForeignKeyWidget):
    """Finds the related record by a text field regardless of case ("human rights watch"),
    folding case as the database's Lower() does (see campaigns.apps)."""

    def get_lookup_kwargs(self, value, row=None, **kwargs):
        if isinstance(value, str):
            return {f"{self.field}__lower": value.strip().lower()}
        return {self.field: value}

    def clean(self, value, row=None, **kwargs):
        # A ValueError is reported as an error of this column in the row, with the row's other
        # errors; the library's DoesNotExist would stop at "matching query does not exist".
        try:
            return super().clean(value, row, **kwargs)
        except self.model.DoesNotExist:
            name = self.model._meta.verbose_name
            raise ValueError(f"There is no {name} named '{value}'.") from None


class ValidatedResource(resources.ModelResource):
    """Runs full_clean() on every row (field rules and database constraints), reports each
    bad row with its errors, and imports nothing when any row is bad."""

    class Meta:
        abstract = True
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True
        use_transactions = True
        use_bulk = False
