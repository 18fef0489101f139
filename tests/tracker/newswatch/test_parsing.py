import re
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.tracker.newswatch.feedserver import FIXTURES
from tracker.newswatch.parsing import (
    ParsedEntry,
    ParseError,
    html_to_text,
    parse_feed,
    parse_gdelt,
    parse_google_news,
)

ENTITY_REFUSAL = "declares XML entities"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def rss(items: str, *, channel: str = "", prolog: str = "") -> bytes:
    return (
        f'{prolog}<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
        f"<channel><title>Test</title>{channel}{items}</channel></rss>"
    ).encode()


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# --- The fixture formats ------------------------------------------------------------------------
def test_rss_2_feed_gives_every_item_with_its_fields():
    entries = parse_feed(fixture("rights.xml"))

    assert len(entries) == 8
    assert entries[0] == ParsedEntry(
        url="https://rights.example.org/2016/03/wang-fang-detained",
        title="Activist Wang Fang detained after protest",
        summary="Police detained Wang Fang outside the court.",
        published_at=utc(2016, 3, 1, 8, 0),
        guid="rights-p01",
        language="en",
        publisher="",
    )
    assert [entry.guid for entry in entries] == [f"rights-p0{n}" for n in range(1, 9)]
    assert all(entry.published_at.tzinfo is UTC for entry in entries)


def test_rss_description_html_is_stripped_and_entities_decoded():
    entries = {entry.guid: entry for entry in parse_feed(fixture("rights.xml"))}

    # `&lt;p&gt;...&lt;i&gt;` in the XML is HTML once the XML is read: no tags may remain.
    assert entries["rights-p01"].summary == "Police detained Wang Fang outside the court."
    # `&amp;amp;` is an HTML `&amp;` inside XML: decoded twice, it is a plain `&`.
    assert entries["rights-p07"].summary == "Bring an umbrella & boots."
    assert entries["rights-p08"].title == "Seán O’Connor freed"
    assert entries["rights-p08"].summary == "O’Connor spent 90 days in custody."


def test_atom_feed_gives_chinese_and_english_entries_in_the_feed_language():
    entries = parse_feed(fixture("digest.atom"))

    assert len(entries) == 4
    assert entries[0] == ParsedEntry(
        url="https://digest.example.net/2016/03/wang-fang-zh",
        title="维权人士王芳被拘留",
        summary="王芳的律师说，她被以寻衅滋事罪名刑事拘留。",
        published_at=utc(2016, 3, 1, 12, 0),
        guid="tag:digest.example.net,2015:p09",
        language="zh",
        publisher="",
    )
    assert entries[3].title == "Zhou Langping named ambassador"
    assert entries[3].summary == "Zhou Langping will serve in Lima."
    assert {entry.language for entry in entries} == {"zh"}  # xml:lang="zh-CN" on <feed>


def test_rss_1_rdf_feed_uses_rdf_about_as_guid_and_dc_date():
    entries = parse_feed(fixture("wire.rdf"))

    assert len(entries) == 3
    assert entries[1] == ParsedEntry(
        url="https://wire.example.com/r/2016-0302-02",
        title="Дарья Петренко осталась под стражей",
        summary="Суд продлил арест.",
        published_at=utc(2016, 3, 2, 6, 0),
        guid="https://wire.example.com/r/2016-0302-02",
        language="",  # the feed does not say
        publisher="",
    )
    assert entries[0].title == "Gülnarə Əliyeva begins hunger strike"


def test_google_news_titles_lose_the_publisher_suffix_and_keep_the_publisher():
    entries = parse_google_news(fixture("gnews/P1.xml"))

    assert [(entry.title, entry.publisher) for entry in entries] == [
        ("Lawyer for Wang Fang barred from court", "China Voices"),
        ("Wang Fang announces spring tour", "Music Today"),
    ]
    assert entries[0] == ParsedEntry(
        url="https://voices.example.com/wang-fang-lawyer",
        title="Lawyer for Wang Fang barred from court",
        # `<a>title</a>&nbsp;&nbsp;<font>China Voices</font>`: text, without the source repeated.
        summary="Lawyer for Wang Fang barred from court",
        published_at=utc(2016, 3, 4, 3, 0),
        guid="gn-p16",
        language="en",
        publisher="China Voices",
    )


