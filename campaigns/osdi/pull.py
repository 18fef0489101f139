"""A letter's signatures pulled from its Action Network petition (OSDI 1.1.1, Action Network
API v2): `signature_pull_request()` records a pull, `signatures_pull_osdi()` runs it.

The petition's signatures are read a page at a time (`_links.next`, 25 a page, Action
Network's largest), each with its person embedded (`_embedded.osdi:person`), or else read
from the signature's `osdi:person` link. Each person is
matched to a Vigil person by one of its OSDI identifiers, else by email (without regard to
case), else created; the identifiers are kept (PersonIdentifier), so the next pull finds the
person again, and a person whose name, email or country changed there is updated here. A
person who has already signed the letter is counted, not signed again.

* **Only what is new.** A pull asks only for signatures modified since the start of the
  letter's last successful pull (less FILTER_OVERLAP, for clocks that disagree): running it
  twice adds nothing, and writes no history.
* **Polite.** Every request goes through the news watch's SSRF-safe client, the API key only
  to the petition's own origin (a redirect or a next page elsewhere is refused), at most one
  request per ACTION_NETWORK_PACE_SECONDS per key across workers (with a shared cache); 429,
  5xx and network failures are tried again ACTION_NETWORK_RETRIES times, backed off and
  jittered, honouring Retry-After.
* **Never half a page.** A page is applied in one transaction, under a lock on the letter (two
  pulls, or a pull and a CSV import, of one letter queue), with the pull's counts and its next
  page, so a pull resumes where it stopped. A row that cannot be read (a person without email)
  is reported with its page and row, and the rest of the page applied; a page that cannot be
  read (not JSON, no `_embedded`) fails the pull, keeping the pages before it.
"""

import datetime
import hashlib
import ipaddress
import json
import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django_countries import countries
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from campaigns.models import Letter, Person, PersonIdentifier, Signature, SignaturePull
from config.batching import chunks
from tracker.newswatch.http import FetchError, fetch

ORIGIN_SYSTEM = "Action Network"  # Signature.origin_system of what a pull adds
PER_PAGE = 25  # Action Network's largest page
# Asked for again from a little before the last successful pull began: its clock and ours may
# disagree, and what is read twice changes nothing.
FILTER_OVERLAP = datetime.timedelta(minutes=10)
BACKOFF_BASE_SECONDS = 2.0  # doubled for each try already made, at most BACKOFF_CAP_SECONDS
BACKOFF_CAP_SECONDS = 30.0
# A server asking us to wait longer than this (Retry-After) fails the pull: try again later.
MAX_RETRY_AFTER_SECONDS = 120.0
_ACCEPT = "application/hal+json, application/json;q=0.9"


class PullRefused(Exception):
    """A pull that cannot start (no petition linked, no API key): `message` says what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class _PageError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --- Asking for a pull --------------------------------------------------------------------------


def check_can_pull(*, letter: Letter) -> None:
    """Raise PullRefused unless `letter` is linked to a petition that may be asked with the
    key (https) and an API key is set."""
    problem = _petition_problem(letter.osdi_petition_url)
    if problem:
        raise PullRefused(problem)
    if not settings.ACTION_NETWORK_API_KEY:
        raise PullRefused(
            "No Action Network API key is set (ACTION_NETWORK_API_KEY): ask whoever runs Vigil "
            "to set it (the group's key, from its “API & Sync” page on Action Network)."
        )


def _petition_problem(url: str) -> str:
    """Why the key may not be sent to the petition at url ("" if it may)."""
    if not url:
        return (
            "This letter is not linked to an Action Network petition: set its “Action Network "
            "petition” to the petition's API address first."
        )
    parts = urlsplit(url)
    if parts.scheme == "https" or _exempt(parts.hostname or ""):
        return ""
    return (
        f"The letter's Action Network petition ({url}) is not an https address: the API key "
        "would travel in clear. Use https://actionnetwork.org/api/v2/petitions/<id>."
    )


def _exempt(host: str) -> bool:
    """Plain http is allowed to the networks exempt from the SSRF defence (a test server)."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    networks = (ipaddress.ip_network(n, strict=False) for n in settings.NEWSWATCH_ALLOWED_NETWORKS)
    return any(address.version == n.version and address in n for n in networks)


