"""Every change made through the API is in the record's history with the user who made it."""

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.timezone import localtime
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from campaigns.services import letter_save, organization_save
from tests.campaigns.factories import (
    LetterFactory,
    OrganizationFactory,
    PersonFactory,
    SignatureFactory,
)
from tests.tracker.factories import DetainedPersonFactory
from tracker.models import DetainedPerson, Mention, NewsItem
from tracker.newswatch.services import mention_review

pytestmark = pytest.mark.django_db


def test_api_changes_are_recorded_in_history_with_the_token_user(django_user_model):
    user = django_user_model.objects.create_superuser("editor-bot", "", "x")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")

    created = client.post("/api/detained-persons/", {"name": "Gao Yu", "native_name": "高瑜"})
    assert created.status_code == 201
    pk = created.json()["id"]
    changed = client.patch(f"/api/detained-persons/{pk}/", {"aliases": ["Kao Yu"]})
    assert changed.status_code == 200

    history = DetainedPerson.history.filter(id=pk).order_by("history_date")
    assert [(h.history_type, h.history_user) for h in history] == [("+", user), ("~", user)]
    assert history.last().aliases == ["Kao Yu"]


# --- The History pages in the admin ------------------------------------------------------------


def _history_url(obj) -> str:
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_history", args=[obj.pk])


def _change_url(obj) -> str:
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


def _listed(response) -> list[str]:
    """The history types of the versions the History page lists, newest first."""
    return [record.history_type for record in response.context["page_obj"].object_list]


def _as_posted(response, **changes) -> dict:
    """What a browser posts back from an admin change page left as it is, with `changes`."""
    data = {}
    forms = [response.context["adminform"].form]
    for formset in response.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        data.update({management.add_prefix(n): v for n, v in management.initial.items()})
        forms += [f for f in formset.formset.forms if f.instance.pk]  # (not the blank extras)
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if value is None or value is False:
                continue
            if isinstance(value, list | tuple):
                value = [getattr(v, "pk", v) for v in value]
            data[form.add_prefix(name)] = value
    data.update(changes)
    return data


def _mention():
    person = DetainedPerson.objects.create(name="Wang Yu", native_name="王宇")
    item = NewsItem.objects.create(url="https://news.example.org/1", title="王宇 on trial")
    return Mention.objects.create(news_item=item, person=person, matched_terms=["王宇"])


def test_a_mentions_history_shows_a_dash_where_nobody_had_reviewed_it_and_its_status_in_words(
    staff_client, staff_user
):
    mention = _mention()
    mention_review(mention=mention, status=Mention.Status.CONFIRMED, user=staff_user)
    mention_review(mention=mention, status=Mention.Status.NEW, user=staff_user)

    page = staff_client.get(_history_url(mention)).content.decode()

    assert "Deleted user" not in page and "pk=None" not in page
    assert "<strong>Reviewed by:</strong>\n                    —\n" in page
    assert "&nbsp;&rarr;&nbsp;&nbsp;researcher" in page  # confirmed by
    assert "researcher\n                    \n                    &nbsp;&rarr;&nbsp;&nbsp;—" in page
    assert "New\n" in page and "&nbsp;&rarr;&nbsp;&nbsp;Confirmed" in page
    assert "None" not in page  # (the news watch's version: nobody changed it, no reason given)
    reviewed_at = Mention.history.filter(id=mention.pk).exclude(reviewed_at=None).get().reviewed_at
    assert (
        f"&nbsp;&rarr;&nbsp;&nbsp;{date_format(localtime(reviewed_at), 'DATETIME_FORMAT')}" in page
    )


def test_matched_terms_in_a_mentions_history_read_as_words(staff_client):
    mention = _mention()
    mention.matched_terms = ["王宇", "Wang Yu"]
    mention.save()

    page = staff_client.get(_history_url(mention)).content.decode()

    assert "&nbsp;&rarr;&nbsp;&nbsp;王宇, Wang Yu" in page
    assert "[王宇" not in page


def test_pressing_save_without_changing_anything_writes_no_version(staff_client, staff_user):
    person = DetainedPerson.objects.create(name="Gao Yu", native_name="高瑜", country="CN")
    organization = OrganizationFactory()
    for record in [person, organization]:
        versions = record.history.count()
        form = staff_client.get(_change_url(record))

        response = staff_client.post(_change_url(record), _as_posted(form))

        assert response.status_code == 302, response.context["errors"]
        assert record.history.count() == versions


def test_a_history_page_lists_only_the_versions_that_changed_something(staff_client):
    organization = organization_save(name="Rights Watch", kind="ngo")
    organization_save(organization=organization)  # (saved again, as it was)
    organization_save(organization=organization, name="Rights Watch Asia")
    organization_save(organization=organization)
    assert organization.history.count() == 4

    response = staff_client.get(_history_url(organization))

    assert _listed(response) == ["~", "+"]
    assert "1 entry" not in response.content.decode()
    assert "2 entries" in response.content.decode()
    assert "Rights Watch&nbsp;" not in response.content.decode()
    assert "&nbsp;&rarr;&nbsp;&nbsp;Rights Watch Asia" in response.content.decode()


