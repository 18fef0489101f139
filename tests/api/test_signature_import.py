"""POST /api/letters/{id}/signatures/import/: bulk signatures from a CSV file."""

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.validators import validate_email

from campaigns.models import Organization, Person, Signature
from tests.campaigns.factories import (
    LetterFactory,
    OrganizationFactory,
    PersonFactory,
    SignatureFactory,
)

pytestmark = pytest.mark.django_db

REPORT_KEYS = {
    "detail",
    "rows",
    "created",
    "organizations_created",
    "people_created",
    "duplicates",
    "errors",
}


def upload(
    client, letter, text: str | bytes, *, partial: str | None = None, bom=False, query: str = ""
):
    data = text.encode() if isinstance(text, str) else text
    if bom:
        data = b"\xef\xbb\xbf" + data
    url = f"/api/letters/{letter.pk}/signatures/import/"
    if partial is not None:
        url += f"?partial={partial}"
    elif query:
        url += f"?{query}"
    return client.post(
        url, {"file": SimpleUploadedFile("signatures.csv", data)}, format="multipart"
    )


def nothing_written():
    assert not Signature.objects.exists()
    assert not Organization.objects.exists()
    assert not Person.objects.exists()


@pytest.fixture
def letter():
    return LetterFactory()


@pytest.mark.parametrize("bom", [False, True], ids=["plain", "with-bom"])
def test_a_csv_creates_signatories_and_their_signatures(editor_client, letter, bom):
    csv = (
        "organization,person,email,country,signed_on,note\n"
        "Front Line Defenders,,,IE,2024-05-01,\n"
        ",Ada Lovelace,ada@example.org,gb,,Personally\n"
        ",Wang Yi,,,2024-05-02,\n"
    )
    response = upload(editor_client, letter, csv, bom=bom)
    assert response.status_code == 201, response.json()
    assert response.json() == {
        "detail": "Imported 3 signatures.",
        "rows": 3,
        "created": 3,
        "organizations_created": 1,
        "people_created": 2,
        "duplicates": [],
        "errors": [],
    }
    org = Organization.objects.get()
    assert (org.name, org.country.code) == ("Front Line Defenders", "IE")
    ada = Person.objects.get(full_name="Ada Lovelace")
    assert (ada.email, ada.country.code) == ("ada@example.org", "GB")
    assert Signature.objects.filter(letter=letter).count() == 3
    signature = Signature.objects.get(person=ada)
    assert signature.note == "Personally"
    assert str(Signature.objects.get(organization=org).signed_on) == "2024-05-01"


def test_existing_signatories_are_matched_without_regard_to_case(editor_client, letter):
    amnesty = OrganizationFactory(name="Amnesty International")
    by_email = PersonFactory(full_name="A. Lovelace", email="Ada@Example.org")
    by_name = PersonFactory(full_name="Wang Yi")
    csv = (
        "organization,person,email\n"
        "AMNESTY INTERNATIONAL,,\n"
        ",Ada Lovelace,ada@example.ORG\n"
        ",wang yi,\n"
    )
    response = upload(editor_client, letter, csv)
    assert response.status_code == 201, response.json()
    assert response.json()["organizations_created"] == 0
    assert response.json()["people_created"] == 0
    assert Organization.objects.count() == 1
    assert Person.objects.count() == 2
    assert {(s.organization, s.person) for s in Signature.objects.all()} == {
        (amnesty, None),
        (None, by_email),
        (None, by_name),
    }


def test_a_signatory_who_already_signed_is_a_duplicate_not_an_error(editor_client, letter):
    SignatureFactory(letter=letter, organization=OrganizationFactory(name="PEN America"))
    csv = "organization,person\npen america,\nNew Org,\nNEW ORG,\n"
    response = upload(editor_client, letter, csv)
    assert response.status_code == 201
    body = response.json()
    assert body["created"] == 1
    assert body["errors"] == []
    assert [d["row"] for d in body["duplicates"]] == [2, 4]
    assert body["duplicates"][0] == {"row": 2, "signatory": "PEN America"}
    assert Signature.objects.filter(letter=letter).count() == 2
    assert Organization.objects.count() == 2