def signature_pull_fail(*, pull_id: int, message: str) -> None:
    """Record that a pull stopped for a reason of our own (a bug, a worker's error)."""
    SignaturePull.objects.filter(pk=pull_id, status__in=SignaturePull.ACTIVE).update(
        status=SignaturePull.Status.FAILED, error=message, next_url="", finished_at=timezone.now()
    )


def signature_pull_request(*, letter: Letter, requested_by=None) -> tuple[SignaturePull, bool]:
    """A queued pull of `letter`'s signatures, and whether it is new: the letter's pull still
    queued or running if it has one (queuing its task again resumes it), else a new one.
    Raises PullRefused when the letter cannot be pulled. The caller queues the task."""
    check_can_pull(letter=letter)
    with transaction.atomic():
        Letter.objects.select_for_update().filter(pk=letter.pk).first()
        active = letter.signature_pulls.filter(status__in=SignaturePull.ACTIVE).first()
        if active is not None:
            return active, False
        pull = SignaturePull(letter=letter, requested_by=requested_by)
        pull.full_clean()
        pull.save()
    return pull, True


# --- Running it ---------------------------------------------------------------------------------


def signatures_pull_osdi(
    *,
    pull_id: int,
    budget_seconds: float | None = None,
    on_page: Callable[[SignaturePull], None] | None = None,
) -> bool:
    """Run the pull `pull_id` from where it stands, a page at a time, and return whether pages
    remain: starting no page after `budget_seconds` (None: to the end), though always reading
    one. A pull done or failed is left as it is, so running it twice changes nothing.
    `on_page` is told of each page applied. Failures are recorded on the pull (status
    "failed", `error`), not raised."""
    pull = _start(pull_id)
    if pull is None:
        return False
    started = time.monotonic()
    key = settings.ACTION_NETWORK_API_KEY
    if not key:
        _fail(pull, "No Action Network API key is set (ACTION_NETWORK_API_KEY).")
        return False
    while pull.next_url:
        url, page = pull.next_url, pull.pages_read + 1
        try:
            petition = pull.letter.osdi_petition_url
            data = _parse_page(_get(url, key=key))
            next_url = _next_url(data, current=url, petition=petition)
            _fetch_people(data, key=key, petition=petition)
            rows, errors = _read_rows(data, page)
        except (FetchError, _PageError) as exc:
            _fail(pull, f"Page {page} ({url}): {exc.message}")
            return False
        try:
            applied = _apply_page(pull, url, rows, errors, next_url)
        except IntegrityError:
            # A CSV import or the API added one of these people or signatures between our
            # look-up and our insert: the page, rolled back, finds them on its second try.
            applied = _apply_page(pull, url, rows, errors, next_url)
        if applied is None:  # another run of this pull applied the page (or ended it)
            return False
        pull = applied
        if on_page is not None:
            on_page(pull)
        out_of_time = budget_seconds is not None and time.monotonic() - started >= budget_seconds
        if pull.next_url and out_of_time:
            return True  # at least a page a run, so a chain of runs always ends
    if pull.status == SignaturePull.Status.RUNNING:  # nothing left to read
        _finish(pull)
    return False


def signatures_url(petition_url: str) -> str:
    return petition_url.rstrip("/") + "/signatures"


