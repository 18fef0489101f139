"""One spelling per article address, so the same article found twice is stored once.

`canonical_url()` changes only what cannot change the page served:

- the scheme and host are lower-cased, a trailing dot on the host dropped, a non-ASCII host
  written in punycode (IDNA), and the default port (`:80` for http, `:443` for https) dropped;
- the fragment is dropped (it never reaches the server);
- tracking parameters (`TRACKING_PARAMETERS`, and any `utm_*`) are dropped, empty `&&` pairs too;
  every other query parameter stays, in its order, spelled as it was;
- an empty path becomes `/`;
- percent-encoding is normalised the safe way (RFC 3986 section 6.2.2): hex digits upper-cased,
  escapes of unreserved characters (`A-Z a-z 0-9 - . _ ~`) decoded, a `%` that starts no escape
  written `%25`, and characters that may not appear raw (spaces, non-ASCII, quotes, `<>`...)
  encoded as UTF-8. Reserved characters (`/ ? & = + ;`...) are never decoded or encoded, and `+`
  stays `+`.

It is idempotent: `canonical_url(canonical_url(u)) == canonical_url(u)`. Something that is not an
absolute URL (no scheme or no host) is returned stripped, unchanged otherwise.
"""

import contextlib
import re
from urllib.parse import SplitResult, unquote, urlsplit, urlunsplit

# Query parameters that identify a campaign, a click or a sharer, never the article. Names are
# compared lower-cased and percent-decoded; `utm_*` is dropped whatever follows the prefix.
TRACKING_PARAMETERS = frozenset(
    {
        # Ad and social click identifiers
        "fbclid",  # Facebook
        "gclid",  # Google Ads
        "gclsrc",  # Google Ads
        "dclid",  # Google Display (DoubleClick)
        "gbraid",  # Google Ads (iOS)
        "wbraid",  # Google Ads (iOS, web-to-app)
        "srsltid",  # Google Merchant
        "msclkid",  # Microsoft Ads
        "yclid",  # Yandex
        "twclid",  # X / Twitter
        "ttclid",  # TikTok
        "li_fat_id",  # LinkedIn
        "igshid",  # Instagram share
        "igsh",  # Instagram share (newer)
        "sr_share",  # Facebook share
        "rb_clickid",  # Rakuten
        "irclickid",  # Impact
        # Analytics and e-mail campaigns
        "_ga",  # Google Analytics cross-domain
        "_gl",  # Google Analytics cross-domain
        "mc_cid",  # Mailchimp
        "mc_eid",  # Mailchimp
        "mkt_tok",  # Marketo
        "_hsenc",  # HubSpot
        "_hsmi",  # HubSpot
        "__hssc",  # HubSpot
        "__hstc",  # HubSpot
        "__hsfp",  # HubSpot
        "hsctatracking",  # HubSpot
        "vero_id",  # Vero
        "vero_conv",  # Vero
        "oly_anon_id",  # Omeda
        "oly_enc_id",  # Omeda
        "_openstat",  # Yandex Openstat
        "pk_campaign",  # Matomo / Piwik
        "pk_kwd",  # Matomo / Piwik
        "pk_keyword",  # Matomo / Piwik
        "pk_source",  # Matomo / Piwik
        "pk_medium",  # Matomo / Piwik
        "pk_content",  # Matomo / Piwik
        "mtm_campaign",  # Matomo
        "mtm_keyword",  # Matomo
        "mtm_source",  # Matomo
        "mtm_medium",  # Matomo
        "mtm_content",  # Matomo
        "mtm_cid",  # Matomo
        # Newsroom share and referral tags
        "ref_src",  # X / Twitter embeds
        "ref_url",  # X / Twitter embeds
        "smid",  # The New York Times share links
        "cmp",  # The Guardian (`CMP=share_btn_tw`)
        "ncid",  # Yahoo, HuffPost
        "ocid",  # MSN
        "at_medium",  # AT Internet (BBC)
        "at_campaign",  # AT Internet (BBC)
    }
)
TRACKING_PREFIXES = ("utm_",)

_DEFAULT_PORTS = {"http": 80, "https": 443}
# An escape, or a `%` that starts none (written `%25`, so that decoding never makes a new escape).
_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})?")
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
# Allowed raw in a path or query: unreserved, sub-delims, `:` `@` `/` `?`, and `%` of escapes.
_ALLOWED = _UNRESERVED | frozenset("!$&'()*+,;=:@/?%")


# The common case, already canonical but for its query: a lower-case http(s) scheme and ASCII
# host name (no trailing dot, port, user or brackets), and a path and query of characters that
# need no escaping and no escapes to normalise. Anything else takes the general way.
_PLAIN = re.compile(
    r"(https?://[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?)"  # scheme and host
    r"(/[A-Za-z0-9\-._~!$&'()*+,;=:@/]*)?"  # path
    r"(?:\?([A-Za-z0-9\-._~!$&'()*+,;=:@/?]*))?"  # query
    r"(?:#.*)?",  # fragment, dropped
    re.DOTALL,
)


def canonical_url(url: str) -> str:
    stripped = url.strip()
    plain = _PLAIN.fullmatch(stripped)
    if plain is not None:
        origin, path, query = plain.groups()
        query = _clean_query(query) if query else ""
        return f"{origin}{path or '/'}?{query}" if query else f"{origin}{path or '/'}"
    return _canonical(stripped)


def _canonical(stripped: str) -> str:
    """The general way, for any URL (the fast way above must agree with it: a test checks)."""
    try:
        parts = urlsplit(stripped)
        port = parts.port
    except ValueError:  # a bad port or a broken IPv6 literal
        return stripped
    scheme = parts.scheme.lower()
    host = parts.hostname  # lower-cased, without brackets or port
    if not scheme or not host:
        return stripped
    netloc = _netloc(parts, scheme, host, port)
    path = _normalise_escapes(parts.path) or "/"
    query = _clean_query(parts.query)
    return urlunsplit((scheme, netloc, path, query, ""))


def _netloc(parts: SplitResult, scheme: str, host: str, port: int | None) -> str:
    host = host.rstrip(".") or host
    if not host.isascii():
        with contextlib.suppress(UnicodeError):  # not a valid IDN: keep it lower-cased
            host = host.encode("idna").decode("ascii")
    if ":" in host:
        host = f"[{host}]"  # IPv6
    userinfo, at, _ = parts.netloc.rpartition("@")
    netloc = f"{userinfo}{at}{host}"
    if port is not None and port != _DEFAULT_PORTS.get(scheme):
        netloc += f":{port}"
    return netloc


def _clean_query(query: str) -> str:
    kept = []
    for pair in query.split("&"):
        if not pair:
            continue
        name = pair.partition("=")[0]
        name = (unquote(name) if "%" in name else name).strip().lower()
        if name in TRACKING_PARAMETERS or name.startswith(TRACKING_PREFIXES):
            continue
        kept.append(_normalise_escapes(pair))
    return "&".join(kept)


def _normalise_escapes(text: str) -> str:
    if "%" in text:
        text = _ESCAPE.sub(_normalise_escape, text)
    if all(char in _ALLOWED for char in text):
        return text
    return "".join(
        char
        if char in _ALLOWED
        else "".join(f"%{byte:02X}" for byte in char.encode("utf-8", "replace"))
        for char in text
    )


def _normalise_escape(match: re.Match) -> str:
    digits = match.group(1)
    if digits is None:
        return "%25"
    char = chr(int(digits, 16))
    return char if char in _UNRESERVED else f"%{digits.upper()}"
