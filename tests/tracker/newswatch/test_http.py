"""tracker.newswatch.http against real servers on the loopback interface (see servers.py)."""

import gzip
import multiprocessing
import pickle
import socket
import threading
import time
import tracemalloc
import zlib
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from django.conf import settings

from tracker.newswatch import http
from tracker.newswatch.http import FetchError, check_url, fetch

from .servers import (
    LocalServer,
    redirect,
    reply,
    self_signed_certificate,
    stall,
    stream,
    trickle,
    trickle_headers,
)

LOOPBACK = ["127.0.0.0/8"]
FEED = b"<?xml version='1.0'?><rss><channel><title>Vigil test feed</title></channel></rss>"


@pytest.fixture
def server():
    with LocalServer() as local:
        yield local


@pytest.fixture
def connections(monkeypatch):
    """Every address a socket connects to during the test (a spy: connections still happen)."""
    seen = []
    real_connect = socket.socket.connect

    def connect(sock, address):
        seen.append(address[0])
        return real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    return seen


def fetch_error(url, **kwargs) -> FetchError:
    with pytest.raises(FetchError) as caught:
        fetch(url, **kwargs)
    return caught.value


def refusal(url, **kwargs) -> FetchError:
    with pytest.raises(FetchError) as caught:
        check_url(url, **kwargs)
    assert caught.value.kind == "refused_url"
    assert not caught.value.is_network_failure
    return caught.value


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- Successful fetches -------------------------------------------------------------------------


def test_a_200_answer_gives_the_body_and_its_validators(server):
    server.route(
        "/feed.xml",
        reply(
            200,
            FEED,
            {
                "ETag": '"v1"',
                "Last-Modified": "Wed, 01 Jan 2025 10:00:00 GMT",
                "Content-Type": "application/rss+xml; charset=utf-8",
            },
        ),
    )

    result = fetch(server.url("/feed.xml"), allowed_networks=LOOPBACK)

    assert result == http.FetchResult(
        status=200,
        body=FEED,
        url=server.url("/feed.xml"),
        etag='"v1"',
        last_modified="Wed, 01 Jan 2025 10:00:00 GMT",
        content_type="application/rss+xml; charset=utf-8",
    )


def test_missing_validators_are_empty_strings(server):
    server.route("/plain", reply(200, b"hello"))

    result = fetch(server.url("/plain"), allowed_networks=LOOPBACK)

    assert (result.etag, result.last_modified, result.content_type) == ("", "", "")


def test_a_conditional_get_sends_the_validators_and_304_gives_an_empty_body(server):
    server.route("/feed.xml", reply(304, headers={"ETag": '"v1"'}, content_length=False))

    result = fetch(
        server.url("/feed.xml"),
        etag='"v1"',
        last_modified="Wed, 01 Jan 2025 10:00:00 GMT",
        allowed_networks=LOOPBACK,
    )

    assert (result.status, result.body) == (304, b"")
    sent = server.requests[0].headers
    assert sent["if-none-match"] == '"v1"'
    assert sent["if-modified-since"] == "Wed, 01 Jan 2025 10:00:00 GMT"


def test_an_unconditional_get_sends_no_validators(server):
    server.route("/feed.xml", reply(200, FEED))

    fetch(server.url("/feed.xml"), allowed_networks=LOOPBACK)

    assert "if-none-match" not in server.requests[0].headers
    assert "if-modified-since" not in server.requests[0].headers


