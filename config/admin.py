"""Admin pieces shared by the apps (config is not an app: nothing here is registered)."""

from django.contrib.admin.views.main import ERROR_FLAG, IGNORED_PARAMS, PAGE_VAR, SEARCH_VAR
from import_export.admin import ExportMixin, ImportExportModelAdmin
from unfold.contrib.import_export.forms import ImportForm, SelectableFieldsExportForm

from config.history import HistoryAdmin
from tracker.accesslog.models import AccessRecord
from tracker.accesslog.services import record_export

# Query parameters of a changelist that do not choose records: ordering, search (recorded on
# its own), page, popup, and the filters a change page carries back to its list.
_NOT_FILTERS = {*IGNORED_PARAMS, PAGE_VAR, ERROR_FLAG, "_changelist_filters"}


def changelist_filters(request) -> dict[str, str | list[str]]:
    """The filters of the changelist an export came from: django-import-export's export page
    keeps the changelist's query string, and builds its records from it."""
    return {
        name: values[0] if len(values) == 1 else values
        for name, values in request.GET.lists()
        if name not in _NOT_FILTERS
    }


class AuditedExportMixin(ExportMixin):
    """django-import-export's export, recorded in the access log once the file is built: who,
    from where, which model, the changelist's filters and search, the columns and the number
    of rows, and the format. A failure to record it fails the export."""

    def get_data_for_export(self, request, queryset, **kwargs):
        dataset = super().get_data_for_export(request, queryset, **kwargs)
        # Read back by get_export_data (the same request), which knows the file's format.
        request.exported_dataset = dataset
        return dataset

    def get_export_data(self, file_format, request, queryset, **kwargs):
        data = super().get_export_data(file_format, request, queryset, **kwargs)
        dataset = request.__dict__.pop("exported_dataset")
        record_export(
            request=request,
            interface=AccessRecord.Interface.ADMIN,
            model=self.model,
            filters=changelist_filters(request),
            search=request.GET.get(SEARCH_VAR, ""),
            columns=list(dataset.headers or []),
            rows=dataset.height,
            file_format=file_format.get_title(),
        )
        return data


class HistoryImportExportAdmin(AuditedExportMixin, ImportExportModelAdmin, HistoryAdmin):
    """Change history ("History" button) plus CSV import with preview, and export (recorded in
    the access log).

    The import page lists each invalid row's errors as text, numbered as a spreadsheet numbers
    rows (the header is row 1, as in the signature import); the library's own page shows them
    only while the pointer is over a red badge."""

    import_template_name = "admin/import_export/import_row_errors.html"
    # The theme's forms for the import and export pages (unfold.contrib.import_export).
    import_form_class = ImportForm
    export_form_class = SelectableFieldsExportForm
