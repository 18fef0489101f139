"""Reads for detained persons and their cases."""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from django.db.models import Exists, F, OuterRef, Prefetch, Q
from django.utils import timezone

from tracker.cases.models import (
    CaseDocument,
    CaseEvent,
    CaseNote,
    CaseOfficer,
    DetainedPerson,
    LegalLimit,
)


def detained_person_campaign_ids(*, person_ids: Iterable[int]) -> dict[int, list[int]]:
    """The campaign ids of each person, ascending, in one query on the link table (cheaper
    than a prefetch, which builds a related manager and a queryset per person)."""
    links = (
        DetainedPerson.campaigns.through.objects.filter(detainedperson_id__in=list(person_ids))
        .order_by("detainedperson_id", "campaign_id")
        .values_list("detainedperson_id", "campaign_id")
    )
    result: dict[int, list[int]] = defaultdict(list)
    for person_id, campaign_id in links:
        result[person_id].append(campaign_id)
    return result


def staff_members():
    """Who may own a case or a letter (case officers, a letter's owner): active staff, by
    user name."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(is_active=True, is_staff=True).order_by("username")


def detained_person_officers(*, person_ids: Iterable[int]) -> dict[int, list[dict]]:
    """The officers of each person, the lead first then by user name, as {"user", "username",
    "is_lead"}: one query on the link table, however many persons (the API's list page)."""
    links = (
        CaseOfficer.objects.filter(person_id__in=list(person_ids))
        .order_by("person_id", "-is_lead", "user__username")
        .values_list("person_id", "user_id", "user__username", "is_lead")
    )
    result: dict[int, list[dict]] = defaultdict(list)
    for person_id, user_id, username, is_lead in links:
        result[person_id].append({"user": user_id, "username": username, "is_lead": is_lead})
    return result


def case_summary(
    *, person: DetainedPerson, user, today: date | None = None, recent_mentions: bool = False
) -> dict:
    """What the case page shows above its form: the clock and legal limit, campaigns, the
    letters about the person (`letters_about`, those naming them in Letter.persons) and the
    other letters of their campaigns (`other_letters`), with their answers, how many letters
    ask about them and how many were answered about them (`letter_counts`), the timeline and
    confirmed news mentions; with `recent_mentions`, also the latest MENTIONS_SHOWN mentions of
    any status (the page's News watch tab), read in the same query. A fixed number of queries,
    however many events, letters or mentions (a person read with limits.with_clock() and
    with_limit() saves the clock's).

    Each part needs `user` to be allowed to view its records (config.permissions.may_view);
    without, it is None and not read: a role given the cases alone reads no letter, answer,
    event or news item here."""
    from campaigns.models import Campaign, Letter, LetterResponse
    from config.permissions import may_view
    from tracker.cases.limits import clock_of
    from tracker.models import Mention

    today = today or timezone.localdate()
    campaigns = events = mentions = latest_mentions = None
    if may_view(user, Campaign):
        campaigns = list(person.campaigns.order_by("name"))
    letters_about = other_letters = letter_counts = None
    if may_view(user, Letter):
        campaign_ids = (
            [c.pk for c in campaigns]
            if campaigns is not None
            else person.campaigns.values_list("pk", flat=True)
        )
        answered = may_view(user, LetterResponse)
        about_them = Letter.persons.through.objects.filter(
            letter=OuterRef("pk"), detainedperson=person
        )
        # One query for both lists: the letters about them, wherever they were written, and
        # the other letters of their campaigns (about others, or no one in particular).
        found = (
            Letter.objects.filter(Q(persons=person) | Q(campaign__in=campaign_ids))
            .distinct()
            .annotate(is_about=Exists(about_them))
            .prefetch_related("recipients", "persons")
            .order_by(F("sent_on").desc(nulls_last=True), "title", "pk")
        )
        if answered:
            # "Answered in 1": a response to the letter that answered about them
            # (campaigns.selectors.persons_letter_counts), in the same query.
            answered_about = LetterResponse.persons.through.objects.filter(
                letterresponse__letter_id=OuterRef("pk"), detainedperson=person
            )
            found = found.annotate(is_answered_about=Exists(answered_about)).prefetch_related(
                Prefetch(
                    "responses",
                    queryset=LetterResponse.objects.select_related(
                        "person", "organization"
                    ).order_by("received_on", "id"),
                )
            )
        letters_about, other_letters = [], []
        for letter in found:
            row = {
                "letter": letter,
                "answers": letter_answers(letter) if answered else None,
                # Whom another letter is about (this case is on the page already).
                "about": [] if letter.is_about else list(letter.persons.all()),
            }
            (letters_about if letter.is_about else other_letters).append(row)
        # "Asked about in 4 letters, answered in 1" (answered: to those who may view answers).
        letter_counts = {
            "asking": len(letters_about),
            "answered": (
                sum(1 for row in letters_about if row["letter"].is_answered_about)
                if answered
                else None
            ),
        }
    if may_view(user, CaseEvent):
        events = list(person.events.order_by("-date", "-id"))
    if may_view(user, Mention):
        mentions, latest_mentions = _mentions(person, recent=recent_mentions)
    return {
        "clock": clock_of(person, today=today),
        "may_view_limits": may_view(user, LegalLimit),
        "campaigns": campaigns,
        "letters_about": letters_about,
        "letter_counts": letter_counts,
        "other_letters": other_letters,
        "events": events,
        "mentions": mentions,
        "mentions_shown": MENTIONS_SHOWN,
        "recent_mentions": latest_mentions,
        "today": today,
    }


def _mentions(person: DetainedPerson, *, recent: bool) -> tuple[list, list | None]:
    """(the latest MENTIONS_SHOWN confirmed mentions by publication, newest first; with
    `recent`, the latest MENTIONS_SHOWN of any status by when they were found), with their
    news items, in one query."""
    from tracker.models import Mention

    confirmed = (
        person.mentions.filter(status=Mention.Status.CONFIRMED)
        .order_by(F("news_item__published_at").desc(nulls_last=True), "-created_at", "-id")
        .values("pk")[:MENTIONS_SHOWN]
    )
    wanted = Q(pk__in=confirmed)
    if recent:
        latest = person.mentions.order_by("-created_at", "-id").values("pk")[:MENTIONS_SHOWN]
        wanted |= Q(pk__in=latest)
    rows = list(person.mentions.filter(wanted).select_related("news_item").order_by())
    # The orders of the two queries above, by stable sorts (the last key sorted first).
    rows.sort(key=lambda m: (m.created_at, m.pk), reverse=True)
    found = sorted(
        (m for m in rows if m.status == Mention.Status.CONFIRMED),
        key=_published_first,
        reverse=True,
    )
    return found[:MENTIONS_SHOWN], (rows[:MENTIONS_SHOWN] if recent else None)


MENTIONS_SHOWN = 50


def _published_first(mention) -> tuple[bool, float]:
    """Newest publication first, then those with no publication date (reversed sort)."""
    published = mention.news_item.published_at
    return (published is not None, published.timestamp() if published else 0.0)


def letter_answers(letter) -> list[dict]:
    """The answers recorded to a letter (its prefetched campaigns.LetterResponse records), as
    {"received_on", "summary", "url", "by"}."""
    return [
        {
            "received_on": response.received_on,
            "summary": response.summary,
            "url": response.url,
            "by": response.person or response.organization,
        }
        for response in letter.responses.all()
    ]


def case_internal_records(*, person: DetainedPerson, user) -> dict:
    """A case's internal notes and documents, newest first, for the panel beside its timeline
    and for its case file: each None (and not read) unless `user` may view them."""
    from config.permissions import may_view

    notes = documents = None
    if may_view(user, CaseNote):
        notes = list(person.notes.select_related("author").order_by("-written_on", "-id"))
    if may_view(user, CaseDocument):
        documents = list(
            person.documents.select_related("uploaded_by").order_by("-created_at", "-id")
        )
    return {"notes": notes, "documents": documents}