def test_google_news_keeps_the_link_as_published():
    [entry] = parse_google_news(fixture("gnews/P3.xml"))

    assert entry.title == "Blogger Nguyen Van Minh moved to remote prison"
    assert entry.publisher == "Example News"
    assert entry.url == (
        "https://rights.example.org/2016/03/nguyen-van-minh?utm_source=gn&utm_medium=rss"
    )


def test_google_news_publisher_whose_name_has_a_dash_is_stripped_whole():
    data = rss(
        "<item><title>Court hears appeal - Radio Free - Asia</title>"
        '<source url="https://rfa.example">Radio Free - Asia</source></item>'
    )

    [entry] = parse_google_news(data)

    assert (entry.title, entry.publisher) == ("Court hears appeal", "Radio Free - Asia")


def test_google_news_item_without_source_takes_the_publisher_from_the_title():
    data = rss("<item><title>Court hears appeal - Daily Planet - Metro</title></item>")

    [entry] = parse_google_news(data)

    assert (entry.title, entry.publisher) == ("Court hears appeal - Daily Planet", "Metro")


def test_plain_feed_reader_leaves_google_news_titles_whole():
    entries = parse_feed(fixture("gnews/P1.xml"))

    assert entries[0].title == "Lawyer for Wang Fang barred from court - China Voices"
    assert entries[0].publisher == ""


@pytest.mark.parametrize(
    ("name", "url", "title", "seen", "domain"),
    [
        (
            "gdelt/P2.json",
            "https://finance.example.org/liu-jianguo-bank",
            "Liu Jianguo joins bank board",
            utc(2016, 3, 8, 9, 0),
            "finance.example.org",
        ),
        (
            "gdelt/P5.json",
            "https://caucasus.example.net/aliyeva-sentence",
            "GULNARA ALIYEVA SENTENCED",
            utc(2016, 3, 7, 9, 0),
            "caucasus.example.net",
        ),
        (
            "gdelt/P6.json",
            "https://nile.example.com/yasmine-el-masry",
            "Yasmine El Masry transferred to Qanater prison",
            utc(2016, 3, 6, 9, 0),
            "nile.example.com",
        ),
    ],
)
def test_gdelt_article_list_gives_title_seendate_language_and_domain(
    name, url, title, seen, domain
):
    [entry] = parse_gdelt(fixture(name))

    assert entry == ParsedEntry(
        url=url,
        title=title,
        summary="",
        published_at=seen,
        guid="",
        language="en",  # GDELT says "English"
        publisher=domain,
    )


def test_gdelt_empty_answer_is_no_entries():
    assert parse_gdelt(b"{}") == []


@pytest.mark.parametrize(
    "data",
    [b"", b"{not json", b"Your search contained a phrase that is too short.", b"[1, 2]"],
)
def test_gdelt_answer_that_is_not_an_article_list_is_a_parse_error(data):
    with pytest.raises(ParseError) as refused:
        parse_gdelt(data)

    assert str(refused.value).endswith(".")


def test_gdelt_language_names_map_to_codes():
    data = (
        b'{"articles": [{"url": "https://a.example/1", "title": "t", "language": "Chinese"},'
        b' {"url": "https://a.example/2", "title": "t", "language": "Klingon"}]}'
    )

    assert [entry.language for entry in parse_gdelt(data)] == ["zh", ""]


# --- Hostile documents --------------------------------------------------------------------------
def test_billion_laughs_is_refused_within_a_second_and_little_memory():
    data = fixture("hostile/billion-laughs.xml")
    tracemalloc.start()
    started = time.perf_counter()

    with pytest.raises(ParseError, match=ENTITY_REFUSAL):
        parse_feed(data)

    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert elapsed < 1.0
    assert peak < 1024 * 1024


