"""The OpenAPI schema is valid, describes the API, and the API keeps its promises.

The property-based run (schemathesis) generates requests from the schema, valid and invalid,
sends them through the whole Django stack as a superuser, and fails on any 5xx or any answer
that the schema does not describe."""

import pytest
import schemathesis
from django.core import signals
from django.core.management import call_command
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.specs.openapi.checks import positive_data_acceptance

from config.wsgi import application
from tracker.workspace.demo import seed_demo


def test_schema_validates_against_the_openapi_3_specification(tmp_path):
    out = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    text = out.read_text()
    assert text.startswith("openapi: 3.")
    for path in [
        "/api/campaigns/",
        "/api/organizations/",
        "/api/people/",
        "/api/letters/",
        "/api/letters/{id}/signatures/import/",
        "/api/signatures/",
        "/api/detained-persons/",
        "/api/case-events/",
    ]:
        assert f"  {path}:" in text, path


def test_schema_and_docs_are_served_without_login(client):
    assert client.get("/api/schema/").status_code == 200
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"swagger-ui" in docs.content


def test_schema_documents_filters_and_error_shapes(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    params = {p["name"] for p in schema["paths"]["/api/detained-persons/"]["get"]["parameters"]}
    assert {
        "status",
        "country",
        "campaign",
        "gender",
        "detained_after",
        "detained_before",
        "watch_enabled",
        "search",
        "ordering",
        "page",
        "page_size",
    } <= params
    post = schema["paths"]["/api/detained-persons/"]["post"]["responses"]
    assert {"201", "400", "401", "403"} <= set(post)


def _schema(client) -> dict:
    return client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()


def test_schema_states_the_bounds_of_numeric_fields(client):
    schemas = _schema(client)["components"]["schemas"]
    bounds = {
        ("DetainedPersonRequest", "birth_year"): (1880, 2100),
        ("PatchedDetainedPersonRequest", "birth_year"): (1880, 2100),
        ("NewsSourceRequest", "poll_interval_minutes"): (1, 10080),
        ("NewsSourceRequest", "min_interval_seconds"): (0, 3600),
    }
    for (component, field), (low, high) in bounds.items():
        prop = schemas[component]["properties"][field]
        assert (prop["minimum"], prop["maximum"]) == (low, high), (component, field)
    page_size = next(
        p
        for p in _schema(client)["paths"]["/api/detained-persons/"]["get"]["parameters"]
        if p["name"] == "page_size"
    )
    assert (page_size["schema"]["minimum"], page_size["schema"]["maximum"]) == (1, 200)
    # No writable integer is left with the database's own range (2**63 - 1 on SQLite).
    for name, component in schemas.items():
        for field, prop in component.get("properties", {}).items():
            assert prop.get("maximum", 0) < 2**31, (name, field)


def _operations(schema: dict):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            yield f"{method.upper()} {path}", operation


def test_every_operation_is_described_for_integrators(client):
    operations = dict(_operations(_schema(client)))
    assert len(operations) >= 62
    for name, operation in operations.items():
        description = operation.get("description", "")
        assert operation.get("summary"), name
        # More than the permission note every operation gets.
        assert description and not description.startswith("Permission:"), name
        # Nothing of the code's own docstrings (the base viewset's leaked into 49 operations).
        for internal in ("staticmethod", "services", "viewset", "queryset", "perform_"):
            assert internal not in description.lower(), (name, internal)
        assert "Permission: `" in description, name


def test_each_operation_names_the_permission_it_needs(client):
    operations = dict(_operations(_schema(client)))
    assert operations["GET /api/detained-persons/"]["description"].endswith(
        "Permission: `tracker.view_detainedperson` (the Viewer and Editor groups have it)."
    )
    assert operations["DELETE /api/case-events/{id}/"]["description"].endswith(
        "Permission: `tracker.delete_caseevent` (the Editor group has it)."
    )
    assert operations["POST /api/letters/{id}/signatures/import/"]["description"].endswith(
        "Permission: `campaigns.view_letter`, `campaigns.add_signature`, "
        "`campaigns.add_organization`, `campaigns.add_person` (the Editor group has them)."
    )


api = schemathesis.openapi.from_wsgi("/api/schema/", application)


@pytest.fixture
def _keep_test_connection():
    """Django closes the database connection at the end of every request; the test client
    turns that off so the test's transaction survives, and so must this test, which calls the
    WSGI application directly."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def superuser_token(django_user_model, settings, _keep_test_connection):
    settings.API_THROTTLE_RATES = {"anon": "100000/minute", "user": "100000/minute"}
    seed_demo()
    user = django_user_model.objects.create_superuser("fuzzer", "", "x")
    return Token.objects.create(user=user).key


@pytest.mark.django_db
@api.parametrize()
@settings(
    max_examples=15,
    deadline=None,
    derandomize=True,  # the same cases on every run: a failure in CI reproduces locally
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_api_never_answers_5xx_and_matches_its_schema(case, superuser_token):
    case.call_and_validate(
        headers={"Authorization": f"Token {superuser_token}"},
        # Schema-valid is not the same as acceptable: a well-formed id of a letter that does
        # not exist, or a signature naming both an organization and a person, must be a 400.
        excluded_checks=[positive_data_acceptance],
    )
