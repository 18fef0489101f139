"""Pulling a letter's signatures from its Action Network petition (campaigns/osdi/pull.py), served
by a real HTTP server on the loopback interface that answers as Action Network does."""

import datetime
import io
import itertools
import json

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from campaigns import tasks
from campaigns.models import Person, PersonIdentifier, Signature, SignaturePull
from campaigns.osdi.pull import (
    FILTER_OVERLAP,
    PullRefused,
    signature_pull_request,
    signatures_pull_osdi,
)
from campaigns.services import letter_save
from tests.campaigns.actionnetwork import API_KEY, SIGNATURES, ActionNetwork, Signer, stamp
from tests.campaigns.factories import LetterFactory, PersonFactory
from tests.pages import table_rows, text_of
from tests.tracker.newswatch.servers import LocalServer, redirect, reply

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def action_network_settings(settings):
    """Our server is on 127.0.0.1, which the SSRF defence refuses unless exempted; no pace, so
    that the tests do not wait."""
    settings.NEWSWATCH_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    settings.ACTION_NETWORK_API_KEY = API_KEY
    settings.ACTION_NETWORK_PACE_SECONDS = 0
    settings.ACTION_NETWORK_RETRIES = 2


def signers() -> list[Signer]:
    """Five signatures over three pages: someone new, someone Vigil knows by email, someone it
    knows by their Action Network identifier, the new one again (a duplicate), and someone who
    had already signed the letter in Vigil."""
    return [
        Signer("sig-ana", "p-ana", "Ana", "Lima", "ana@example.org", comments="Free them all"),
        Signer("sig-ben", "p-ben", "Ben", "Okafor", "BEN@example.org", country="NG"),
        Signer("sig-cleo", "p-cleo", "Cleo", "Marr", "cleo@example.org"),
        Signer("sig-ana-2", "p-ana", "Ana", "Lima", "ana@example.org"),
        Signer("sig-dan", "p-dan", "Dan", "Reyes", "dan@example.org"),
    ]


@pytest.fixture
def server():
    with ActionNetwork(signers()) as local:
        yield local


@pytest.fixture
def letter(server):
    return LetterFactory(title="Free the 20", osdi_petition_url=server.petition_url)


@pytest.fixture
def known(letter):
    """Ben by email (in another case), Cleo by identifier, Dan who signed already."""
    ben = PersonFactory(full_name="Benjamin Okafor", email="ben@example.org")
    cleo = PersonFactory(full_name="Cleo Marr", email="cleo@old.example.org")
    cleo.identifiers.create(value="action_network:p-cleo")
    dan = PersonFactory(full_name="Dan Reyes", email="dan@example.org")
    Signature.objects.create(letter=letter, person=dan)
    return {"ben": ben, "cleo": cleo, "dan": dan}


def pull(letter, user=None) -> SignaturePull:
    queued, _new = signature_pull_request(letter=letter, requested_by=user)
    signatures_pull_osdi(pull_id=queued.pk)
    queued.refresh_from_db()
    return queued


def history_counts() -> tuple[int, int]:
    return Signature.history.count(), Person.history.count()


def test_signatures_come_in_from_a_served_petition_and_people_are_matched_or_created(
    server, letter, known
):
    done = pull(letter)

    assert done.status == SignaturePull.Status.DONE
    assert (done.pages_read, done.signatures_added, done.already_signed) == (3, 3, 2)
    # Ben and Dan by email, Cleo by identifier, and Ana by hers the second time (page 2).
    assert (done.people_matched, done.people_created, done.errors) == (4, 1, [])
    assert done.modified_since is None  # the first pull reads everything
    ana = Person.objects.get(email="ana@example.org")
    assert (ana.full_name, ana.country.code) == ("Ana Lima", "FR")
    signed = {s.person: s for s in Signature.objects.filter(letter=letter)}
    assert set(signed) == {ana, known["ben"], known["cleo"], known["dan"]}
    assert signed[ana].origin_system == "Action Network"
    assert signed[ana].note == "Free them all"
    assert signed[ana].signed_on == datetime.date(2026, 3, 1)
    assert signed[known["dan"]].origin_system == ""  # collected in Vigil, left as it was
    # Ben was matched by email (without regard to case) and keeps his name; Cleo was matched by
    # her identifier, and her new email was taken.
    known["ben"].refresh_from_db()
    known["cleo"].refresh_from_db()
    assert known["ben"].full_name == "Benjamin Okafor"
    assert known["cleo"].email == "cleo@example.org"
    assert set(PersonIdentifier.objects.values_list("value", "person")) == {
        ("action_network:p-ana", ana.pk),
        ("action_network:p-ben", known["ben"].pk),
        ("action_network:p-cleo", known["cleo"].pk),
        ("action_network:p-dan", known["dan"].pk),
    }
    requests = server.page_requests()
    assert [r.query.get("page", ["1"])[0] for r in requests] == ["1", "2", "3"]
    assert all(r.query["per_page"] == ["25"] and "filter" not in r.query for r in requests)


