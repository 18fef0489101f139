"""Reads for detained persons and their cases."""

import functools
from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.dateparse import parse_date

from config.json_rows import JSONValue, all_fields, instances, json_list
from tracker.cases.models import (
    CaseDocument,
    CaseEvent,
    CaseNote,
    CaseOfficer,
    DetainedPerson,
    LegalLimit,
)
from tracker.text import fold


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


def case_page_queryset(*, user):
    """The cases, for the case page's one read of its case: each with its clock and legal
    limit (limits.with_clock, with_limit) and the short lists the page shows that `user` may
    view, as JSON (config.json_rows): `campaign_rows`, `letter_rows` (_letters, with their
    answers if `user` may view them), `event_rows` (the timeline, whole events: they are the
    rows of the page's events inline too), `mention_rows` (the summary's and the News watch
    tab's), `note_rows` and `document_rows`, which case_summary and case_internal_records then
    take from the row rather than reading.

    Made once per process for each set of lists a user may view: making its dozen subqueries
    costs more than running them. Each use filters a copy of it."""
    from campaigns.models import Campaign, Letter, LetterResponse
    from config.permissions import may_view
    from tracker.models import Mention

    lists = {
        "campaign_rows": Campaign,
        "letter_rows": Letter,
        "answers": LetterResponse,
        "event_rows": CaseEvent,
        "mention_rows": Mention,
        "note_rows": CaseNote,
        "document_rows": CaseDocument,
    }
    return _case_page_queryset(
        tuple(name for name, model in lists.items() if may_view(user, model))
    )


@functools.cache
def _case_page_queryset(names: tuple[str, ...]):
    from django.contrib.auth import get_user_model

    from campaigns.models import Campaign
    from tracker.cases.limits import with_clock, with_limit
    from tracker.models import Mention

    username = get_user_model().USERNAME_FIELD
    lists = {}
    if "campaign_rows" in names:
        lists["campaign_rows"] = json_list(
            Campaign.objects.filter(detained_persons=OuterRef("pk")),
            id="id",
            name="name",
            status="status",
        )
    if "letter_rows" in names:
        lists["letter_rows"] = _letters_json(answers="answers" in names)
    if "event_rows" in names:
        lists["event_rows"] = json_list(
            CaseEvent.objects.filter(person=OuterRef("pk")), **all_fields(CaseEvent)
        )
    if "mention_rows" in names:
        # Those of the summary and of the News watch tab (the latest of any status).
        shown = _mentions_shown(OuterRef(OuterRef("pk")), recent=True)
        lists["mention_rows"] = json_list(
            Mention.objects.filter(person=OuterRef("pk")).filter(shown),
            id="id",
            created_at="created_at",
            person_id="person_id",
            news_item_id="news_item_id",
            status="status",
            matched_terms=JSONValue("matched_terms"),
            news_url="news_item__url",
            news_title="news_item__title",
            news_publisher="news_item__publisher",
            news_published_at="news_item__published_at",
        )
    if "note_rows" in names:
        lists["note_rows"] = json_list(
            CaseNote.objects.filter(person=OuterRef("pk")),
            id="id",
            person_id="person_id",
            written_on="written_on",
            text="text",
            author_id="author_id",
            author_name=f"author__{username}",
        )
    if "document_rows" in names:
        lists["document_rows"] = json_list(
            CaseDocument.objects.filter(person=OuterRef("pk")),
            id="id",
            person_id="person_id",
            created_at="created_at",
            title="title",
            kind="kind",
            dated="dated",
            file="file",
            uploaded_by_id="uploaded_by_id",
            uploaded_by_name=f"uploaded_by__{username}",
        )
    return with_limit(with_clock(DetainedPerson.objects.all())).annotate(**lists)


