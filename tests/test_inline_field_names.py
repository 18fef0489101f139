"""Every field in a tabular inline's rows says which column it is in (the column's header), in the
page as the server writes it, without the script that also names them: a screen reader would
otherwise announce "edit text" and nothing more."""

import datetime

import lxml.html
import pytest
from django.urls import reverse

from tests.campaigns.factories import LetterFactory, SignatureFactory
from tracker.cases.services import case_event_record, case_officer_add, detained_person_save
from tracker.workspace.services import task_save

pytestmark = pytest.mark.django_db

FIELDS = ".//input[not(@type='hidden')] | .//select | .//textarea"


def _rows(page: bytes, prefix: str):
    """The inline's rows (the template row of a new one included), each a list of its fields."""
    tree = lxml.html.fromstring(page)
    (group,) = tree.xpath(f"//div[@id='{prefix}-group'][@data-inline-type='tabular']")
    rows = [row.xpath(FIELDS) for row in group.xpath(".//tbody/tr")]
    rows = [fields for fields in rows if fields]
    assert rows, f"no rows with fields in {prefix}"
    return rows


def _names(page: bytes, prefix: str) -> set[tuple[str, ...]]:
    names = set()
    for fields in _rows(page, prefix):
        unnamed = [f.get("name") for f in fields if not (f.get("aria-label") or "").strip()]
        assert not unnamed, f"{prefix}: fields without a name a screen reader reads: {unnamed}"
        names.add(tuple(f.get("aria-label") for f in fields))
    return names


def _columns(page: bytes, prefix: str) -> tuple[str, ...]:
    """The names of the inline's fields, the same in every row; a row that may be deleted (one
    already saved) also has its delete box, named."""
    names = _names(page, prefix)
    columns = {tuple(name for name in row if name != "Delete this row") for row in names}
    assert len(columns) == 1, f"{prefix}: rows name their fields differently: {names}"
    assert any("Delete this row" in row for row in names), f"{prefix}: no named delete box"
    return columns.pop()


def test_a_letters_signature_rows_name_their_fields(client, superuser):
    letter = LetterFactory()
    SignatureFactory(letter=letter)
    client.force_login(superuser)
    page = client.get(reverse("admin:campaigns_letter_change", args=[letter.pk])).content
    assert _columns(page, "signatures") == ("Organization", "Person", "Signed on", "Note")


def test_a_cases_event_officer_and_task_rows_name_their_fields(client, superuser):
    person = detained_person_save(name="Lin Qiuyue", country="CN", status="detained")
    case_event_record(person=person, date=datetime.date(2024, 3, 1), kind="detained")
    case_officer_add(person=person, user=superuser, lead=True)
    task_save(user=superuser, title="Call", due_on=datetime.date(2030, 1, 1), person=person)
    client.force_login(superuser)
    page = client.get(reverse("admin:tracker_detainedperson_change", args=[person.pk])).content
    assert _columns(page, "events") == ("Date", "Kind", "Description", "Source URL")
    assert _columns(page, "officer_links") == ("User", "Lead")
    assert _columns(page, "tasks") == ("What to do", "Due", "Assignee", "Done")


def test_every_tabular_inline_names_its_fields():
    from django.contrib import admin
    from django.contrib.admin.options import TabularInline

    from tracker.admin_widgets import NamedInlineFields

    tabular = {
        inline
        for model_admin in admin.site._registry.values()
        for inline in model_admin.inlines
        if issubclass(inline, TabularInline)
    }
    assert tabular, "no tabular inlines registered"
    assert {i.__name__ for i in tabular if not issubclass(i, NamedInlineFields)} == set()
