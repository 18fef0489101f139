import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from config import probes
from config.admin_filters import NO_COUNTRY_VALUE
from tests.campaigns.factories import OrganizationFactory, PersonFactory
from tests.tracker.factories import CaseEventFactory, DetainedPersonFactory

pytestmark = pytest.mark.django_db


def _country_filter(response) -> list[str]:
    """The choices of the changelist's "By country" filter, as its dropdown shows them."""
    html = response.content.decode()
    block = re.search(r'<select name="[a-z_]*country__exact".*?</select>', html, re.S)
    assert block, "no country filter on the page"
    return [unescape(text) for text in re.findall(r"<option [^>]*>([^<]*)</option>", block.group())]


def test_the_country_filter_lists_only_the_countries_organizations_are_in_by_name(
    staff_client,
):
    for country in ["FR", "CN", "FR", "DE", ""]:
        OrganizationFactory(country=country)
    response = staff_client.get(reverse("admin:campaigns_organization_changelist"))
    assert _country_filter(response) == ["All", "China", "France", "Germany", "No country given"]


@pytest.mark.parametrize(
    ("factory", "url"),
    [
        (DetainedPersonFactory, "admin:tracker_detainedperson_changelist"),
        (PersonFactory, "admin:campaigns_person_changelist"),
    ],
    ids=["detained persons", "people"],
)
def test_every_country_filter_offers_only_the_countries_in_its_list(staff_client, factory, url):
    factory(country="VN")
    factory(country="CN")
    OrganizationFactory(country="FR")  # another list's country
    assert _country_filter(staff_client.get(reverse(url))) == ["All", "China", "Vietnam"]


def test_the_case_events_country_filter_lists_the_countries_of_people_with_events(staff_client):
    CaseEventFactory(person=DetainedPersonFactory(country="VN"))
    DetainedPersonFactory(country="CN")  # no events
    response = staff_client.get(reverse("admin:tracker_caseevent_changelist"))
    assert _country_filter(response) == ["All", "Vietnam"]


def test_choosing_a_country_or_none_lists_those_organizations(staff_client):
    OrganizationFactory(name="Amnesty France", country="FR")
    OrganizationFactory(name="Stateless", country="")
    OrganizationFactory(name="China Labour Bulletin", country="CN")
    url = reverse("admin:campaigns_organization_changelist")

    def listed(query):
        return [o.name for o in staff_client.get(url, query).context["cl"].result_list]

    assert listed({"country__exact": "FR"}) == ["Amnesty France"]
    assert listed({"country__exact": NO_COUNTRY_VALUE}) == ["Stateless"]  # the dropdown's
    assert listed({"country__exact": ""}) == ["Stateless"]  # the stock filter's link


def test_the_country_filter_list_takes_as_many_queries_for_many_countries_as_for_one(
    staff_client,
):
    url = reverse("admin:campaigns_organization_changelist")
    OrganizationFactory(country="FR")
    with CaptureQueriesContext(connection) as few:
        staff_client.get(url)
    for country in ["CN", "DE", "VN", "US", "GB", ""]:
        OrganizationFactory.create_batch(3, country=country)
    with CaptureQueriesContext(connection) as many:
        response = staff_client.get(url)
    assert len(_country_filter(response)) == 8
    assert len(many) == len(few)


@pytest.mark.parametrize(
    "url", ["admin:tracker_detainedperson_changelist", "admin:tracker_caseevent_changelist"]
)
def test_the_country_filter_reads_indexes_not_every_case(staff_client, monkeypatch, url):
    """The countries come from a walk over the country column's index (and, across the case
    events' relation, an EXISTS per country), not a SELECT DISTINCT over every record."""
    monkeypatch.setattr(probes, "_met_one_by_one", None)  # the query compiled once
    CaseEventFactory(person=DetainedPersonFactory(country="VN"))
    DetainedPersonFactory(country="CN")
    with CaptureQueriesContext(connection) as page:
        response = staff_client.get(reverse(url))
    assert len(_country_filter(response)) > 1
    distinct = [q["sql"] for q in page.captured_queries if "SELECT DISTINCT" in q["sql"]]
    assert not [sql for sql in distinct if "country" in sql]