def _letters(person, *, answers: bool):
    """The letters the case page lists for `person` (a DetainedPerson, or an OuterRef to one):
    those about them (`is_about`), wherever they were written, and the other letters of their
    campaigns (about others, or no one in particular), each with its recipients, whom it is
    about and, with `answers`, its answers and whether one answered about them
    (`is_answered_about`, as campaigns.selectors.persons_letter_counts counts): one query."""
    from campaigns.models import Campaign, Letter, LetterResponse

    about_them = Letter.persons.through.objects.filter(letter=OuterRef("pk"), detainedperson=person)
    their_campaigns = Campaign.objects.filter(detained_persons=person).values("pk")
    found = (
        Letter.objects.annotate(is_about=Exists(about_them))
        .filter(Q(is_about=True) | Q(campaign__in=their_campaigns))
        .annotate(
            recipient_rows=json_list(
                Letter.recipients.through.objects.filter(letter=OuterRef("pk")),
                id="person_id",
                full_name="person__full_name",
                title="person__title",
            ),
            about_rows=json_list(
                Letter.persons.through.objects.filter(letter=OuterRef("pk")),
                id="detainedperson_id",
                name="detainedperson__name",
                native_name="detainedperson__native_name",
                publicity="detainedperson__publicity",
            ),
        )
    )
    if not answers:
        return found
    answered_about = LetterResponse.persons.through.objects.filter(
        letterresponse__letter_id=OuterRef("pk"), detainedperson=person
    )
    return found.annotate(
        is_answered_about=Exists(answered_about),
        answer_rows=json_list(
            LetterResponse.objects.filter(letter=OuterRef("pk")),
            id="id",
            received_on="received_on",
            summary="summary",
            url="url",
            person_id="person_id",
            person_name="person__full_name",
            person_title="person__title",
            organization_id="organization_id",
            organization_name="organization__name",
        ),
    )


LETTER_FIELDS = ["id", "campaign_id", "title", "kind", "status", "sent_on"]
LETTER_LISTS = ["is_about", "is_answered_about", "recipient_rows", "about_rows", "answer_rows"]


def _letters_json(*, answers: bool) -> Subquery:
    """_letters for the case read by case_page_queryset, as JSON rows (`letter_rows`)."""
    letters = _letters(OuterRef(OuterRef("pk")), answers=answers)
    fields = {name: name for name in LETTER_FIELDS}
    for name in LETTER_LISTS:
        if name in ("is_answered_about", "answer_rows") and not answers:
            continue
        fields[name] = JSONValue(name) if name.endswith("_rows") else name
    return json_list(letters, **fields)


def _letters_from_rows(rows: list[dict] | None) -> list:
    """The letters of `letter_rows`, in _letters' order (the newest sent first, then those not
    sent; by title), with its annotations."""
    from campaigns.models import Letter

    rows = rows or []
    letters = instances(Letter, rows)
    for letter, row in zip(letters, rows, strict=True):
        for name in LETTER_LISTS:
            if name in row:
                value = row[name]
                setattr(letter, name, bool(value) if name.startswith("is_") else value)
    return sorted(
        letters,
        key=lambda letter: (
            letter.sent_on is None,
            -(letter.sent_on.toordinal() if letter.sent_on else 0),
            fold(letter.title),
            letter.pk,
        ),
    )


def _campaigns(person: DetainedPerson) -> list:
    """The person's campaigns by name (from case_page_queryset's row if read with it)."""
    from campaigns.models import Campaign

    if not hasattr(person, "campaign_rows"):
        return list(person.campaigns.order_by("name"))
    return sorted(instances(Campaign, person.campaign_rows), key=lambda c: (fold(c.name), c.pk))


def _events(person: DetainedPerson) -> list:
    """The person's timeline, newest first (from case_page_queryset's row if read with it)."""
    if not hasattr(person, "event_rows"):
        return list(person.events.order_by("-date", "-id"))
    return sorted(
        instances(CaseEvent, person.event_rows), key=lambda e: (e.date, e.pk), reverse=True
    )