def test_a_new_organization_is_created_as_the_row_that_signs_spells_it(editor_client, letter):
    csv = "organization,country\nNew Org,FR\nNEW ORG,\n"
    response = upload(editor_client, letter, csv)
    assert response.status_code == 201
    assert response.json()["duplicates"] == [{"row": 3, "signatory": "New Org"}]
    org = Organization.objects.get()
    assert (org.name, org.country.code) == ("New Org", "FR")


def test_a_file_of_nothing_but_duplicates_answers_200(editor_client, letter):
    SignatureFactory(letter=letter, organization=OrganizationFactory(name="PEN"))
    response = upload(editor_client, letter, "organization\nPEN\n")
    assert response.status_code == 200
    assert response.json()["created"] == 0
    assert response.json()["duplicates"] == [{"row": 2, "signatory": "PEN"}]
    assert Signature.objects.count() == 1


def test_an_invalid_row_rejects_the_whole_file(editor_client, letter):
    csv = (
        "organization,person,email,country,signed_on,note\n"
        "Good Org,,,,2024-01-01,\n"
        "Both,Someone,,,,\n"
        ",Bad Email,not-an-email,,,\n"
        ",Bad Country,,XX,yesterday,\n"
        ",,,,,\n"
    )
    response = upload(editor_client, letter, csv)
    assert response.status_code == 400
    body = response.json()
    assert set(body) == REPORT_KEYS
    assert body["created"] == 0
    assert "nothing was imported" in body["detail"]
    assert [(e["row"], e["column"]) for e in body["errors"]] == [
        (3, "organization"),
        (4, "email"),
        (5, "country"),
        (5, "signed_on"),
    ]
    assert all(e["message"] for e in body["errors"])
    nothing_written()


def test_partial_imports_the_valid_rows_and_reports_the_others(editor_client, letter):
    csv = "organization,person,signed_on\nGood Org,,2024-01-01\nBad Date,,01/02/2024\n,Ok Person,\n"
    response = upload(editor_client, letter, csv, partial="true")
    assert response.status_code == 201
    body = response.json()
    assert body["created"] == 2
    assert body["errors"] == [
        {"row": 3, "column": "signed_on", "message": "Enter a date as YYYY-MM-DD."}
    ]
    assert set(Organization.objects.values_list("name", flat=True)) == {"Good Org"}
    assert Signature.objects.filter(letter=letter).count() == 2


def test_an_ambiguous_name_needs_an_email(editor_client, letter):
    PersonFactory(full_name="Li Wei")
    PersonFactory(full_name="Li Wei")
    response = upload(editor_client, letter, "organization,person\n,Li Wei\nSome Org,\n")
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "row": 2,
            "column": "person",
            "message": "2 people are named 'Li Wei'; add an email to say which.",
        }
    ]
    assert not Signature.objects.exists()
    assert not Organization.objects.exists()


def test_over_long_cells_are_row_errors(editor_client, letter):
    csv = f"organization,person,note\n{'x' * 201},,\n,Someone,{'n' * 501}\n"
    response = upload(editor_client, letter, csv)
    assert response.status_code == 400
    assert [(e["row"], e["column"]) for e in response.json()["errors"]] == [
        (2, "organization"),
        (3, "note"),
    ]
    nothing_written()


def test_an_email_longer_than_the_person_field_allows_is_a_row_error(editor_client, letter):
    # Valid as an address (up to 320 characters) but longer than Person.email's 254: a row
    # error, not a database error.
    domain = ".".join(["b" * 60] * 4) + ".org"
    email = "a" * (300 - 1 - len(domain)) + "@" + domain
    assert len(email) == 300
    validate_email(email)
    csv = f"organization,person,email\nGood Org,,\n,Long Address,{email}\n"
    response = upload(editor_client, letter, csv)
    assert response.status_code == 400, response.json()
    assert response.json()["errors"] == [
        {"row": 3, "column": "email", "message": "At most 254 characters (this has 300)."}
    ]
    nothing_written()