def test_changing_a_letters_title_and_recipients_is_one_version_with_both(staff_client):
    minister, ambassador = PersonFactory(), PersonFactory()
    letter = letter_save(title="Free Wang Yu", recipients=[minister])
    versions = letter.history.count()
    form = staff_client.get(_change_url(letter))

    response = staff_client.post(
        _change_url(letter), _as_posted(form, title="Free Wang Yu now", recipients=[ambassador.pk])
    )

    assert response.status_code == 302, response.context["errors"]
    assert letter.history.count() == versions + 1
    latest = letter.history.first()
    assert latest.title == "Free Wang Yu now"
    assert [row.person for row in latest.recipients.all()] == [ambassador]
    page = staff_client.get(_history_url(letter)).content.decode()
    assert f"&nbsp;&rarr;&nbsp;&nbsp;{ambassador}" in page


def test_changing_whom_a_letter_is_about_in_the_admin_is_one_version_with_them(staff_client):
    wang, zhou = DetainedPersonFactory(), DetainedPersonFactory()
    letter = letter_save(title="Free Wang Yu", persons=[wang])
    versions = letter.history.count()
    form = staff_client.get(_change_url(letter))
    assert 'name="persons"' in form.content.decode()  # an autocomplete on the letter's page

    response = staff_client.post(
        _change_url(letter), _as_posted(form, title="Free them", persons=[wang.pk, zhou.pk])
    )

    assert response.status_code == 302, response.context["errors"]
    assert set(letter.persons.all()) == {wang, zhou}
    assert letter.history.count() == versions + 1
    latest = letter.history.first()
    assert latest.title == "Free them"
    assert {row.detainedperson for row in latest.persons.all()} == {wang, zhou}
    page = staff_client.get(_history_url(letter)).content.decode()
    assert str(zhou) in page


def test_a_letters_page_names_its_persons_only_to_those_who_may_view_cases(django_user_model):
    letter = letter_save(title="Open letter", persons=[DetainedPersonFactory(name="Wang Yu")])
    clerk = django_user_model.objects.create_user("clerk", password="x", is_staff=True)
    clerk.user_permissions.set(
        Permission.objects.filter(codename__in=["view_letter", "change_letter"])
    )
    client = Client()
    client.force_login(clerk)
    page = client.get(_change_url(letter))
    assert page.status_code == 200
    assert 'name="persons"' not in page.content.decode()
    assert "Wang Yu" not in page.content.decode()
    # Saving the letter leaves them as they were.
    response = client.post(_change_url(letter), _as_posted(page, title="Free him"))
    assert response.status_code == 302, response.context["errors"]
    assert letter.persons.get().name == "Wang Yu"


def test_changing_only_a_letters_recipients_is_one_version_with_the_new_ones():
    minister, ambassador = PersonFactory(), PersonFactory()
    letter = letter_save(title="Free Wang Yu", recipients=[minister])
    versions = letter.history.count()

    letter_save(letter=letter, recipients=[minister, ambassador])

    assert letter.history.count() == versions + 1
    assert {row.person for row in letter.history.first().recipients.all()} == {
        minister,
        ambassador,
    }


def test_a_letters_history_lists_signatures_added_and_removed_with_who_and_when(
    staff_client, staff_user
):
    letter = LetterFactory(title="Free Wang Yu")
    kept = SignatureFactory(letter=letter, organization=OrganizationFactory(name="PEN"))
    removed = SignatureFactory(letter=letter, organization=OrganizationFactory(name="Front Line"))
    added = OrganizationFactory(name="Amnesty <International>")
    versions = letter.history.count()
    form = staff_client.get(_change_url(letter))
    data = _as_posted(form)
    index = next(k for k, v in data.items() if k.endswith("-id") and v == removed.pk)[:-3]
    data[f"{index}-DELETE"] = "on"
    data["signatures-TOTAL_FORMS"] = 3
    data["signatures-2-organization"] = added.pk

    response = staff_client.post(_change_url(letter), data)

    assert response.status_code == 302, response.context["errors"]
    assert list(letter.signatures.values_list("organization__name", flat=True)) == [
        "PEN",
        "Amnesty <International>",
    ]
    assert letter.history.count() == versions  # the letter itself did not change
    page = staff_client.get(_history_url(letter))
    changes = page.context["signature_changes"]
    # Newest first: the inline removes before it adds.
    assert [(c.history_type, c.organization.name, c.history_user) for c in changes[:2]] == [
        ("+", "Amnesty <International>", staff_user),
        ("-", "Front Line", staff_user),
    ]
    body = page.content.decode()
    assert "Signatures added and removed" in body
    assert "<td>Removed</td>\n              <td>Front Line</td>" in body
    assert "<td>Added</td>\n              <td>Amnesty &lt;International&gt;</td>" in body
    assert "<td>researcher</td>" in body
    assert kept.organization.name in body


def test_a_letters_history_page_reads_its_signatures_in_one_query(staff_client):
    letter = LetterFactory()

    def queries_for_history_page() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = staff_client.get(_history_url(letter))
        assert response.status_code == 200
        return len(queries)

    SignatureFactory(letter=letter)
    few = queries_for_history_page()
    SignatureFactory.create_batch(20, letter=letter)
    assert queries_for_history_page() == few