def _start(pull_id: int) -> SignaturePull | None:
    """The pull, running: a queued one is started (what to ask for is decided here)."""
    letter_id = SignaturePull.objects.filter(pk=pull_id).values_list("letter_id", flat=True)
    with transaction.atomic():
        Letter.objects.select_for_update().filter(pk__in=letter_id).first()
        pull = SignaturePull.objects.select_for_update().select_related("letter").get(pk=pull_id)
        if pull.status not in SignaturePull.ACTIVE:
            return None
        if pull.status == SignaturePull.Status.QUEUED:
            last = (
                SignaturePull.objects.filter(
                    letter=pull.letter_id,
                    status=SignaturePull.Status.DONE,
                    started_at__isnull=False,
                )
                .order_by("-started_at")
                .first()
            )
            pull.modified_since = last.started_at - FILTER_OVERLAP if last else None
            pull.status = SignaturePull.Status.RUNNING
            pull.started_at = timezone.now()
            petition = pull.letter.osdi_petition_url
            problem = _petition_problem(petition)
            pull.next_url = "" if problem else _first_url(petition, pull.modified_since)
            pull.save()
            if problem:
                _fail(pull, problem)
                return None
    return pull


def _first_url(petition_url: str, modified_since: datetime.datetime | None) -> str:
    params = {"per_page": str(PER_PAGE)}
    if modified_since is not None:
        params["filter"] = _modified_filter(modified_since)
    return _with_params(signatures_url(petition_url), params)


def _modified_filter(since: datetime.datetime) -> str:
    """OSDI's OData-style filter, as Action Network reads it."""
    stamp = since.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"modified_date gt '{stamp}'"


def _with_params(url: str, params: dict[str, str]) -> str:
    """url with params added where its query does not name them already."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    named = {name for name, _value in query}
    query += [(name, value) for name, value in params.items() if name not in named]
    return urlunsplit(parts._replace(query=urlencode(query)))


def _fail(pull: SignaturePull, message: str) -> None:
    signature_pull_fail(pull_id=pull.pk, message=message)


def _finish(pull: SignaturePull) -> None:
    SignaturePull.objects.filter(pk=pull.pk, status=SignaturePull.Status.RUNNING).update(
        status=SignaturePull.Status.DONE, next_url="", finished_at=timezone.now()
    )


# --- Asking Action Network ----------------------------------------------------------------------


def _get(url: str, *, key: str) -> bytes:
    """One page's body: paced, and tried again after a 429, a 5xx or a network failure."""
    retries = settings.ACTION_NETWORK_RETRIES
    for attempt in range(retries + 1):
        _wait_for_slot(key)
        try:
            answer = fetch(url, headers={"Accept": _ACCEPT}, secret_headers={"OSDI-API-Token": key})
            return answer.body
        except FetchError as exc:
            retryable = exc.is_network_failure or exc.status == 429 or (exc.status or 0) >= 500
            if not retryable or attempt == retries:
                raise _explained(exc, tries=attempt + 1) from exc
            if exc.retry_after is not None and exc.retry_after > MAX_RETRY_AFTER_SECONDS:
                raise _explained(exc, tries=attempt + 1) from exc
            time.sleep(_backoff(exc, attempt))
    raise AssertionError("unreachable")  # pragma: no cover


def _backoff(exc: FetchError, attempt: int) -> float:
    """Retry-After when the server gave one; else doubled for each try, with ±20% jitter."""
    if exc.retry_after is not None:
        return exc.retry_after
    delay = min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2**attempt)
    return delay * random.uniform(0.8, 1.2)  # noqa: S311 - jitter, not secrecy


def _explained(exc: FetchError, *, tries: int) -> FetchError:
    """The error, with what staff can do about the answers Action Network gives."""
    advice = {
        401: "Action Network did not accept the API key: check ACTION_NETWORK_API_KEY.",
        403: "The API key may not read this petition: is it the key of the petition's group?",
        404: "There is no petition there: check the letter's Action Network petition address "
        "(https://actionnetwork.org/api/v2/petitions/<id>).",
    }.get(exc.status or 0, "")
    message = f"{exc.message} {advice}".strip()
    if tries > 1:
        message += f" (Tried {tries} times.)"
    return FetchError(exc.kind, message, status=exc.status, retry_after=exc.retry_after)


