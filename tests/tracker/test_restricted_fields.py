"""Restricted case fields (family contact, lawyer, health, sources, internal assessment) through
every path, for each role: only a Case officer (or a superuser) sees, changes, filters, searches
and exports them; everyone else is told they are withheld, and refused when writing them."""

import csv
import io

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils.html import escape

from config.roles import CASE_OFFICER, EDITOR, VIEWER
from tests.conftest import token_client
from tracker.cases.restricted import RESTRICTED_FIELDS
from tracker.cases.services import detained_person_save
from tracker.models import DetainedPerson

SECRETS = {
    "family_contact": "Sister Mei, +86 139 0000 1111",
    "lawyer": "Wen Donghai",
    "lawyer_contact": "wen.lawyer@example.cn",
    "health": "Untreated heart condition",
    "information_sources": "A guard's cousin in Linyi",
    "internal_assessment": "Family under heavy pressure",
}


@pytest.fixture
def case(db):
    return detained_person_save(
        name="Zhao Hailin", native_name="赵海林", country="CN", publicity="quiet", **SECRETS
    )


def _staff(django_user_model, username, group):
    user = django_user_model.objects.create_user(username=username, password="x", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def roles(django_user_model):
    return {
        "viewer": _staff(django_user_model, "viewer", VIEWER),
        "editor": _staff(django_user_model, "editor", EDITOR),
        "officer": _staff(django_user_model, "officer", CASE_OFFICER),
        "root": django_user_model.objects.create_superuser(username="root", password="x"),
    }


def _admin(client, user):
    client.force_login(user)
    return client


def _change_url(person):
    return reverse("admin:tracker_detainedperson_change", args=[person.pk])


# --- The admin ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["viewer", "editor"])
def test_the_case_page_shows_restricted_fields_as_withheld_to_viewers_and_editors(
    client, roles, case, role
):
    page = _admin(client, roles[role]).get(_change_url(case))
    assert page.status_code == 200
    html = page.content.decode()
    for secret in SECRETS.values():
        assert escape(secret) not in html and secret not in html
    assert html.count("Withheld") >= len(RESTRICTED_FIELDS)
    assert "lawyer&#x27;s name" in html.lower() or "lawyer's name" in html.lower()
    form = page.context["adminform"].form
    assert not set(RESTRICTED_FIELDS) & set(form.fields)


@pytest.mark.parametrize("role", ["officer", "root"])
def test_a_case_officer_sees_and_edits_the_restricted_fields(client, roles, case, role):
    page = _admin(client, roles[role]).get(_change_url(case))
    html = page.content.decode()
    for secret in SECRETS.values():
        assert escape(secret) in html
    assert set(RESTRICTED_FIELDS) <= set(page.context["adminform"].form.fields)


def _form_of(person) -> dict:
    return {
        "name": person.name,
        "native_name": person.native_name,
        "aliases": "",
        "context_terms": "",
        "status": person.status,
        "publicity": person.publicity,
        "watch_enabled": "on",
        "country": "CN",
        "events-TOTAL_FORMS": "0",
        "events-INITIAL_FORMS": "0",
        "events-MIN_NUM_FORMS": "0",
        "events-MAX_NUM_FORMS": "1000",
        "officer_links-TOTAL_FORMS": "0",
        "officer_links-INITIAL_FORMS": "0",
    }


def test_an_editor_saving_a_case_cannot_write_or_erase_its_restricted_fields(client, roles, case):
    data = {**_form_of(case), "lawyer": "Someone Else", "health": "", "summary": "Updated."}
    response = _admin(client, roles["editor"]).post(_change_url(case), data)
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.summary == "Updated."
    assert case.lawyer == SECRETS["lawyer"]
    assert case.health == SECRETS["health"]


def test_a_case_officer_saves_restricted_fields(client, roles, case):
    data = {**_form_of(case), **SECRETS, "lawyer": "Liang Xiaojun"}
    response = _admin(client, roles["officer"]).post(_change_url(case), data)
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.lawyer == "Liang Xiaojun"


def test_history_shows_a_restricted_field_changed_without_its_values_to_an_editor(
    client, roles, case
):
    data = {**_form_of(case), **SECRETS, "lawyer": "Liang Xiaojun"}
    _admin(client, roles["officer"]).post(_change_url(case), data)
    url = reverse("admin:tracker_detainedperson_history", args=[case.pk])

    officer_page = client.get(url).content.decode()
    assert "Liang Xiaojun" in officer_page and SECRETS["lawyer"] in officer_page

    editor_page = _admin(client, roles["editor"]).get(url).content.decode()
    assert "Liang Xiaojun" not in editor_page and SECRETS["lawyer"] not in editor_page
    assert "(withheld)" in editor_page
    assert "lawyer" in editor_page.lower()  # it says which field changed


def test_an_old_version_of_a_case_does_not_show_restricted_fields_to_an_editor(client, roles, case):
    version = case.history.earliest()
    url = reverse("admin:tracker_detainedperson_simple_history", args=[case.pk, version.history_id])
    page = _admin(client, roles["editor"]).get(url)
    assert page.status_code == 200
    html = page.content.decode()
    for secret in SECRETS.values():
        assert secret not in html


def test_an_editor_reverting_to_an_old_version_leaves_the_restricted_fields_as_they_are(
    client, roles, case
):
    version = case.history.earliest()
    data = {**_form_of(case), **SECRETS, "lawyer": "Liang Xiaojun"}
    _admin(client, roles["officer"]).post(_change_url(case), data)
    url = reverse("admin:tracker_detainedperson_simple_history", args=[case.pk, version.history_id])
    _admin(client, roles["editor"])
    response = client.post(url, {**_form_of(case), "summary": "Reverted."})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.summary == "Reverted."
    assert case.lawyer == "Liang Xiaojun"  # not the old version's


def test_only_a_case_officer_searches_and_filters_on_restricted_fields(client, roles, case):
    detained_person_save(name="Other Person", country="CN")
    changelist = reverse("admin:tracker_detainedperson_changelist")

    found = _admin(client, roles["officer"]).get(changelist, {"q": "Wen Donghai"})
    assert [p.name for p in found.context["cl"].result_list] == ["Zhao Hailin"]
    with_lawyer = client.get(changelist, {"lawyer__isempty": "0"})
    assert with_lawyer.status_code == 200
    assert [p.name for p in with_lawyer.context["cl"].result_list] == ["Zhao Hailin"]

    not_found = _admin(client, roles["viewer"]).get(changelist, {"q": "Wen Donghai"})
    assert list(not_found.context["cl"].result_list) == []
    # Nor may they guess a value through the URL, which Django's admin otherwise allows for
    # any field of the model.
    for guess in ("lawyer__startswith", "health__icontains", "family_contact"):
        assert client.get(changelist, {guess: "W"}).status_code == 400
    assert client.get(changelist, {"lawyer__isempty": "0"}).status_code == 400


# --- Exports and imports ---------------------------------------------------------------------


def _export_csv(client) -> list[dict]:
    url = reverse("admin:tracker_detainedperson_export")
    form = client.get(url).context["form"]
    chosen = {name: form[name].value() for name in form.fields}
    response = client.post(
        url, {**{k: v for k, v in chosen.items() if v not in (None, False)}, "format": "0"}
    )
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_an_editors_export_leaves_the_restricted_columns_out(client, roles, case):
    rows = _export_csv(_admin(client, roles["editor"]))
    assert rows[0]["name"] == "Zhao Hailin"
    assert rows[0]["publicity"] == "quiet"
    assert not set(RESTRICTED_FIELDS) & set(rows[0])
    for secret in SECRETS.values():
        assert secret not in str(rows)


def test_a_case_officers_export_has_the_restricted_columns(client, roles, case):
    rows = _export_csv(_admin(client, roles["officer"]))
    assert {name: rows[0][name] for name in RESTRICTED_FIELDS} == SECRETS


def test_a_viewer_may_not_export_a_table(client, roles, case):
    _admin(client, roles["viewer"])
    changelist = client.get(reverse("admin:tracker_detainedperson_changelist"))
    assert reverse("admin:tracker_detainedperson_export") not in changelist.content.decode()
    assert client.get(reverse("admin:tracker_detainedperson_export")).status_code == 403
    assert client.post(reverse("admin:tracker_detainedperson_export"), {}).status_code == 403


def test_an_editor_importing_restricted_columns_is_refused_and_nothing_is_written(
    client, roles, case
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    _admin(client, roles["editor"])
    content = f"id,name,lawyer\n{case.pk},Zhao Hailin,Planted Lawyer\n".encode()
    response = client.post(
        reverse("admin:tracker_detainedperson_import"),
        {
            "resource": "0",
            "format": "0",
            "import_file": SimpleUploadedFile("cases.csv", content, content_type="text/csv"),
        },
    )
    assert "You may not import restricted fields (lawyer)" in response.content.decode()
    case.refresh_from_db()
    assert case.lawyer == SECRETS["lawyer"]


# --- The API ---------------------------------------------------------------------------------


def _api(user):
    return token_client(user)


@pytest.mark.parametrize("role", ["viewer", "editor"])
def test_the_api_detail_omits_restricted_fields_for_viewers_and_editors(roles, case, role):
    data = _api(roles[role]).get(f"/api/detained-persons/{case.pk}/").json()
    assert data["publicity"] == "quiet"
    assert not set(RESTRICTED_FIELDS) & set(data)


@pytest.mark.parametrize("role", ["officer", "root"])
def test_the_api_detail_has_restricted_fields_for_a_case_officer(roles, case, role):
    data = _api(roles[role]).get(f"/api/detained-persons/{case.pk}/").json()
    assert {name: data[name] for name in RESTRICTED_FIELDS} == SECRETS


@pytest.mark.parametrize("role", ["editor", "officer", "root"])
def test_the_api_list_never_carries_restricted_fields(roles, case, role):
    rows = _api(roles[role]).get("/api/detained-persons/").json()["results"]
    assert rows[0]["name"] == "Zhao Hailin"
    assert not set(RESTRICTED_FIELDS) & set(rows[0])


def test_an_editor_writing_a_restricted_field_through_the_api_is_refused_by_name(roles, case):
    client = _api(roles["editor"])
    response = client.patch(
        f"/api/detained-persons/{case.pk}/", {"lawyer": "Planted", "summary": "x"}
    )
    assert response.status_code == 403
    assert "lawyer" in response.json()["detail"]
    created = client.post("/api/detained-persons/", {"name": "New Case", "health": "fine"})
    assert created.status_code == 403
    assert "health" in created.json()["detail"]
    case.refresh_from_db()
    assert case.lawyer == SECRETS["lawyer"] and case.summary == ""
    assert not DetainedPerson.objects.filter(name="New Case").exists()


def test_a_case_officer_writes_restricted_fields_through_the_api(roles, case):
    response = _api(roles["officer"]).patch(
        f"/api/detained-persons/{case.pk}/", {"lawyer": "Liang Xiaojun"}
    )
    assert response.status_code == 200
    assert response.json()["lawyer"] == "Liang Xiaojun"
    case.refresh_from_db()
    assert case.lawyer == "Liang Xiaojun"


def test_new_cases_start_in_quiet_advocacy_and_the_api_filters_by_publicity(roles, case):
    client = _api(roles["editor"])
    created = client.post("/api/detained-persons/", {"name": "New Case"}).json()
    assert created["publicity"] == "quiet"
    client.patch(f"/api/detained-persons/{created['id']}/", {"publicity": "public"})
    public = client.get("/api/detained-persons/", {"publicity": "public"}).json()["results"]
    assert [row["name"] for row in public] == ["New Case"]


def test_the_case_page_tells_staff_a_case_is_in_quiet_advocacy(client, roles, case):
    page = _admin(client, roles["viewer"]).get(_change_url(case)).content.decode()
    assert 'class="vd-quiet"' in page and "Do not name it outside the staff" in page
    detained_person_save(person=case, publicity="public")
    page = client.get(_change_url(case)).content.decode()
    assert 'class="vd-quiet"' not in page


# --- The access log records each read of restricted fields --------------------------------------


def _reads(user=None):
    from tracker.accesslog.models import AccessRecord

    records = AccessRecord.objects.filter(action=AccessRecord.Action.RESTRICTED_VIEW)
    return [
        (r.user.username, r.interface, r.object_id, sorted(r.details["fields"]))
        for r in records.order_by("at", "pk")
    ]


def test_a_case_officer_opening_a_case_is_in_the_access_log_with_the_fields_shown(
    client, roles, case
):
    _admin(client, roles["officer"]).get(_change_url(case))
    assert _reads() == [("officer", "admin", str(case.pk), sorted(RESTRICTED_FIELDS))]


def test_a_case_officers_history_and_old_version_pages_are_in_the_access_log(client, roles, case):
    _admin(client, roles["officer"])
    client.get(reverse("admin:tracker_detainedperson_history", args=[case.pk]))
    version = case.history.earliest()
    client.get(
        reverse("admin:tracker_detainedperson_simple_history", args=[case.pk, version.history_id])
    )
    assert [(user, where) for user, where, *_ in _reads()] == [("officer", "admin")] * 2


def test_a_case_officers_api_read_is_in_the_access_log(roles, case):
    _api(roles["officer"]).get(f"/api/detained-persons/{case.pk}/")
    assert _reads() == [("officer", "api", str(case.pk), sorted(RESTRICTED_FIELDS))]


def test_reads_that_show_no_restricted_value_are_not_logged(client, roles, case):
    _admin(client, roles["editor"]).get(_change_url(case))
    _api(roles["viewer"]).get(f"/api/detained-persons/{case.pk}/")
    _api(roles["officer"]).get("/api/detained-persons/")  # lists carry none
    empty = detained_person_save(name="Nothing Restricted")
    _api(roles["officer"]).get(f"/api/detained-persons/{empty.pk}/")
    assert _reads() == []
