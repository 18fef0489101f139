"""All outbound HTTP of the news watch goes through this module.

`fetch()` gets one URL with the limits a crawler of other people's servers needs:

* **SSRF defence.** Only http and https. The host is resolved once, every address it resolves
  to must be public (or inside ``NEWSWATCH_ALLOWED_NETWORKS``), and the connection then goes to
  the checked address itself, so a second DNS answer cannot swap in an internal address
  (DNS rebinding). The ``Host`` header, SNI and certificate check use the host name.
  Redirects are followed here, one hop at a time, and every hop is checked the same way; a
  request carrying a secret (``secret_headers``: an API key) is never redirected to another
  origin, which would receive the secret too.
* **Time.** A connect timeout (which bounds the host's DNS look-up too), a read timeout, and a
  deadline for the whole fetch, look-ups included. The deadline is enforced by a watchdog timer
  that shuts the socket down, because a server that trickles its headers or body a byte at a
  time never trips a per-read timeout; look-ups run on resolver threads (`_Resolver`), so a
  fetch stops waiting for name servers that do not answer.
* **Size.** The body is streamed in chunks and decoded (gzip/deflate) incrementally, and
  reading stops as soon as the decoded or the raw size passes the cap.

Each hop is one urllib3 connection (`urllib3.connection.HTTPConnection` or `HTTPSConnection`)
opened to the checked address and closed afterwards: urllib3 writes the request, reads the
status line, headers and body framing (chunked, Content-Length enforced) and, for https, sends
the host name as SNI and checks the certificate against it (a cached `ssl` context trusting
certifi's bundle). No pool: one fetch never reuses a connection, and the watchdog needs the
socket while the headers are still arriving, which a pool does not expose.

Two things stay with the standard library, each for a safety property urllib3 cannot give:

* **The look-up** (`socket.getaddrinfo` on our resolver threads). Given a host name, urllib3
  resolves it inside ``connect()``, with no bound on the look-up's time and no way to check the
  addresses before one is dialled; it is given the checked address instead.
* **Decoding the body** (`zlib`, in `_Inflater`). urllib3's decoding read keeps reading raw
  bytes until it has as many decoded bytes as asked for, so a body that decodes to almost
  nothing is read whole inside one call, past the size cap. Read raw, a chunk at a time, and
  decoded here, both the raw and the decoded size are checked after every chunk.

Every failure is a `FetchError` whose ``kind`` says what went wrong, whose ``message`` is a
sentence staff can read, and whose ``is_network_failure`` says whether trying again soon may
help.
"""

import concurrent.futures
import contextlib
import email.utils
import errno
import functools
import heapq
import http.client
import ipaddress
import itertools
import os
import socket
import ssl
import threading
import time
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus
from types import TracebackType
from typing import Self
from urllib.parse import quote, urljoin, urlsplit

import urllib3
from django.conf import settings
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.exceptions import NewConnectionError, ProtocolError, ReadTimeoutError

try:  # certifi's bundle when it is installed, otherwise the system's trusted certificates.
    import certifi

    _CA_CERTS: str | None = certifi.where()
except ImportError:  # pragma: no cover - depends on the environment
    _CA_CERTS = None

__all__ = ["FetchError", "FetchResult", "check_url", "fetch"]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

MAX_REDIRECTS = 5
CHUNK_SIZE = 64 * 1024
ACCEPT_ENCODING = "gzip, deflate"

_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_DEFAULT_PORTS = {"http": 80, "https": 443}
_DECODABLE_ENCODINGS = frozenset({"", "identity", "gzip", "x-gzip", "deflate"})
# Characters left as they are in a request target: RFC 3986 reserved and unreserved ones, and "%"
# so that existing escapes survive. Anything else (spaces, non-ASCII) is percent-encoded.
_TARGET_SAFE_CHARACTERS = "!#$%&'()*+,/:;=?@[]~"
# Errors that mean the network, the server or TLS let us down (rather than a bug here):
# urllib3's, and http.client's and the socket's, which urllib3 lets through from getresponse().
_NETWORK_ERRORS = (urllib3.exceptions.HTTPError, http.client.HTTPException, OSError, zlib.error)
_NETWORK_KINDS = frozenset({"dns", "connect", "timeout"})


# --- The interface ------------------------------------------------------------------------------


