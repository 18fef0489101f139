"""Every admin list's rows, drawn once a page by config/admin_list.py, are the theme's rows:
the same cells, classes, links and labels as django-unfold's own `unfold_result_list` draws
for the same page (compared as HTML, whitespace and attribute order aside). And a list's
queries do not grow with its rows."""

from datetime import date

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.db import connection
from django.template.loader import render_to_string
from django.test.html import parse_html
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from unfold.templatetags import unfold_list

from config import admin_list
from tracker.models import DetainedPerson

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("boss", "boss@example.org", "x")
    client.force_login(user)
    return client


def _lists() -> list[str]:
    return sorted(
        reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        for model in admin.site._registry
    )


def _page(response) -> dict:
    """What the list's template tag is given: the page's request and its ChangeList."""
    return {"request": response.wsgi_request, "cl": response.context["cl"]}


def _theme_rows(response) -> str:
    theme = unfold_list.result_list(_page(response), response.context["cl"])
    return render_to_string("admin/vigil/theme_rows.html", theme)


def _ours(response) -> str:
    return str(admin_list.result_list(_page(response), response.context["cl"])["rows"])


def test_every_list_draws_the_themes_rows(superuser_client):
    call_command("seed_demo", verbosity=0)
    compared = 0
    for url in _lists():
        response = superuser_client.get(url)
        assert response.status_code == 200, url
        if "cl" not in response.context or not response.context["cl"].result_list:
            continue
        assert admin_list.draws_itself(response.context["cl"], _page(response)), url
        assert parse_html(_ours(response)) == parse_html(_theme_rows(response)), url
        compared += 1
    assert compared >= 15  # the demo fills most lists


def test_choices_dates_booleans_and_links_as_the_theme_shows_them(superuser_client):
    call_command("seed_demo", verbosity=0)
    person = DetainedPerson.objects.exclude(country="").first()
    list_url = reverse("admin:tracker_detainedperson_changelist")
    assert str(person.country.name) in superuser_client.get(list_url).content.decode()
    for query in ("", "?o=4", "?status__exact=detained", "?q=" + person.name.split()[0]):
        response = superuser_client.get(list_url + query)
        assert parse_html(_ours(response)) == parse_html(_theme_rows(response)), query
    # Preserved filters reach each row's link, as the theme's links carry them.
    response = superuser_client.get(
        reverse("admin:tracker_detainedperson_changelist") + "?status__exact=detained"
    )
    assert "_changelist_filters=status__exact%3Ddetained" in response.content.decode()


def _cases(n: int, start: int = 0) -> None:
    for i in range(start, start + n):
        person = DetainedPerson(
            name=f"Case {i}", country="VN", status="detained", detained_on=date(2020, 1, 1)
        )
        person.full_clean()
        person.save()


def test_a_lists_queries_do_not_grow_with_its_rows(superuser_client):
    url = reverse("admin:tracker_detainedperson_changelist")
    _cases(5)
    with CaptureQueriesContext(connection) as few:
        assert superuser_client.get(url).status_code == 200
    _cases(95, start=5)
    with CaptureQueriesContext(connection) as many:
        response = superuser_client.get(url)
    assert len(response.context["cl"].result_list) == 100
    assert len(many) == len(few)