@pytest.mark.parametrize(
    ("encoding", "compress"),
    [
        ("gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("deflate", lambda data: zlib.compress(data, wbits=-15)),  # raw deflate, as some send it
    ],
)
def test_a_compressed_body_is_decoded(server, encoding, compress):
    server.route("/feed.xml", reply(200, compress(FEED), {"Content-Encoding": encoding}))

    result = fetch(server.url("/feed.xml"), allowed_networks=LOOPBACK)

    assert result.body == FEED
    assert server.requests[0].headers["accept-encoding"] == "gzip, deflate"


def test_the_user_agent_is_the_configured_one(server):
    server.route("/", reply(200, b"ok"))

    fetch(server.url("/"), allowed_networks=LOOPBACK)

    assert server.requests[0].headers["user-agent"] == settings.NEWSWATCH_USER_AGENT


def test_the_host_header_is_the_urls_host_though_the_checked_address_is_dialled(
    server, connections
):
    server.route("/", reply(200, b"ok"))

    fetch(server.url("/", host="localhost"), allowed_networks=LOOPBACK)

    assert server.requests[0].headers["host"] == f"localhost:{server.port}"
    assert connections == ["127.0.0.1"]


def test_extra_headers_are_sent_but_cannot_replace_the_host(server):
    server.route("/", reply(200, b"ok"))

    fetch(
        server.url("/"),
        headers={"Accept": "application/rss+xml", "Host": "intranet.example"},
        allowed_networks=LOOPBACK,
    )

    sent = server.requests[0].headers
    assert sent["accept"] == "application/rss+xml"
    assert sent["host"] == f"127.0.0.1:{server.port}"


def test_limits_and_allowed_networks_default_to_the_settings(server, settings):
    settings.NEWSWATCH_ALLOWED_NETWORKS = LOOPBACK
    settings.NEWSWATCH_MAX_BYTES = 10
    server.route("/", reply(200, b"more than ten bytes"))

    error = fetch_error(server.url("/"))

    assert error.kind == "too_large"
    assert error.message == "The answer from 127.0.0.1 is larger than the 10 bytes limit."


# --- Size ---------------------------------------------------------------------------------------


def test_a_body_far_over_the_cap_is_cut_off_as_soon_as_it_passes_it(server):
    server.route("/huge", stream([b"x" * 65536] * 80))  # 5 MB, no Content-Length

    started = time.monotonic()
    error = fetch_error(server.url("/huge"), max_bytes=1000, allowed_networks=LOOPBACK)

    assert error.kind == "too_large"
    assert not error.is_network_failure
    assert time.monotonic() - started < 1.0


def test_a_content_length_over_the_cap_is_refused_before_the_body_arrives(server):
    server.route("/huge", stall({"Content-Length": str(10 * 1024 * 1024)}))

    started = time.monotonic()
    error = fetch_error(server.url("/huge"), max_bytes=5 * 1024 * 1024, allowed_networks=LOOPBACK)

    assert error.kind == "too_large"
    assert error.message == "The answer from 127.0.0.1 is larger than the 5 MB limit."
    assert time.monotonic() - started < 1.0


def test_a_gzip_bomb_is_too_large_without_being_decoded_into_memory(server):
    packer = zlib.compressobj(wbits=31)  # gzip
    zeros = bytes(1024 * 1024)
    bomb = b"".join(packer.compress(zeros) for _ in range(50)) + packer.flush()  # 50 MB
    assert len(bomb) < 100_000
    server.route("/bomb", reply(200, bomb, {"Content-Encoding": "gzip"}))

    tracemalloc.start()
    try:
        error = fetch_error(server.url("/bomb"), max_bytes=1_000_000, allowed_networks=LOOPBACK)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert error.kind == "too_large"
    assert peak < 8 * 1024 * 1024


def test_a_compressed_body_that_decodes_to_nothing_is_cut_off_at_the_cap_as_it_arrives(server):
    # A gzip header, then empty deflate blocks without end: the raw size is capped too.
    empty_blocks = b"\x00\x00\x00\xff\xff" * 13_000
    server.route(
        "/feed.xml",
        stream(
            [b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03", *[empty_blocks] * 80],
            {"Content-Encoding": "gzip"},
        ),
    )

    started = time.monotonic()
    error = fetch_error(server.url("/feed.xml"), max_bytes=1000, allowed_networks=LOOPBACK)

    assert error.kind == "too_large"
    assert time.monotonic() - started < 1.0


def test_every_member_of_a_multi_member_gzip_body_is_decoded(server):
    body = gzip.compress(FEED[:40]) + gzip.compress(FEED[40:])
    server.route("/feed.xml", reply(200, body, {"Content-Encoding": "x-gzip"}))

    assert fetch(server.url("/feed.xml"), allowed_networks=LOOPBACK).body == FEED


def test_padding_after_a_whole_gzip_body_is_ignored_as_browsers_ignore_it(server):
    server.route(
        "/feed.xml", reply(200, gzip.compress(FEED) + bytes(64), {"Content-Encoding": "gzip"})
    )

    assert fetch(server.url("/feed.xml"), allowed_networks=LOOPBACK).body == FEED


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
def test_a_body_that_does_not_decode_is_a_protocol_error(server, encoding):
    server.route(
        "/feed.xml", reply(200, b"this is not compressed" * 10, {"Content-Encoding": encoding})
    )

    error = fetch_error(server.url("/feed.xml"), allowed_networks=LOOPBACK)

    assert (error.kind, error.is_network_failure) == ("protocol", False)
    assert error.message == "127.0.0.1 sent a compressed answer that could not be unpacked."


def test_a_body_compressed_twice_is_a_protocol_error(server):
    body = zlib.compress(gzip.compress(FEED))
    server.route("/feed.xml", reply(200, body, {"Content-Encoding": "gzip, deflate"}))

    error = fetch_error(server.url("/feed.xml"), allowed_networks=LOOPBACK)

    assert error.kind == "protocol"
    assert "more than once (gzip, deflate)" in error.message


def test_a_large_compressed_body_within_the_cap_is_decoded_whole(server):
    text = b"".join(b"<item>%d</item>" % n for n in range(200_000))  # 3 MB, many chunks
    server.route("/feed.xml", reply(200, gzip.compress(text), {"Content-Encoding": "gzip"}))

    result = fetch(server.url("/feed.xml"), max_bytes=len(text), allowed_networks=LOOPBACK)

    assert result.body == text


def test_a_body_cut_short_is_a_protocol_error(server):
    server.route(
        "/feed.xml", reply(200, FEED[:20], {"Content-Length": str(len(FEED))}, content_length=False)
    )

    error = fetch_error(server.url("/feed.xml"), allowed_networks=LOOPBACK)

    assert error.kind == "protocol"
    assert "broke off before a complete answer arrived" in error.message


def test_an_encoding_we_did_not_ask_for_is_a_protocol_error(server):
    server.route("/", reply(200, b"\x1b\x00", {"Content-Encoding": "br"}))

    error = fetch_error(server.url("/"), allowed_networks=LOOPBACK)

    assert error.kind == "protocol"


# --- Time ---------------------------------------------------------------------------------------


def test_a_server_trickling_its_body_is_cut_off_at_the_deadline(server):
    server.route("/slow", stream(trickle(every=0.2)))

    started = time.monotonic()
    error = fetch_error(server.url("/slow"), deadline=1.0, allowed_networks=LOOPBACK)

    assert error.kind == "timeout"
    assert error.is_network_failure
    assert error.message == (
        "127.0.0.1 took longer than 1 seconds to answer; the fetch was stopped."
    )
    assert time.monotonic() - started < 1.5


def test_a_server_trickling_its_headers_is_cut_off_at_the_deadline(server):
    server.route("/slow", trickle_headers(every=0.2))

    started = time.monotonic()
    error = fetch_error(server.url("/slow"), deadline=1.0, allowed_networks=LOOPBACK)

    assert error.kind == "timeout"
    assert time.monotonic() - started < 1.5


def test_a_short_deadline_fires_on_time_behind_longer_ones(server):
    """The deadlines of all fetches share one timer thread: a fetch with a short deadline is
    still cut off on time while earlier fetches with long deadlines are pending or finished."""
    server.route("/feed", reply(200, FEED))
    server.route("/slow", trickle_headers(every=0.2))
    for _ in range(20):  # finished fetches leave long (cancelled) deadlines behind
        assert fetch(server.url("/feed"), deadline=60, allowed_networks=LOOPBACK).status == 200

    started = time.monotonic()
    error = fetch_error(server.url("/slow"), deadline=0.5, allowed_networks=LOOPBACK)

    assert error.kind == "timeout"
    assert time.monotonic() - started < 1.0


def test_the_deadline_holds_in_a_forked_worker_process(server):
    """Celery's prefork workers are forked from a parent whose timer thread may be running."""
    server.route("/feed", reply(200, FEED))
    server.route("/slow", trickle_headers(every=0.2))
    assert fetch(server.url("/feed"), allowed_networks=LOOPBACK).status == 200
    context = multiprocessing.get_context("fork")
    results = context.Queue()

    def child() -> None:
        started = time.monotonic()
        try:
            fetch(server.url("/slow"), deadline=0.5, allowed_networks=LOOPBACK)
        except FetchError as error:
            results.put((error.kind, time.monotonic() - started))

    process = context.Process(target=child)
    process.start()
    process.join(timeout=10)

    kind, seconds = results.get(timeout=1)
    assert kind == "timeout"
    assert seconds < 1.5


def test_a_server_that_stops_sending_hits_the_read_timeout(server):
    server.route("/stuck", stall({"Content-Length": "100"}, seconds=2))

    started = time.monotonic()
    error = fetch_error(
        server.url("/stuck"), read_timeout=0.3, deadline=5.0, allowed_networks=LOOPBACK
    )

    assert error.kind == "timeout"
    assert error.is_network_failure
    assert time.monotonic() - started < 1.5


# --- Redirects ----------------------------------------------------------------------------------


def test_a_relative_redirect_is_followed(server):
    server.route("/old/feed", redirect("../new/feed?page=1", status=301))
    server.route("/new/feed", reply(200, FEED))

    result = fetch(server.url("/old/feed"), allowed_networks=LOOPBACK)

    assert result.body == FEED
    assert result.url == server.url("/new/feed?page=1")
    assert server.paths == ["/old/feed", "/new/feed?page=1"]


def test_five_redirects_are_followed(server):
    for hop in range(5):
        server.route(f"/hop/{hop}", redirect(f"/hop/{hop + 1}"))
    server.route("/hop/5", reply(200, FEED))

    result = fetch(server.url("/hop/0"), allowed_networks=LOOPBACK)

    assert result.url == server.url("/hop/5")


def test_a_sixth_redirect_is_too_many(server):
    for hop in range(6):
        server.route(f"/hop/{hop}", redirect(f"/hop/{hop + 1}"))
    server.route("/hop/6", reply(200, FEED))

    error = fetch_error(server.url("/hop/0"), allowed_networks=LOOPBACK)

    assert error.kind == "too_many_redirects"
    assert not error.is_network_failure
    assert "/hop/6" not in server.paths


def test_a_redirect_loop_is_too_many_redirects(server):
    server.route("/a", redirect("/b"))
    server.route("/b", redirect("/a"))

    error = fetch_error(server.url("/a"), allowed_networks=LOOPBACK)

    assert error.kind == "too_many_redirects"
    assert server.paths == ["/a", "/b"]


def test_a_redirect_to_the_cloud_metadata_address_is_refused_unrequested(server, connections):
    server.route("/feed", redirect("http://169.254.169.254/latest/meta-data"))

    error = fetch_error(server.url("/feed"), allowed_networks=LOOPBACK)

    assert error.kind == "refused_url"
    assert error.message == (
        "Refused: 169.254.169.254 is a link-local address; only public addresses are fetched."
    )
    assert server.paths == ["/feed"]
    assert connections == ["127.0.0.1"]


def test_every_redirect_hop_is_checked_against_the_allowed_networks(server):
    with LocalServer("127.0.0.2") as internal:
        internal.route("/secret", reply(200, b"internal"))
        server.route("/feed", redirect(internal.url("/secret")))

        error = fetch_error(server.url("/feed"), allowed_networks=["127.0.0.1/32"])

        assert error.kind == "refused_url"
        assert internal.requests == []


# --- HTTP errors --------------------------------------------------------------------------------


def test_a_server_error_is_an_http_error_left_to_the_sources_backoff(server):
    server.route("/", reply(500, b"oops"))

    error = fetch_error(server.url("/"), allowed_networks=LOOPBACK)

    assert (error.kind, error.status, error.is_network_failure) == ("http", 500, False)
    assert error.message == "The server answered HTTP 500 (Internal Server Error)."
    assert error.retry_after is None


def test_not_found_is_an_http_error(server):
    error = fetch_error(server.url("/gone"), allowed_networks=LOOPBACK)

    assert (error.kind, error.status, error.is_network_failure) == ("http", 404, False)


def test_too_many_requests_gives_the_retry_after_seconds(server):
    server.route("/", reply(429, headers={"Retry-After": "120"}))

    error = fetch_error(server.url("/"), allowed_networks=LOOPBACK)

    assert (error.kind, error.status, error.is_network_failure) == ("http", 429, False)
    assert error.retry_after == 120
    assert "wait 120 seconds" in error.message


def test_service_unavailable_with_an_http_date_gives_the_seconds_until_then(server):
    then = datetime.now(UTC) + timedelta(seconds=90)
    server.route("/", reply(503, headers={"Retry-After": format_datetime(then, usegmt=True)}))

    error = fetch_error(server.url("/"), allowed_networks=LOOPBACK)

    assert (error.kind, error.status, error.is_network_failure) == ("http", 503, False)
    assert 80 < error.retry_after <= 90


def test_fetch_errors_survive_pickling():
    error = FetchError("http", "The server answered HTTP 429.", status=429, retry_after=60.0)

    copy = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own bytes

    assert (copy.kind, copy.message, copy.status, copy.retry_after) == (
        "http",
        "The server answered HTTP 429.",
        429,
        60.0,
    )
    network = pickle.loads(pickle.dumps(FetchError("dns", "Could not look up x.")))  # noqa: S301
    assert network.is_network_failure
    assert str(copy) == "The server answered HTTP 429."


# --- Network failures ---------------------------------------------------------------------------


def test_a_port_with_nothing_listening_is_a_connect_error():
    error = fetch_error(f"http://127.0.0.1:{free_port()}/", allowed_networks=LOOPBACK)

    assert (error.kind, error.is_network_failure) == ("connect", True)
    assert error.message == "Could not connect to 127.0.0.1: connection refused."


def test_a_host_that_does_not_resolve_is_a_dns_error():
    error = fetch_error("http://nonexistent.invalid/feed.xml")

    assert (error.kind, error.is_network_failure) == ("dns", True)
    assert error.message.startswith("Could not look up nonexistent.invalid")


@pytest.fixture
def silent_name_servers(monkeypatch):
    """A resolver whose name servers do not answer (a look-up hangs until the test ends, or
    for 5 s at most), standing in for the DNS servers outside this machine. Gives the list of
    hosts looked up."""
    asked = []
    test_over = threading.Event()

    def getaddrinfo(host, port, *args, **kwargs):
        asked.append(host)
        test_over.wait(5)
        raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    yield asked
    test_over.set()  # frees the resolver threads for the tests that follow


def test_a_look_up_that_outlasts_the_deadline_is_given_up_at_the_deadline(silent_name_servers):
    started = time.monotonic()
    error = fetch_error("http://slow-dns.example/feed.xml", deadline=0.5, connect_timeout=10)

    assert time.monotonic() - started < 1.0
    assert silent_name_servers == ["slow-dns.example"]
    assert (error.kind, error.is_network_failure) == ("dns", True)
    assert error.message == (
        "Could not look up slow-dns.example: the name servers did not answer within 0.5 "
        "seconds, try again later."
    )


def test_a_look_up_is_bounded_by_the_connect_timeout(silent_name_servers):
    started = time.monotonic()
    error = fetch_error("http://slow-dns.example/feed.xml", deadline=30, connect_timeout=0.3)

    assert time.monotonic() - started < 0.8
    assert error.kind == "dns"
    assert "within 0.3 seconds" in error.message


def test_a_hop_checked_after_the_deadline_is_a_timeout_without_a_look_up(silent_name_servers):
    """A redirect hop reached once the fetch's time is up: the deadline, not DNS, is what
    failed, and no look-up is started."""
    with pytest.raises(FetchError) as caught:
        http._check("http://slow-dns.example/feed.xml", [], 10, http._Deadline(0))

    assert caught.value.kind == "timeout"
    assert silent_name_servers == []


def test_checking_a_url_stops_waiting_for_dns_after_the_connect_timeout(
    silent_name_servers, settings
):
    settings.NEWSWATCH_CONNECT_TIMEOUT = 0.3
    started = time.monotonic()
    with pytest.raises(FetchError) as caught:
        check_url("https://slow-dns.example/rss")

    assert time.monotonic() - started < 0.8
    assert caught.value.kind == "dns"


def test_look_ups_work_in_a_forked_worker_process(silent_name_servers):
    """Celery's prefork workers are forked from a parent whose resolver threads may all be
    busy: those threads are not copied into the child, which must start its own rather than
    queue its look-ups behind threads that do not exist there."""
    for _ in range(http._Resolver.MAX_THREADS):  # every resolver thread of the parent hangs
        with pytest.raises(FetchError):
            fetch("http://slow-dns.example/feed.xml", deadline=0.1)
    context = multiprocessing.get_context("fork")
    results = context.Queue()

    def child() -> None:
        socket.getaddrinfo = lambda host, port, *args, **kwargs: [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))
        ]
        try:
            check_url("http://quick-dns.example/feed.xml", allowed_networks=LOOPBACK)
            results.put("resolved")
        except FetchError as error:
            results.put(error.message)

    process = context.Process(target=child)
    process.start()
    process.join(timeout=15)

    assert results.get(timeout=1) == "resolved"


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    cert = self_signed_certificate(tmp_path_factory.mktemp("tls"))
    if cert is None:
        pytest.skip("needs the openssl command to make a certificate")
    return cert