def _with_users(records: list, *, rows: list[dict], field: str) -> list:
    """`records` (made from `rows` by config.json_rows.instances) with their `field` user (a
    staff member, for their user name) from the row's `<field>_name`."""
    from django.contrib.auth import get_user_model

    User = get_user_model()
    for record, row in zip(records, rows, strict=True):
        if row[f"{field}_id"] is not None:
            user = User.from_db(
                None,
                ["id", User.USERNAME_FIELD],
                [row[f"{field}_id"], row[f"{field}_name"]],
            )
            setattr(record, field, user)
    return records


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
    from campaigns.models import Campaign, Letter, LetterResponse, Person
    from config.permissions import may_view
    from tracker.cases.limits import clock_of
    from tracker.models import Mention

    today = today or timezone.localdate()
    campaigns = events = mentions = latest_mentions = None
    if may_view(user, Campaign):
        campaigns = _campaigns(person)
    letters_about = other_letters = letter_counts = None
    if may_view(user, Letter):
        answered = may_view(user, LetterResponse)
        if hasattr(person, "letter_rows"):
            found = _letters_from_rows(person.letter_rows)
        else:
            found = _letters(person, answers=answered).order_by(
                F("sent_on").desc(nulls_last=True), "title", "pk"
            )
        letters_about, other_letters = [], []
        for letter in found:
            row = {
                "letter": letter,
                "recipients": sorted(
                    instances(Person, letter.recipient_rows),
                    key=lambda p: (fold(p.full_name), p.pk),
                ),
                "answers": letter_answers(letter.answer_rows) if answered else None,
                # Whom another letter is about (this case is on the page already).
                "about": (
                    []
                    if letter.is_about
                    else sorted(
                        instances(DetainedPerson, letter.about_rows),
                        key=lambda p: (fold(p.name), p.pk),
                    )
                ),
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
        events = _events(person)
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


def _mentions_shown(person, *, recent: bool) -> Q:
    """Which mentions of `person` (a DetainedPerson, or an OuterRef to one) the case page shows:
    the latest MENTIONS_SHOWN confirmed ones by publication; with `recent`, also the latest
    MENTIONS_SHOWN of any status by when they were found."""
    from tracker.models import Mention

    theirs = Mention.objects.filter(person=person)
    confirmed = (
        theirs.filter(status=Mention.Status.CONFIRMED)
        .order_by(F("news_item__published_at").desc(nulls_last=True), "-created_at", "-id")
        .values("pk")[:MENTIONS_SHOWN]
    )
    wanted = Q(pk__in=confirmed)
    if recent:
        wanted |= Q(pk__in=theirs.order_by("-created_at", "-id").values("pk")[:MENTIONS_SHOWN])
    return wanted


def _mention_rows(mention_rows: list[dict] | None) -> list:
    """Mentions with their news items, from case_page_queryset's `mention_rows`."""
    from tracker.models import Mention, NewsItem

    rows = mention_rows or []
    mentions = instances(Mention, rows)
    for mention, row in zip(mentions, rows, strict=True):
        (mention.news_item,) = instances(
            NewsItem,
            [
                {
                    "id": row["news_item_id"],
                    "url": row["news_url"],
                    "title": row["news_title"],
                    "publisher": row["news_publisher"],
                    "published_at": row["news_published_at"],
                }
            ],
        )
    return mentions


def _mentions(person: DetainedPerson, *, recent: bool) -> tuple[list, list | None]:
    """(the latest MENTIONS_SHOWN confirmed mentions by publication, newest first; with
    `recent`, the latest MENTIONS_SHOWN of any status by when they were found), with their
    news items, in one query (or none, from case_page_queryset's row if read with it)."""
    from tracker.models import Mention

    if hasattr(person, "mention_rows"):
        rows = _mention_rows(person.mention_rows)
    else:
        shown = _mentions_shown(person, recent=recent)
        rows = list(person.mentions.filter(shown).select_related("news_item").order_by())
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


def letter_answers(rows: list[dict] | None) -> list[dict]:
    """The answers recorded to a letter (its campaigns.LetterResponse records as case_summary's
    `answer_rows`), first received first, as {"received_on", "summary", "url", "by"}: "by" is
    whoever answered (a campaigns.Person or Organization, for its name) or None."""
    from campaigns.models import Organization, Person

    answers = []
    for row in sorted(rows or [], key=lambda row: (row["received_on"], row["id"])):
        by = None
        if row["person_id"] is not None:
            by = Person(
                id=row["person_id"], full_name=row["person_name"], title=row["person_title"]
            )
        elif row["organization_id"] is not None:
            by = Organization(id=row["organization_id"], name=row["organization_name"])
        answers.append(
            {
                "received_on": parse_date(row["received_on"]),
                "summary": row["summary"],
                "url": row["url"],
                "by": by,
            }
        )
    return answers


def case_internal_records(*, person: DetainedPerson, user) -> dict:
    """A case's internal notes and documents, newest first, for the panel beside its timeline
    and for its case file: each None (and not read) unless `user` may view them; taken from
    the person's row if read with case_page_queryset."""
    from config.permissions import may_view

    notes = documents = None
    if may_view(user, CaseNote):
        if hasattr(person, "note_rows"):
            rows = person.note_rows or []
            notes = _with_users(instances(CaseNote, rows), rows=rows, field="author")
            notes.sort(key=lambda note: (note.written_on, note.pk), reverse=True)
        else:
            notes = list(person.notes.select_related("author").order_by("-written_on", "-id"))
    if may_view(user, CaseDocument):
        if hasattr(person, "document_rows"):
            rows = person.document_rows or []
            documents = _with_users(instances(CaseDocument, rows), rows=rows, field="uploaded_by")
            documents.sort(key=lambda document: (document.created_at, document.pk), reverse=True)
        else:
            documents = list(
                person.documents.select_related("uploaded_by").order_by("-created_at", "-id")
            )
    return {"notes": notes, "documents": documents}