def _wait_for_slot(key: str) -> None:
    """Block until this request may go: ACTION_NETWORK_PACE_SECONDS after the key's previous
    one, across every worker sharing the cache (Redis in production). Time is cut into slots
    of that length; one request may take each slot (an atomic add), and waits, if need be,
    until the pace has passed since the one that took the slot before."""
    pace = settings.ACTION_NETWORK_PACE_SECONDS
    if pace <= 0:
        return
    name = hashlib.sha256(key.encode()).hexdigest()[:16]  # the key itself stays out of the cache
    ttl = max(2, math.ceil(pace * 3))
    while True:
        now = time.time()
        slot = math.floor(now / pace)
        if cache.add(f"osdi:pace:{name}:{slot}", now, timeout=ttl):
            previous = cache.get(f"osdi:pace:{name}:{slot - 1}")
            if previous is not None and now < previous + pace:
                time.sleep(previous + pace - now)
                cache.set(f"osdi:pace:{name}:{slot}", previous + pace, timeout=ttl)
            return
        time.sleep(max((slot + 1) * pace - now, 0.001))


def _parse_page(body: bytes) -> dict:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise _PageError(
            "the answer is not JSON, so not a page of signatures; nothing of it was applied."
        ) from None
    embedded = data.get("_embedded") if isinstance(data, dict) else None
    if not isinstance(embedded, dict) or not isinstance(embedded.get("osdi:signatures"), list):
        raise _PageError(
            "the answer has no `_embedded` signatures (`osdi:signatures`): it is not an OSDI "
            "collection of signatures; nothing of it was applied."
        )
    return data


def _fetch_people(data: dict, *, key: str, petition: str) -> None:
    """Embed, in each signature that has none, the person its `osdi:person` link names, read
    from the petition's own origin (one paced request each). A person who is gone (404, 410)
    is left out: the row is reported as a signature without a person."""
    for signature in data["_embedded"]["osdi:signatures"]:
        if not isinstance(signature, dict):
            continue
        embedded = signature.get("_embedded")
        embedded = embedded if isinstance(embedded, dict) else {}
        if isinstance(embedded.get("osdi:person"), dict):
            continue
        links = signature.get("_links")
        link = links.get("osdi:person") if isinstance(links, dict) else None
        href = link.get("href") if isinstance(link, dict) else None
        if not isinstance(href, str) or _origin(href) != _origin(petition):
            continue
        try:
            body = _get(href, key=key)
        except FetchError as exc:
            if exc.status in (404, 410):
                continue
            raise
        try:
            person = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            raise _PageError(f"the person at {href} is not JSON.") from None
        if isinstance(person, dict):
            signature["_embedded"] = {**embedded, "osdi:person": person}


def _next_url(data: dict, *, current: str, petition: str) -> str:
    """The next page's address ("" after the last), keeping the size and filter asked for;
    refused unless it is on the petition's own origin, which alone may receive the key."""
    if not data["_embedded"]["osdi:signatures"]:
        return ""  # an empty page ends the collection, whatever its links say
    links = data.get("_links")
    following = links.get("next") if isinstance(links, dict) else None
    href = following.get("href") if isinstance(following, dict) else None
    if not href or not isinstance(href, str):
        return ""
    asked = dict(parse_qsl(urlsplit(current).query))
    href = _with_params(href, {k: v for k, v in asked.items() if k in ("per_page", "filter")})
    if _origin(href) != _origin(petition):
        raise _PageError(
            f"the next page is on another host ({urlsplit(href).netloc}); the API key is sent "
            f"to {urlsplit(petition).netloc} only."
        )
    if href == current:
        raise _PageError("the next page is this page again; the pull stops there.")
    return href


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    return parts.scheme, (parts.hostname or "").rstrip("."), port


# --- Reading a page -----------------------------------------------------------------------------


@dataclass
class _Row:
    number: int
    identifiers: list[str]  # the person's, as OSDI writes them ("action_network:<uuid>")
    full_name: str
    email: str  # lower case
    country: str
    signed_on: datetime.date | None
    note: str


