"""One search for everything (#20 §1): cases, organisations, people, campaigns, letters and
news items, for the admin's search page and GET /api/search/ alike.

`search_everything` is the one selector both call. A kind is searched only for users who may
view it (config.permissions.may_view), and returns at most `limit_per_kind` records plus how
many match, counted up to COUNT_LIMIT (two bounded queries a kind, whatever the tables'
size).

What each kind is searched in:
- cases: every name form (name, native name, aliases) through `search_names`, folded as the
  news watch folds (tracker.text.fold: case, accents and diacritics, hyphens, apostrophes,
  traditional Chinese as simplified, a name's dots) and under the forms the news watch finds
  it in (tracker.names: `Tang Wen-bo`, `Wenbo Tang` for Tang Wenbo);
- organisations by name, people by full name, campaigns by name, letters by title and by the
  full names of their recipients, news items by title: case-insensitive substrings (no accent
  folding: these tables keep no folded copy), the search in Chinese characters looked for in
  both scripts (`馮潔` finds `冯洁`: tracker.chinese.other_script).
Restricted case fields (tracker.cases.restricted: the lawyer and the rest) are never searched,
for anyone: what a search finds never depends on them.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from django.urls import reverse

from campaigns.models import Campaign, Letter, Organization, Person
from config.permissions import may_view
from tracker.chinese import other_script
from tracker.models import DetainedPerson, NewsItem
from tracker.text import fold

LIMIT_PER_KIND = 10
# Counting stops here: a common word in 100,000 news titles costs no more than a rare one.
COUNT_LIMIT = 1000
MAX_QUERY_LENGTH = 200


@dataclass(frozen=True)
class Hit:
    id: int
    title: str
    detail: str
    admin_url: str


@dataclass(frozen=True)
class Found:
    """One kind's results: the first `hits`, and how many match (`capped`: more than `count`)."""

    kind: "Kind"
    hits: list[Hit]
    count: int
    capped: bool

    @property
    def more(self) -> bool:
        return self.capped or self.count > len(self.hits)


@dataclass(frozen=True)
class Kind:
    key: str  # in the API's JSON
    label: str
    model: type[Model]
    api_basename: str  # the record's endpoint (config/api_router.py)
    matching: Callable[[str], QuerySet]
    detail: Callable[[Model], str]


def _containing(field: str, q: str) -> Q:
    """`field` contains `q`, ignoring case. On PostgreSQL the trigram indexes (migration
    tracker 0029) serve queries of three characters or more; a shorter one reads the whole
    table, and when it has no cased letters (a Chinese character or two) it is matched as
    written: the same records, without upper-casing every row first (half the time). A search
    in Chinese characters is also looked for as the other script writes it."""
    lookup = "contains" if len(q) < 3 and q.lower() == q.upper() else "icontains"
    found = Q(**{f"{field}__{lookup}": q})
    other = other_script(q)
    return found | Q(**{f"{field}__{lookup}": other}) if other != q else found


def _cases(q: str) -> QuerySet:
    return DetainedPerson.objects.search(q)


def _organizations(q: str) -> QuerySet:
    return Organization.objects.filter(_containing("name", q))


def _people(q: str) -> QuerySet:
    return Person.objects.filter(_containing("full_name", q)).select_related("organization")


def _campaigns(q: str) -> QuerySet:
    return Campaign.objects.filter(_containing("name", q))


def _letters(q: str) -> QuerySet:
    # A subquery rather than a join: a letter to two matching recipients is found once.
    to_recipient = Letter.recipients.through.objects.filter(
        _containing("person__full_name", q), letter_id=OuterRef("pk")
    )
    return Letter.objects.filter(_containing("title", q) | Exists(to_recipient)).select_related(
        "campaign"
    )


def _news_items(q: str) -> QuerySet:
    return NewsItem.objects.filter(_containing("title", q))


def _join(*parts) -> str:
    return " · ".join(str(part) for part in parts if part)


KINDS: tuple[Kind, ...] = (
    Kind(
        "cases",
        "Cases",
        DetainedPerson,
        "detainedperson",
        _cases,
        lambda p: _join(p.get_status_display(), p.country.name if p.country else ""),
    ),
    Kind(
        "organizations",
        "Organizations",
        Organization,
        "organization",
        _organizations,
        lambda o: _join(o.get_kind_display(), o.country.name if o.country else ""),
    ),
    Kind(
        "people",
        "People",
        Person,
        "person",
        _people,
        # (Their title is in their name: "Full Name (Title)".)
        lambda p: _join(p.organization, p.country.name if p.country else ""),
    ),
    Kind(
        "campaigns",
        "Campaigns",
        Campaign,
        "campaign",
        _campaigns,
        lambda c: _join(c.get_status_display(), c.started_on),
    ),
    Kind(
        "letters",
        "Letters",
        Letter,
        "letter",
        _letters,
        lambda letter: _join(
            letter.get_kind_display(), letter.get_status_display(), letter.campaign
        ),
    ),
    Kind(
        "news_items",
        "News items",
        NewsItem,
        "newsitem",
        _news_items,
        lambda n: _join(n.publisher, n.published_at.date() if n.published_at else ""),
    ),
)


def searchable_kinds(user) -> list[Kind]:
    """The kinds `user` may view, in the order results are shown."""
    return [kind for kind in KINDS if may_view(user, kind.model)]


def search_everything(*, user, q: str, limit_per_kind: int = LIMIT_PER_KIND) -> dict[str, Found]:
    """kind key -> what `q` finds of that kind, for each kind `user` may view (in KINDS'
    order). A query with nothing to search for once folded (blank, or punctuation alone)
    finds nothing."""
    q = q.strip()
    results = {}
    for kind in searchable_kinds(user):
        if not fold(q):
            results[kind.key] = Found(kind, [], 0, False)
            continue
        matching = kind.matching(q)
        ids = list(matching.order_by().values_list("pk", flat=True)[: COUNT_LIMIT + 1])
        count = len(ids)
        # Few matches: read them by id, rather than walk the whole table in its order (news
        # items newest first) to find the rare rows that match; many: that walk ends soon.
        page = matching if count > COUNT_LIMIT else matching.filter(pk__in=ids)
        records = list(page[:limit_per_kind]) if count else []
        opts = kind.model._meta
        hits = [
            Hit(
                id=record.pk,
                title=str(record),
                detail=kind.detail(record),
                admin_url=reverse(
                    f"admin:{opts.app_label}_{opts.model_name}_change", args=[record.pk]
                ),
            )
            for record in records
        ]
        results[kind.key] = Found(kind, hits, min(count, COUNT_LIMIT), count > COUNT_LIMIT)
    return results
