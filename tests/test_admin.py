import datetime

import pytest
import time_machine
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campaigns.models import Organization, Person, Signature
from tests.campaigns.factories import LetterFactory, OrganizationFactory
from tests.pages import table_rows
from tracker.cases.services import case_event_record, detained_person_save
from tracker.models import (
    AccessRecord,
    CaseDocument,
    CaseEvent,
    CaseEventProposal,
    CaseNote,
    DetainedPerson,
    DigestDelivery,
    Mention,
    NewsItem,
    NewsSource,
    StaffPreference,
    Subscription,
    SuppressedAddress,
    Task,
    TaskReminder,
)
from tracker.newswatch.admin import highlight
from tracker.workspace.demo import seed_demo

pytestmark = pytest.mark.django_db

OUR_MODELS = [
    model for model in admin.site._registry if model._meta.app_label in {"campaigns", "tracker"}
]


def _url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def test_every_record_type_has_an_admin():
    names = {m._meta.model_name for m in OUR_MODELS}
    assert names == {
        "organization",
        "person",
        "campaign",
        "letter",
        "signature",
        "letterresponse",
        "detainedperson",
        "caseevent",
        "casenote",
        "casedocument",
        "legallimit",
        "newssource",
        "newsitem",
        "mention",
        "caseeventproposal",
        "subscription",
        "digestdelivery",
        "accessrecord",
        "task",
        "taskreminder",
        "staffpreference",
        "suppressedaddress",
    }


@pytest.mark.parametrize("model", OUR_MODELS, ids=lambda m: m._meta.model_name)
def test_changelist_add_change_and_history_pages_render_for_staff(staff_client, model):
    seed_demo()
    obj = model.objects.first() or _make_one(model)
    for url in [
        _url(model, "changelist"),
        _url(model, "add"),
        _url(model, "change", obj.pk),
        _url(model, "history", obj.pk),
    ]:
        response = staff_client.get(url)
        # News items, mentions and proposed events are made by the news watch, deliveries by
        # the digest tasks, access records by Vigil as it is used, suppressions by the mail
        # provider's reports: never typed in.
        made_by_machines = (
            NewsItem,
            Mention,
            CaseEventProposal,
            DigestDelivery,
            AccessRecord,
            TaskReminder,
            SuppressedAddress,
        )
        expected = 403 if url.endswith("/add/") and model in made_by_machines else 200
        assert response.status_code == expected, url


