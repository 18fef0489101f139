"""The digest as an email: a plain-text body, an HTML alternative and the list headers.

Rendering only: nothing here queries the database beyond what the Digest already holds
(tracker.digests.content loads it), and nothing is sent.
"""

import random
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from email.utils import formatdate
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.timezone import is_aware, localtime

from campaigns.models import Signature
from tracker.digests.content import CampaignNews, CaseNews, Digest
from tracker.digests.models import Subscription
from tracker.digests.unsubscribe import make_token
from tracker.newswatch.models import Mention

# What one digest lists. A busy feed can bring thousands of mentions of one case in a day, and
# many mail relays refuse messages over 10 MB: a digest names the newest of each kind and counts
# the rest, and the whole message stays under MAX_MESSAGE_BYTES (see render_digest_email).
# A letter may gather hundreds of signatures in a day (CSV import): name this many, count the rest.
MAX_SIGNATORIES_NAMED = 20
MAX_MENTIONS_PER_CASE = 10
MAX_EVENTS_PER_CASE = 20
MAX_LETTERS_PER_CAMPAIGN = 20
MAX_DESCRIPTION_CHARS = 600
MAX_TITLE_CHARS = 300
MAX_PUBLISHER_CHARS = 100
MAX_LINK_CHARS = 1000  # longer web addresses are not printed (they would be cut, and broken)
MAX_MESSAGE_BYTES = 1_000_000  # the whole message as sent: headers, both parts, encoded


def site_domain() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def unsubscribe_url(subscription: Subscription, token: str | None = None) -> str:
    """The one-click link; `token` is make_token(subscription), when it is made already."""
    token = token or make_token(subscription)
    return settings.SITE_URL + reverse("digests:unsubscribe", args=[token])


def admin_case_url(person_pk: int) -> str:
    return settings.SITE_URL + reverse("admin:tracker_detainedperson_change", args=[person_pk])


def admin_mentions_url(person_pk: int) -> str:
    """The review queue's list of every mention of one case."""
    return (
        settings.SITE_URL
        + reverse("admin:tracker_mention_changelist")
        + f"?person__id__exact={person_pk}&status__exact=all"
    )


def message_id() -> str:
    """A new Message-ID, unique in the world: 122 random bits (uuid4), nothing counted, so no
    other installation, restored backup or reset database repeats it (mail providers fold
    messages with the same Message-ID), and it tells nobody how many digests were sent. Made
    once per delivery, when its message is fixed at the first claim, and stored with it: a
    resend after a crash carries the same one."""
    return f"<digest-{uuid.uuid4().hex}@{site_domain()}>"


# --- What the templates show -------------------------------------------------------------------


def _one_line(text: str) -> str:
    # Titles come from news feeds: a stray newline must not start a line of its own in the text.
    return " ".join((text or "").split())


def _web_link(url: str) -> str:
    """The URL if it is a web address of a printable length; nothing otherwise (no javascript:
    or data: links)."""
    if len(url or "") > MAX_LINK_CHARS:
        return ""
    return url if urlsplit(url or "").scheme.lower() in ("http", "https") else ""


def _short(text: str, limit: int) -> str:
    text = _one_line(text)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _host(url: str) -> str:
    host = urlsplit(url or "").hostname or ""
    return host.removeprefix("www.")


@dataclass
class _Event:
    date: date
    kind: str
    description: str
    is_status_change: bool
    day: str = ""  # the date as the `date` filter writes it (DATE_FORMAT)


@dataclass
class _Mention:
    title: str
    publisher: str
    when: datetime
    url: str
    unreviewed: bool
    day: str = ""  # the date of `when` as the `date` filter writes it (DATE_FORMAT)


@dataclass
class _Case:
    name: str
    status: str
    admin_url: str  # empty in digests to addresses outside the staff
    events: list[_Event]
    mentions: list[_Mention]
    more_events: int = 0  # in the period, beyond those listed
    more_mentions: int = 0
    more_mentions_url: str = ""  # staff only: every mention of the case in the review queue


@dataclass
class _Letter:
    title: str
    kind: str
    status: str
    url: str


@dataclass
class _Signed:
    letter: str
    count: int
    names: list[str]
    more: int


@dataclass
class _Campaign:
    name: str
    letters: list[_Letter] = field(default_factory=list)
    signed: list[_Signed] = field(default_factory=list)
    more_letters: int = 0


def _day(value: date | datetime, cache: dict | None = None) -> str:
    """`value` as `{{ value|date:"DATE_FORMAT" }}` writes it (a datetime in the current time
    zone); formatted once per day for the digests of a session."""
    day = localtime(value).date() if isinstance(value, datetime) and is_aware(value) else value
    return _shared(cache, ("day", day), lambda: date_format(day, "DATE_FORMAT"))