def test_an_untrusted_certificate_is_a_tls_error(certificate):
    with LocalServer(tls=certificate) as tls_server:
        tls_server.route("/", reply(200, b"ok"))

        error = fetch_error(tls_server.url("/", host="localhost"), allowed_networks=LOOPBACK)

    assert (error.kind, error.is_network_failure) == ("tls", False)
    assert "certificate" in error.message
    assert tls_server.requests == []


def test_https_verifies_the_host_name_while_dialling_the_checked_address(
    certificate, monkeypatch, connections
):
    # Trust the test certificate instead of the public ones: the environment, not the code.
    monkeypatch.setattr(http, "_CA_CERTS", str(certificate.cert_file))
    with LocalServer(tls=certificate) as tls_server:
        tls_server.route("/", reply(200, b"secure"))

        result = fetch(tls_server.url("/", host="localhost"), allowed_networks=LOOPBACK)

    assert result.body == b"secure"
    assert tls_server.requests[0].headers["host"] == f"localhost:{tls_server.port}"
    assert connections == ["127.0.0.1"]


def test_a_trusted_certificate_for_another_host_name_is_a_tls_error_though_its_address_matches(
    tmp_path, monkeypatch
):
    # Valid for elsewhere.example and for 127.0.0.1, the address dialled, but not for localhost.
    other = self_signed_certificate(tmp_path, name="elsewhere.example")
    if other is None:
        pytest.skip("needs the openssl command to make a certificate")
    monkeypatch.setattr(http, "_CA_CERTS", str(other.cert_file))
    with LocalServer(tls=other) as tls_server:
        tls_server.route("/", reply(200, b"secure"))

        error = fetch_error(tls_server.url("/", host="localhost"), allowed_networks=LOOPBACK)

    assert error.kind == "tls"
    assert "certificate" in error.message
    assert tls_server.requests == []