@dataclass
class _Applied:
    added: int = 0
    already_signed: int = 0
    matched: int = 0
    created: int = 0
    updated: int = 0
    errors: list[dict] = field(default_factory=list)


def _read_rows(data: dict, page: int) -> tuple[list[_Row], list[dict]]:
    rows: list[_Row] = []
    errors: list[dict] = []
    for number, signature in enumerate(data["_embedded"]["osdi:signatures"], start=1):
        row = _read_row(signature, number)
        if isinstance(row, _Row):
            rows.append(row)
        else:
            identifier, message = row
            errors.append(
                {"page": page, "row": number, "identifier": identifier, "message": message}
            )
    return rows, errors


def _identifiers(value) -> list[str]:
    limit = PersonIdentifier._meta.get_field("value").max_length
    if not isinstance(value, list):
        return []
    return [v for v in value if isinstance(v, str) and ":" in v and len(v) <= limit]


def _read_row(signature, number: int) -> _Row | tuple[str, str]:
    """The row, or (its signature's identifier, what is wrong with it)."""
    if not isinstance(signature, dict):
        return "", "This row is not a signature (not a JSON object)."
    ids = _identifiers(signature.get("identifiers"))
    identifier = next((i for i in ids if i.startswith("action_network:")), ids[0] if ids else "")
    embedded = signature.get("_embedded")
    person = embedded.get("osdi:person") if isinstance(embedded, dict) else None
    if not isinstance(person, dict):
        return identifier, (
            "The signature has no person: none embedded (`_embedded.osdi:person`), and none "
            "to read at its `osdi:person` link."
        )
    email = _primary(person.get("email_addresses"), "address").strip().lower()
    if not email:
        return identifier, (
            "The person who signed has no email address: Vigil matches and adds signatories "
            "by email, so this signature was not added."
        )
    try:
        validate_email(email)
    except ValidationError:
        return identifier, f"The person's email address ({email[:100]}) is not valid."
    if len(email) > Person._meta.get_field("email").max_length:
        return identifier, "The person's email address is too long to keep."
    names = (person.get("given_name"), person.get("family_name"))
    full_name = " ".join(n.strip() for n in names if isinstance(n, str) and n.strip()) or email
    country = _primary(person.get("postal_addresses"), "country").strip().upper()
    when = signature.get("action_date") or signature.get("created_date")
    signed_on = None
    if when:
        try:
            signed_on = _date(when)
        except (TypeError, ValueError):
            return identifier, f"The signature's date ({str(when)[:40]}) cannot be read."
    comments = signature.get("comments")
    note_limit = Signature._meta.get_field("note").max_length
    return _Row(
        number=number,
        identifiers=_identifiers(person.get("identifiers")),
        full_name=full_name[: Person._meta.get_field("full_name").max_length],
        email=email,
        country=country if country in countries else "",
        signed_on=signed_on,
        note=comments.strip()[:note_limit] if isinstance(comments, str) else "",
    )


def _primary(items, key: str) -> str:
    """`key` of the item marked primary in an OSDI list (else of the first), or ""."""
    if not isinstance(items, list):
        return ""
    items = [item for item in items if isinstance(item, dict)]
    chosen = next((item for item in items if item.get("primary")), items[0] if items else {})
    value = chosen.get(key)
    return value if isinstance(value, str) else ""


def _date(value) -> datetime.date:
    moment = datetime.datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    return timezone.localdate(moment)


# --- Applying a page ----------------------------------------------------------------------------