def _case(news: CaseNews, *, to_staff: bool, cache: dict | None = None) -> _Case:
    person = news.person
    # The newest events (the period's latest status change among them) and the newest mentions.
    events = news.events[-MAX_EVENTS_PER_CASE:]
    mentions = news.mentions[:MAX_MENTIONS_PER_CASE]
    more_mentions = len(news.mentions) - len(mentions)
    return _Case(
        name=f"{person.name} ({person.native_name})" if person.native_name else person.name,
        status=person.get_status_display(),
        admin_url=admin_case_url(person.pk) if to_staff else "",
        events=[
            _Event(
                date=e.date,
                kind=e.get_kind_display(),
                description=_one_line(e.description),
                is_status_change=e.is_status_change,
                day=_day(e.date, cache),
            )
            for e in events
        ],
        mentions=[
            _Mention(
                title=_short(m.news_item.title or m.news_item.url, MAX_TITLE_CHARS),
                publisher=_short(
                    m.news_item.publisher or _host(m.news_item.url), MAX_PUBLISHER_CHARS
                ),
                when=m.news_item.published_at or m.created_at,
                url=_web_link(m.news_item.url),
                unreviewed=m.status == Mention.Status.NEW,
                day=_day(m.news_item.published_at or m.created_at, cache),
            )
            for m in mentions
        ],
        more_events=len(news.events) - len(events),
        more_mentions=more_mentions,
        more_mentions_url=admin_mentions_url(person.pk) if to_staff and more_mentions else "",
    )


def _signatory_name(signature: Signature) -> str:
    if signature.organization_id:
        return signature.organization.name
    return signature.person.full_name if signature.person_id else ""


def _campaign(news: CampaignNews) -> _Campaign:
    letters = news.letters[-MAX_LETTERS_PER_CAMPAIGN:]
    campaign = _Campaign(
        name=news.campaign.name,
        letters=[
            _Letter(
                title=_short(letter.title, MAX_TITLE_CHARS),
                kind=letter.get_kind_display(),
                status=letter.get_status_display(),
                url=_web_link(letter.url),
            )
            for letter in letters
        ],
        more_letters=len(news.letters) - len(letters),
    )
    by_letter: dict[int, tuple[str, list[str]]] = {}
    for signature in news.signatures:
        title, names = by_letter.setdefault(
            signature.letter_id, (_short(signature.letter.title, MAX_TITLE_CHARS), [])
        )
        names.append(_short(_signatory_name(signature), MAX_PUBLISHER_CHARS))
    for title, names in by_letter.values():
        campaign.signed.append(
            _Signed(
                letter=title,
                count=len(names),
                names=names[:MAX_SIGNATORIES_NAMED],
                more=max(0, len(names) - MAX_SIGNATORIES_NAMED),
            )
        )
    return campaign


def _shared(cache: dict | None, key: tuple, make):
    """`make()`, made once per key in a render session's `cache` (every time without one)."""
    if cache is None:
        return make()
    if key not in cache:
        cache[key] = make()
    return cache[key]


def _period(start: datetime, end: datetime) -> str:
    """e.g. `1 March 2026, 07:00 to 2 March 2026, 07:00 UTC`, in the current time zone."""
    start, end = localtime(start), localtime(end)
    return (
        f"{date_format(start, 'DATETIME_FORMAT')} to {date_format(end, 'DATETIME_FORMAT')} "
        f"{date_format(end, 'T')}"
    )


def digest_context(digest: Digest, *, cache: dict | None = None) -> dict:
    """What the templates show. With a `cache` (one per render session, see
    render_digest_email), a case or campaign that several digests show alike is made once,
    and the templates render it once (tracker/digests/fragments.py)."""
    subscription = digest.subscription
    cases = [
        _shared(
            cache,
            (
                "case",
                news.person.pk,
                digest.to_staff,
                tuple(m.pk for m in news.mentions),
                tuple(e.pk for e in news.events),
            ),
            lambda news=news: _case(news, to_staff=digest.to_staff, cache=cache),
        )
        for news in digest.cases
    ]
    campaigns = [
        _shared(
            cache,
            (
                "campaign",
                news.campaign.pk,
                tuple(letter.pk for letter in news.letters),
                tuple(signature.pk for signature in news.signatures),
            ),
            lambda news=news: _campaign(news),
        )
        for news in digest.campaigns
    ]
    return {
        "subject": digest.subject,
        "email": subscription.email,
        "frequency": subscription.frequency,
        "period_start": digest.period_start,
        "period_end": digest.period_end,
        # As the `date` filter writes them; formatted once for the digests of a session.
        "period": _shared(
            cache,
            ("period", digest.period_start, digest.period_end),
            lambda: _period(digest.period_start, digest.period_end),
        ),
        "cases": cases,
        "campaigns": campaigns,
        "any_unreviewed": any(m.unreviewed for case in cases for m in case.mentions),
        "max_description_chars": MAX_DESCRIPTION_CHARS,
        "unsubscribe_url": unsubscribe_url(subscription),
        "more_cases": 0,  # set by render_digest_email when not every case fits
        "more_campaigns": 0,
        # Staff only: the review queue, where everything a digest could not list is.
        "queue_url": (
            settings.SITE_URL + reverse("admin:tracker_mention_changelist")
            if digest.to_staff
            else ""
        ),
        "fragment_cache": cache,
    }


