"""Bulk signatures from a CSV file: `signatures_import_csv()`.

Columns: `organization`, `person`, `email`, `country`, `signed_on`, `note`; each row fills
exactly one of `organization` and `person`. Organizations are matched by name and people by
email or name, case-insensitively; missing ones are created. Rows are numbered as a
spreadsheet shows them (the header is row 1). By default any invalid row rejects the whole
file; with `partial=True` the valid rows are imported and the others reported. A signatory who
has already signed is reported as a duplicate, not an error. Runs in a fixed number of queries
whatever the file's length, under a lock on the letter so two imports into one letter queue.
"""

import csv
import datetime
import functools
import io
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.template.defaultfilters import filesizeformat, pluralize
from django_countries import countries
from simple_history.utils import bulk_create_with_history

from campaigns.models import Letter, Organization, Person, Signature
from config.batching import chunks

COLUMNS = ("organization", "person", "email", "country", "signed_on", "note")
# Adding signatures may create the organizations and people who signed: the API and the admin
# both ask for these.
IMPORT_PERMISSIONS = (
    "campaigns.view_letter",
    "campaigns.add_signature",
    "campaigns.add_organization",
    "campaigns.add_person",
)
MAX_ROWS = 50_000
_BATCH = 1000


@functools.cache
def _max_lengths() -> dict[str, int]:
    """Each column's longest value, as the model field that stores it allows."""
    return {
        "organization": Organization._meta.get_field("name").max_length,
        "person": Person._meta.get_field("full_name").max_length,
        "email": Person._meta.get_field("email").max_length,
        "note": Signature._meta.get_field("note").max_length,
    }


class ImportFileError(Exception):
    """The file as a whole cannot be read (encoding, header, size): nothing is imported."""


def check_file_size(size: int) -> None:
    """Refuses a file over SIGNATURE_IMPORT_MAX_BYTES, before it is read."""
    limit = settings.SIGNATURE_IMPORT_MAX_BYTES
    if size > limit:
        raise ImportFileError(
            f"The file is {_size(size)}, over the limit of {_size(limit)}: split it into "
            "smaller files."
        )


def _size(n: int) -> str:
    return filesizeformat(n).replace("\xa0", " ")


@dataclass
class RowError:
    row: int
    column: str
    message: str


@dataclass
class _Row:
    number: int
    organization: str
    person: str
    email: str
    country: str
    signed_on: datetime.date | None
    note: str


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    organizations_created: int = 0
    people_created: int = 0
    duplicates: list[dict] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    imported: bool = False

    @property
    def summary(self) -> str:
        if self.imported:
            return f"Imported {self.created} signatures."
        n = len(self.errors)
        return f"{n} invalid row{'s' if n != 1 else ''}; nothing was imported."


def _read_rows(data: bytes) -> list[tuple[int, dict[str, str]]]:
    """(spreadsheet row number, cells by column) for every non-blank row. Blank lines count
    as rows, as in a spreadsheet; a quoted cell over several lines is still one row."""
    try:
        text = data.decode("utf-8-sig")  # with or without a byte-order mark
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            f"The file is not UTF-8 text (byte {exc.start + 1} cannot be read). "
            "Save it as CSV UTF-8 and try again."
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [name.strip().lower() for name in next(reader, [])]
    except csv.Error as exc:
        raise ImportFileError(f"The CSV header cannot be read: {exc}.") from None
    if not any(header):
        raise ImportFileError("The file is empty: expected a header row.")
    unknown = [name for name in header if name not in COLUMNS]
    if unknown:
        raise ImportFileError(
            f"Unknown column{pluralize(len(unknown))}: {', '.join(unknown)}. "
            f"Expected: {', '.join(COLUMNS)}."
        )
    if "organization" not in header and "person" not in header:
        raise ImportFileError("The header needs an `organization` or a `person` column.")
    rows = []
    try:
        for number, cells in enumerate(reader, start=2):
            if number > MAX_ROWS + 1:
                raise ImportFileError(f"The file has more than {MAX_ROWS} rows; split it.")
            if not any(cell.strip() for cell in cells):
                continue  # a blank row, as spreadsheets leave at the end
            if len(cells) > len(header):
                rows.append((number, None))
                continue
            rows.append((number, dict(zip(header, cells, strict=False))))
    except csv.Error as exc:
        raise ImportFileError(f"The CSV cannot be read at line {reader.line_num}: {exc}.") from None
    return rows


def _check(number: int, raw: dict[str, str] | None, errors: list[RowError]) -> _Row | None:
    if raw is None:
        errors.append(RowError(number, "", "This row has more cells than the header."))
        return None
    cell = {name: (raw.get(name) or "").strip() for name in COLUMNS}
    start = len(errors)

    def bad(column: str, message: str) -> None:
        errors.append(RowError(number, column, message))

    if bool(cell["organization"]) == bool(cell["person"]):
        bad("organization", "Fill exactly one of organization and person.")
    too_long = set()
    for name, limit in _max_lengths().items():
        if len(cell[name]) > limit:
            bad(name, f"At most {limit} characters (this has {len(cell[name])}).")
            too_long.add(name)
    if cell["email"] and "email" not in too_long:
        if cell["organization"]:
            bad("email", "Only people have an email here; leave it blank for organizations.")
        else:
            try:
                validate_email(cell["email"])
            except ValidationError:
                bad("email", "Enter a valid email address.")
    country = cell["country"].upper()
    if country and country not in countries:
        bad("country", f"'{cell['country']}' is not an ISO 3166 two-letter country code.")
    signed_on = None
    if cell["signed_on"]:
        try:
            signed_on = datetime.date.fromisoformat(cell["signed_on"])
        except ValueError:
            bad("signed_on", "Enter a date as YYYY-MM-DD.")
    if len(errors) > start:
        return None
    return _Row(
        number, cell["organization"], cell["person"], cell["email"].lower(), country,
        signed_on, cell["note"],
    )  # fmt: skip