def test_new_people_with_one_email_are_one_person_whatever_their_names(editor_client, letter):
    csv = (
        "person,email\n"
        "Ann Lee,ann@example.org\n"
        "Annie Lee,ANN@example.org\n"
        "Wang Yi,\n"
        "wang yi,\n"
        "Wang Yi,wang@example.org\n"
    )
    response = upload(editor_client, letter, csv)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["people_created"] == 3
    assert body["created"] == 3
    assert body["duplicates"] == [
        {"row": 3, "signatory": "Ann Lee"},
        {"row": 5, "signatory": "Wang Yi"},
    ]
    assert sorted(Person.objects.values_list("full_name", "email")) == [
        ("Ann Lee", "ann@example.org"),
        ("Wang Yi", ""),
        ("Wang Yi", "wang@example.org"),
    ]
    assert Signature.objects.filter(letter=letter).count() == 3


@pytest.mark.parametrize(("first", "second"), [("Annie Lee", "Ann Lee"), ("Ann Lee", "Annie Lee")])
def test_rows_with_one_email_are_one_person_when_a_namesake_has_no_email(
    editor_client, letter, first, second
):
    existing = PersonFactory(full_name="Ann Lee", email="")
    csv = f"person,email\n{first},ann@example.org\n{second},ann@example.org\n"
    response = upload(editor_client, letter, csv)
    assert response.status_code == 201, response.json()
    signatories = set(Signature.objects.filter(letter=letter).values_list("person", flat=True))
    assert len(signatories) == 1  # one person signed, whichever row came first
    assert response.json()["created"] == 1
    if first == "Ann Lee":  # the stored namesake is that person
        assert signatories == {existing.pk}


def test_a_row_with_more_cells_than_the_header_is_an_error(editor_client, letter):
    response = upload(editor_client, letter, "organization\nOne,Two\n")
    assert response.status_code == 400
    assert response.json()["errors"][0]["row"] == 2
    nothing_written()


def test_row_numbers_follow_the_spreadsheet_even_with_multi_line_cells(editor_client, letter):
    csv = 'organization,person,note\nOne,,"first line\nsecond line"\n,,\nBoth,Someone,\n'
    response = upload(editor_client, letter, csv)
    assert response.status_code == 400
    assert [e["row"] for e in response.json()["errors"]] == [4]


def test_row_numbers_count_empty_lines(editor_client, letter):
    response = upload(editor_client, letter, "organization,person\n\nBoth,Someone\n")
    assert response.status_code == 400
    assert [e["row"] for e in response.json()["errors"]] == [3]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"organization,signature\nX,Y\n", "Unknown column"),
        (b"email,note\nx@example.org,\n", "organization"),
        ("organization\nCaf\u00e9\n".encode("latin-1"), "UTF-8"),
    ],
    ids=["empty", "unknown-column", "no-signatory-column", "latin-1"],
)
def test_a_file_that_cannot_be_read_is_refused_as_a_whole(editor_client, letter, content, message):
    response = upload(editor_client, letter, content)
    assert response.status_code == 400
    assert list(response.json()) == ["file"]
    assert message in response.json()["file"][0]
    nothing_written()


