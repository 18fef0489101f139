"""What Vigil's OSDI API may show: the records of each collection, already filtered.

OSDI is how Vigil's records leave it for other tools (Action Network, a data warehouse), so the
family's wish for quiet advocacy holds here as it does for digests
(tracker.cases.restricted.cases_named_only_to_staff): a letter about a case in quiet advocacy
is left out, and with it its signatures, outreaches and responses; so is a campaign that holds
such a case. People (signatories and officials) are never detained persons; their records are
shown to a token allowed to view people.

Each function returns a queryset with what its page needs joined or prefetched, so that a page
costs the same number of queries whatever its size.
"""

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from campaigns.models import Campaign, Letter, LetterResponse, Person, PersonIdentifier, Signature
from config.subqueries import count_of
from tracker.cases.restricted import cases_named_only_to_staff

Recipient = Letter.recipients.through

# A letter is an outreach to each recipient once it has gone out.
SENT = Q(sent_on__isnull=False)


def _targets() -> Prefetch:
    return Prefetch("recipients", queryset=Person.objects.select_related("organization"))


def public_letters() -> QuerySet[Letter]:
    quiet = cases_named_only_to_staff().filter(letters=OuterRef("pk"))
    return Letter.objects.filter(~Exists(quiet))


def public_campaigns() -> QuerySet[Campaign]:
    quiet = cases_named_only_to_staff().filter(campaigns=OuterRef("pk"))
    return Campaign.objects.filter(~Exists(quiet))


def people() -> QuerySet[Person]:
    return Person.objects.select_related("organization").prefetch_related(
        Prefetch("identifiers", queryset=PersonIdentifier.objects.order_by("value"))
    )


def petitions() -> QuerySet[Letter]:
    return (
        public_letters()
        .annotate(total_signatures=Count("signatures", distinct=True))
        .prefetch_related(_targets())
    )


def signatures() -> QuerySet[Signature]:
    return Signature.objects.filter(letter__in=public_letters()).select_related("organization")


def responses() -> QuerySet[LetterResponse]:
    return LetterResponse.objects.filter(letter__in=public_letters()).select_related(
        "person", "organization"
    )


def advocacy_campaigns() -> QuerySet[Campaign]:
    sent_to = Recipient.objects.filter(
        letter__campaign=OuterRef("pk"), letter__sent_on__isnull=False, letter__in=public_letters()
    )
    return (
        public_campaigns()
        .annotate(total_outreaches=count_of(sent_to))
        .prefetch_related(
            Prefetch(
                "letters",
                queryset=public_letters().filter(SENT).prefetch_related(_targets()),
                to_attr="sent_letters",
            )
        )
    )


def outreaches() -> QuerySet:
    """Each sent letter to each of its recipients (the rows of Letter.recipients)."""
    return (
        Recipient.objects.filter(letter__in=public_letters().filter(SENT))
        .select_related("letter", "person__organization")
        .annotate(
            campaign_shown=Exists(public_campaigns().filter(pk=OuterRef("letter__campaign_id")))
        )
    )
