"""Feed bytes in memory -> `ParsedEntry` records: RSS 0.9x/1.0/2.0, Atom 1.0, Google News, GDELT.

Nothing here fetches anything: the parsers get bytes, never a URL or a path, and lxml is told not
to touch the network, not to load DTDs and not to expand entities.

How a document is read (`_parse_xml`):

1. The character encoding is found the way the XML specification says (byte-order mark, then the
   first bytes, then the `encoding=` of the XML declaration) and the bytes are decoded by Python,
   bad bytes becoming U+FFFD. `ISO-8859-1` and `US-ASCII` are read as windows-1252, as browsers do,
   because that is what such feeds really contain.
2. Control characters (forbidden in XML 1.0) are removed, then the prolog (everything before
   the root element) is scanned. A DOCTYPE with an internal subset (`<!DOCTYPE x [ ... ]>`, where
   entities are declared: billion laughs, `SYSTEM "file:///..."` external entities), or any other
   `<!` declaration, is refused with ParseError before any parsing. A DOCTYPE that only names an
   external DTD (old RSS 0.91 feeds) is allowed: the DTD is never loaded.
3. Ampersands XML cannot read are repaired: an HTML entity (`&nbsp;`, `&eacute;`) becomes its
   numeric reference, a bare `&` (`AT&T`) becomes `&amp;`.
4. The text, re-encoded as UTF-8, is parsed by a hardened lxml parser told it is UTF-8 (whatever
   the declaration says). Because lxml reads exactly the text that was scanned, no encoding trick
   (UTF-7, UTF-16 without a mark, a lying declaration) can hide a DOCTYPE from step 2. Strict
   parsing comes first; only if it fails is the same text parsed with `recover=True`, which
   tolerates what is left (an unclosed tag, say). Recovery can drop a damaged part of an item,
   but one bad tag no longer loses a whole feed. After parsing, a document whose DTD declares
   entities is refused again (defence in depth; step 2 should have caught it).

Text fields are plain text: descriptions and `type="html"` Atom content go through
`html_to_text`; titles have leftover entities decoded and simple inline tags removed. Links that are
relative are resolved against `xml:base`, the `base_url` given by the caller, or else the feed's own
link; links that are not http(s) after that (`javascript:`, `data:`) are dropped, because staff
will click them.
"""

import codecs
import html
import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from html.entities import html5 as _HTML5_ENTITIES
from urllib.parse import urljoin, urlsplit

from lxml import etree


@dataclass(frozen=True)
class ParsedEntry:
    url: str  # the article link, absolute; "" if none (or not http/https)
    title: str  # plain text, entities decoded, whitespace collapsed
    summary: str  # plain text: HTML removed, entities decoded, whitespace collapsed
    published_at: datetime | None  # timezone-aware UTC
    guid: str  # RSS guid / Atom id / RDF about; "" if none
    language: str  # primary language subtag, "en", "zh"; "" if unknown
    publisher: str  # Google News: the source; GDELT: the domain; else ""


class ParseError(Exception):
    """The bytes are not a feed we can read; str(exc) is a readable sentence for staff."""


# --- Namespaces --------------------------------------------------------------------------------
ATOM = "http://www.w3.org/2005/Atom"
ATOM03 = "http://purl.org/atom/ns#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RSS10 = "http://purl.org/rss/1.0/"
RSS090 = "http://my.netscape.com/rdf/simple/0.9/"
DC = "http://purl.org/dc/elements/1.1/"
CONTENT = "http://purl.org/rss/1.0/modules/content/"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

_DC_DATE = f"{{{DC}}}date"
_DC_LANGUAGE = f"{{{DC}}}language"
_DC_DESCRIPTION = f"{{{DC}}}description"
_CONTENT_ENCODED = f"{{{CONTENT}}}encoded"
_ATOM_LINK = f"{{{ATOM}}}link"
_RDF_ABOUT = f"{{{RDF}}}about"

