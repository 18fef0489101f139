"""A path under /api/ that no endpoint matches answers the API's JSON 404, whoever asks and
whether DEBUG is on (Django's HTML debug page would list every URL pattern) or off."""

import json

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

UNKNOWN = ["/api/nonexistent/", "/api/campaigns/1/nonexistent/", "/api/campaigns/not-a-number/"]


@pytest.fixture(params=[True, False], ids=["DEBUG on", "DEBUG off"])
def debug(request, settings):
    settings.DEBUG = request.param
    return request.param


@pytest.fixture(params=["anonymous", "viewer"])
def api_client(request):
    return request.getfixturevalue(f"{request.param}_client")


@pytest.mark.parametrize("path", UNKNOWN)
def test_an_unknown_api_path_is_a_json_404(api_client, debug, path):
    response = api_client.get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content) == {"detail": "Not found."}


def test_a_post_to_an_unknown_api_path_is_a_json_404_not_a_csrf_page(debug):
    browser_like = APIClient(enforce_csrf_checks=True)
    response = browser_like.post("/api/nonexistent/", {"name": "x"}, format="json")
    assert response.status_code == 404
    assert json.loads(response.content) == {"detail": "Not found."}


def test_an_unknown_api_path_without_its_slash_leads_to_the_json_404(anonymous_client, debug):
    response = anonymous_client.get("/api/nonexistent", follow=True)
    assert response.redirect_chain == [("/api/nonexistent/", 301)]
    assert json.loads(response.content) == {"detail": "Not found."}


def test_a_known_endpoint_still_asks_anonymous_clients_to_log_in(anonymous_client, debug):
    response = anonymous_client.get("/api/campaigns/")
    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication credentials were not provided."}


def test_an_unknown_path_outside_the_api_is_still_an_html_page(client, debug):
    response = client.get("/nonexistent/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
