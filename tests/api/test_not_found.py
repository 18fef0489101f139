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


METHODS = ["get", "post", "put", "patch", "delete", "head", "options"]


@pytest.mark.parametrize("method", METHODS)
def test_an_unknown_api_path_without_its_slash_is_a_json_404(anonymous_client, debug, method):
    response = getattr(anonymous_client, method)("/api/nonexistent")
    assert response.status_code == 404
    if method != "head":
        assert json.loads(response.content) == {"detail": "Not found."}


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize(
    "path", ["/api/people", "/api/campaigns/1", "/api/letters/1/signatures/import"]
)
def test_an_endpoint_without_its_slash_is_a_json_404_naming_the_path_for_every_method(
    editor_client, debug, method, path
):
    """Django's APPEND_SLASH cannot redirect a POST: with DEBUG on it was a 500, with DEBUG
    off its redirect turned the write into a GET of the list, and nothing was written."""
    response = getattr(editor_client, method)(path, {"full_name": "Jane Example"})
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    if method != "head":
        assert response.json() == {"detail": f"Not found. API paths end with a slash: {path}/"}


def test_a_known_endpoint_still_asks_anonymous_clients_to_log_in(anonymous_client, debug):
    response = anonymous_client.get("/api/campaigns/")
    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication credentials were not provided."}


def test_an_unknown_path_outside_the_api_is_still_an_html_page(client, debug):
    response = client.get("/nonexistent/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