def test_a_second_pull_adds_nothing_writes_no_history_and_asks_only_for_what_changed(
    server, letter, known
):
    first = pull(letter)
    before = history_counts()
    signatures = list(Signature.objects.values_list("pk", flat=True))

    second = pull(letter)

    assert second.status == SignaturePull.Status.DONE
    assert second.modified_since == first.started_at - FILTER_OVERLAP
    assert list(Signature.objects.values_list("pk", flat=True)) == signatures
    assert history_counts() == before
    assert Person.objects.count() == 4
    last = server.page_requests()[-1]
    assert last.query["filter"] == [f"modified_date gt '{stamp(second.modified_since)}'"]
    assert (second.signatures_added, second.people_created, second.people_updated) == (0, 0, 0)


def test_a_second_pull_changes_nothing_even_when_the_server_ignores_the_filter(letter, server):
    pull(letter)
    before = history_counts(), Signature.objects.count(), PersonIdentifier.objects.count()
    for signer in server.signers:
        signer.modified_date = stamp(timezone.now())  # all served again

    again = pull(letter)

    assert again.already_signed == 5
    assert (history_counts(), Signature.objects.count(), PersonIdentifier.objects.count()) == before


def test_a_person_who_changed_is_updated_on_the_next_pull(server, letter, staff_user):
    pull(letter, staff_user)
    server.signers[0].family_name = "Lima-Sousa"
    server.signers[0].email = "ana.lima@example.org"
    server.signers[0].modified_date = stamp(timezone.now())

    later = pull(letter, staff_user)

    assert (later.pages_read, later.people_matched, later.people_updated) == (1, 1, 1)
    ana = Person.objects.get(identifiers__value="action_network:p-ana")
    assert (ana.full_name, ana.email) == ("Ana Lima-Sousa", "ana.lima@example.org")
    assert Person.objects.filter(full_name__startswith="Ana").count() == 1
    assert Signature.objects.filter(letter=letter, person=ana).count() == 1
    change = ana.history.first()
    assert (change.history_type, change.history_user) == ("~", staff_user)


def test_429_and_503_are_tried_again_honouring_retry_after(server, letter):
    server.answers[2] = [
        reply(429, b"slow down", {"Retry-After": "0"}),
        reply(503, b"busy", {"Retry-After": "0"}),
    ]

    done = pull(letter)

    assert done.status == SignaturePull.Status.DONE
    assert done.signatures_added == 4
    pages = [r.query.get("page", ["1"])[0] for r in server.page_requests()]
    assert pages == ["1", "2", "2", "2", "3"]


def test_requests_keep_the_pace_set_for_the_key(server, letter, settings):
    settings.ACTION_NETWORK_PACE_SECONDS = 0.2
    server.answers[2] = [reply(429, b"", {"Retry-After": "0"})]  # a retry keeps the pace too

    assert pull(letter).status == SignaturePull.Status.DONE

    times = server.page_times
    assert len(times) == 4
    # As the server sees them: a request's way there shifts each a little, and more on a busy
    # machine; without a pace they would come a few milliseconds apart.
    gaps = [round(b - a, 3) for a, b in itertools.pairwise(times)]
    assert min(gaps) >= 0.1, gaps
    assert times[-1] - times[0] >= 0.5, gaps


def test_a_page_still_refused_after_the_retries_fails_the_pull_saying_why(server, letter):
    server.answers[1] = [reply(429, b"", {"Retry-After": "0"})] * 3

    failed = pull(letter)

    assert failed.status == SignaturePull.Status.FAILED
    assert "HTTP 429" in failed.error and "Tried 3 times" in failed.error
    assert not Signature.objects.filter(letter=letter).exists()


