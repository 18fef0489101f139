"""Reads for detained persons and their cases."""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from django.db.models import F, Prefetch
from django.utils import timezone

from tracker.cases.models import DetainedPerson


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


def case_summary(*, person: DetainedPerson, today: date | None = None) -> dict:
    """What the case page shows above its form: the clock and legal limit, campaigns, letters
    about the person and their answers, the timeline and confirmed news mentions. A fixed
    number of queries, however many events, letters or mentions."""
    from campaigns.models import Letter, LetterResponse
    from tracker.cases.limits import clock_of
    from tracker.models import Mention

    today = today or timezone.localdate()
    campaigns = list(person.campaigns.order_by("name"))
    letters = list(
        Letter.objects.filter(campaign__in=[c.pk for c in campaigns])
        .select_related("campaign")
        .prefetch_related(
            "recipients",
            Prefetch(
                "responses",
                queryset=LetterResponse.objects.select_related("person", "organization").order_by(
                    "received_on", "id"
                ),
            ),
        )
        .order_by("-sent_on", "title")
    )
    events = list(person.events.order_by("-date", "-id"))
    mentions = list(
        person.mentions.filter(status=Mention.Status.CONFIRMED)
        .select_related("news_item")
        .order_by(F("news_item__published_at").desc(nulls_last=True), "-created_at")[
            :MENTIONS_SHOWN
        ]
    )
    return {
        "clock": clock_of(person, today=today),
        "campaigns": campaigns,
        "letters": [{"letter": letter, "answers": letter_answers(letter)} for letter in letters],
        "events": events,
        "mentions": mentions,
        "mentions_shown": MENTIONS_SHOWN,
        "today": today,
    }


MENTIONS_SHOWN = 50


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