def _apply_page(
    pull: SignaturePull, url: str, rows: list[_Row], errors: list[dict], next_url: str
) -> SignaturePull | None:
    """Apply one page, with the pull's counts and next page, in one transaction; None when the
    pull has moved on meanwhile (another run of it applied this page)."""
    with transaction.atomic():
        letter = Letter.objects.select_for_update().get(pk=pull.letter_id)
        current = SignaturePull.objects.select_for_update().get(pk=pull.pk)
        if current.status != SignaturePull.Status.RUNNING or current.next_url != url:
            return None
        applied = _apply_rows(letter=letter, rows=rows, user=current.requested_by)
        current.pages_read += 1
        current.signatures_added += applied.added
        current.already_signed += applied.already_signed
        current.people_matched += applied.matched
        current.people_created += applied.created
        current.people_updated += applied.updated
        current.rows_not_applied += len(errors)
        room = SignaturePull.MAX_ERRORS_KEPT - len(current.errors)
        current.errors = [*current.errors, *errors[: max(room, 0)]]
        current.next_url = next_url
        if not next_url:
            current.status = SignaturePull.Status.DONE
            current.finished_at = timezone.now()
        current.save()
    current.letter = pull.letter
    return current


def _apply_rows(*, letter: Letter, rows: list[_Row], user) -> _Applied:
    applied = _Applied()
    by_identifier: dict[str, Person] = {}
    for chunk in chunks({i for row in rows for i in row.identifiers}):
        for known in PersonIdentifier.objects.filter(value__in=chunk).select_related("person"):
            by_identifier[known.value] = known.person
    stored_identifiers = set(by_identifier)
    by_email: dict[str, Person] = {}
    for chunk in chunks({row.email for row in rows}):
        people = Person.objects.annotate(key=Lower("email")).filter(key__in=chunk).order_by("pk")
        for person in people:
            by_email.setdefault(person.key, person)

    new_people: list[Person] = []
    changed: dict[int, Person] = {}
    persons: list[Person] = []  # each row's
    for row in rows:
        person = next((by_identifier[i] for i in row.identifiers if i in by_identifier), None)
        if person is not None and person.pk is not None:
            applied.matched += 1
            if _update(person, row):
                changed[person.pk] = person
        elif person is None and row.email in by_email:
            person = by_email[row.email]
            applied.matched += int(person.pk is not None)
        elif person is None:
            person = Person(full_name=row.full_name, email=row.email, country=row.country)
            new_people.append(person)
        for identifier in row.identifiers:
            by_identifier.setdefault(identifier, person)
        by_email.setdefault(row.email, person)
        persons.append(person)

    bulk_create_with_history(new_people, Person, default_user=user)
    applied.created = len(new_people)
    if changed:
        now = timezone.now()
        for person in changed.values():
            person.updated_at = now
        bulk_update_with_history(
            list(changed.values()),
            Person,
            ["full_name", "email", "country", "updated_at"],
            default_user=user,
        )
        applied.updated = len(changed)
    PersonIdentifier.objects.bulk_create(
        [
            PersonIdentifier(person=person, value=value)
            for value, person in by_identifier.items()
            if value not in stored_identifiers
        ]
    )

    signed: set[int] = set()
    for chunk in chunks({person.pk for person in persons}):
        signed.update(
            Signature.objects.filter(letter=letter, person_id__in=chunk).values_list(
                "person_id", flat=True
            )
        )
    new_signatures = []
    for row, person in zip(rows, persons, strict=True):
        if person.pk in signed:
            applied.already_signed += 1
            continue
        signed.add(person.pk)
        new_signatures.append(
            Signature(
                letter=letter,
                person=person,
                signed_on=row.signed_on,
                note=row.note,
                origin_system=ORIGIN_SYSTEM,
            )
        )
    bulk_create_with_history(new_signatures, Signature, default_user=user)
    applied.added = len(new_signatures)
    return applied


def _update(person: Person, row: _Row) -> bool:
    """Bring a person found by their identifier up to date with what Action Network says now
    (what it leaves blank is kept); whether anything changed."""
    wanted = {"full_name": row.full_name, "email": row.email, "country": row.country}
    changed = False
    for name, value in wanted.items():
        now = str(getattr(person, name) or "")
        if value and (now.lower() != value if name == "email" else now != value):
            setattr(person, name, value)
            changed = True
    return changed