def billion_laughs_body() -> str:
    text = fixture("hostile/billion-laughs.xml").decode()
    return text.split("\n", 1)[1]  # without the XML declaration


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(billion_laughs_body().encode("utf-16"), id="utf-16 with byte-order mark"),
        pytest.param(billion_laughs_body().encode("utf-16-le"), id="utf-16 without mark"),
        pytest.param(
            b'<?xml version="1.0" encoding="UTF-7"?>' + billion_laughs_body().encode("utf-7"),
            id="utf-7",
        ),
        pytest.param(
            ("<!--" + "padding " * 50_000 + "-->" + billion_laughs_body()).encode(),
            id="after a long comment",
        ),
        pytest.param(billion_laughs_body().replace("DOCTYPE", "doctype").encode(), id="lower case"),
        pytest.param(
            b'<!ENTITY lol "lol"><rss version="2.0"><channel/></rss>', id="entity outside doctype"
        ),
        pytest.param(
            billion_laughs_body().replace("<!DOCTYPE", "<\x01!DOC\x02TYPE").encode(),
            id="doctype split by control characters",
        ),
        pytest.param(
            b'<!DOCTYPE rss SYSTEM "a>b.dtd" [<!ENTITY x "y">]><rss><channel/></rss>',
            id="subset after a quoted >",
        ),
        pytest.param(
            b"<!DOCTYPE rss \" [<!ENTITY x SYSTEM 'file:///etc/passwd'>] \"><rss/>",
            id="subset inside stray quotes",
        ),
    ],
)
def test_entity_declarations_are_refused_however_they_are_encoded(data):
    with pytest.raises(ParseError, match=ENTITY_REFUSAL):
        parse_feed(data)


def test_external_entity_is_refused_and_the_local_file_never_appears():
    hostname = Path("/etc/hostname")
    secret = hostname.read_text().strip() if hostname.exists() else ""

    with pytest.raises(ParseError, match=ENTITY_REFUSAL) as refused:
        parse_feed(fixture("hostile/external-entity.xml"))

    if secret:
        assert secret not in str(refused.value)


def test_external_dtd_is_never_loaded_so_its_entities_stay_unread(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-7f3a")
    dtd = tmp_path / "evil.dtd"
    dtd.write_text(f'<!ENTITY secret SYSTEM "{secret.as_uri()}">')
    data = rss(
        "<item><title>Leak &secret; here</title><description>&secret;</description></item>",
        prolog=f'<!DOCTYPE rss SYSTEM "{dtd.as_uri()}">',
    )

    [entry] = parse_feed(data)

    assert "TOP-SECRET" not in repr(entry)
    assert entry.title == "Leak &secret; here"  # an unknown reference stays as written


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (fixture("hostile/not-a-feed.html"), "web page (HTML)"),
        (fixture("hostile/garbage.bin"), "binary data"),
        (b"", "empty"),
        (b"  \n ", "empty"),
        (b"<!DOCTYPE html><html><body><p>Broken<br></body></html>", "web page (HTML)"),
        (b'{"json": true}', "not well-formed XML"),
        (b"<catalog><book/></catalog>", "root element is <catalog>"),
        (b"<rdf:RDF><item/></rdf:RDF>", "root element is <rdf:RDF>"),  # prefix never declared
        (b'<?xml version="1.0" encoding="x-klingon"?><rss/>', "encoding 'x-klingon'"),
        (b'<?xml version="1.0" encoding="base64"?><rss/>', "encoding 'base64'"),
    ],
)
def test_what_is_not_a_feed_is_a_parse_error_with_a_readable_sentence(data, message):
    with pytest.raises(ParseError, match=re.escape(message)) as refused:
        parse_feed(data)

    assert str(refused.value)[0].isupper()
    assert str(refused.value).endswith(".")


# --- Links, text, dates, encodings --------------------------------------------------------------
def test_relative_link_is_resolved_against_the_base_url():
    data = rss("<item><title>t</title><link>/2016/03/story.html</link></item>")

    [entry] = parse_feed(data, base_url="https://news.example.org/feeds/rss.xml")

    assert entry.url == "https://news.example.org/2016/03/story.html"


def test_relative_link_without_base_url_is_resolved_against_the_channel_link():
    data = rss(
        "<item><title>t</title><link>story.html</link></item>",
        channel="<link>https://news.example.org/section/</link>",
    )

    [entry] = parse_feed(data)

    assert entry.url == "https://news.example.org/section/story.html"


def test_atom_links_are_resolved_against_xml_base():
    data = (
        b'<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://blog.example.com/en/">'
        b'<entry xml:base="2016/"><id>x</id><title>t</title><link href="post.html"/></entry>'
        b"</feed>"
    )

    [entry] = parse_feed(data, base_url="https://elsewhere.example/feed")

    assert entry.url == "https://blog.example.com/en/2016/post.html"


def test_links_that_are_not_web_addresses_are_dropped():
    data = rss(
        "<item><title>a</title><link>javascript:alert(1)</link></item>"
        "<item><title>b</title><link>data:text/html,hi</link></item>"
    )

    assert [entry.url for entry in parse_feed(data, base_url="https://x.example/")] == ["", ""]