@pytest.mark.parametrize(
    "body",
    [b"<html>Maintenance</html>", b'{"total_pages": 3, "_links": {}}'],
    ids=["not JSON", "no _embedded"],
)
def test_a_bad_page_fails_the_pull_keeping_the_pages_before_it_and_none_of_itself(
    server, letter, body
):
    server.answers[2] = [reply(200, body, {"Content-Type": "application/json"})]

    failed = pull(letter)

    assert failed.status == SignaturePull.Status.FAILED
    assert failed.error.startswith("Page 2 (")
    assert "nothing of it was applied" in failed.error
    assert failed.pages_read == 1
    people = set(Signature.objects.filter(letter=letter).values_list("person__email", flat=True))
    assert people == {"ana@example.org", "ben@example.org"}  # page 1 only
    # The next pull (the server mended) reads everything again, as no pull has succeeded.
    mended = pull(letter)
    assert mended.status == SignaturePull.Status.DONE
    assert mended.modified_since is None
    assert Signature.objects.filter(letter=letter).count() == 4


def test_an_empty_page_ends_the_pull_whatever_its_next_link_says(server, letter):
    empty = {
        "_embedded": {"osdi:signatures": []},
        "_links": {"next": {"href": server.url(SIGNATURES + "?page=3")}},
    }
    server.answers[2] = [reply(200, json.dumps(empty).encode())]

    done = pull(letter)

    assert (done.status, done.pages_read, done.signatures_added) == ("done", 2, 2)


def test_a_signature_whose_person_has_no_email_is_reported_and_the_rest_of_its_page_applied(
    server, letter
):
    server.signers[3].email = None  # page 2, row 2

    done = pull(letter)

    assert done.status == SignaturePull.Status.DONE
    [error] = done.errors
    assert (error["page"], error["row"], error["identifier"]) == (2, 2, "action_network:sig-ana-2")
    assert "no email address" in error["message"]
    assert (done.rows_not_applied, done.signatures_added) == (1, 4)


def test_a_person_only_linked_is_read_at_their_link_and_one_gone_is_reported(server, letter):
    server.signers[0].embedded = False  # Ana, read at her link
    server.signers[2].embedded = False
    server.signers[2].gone = True  # 404 there
    server.signers[3].embedded = False  # Ana again

    done = pull(letter)

    assert done.status == SignaturePull.Status.DONE
    [error] = done.errors
    assert (error["page"], error["row"], error["identifier"]) == (2, 1, "action_network:sig-cleo")
    assert "The signature has no person" in error["message"]
    assert Person.objects.get(identifiers__value="action_network:p-ana").full_name == "Ana Lima"
    people = [r for r in server.requests if r.route.startswith("/api/v2/people/")]
    assert len(people) == 3
    assert {r.headers["osdi-api-token"] for r in people} == {API_KEY}


def test_the_api_key_is_sent_as_osdi_api_token(server, letter, settings):
    pull(letter)
    assert {r.headers["osdi-api-token"] for r in server.page_requests()} == {API_KEY}

    settings.ACTION_NETWORK_API_KEY = "wrong"
    refused = pull(letter)
    assert refused.status == SignaturePull.Status.FAILED
    assert "HTTP 401" in refused.error and "ACTION_NETWORK_API_KEY" in refused.error


def test_the_api_key_is_never_sent_to_another_host_on_redirect_or_next_page(letter, server):
    with LocalServer() as elsewhere:
        elsewhere.route(SIGNATURES, reply(200, b"{}"))
        server.route(SIGNATURES, redirect(elsewhere.url(SIGNATURES)))

        redirected = pull(letter)

        assert redirected.status == SignaturePull.Status.FAILED
        assert "carries a key" in redirected.error
        assert elsewhere.requests == []

        # A next page on another host is refused too.
        page = json.dumps(
            {
                "_embedded": {"osdi:signatures": [server.signers[0].as_osdi(server.url(""))]},
                "_links": {"next": {"href": elsewhere.url(SIGNATURES + "?page=2")}},
            }
        ).encode()
        server.route(SIGNATURES, reply(200, page, {"Content-Type": "application/json"}))
        elsewhere_next = pull(letter)

        assert elsewhere_next.status == SignaturePull.Status.FAILED
        assert "another host" in elsewhere_next.error
        assert elsewhere.requests == []


def test_a_pull_is_refused_without_a_petition_or_an_api_key(letter, settings):
    unlinked = LetterFactory()
    with pytest.raises(PullRefused, match="not linked to an Action Network petition"):
        signature_pull_request(letter=unlinked)
    settings.ACTION_NETWORK_API_KEY = ""
    with pytest.raises(PullRefused, match="ACTION_NETWORK_API_KEY"):
        signature_pull_request(letter=letter)
    assert not SignaturePull.objects.exists()


