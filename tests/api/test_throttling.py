"""Throttling: rates come from settings.API_THROTTLE_RATES; anonymous clients are counted by
their address, which a forged X-Forwarded-For header cannot change."""

import socket

import pytest
from django.core.cache import cache

from config.api import throttling

pytestmark = pytest.mark.django_db


@pytest.fixture
def tight_rates(settings):
    settings.API_THROTTLE_RATES = {"anon": "2/minute", "user": "1000/minute"}
    cache.clear()


def test_an_anonymous_client_is_throttled_after_the_anon_rate(anonymous_client, tight_rates):
    statuses = [anonymous_client.get("/api/campaigns/").status_code for _ in range(3)]
    assert statuses == [401, 401, 429]
    forged = anonymous_client.get("/api/campaigns/", HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert forged.status_code == 429


def test_a_client_guessing_tokens_is_throttled(anonymous_client, tight_rates):
    statuses = []
    for guess in range(3):
        anonymous_client.credentials(HTTP_AUTHORIZATION=f"Token {guess:040d}")
        statuses.append(anonymous_client.get("/api/campaigns/").status_code)
    assert statuses == [401, 401, 429]


def test_anonymous_requests_to_the_public_schema_are_throttled_by_address(
    anonymous_client, tight_rates
):
    url = "/api/schema/"
    address = {"REMOTE_ADDR": "198.51.100.1"}
    assert anonymous_client.get(url, **address).status_code == 200
    assert anonymous_client.get(url, **address).status_code == 200
    throttled = anonymous_client.get(url, **address)
    assert throttled.status_code == 429
    assert int(throttled["Retry-After"]) > 0
    # A forged X-Forwarded-For does not make the same client look new...
    for forged in ("203.0.113.7", "203.0.113.8, 198.51.100.1"):
        response = anonymous_client.get(url, HTTP_X_FORWARDED_FOR=forged, **address)
        assert response.status_code == 429
    # ...while another address really is another client.
    assert anonymous_client.get(url, REMOTE_ADDR="198.51.100.2").status_code == 200


def test_a_user_is_throttled_after_the_user_rate_and_others_are_not(
    settings, viewer_client, editor_client
):
    settings.API_THROTTLE_RATES = {"anon": "2/minute", "user": "3/minute"}
    statuses = [viewer_client.get("/api/campaigns/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert "throttled" in viewer_client.get("/api/campaigns/").json()["detail"].lower()
    assert editor_client.get("/api/campaigns/").status_code == 200


def test_the_rates_are_read_from_settings_at_request_time(settings, viewer_client):
    settings.API_THROTTLE_RATES = {"anon": "2/minute", "user": "1/minute"}
    assert viewer_client.get("/api/campaigns/").status_code == 200
    assert viewer_client.get("/api/campaigns/").status_code == 429
    settings.API_THROTTLE_RATES = {"anon": "2/minute", "user": "1000/minute"}
    assert viewer_client.get("/api/campaigns/").status_code == 200


@pytest.fixture
def cache_down(settings, monkeypatch):
    """The shared cache is a Redis server that is not running (a closed loopback port)."""
    monkeypatch.setattr(throttling, "_last_warning", 0.0)  # no warning given yet
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    settings.API_THROTTLE_RATES = {"anon": "2/minute", "user": "2/minute"}


def test_the_api_keeps_serving_with_a_warning_when_the_cache_is_down(
    cache_down, viewer_client, anonymous_client, caplog
):
    statuses = [viewer_client.get("/api/campaigns/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 200]  # not throttled, and above all not 500
    # Authentication does not depend on the cache: strangers are still refused.
    assert anonymous_client.get("/api/campaigns/").status_code == 401
    warnings = [r for r in caplog.records if "throttling is off" in r.getMessage()]
    assert [r.levelname for r in warnings] == ["WARNING"]  # once, not once a request