def test_a_server_trickling_over_https_is_cut_off_at_the_deadline(certificate, monkeypatch):
    monkeypatch.setattr(http, "_CA_CERTS", str(certificate.cert_file))
    with LocalServer(tls=certificate) as tls_server:
        tls_server.route("/slow", stream(trickle(every=0.2)))

        started = time.monotonic()
        error = fetch_error(tls_server.url("/slow"), deadline=1.0, allowed_networks=LOOPBACK)

    assert error.kind == "timeout"
    assert time.monotonic() - started < 1.5


# --- The SSRF defence ---------------------------------------------------------------------------


def test_a_loopback_url_without_allowed_networks_is_refused_unrequested(server, connections):
    server.route("/", reply(200, b"internal"))

    error = fetch_error(server.url("/"), allowed_networks=[])

    assert error.kind == "refused_url"
    assert error.message == (
        "Refused: 127.0.0.1 is a loopback address; only public addresses are fetched."
    )
    assert server.requests == []
    assert connections == []


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://ftp.example.org/feed.xml", "gopher://example.org/"]
)
def test_schemes_other_than_http_and_https_are_refused(url):
    refusal(url)
    error = fetch_error(url)
    assert error.kind == "refused_url"


def test_localhost_is_refused_because_it_resolves_to_loopback():
    error = refusal("http://localhost/")

    assert error.message == (
        "Refused: localhost resolves to 127.0.0.1, a loopback address; "
        "only public addresses are fetched."
    )