def _tidy_text(text: str) -> str:
    """Template tags leave blank lines behind: no trailing spaces, at most one blank line."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    tidy: list[str] = []
    for line in lines:
        if line or (tidy and tidy[-1]):
            tidy.append(line)
    return "\n".join(tidy) + "\n"


def _tidy_html(html: str) -> str:
    """Without the blank lines that template tags leave (half the lines of a digest): the page
    is the same (the newline before them stays), and every line costs the mail's encoding and
    the mail server's reading."""
    return "\n".join(line for line in html.split("\n") if line.strip())


def render_digest_email(digest: Digest, *, cache: dict | None = None) -> EmailMultiAlternatives:
    """The digest, ready to send: plain text with an HTML alternative, the RFC 2369 and RFC 8058
    unsubscribe headers, and a new random Message-ID (see message_id).

    Each case and campaign lists only its newest news (see MAX_*); should the message still be
    over MAX_MESSAGE_BYTES (a subscription following hundreds of busy cases), it lists fewer
    cases, then fewer campaigns, and counts the rest, until it fits.

    Digests rendered together (a batch) share a `cache` (an empty dict to begin with): what
    they show alike is then rendered once. The messages are the same with or without it."""
    context = digest_context(digest, cache=cache)
    msgid = message_id()
    cases, campaigns = context["cases"], context["campaigns"]
    listed_cases, listed_campaigns = len(cases), len(campaigns)
    while True:
        context.update(
            cases=cases[:listed_cases],
            more_cases=len(cases) - listed_cases,
            campaigns=campaigns[:listed_campaigns],
            more_campaigns=len(campaigns) - listed_campaigns,
        )
        message = _message(digest, context, msgid)
        if _surely_fits(message):
            return message
        size = len(message.message().as_bytes())
        if size <= MAX_MESSAGE_BYTES or listed_cases + listed_campaigns == 0:
            return message
        # Shrink in proportion, with a margin, so that a few passes are enough.
        if listed_cases:
            listed_cases = min(listed_cases - 1, int(listed_cases * MAX_MESSAGE_BYTES / size * 0.9))
        else:
            listed_campaigns = min(
                listed_campaigns - 1, int(listed_campaigns * MAX_MESSAGE_BYTES / size * 0.9)
            )


# Room for the headers and the MIME structure of a digest (subject, addresses, the unsubscribe
# links, boundaries), far more than they take.
_HEADROOM_BYTES = 64_000


def _surely_fits(message: EmailMultiAlternatives) -> bool:
    """Whether the message is under MAX_MESSAGE_BYTES however it is encoded, without building
    it: each part's UTF-8 bytes tripled (quoted-printable's worst case; base64 takes less),
    and room for the rest. Only a digest near the limit is built to be measured."""
    parts = [message.body, *(content for content, _ in message.alternatives)]
    size = sum(len(part.encode()) for part in parts)
    return 3 * size + _HEADROOM_BYTES <= MAX_MESSAGE_BYTES


def message_content(message: EmailMultiAlternatives) -> dict:
    """What is stored on a delivery to send the same message again (see message_from_content).
    The Date header and the MIME boundary are fixed here too, so that every attempt sends the
    identical message, byte for byte."""
    headers = {"Date": formatdate(localtime=False), **message.extra_headers}
    text, html = message.body, message.alternatives[0][0]
    # As the email package makes one (random, not secret: os.urandom can be slow here).
    boundary = f"===============digest-{random.getrandbits(64):016x}=="
    while boundary in text or boundary in html:  # (never, but a boundary must not be quoted)
        boundary = f"===============digest-{random.getrandbits(64):016x}=="
    return {
        "subject": message.subject,
        "from": message.from_email,
        "to": list(message.to),
        "headers": headers,
        "text": text,
        "html": html,
        "boundary": boundary,
    }


class _StoredMessage(EmailMultiAlternatives):
    """A stored message, with the MIME boundary it was first built with (older stored
    messages have none: a new one each time, as before)."""

    boundary: str | None = None

    def message(self):
        built = super().message()
        if self.boundary and built.is_multipart():
            built.set_boundary(self.boundary)
        return built


def message_from_content(content: dict) -> EmailMultiAlternatives:
    message = _StoredMessage(
        subject=content["subject"],
        body=content["text"],
        from_email=content["from"],
        to=content["to"],
        headers=content["headers"],
    )
    message.attach_alternative(content["html"], "text/html")
    message.boundary = content.get("boundary")
    return message


def _message(digest: Digest, context: dict, msgid: str) -> EmailMultiAlternatives:
    subscription = digest.subscription
    text = _tidy_text(render_to_string("tracker/email/digest.txt", context))
    html = _tidy_html(render_to_string("tracker/email/digest.html", context))
    message = EmailMultiAlternatives(
        subject=context["subject"],
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[subscription.email],
        headers={
            "Message-ID": msgid,
            # The https link only, which RFC 8058's one-click POST needs and mail clients use.
            # No mailto: Vigil receives no mail, and a mailto nothing reads would tell the
            # reader they had unsubscribed while the digests kept coming (README "Email
            # digests").
            "List-Unsubscribe": f"<{context['unsubscribe_url']}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(html, "text/html")
    return message
