"""Admin pieces shared by the apps (config is not an app: nothing here is registered)."""

from import_export.admin import ImportExportModelAdmin
from unfold.contrib.import_export.forms import ImportForm, SelectableFieldsExportForm

from config.history import HistoryAdmin


class HistoryImportExportAdmin(ImportExportModelAdmin, HistoryAdmin):
    """Change history ("History" button) plus CSV import with preview, and export.

    The import page lists each invalid row's errors as text, numbered as a spreadsheet numbers
    rows (the header is row 1, as in the signature import); the library's own page shows them
    only while the pointer is over a red badge."""

    import_template_name = "admin/import_export/import_row_errors.html"
    # The theme's forms for the import and export pages (unfold.contrib.import_export).
    import_form_class = ImportForm
    export_form_class = SelectableFieldsExportForm