@pytest.mark.parametrize(
    ("host", "reason"),
    [
        ("10.0.0.1", "a private address"),
        ("172.16.0.1", "a private address"),
        ("192.168.1.1", "a private address"),
        ("100.64.0.1", "a carrier-grade NAT address"),
        ("224.0.0.1", "a multicast address"),
        ("0.0.0.0", "an unspecified address"),  # noqa: S104 - refusing it is the point
        ("169.254.169.254", "a link-local address"),
        ("198.51.100.7", "a reserved address"),
        ("240.0.0.1", "a reserved address"),
        ("[::1]", "a loopback address"),
        ("[::]", "an unspecified address"),
        ("[fc00::1]", "a private address"),
        ("[fe80::1]", "a link-local address"),
        ("[ff02::1]", "a multicast address"),
        ("[2001:db8::1]", "a reserved address"),
        ("[::ffff:127.0.0.1]", "a loopback address"),  # IPv4-mapped
        ("[::ffff:169.254.169.254]", "a link-local address"),
        ("[64:ff9b::a00:1]", "a private address"),  # NAT64 of 10.0.0.1
        ("[2002:c0a8:101::]", "a private address"),  # 6to4 of 192.168.1.1
    ],
)
def test_non_public_addresses_are_refused(host, reason):
    error = refusal(f"http://{host}/")

    assert f" is {reason};" in error.message