MSG_EMPTY = "The feed is empty: no bytes were received."
MSG_BINARY = "The feed is binary data, not text, so it cannot be an RSS or Atom feed."
MSG_ENTITIES = (
    "The feed declares XML entities in its DOCTYPE, which we refuse to parse (a known attack)."
)
MSG_NOT_XML = "The feed is not well-formed XML, so it cannot be read as RSS or Atom."
MSG_HTML = "The address returned a web page (HTML), not an RSS or Atom feed."


# --- Parsers: lxml parser objects must not be shared between threads, so one set per thread. ---
_local = threading.local()


def _parser(kind: str) -> etree._FeedParser:
    parser = getattr(_local, kind, None)
    if parser is None:
        if kind == "html":
            parser = etree.HTMLParser(
                encoding="utf-8", no_network=True, remove_comments=True, remove_pis=True
            )
        else:
            parser = etree.XMLParser(
                encoding="utf-8",
                resolve_entities=False,
                no_network=True,
                load_dtd=False,
                huge_tree=False,
                recover=kind == "recover",
                remove_comments=True,
                remove_pis=True,
            )
        setattr(_local, kind, parser)
    return parser


# --- Bytes -> text ------------------------------------------------------------------------------
_BYTE_ORDER_MARKS = (
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
# XML 1.0 appendix F: a first `<` in an encoding without a byte-order mark.
_UNMARKED = (
    (b"<\x00\x00\x00", "utf-32-le"),
    (b"\x00\x00\x00<", "utf-32-be"),
    (b"<\x00", "utf-16-le"),
    (b"\x00<", "utf-16-be"),
)
_DECLARED_ENCODING = re.compile(
    rb"""^[ \t\r\n]*<\?xml[ \t\r\n][^>]*?encoding[ \t\r\n]*=[ \t\r\n]*["']([A-Za-z][\w.:-]*)["']"""
)
_XML_DECLARATION = re.compile(r"^[ \t\r\n]*<\?xml[ \t\r\n][^>]*\?>")
# Labels that mean windows-1252 in practice (WHATWG Encoding Standard).
_READ_AS_CP1252 = {"ascii", "iso8859-1", "cp1252"}


def _decode(data: bytes) -> str:
    for mark, encoding in _BYTE_ORDER_MARKS:
        if data.startswith(mark):
            return data[len(mark) :].decode(encoding, "replace")
    for start, encoding in _UNMARKED:
        if data.startswith(start):
            return data.decode(encoding, "replace")
    declared = _DECLARED_ENCODING.match(data[:1024])
    encoding = "utf-8"
    if declared:
        label = declared.group(1).decode("ascii")
        try:
            name = codecs.lookup(label).name
        except LookupError:
            raise ParseError(
                f"The feed declares the character encoding {label!r}, which we cannot read."
            ) from None
        if name.startswith(("utf-16", "utf-32")):
            name = "utf-8"  # declared so, but its bytes are not: the byte patterns above say
        encoding = "cp1252" if name in _READ_AS_CP1252 else name
    try:
        return data.decode(encoding, "replace")
    except LookupError:  # a codec that is not a text encoding: base64, zlib, rot13...
        raise ParseError(
            f"The feed declares the character encoding {encoding!r}, which we cannot read."
        ) from None


# --- The prolog check (step 2) ------------------------------------------------------------------
_XML_SPACE = re.compile(r"[ \t\r\n]*")


def _refuse_entity_declarations(text: str) -> None:
    """Raise ParseError if the prolog declares entities; stop at the root element."""
    pos = 0
    while True:
        pos = _XML_SPACE.match(text, pos).end()
        if text.startswith("<?", pos):
            end = text.find("?>", pos + 2)
        elif text.startswith("<!--", pos):
            end = text.find("-->", pos + 4)
        elif text.startswith("<!", pos):
            if text[pos : pos + 9].upper() != "<!DOCTYPE":
                # `<!ENTITY` or `<![` outside a DOCTYPE: never part of a feed.
                raise ParseError(MSG_ENTITIES)
            end = _doctype_end(text, pos + 9)
        else:
            return  # the root element (or text the XML parser will refuse)
        if end < 0:
            return  # unterminated: the XML parser will refuse it
        pos = end + 1


_DOCTYPE_STOP = re.compile(r"[\"'\[>]")


def _doctype_end(text: str, pos: int) -> int:
    """Index of the `>` closing a DOCTYPE without internal subset; refuse one with a subset.

    A `[` is refused both before the first `>` and before the first `>` outside quotes, so that
    quotes read differently by libxml2's recovery cannot hide a subset."""
    first_gt = text.find(">", pos)
    if text.find("[", pos, first_gt if first_gt >= 0 else len(text)) >= 0:
        raise ParseError(MSG_ENTITIES)
    while True:
        stop = _DOCTYPE_STOP.search(text, pos)
        if stop is None:
            return -1
        char = stop.group()
        if char == "[":
            raise ParseError(MSG_ENTITIES)
        if char == ">":
            return stop.start()
        pos = text.find(char, stop.end()) + 1  # past the closing quote
        if pos == 0:
            return -1


# --- Repairs: publisher mistakes that XML 1.0 forbids ------------------------------------------
# HTML entities can never be declared here (internal subsets are refused, external DTDs are not
# loaded), so `&nbsp;` would be an error, or silently dropped after an old RSS 0.91 DOCTYPE: it
# becomes `&#160;`. A bare `&` (`AT&T`) becomes `&amp;`. Inside CDATA the change is harmless:
# that text is HTML-decoded afterwards.
# An `&` that starts no XML reference; group 1 is the name of an HTML entity.
_BAD_AMPERSAND = re.compile(
    r"&(?!(?:amp|lt|gt|quot|apos|#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6});)"
    r"(?:([A-Za-z][A-Za-z0-9]{0,31});)?"
)
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _repair_ampersand(match: re.Match) -> str:
    name = match.group(1)
    characters = _HTML5_ENTITIES.get(f"{name};") if name else None
    if characters is None:
        return "&amp;" + match.group(0)[1:]  # bare, or unknown: kept as written
    return "".join(f"&#{ord(char)};" for char in characters)


def _parse_xml(data: bytes, *, base_url: str = "") -> etree._Element:
    if not data or not data.strip():
        raise ParseError(MSG_EMPTY)
    text = _decode(data)
    if "\x00" in text:
        raise ParseError(MSG_BINARY)
    # Control characters go first, so that none can split a `<!DOCTYPE` the check would miss.
    text = _XML_DECLARATION.sub("", _CONTROL_CHARS.sub("", text.lstrip("\ufeff")), count=1)
    _refuse_entity_declarations(text)
    if "&" in text:
        text = _BAD_AMPERSAND.sub(_repair_ampersand, text)
    url = base_url or None
    encoded = text.encode("utf-8", "replace")
    try:
        root = etree.fromstring(encoded, _parser("strict"), base_url=url)
    except etree.XMLSyntaxError:
        try:
            root = etree.fromstring(encoded, _parser("recover"), base_url=url)
        except etree.XMLSyntaxError:
            root = None
    if root is None:
        if re.match(r"\s*<(!doctype\s+html|html)\b", text[:1024], re.IGNORECASE):
            raise ParseError(MSG_HTML)
        raise ParseError(MSG_NOT_XML)
    # Defence in depth: step 2 already refused any internal subset.
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        raise ParseError(MSG_ENTITIES)
    return root


# --- Text ---------------------------------------------------------------------------------------
# Elements whose text is not prose.
_DROPPED_ELEMENTS = ("script", "style", "noscript", "template", "iframe", "object", "svg", "head")
# Elements that separate words: their start and end become a space.
_BLOCK_ELEMENTS = (
    "address", "article", "aside", "blockquote", "br", "caption", "dd", "details", "div", "dl",
    "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6",
    "header", "hr", "img", "li", "main", "nav", "ol", "p", "pre", "section", "summary", "table",
    "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
)  # fmt: skip
_TAG = re.compile(r"<[^>]*>")


# Control characters that are not whitespace (NUL, BEL, ESC, DEL, and the C1 controls such as
# CSI but NEL): junk in text for staff, and PostgreSQL refuses NUL in any text column. JSON
# (GDELT) can carry them as \u escapes.
_CONTROLS = re.compile("[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f]")


def _collapse(text: str) -> str:
    """One line of plain text: control characters dropped, whitespace runs made one space."""
    line = " ".join(text.split())
    if line.isprintable():  # (the usual case, checked at C speed)
        return line
    return " ".join(_CONTROLS.sub("", line).split())


def html_to_text(html: str) -> str:
    """HTML (a fragment or a page) -> one line of plain text; nothing is fetched."""
    if not html:
        return ""
    if "<" not in html:
        return _collapse(_unescape(html))
    try:
        root = etree.fromstring(html.encode("utf-8", "replace"), _parser("html"))
    except (etree.XMLSyntaxError, ValueError):
        root = None
    if root is None:
        return _collapse(_unescape(_TAG.sub(" ", html)))
    etree.strip_elements(root, *_DROPPED_ELEMENTS, with_tail=False)
    for element in root.iter(*_BLOCK_ELEMENTS):
        element.text = " " + (element.text or "")
        element.tail = " " + (element.tail or "")
    return _collapse(etree.tostring(root, method="text", encoding="unicode", with_tail=False))


def _unescape(text: str) -> str:
    return html.unescape(text) if "&" in text else text


_INLINE_TAG = re.compile(
    r"</?(?:a|abbr|b|big|br|cite|code|em|font|i|mark|p|q|s|small|span|strike|strong|sub|sup|u)"
    r"(?:\s[^<>]*)?/?>",
    re.IGNORECASE,
)


def _plain_text(text: str) -> str:
    """A title: leftover entities decoded (`&amp;#8217;`), simple inline tags removed.

    Not run through the HTML parser, so a title that speaks of a `<script>` tag keeps it.
    """
    text = _unescape(text)
    if "<" in text:
        text = _INLINE_TAG.sub(" ", text)
    return _collapse(text)


def _element_text(element: etree._Element) -> str:
    if len(element) == 0:
        return element.text or ""
    # Child elements (markup left unescaped) or entity references kept by recovery.
    return etree.tostring(element, method="text", encoding="unicode", with_tail=False)


# --- Dates and languages ------------------------------------------------------------------------
def _aware_utc(value: datetime) -> datetime | None:
    try:
        if value.tzinfo is None or value.utcoffset() is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
    except (OverflowError, ValueError):
        return None


def _iso_date(value: str) -> datetime | None:
    try:
        return _aware_utc(datetime.fromisoformat(value.upper()))
    except ValueError:
        return None


def _rfc822_date(value: str) -> datetime | None:
    try:
        return _aware_utc(parsedate_to_datetime(value))
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def _parse_date(value: str) -> datetime | None:
    """RFC 822 (RSS) or ISO 8601 / RFC 3339 (Atom, dc:date), whichever it is; naive means UTC."""
    value = value.strip()
    if not value:
        return None
    if value[:4].isdigit():
        return _iso_date(value) or _rfc822_date(value)
    return _rfc822_date(value) or _iso_date(value)


# Language names as GDELT (and some feeds) write them -> ISO 639-1.
_LANGUAGE_NAMES = {
    "afrikaans": "af", "albanian": "sq", "amharic": "am", "arabic": "ar", "armenian": "hy",
    "azerbaijani": "az", "basque": "eu", "belarusian": "be", "bengali": "bn", "bosnian": "bs",
    "bulgarian": "bg", "burmese": "my", "catalan": "ca", "chinese": "zh", "croatian": "hr",
    "czech": "cs", "danish": "da", "dutch": "nl", "english": "en", "estonian": "et",
    "farsi": "fa", "filipino": "tl", "finnish": "fi", "french": "fr", "galician": "gl",
    "georgian": "ka", "german": "de", "greek": "el", "gujarati": "gu", "hausa": "ha",
    "hebrew": "he", "hindi": "hi", "hungarian": "hu", "icelandic": "is", "indonesian": "id",
    "irish": "ga", "italian": "it", "japanese": "ja", "kannada": "kn", "kazakh": "kk",
    "khmer": "km", "korean": "ko", "kurdish": "ku", "kyrgyz": "ky", "lao": "lo", "latvian": "lv",
    "lithuanian": "lt", "macedonian": "mk", "malay": "ms", "malayalam": "ml", "maltese": "mt",
    "marathi": "mr", "mongolian": "mn", "nepali": "ne", "norwegian": "no", "pashto": "ps",
    "persian": "fa", "polish": "pl", "portuguese": "pt", "punjabi": "pa", "romanian": "ro",
    "russian": "ru", "serbian": "sr", "sinhala": "si", "sinhalese": "si", "slovak": "sk",
    "slovenian": "sl", "somali": "so", "spanish": "es", "swahili": "sw", "swedish": "sv",
    "tagalog": "tl", "tajik": "tg", "tamil": "ta", "telugu": "te", "thai": "th", "tibetan": "bo",
    "turkish": "tr", "turkmen": "tk", "ukrainian": "uk", "urdu": "ur", "uyghur": "ug",
    "uzbek": "uz", "vietnamese": "vi", "welsh": "cy", "yoruba": "yo", "zulu": "zu",
}  # fmt: skip
_LANGUAGE_TAG = re.compile(r"([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]{1,8})*")


def _language(value: str | None) -> str:
    """`en-us` -> `en`, `zh-CN` -> `zh`, `English` -> `en`; anything else -> ""."""
    if not value:
        return ""
    value = value.strip()
    named = _LANGUAGE_NAMES.get(value.lower())
    if named:
        return named
    tag = _LANGUAGE_TAG.fullmatch(value)
    return tag.group(1).lower() if tag else ""


# --- Links --------------------------------------------------------------------------------------
_HAS_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
_WEB_URL = re.compile(r"https?://[^/?#\s]", re.IGNORECASE)


def _web_link(value: str | None) -> str:
    """The value if it is an http(s) URL that `urlsplit` can read, else ""."""
    value = (value or "").strip()
    if not _WEB_URL.match(value):
        return ""
    if "[" in value or "]" in value or not value.isascii():
        try:
            urlsplit(value)  # a broken IPv6 literal, or a host NFKC would change, raise
        except ValueError:
            return ""
    return value


def _absolute_link(href: str, element: etree._Element, fallback_base: str) -> str:
    """Resolve against xml:base and the document's base URL; keep only http(s) links."""
    href = href.strip()
    if not href:
        return ""
    try:
        if not _HAS_SCHEME.match(href):
            base = element.base or ""  # xml:base attributes, resolved against `base_url`
            if not _WEB_URL.match(base):
                base = urljoin(fallback_base, base) if fallback_base else base
            href = urljoin(base, href) if base else href
    except ValueError:
        return ""
    return _web_link(href)


# --- RSS 0.9x / 2.0 -----------------------------------------------------------------------------
def _rss_entries(root: etree._Element, *, keep_source: bool) -> list[ParsedEntry]:
    namespace, _ = _split_tag(root.tag)  # None, or the old Userland RSS 2.0 namespace

    def tag(name: str) -> str:
        return f"{{{namespace}}}{name}" if namespace else name

    channel = root.find(tag("channel"))
    if channel is None:
        channel = root
    items = channel.findall(tag("item")) or root.findall(tag("item"))
    fallback_base = _web_link(channel.findtext(tag("link")))
    channel_language = _language(
        channel.findtext(tag("language"))
        or channel.findtext(_DC_LANGUAGE)
        or channel.get(XML_LANG)
        or root.get(XML_LANG)
    )
    names = {
        tag("title"): "title",
        tag("link"): "link",
        tag("description"): "description",
        tag("pubDate"): "date",
        tag("guid"): "guid",
        tag("source"): "source",
        tag("language"): "language",
        _DC_DATE: "dc_date",
        _DC_LANGUAGE: "language",
        _DC_DESCRIPTION: "dc_description",
        _CONTENT_ENCODED: "content",
    }
    entries = []
    for item in items:
        fields, guid_is_link, alternate = _collect(item, names)
        url = _absolute_link(fields.get("link", ""), item, fallback_base)
        guid = fields.get("guid", "").strip()
        if not url and guid and guid_is_link:
            url = _absolute_link(guid, item, fallback_base)
        if not url and alternate is not None:
            url = _absolute_link(alternate.get("href", ""), alternate, fallback_base)
        entries.append(
            ParsedEntry(
                url=url,
                title=_plain_text(fields.get("title", "")),
                summary=html_to_text(
                    fields.get("description")
                    or fields.get("dc_description")
                    or fields.get("content", "")
                ),
                published_at=_parse_date(fields.get("date") or fields.get("dc_date", "")),
                guid=guid,
                language=_language(fields.get("language") or item.get(XML_LANG))
                or channel_language,
                publisher=_collapse(fields.get("source", "")) if keep_source else "",
            )
        )
    return entries


def _collect(
    item: etree._Element, names: dict[str, str]
) -> tuple[dict[str, str], bool, etree._Element | None]:
    """One pass over an item's children: {field: text}, whether the guid is a permalink, and
    the first `atom:link rel="alternate"`."""
    fields: dict[str, str] = {}
    guid_is_link = False
    alternate = None
    for child in item:
        name = names.get(child.tag)
        if name is None:
            is_link = child.tag == _ATOM_LINK and child.get("rel", "alternate") == "alternate"
            if is_link and alternate is None:
                alternate = child
            continue
        if name in fields:
            continue  # the first one counts
        fields[name] = _element_text(child)
        if name == "guid":
            guid_is_link = child.get("isPermaLink", "true").strip().lower() != "false"
    return fields, guid_is_link, alternate


# --- RSS 1.0 / 0.90 (RDF) -----------------------------------------------------------------------
def _rdf_entries(root: etree._Element) -> list[ParsedEntry]:
    namespace = RSS10 if root.find(f"{{{RSS10}}}channel") is not None else RSS090
    if root.find(f"{{{namespace}}}item") is None and root.find(f"{{{RSS10}}}item") is not None:
        namespace = RSS10
    channel = root.find(f"{{{namespace}}}channel")
    fallback_base = ""
    channel_language = _language(root.get(XML_LANG))
    if channel is not None:
        fallback_base = _web_link(channel.findtext(f"{{{namespace}}}link"))
        channel_language = _language(channel.findtext(_DC_LANGUAGE)) or channel_language
    names = {
        f"{{{namespace}}}title": "title",
        f"{{{namespace}}}link": "link",
        f"{{{namespace}}}description": "description",
        _DC_DATE: "dc_date",
        _DC_LANGUAGE: "language",
        _DC_DESCRIPTION: "dc_description",
        _CONTENT_ENCODED: "content",
    }
    entries = []
    for item in root.iterfind(f"{{{namespace}}}item"):
        fields, _guid_is_link, _alternate = _collect(item, names)
        about = (item.get(_RDF_ABOUT) or "").strip()
        url = _absolute_link(fields.get("link", ""), item, fallback_base)
        if not url and about:
            url = _absolute_link(about, item, fallback_base)
        entries.append(
            ParsedEntry(
                url=url,
                title=_plain_text(fields.get("title", "")),
                summary=html_to_text(
                    fields.get("description")
                    or fields.get("dc_description")
                    or fields.get("content", "")
                ),
                published_at=_parse_date(fields.get("dc_date", "")),
                guid=about,
                language=_language(fields.get("language") or item.get(XML_LANG))
                or channel_language,
                publisher="",
            )
        )
    return entries


# --- Atom 1.0 (and the 0.3 draft, which names its elements alike) -------------------------------
def _atom_entries(root: etree._Element, namespace: str) -> list[ParsedEntry]:
    def tag(name: str) -> str:
        return f"{{{namespace}}}{name}"

    link_tag = tag("link")
    fallback_base = ""
    for link in root.iterchildren(link_tag):
        if link.get("rel", "alternate") == "alternate":
            fallback_base = _web_link(_absolute_link(link.get("href", ""), link, ""))
            break
    feed_language = _language(root.get(XML_LANG))
    dates = (tag("published"), tag("updated"), tag("issued"), tag("modified"), tag("created"))
    entries = []
    for entry in root.iterfind(tag("entry")):
        children: dict[str, etree._Element] = {}
        alternate = first_link = None
        for child in entry:
            if child.tag == link_tag:
                rel = child.get("rel", "alternate")
                if first_link is None and rel not in {"self", "edit", "enclosure", "replies"}:
                    first_link = child
                if alternate is None and rel == "alternate":
                    kind = child.get("type", "text/html")
                    if kind in {"text/html", "application/xhtml+xml"}:
                        alternate = child
            elif isinstance(child.tag, str):
                children.setdefault(child.tag, child)
        link = alternate if alternate is not None else first_link
        published = next((children[name] for name in dates if name in children), None)
        summary = children.get(tag("summary"))
        if summary is None:
            summary = children.get(tag("content"))
        entries.append(
            ParsedEntry(
                url=_absolute_link(link.get("href", ""), link, fallback_base)
                if link is not None
                else "",
                title=_atom_text(children.get(tag("title"))),
                summary=_atom_text(summary),
                published_at=_parse_date(published.text or "") if published is not None else None,
                guid=(_element_text(children[tag("id")]) if tag("id") in children else "").strip(),
                language=_language(entry.get(XML_LANG)) or feed_language,
                publisher="",
            )
        )
    return entries


def _atom_text(element: etree._Element | None) -> str:
    """An Atom text construct by its `type`: text, html or xhtml."""
    if element is None:
        return ""
    kind = (element.get("type") or "text").strip().lower()
    if kind in {"html", "text/html"}:
        return html_to_text(_element_text(element))
    if kind in {"xhtml", "application/xhtml+xml"}:
        inner = "".join(
            etree.tostring(child, encoding="unicode", with_tail=True) for child in element
        )
        return html_to_text((element.text or "") + inner)
    if kind.startswith("text"):  # "text", and Atom 0.3's "text/plain"
        return _plain_text(_element_text(element))
    return ""  # base64 or other media types: not text we can show


# --- Entry points -------------------------------------------------------------------------------
def _split_tag(tag: str) -> tuple[str | None, str]:
    """`{namespace}local` -> (namespace, local). Not `etree.QName`, which refuses the `p:name`
    tags that recovery leaves when a prefix was never declared."""
    if tag.startswith("{"):
        namespace, _, local = tag[1:].partition("}")
        return namespace, local
    return None, tag


def _entries(root: etree._Element, *, keep_source: bool = False) -> list[ParsedEntry]:
    namespace, local = _split_tag(root.tag)
    if local == "rss":
        return _rss_entries(root, keep_source=keep_source)
    if local == "RDF" and namespace == RDF:
        return _rdf_entries(root)
    if local == "feed" and namespace in {ATOM, ATOM03}:
        return _atom_entries(root, namespace)
    if local.lower() == "html":
        raise ParseError(MSG_HTML)
    raise ParseError(
        f"The document is XML but not an RSS or Atom feed (its root element is <{local[:40]}>)."
    )


def parse_feed(data: bytes, *, base_url: str = "") -> list[ParsedEntry]:
    """RSS 0.9x, RSS 1.0 (RDF), RSS 2.0 or Atom bytes -> entries, in document order."""
    return _entries(_parse_xml(data, base_url=base_url))


_PUBLISHER_SUFFIX = " - "


def parse_google_news(data: bytes, *, base_url: str = "") -> list[ParsedEntry]:
    """Google News search RSS: titles lose their ` - Publisher` suffix, which becomes `publisher`.

    The publisher is the item's `<source>`; without one, the text after the title's last ` - `.
    The description (`<a>Title</a>&nbsp;&nbsp;<font>Publisher</font>`) becomes text, without the
    trailing publisher name.
    """
    entries = []
    for entry in _entries(_parse_xml(data, base_url=base_url), keep_source=True):
        title, publisher = entry.title, entry.publisher
        suffix = f"{_PUBLISHER_SUFFIX}{publisher}"
        if publisher and len(title) > len(suffix) and _same(title[-len(suffix) :], suffix):
            title = title[: -len(suffix)].rstrip()
        elif not publisher:
            head, separator, tail = title.rpartition(_PUBLISHER_SUFFIX)
            if separator and head.strip() and tail.strip():
                title, publisher = head.rstrip(), tail.strip()
        summary = entry.summary
        if publisher and _same(summary[-len(publisher) :], publisher):
            summary = summary[: -len(publisher)].rstrip(" -|·\u2013\u2014")
        entries.append(
            ParsedEntry(
                url=entry.url,
                title=title,
                summary=summary,
                published_at=entry.published_at,
                guid=entry.guid,
                language=entry.language,
                publisher=publisher,
            )
        )
    return entries


def _same(a: str, b: str) -> bool:
    return a.casefold() == b.casefold()


def parse_gdelt(data: bytes, *, base_url: str = "") -> list[ParsedEntry]:
    """GDELT DOC 2.0 `mode=artlist&format=json`; `{}` (no articles) -> []. Its links are
    absolute: `base_url` is taken, as by every parser, and not needed."""
    text = data.decode("utf-8-sig", "replace").strip()
    try:
        answer = json.loads(text, strict=False)  # GDELT titles can hold raw control characters
    except ValueError:
        raise ParseError(_gdelt_refusal(text)) from None
    if not isinstance(answer, dict) or not isinstance(answer.get("articles", []), list):
        raise ParseError("The GDELT answer is JSON but not an article list.")
    return [_gdelt_entry(article) for article in _gdelt_articles(answer)]


def _gdelt_articles(answer: dict) -> Iterator[dict]:
    return (article for article in answer.get("articles", []) if isinstance(article, dict))


def _gdelt_refusal(text: str) -> str:
    if not text:
        return "The GDELT answer is empty (not even `{}`)."
    # GDELT explains a refused query in plain text ("Your search contained a phrase that...").
    snippet = _collapse(text[:200])
    if snippet.startswith(("{", "[")):
        return "The GDELT answer is not valid JSON."
    return f"GDELT did not answer with JSON: {snippet!r}."


def _gdelt_entry(article: dict) -> ParsedEntry:
    def field(name: str) -> str:
        value = article.get(name)
        return value if isinstance(value, str) else ""

    try:
        seen = datetime.strptime(field("seendate"), "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    except ValueError:
        seen = _parse_date(field("seendate"))
    return ParsedEntry(
        url=_web_link(field("url")),
        title=_plain_text(field("title")),
        summary="",
        published_at=seen,
        guid="",
        language=_language(field("language")),
        publisher=_collapse(field("domain")).lower(),
    )