@pytest.mark.parametrize(
    ("url", "accepted"),
    [
        ("https://actionnetwork.org/api/v2/petitions/1efc3644-af25", True),
        ("https://actionnetwork.org/api/v2/petitions/1efc3644-af25/", True),
        ("https://actionnetwork.org/petitions/free-the-20", False),  # the public page
        ("https://actionnetwork.org/api/v2/petitions/1efc3644-af25/signatures", False),
    ],
)
def test_a_letter_is_linked_to_a_petitions_api_address_only(url, accepted):
    letter = LetterFactory()
    if accepted:
        letter_save(letter=letter, osdi_petition_url=url)
        return
    with pytest.raises(ValidationError) as error:
        letter_save(letter=letter, osdi_petition_url=url)
    assert "not a petition's API address" in str(error.value.message_dict["osdi_petition_url"])


def test_the_key_is_never_sent_in_clear_to_a_petition_over_plain_http():
    letter = LetterFactory(osdi_petition_url="http://actionnetwork.org/api/v2/petitions/x")
    with pytest.raises(PullRefused, match="not an https address"):
        signature_pull_request(letter=letter)


def test_a_person_found_by_identifier_whose_email_differs_only_in_case_is_not_changed(
    server, letter
):
    cleo = PersonFactory(full_name="Cleo Marr", email="Cleo@Example.org", country="FR")
    cleo.identifiers.create(value="action_network:p-cleo")
    before = cleo.history.count()

    done = pull(letter)

    assert done.people_updated == 0
    cleo.refresh_from_db()
    assert (cleo.email, cleo.history.count()) == ("Cleo@Example.org", before)


def test_asking_again_while_a_pull_is_queued_gives_that_pull(letter):
    first, new = signature_pull_request(letter=letter)
    again, again_new = signature_pull_request(letter=letter)
    assert (new, again_new, again) == (True, False, first)


def test_a_letter_has_at_most_one_pull_queued_or_running(letter):
    SignaturePull.objects.create(letter=letter, status=SignaturePull.Status.RUNNING)
    SignaturePull.objects.create(letter=letter, status=SignaturePull.Status.DONE)
    with pytest.raises(IntegrityError), transaction.atomic():
        SignaturePull.objects.create(letter=letter, status=SignaturePull.Status.QUEUED)


def test_a_pull_runs_in_chained_runs_and_running_one_twice_changes_nothing(server, letter):
    queued, _ = signature_pull_request(letter=letter)

    assert signatures_pull_osdi(pull_id=queued.pk, budget_seconds=0) is True  # a page a run
    assert signatures_pull_osdi(pull_id=queued.pk, budget_seconds=0) is True
    assert signatures_pull_osdi(pull_id=queued.pk, budget_seconds=0) is False
    queued.refresh_from_db()
    assert (queued.status, queued.pages_read, queued.signatures_added) == ("done", 3, 4)
    before = len(server.requests), history_counts()

    assert signatures_pull_osdi(pull_id=queued.pk) is False  # done: left as it is
    assert (len(server.requests), history_counts()) == before


def test_the_task_runs_the_pull_and_is_safe_to_run_twice(server, letter):
    queued, _ = signature_pull_request(letter=letter)

    result = tasks.pull_osdi_signatures.apply(args=[queued.pk]).get()
    again = tasks.pull_osdi_signatures.apply(args=[queued.pk]).get()

    assert result == {"pull": queued.pk, "status": "done", "more": False}
    assert again == result
    assert Signature.objects.filter(letter=letter).count() == 4
    assert len(server.page_requests()) == 3


def test_a_task_out_of_time_queues_the_task_that_continues_the_pull(server, letter, monkeypatch):
    from config.celery import app

    monkeypatch.setattr(tasks, "PULL_BUDGET_SECONDS", 0)  # a page a task
    queued, _ = signature_pull_request(letter=letter)

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True  # the next task runs at once, inside this one
    try:
        first = tasks.pull_osdi_signatures.apply(args=[queued.pk]).get()
    finally:
        app.conf.task_always_eager = eager

    assert first == {"pull": queued.pk, "status": "done", "more": True}  # its chain finished it
    queued.refresh_from_db()
    assert (queued.pages_read, queued.signatures_added) == (3, 4)
    assert len(server.page_requests()) == 3