def test_a_request_without_a_file_is_refused(editor_client, letter):
    response = editor_client.post(
        f"/api/letters/{letter.pk}/signatures/import/", {}, format="multipart"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["file"]


def test_partial_must_be_true_or_false(editor_client, letter):
    response = upload(editor_client, letter, "organization\nX\n", partial="maybe")
    assert response.status_code == 400
    assert list(response.json()) == ["partial"]
    nothing_written()


@pytest.mark.parametrize("value", ["yes", "1", "TRUE"])
def test_partial_takes_the_booleans_the_filters_take(editor_client, letter, value):
    response = upload(editor_client, letter, "organization,country\nGood,\nBad,XX\n", partial=value)
    assert response.status_code == 201, response.json()
    assert [e["row"] for e in response.json()["errors"]] == [3]
    assert Signature.objects.filter(letter=letter).count() == 1


def test_an_unknown_query_parameter_is_refused_as_on_the_lists(editor_client, letter):
    response = upload(editor_client, letter, "organization\nX\n", query="partail=true")
    assert response.status_code == 400
    assert response.json() == {"partail": ["Unknown query parameter."]}
    assert editor_client.get("/api/letters/?partail=true").json() == response.json()
    nothing_written()


def test_a_file_larger_than_the_limit_is_refused(editor_client, letter, settings):
    settings.SIGNATURE_IMPORT_MAX_BYTES = 20
    response = upload(editor_client, letter, "organization\nA rather long organization\n")
    assert response.status_code == 400
    assert list(response.json()) == ["file"]
    nothing_written()


def test_importing_into_a_letter_that_does_not_exist_is_not_found(editor_client):
    response = editor_client.post(
        "/api/letters/999/signatures/import/",
        {"file": SimpleUploadedFile("s.csv", b"organization\nX\n")},
        format="multipart",
    )
    assert response.status_code == 404
    assert not Organization.objects.exists()


def test_ten_thousand_rows_are_imported_in_one_request(editor_client, letter):
    lines = ["organization,person,email,country,signed_on,note"]
    for i in range(5_000):
        lines.append(f"Organization {i},,,FR,2024-05-01,")
        lines.append(f",Signer {i},signer{i}@example.org,,,Row {i}")
    response = upload(editor_client, letter, "\n".join(lines) + "\n")
    assert response.status_code == 201, response.json()["errors"][:3]
    body = response.json()
    assert body["rows"] == body["created"] == 10_000
    assert body["organizations_created"] == body["people_created"] == 5_000
    assert Signature.objects.filter(letter=letter).count() == 10_000
    assert Signature.objects.filter(letter=letter, person__email="signer4999@example.org").exists()


# --- permissions ----------------------------------------------------------------------------


def test_a_viewer_cannot_import_signatures(viewer_client, letter):
    response = upload(viewer_client, letter, "organization\nPEN\n")
    assert response.status_code == 403
    nothing_written()


def test_a_user_without_permissions_cannot_import_signatures(nobody_client, letter):
    assert upload(nobody_client, letter, "organization\nPEN\n").status_code == 403
    nothing_written()


def test_importing_needs_permission_to_add_organizations_and_people_too(
    django_user_model, client_for, letter
):
    user = django_user_model.objects.create_user(username="signature-clerk")
    user.user_permissions.set(
        Permission.objects.filter(codename__in=["view_letter", "add_letter", "add_signature"])
    )
    response = upload(client_for(user), letter, "organization\nPEN\n")
    assert response.status_code == 403
    assert "organizations and people" in response.json()["detail"]
    nothing_written()


def test_importing_needs_only_the_permissions_to_add_what_it_creates(
    django_user_model, client_for, letter
):
    user = django_user_model.objects.create_user(username="signature-clerk")
    user.user_permissions.set(
        Permission.objects.filter(
            codename__in=["view_letter", "add_signature", "add_organization", "add_person"]
        )
    )
    response = upload(client_for(user), letter, "organization\nPEN\n")
    assert response.status_code == 201
    assert Signature.objects.filter(letter=letter).count() == 1


# --- names outside ASCII --------------------------------------------------------------------


def test_an_existing_organization_with_an_accented_capital_is_matched(editor_client, letter):
    church = OrganizationFactory(name="Église Réformée")
    response = upload(editor_client, letter, "organization\nÉglise Réformée\n")
    assert response.status_code == 201
    assert response.json()["organizations_created"] == 0
    assert Signature.objects.get().organization == church


def test_an_existing_person_with_an_accented_capital_is_matched(editor_client, letter):
    elise = PersonFactory(full_name="Élise Dupont")
    response = upload(editor_client, letter, "person\nÉlise Dupont\n")
    assert response.status_code == 201
    assert response.json()["people_created"] == 0
    assert Person.objects.count() == 1
    assert Signature.objects.get().person == elise