@pytest.mark.parametrize(
    "url",
    [
        "http://93.184.215.14/feed.xml",
        "https://[2606:4700::1111]/",
        "http://[::ffff:93.184.215.14]/",  # IPv4-mapped public address
        "http://[64:ff9b::5db8:d70e]/",  # NAT64 of 93.184.215.14
    ],
)
def test_public_addresses_pass(url):
    check_url(url, allowed_networks=[])


def test_allowed_networks_exempt_only_those_networks():
    check_url("http://10.1.2.3/", allowed_networks=["10.0.0.0/8"])
    check_url("http://[::ffff:10.1.2.3]/", allowed_networks=["10.0.0.0/8"])

    refusal("http://192.168.1.1/", allowed_networks=["10.0.0.0/8"])
    refusal("http://127.0.0.1/", allowed_networks=["10.0.0.0/8"])


@pytest.mark.parametrize("url", ["http:///feed.xml", "http://[::1/feed", "http://a..b/"])
def test_malformed_urls_are_refused(url):
    refusal(url)


def test_secret_headers_are_sent_to_the_urls_own_origin():
    with LocalServer() as local:
        local.route("/api", reply(200, b"{}"))
        local.route("/moved", redirect("/api"))
        fetch(local.url("/moved"), allowed_networks=LOOPBACK, secret_headers={"X-Key": "s3cret"})
    assert [r.headers.get("x-key") for r in local.requests] == ["s3cret", "s3cret"]


def test_a_redirect_to_another_origin_is_refused_when_the_request_carries_a_secret():
    with LocalServer() as other, LocalServer() as local:
        other.route("/api", reply(200, b"{}"))
        local.route("/moved", redirect(other.url("/api")))
        with pytest.raises(FetchError) as error:
            fetch(local.url("/moved"), allowed_networks=LOOPBACK, secret_headers={"X-Key": "k"})
        # Without a secret the same redirect is followed.
        assert fetch(local.url("/moved"), allowed_networks=LOOPBACK).status == 200
    assert error.value.kind == "refused_url"
    assert "carries a key" in error.value.message
    assert [r.headers.get("x-key") for r in other.requests] == [None]