@dataclass(frozen=True)
class FetchResult:
    """A successful fetch: a 2xx answer (normally 200) with its body, or 304 Not Modified."""

    status: int
    body: bytes  # decoded from gzip/deflate; b"" for 304
    url: str  # final URL after redirects
    etag: str  # "" if none
    last_modified: str  # "" if none
    content_type: str  # "" if none


class FetchError(Exception):
    """A fetch that failed.

    ``kind`` is one of "refused_url", "dns", "connect", "timeout", "tls", "http",
    "too_large", "too_many_redirects" or "protocol". ``message`` is a sentence for staff.
    ``status`` is the HTTP status for kind "http", ``retry_after`` the seconds the server asked us
    to wait (Retry-After), and ``is_network_failure`` says whether it is worth trying again
    soon.
    """

    def __init__(
        self,
        kind: str,
        message: str,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        # All four go to Exception.args, so the error pickles (Celery results) and compares.
        super().__init__(kind, message, status, retry_after)
        self.kind = kind
        self.message = message
        self.status = status
        self.retry_after = retry_after

    @property
    def is_network_failure(self) -> bool:
        """DNS, connection or timeout: worth trying again soon (unlike an HTTP error, after
        which the source's backoff, and any Retry-After, decide when to ask again)."""
        return self.kind in _NETWORK_KINDS

    def __str__(self) -> str:
        return self.message


def check_url(url: str, *, allowed_networks: Sequence[str] | None = None) -> None:
    """Raise FetchError(kind="refused_url") unless the scheme is http/https and every address
    the host resolves to is public (or inside allowed_networks). No request is sent.

    A host name that does not resolve, or not within settings.NEWSWATCH_CONNECT_TIMEOUT, raises
    FetchError(kind="dns"). allowed_networks defaults to settings.NEWSWATCH_ALLOWED_NETWORKS.
    """
    connect_timeout = _or_setting(None, "NEWSWATCH_CONNECT_TIMEOUT")
    _check(url, _allowed_networks(allowed_networks), connect_timeout)


def fetch(
    url: str,
    *,
    etag: str = "",
    last_modified: str = "",
    max_bytes: int | None = None,
    deadline: float | None = None,
    connect_timeout: float | None = None,
    read_timeout: float | None = None,
    allowed_networks: Sequence[str] | None = None,
    headers: Mapping[str, str] | None = None,
    secret_headers: Mapping[str, str] | None = None,
) -> FetchResult:
    """GET url, following up to MAX_REDIRECTS redirects, and return the answer or raise FetchError.

    etag and last_modified (from an earlier FetchResult) make the request conditional; an
    unchanged resource gives FetchResult(status=304, body=b""). Limits left as None come from
    the NEWSWATCH_* settings; deadline bounds the whole fetch, redirects included. headers are
    sent as well, but cannot replace Host or Accept-Encoding. secret_headers (an API key) are
    sent to url's own origin only: a redirect to another scheme, host or port is refused
    (kind "refused_url") before anything is sent there.
    """
    limits = _Limits(
        max_bytes=settings.NEWSWATCH_MAX_BYTES if max_bytes is None else max_bytes,
        connect_timeout=_or_setting(connect_timeout, "NEWSWATCH_CONNECT_TIMEOUT"),
        read_timeout=_or_setting(read_timeout, "NEWSWATCH_READ_TIMEOUT"),
    )
    clock = _Deadline(_or_setting(deadline, "NEWSWATCH_FETCH_DEADLINE"))
    networks = _allowed_networks(allowed_networks)
    request_headers = _request_headers(
        {**(headers or {}), **(secret_headers or {})}, etag=etag, last_modified=last_modified
    )

    visited: set[str] = set()
    current = url
    origin: _Target | None = None
    for _hop in range(MAX_REDIRECTS + 1):
        target = _check(current, networks, limits.connect_timeout, clock)
        origin = origin or target
        if secret_headers and target.origin != origin.origin:
            raise FetchError(
                "refused_url",
                f"Refused: {origin.host} redirected to {target.host_header} ({target.scheme}), "
                f"but the request carries a key meant for {origin.host_header} "
                f"({origin.scheme}) only.",
            )
        visited.add(target.url)
        answer = _exchange(target, request_headers, limits, clock)
        if answer.status not in _REDIRECT_STATUSES:
            return _result(target, answer)
        current = _redirect_location(target, answer)
        if current in visited:
            raise FetchError(
                "too_many_redirects",
                f"The server redirects in a loop (back to {current}); the address cannot be read.",
            )
    raise FetchError(
        "too_many_redirects",
        f"The server redirected more than {MAX_REDIRECTS} times; the news watch stops there.",
    )


# --- Limits and the deadline --------------------------------------------------------------------


@dataclass(frozen=True)
class _Limits:
    max_bytes: int
    connect_timeout: float
    read_timeout: float


def _or_setting(value: float | None, name: str) -> float:
    return float(getattr(settings, name)) if value is None else value


class _Deadline:
    """The point in time by which the whole fetch must be over."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._ends_at = time.monotonic() + seconds

    def remaining(self) -> float:
        return self._ends_at - time.monotonic()

    def cap(self, timeout: float, host: str) -> float:
        """Return timeout shortened to the time left; raise a timeout if none is left."""
        remaining = self.remaining()
        if remaining <= 0:
            raise self.error(host)
        return min(timeout, remaining)

    def error(self, host: str) -> FetchError:
        return FetchError(
            "timeout",
            f"{host} took longer than {self.seconds:g} seconds to answer; the fetch was stopped.",
        )


class _Watchdog:
    """Shuts a socket down when the deadline passes, interrupting any read in progress.

    A blocked read then ends as if the server had closed the connection, so whoever reads must
    check `fired` afterwards. Every watchdog of the process is served by one long-lived timer
    thread (`_WatchdogThread`): arming one costs a heap push, not a thread.
    """

    def __init__(self, sock: socket.socket | None, seconds: float) -> None:
        self.fired = False
        self.cancelled = False
        self.due = time.monotonic() + max(seconds, 0.0)
        self._sock = sock

    def __enter__(self) -> Self:
        _watchdogs.arm(self)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        _watchdogs.cancel(self)

    def fire(self) -> None:
        self.fired = True
        # The plain socket's shutdown, which also works under a TLS socket; OSError: closed.
        with contextlib.suppress(OSError):
            if self._sock is not None:
                socket.socket.shutdown(self._sock, socket.SHUT_RDWR)


class _WatchdogThread:
    """One daemon thread that fires armed watchdogs when they come due.

    Watchdogs wait in a heap ordered by due time. A cancelled one stays there until it comes
    due and is then dropped, so arming never has to search the heap, and the thread is woken
    only when a new watchdog is due before every other one (it otherwise wakes up anyway at the
    first due time and looks again). Started on first use; a forked child (a Celery worker
    process) starts afresh, with a lock of its own and its own thread.
    """

    def __init__(self) -> None:
        self._reset()
        os.register_at_fork(after_in_child=self._reset)

    def _reset(self) -> None:
        self._heap: list[tuple[float, int, _Watchdog]] = []
        self._counter = itertools.count()
        self._wakeup = threading.Condition(threading.Lock())
        self._thread: threading.Thread | None = None

    def arm(self, watchdog: _Watchdog) -> None:
        with self._wakeup:
            if self._thread is None:
                self._start()
            earliest = self._heap[0][0] if self._heap else None
            heapq.heappush(self._heap, (watchdog.due, next(self._counter), watchdog))
            if earliest is None or watchdog.due < earliest:
                self._wakeup.notify()

    def cancel(self, watchdog: _Watchdog) -> None:
        """After this returns the watchdog will not fire (it is dropped when it comes due)."""
        with self._wakeup:
            watchdog.cancelled = True

    def _start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="newswatch-watchdog", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        with self._wakeup:
            while True:
                now = time.monotonic()
                while self._heap and self._heap[0][0] <= now:
                    _due, _n, watchdog = heapq.heappop(self._heap)
                    if not watchdog.cancelled:
                        watchdog.fire()
                self._wakeup.wait(self._heap[0][0] - now if self._heap else None)


_watchdogs = _WatchdogThread()


# --- Where we may connect (the SSRF defence) ----------------------------------------------------


@dataclass(frozen=True)
class _Target:
    """A URL that passed the checks, with the addresses its host resolved to."""

    url: str
    scheme: str
    host: str  # ASCII host name or IP literal, without brackets
    port: int
    path_and_query: str
    addresses: tuple[IPAddress, ...]

    @property
    def origin(self) -> tuple[str, str, int]:
        return (self.scheme, self.host.lower().rstrip("."), self.port)

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == _DEFAULT_PORTS[self.scheme] else f"{host}:{self.port}"

    @property
    def tls_name(self) -> str:
        return self.host.rstrip(".")


# The ranges that are not public, by the name staff see (IANA special-purpose registries).
# Addresses that embed an IPv4 address are unwrapped first (see _embedded_ipv4).
_NON_PUBLIC_NETWORKS: tuple[tuple[str, tuple[IPNetwork, ...]], ...] = tuple(
    (label, tuple(ipaddress.ip_network(cidr) for cidr in cidrs))
    for label, cidrs in (
        ("an unspecified address", ("0.0.0.0/32", "::/128")),
        ("a loopback address", ("127.0.0.0/8", "::1/128")),
        ("a private address", ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7")),
        ("a link-local address", ("169.254.0.0/16", "fe80::/10")),
        ("a carrier-grade NAT address", ("100.64.0.0/10",)),
        ("a multicast address", ("224.0.0.0/4", "ff00::/8")),
        (
            "a reserved address",
            (
                "0.0.0.0/8",
                "192.0.0.0/24",
                "192.0.2.0/24",
                "192.88.99.0/24",
                "198.18.0.0/15",
                "198.51.100.0/24",
                "203.0.113.0/24",
                "240.0.0.0/4",
                "::/8",  # IPv4-compatible and other legacy forms; NAT64 is unwrapped before this
                "100::/64",
                "2001::/23",  # includes Teredo
                "2001:db8::/32",
                "3fff::/20",
                "5f00::/16",
                "fec0::/10",
            ),
        ),
    )
)
_NAT64_PREFIX = ipaddress.IPv6Network("64:ff9b::/96")


def _check(
    url: str,
    networks: Sequence[IPNetwork],
    connect_timeout: float,
    clock: _Deadline | None = None,
) -> _Target:
    """Parse url, resolve its host (within connect_timeout, and the clock's time left) and
    refuse it unless every address may be fetched."""
    scheme, host, port, path_and_query = _parse_url(url)
    timeout = connect_timeout if clock is None else clock.cap(connect_timeout, host)
    addresses = _resolve(host, port, timeout)
    for address in addresses:
        if _in_networks(address, networks):
            continue
        reason = _why_not_public(address)
        if reason is not None:
            raise FetchError("refused_url", _refusal_message(host, address, reason))
    return _Target(url, scheme, host, port, path_and_query, addresses)


def _parse_url(url: str) -> tuple[str, str, int, str]:
    """Split url into scheme, ASCII host, port and request target, refusing what we don't fetch."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise FetchError("refused_url", f"Refused: {url} is not a valid web address.") from None
    if parts.scheme not in _DEFAULT_PORTS:
        shown = parts.scheme or "none given"
        raise FetchError(
            "refused_url", f"Refused: only http and https addresses are fetched (not {shown})."
        )
    if not parts.hostname:
        raise FetchError("refused_url", f"Refused: {url} has no host name.")
    host = _ascii_host(parts.hostname)
    path = parts.path or "/"
    target = f"{path}?{parts.query}" if parts.query else path
    return parts.scheme, host, port or _DEFAULT_PORTS[parts.scheme], _quote_target(target)


def _ascii_host(host: str) -> str:
    if _ip_literal(host) is not None:
        return host
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        raise FetchError("refused_url", f"Refused: {host} is not a valid host name.") from None


def _quote_target(target: str) -> str:
    """Percent-encode what may not appear in a request line (spaces, non-ASCII, quotes...)."""
    return quote(target, safe=_TARGET_SAFE_CHARACTERS)


def _resolve(host: str, port: int, timeout: float) -> tuple[IPAddress, ...]:
    """Return the addresses host resolves to, in the resolver's order of preference."""
    literal = _ip_literal(host)
    if literal is not None:  # nothing to look up
        return (literal,)
    try:
        infos = _resolver.getaddrinfo(host, port, timeout)
    except TimeoutError:
        raise FetchError(
            "dns",
            f"Could not look up {host}: the name servers did not answer "
            f"within {timeout:.3g} seconds, try again later.",
        ) from None
    except socket.gaierror as exc:
        raise FetchError("dns", f"Could not look up {host}: {_dns_reason(exc)}.") from exc
    except UnicodeError:
        raise FetchError("refused_url", f"Refused: {host} is not a valid host name.") from None
    found = (_ip_literal(info[4][0]) for info in infos)
    addresses = tuple(dict.fromkeys(address for address in found if address is not None))
    if not addresses:
        raise FetchError("dns", f"Could not look up {host}: the name has no address.")
    return addresses


class _Resolver:
    """Runs DNS look-ups on a few threads of its own, so that whoever asks can stop waiting.

    `socket.getaddrinfo` cannot be interrupted and the system resolver's own timeouts (several
    name servers, several tries each) can add up to far more than a fetch's deadline. A caller
    waits for its answer only until its timeout; a look-up it gave up on finishes (or fails) on
    its thread and is dropped. At most MAX_THREADS look-ups run at once: when name servers hang,
    later look-ups wait their turn, and give up in time, rather than piling up threads.
    Threads are started on first use; a forked child (a Celery worker process) starts afresh.
    """

    MAX_THREADS = 4

    def __init__(self) -> None:
        self._reset()
        os.register_at_fork(after_in_child=self._reset)

    def _reset(self) -> None:
        self._lock = threading.Lock()
        self._pool: concurrent.futures.ThreadPoolExecutor | None = None

    def getaddrinfo(self, host: str, port: int, timeout: float) -> list:
        """socket.getaddrinfo(host, port) for TCP, or TimeoutError after timeout seconds."""
        with self._lock:
            if self._pool is None:
                self._pool = concurrent.futures.ThreadPoolExecutor(
                    self.MAX_THREADS, thread_name_prefix="newswatch-dns"
                )
            future = self._pool.submit(socket.getaddrinfo, host, port, type=socket.SOCK_STREAM)
        try:
            return future.result(timeout=timeout)
        except concurrent.futures.TimeoutError:
            future.cancel()  # if it has not started yet, it never will
            raise TimeoutError(f"looking up {host} took over {timeout} seconds") from None


_resolver = _Resolver()


def _dns_reason(exc: socket.gaierror) -> str:
    reasons = {
        socket.EAI_NONAME: "the name does not exist",
        socket.EAI_AGAIN: "the name servers did not answer, try again later",
    }
    return reasons.get(exc.errno, "the look-up failed")


def _allowed_networks(cidrs: Sequence[str] | None) -> tuple[IPNetwork, ...]:
    if cidrs is None:
        cidrs = settings.NEWSWATCH_ALLOWED_NETWORKS
    return _parse_networks(tuple(cidrs))


@functools.lru_cache(maxsize=32)  # the setting is read on every fetch, and seldom changes
def _parse_networks(cidrs: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    networks = []
    for cidr in cidrs:
        try:
            networks.append(ipaddress.ip_network(cidr.strip(), strict=False))
        except ValueError:
            raise ValueError(
                f"Allowed network {cidr!r} is not a CIDR such as 10.0.0.0/8."
            ) from None
    return tuple(networks)


def _in_networks(address: IPAddress, networks: Sequence[IPNetwork]) -> bool:
    """Is address, or the IPv4 address it embeds, in one of networks (of the same version)?"""
    candidates = [address]
    if isinstance(address, ipaddress.IPv6Address) and (inner := _embedded_ipv4(address)):
        candidates.append(inner)
    return any(
        candidate.version == network.version and candidate in network
        for candidate in candidates
        for network in networks
    )


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address inside an IPv4-mapped (::ffff:a.b.c.d), NAT64 or 6to4 address."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in _NAT64_PREFIX:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address.sixtofour


def _why_not_public(address: IPAddress) -> str | None:
    """Return why address may not be fetched ("a private address"...), or None if it is public."""
    if isinstance(address, ipaddress.IPv6Address) and (inner := _embedded_ipv4(address)):
        return _why_not_public(inner)
    for label, networks in _NON_PUBLIC_NETWORKS:
        if any(address.version == network.version and address in network for network in networks):
            return label
    # Python's own registry as a safety net, in case a range is missing above.
    if not address.is_global or address.is_multicast or address.is_reserved:
        return "a non-public address"
    return None


def _refusal_message(host: str, address: IPAddress, reason: str) -> str:
    ending = "only public addresses are fetched."
    if _ip_literal(host) is not None:
        return f"Refused: {host} is {reason}; {ending}"
    return f"Refused: {host} resolves to {address}, {reason}; {ending}"


@functools.lru_cache(maxsize=1024)
def _ip_literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


# --- One request --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Answer:
    status: int
    headers: urllib3.HTTPHeaderDict  # names are matched without regard to case
    body: bytes


def _request_headers(
    extra: Mapping[str, str] | None, *, etag: str, last_modified: str
) -> dict[str, str]:
    """The request's headers: ours, then extra (a name given again in another case replaces
    ours), then the validators and the one Accept-Encoding _read_body can decode."""
    named = {
        name.lower(): (name, value)
        for name, value in (
            ("User-Agent", settings.NEWSWATCH_USER_AGENT),
            ("Accept", "*/*"),
            *(extra or {}).items(),
        )
    }
    if etag:
        named["if-none-match"] = ("If-None-Match", etag)
    if last_modified:
        named["if-modified-since"] = ("If-Modified-Since", last_modified)
    named["accept-encoding"] = ("Accept-Encoding", ACCEPT_ENCODING)
    named.pop("host", None)  # always the URL's own (see _get)
    return dict(named.values())


def _exchange(
    target: _Target, headers: Mapping[str, str], limits: _Limits, clock: _Deadline
) -> _Answer:
    """Send one GET to target's checked address and get the answer within the deadline."""
    conn = _connect(target, limits, clock)
    try:
        with _Watchdog(conn.sock, clock.remaining()) as watchdog:
            try:
                answer = _get(conn, target, headers, limits)
            except (*_NETWORK_ERRORS, ValueError) as exc:  # ValueError: a TLS socket shut down
                if watchdog.fired:
                    raise clock.error(target.host) from exc
                if isinstance(exc, ValueError):
                    raise
                raise _error(exc, target) from exc
        if watchdog.fired:  # the shut-down socket looked like the end of the body
            raise clock.error(target.host)
        return answer
    finally:
        conn.close()


def _get(
    conn: HTTPConnection, target: _Target, headers: Mapping[str, str], limits: _Limits
) -> _Answer:
    """Send the GET on conn and read the answer; the body only if it is a 2xx."""
    conn.request(
        "GET",
        target.path_and_query,
        headers={**headers, "Host": target.host_header},
        preload_content=False,
        decode_content=False,  # _read_body decodes, within the size cap
    )
    response = conn.getresponse()
    try:
        body = _read_body(response, target, limits) if 200 <= response.status < 300 else b""
    finally:
        response.close()
    return _Answer(response.status, response.headers, body)


def _connect(target: _Target, limits: _Limits, clock: _Deadline) -> HTTPConnection:
    """Open a connection to the first of target's checked addresses that accepts one."""
    *others, last = target.addresses
    for address in others:
        try:
            return _open(target, address, limits, clock)
        except FetchError as error:  # nothing was sent yet, so the next address may be tried
            if error.kind not in ("connect", "timeout"):
                raise
    return _open(target, last, limits, clock)


def _open(target: _Target, address: IPAddress, limits: _Limits, clock: _Deadline) -> HTTPConnection:
    """Connect to address (and make the TLS handshake) within the connect timeout. For https
    the certificate is checked against the URL's host name (sent as SNI too), not against the
    address dialled."""
    timeout = clock.cap(limits.connect_timeout, target.host)
    conn: HTTPConnection
    if target.scheme == "http":
        conn = HTTPConnection(str(address), target.port, timeout=timeout)
    else:
        conn = HTTPSConnection(
            str(address),
            target.port,
            timeout=timeout,
            server_hostname=target.tls_name,
            ssl_context=_tls_context(_CA_CERTS),
        )
    try:
        conn.connect()
    except (OSError, urllib3.exceptions.HTTPError) as exc:  # TLS errors are OSErrors
        conn.close()
        raise _connect_error(exc, target) from exc
    # From now on, the longest wait for the next bytes (urllib3 sets it on the socket when it
    # sends the request and reads the answer).
    conn.timeout = limits.read_timeout
    return conn


@functools.lru_cache(maxsize=4)
def _tls_context(ca_certs: str | None) -> ssl.SSLContext:
    """The standard library's client defaults: certificate and host name checked, TLS 1.2 or
    later, no compression; trusting ca_certs, or the system's certificates if None. Made once:
    loading a CA bundle for every connection would cost more than the request."""
    return ssl.create_default_context(cafile=ca_certs)


def _read_body(response: urllib3.BaseHTTPResponse, target: _Target, limits: _Limits) -> bytes:
    """Read the body raw, a chunk at a time, and decode it here, stopping as soon as it passes
    limits.max_bytes, decoded or not (a stream that decodes to nothing is no better). A body
    cut short of its Content-Length raises (urllib3 enforces it)."""
    decoder = _decoder(response.headers.get("Content-Encoding", ""), target)
    declared = _content_length(response)
    if declared is not None and declared > limits.max_bytes:
        raise _too_large(target, limits)
    chunks: list[bytes] = []
    raw_size = size = 0
    while raw := response.read(CHUNK_SIZE, decode_content=False):
        raw_size += len(raw)
        # At most one byte over the cap is decoded: enough to know the cap was passed.
        chunk = raw if decoder is None else decoder.decode(raw, limits.max_bytes - size + 1)
        size += len(chunk)
        if size > limits.max_bytes or raw_size > limits.max_bytes:
            raise _too_large(target, limits)
        chunks.append(chunk)
    return b"".join(chunks)


def _decoder(content_encoding: str, target: _Target) -> "_Inflater | None":
    """The decoder for a Content-Encoding header, or None for none (or identity)."""
    encodings = [part.strip() for part in content_encoding.lower().split(",")]
    encodings = [encoding for encoding in encodings if encoding not in ("", "identity")]
    for encoding in encodings:
        if encoding not in _DECODABLE_ENCODINGS:
            raise FetchError(
                "protocol",
                f"{target.host} compressed its answer as {encoding!r}, "
                "which the news watch did not ask for and cannot read.",
            )
    if len(encodings) > 1:
        raise FetchError(
            "protocol",
            f"{target.host} compressed its answer more than once ({', '.join(encodings)}); "
            "the news watch asked for one compression and cannot read that.",
        )
    return _Inflater(encodings[0]) if encodings else None


class _Inflater:
    """Undoes gzip (every member of a multi-member stream) or deflate (zlib-wrapped, as the
    standard says, or raw, as some servers send it) a chunk at a time, never giving more than
    asked for, so that a small compressed bomb never unpacks into memory. Bytes after a whole
    gzip member that do not start another one (padding some servers add) are ignored, as
    browsers and curl ignore them."""

    def __init__(self, encoding: str) -> None:
        self._gzip = encoding in ("gzip", "x-gzip")
        self._unsure = not self._gzip  # deflate: zlib-wrapped until its first bytes say otherwise
        self._inflate = zlib.decompressobj(16 + zlib.MAX_WBITS if self._gzip else zlib.MAX_WBITS)
        self._members = 0  # whole gzip members decoded
        self._done = False  # the rest is padding

    def decode(self, data: bytes, limit: int) -> bytes:
        """The decoded bytes of data, at most limit of them; raises zlib.error on bad data.
        When limit is reached, the rest of data is dropped: the caller stops there."""
        if self._unsure:
            self._unsure = False
            try:
                return self._decode(data, limit)
            except zlib.error:  # not zlib-wrapped: raw deflate
                self._inflate = zlib.decompressobj(-zlib.MAX_WBITS)
        return self._decode(data, limit)

    def _decode(self, data: bytes, limit: int) -> bytes:
        pieces = []
        while data and limit > 0 and not self._done:
            try:
                piece = self._inflate.decompress(data, limit)
            except zlib.error:
                if not self._members:
                    raise
                self._done = True  # not another member: padding after the last one
                break
            pieces.append(piece)
            limit -= len(piece)
            data = b""
            if self._gzip and self._inflate.eof:  # another gzip member may follow
                self._members += 1
                data = self._inflate.unused_data
                self._inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
        return b"".join(pieces)


def _content_length(response: urllib3.BaseHTTPResponse) -> int | None:
    try:
        return int(response.headers.get("Content-Length", ""))
    except ValueError:
        return None


def _redirect_location(target: _Target, answer: _Answer) -> str:
    location = answer.headers.get("Location", "").strip()
    if not location:
        raise FetchError(
            "protocol", f"{target.host} answered HTTP {answer.status} without saying where to go."
        )
    with contextlib.suppress(UnicodeError):  # headers are decoded as Latin-1
        location = location.encode("latin-1").decode("utf-8")  # servers mostly send UTF-8
    return urljoin(target.url, location)


def _result(target: _Target, answer: _Answer) -> FetchResult:
    if answer.status >= 400:
        raise _http_error(answer)
    if answer.status != 304 and not 200 <= answer.status < 300:
        raise FetchError(
            "protocol",
            f"{target.host} gave an answer the news watch does not handle "
            f"(HTTP {answer.status}{_phrase(answer.status)}).",
        )
    return FetchResult(
        status=answer.status,
        body=answer.body,
        url=target.url,
        etag=answer.headers.get("ETag", ""),
        last_modified=answer.headers.get("Last-Modified", ""),
        content_type=answer.headers.get("Content-Type", ""),
    )


# --- Errors -------------------------------------------------------------------------------------


def _http_error(answer: _Answer) -> FetchError:
    retry_after = _retry_after(answer.headers.get("Retry-After"))
    message = f"The server answered HTTP {answer.status}{_phrase(answer.status)}."
    if retry_after is not None:
        message += f" It asked us to wait {retry_after:.0f} seconds before trying again."
    return FetchError("http", message, status=answer.status, retry_after=retry_after)


def _phrase(status: int) -> str:
    try:
        return f" ({HTTPStatus(status).phrase})"
    except ValueError:
        return ""


def _retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header: a number of seconds or an HTTP date."""
    value = (value or "").strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # "-0000": UTC, though the sender would not say so
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _too_large(target: _Target, limits: _Limits) -> FetchError:
    return FetchError(
        "too_large",
        f"The answer from {target.host} is larger than the {_size(limits.max_bytes)} limit.",
    )


def _size(n: int) -> str:
    for unit, factor in (("MB", 1024 * 1024), ("KB", 1024)):
        if n >= factor:
            return f"{round(n / factor, 1):g} {unit}"
    return f"{n} bytes"


def _connect_error(exc: Exception, target: _Target) -> FetchError:
    """Translate what connecting (TCP, then TLS) raised into a FetchError."""
    host = target.host
    if isinstance(exc, ssl.SSLError):
        return FetchError(
            "tls", f"Could not make a secure connection to {host}: {_tls_reason(exc)}."
        )
    if isinstance(exc, NewConnectionError):  # urllib3's, with the OSError as its cause
        return FetchError("connect", f"Could not connect to {host}: {_connect_reason(exc)}.")
    if isinstance(exc, TimeoutError | urllib3.exceptions.TimeoutError):
        return FetchError("timeout", f"{host} did not accept a connection in time.")
    return FetchError("connect", f"Could not connect to {host}: {_connect_reason(exc)}.")


def _error(exc: BaseException, target: _Target) -> FetchError:
    """Translate what an exchange on an open connection raised (urllib3, http.client, socket,
    ssl or zlib) into a FetchError."""
    host = target.host
    cause = exc.__cause__ if isinstance(exc, ProtocolError | ReadTimeoutError) else None
    if isinstance(exc, TimeoutError | ReadTimeoutError) or isinstance(cause, TimeoutError):
        return FetchError("timeout", f"{host} stopped answering; it sent nothing for too long.")
    if isinstance(exc, ssl.SSLError | urllib3.exceptions.SSLError):
        return FetchError(
            "tls", f"Could not make a secure connection to {host}: {_tls_reason(exc)}."
        )
    if isinstance(exc, zlib.error):
        return FetchError(
            "protocol", f"{host} sent a compressed answer that could not be unpacked."
        )
    return FetchError(
        "protocol",
        f"The connection to {host} broke off before a complete answer arrived "
        f"({type(cause or exc).__name__}).",
    )


def _connect_reason(exc: BaseException) -> str:
    reasons = {
        errno.ECONNREFUSED: "connection refused",
        errno.ECONNRESET: "the connection was reset",
        errno.EHOSTUNREACH: "the host is unreachable",
        errno.ENETUNREACH: "the network is unreachable",
    }
    error = exc if isinstance(exc, OSError) else exc.__cause__  # urllib3 wraps the OSError
    return reasons.get(getattr(error, "errno", None), "the connection failed")


def _tls_reason(exc: BaseException) -> str:
    for error in (exc, exc.__cause__, exc.__context__):
        if isinstance(error, ssl.SSLCertVerificationError) and error.verify_message:
            return f"its certificate was not accepted ({error.verify_message})"
    return "the secure handshake failed"