def test_the_command_pulls_and_prints_the_report(server, letter):
    server.signers[3].email = None
    out = io.StringIO()

    call_command("import_osdi_signatures", str(letter.pk), stdout=out)

    text = out.getvalue()
    assert "page 3:" in text
    assert "signatures added: 4" in text
    assert "page 2, row 2 action_network:sig-ana-2: The person who signed has no email" in text
    assert Signature.objects.filter(letter=letter).count() == 4


def test_the_command_says_why_it_cannot_pull(letter, settings):
    settings.ACTION_NETWORK_API_KEY = ""
    with pytest.raises(CommandError, match="ACTION_NETWORK_API_KEY"):
        call_command("import_osdi_signatures", str(letter.pk), stdout=io.StringIO())


def test_the_pull_task_is_acknowledged_late_and_ends_before_the_brokers_visibility_timeout():
    from config.celery import app

    task = app.tasks["campaigns.tasks.pull_osdi_signatures"]
    assert task.acks_late
    assert task.time_limit < app.conf.broker_transport_options["visibility_timeout"]


# --- The letter's page in the admin ------------------------------------------------------------


def change_url(letter) -> str:
    return reverse("admin:campaigns_letter_change", args=[letter.pk])


def pull_url(letter) -> str:
    return reverse("admin:campaigns_letter_pull_signatures", args=[letter.pk])


def test_the_button_queues_a_pull_and_the_letter_page_shows_its_progress(
    staff_client, staff_user, letter, server, django_capture_on_commit_callbacks
):
    page = staff_client.get(change_url(letter))
    assert f'action="{pull_url(letter)}"' in page.content.decode()
    assert "Pull signatures from Action Network" in text_of(page)

    with django_capture_on_commit_callbacks(execute=False) as queued:
        answer = staff_client.post(pull_url(letter))

    assert answer.status_code == 302
    assert answer.url == change_url(letter) + "#signature-pulls"
    pull = SignaturePull.objects.get()
    assert (pull.letter, pull.requested_by, pull.status) == (letter, staff_user, "queued")
    assert len(queued) == 1  # the task, once the pull is saved
    waiting = staff_client.get(change_url(letter))
    assert "The latest pull waits for a worker" in text_of(waiting)
    assert "Resume the pull" in text_of(waiting)

    tasks.pull_osdi_signatures.apply(args=[pull.pk])

    done = staff_client.get(change_url(letter))
    [row] = table_rows(done, "signature-pulls-table")
    assert row[1:] == ["researcher", "Done", "3", "4", "1", "1", "4", "0", "0"]
    assert "The latest pull is done" in text_of(done)
    assert Signature.objects.filter(letter=letter, person__email="ana@example.org").exists()


def test_the_pull_is_asked_for_with_a_post_only(staff_client, letter):
    assert staff_client.get(pull_url(letter)).status_code == 405
    assert not SignaturePull.objects.exists()


def test_the_button_is_refused_to_those_who_may_not_import_signatures_or_change_the_letter(
    client, django_user_model, letter
):
    reader = django_user_model.objects.create_user(username="reader", password="x", is_staff=True)
    reader.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="campaigns",
            codename__in=["view_letter", "add_signature", "view_signature", "add_person"],
        )
    )
    client.force_login(reader)

    page = client.get(change_url(letter))
    assert page.status_code == 200
    assert "Signatures from Action Network" in text_of(page)
    assert "pull-signatures-form" not in page.content.decode()
    assert client.post(pull_url(letter)).status_code == 403
    assert not SignaturePull.objects.exists()


def test_a_failed_pull_and_its_row_errors_are_shown_with_what_to_do(staff_client, letter, server):
    server.signers[3].email = None
    server.answers[3] = [reply(200, b"<html>oops</html>", {"Content-Type": "text/html"})]
    pull(letter)

    page = staff_client.get(change_url(letter))

    assert "not JSON" in text_of(page)
    assert "pull again: nothing is added twice" in text_of(page)
    assert table_rows(page, "signature-pull-errors") == [
        [
            "2",
            "2",
            "action_network:sig-ana-2",
            "The person who signed has no email address: Vigil matches and adds signatories "
            "by email, so this signature was not added.",
        ]
    ]


def test_the_button_says_why_a_letter_cannot_be_pulled(staff_client, letter, settings):
    settings.ACTION_NETWORK_API_KEY = ""

    page = staff_client.post(pull_url(letter), follow=True)

    assert "No Action Network API key is set" in text_of(page)
    assert not SignaturePull.objects.exists()
