"""The digest as an email: a plain-text body, an HTML alternative and the list headers.

Rendering only: nothing here queries the database beyond what the Digest already holds
(tracker.digests.content loads it), and nothing is sent.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from email.utils import parseaddr
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, make_msgid
from django.template.loader import render_to_string
from django.urls import reverse

from campaigns.models import Signature
from tracker.digests.content import CampaignNews, CaseNews, Digest
from tracker.digests.unsubscribe import make_token
from tracker.models import Mention, Subscription

# A letter may gather hundreds of signatures in a day (CSV import): name this many, count the rest.
MAX_SIGNATORIES_NAMED = 20
MAX_DESCRIPTION_CHARS = 600


def site_domain() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def unsubscribe_url(subscription: Subscription) -> str:
    return settings.SITE_URL + reverse("digests:unsubscribe", args=[make_token(subscription)])


def unsubscribe_mailto(subscription: Subscription) -> str:
    configured = getattr(settings, "DIGEST_UNSUBSCRIBE_MAILTO", "") or settings.DEFAULT_FROM_EMAIL
    address = parseaddr(configured)[1] or configured  # "Vigil <digest@x>" -> "digest@x"
    subject = quote(f"unsubscribe {make_token(subscription)}", safe=":")
    return f"mailto:{address}?subject={subject}"


def admin_case_url(person_pk: int) -> str:
    return settings.SITE_URL + reverse("admin:tracker_detainedperson_change", args=[person_pk])


def message_id(delivery_id: int | None) -> str:
    """Deterministic per delivery, so that a resend after a crash is recognisable as such."""
    if delivery_id is None:
        return make_msgid(domain=site_domain())
    return f"<digest-{delivery_id}@{site_domain()}>"


# --- What the templates show -------------------------------------------------------------------


def _one_line(text: str) -> str:
    # Titles come from news feeds: a stray newline must not start a line of its own in the text.
    return " ".join((text or "").split())


def _web_link(url: str) -> str:
    """The URL if it is a web address; nothing otherwise (no javascript: or data: links)."""
    return url if urlsplit(url or "").scheme.lower() in ("http", "https") else ""


def _host(url: str) -> str:
    host = urlsplit(url or "").hostname or ""
    return host.removeprefix("www.")


@dataclass
class _Event:
    date: date
    kind: str
    description: str
    is_status_change: bool


@dataclass
class _Mention:
    title: str
    publisher: str
    when: datetime
    url: str
    unreviewed: bool


@dataclass
class _Case:
    name: str
    status: str
    admin_url: str  # empty in digests to addresses outside the staff
    events: list[_Event]
    mentions: list[_Mention]


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


def _case(news: CaseNews, *, to_staff: bool) -> _Case:
    person = news.person
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
            )
            for e in news.events
        ],
        mentions=[
            _Mention(
                title=_one_line(m.news_item.title) or m.news_item.url,
                publisher=_one_line(m.news_item.publisher) or _host(m.news_item.url),
                when=m.news_item.published_at or m.created_at,
                url=_web_link(m.news_item.url),
                unreviewed=m.status == Mention.Status.NEW,
            )
            for m in news.mentions
        ],
    )


def _signatory_name(signature: Signature) -> str:
    if signature.organization_id:
        return signature.organization.name
    return signature.person.full_name if signature.person_id else ""


def _campaign(news: CampaignNews) -> _Campaign:
    campaign = _Campaign(
        name=news.campaign.name,
        letters=[
            _Letter(
                title=_one_line(letter.title),
                kind=letter.get_kind_display(),
                status=letter.get_status_display(),
                url=_web_link(letter.url),
            )
            for letter in news.letters
        ],
    )
    by_letter: dict[int, tuple[str, list[str]]] = {}
    for signature in news.signatures:
        title, names = by_letter.setdefault(
            signature.letter_id, (_one_line(signature.letter.title), [])
        )
        names.append(_signatory_name(signature))
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


def digest_context(digest: Digest) -> dict:
    subscription = digest.subscription
    cases = [_case(news, to_staff=digest.to_staff) for news in digest.cases]
    return {
        "subject": digest.subject,
        "email": subscription.email,
        "frequency": subscription.frequency,
        "period_start": digest.period_start,
        "period_end": digest.period_end,
        "cases": cases,
        "campaigns": [_campaign(news) for news in digest.campaigns],
        "any_unreviewed": any(m.unreviewed for case in cases for m in case.mentions),
        "max_description_chars": MAX_DESCRIPTION_CHARS,
        "unsubscribe_url": unsubscribe_url(subscription),
    }


def _tidy_text(text: str) -> str:
    """Template tags leave blank lines behind: no trailing spaces, at most one blank line."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    tidy: list[str] = []
    for line in lines:
        if line or (tidy and tidy[-1]):
            tidy.append(line)
    return "\n".join(tidy) + "\n"


def render_digest_email(
    digest: Digest, *, delivery_id: int | None = None
) -> EmailMultiAlternatives:
    """The digest, ready to send: plain text with an HTML alternative, the RFC 2369 and RFC 8058
    unsubscribe headers, and a Message-ID derived from delivery_id when there is one."""
    subscription = digest.subscription
    context = digest_context(digest)
    text = _tidy_text(render_to_string("tracker/email/digest.txt", context))
    html = render_to_string("tracker/email/digest.html", context)
    message = EmailMultiAlternatives(
        subject=digest.subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[subscription.email],
        headers={
            "Message-ID": message_id(delivery_id),
            "List-Unsubscribe": (
                f"<{context['unsubscribe_url']}>, <{unsubscribe_mailto(subscription)}>"
            ),
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(html, "text/html")
    return message