def test_link_that_cannot_be_split_is_dropped():
    data = rss("<item><title>a</title><link>https://[::1/broken</link></item>")

    assert [entry.url for entry in parse_feed(data)] == [""]


def test_permalink_guid_is_the_url_when_the_link_is_missing():
    data = rss(
        "<item><title>a</title><guid>https://x.example/a</guid></item>"
        '<item><title>b</title><guid isPermaLink="false">https://x.example/b</guid></item>'
    )

    assert [entry.url for entry in parse_feed(data)] == ["https://x.example/a", ""]


def test_content_encoded_is_the_summary_when_the_description_is_missing():
    data = rss(
        "<item><title>t</title><content:encoded><![CDATA[<p>Full&nbsp;text</p>"
        "<p>here</p>]]></content:encoded></item>"
    )

    [entry] = parse_feed(data)

    assert entry.summary == "Full text here"


def test_feed_with_bare_ampersands_and_html_entities_is_still_read():
    data = rss(
        "<item><title>AT&T &eacute;t&eacute; report</title>"
        "<link>https://x.example/?a=1&b=2</link><description>x&nbsp;y</description></item>"
    )

    [entry] = parse_feed(data)

    assert entry.title == "AT&T été report"
    assert entry.url == "https://x.example/?a=1&b=2"
    assert entry.summary == "x y"


def test_rss_0_91_feed_with_netscape_doctype_keeps_its_html_entities():
    data = rss(
        "<item><title>Caf&eacute; owner&nbsp;freed</title><link>https://x.example/1</link></item>",
        prolog=(
            '<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" '
            '"http://my.netscape.com/publish/formats/rss-0.91.dtd">'
        ),
    )

    [entry] = parse_feed(data)

    assert entry.title == "Café owner freed"


def test_feed_declared_latin_1_is_read_as_windows_1252():
    data = (
        b'<?xml version="1.0" encoding="ISO-8859-1"?><rss><channel><item>'
        b"<title>\x93Caf\xe9\x94 owner freed</title></item></channel></rss>"
    )

    [entry] = parse_feed(data)

    assert entry.title == "“Café” owner freed"


def test_utf_16_feed_is_read():
    text = '<?xml version="1.0" encoding="UTF-16"?><rss><channel><item><title>王芳</title>'
    data = (text + "</item></channel></rss>").encode("utf-16")

    assert [entry.title for entry in parse_feed(data)] == ["王芳"]


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("Tue, 01 Mar 2016 08:00:00 GMT", utc(2016, 3, 1, 8, 0)),
        ("Tue, 01 Mar 2016 08:00:00 +0200", utc(2016, 3, 1, 6, 0)),
        ("Tue, 01 Mar 2016 08:00:00 EST", utc(2016, 3, 1, 13, 0)),
        ("Tue, 01 Mar 2016 08:00:00 -0000", utc(2016, 3, 1, 8, 0)),
        ("01 Mar 2016 08:00:00", utc(2016, 3, 1, 8, 0)),
        ("2016-03-01T08:00:00Z", utc(2016, 3, 1, 8, 0)),
        ("2016-03-01T08:00:00.250-05:00", utc(2016, 3, 1, 13, 0, 0, 250_000)),
        ("2016-03-01T08:00:00", utc(2016, 3, 1, 8, 0)),
        ("2016-03-01", utc(2016, 3, 1)),
        ("yesterday", None),
        ("", None),
    ],
)
def test_dates_become_aware_utc_whatever_the_format(written, expected):
    data = rss(f"<item><title>t</title><pubDate>{written}</pubDate></item>")

    [entry] = parse_feed(data)

    assert entry.published_at == expected
    if expected is not None:
        assert entry.published_at.tzinfo is UTC


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("<p>One</p><p>two</p>", "One two"),
        ("Line<br>break", "Line break"),
        ("<b>W</b>ang <i>Fang</i>", "Wang Fang"),
        ("a<script>alert(1)</script>b<style>p{}</style>c", "abc"),
        ("Tom &amp; Jerry&nbsp;&#8217;s &eacute;", "Tom & Jerry ’s é"),
        ("  many \n\t spaces  ", "many spaces"),
        ("5 < 6 and 7 > 3", "5 < 6 and 7 > 3"),
        ('<img src="https://tracker.example/pixel.gif">Caption', "Caption"),
        ("", ""),
    ],
)
def test_html_to_text_gives_one_line_of_plain_text(html, text):
    assert html_to_text(html) == text
