"""Issue 18 §4: every answer carries a Content-Security-Policy (no inline script, no plug-ins,
no framing) and a Permissions-Policy (no camera, microphone, location...). The browser tests
(tests/browser/test_content_security_policy.py) check that the pages still work under it."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    parsed = {}
    for part in header.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


def assert_strict(policy: dict[str, list[str]]) -> None:
    assert policy["default-src"] == ["'self'"]
    # Scripts come from Vigil's own static files only: no inline script, no other host.
    assert "'unsafe-inline'" not in policy["script-src"]
    assert [source for source in policy["script-src"] if not source.startswith("'")] == []
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]


def assert_no_powerful_features(response) -> None:
    features = dict(
        item.strip().split("=", 1) for item in response["Permissions-Policy"].split(",")
    )
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert features[feature] == "()", feature


def test_the_login_page_carries_both_policies(client):
    response = client.get(reverse("admin:login"))
    assert response.status_code == 200
    assert_strict(directives(response))
    assert_no_powerful_features(response)


def test_an_admin_page_carries_both_policies(client, superuser):
    client.force_login(superuser)
    response = client.get(reverse("admin:tracker_detainedperson_changelist"))
    assert response.status_code == 200
    assert_strict(directives(response))
    assert_no_powerful_features(response)


def test_an_api_answer_carries_both_policies(viewer_client):
    response = viewer_client.get("/api/campaigns/")
    assert response.status_code == 200
    assert_strict(directives(response))
    assert_no_powerful_features(response)


def test_the_api_docs_load_their_script_from_a_file_not_inline(client):
    # Swagger UI's set-up script is served apart (drf-spectacular's split view), so that the
    # docs need no 'unsafe-inline' for scripts.
    page = client.get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<script>" not in html
    assert_strict(directives(page))
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()


def test_the_api_docs_allow_no_eval_either(client):
    # Only the admin's theme (Alpine.js) needs 'unsafe-eval'; Swagger UI works without it.
    policy = directives(client.get("/api/docs/"))
    assert policy["script-src"] == ["'self'"]