def _organizations(rows: list[_Row], user, report: ImportReport) -> dict[str, Organization]:
    wanted: dict[str, _Row] = {}
    for row in rows:  # a new organization is created as the first row naming it spells it
        if row.organization:
            wanted.setdefault(row.organization.lower(), row)
    found: dict[str, Organization] = {}
    for chunk in chunks(wanted):
        for org in Organization.objects.annotate(key=Lower("name")).filter(key__in=chunk):
            found[org.key] = org
    new = [
        Organization(name=row.organization, country=row.country, kind=Organization.Kind.OTHER)
        for key, row in wanted.items()
        if key not in found
    ]
    for org in bulk_create_with_history(new, Organization, batch_size=_BATCH, default_user=user):
        found[org.name.lower()] = org
    report.organizations_created = len(new)
    return found


def _people(rows: list[_Row], user, report: ImportReport) -> dict[int, Person | RowError]:
    """The person each row names: by email when the row has one, else by name."""
    people_rows = [r for r in rows if r.person]
    emails = {r.email for r in people_rows if r.email}
    names = {r.person.lower() for r in people_rows}
    by_email: dict[str, Person] = {}
    by_name: dict[str, list[Person]] = {}
    for chunk in chunks(emails):
        for p in Person.objects.annotate(key=Lower("email")).filter(key__in=chunk).order_by("pk"):
            by_email.setdefault(p.key, p)
    for chunk in chunks(names):
        for p in Person.objects.annotate(key=Lower("full_name")).filter(key__in=chunk):
            by_name.setdefault(p.key, []).append(p)
    resolved: dict[int, Person | RowError] = {}
    # New people are keyed as existing ones are looked up: by email when the row has one, else
    # by name. Rows with one email are one person, whatever their names ("Ann Lee,ann@x" and
    # "Annie Lee,ann@x"): the person the first of them resolves to, stored or new, is the
    # person of every later row with that email.
    new: dict[tuple[str, str], Person] = {}
    for row in people_rows:
        key = row.person.lower()
        if row.email and row.email in by_email:
            resolved[row.number] = by_email[row.email]
            continue
        namesakes = [p for p in by_name.get(key, []) if not row.email or not p.email]
        if len(namesakes) > 1:
            resolved[row.number] = RowError(
                row.number,
                "person",
                f"{len(namesakes)} people are named '{row.person}'; add an email to say which.",
            )
            continue
        person = (
            namesakes[0]
            if namesakes
            else new.setdefault(
                ("email", row.email) if row.email else ("name", key),
                Person(full_name=row.person, email=row.email, country=row.country),
            )
        )
        resolved[row.number] = person
        if row.email:
            by_email[row.email] = person
    bulk_create_with_history(list(new.values()), Person, batch_size=_BATCH, default_user=user)
    report.people_created = len(new)
    return resolved


def _import(*, letter: Letter, rows: list[_Row], user, report: ImportReport) -> None:
    Letter.objects.select_for_update().filter(pk=letter.pk).first()
    orgs = _organizations(rows, user, report)
    people = _people(rows, user, report)
    signed_orgs = set(
        Signature.objects.filter(letter=letter, organization__isnull=False).values_list(
            "organization_id", flat=True
        )
    )
    signed_people = set(
        Signature.objects.filter(letter=letter, person__isnull=False).values_list(
            "person_id", flat=True
        )
    )
    new: list[Signature] = []
    for row in rows:
        if row.organization:
            org, person = orgs[row.organization.lower()], None
            signed, key, name = signed_orgs, org.pk, org.name
        else:
            person, org = people[row.number], None
            if isinstance(person, RowError):
                report.errors.append(person)
                continue
            signed, key, name = signed_people, person.pk, person.full_name
        if key in signed:
            report.duplicates.append({"row": row.number, "signatory": name})
            continue
        signed.add(key)
        new.append(
            Signature(
                letter=letter,
                organization=org,
                person=person,
                signed_on=row.signed_on,
                note=row.note,
            )
        )
    bulk_create_with_history(new, Signature, batch_size=_BATCH, default_user=user)
    report.created = len(new)


def signatures_import_csv(
    *, letter: Letter, data: bytes, partial: bool = False, user=None
) -> ImportReport:
    """Import signatures for `letter` from CSV bytes. Raises ImportFileError for a file that
    cannot be read at all; otherwise returns a report (report.imported says whether anything
    was written: False when there are row errors and `partial` is off)."""
    raw_rows = _read_rows(data)
    report = ImportReport(rows=len(raw_rows))
    checked = []
    for number, raw in raw_rows:
        row = _check(number, raw, report.errors)
        if row is not None:
            checked.append(row)
    if report.errors and not partial:
        return report
    try:
        return _attempt(letter=letter, rows=checked, user=user, partial=partial, report=report)
    except IntegrityError:
        # A concurrent import created the same organization or person between our lookup and
        # our insert: the second attempt finds it.
        return _attempt(letter=letter, rows=checked, user=user, partial=partial, report=report)


class _RowsInvalid(Exception):
    pass


def _attempt(*, letter, rows, user, partial, report: ImportReport) -> ImportReport:
    result = ImportReport(rows=report.rows, errors=list(report.errors))
    try:
        with transaction.atomic():
            _import(letter=letter, rows=rows, user=user, report=result)
            if result.errors and not partial:
                raise _RowsInvalid  # rolls the whole file back
    except _RowsInvalid:
        return ImportReport(rows=report.rows, errors=sorted(result.errors, key=lambda e: e.row))
    result.imported = True
    result.errors.sort(key=lambda e: e.row)
    return result
