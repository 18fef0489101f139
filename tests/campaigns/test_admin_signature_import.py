"""The "Import signatures" page of a letter in the admin: the API's CSV format and service."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import NoReverseMatch, reverse

from campaigns.models import Organization, Person, Signature
from tests.campaigns.factories import LetterFactory, OrganizationFactory, PersonFactory
from tests.pages import table_rows, text_of

pytestmark = pytest.mark.django_db

# The README's format, with signatories to match (any case; people by email, else by name),
# signatories to create, and one who appears twice.
README_FILE = (
    "organization,person,email,country,signed_on,note\n"
    "AMNESTY INTERNATIONAL,,,,2024-05-01,\n"
    "Front Line Defenders,,,IE,2024-05-01,\n"
    ",Ada Lovelace,ADA@example.org,,2024-05-02,Personally\n"
    ",wang yi,,,,\n"
    ",Grace Hopper,grace@example.org,us,,\n"
    "front line defenders,,,,,\n"
)


@pytest.fixture
def letter():
    return LetterFactory(title="Free the 20")


@pytest.fixture
def signatories():
    OrganizationFactory(name="Amnesty International", country="GB")
    PersonFactory(full_name="A. Lovelace", email="ada@example.org")
    PersonFactory(full_name="Wang Yi")


@pytest.fixture
def staff_editor(editor):
    editor.is_staff = True
    editor.save()
    return editor


@pytest.fixture
def editor_admin(staff_editor):
    client = Client()
    client.force_login(staff_editor)
    return client


def import_url(letter) -> str:
    return reverse("admin:campaigns_letter_import_signatures", args=[letter.pk])


def admin_import(client, letter, data: str | bytes, *, partial=False):
    data = data.encode() if isinstance(data, str) else data
    form = {"file": SimpleUploadedFile("signatures.csv", data, content_type="text/csv")}
    if partial:
        form["partial"] = "on"
    return client.post(import_url(letter), form)


def api_import(client, letter, data: str):
    return client.post(
        f"/api/letters/{letter.pk}/signatures/import/",
        {"file": SimpleUploadedFile("signatures.csv", data.encode())},
        format="multipart",
    )


def what_the_database_holds(letter) -> dict:
    return {
        "signatures": sorted(
            (
                s.organization.name if s.organization else "",
                s.person.full_name if s.person else "",
                str(s.signed_on),
                s.note,
            )
            for s in Signature.objects.filter(letter=letter).select_related(
                "organization", "person"
            )
        ),
        "organizations": sorted(Organization.objects.values_list("name", "country")),
        "people": sorted(Person.objects.values_list("full_name", "email", "country")),
    }


def outcome_of(do_import, letter):
    """What an import leaves in the database; undone afterwards, so that another can start
    from the same state."""
    savepoint = transaction.savepoint()
    response = do_import()
    outcome = what_the_database_holds(letter)
    transaction.savepoint_rollback(savepoint)
    return response, outcome


def test_a_readme_format_file_gives_the_same_signatures_through_the_admin_as_through_the_api(
    editor_admin, editor_client, letter, signatories
):
    api, through_api = outcome_of(lambda: api_import(editor_client, letter, README_FILE), letter)
    page, through_admin = outcome_of(
        lambda: admin_import(editor_admin, letter, README_FILE), letter
    )

    assert api.status_code == 201, api.json()
    assert page.status_code == 200
    assert through_admin == through_api
    assert through_admin["signatures"] == [
        ("", "A. Lovelace", "2024-05-02", "Personally"),
        ("", "Grace Hopper", "None", ""),
        ("", "Wang Yi", "None", ""),
        ("Amnesty International", "", "2024-05-01", ""),
        ("Front Line Defenders", "", "2024-05-01", ""),
    ]
    assert through_admin["organizations"] == [
        ("Amnesty International", "GB"),
        ("Front Line Defenders", "IE"),
    ]
    assert ("Grace Hopper", "grace@example.org", "US") in through_admin["people"]
    assert len(through_admin["people"]) == 3


def test_the_page_reports_what_was_imported_and_who_had_already_signed(
    editor_admin, letter, signatories
):
    response = admin_import(editor_admin, letter, README_FILE)

    text = text_of(response)
    assert "Imported 5 signatures." in text
    assert "Organizations created 1" in text
    assert "People created 1" in text
    assert table_rows(response, "duplicate-rows") == [["7", "Front Line Defenders"]]
    assert Signature.objects.filter(letter=letter).count() == 5


def test_an_invalid_file_shows_its_row_errors_in_the_page_and_imports_nothing(editor_admin, letter):
    response = admin_import(
        editor_admin,
        letter,
        "organization,person,email,country,signed_on\n"
        "PEN America,,,US,2024-05-01\n"
        ",Ada Lovelace,not-an-email,,\n"
        "Front Line Defenders,,,XX,1 May\n",
    )

    assert response.status_code == 200
    assert "3 invalid rows; nothing was imported." in text_of(response)
    assert table_rows(response, "row-errors") == [
        ["3", "email", "Enter a valid email address."],
        ["4", "country", "'XX' is not an ISO 3166 two-letter country code."],
        ["4", "signed_on", "Enter a date as YYYY-MM-DD."],
    ]
    assert not Signature.objects.exists()
    assert not Organization.objects.exists()
    assert not Person.objects.exists()


def test_the_same_invalid_file_gives_the_same_row_errors_in_the_admin_as_in_the_api(
    editor_admin, editor_client, letter
):
    data = "organization,person,country\nA,,XX\n,,\nB,C,\n"
    api = api_import(editor_client, letter, data).json()["errors"]
    page = table_rows(admin_import(editor_admin, letter, data), "row-errors")
    assert page == [[str(e["row"]), e["column"], e["message"]] for e in api]
    assert [row[0] for row in page] == ["2", "4"]  # the blank row 3 is skipped, not renumbered


def test_importing_the_valid_rows_only_imports_them_and_lists_the_others(editor_admin, letter):
    response = admin_import(
        editor_admin,
        letter,
        "organization,country\nPEN America,US\nNowhere,XX\nFront Line Defenders,IE\n",
        partial=True,
    )

    assert "Imported 2 signatures." in text_of(response)
    assert table_rows(response, "row-errors") == [
        ["3", "country", "'XX' is not an ISO 3166 two-letter country code."]
    ]
    assert sorted(Signature.objects.values_list("organization__name", flat=True)) == [
        "Front Line Defenders",
        "PEN America",
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"organization\nCaf\xe9 Solidarit\xe9\n", "The file is not UTF-8 text"),
        (b"letter,organization\n1,PEN\n", "Unknown column: letter."),
        (b"", "file is empty"),
    ],
    ids=["latin-1", "wrong-header", "empty"],
)
def test_a_file_that_cannot_be_read_is_refused_with_the_reason(editor_admin, letter, data, message):
    response = admin_import(editor_admin, letter, data)
    assert response.status_code == 200
    assert message in text_of(response)
    assert not Signature.objects.exists()


def test_a_file_over_the_size_limit_is_refused_naming_the_limit(editor_admin, letter, settings):
    settings.SIGNATURE_IMPORT_MAX_BYTES = 20
    response = admin_import(editor_admin, letter, "organization\nA rather long organization\n")
    assert "The file is 40 bytes, over the limit of 20 bytes" in text_of(response)
    assert not Signature.objects.exists()


def test_the_letter_page_has_an_import_signatures_button(editor_admin, letter):
    page = editor_admin.get(reverse("admin:campaigns_letter_change", args=[letter.pk]))
    assert f'href="{import_url(letter)}"' in page.content.decode()
    assert "Import signatures" in text_of(page)
    form = editor_admin.get(import_url(letter))
    assert form.status_code == 200
    assert "Import signatures for Free the 20" in text_of(form)


def test_a_viewer_sees_no_button_and_cannot_import(viewer, letter):
    viewer.is_staff = True
    viewer.save()
    client = Client()
    client.force_login(viewer)

    page = client.get(reverse("admin:campaigns_letter_change", args=[letter.pk]))
    assert page.status_code == 200
    assert import_url(letter) not in page.content.decode()
    assert client.get(import_url(letter)).status_code == 403
    assert admin_import(client, letter, "organization\nPEN America\n").status_code == 403
    assert not Signature.objects.exists()
    assert not Organization.objects.exists()


def test_an_import_without_the_csrf_token_is_refused(staff_editor, letter):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff_editor)
    assert admin_import(client, letter, "organization\nPEN America\n").status_code == 403
    assert not Signature.objects.exists()


def test_imported_records_are_in_history_with_the_user_who_imported_them(
    editor_admin, staff_editor, letter
):
    admin_import(editor_admin, letter, "organization,person\nPEN America,\n,Ada Lovelace\n")

    assert Signature.objects.filter(letter=letter).count() == 2
    for model, added in [(Signature, 2), (Organization, 1), (Person, 1)]:
        history = model.history.all()
        assert [(h.history_type, h.history_user) for h in history] == [("+", staff_editor)] * added


def test_the_signature_list_exports_but_sends_imports_to_the_letters(staff_client, letter):
    page = staff_client.get(reverse("admin:campaigns_signature_changelist"))
    html = page.content.decode()
    assert reverse("admin:campaigns_signature_export") in html
    assert "import_link" not in html
    assert "open their letter and use its Import signatures button" in text_of(page)
    with pytest.raises(NoReverseMatch):
        reverse("admin:campaigns_signature_import")


def test_signatures_are_still_exported_from_their_list(staff_client, letter):
    Signature.objects.create(letter=letter, organization=OrganizationFactory(name="PEN America"))
    url = reverse("admin:campaigns_signature_export")
    form = staff_client.get(url).context["form"]
    chosen = {name: form[name].value() for name in form.fields}
    response = staff_client.post(
        url, {**{k: v for k, v in chosen.items() if v not in (None, False)}, "format": "0"}
    )
    assert response["Content-Type"] == "text/csv"
    assert "Free the 20,PEN America" in response.content.decode()
