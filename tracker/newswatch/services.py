"""Writes of the news watch made by staff: reviewing mentions and keeping sources."""

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from tracker.cases.services import case_event_proposals_for_mention, case_event_proposals_withdraw
from tracker.newswatch import kinds
from tracker.newswatch.http import FetchError, check_url
from tracker.newswatch.models import Mention, NewsSource


@transaction.atomic
def mention_review(*, mention: Mention, status: str, user) -> Mention:
    """Confirm or dismiss a mention (or put it back to new), recording who and when; return it
    as stored. Confirming it proposes the case events its article reports
    (tracker.cases.services.case_event_proposals_for_mention); dismissing it or putting it back
    withdraws those still pending.

    A mention already in that status keeps its reviewer, time and history: confirming it again
    (two staff at once, or a second click) does not claim someone else's review. The stored
    status is read under a row lock, so of two reviews at once the second sees the first."""
    stored = Mention.objects.select_for_update().get(pk=mention.pk)
    if stored.status == status:
        return stored
    stored.status = status
    if status == Mention.Status.NEW:
        stored.reviewed_by, stored.reviewed_at = None, None
    else:
        stored.reviewed_by, stored.reviewed_at = user, timezone.now()
    stored.full_clean()
    stored.save()
    if status == Mention.Status.CONFIRMED:
        case_event_proposals_for_mention(mention=stored)
    else:
        case_event_proposals_withdraw(mention=stored, user=user)
    return stored


@transaction.atomic
def mentions_review(*, mentions: Iterable[Mention], status: str, user) -> list[Mention]:
    """Review many mentions at once, all or none: each exactly as mention_review reviews one
    (who and when, the case events its article proposes or the withdrawal of those pending),
    in id order so that two bulk reviews at once take their locks in the same order. A
    mention deleted since it was chosen is skipped. Return the mentions as stored."""
    reviewed = []
    for mention in sorted(mentions, key=lambda m: m.pk):
        try:
            reviewed.append(mention_review(mention=mention, status=status, user=user))
        except Mention.DoesNotExist:
            continue
    return reviewed


def news_source_check_url(*, url: str, kind: str) -> None:
    """Raise ValidationError unless a source's URL passes the same SSRF rules as every fetch (a
    private or loopback address is refused unless NEWSWATCH_ALLOWED_NETWORKS allows it). Looks
    the host up in DNS, so callers keep it out of their own transactions: news_source_save
    calls it for every save before taking its lock. The admin form calls it too, for a field
    error, inside the transaction Django's admin wraps every save in (a second look-up, on a
    rare action)."""
    declared = kinds.KINDS.get(kind)
    probe = url.replace("{query}", "test") if declared is not None and declared.per_person else url
    try:
        check_url(probe)
    except FetchError as exc:
        # A name that does not resolve now is no SSRF risk (every fetch checks again); an
        # address that is not public is refused.
        if exc.kind != "dns":
            raise ValidationError(exc.message, code="refused_url") from None


def news_source_save(*, source: NewsSource | None = None, **fields: Any) -> NewsSource:
    """Create or change a source; its URL must pass news_source_check_url. A changed URL is
    another resource: its fetch state (etag, last_modified) is dropped unless given too."""
    source = source or NewsSource()
    for name, value in fields.items():
        setattr(source, name, value)
    source.full_clean()  # also fills a search source's default URL
    try:
        news_source_check_url(url=source.url, kind=source.kind)  # DNS: before the transaction
    except ValidationError as exc:
        raise ValidationError({"url": exc.error_list}) from None
    with transaction.atomic():
        # Compared with the stored URL, not with what the caller passed: the admin hands over
        # an instance already changed, and an API PATCH may send the URL unchanged.
        stored = (
            NewsSource.objects.select_for_update()
            .filter(pk=source.pk)
            .values_list("url", flat=True)
            .first()
            if source.pk is not None
            else None
        )
        if stored != source.url:
            for name in ("etag", "last_modified"):
                if name not in fields:
                    setattr(source, name, "")
        source.save()
    return source
