"""What a digest says: for each case a subscription follows, what is new in its period.

`build_digests()` builds the digests of many deliveries in a fixed number of queries,
however many subscriptions there are: it loads everything new in the union of their periods
for the union of the cases they follow, then sorts it out per subscription in memory.

When a mention is news depends on the subscription (`_mention_is_news`):

- with `include_unreviewed`, in the period it was found (created_at), new or confirmed;
- without, in the period it was confirmed (reviewed_at; created_at for one recorded as
  confirmed without a review), once staff have confirmed it. A mention found one day and
  confirmed the next reaches such a subscriber the next day.

Each kind of subscription goes by one clock, so a mention reaches a subscription once: one
that got it unreviewed does not get it again when it is confirmed. (Not deduplicated against
earlier deliveries, so two rare cases do repeat it: a subscription that turns
include_unreviewed off gets a mention it had unreviewed again once it is confirmed, and a
mention put back to new and confirmed again counts again at its new review.)
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth.models import User
from django.db.models import Prefetch, Q
from django.db.models.functions import Lower

from campaigns.models import Campaign, Letter, Signature
from config.batching import chunks
from tracker.cases.models import CaseEvent, DetainedPerson
from tracker.cases.restricted import may_name_case
from tracker.digests.models import DigestDelivery, Subscription
from tracker.newswatch.models import Mention


@dataclass
class CaseNews:
    """One followed case: the person, and what is new about them in the period."""

    person: DetainedPerson
    mentions: list[Mention] = field(default_factory=list)  # news_item loaded; newest first
    events: list[CaseEvent] = field(default_factory=list)  # by date

    @property
    def status_changes(self) -> list[CaseEvent]:
        return [e for e in self.events if e.is_status_change]


@dataclass
class CampaignNews:
    campaign: Campaign
    letters: list[Letter] = field(default_factory=list)  # new letters
    signatures: list[Signature] = field(default_factory=list)  # new signatures, letter loaded


@dataclass
class Digest:
    subscription: Subscription
    period_start: datetime
    period_end: datetime
    cases: list[CaseNews] = field(default_factory=list)  # only cases with news, by name
    campaigns: list[CampaignNews] = field(default_factory=list)  # only campaigns with news
    # The address belongs to an active staff user: only then does the digest link to the admin
    # (partners outside the organisation have no login there).
    to_staff: bool = False

    @property
    def mentions(self) -> list[Mention]:
        return [m for case in self.cases for m in case.mentions]

    @property
    def events(self) -> list[CaseEvent]:
        return [e for case in self.cases for e in case.events]

    @property
    def status_changes(self) -> list[CaseEvent]:
        return [e for case in self.cases for e in case.status_changes]

    @property
    def is_empty(self) -> bool:
        return not self.cases and not self.campaigns

    @property
    def subject(self) -> str:
        """e.g. `Vigil daily digest: 5 new mentions, 2 status changes (3 cases)`."""
        parts = []
        for n, one, many in [
            (len(self.mentions), "new mention", "new mentions"),
            (len(self.status_changes), "status change", "status changes"),
            (len(self.events) - len(self.status_changes), "case event", "case events"),
            (sum(len(c.letters) for c in self.campaigns), "new letter", "new letters"),
            (sum(len(c.signatures) for c in self.campaigns), "new signature", "new signatures"),
        ]:
            if n:
                parts.append(f"{n} {one if n == 1 else many}")
        cases = len(self.cases)
        tail = f" ({cases} case{'s' if cases != 1 else ''})" if cases else ""
        body = ", ".join(parts) or "nothing new"
        return f"Vigil {self.subscription.frequency} digest: {body}{tail}"


def _within(when: datetime, start: datetime, end: datetime) -> bool:
    return start <= when < end


def _mention_is_news(
    mention: Mention, subscription: Subscription, start: datetime, end: datetime
) -> bool:
    if subscription.include_unreviewed:
        return mention.status != Mention.Status.DISMISSED and _within(
            mention.created_at, start, end
        )
    # A mention recorded as confirmed without a review time (made so, not reviewed) counts
    # when it was found.
    confirmed_at = mention.reviewed_at or mention.created_at
    return mention.status == Mention.Status.CONFIRMED and _within(confirmed_at, start, end)


# What a digest reads of each case and mention (tracker.digests.email, _mention_is_news): a
# batch loads thousands, and the rest of their columns (a news item's summary) only costs.
_PERSON_FIELDS = ("name", "native_name", "status", "publicity")
_MENTION_FIELDS = (
    "person_id",
    "status",
    "created_at",
    "reviewed_at",
    "news_item__url",
    "news_item__title",
    "news_item__publisher",
    "news_item__published_at",
)


def build_digests(
    deliveries: Sequence[DigestDelivery], *, period_end: datetime
) -> dict[int, Digest]:
    """The digest of each delivery (by id) for [delivery.period_start, period_end)."""
    if not deliveries:
        return {}
    subscriptions = {
        s.pk: s
        for s in Subscription.objects.filter(
            pk__in={d.subscription_id for d in deliveries}
        ).prefetch_related(
            Prefetch("campaigns", queryset=Campaign.objects.only("pk", "name", "slug")),
            Prefetch("persons", queryset=DetainedPerson.objects.only("pk")),
        )
    }
    staff_addresses = set(
        User.objects.annotate(address=Lower("email"))
        .filter(
            address__in={s.email.lower() for s in subscriptions.values()},
            is_staff=True,
            is_active=True,
        )
        .values_list("address", flat=True)
    )
    campaign_ids = {c.pk for s in subscriptions.values() for c in s.campaigns.all()}
    members: dict[int, set[int]] = defaultdict(set)  # campaign -> its persons, as of now
    for chunk in chunks(campaign_ids):
        links = Campaign.detained_persons.through.objects.filter(campaign_id__in=chunk)
        for campaign_id, person_id in links.values_list("campaign_id", "detainedperson_id"):
            members[campaign_id].add(person_id)
    followed = {
        s.pk: {p.pk for p in s.persons.all()}.union(*(members[c.pk] for c in s.campaigns.all()))
        for s in subscriptions.values()
    }
    since = min(d.period_start for d in deliveries)
    window = {"created_at__gte": since, "created_at__lt": period_end}

    persons: dict[int, DetainedPerson] = {}
    mentions: dict[int, list[Mention]] = defaultdict(list)
    events: dict[int, list[CaseEvent]] = defaultdict(list)
    for chunk in chunks(set().union(*followed.values())):
        persons.update(DetainedPerson.objects.only(*_PERSON_FIELDS).in_bulk(chunk))
        # Found in the window (for include_unreviewed), or confirmed in it (for the others):
        # _mention_is_news sorts them out per subscription.
        found = (
            Mention.objects.filter(person_id__in=chunk)
            .filter(
                Q(**window, status__in=[Mention.Status.NEW, Mention.Status.CONFIRMED])
                | Q(
                    status=Mention.Status.CONFIRMED,
                    reviewed_at__gte=since,
                    reviewed_at__lt=period_end,
                )
            )
            .select_related("news_item")
            .only(*_MENTION_FIELDS)
            .order_by("-created_at", "-id")
        )
        for m in found:
            mentions[m.person_id].append(m)
        for e in CaseEvent.objects.filter(person_id__in=chunk, **window).order_by("date", "id"):
            events[e.person_id].append(e)
    letters: dict[int, list[Letter]] = defaultdict(list)
    signatures: dict[int, list[Signature]] = defaultdict(list)
    for chunk in chunks(campaign_ids):
        for letter in Letter.objects.filter(campaign_id__in=chunk, **window).order_by("created_at"):
            letters[letter.campaign_id].append(letter)
        new_signatures = (
            Signature.objects.filter(letter__campaign_id__in=chunk, **window)
            .select_related("letter", "organization", "person")
            .order_by("created_at")
        )
        for sig in new_signatures:
            signatures[sig.letter.campaign_id].append(sig)

    digests = {}
    for delivery in deliveries:
        sub = subscriptions[delivery.subscription_id]
        start = delivery.period_start

        def fresh(rows, start=start):
            return [r for r in rows if _within(r.created_at, start, period_end)]

        digest = Digest(
            subscription=sub,
            period_start=start,
            period_end=period_end,
            to_staff=sub.email.lower() in staff_addresses,
        )
        for pk in followed[sub.pk]:
            if not may_name_case(persons[pk], to_staff=digest.to_staff):
                continue  # quiet advocacy: named to staff only
            case = CaseNews(
                person=persons[pk],
                mentions=[m for m in mentions[pk] if _mention_is_news(m, sub, start, period_end)],
                events=fresh(events[pk]),
            )
            if case.mentions or case.events:
                digest.cases.append(case)
        digest.cases.sort(key=lambda c: (c.person.name.casefold(), c.person.pk))
        for campaign in sub.campaigns.all():
            news = CampaignNews(
                campaign=campaign,
                letters=fresh(letters[campaign.pk]),
                signatures=fresh(signatures[campaign.pk]),
            )
            if news.letters or news.signatures:
                digest.campaigns.append(news)
        digests[delivery.pk] = digest
    return digests
