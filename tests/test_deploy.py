"""Issue 18 §2: the shipped docker-compose.yml runs the production shape, a reverse proxy in
front of gunicorn, so that no client chooses its own address (X-Forwarded-For) or scheme
(X-Forwarded-Proto). No Docker engine runs the tests: they read the files."""

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
SERVICES = COMPOSE["services"]
CADDYFILE = ROOT / "deploy" / "Caddyfile"
APP_SERVICES = ["migrate", "web", "scheduler", "worker", "digests", "beat"]


def _networks(service: dict) -> set[str]:
    networks = service.get("networks", ["default"])
    return set(networks if isinstance(networks, list) else networks.keys())


def test_gunicorn_publishes_no_port_of_its_own():
    web = SERVICES["web"]
    assert "ports" not in web
    assert [str(port) for port in web["expose"]] == ["8000"]


def test_only_the_proxy_publishes_ports():
    assert [name for name, service in SERVICES.items() if service.get("ports")] == ["proxy"]


def test_the_proxy_is_a_pinned_caddy_publishing_http_and_https():
    proxy = SERVICES["proxy"]
    # An exact release, never a moving tag (latest, 2, 2.10).
    version = re.fullmatch(r"caddy:(\d+)\.(\d+)\.(\d+)", proxy["image"])
    assert version
    # deploy/Caddyfile's {client_ip} placeholder came with Caddy 2.7.
    assert tuple(int(part) for part in version.groups()) >= (2, 7, 0)
    published = {str(port).split(":")[0] for port in proxy["ports"]}
    assert published == {"80", "443"}
    assert "./deploy/Caddyfile:/etc/caddy/Caddyfile:ro" in proxy["volumes"]
    assert CADDYFILE.is_file()


def test_only_the_proxy_shares_a_network_with_gunicorn():
    edge = _networks(SERVICES["proxy"])
    assert edge, "the proxy must be on a network"
    reaching = {name for name, service in SERVICES.items() if _networks(service) & edge}
    assert reaching == {"proxy", "web"}
    # The proxy reaches nothing but gunicorn: not the database, not Redis.
    assert not _networks(SERVICES["proxy"]) & (
        _networks(SERVICES["db"]) | _networks(SERVICES["redis"])
    )


@pytest.mark.parametrize("name", APP_SERVICES)
def test_the_app_trusts_exactly_the_one_proxy_in_front(name):
    # Not "${API_NUM_PROXIES:-1}": an .env copied with 0 or 2 would let clients pick their address.
    assert str(SERVICES[name]["environment"]["API_NUM_PROXIES"]) == "1"


def _caddy_directives() -> list[str]:
    lines = CADDYFILE.read_text(encoding="utf-8").splitlines()
    return [
        " ".join(line.split())
        for line in lines
        if line.strip() and not line.lstrip().startswith("#")
    ]


def test_the_proxy_overwrites_the_forwarded_address_and_scheme():
    directives = _caddy_directives()
    assert "reverse_proxy web:8000 {" in directives
    # Set, not appended to: whatever the client sent in these headers is replaced.
    assert "header_up X-Forwarded-For {client_ip}" in directives
    assert "header_up X-Forwarded-Proto {scheme}" in directives


def test_the_proxy_serves_the_site_url():
    assert SERVICES["proxy"]["environment"]["SITE_URL"].startswith("${SITE_URL:?")
    assert "{$SITE_URL} {" in _caddy_directives()