def _make_one(model):
    """A record for the models the demo data leaves empty."""
    if model is CaseNote:
        person = DetainedPerson.objects.get(name="Gao Yu")
        return CaseNote.objects.create(person=person, text="Called the family.")
    if model is CaseDocument:
        # A stored name only: the pages render without the file on disk.
        person = DetainedPerson.objects.get(name="Gao Yu")
        return CaseDocument.objects.create(
            person=person, title="Verdict", kind="verdict", file="case-documents/verdict.pdf"
        )
    if model in (Task, TaskReminder, StaffPreference):
        user, _ = get_user_model().objects.get_or_create(
            username="assignee", defaults={"email": "assignee@example.org"}
        )
        if model is Task:
            return Task.objects.create(
                title="Call", due_on=datetime.date(2026, 1, 5), assignee=user
            )
        if model is TaskReminder:
            return TaskReminder.objects.create(user=user, day=datetime.date(2026, 1, 5))
        return StaffPreference.objects.create(user=user, task_reminders=False)
    if model is Signature:
        return Signature.objects.create(letter=LetterFactory(), organization=OrganizationFactory())
    if model is SuppressedAddress:
        return SuppressedAddress.objects.create(
            email="gone@example.org",
            reason=SuppressedAddress.Reason.BOUNCED,
            detail="550 No such user",
        )
    if model in (Subscription, DigestDelivery):
        subscription = Subscription.objects.create(email="reader@example.org")
        subscription.persons.add(DetainedPerson.objects.get(name="Gao Yu"))
        if model is Subscription:
            return subscription
        return DigestDelivery.objects.create(
            subscription=subscription,
            period_start=subscription.created_at,
            period_end=subscription.created_at + datetime.timedelta(days=1),
            status=DigestDelivery.Status.FAILED,
            last_error="SMTPServerDisconnected: Connection unexpectedly closed",
        )
    source = NewsSource.objects.create(name="Feed", url="https://rights.example.org/rss")
    item = NewsItem.objects.create(url="https://rights.example.org/a", title="Gao Yu <b>freed</b>")
    item.sources.add(source)
    mention = Mention.objects.create(
        news_item=item, person=DetainedPerson.objects.get(name="Gao Yu"), matched_terms=["Gao Yu"]
    )
    return {NewsSource: source, NewsItem: item, Mention: mention}[model]


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get(_url(DetainedPerson, "changelist"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_staff_without_permissions_cannot_see_case_files(client, django_user_model):
    user = django_user_model.objects.create_user(username="intern", is_staff=True)
    client.force_login(user)
    assert client.get(_url(DetainedPerson, "changelist")).status_code == 403


def test_admin_search_finds_a_person_by_native_name(staff_client):
    seed_demo()
    response = staff_client.get(_url(DetainedPerson, "changelist"), {"q": "刘霞"})
    names = [p.name for p in response.context["cl"].result_list]
    assert names == ["Liu Xia"]


@pytest.mark.parametrize("term", ["Hsia", "LIÚ XIÀ", "liu-xia"])
def test_admin_search_finds_aliases_and_ignores_case_accents_and_hyphens(staff_client, term):
    seed_demo()  # Liu Xia has the alias "Liu Hsia"
    response = staff_client.get(_url(DetainedPerson, "changelist"), {"q": term})
    assert [p.name for p in response.context["cl"].result_list] == ["Liu Xia"]


def test_admin_search_reads_the_folded_names_and_keeps_its_words_apart(staff_client):
    """Each word in some name form (Django's rule, so "xia LIU" finds Liu Xia), looked up in
    search_names, whose trigram index finds it (not UPPER(name) LIKE, which reads every case)."""
    seed_demo()
    with CaptureQueriesContext(connection) as page:
        response = staff_client.get(_url(DetainedPerson, "changelist"), {"q": "xia LIU"})
    assert [p.name for p in response.context["cl"].result_list] == ["Liu Xia"]
    searched = [q["sql"] for q in page.captured_queries if "search_names" in q["sql"]]
    assert searched
    assert not [sql for sql in searched if 'UPPER("tracker_detainedperson"."name"' in sql]


def test_adding_a_status_event_in_the_inline_moves_the_status(staff_client):
    seed_demo()
    person = DetainedPerson.objects.get(name="Zhou Shifeng")
    events = list(person.events.all())
    data = {
        "name": person.name,
        "native_name": person.native_name,
        "aliases": "",
        "context_terms": "\n".join(person.context_terms),
        "status": person.status,
        "publicity": person.publicity,
        "watch_enabled": "on",
        "country": "CN",
        "gender": person.gender,
        "events-TOTAL_FORMS": str(len(events) + 1),
        "events-INITIAL_FORMS": str(len(events)),
        "events-MIN_NUM_FORMS": "0",
        "events-MAX_NUM_FORMS": "1000",
        "officer_links-TOTAL_FORMS": "0",
        "officer_links-INITIAL_FORMS": "0",
    }
    for i, event in enumerate(events):
        data.update(
            {
                f"events-{i}-id": str(event.pk),
                f"events-{i}-person": str(person.pk),
                f"events-{i}-date": event.date.isoformat(),
                f"events-{i}-kind": event.kind,
                f"events-{i}-description": event.description,
            }
        )
    n = len(events)
    data.update(
        {
            f"events-{n}-person": str(person.pk),
            f"events-{n}-date": "2022-07-01",
            f"events-{n}-kind": "released",
            f"events-{n}-description": "Released at the end of his sentence.",
        }
    )
    response = staff_client.post(_url(DetainedPerson, "change", person.pk), data)
    assert response.status_code == 302, response.context["errors"]
    person.refresh_from_db()
    assert person.status == "released"
    assert person.events.filter(date=datetime.date(2022, 7, 1), kind="released").exists()


def test_admin_change_is_recorded_in_history_with_the_user(staff_client, staff_user):
    seed_demo()
    person = DetainedPerson.objects.get(name="Gao Yu")
    response = staff_client.post(
        _url(DetainedPerson, "change", person.pk),
        {
            "name": "Gao Yu",
            "native_name": "高瑜",
            "aliases": "Kao Yu",
            "context_terms": "",
            "status": person.status,
            "publicity": person.publicity,
            "country": "CN",
            "events-TOTAL_FORMS": "0",
            "events-INITIAL_FORMS": "0",
            "events-MIN_NUM_FORMS": "0",
            "events-MAX_NUM_FORMS": "1000",
            "officer_links-TOTAL_FORMS": "0",
            "officer_links-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    latest = person.history.first()
    assert latest.history_user == staff_user
    assert latest.aliases == ["Kao Yu"]
    history_page = staff_client.get(_url(DetainedPerson, "history", person.pk))
    assert "researcher" in history_page.content.decode()


# --- The timeline is the truth ----------------------------------------------------------------


@pytest.fixture
def today():
    with time_machine.travel(datetime.datetime(2025, 3, 14, 12, tzinfo=datetime.UTC), tick=False):
        yield datetime.date(2025, 3, 14)


def _person_form(person, *, new_events=(), **fields) -> dict:
    """The change form of `person` as the browser posts it, their events listed in the inline
    and `new_events` ((date, kind) pairs) added below them."""
    events = list(person.events.all()) if person.pk else []
    data = {
        "name": person.name,
        "native_name": person.native_name,
        "aliases": "\n".join(person.aliases),
        "context_terms": "\n".join(person.context_terms),
        "status": person.status,
        "publicity": person.publicity,
        "watch_enabled": "on" if person.watch_enabled else "",
        "country": str(person.country),
        "gender": person.gender,
        "detained_on": person.detained_on.isoformat() if person.detained_on else "",
        "events-TOTAL_FORMS": str(len(events) + len(new_events)),
        "events-INITIAL_FORMS": str(len(events)),
        "events-MIN_NUM_FORMS": "0",
        "events-MAX_NUM_FORMS": "1000",
        "officer_links-TOTAL_FORMS": "0",
        "officer_links-INITIAL_FORMS": "0",
    }
    rows = [(e.pk, e.date.isoformat(), e.kind, e.description) for e in events]
    rows += [("", on, kind, "") for on, kind in new_events]
    for i, (pk, on, kind, description) in enumerate(rows):
        data.update(
            {
                f"events-{i}-id": str(pk),
                f"events-{i}-person": str(person.pk or ""),
                f"events-{i}-date": on,
                f"events-{i}-kind": kind,
                f"events-{i}-description": description,
            }
        )
    return data | fields


def test_a_status_event_dated_after_today_in_the_inline_is_a_field_error(staff_client, today):
    person = detained_person_save(name="Gao Yu", status="detained")
    response = staff_client.post(
        _url(DetainedPerson, "change", person.pk),
        _person_form(person, new_events=[("2031-01-01", "deceased")]),
    )
    assert response.status_code == 200
    (formset,) = [
        f for f in response.context["inline_admin_formsets"] if f.formset.model is CaseEvent
    ]
    row = formset.formset.forms[-1]
    assert list(row.errors) == ["date"]
    assert "cannot be dated after today (2025-03-14)" in row.errors["date"][0]
    person.refresh_from_db()
    assert person.status == "detained"
    assert not person.events.filter(kind="deceased").exists()


def test_an_upcoming_hearing_may_be_added_in_the_inline(staff_client, today):
    person = detained_person_save(name="Gao Yu", status="detained")
    response = staff_client.post(
        _url(DetainedPerson, "change", person.pk),
        _person_form(person, new_events=[("2025-06-01", "hearing")]),
    )
    assert response.status_code == 302
    assert person.events.filter(kind="hearing", date=datetime.date(2025, 6, 1)).exists()
    person.refresh_from_db()
    assert person.status == "detained"


def test_a_status_event_dated_after_today_is_a_field_error_on_the_events_page(staff_client, today):
    person = detained_person_save(name="Gao Yu", status="detained")
    response = staff_client.post(
        _url(CaseEvent, "add"), {"person": person.pk, "date": "2031-01-01", "kind": "deceased"}
    )
    assert response.status_code == 200
    assert list(response.context["adminform"].form.errors) == ["date"]
    assert not CaseEvent.objects.filter(kind="deceased").exists()
    person.refresh_from_db()
    assert person.status == "detained"


def test_changing_the_status_in_the_admin_records_a_status_event_by_that_user(
    staff_client, staff_user, today
):
    person = detained_person_save(
        name="Gao Yu", status="detained", detained_on=datetime.date(2014, 4, 24)
    )
    response = staff_client.post(
        _url(DetainedPerson, "change", person.pk), _person_form(person, status="released")
    )
    assert response.status_code == 302, response.context["errors"]
    person.refresh_from_db()
    assert person.status == "released"
    event = person.events.get(kind="released")
    assert event.date == today
    assert event.history.get().history_user == staff_user
    assert person.history.first().history_user == staff_user


def test_a_status_change_in_the_admin_takes_the_date_given(staff_client, today):
    person = detained_person_save(
        name="Gao Yu", status="detained", detained_on=datetime.date(2014, 4, 24)
    )
    response = staff_client.post(
        _url(DetainedPerson, "change", person.pk),
        _person_form(person, status="sentenced", status_date="2015-04-17"),
    )
    assert response.status_code == 302, response.context["errors"]
    assert list(person.events.values_list("date", "kind")) == [
        (datetime.date(2015, 4, 17), "sentenced"),
        (datetime.date(2014, 4, 24), "detained"),
    ]


def test_a_status_the_timeline_contradicts_is_a_field_error_in_the_admin(staff_client, today):
    seed_demo()
    person = DetainedPerson.objects.get(name="Xu Zhiyong")  # sentenced on 2023-04-10
    response = staff_client.post(
        _url(DetainedPerson, "change", person.pk),
        _person_form(person, status="released", status_date="2023-01-01"),
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["status_date"]
    assert "later status event (Sentenced on 2023-04-10)" in errors["status_date"][0]
    person.refresh_from_db()
    assert person.status == "sentenced"
    assert not person.events.filter(kind="released").exists()


def test_adding_a_person_in_the_admin_records_their_status_as_of_their_detention(
    staff_client, today
):
    person = DetainedPerson(name="Liu Xia", status="disappeared", country="CN")
    data = _person_form(person, detained_on="2010-10-08", watch_enabled="on")
    response = staff_client.post(_url(DetainedPerson, "add"), data)
    assert response.status_code == 302, response.context["errors"]
    person = DetainedPerson.objects.get(name="Liu Xia")
    assert person.status == "disappeared"
    assert list(person.events.values_list("date", "kind")) == [
        (datetime.date(2010, 10, 8), "disappeared")
    ]


def _import(client, model, csv_text: str):
    url = _url(model, "import")
    upload = SimpleUploadedFile("rows.csv", csv_text.encode("utf-8"), content_type="text/csv")
    return client.post(url, {"import_file": upload, "format": "0", "resource": "0"})


def test_csv_import_preview_shows_rows_and_writes_nothing(staff_client):
    response = _import(
        staff_client,
        Organization,
        "id,name,kind,country,website,notes\n,Amnesty International,ngo,GB,,\n",
    )
    assert response.status_code == 200
    assert "Amnesty International" in response.content.decode()
    assert not Organization.objects.filter(name="Amnesty International").exists()


def test_csv_import_with_one_bad_row_imports_nothing_and_names_the_row(staff_client):
    response = _import(
        staff_client,
        DetainedPerson,
        "name,native_name,aliases,status,country,birth_year\n"
        "Ilham Tohti,伊力哈木·土赫提,Ilham Toxti;Ilham Tohtiy,sentenced,CN,1969\n"
        "Nobody,,,not_a_status,CN,\n",
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Some rows failed to validate" in body
    assert "Value &#x27;not_a_status&#x27; is not a valid choice." in body
    assert "confirm_form" not in response.context  # nothing to confirm until the file is fixed
    assert DetainedPerson.objects.count() == 0


@pytest.mark.parametrize(
    ("model", "csv_text", "errors"),
    [
        (
            Organization,
            "name,kind,country\nAmnesty International,ngo,GB\nPEN,not_a_kind,XX\n",
            [
                ["3", "kind", "Value 'not_a_kind' is not a valid choice."],
                ["3", "country", "Value 'XX' is not a valid choice."],
            ],
        ),
        (
            Person,
            "full_name,organization,email\nAda Lovelace,,ada@example.org\n"
            "Wang Yi,Nowhere Org,not-an-email\n",
            [
                ["3", "organization", "There is no organization named 'Nowhere Org'."],
                ["3", "email", "Enter a valid email address."],
            ],
        ),
        (
            DetainedPerson,
            "name,status,country\nIlham Tohti,sentenced,CN\nNobody,not_a_status,CN\n",
            [["3", "status", "Value 'not_a_status' is not a valid choice."]],
        ),
    ],
    ids=["organizations", "people", "detained-persons"],
)
def test_csv_import_lists_every_row_error_as_text_numbered_as_in_a_spreadsheet(
    staff_client, model, csv_text, errors
):
    response = _import(staff_client, model, csv_text)
    assert response.status_code == 200
    # A table in the page, not a tooltip over a red badge; row 1 is the header.
    assert table_rows(response, "import-row-errors") == errors
    assert not model.objects.exists()


def test_csv_import_of_detained_persons_confirms_and_makes_them_searchable(staff_client):
    response = _import(
        staff_client,
        DetainedPerson,
        "name,native_name,aliases,status,country,birth_year\n"
        "Ilham Tohti,伊力哈木·土赫提,Ilham Toxti;Ilham Tohtiy,sentenced,CN,1969\n",
    )
    form = response.context["confirm_form"]
    confirm = staff_client.post(
        _url(DetainedPerson, "process_import"),
        {name: form[name].value() for name in form.fields},
    )
    assert confirm.status_code == 302
    person = DetainedPerson.objects.get()
    assert person.aliases == ["Ilham Toxti", "Ilham Tohtiy"]
    assert list(DetainedPerson.objects.search("toxti")) == [person]


def _confirm_import(client, model, csv_text: str):
    form = _import(client, model, csv_text).context["confirm_form"]
    return client.post(
        _url(model, "process_import"), {name: form[name].value() for name in form.fields}
    )


def test_a_csv_import_records_the_statuses_it_sets_on_the_timeline(staff_client, today):
    gao = detained_person_save(
        name="Gao Yu", status="detained", detained_on=datetime.date(2014, 4, 24)
    )
    confirm = _confirm_import(
        staff_client,
        DetainedPerson,
        "id,name,status,status_date,detained_on,country\n"
        f"{gao.pk},Gao Yu,sentenced,2015-04-17,2014-04-24,CN\n"
        ",Ilham Tohti,sentenced,,2014-01-15,CN\n",
    )
    assert confirm.status_code == 302
    assert list(gao.events.values_list("date", "kind")) == [
        (datetime.date(2015, 4, 17), "sentenced"),
        (datetime.date(2014, 4, 24), "detained"),
    ]
    ilham = DetainedPerson.objects.get(name="Ilham Tohti")
    assert list(ilham.events.values_list("date", "kind")) == [
        (datetime.date(2014, 1, 15), "sentenced")
    ]
    assert {p.name: p.status for p in DetainedPerson.objects.all()} == {
        "Gao Yu": "sentenced",
        "Ilham Tohti": "sentenced",
    }


def test_a_csv_import_of_a_status_the_timeline_contradicts_imports_nothing(staff_client, today):
    gao = detained_person_save(
        name="Gao Yu", status="detained", detained_on=datetime.date(2014, 4, 24)
    )
    case_event_record(person=gao, date=datetime.date(2015, 4, 17), kind="sentenced")
    response = _import(
        staff_client,
        DetainedPerson,
        "id,name,status,status_date,country\n"
        f"{gao.pk},Gao Yu,released,2015-01-01,CN\n"
        ",Liu Xia,deceased,2099-01-01,CN\n",
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Some rows failed to validate" in body
    assert "later status event (Sentenced on 2015-04-17)" in body
    assert "cannot be dated after today (2025-03-14)" in body
    assert "confirm_form" not in response.context
    gao.refresh_from_db()
    assert gao.status == "sentenced"
    assert gao.events.count() == 2
    assert not DetainedPerson.objects.filter(name="Liu Xia").exists()


def test_the_review_queue_highlights_matched_terms_and_escapes_the_text(staff_client):
    seed_demo()
    mention = _make_one(Mention)
    response = staff_client.get(_url(Mention, "changelist"))
    body = response.content.decode()
    assert "<mark>Gao Yu</mark> &lt;b&gt;freed&lt;/b&gt;" in body
    page = staff_client.get(_url(Mention, "change", mention.pk)).content.decode()
    assert "<mark>Gao Yu</mark>" in page


@pytest.mark.parametrize(
    ("text", "terms", "marked"),
    [
        # Case, accents, hyphens and spacing as the matcher ignores them; the text as written.
        ("NGUYỄN VĂN MINH was moved", ["Nguyen Van Minh"], "<mark>NGUYỄN VĂN MINH</mark> was"),
        ("Nguyen-Van  Minh", ["Nguyễn Văn Minh"], "<mark>Nguyen-Van  Minh</mark>"),
        # A written accent after the last letter (decomposed text) is marked with it.
        ("Nguye\u0302\u0303n said", ["Nguyễn"], "<mark>Nguye\u0302\u0303n</mark> said"),
        ("Straße 5", ["strasse"], "<mark>Straße</mark> 5"),
        # Whole words only, as the matcher: no mark inside a longer name.
        ("Li Weiming and Li Wei", ["Li Wei"], "Li Weiming and <mark>Li Wei</mark>"),
        # A shorter term where a longer one starts but is not a whole word.
        (
            "Anna Bella met Anna Bell",
            ["Anna", "Anna Bell"],
            "<mark>Anna</mark> Bella met <mark>Anna Bell</mark>",
        ),
        # Scripts without spaces match as character sequences.
        ("维权人士王芳被拘", ["王芳"], "维权人士<mark>王芳</mark>被拘"),
        # The longest form first, and the text around is escaped.
        (
            "<b>Wang Fang Li</b>",
            ["Wang", "Wang Fang"],
            "&lt;b&gt;<mark>Wang Fang</mark> Li&lt;/b&gt;",
        ),
    ],
)
def test_the_review_queue_marks_terms_as_the_matcher_found_them(text, terms, marked):
    assert marked in highlight(text, terms)


def test_staff_rescan_the_news_for_several_people_in_one_pass(staff_client):
    first = detained_person_save(name="Ilham Tohti")
    second = detained_person_save(name="Wang Fang")
    NewsItem.objects.create(url="https://news.example.org/a", title="İlham Toxti's trial opens")
    NewsItem.objects.create(url="https://news.example.org/b", title="Vương Phương released")
    detained_person_save(person=first, aliases=["Ilham Toxti"])
    detained_person_save(person=second, aliases=["Vuong Phuong"])

    with CaptureQueriesContext(connection) as queries:
        response = staff_client.post(
            _url(DetainedPerson, "changelist"),
            {"action": "rematch_news", "_selected_action": [first.pk, second.pk]},
            follow=True,
        )

    assert "2 new mentions found." in response.content.decode()
    assert sorted(Mention.objects.values_list("person__name", "matched_terms")) == [
        ("Ilham Tohti", ["Ilham Toxti"]),
        ("Wang Fang", ["Vuong Phuong"]),
    ]
    scans = [
        q for q in queries if 'FROM "tracker_newsitem"' in q["sql"] and "first_seen_at" in q["sql"]
    ]
    assert len(scans) == 1, [q["sql"] for q in scans]


def test_staff_confirm_mentions_from_the_review_queue(staff_client, staff_user):
    seed_demo()
    mention = _make_one(Mention)
    response = staff_client.post(
        _url(Mention, "changelist"),
        {"action": "confirm", "_selected_action": [mention.pk], "apply": "1"},
    )
    assert response.status_code == 302
    mention.refresh_from_db()
    assert (mention.status, mention.reviewed_by) == ("confirmed", staff_user)


def _delete_the_other_on_review(first: Mention, second: Mention) -> None:
    """A trigger standing in for another member of staff: reviewing either mention deletes the
    other, between the action reading the selection and reviewing the rest of it."""
    a, b = int(first.pk), int(second.pk)  # numbers only in the SQL below
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE FUNCTION delete_other() RETURNS trigger AS $$ BEGIN "  # noqa: S608
                f"DELETE FROM tracker_mention WHERE id IN ({a}, {b}) AND id <> NEW.id; "
                "RETURN NULL; END $$ LANGUAGE plpgsql"
            )
            cursor.execute(
                "CREATE TRIGGER delete_other AFTER UPDATE ON tracker_mention FOR EACH ROW "
                f"WHEN (NEW.id IN ({a}, {b})) EXECUTE FUNCTION delete_other()"
            )
        else:
            cursor.execute(
                "CREATE TRIGGER delete_other AFTER UPDATE ON tracker_mention "  # noqa: S608
                f"WHEN NEW.id IN ({a}, {b}) BEGIN "
                f"DELETE FROM tracker_mention WHERE id IN ({a}, {b}) AND id <> NEW.id; END"
            )


def test_reviewing_a_selection_of_which_one_was_deleted_meanwhile_reviews_the_rest(
    staff_client, staff_user
):
    seed_demo()
    first = _make_one(Mention)
    second = Mention.objects.create(
        news_item=first.news_item,
        person=DetainedPerson.objects.exclude(pk=first.person_id).first(),
        matched_terms=["Gao Yu"],
    )
    _delete_the_other_on_review(first, second)

    response = staff_client.post(
        _url(Mention, "changelist"),
        {"action": "confirm", "_selected_action": [first.pk, second.pk], "apply": "1"},
        follow=True,
    )

    assert response.status_code == 200
    (reviewed,) = Mention.objects.filter(pk__in=[first.pk, second.pk])
    assert (reviewed.status, reviewed.reviewed_by) == ("confirmed", staff_user)
    assert "1 mention marked confirmed. 1 had been deleted meanwhile." in [
        str(message) for message in response.context["messages"]
    ]


def test_staff_change_a_mentions_status_on_its_page_and_a_repeat_changes_nothing(
    staff_client, staff_user
):
    seed_demo()
    mention = _make_one(Mention)
    url = _url(Mention, "change", mention.pk)

    response = staff_client.post(url, {"status": "dismissed"})

    assert response.status_code == 302, response.content.decode()[:2000]
    mention.refresh_from_db()
    assert (mention.status, mention.reviewed_by) == ("dismissed", staff_user)
    reviewed_at, versions = mention.reviewed_at, mention.history.count()
    staff_client.post(url, {"status": "dismissed"})
    mention.refresh_from_db()
    assert (mention.reviewed_at, mention.history.count()) == (reviewed_at, versions)


def test_a_detained_persons_page_lists_their_mentions(staff_client):
    seed_demo()
    mention = _make_one(Mention)
    page = staff_client.get(_url(DetainedPerson, "change", mention.person_id)).content.decode()
    assert "News mentions" in page or "news mentions" in page.lower()
    assert mention.news_item.url in page
    assert "Gao Yu &lt;b&gt;freed&lt;/b&gt;" in page


def _source_form(source=None, **changes):
    """The NewsSource admin form's fields, as a browser would post them."""
    data = {
        "name": "Rights Watch",
        "kind": "feed",
        "url": "http://93.184.216.34/rss",
        "active": "on",
        "poll_interval_minutes": "30",
        "min_interval_seconds": "",
        "next_poll_at_0": "",
        "next_poll_at_1": "",
    }
    if source is not None:
        data.update(name=source.name, kind=source.kind, url=source.url)
    return {**data, **changes}


@pytest.mark.parametrize("url", ["http://127.0.0.1/rss", "http://10.0.0.5/rss"])
def test_adding_a_source_on_a_private_address_shows_an_error_on_its_url(staff_client, url):
    response = staff_client.post(_url(NewsSource, "add"), _source_form(url=url))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["url"]
    assert errors["url"][0].startswith("Refused: ")
    assert "only public addresses are fetched" in response.content.decode()
    assert not NewsSource.objects.exists()


def test_changing_a_sources_url_to_a_loopback_address_shows_an_error_and_keeps_it(staff_client):
    source = NewsSource.objects.create(name="Feed", url="http://93.184.216.34/rss")
    response = staff_client.post(
        _url(NewsSource, "change", source.pk), _source_form(source, url="http://127.0.0.1/rss")
    )
    assert response.status_code == 200
    assert list(response.context["adminform"].form.errors) == ["url"]
    source.refresh_from_db()
    assert source.url == "http://93.184.216.34/rss"


def test_changing_a_sources_url_in_the_admin_drops_its_fetch_state(staff_client):
    source = NewsSource.objects.create(
        name="Feed", url="http://93.184.216.34/rss", etag='"v1"', last_modified="Mon, 01 Jun"
    )
    unchanged = staff_client.post(
        _url(NewsSource, "change", source.pk), _source_form(source, name="Feed (renamed)")
    )
    assert unchanged.status_code == 302
    source.refresh_from_db()
    assert (source.name, source.etag, source.last_modified) == (
        "Feed (renamed)",
        '"v1"',
        "Mon, 01 Jun",
    )

    moved = staff_client.post(
        _url(NewsSource, "change", source.pk), _source_form(source, url="http://93.184.216.34/new")
    )
    assert moved.status_code == 302
    source.refresh_from_db()
    assert (source.url, source.etag, source.last_modified) == ("http://93.184.216.34/new", "", "")
