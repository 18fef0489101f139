"""A letter's owner, the staff member who follows it up: set on the letter's page (active staff
only), kept in its History, and the letters list filters by it."""

import pytest
from django.urls import reverse

from tests.campaigns.factories import LetterFactory
from tests.campaigns.test_admin_letters import _letter_form

pytestmark = pytest.mark.django_db


def test_staff_set_a_letters_owner_and_the_list_filters_my_letters(staff_client, staff_user):
    letter, other = LetterFactory(status="draft"), LetterFactory(status="draft")
    url = reverse("admin:campaigns_letter_change", args=[letter.pk])

    response = staff_client.post(url, _letter_form(letter, owner=str(staff_user.pk)))

    assert response.status_code == 302, response.context["errors"]
    letter.refresh_from_db()
    assert letter.owner == staff_user
    assert letter.history.first().history_user == staff_user
    listed = staff_client.get(reverse("admin:campaigns_letter_changelist") + "?owner=me")
    assert [x.pk for x in listed.context["cl"].result_list] == [letter.pk]
    nobodys = staff_client.get(reverse("admin:campaigns_letter_changelist") + "?owner=nobody")
    assert [x.pk for x in nobodys.context["cl"].result_list] == [other.pk]


def test_a_letters_owner_must_be_active_staff(staff_client, django_user_model):
    letter = LetterFactory(status="draft")
    outsider = django_user_model.objects.create_user(username="outsider", password="x")

    response = staff_client.post(
        reverse("admin:campaigns_letter_change", args=[letter.pk]),
        _letter_form(letter, owner=str(outsider.pk)),
    )

    assert response.status_code == 200
    assert "owner" in response.context["adminform"].form.errors
    letter.refresh_from_db()
    assert letter.owner is None
