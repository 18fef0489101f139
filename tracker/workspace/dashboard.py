"""The admin's home page: what needs doing today, read with a fixed number of queries.

The page reads nine queries however many cases there are (tests/test_dashboard.py counts them),
and none of them reads every case: the counts of cases and each case's clock come from tables
the database keeps exact at every write (tracker.models.CaseCount and CaseDates, see
tracker/cases/summaries.py), read through their indexes; a panel's list and its count come in
one query (config.subqueries.count_of), and a list of the first rows and the signed-in user's own
("My work", tracker/workspace/my_work.py) in one query too. Lists that grow with the cases show
their first rows and say how many more there are.

Panels return plain data; the template (templates/admin/index.html) and
static/vigil/dashboard.js draw it.
"""

from collections import Counter
from datetime import date, timedelta
from urllib.parse import urlencode

from django.db.models import Count, DateField, Q
from django.db.models.functions import TruncWeek
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django_countries import countries

from campaigns.models import Letter
from campaigns.selectors import WAITING_AFTER_DAYS, letters_waiting_first
from config.permissions import may_view
from config.subqueries import count_of, keys_of, nth_value
from tracker.cases.limits import (
    NEAR_LIMIT_ORDER,
    NOT_HELD_STATUSES,
    WARN_DAYS,
    clock_from_dates,
    near_limit,
)
from tracker.models import (
    CaseCount,
    CaseDates,
    CaseEvent,
    CaseOfficer,
    CaseStatus,
    DetainedPerson,
    LegalLimit,
    Mention,
    NewsSource,
)
from tracker.newswatch.models import MENTION_REVIEW_ORDER
from tracker.workspace.my_work import HEARING_WITHIN_DAYS, SHOWN, my_work

LIST_LENGTH = 10
UPCOMING_DAYS = 30
UPCOMING_SHOWN = 20
ANNIVERSARY_YEARS = (1, 2, 5, 10)
ANNIVERSARIES_SHOWN = 20
# The cases at or near their legal limit listed, most days over first (all are counted, and the
# panel says how many more there are).
NEAR_LIMIT_SHOWN = 20
LETTERS_SHOWN = 10
WEEKS = 26


def _changelist(model_label: str, **params) -> str:
    url = reverse(f"admin:{model_label}_changelist")
    return f"{url}?{urlencode(params)}" if params else url


def _years_before(day: date, years: int) -> date:
    """The same calendar day `years` earlier (29 February becomes the 28th)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def _short(label: str) -> str:
    """A chart's label: the abbreviation a label ends with, "(RSDL)", else the label."""
    if label.endswith(")") and "(" in label:
        return label[label.rindex("(") + 1 : -1]
    return label


# --- Cases -------------------------------------------------------------------------------------


def case_counts() -> list[tuple[str, str, int]]:
    """(status, country, cases) for every status and country with a case: one query of a few
    dozen rows (tracker.models.CaseCount), however many cases."""
    return list(
        CaseCount.objects.filter(cases__gt=0).order_by().values_list("status", "country", "cases")
    )


def cases_by_status(counts: list[tuple[str, str, int]] | None = None) -> list[dict]:
    """Every status with at least one case, in the statuses' own order."""
    by_status = Counter()
    for status, _country, n in case_counts() if counts is None else counts:
        by_status[status] += n
    return [
        {
            "status": value,
            "label": label,
            "count": by_status[value],
            "url": _changelist("tracker_detainedperson", status__exact=value),
        }
        for value, label in CaseStatus.choices
        if by_status[value]
    ]


def cases_by_country(counts: list[tuple[str, str, int]] | None = None) -> list[dict]:
    """Cases per country, most first."""
    by_country = Counter()
    for _status, country, n in case_counts() if counts is None else counts:
        by_country[country] += n
    result = [
        {
            "code": code,
            "name": countries.name(code) if code else "No country given",
            "count": n,
            "url": _changelist("tracker_detainedperson", country__exact=code),
        }
        for code, n in by_country.items()
    ]
    return sorted(result, key=lambda row: (-row["count"], row["name"]))


def _open_count(counts: list[tuple[str, str, int]]) -> int:
    return sum(n for status, _country, n in counts if status not in NOT_HELD_STATUSES)


def _anniversary_ranges(today: date, days: int, years: tuple[int, ...]) -> list[tuple]:
    """(years, first, last): a case held since a day from first to last has its `years`th
    anniversary of detention from today to `days` days ahead."""
    until = today + timedelta(days=days)
    return [(n, _years_before(today, n), _years_before(until, n)) for n in years]


# What the cases' panels show of each case (its name, status and country), and its dates.
PERSON_SHOWN = ["name", "native_name", "status", "country"]
CLOCK_FIELDS = [*PERSON_SHOWN, *(f"dates__{f.name}" for f in CaseDates._meta.concrete_fields)]
HELD_LONGEST_ORDER = ["held_since", "person__name"]


def case_clocks(
    *,
    today: date,
    mine: dict[int, bool] | None = None,
    near_shown: int = NEAR_LIMIT_SHOWN,
    longest: int = LIST_LENGTH,
    days: int = UPCOMING_DAYS,
    years: tuple[int, ...] = ANNIVERSARY_YEARS,
    anniversaries_shown: int = ANNIVERSARIES_SHOWN,
) -> dict:
    """The cases' panels from their stored clocks (tracker.models.CaseDates), in one query of
    the cases they show, each part a range of an index:

    - "near": the `near_shown` cases at or past their legal limit by most days over, and
      "near_count", how many there are; "mine_near": those of them among `mine` (case ids),
      however far down;
    - "longest": the `longest` open cases held longest;
    - "anniversaries": the first `anniversaries_shown` open cases with a 1st, 2nd, 5th or 10th
      anniversary of their detention in the next `days` days, soonest first, and
      "anniversary_count", how many there are.
    """
    mine = mine or {}
    near = near_limit(today=today)
    held = CaseDates.objects.filter(held=True, held_since__isnull=False)
    ranges = _anniversary_ranges(today, days, years)
    in_ranges = [Q(held_since__gte=first, held_since__lte=last) for _n, first, last in ranges]
    # Each part a range of an index, LIMITed to the rows it may show (the soonest anniversaries
    # are the first of each year's range).
    parts = [
        near.order_by(*NEAR_LIMIT_ORDER)[:near_shown],
        held.order_by(*HELD_LONGEST_ORDER)[:longest],
        *(held.filter(r).order_by(*HELD_LONGEST_ORDER)[:anniversaries_shown] for r in in_ranges),
    ]
    if mine:
        parts.append(near.filter(pk__in=list(mine)))
    anniversary = Q()
    for in_range in in_ranges:
        anniversary |= in_range
    people = list(
        DetainedPerson.objects.filter(pk__in=keys_of(*parts))
        .select_related("dates__limit")
        .only(*CLOCK_FIELDS)
        .annotate(
            near_count=count_of(near),
            anniversary_count=count_of(held.filter(anniversary)),
        )
        .order_by("name")  # then each part sorts (stably) by its own dates
    )
    rows = [person.dates for person in people]
    until = today + timedelta(days=WARN_DAYS)
    near_rows = [d for d in rows if d.limit_ends_on is not None and d.limit_ends_on <= until]
    near_rows.sort(key=lambda d: (d.limit_ends_on, d.status_since))
    held_rows = sorted((d for d in rows if d.held and d.held_since), key=lambda d: d.held_since)
    anniversaries = []
    for dates in held_rows:
        for n, first, last in ranges:
            if first <= dates.held_since <= last:
                on = _years_before(dates.held_since, -n)
                if today <= on <= today + timedelta(days=days):
                    anniversaries.append(
                        {
                            "person": dates.person,
                            "years": n,
                            "on": on,
                            "in_days": (on - today).days,
                        }
                    )
    anniversaries.sort(key=lambda row: (row["on"], row["person"].name))
    return {
        "near": [clock_from_dates(d, today=today) for d in near_rows[:near_shown]],
        "near_count": people[0].near_count if people else 0,
        "mine_near": [clock_from_dates(d, today=today) for d in near_rows if d.pk in mine],
        "longest": [
            {
                "person": dates.person,
                "held_since": dates.held_since,
                "days": (today - dates.held_since).days,
            }
            for dates in held_rows[:longest]
        ],
        "anniversaries": anniversaries[:anniversaries_shown],
        "anniversary_count": people[0].anniversary_count if people else 0,
    }


def _held_longest(*, rows: list[dict], open_count: int) -> dict:
    return {
        "open_count": open_count,
        "rows": rows,
        "url": _changelist(
            "tracker_detainedperson",
            status__in=",".join(v for v in CaseStatus.values if v not in NOT_HELD_STATUSES),
        ),
    }


def held_longest(*, today: date, limit: int = LIST_LENGTH) -> dict:
    """Open cases by days held, longest first (cases with no detention date left out), and how
    many cases are open."""
    rows = case_clocks(today=today, longest=limit)["longest"]
    return _held_longest(rows=rows, open_count=_open_count(case_counts()))


def detention_anniversaries(
    *, today: date, days: int = UPCOMING_DAYS, years: tuple[int, ...] = ANNIVERSARY_YEARS
) -> list[dict]:
    """Open cases whose detention has a 1st, 2nd, 5th or 10th anniversary in the next `days`
    days (campaigns act on them), soonest first."""
    return case_clocks(today=today, days=days, years=years)["anniversaries"]


def upcoming_events(
    *, today: date, days: int = UPCOMING_DAYS, mine: dict[int, bool] | None = None
) -> dict:
    """Events dated today or in the next `days` days (hearings, mostly), soonest first, the
    first UPCOMING_SHOWN; and "my_hearings": the hearings of the cases in `mine` in the next
    HEARING_WITHIN_DAYS days, however many. One query, of the index of events by date."""
    until = today + timedelta(days=days)
    events = CaseEvent.objects.filter(date__gte=today, date__lte=until)
    wanted = Q(date__lte=nth_value(events, "date", UPCOMING_SHOWN, default=date.max))
    hearings = Q(kind=CaseEvent.Kind.HEARING, date__lte=today + timedelta(days=HEARING_WITHIN_DAYS))
    if mine:
        wanted |= hearings & Q(person_id__in=list(mine))
    rows = list(
        events.filter(wanted)
        .select_related("person")
        .only("date", "kind", "description", "person_id", *(f"person__{f}" for f in PERSON_SHOWN))
        .order_by("date", "id")
    )
    return {
        "rows": rows[:UPCOMING_SHOWN],
        "my_hearings": [
            event
            for event in rows
            if event.person_id in (mine or {})
            and event.kind == CaseEvent.Kind.HEARING
            and event.date <= today + timedelta(days=HEARING_WITHIN_DAYS)
        ],
        "url": _changelist(
            "tracker_caseevent", date__gte=today.isoformat(), date__lte=until.isoformat()
        ),
    }


# --- Letters: campaigns.selectors.letters_waiting_first (one query) ----------------------------


# --- News watch --------------------------------------------------------------------------------


def _new_mentions(*, limit: int, mine: dict[int, bool] | None) -> tuple[list, list]:
    """The `limit` new mentions first in the review queue (MENTION_REVIEW_ORDER), and the
    `limit` first of those of the cases in `mine`: one query."""
    new = Mention.objects.filter(status=Mention.Status.NEW)
    parts = [new.order_by(*MENTION_REVIEW_ORDER)[:limit]]
    if mine:
        parts.append(new.filter(person_id__in=list(mine)).order_by(*MENTION_REVIEW_ORDER)[:limit])
    rows = list(
        Mention.objects.filter(pk__in=keys_of(*parts))
        .select_related("news_item", "person")
        .only(
            "status",
            "created_at",
            "news_item__title",
            "news_item__published_at",
            *(f"person__{f}" for f in PERSON_SHOWN),
        )
        .order_by(*MENTION_REVIEW_ORDER)
    )
    return rows[:limit], [m for m in rows if m.person_id in (mine or {})][:limit]


def review_queue(*, limit: int = LIST_LENGTH, new_count: int | None = None, oldest=None) -> dict:
    """New mentions waiting for review: how many, and the oldest by when the article was
    published (those of unknown date last), as the list it links to opens
    (MENTION_REVIEW_ORDER). The dashboard passes what it read with the other panels."""
    if new_count is None:
        new_count = Mention.objects.filter(status=Mention.Status.NEW).count()
    if oldest is None:
        oldest, _mine = _new_mentions(limit=limit, mine=None)
    return {
        "new_count": new_count,
        "oldest": oldest,
        "new_url": _changelist("tracker_mention", status__exact=Mention.Status.NEW),
    }


def failing_sources() -> dict:
    """The active sources whose last poll failed."""
    return {
        "rows": list(
            NewsSource.objects.filter(active=True, last_status=NewsSource.LastStatus.FAILED)
            .only("id", "name", "last_error", "last_polled_at", "consecutive_failures")
            .order_by("name")
        ),
        # The same sources as listed: active ones whose last poll failed.
        "url": _changelist(
            "tracker_newssource", active__exact=1, last_status__exact=NewsSource.LastStatus.FAILED
        ),
    }


def _mention_counts(*, today: date, weeks: int, mine: dict[int, bool] | None) -> dict:
    """Mentions found each week (Monday to Sunday) of the last `weeks` weeks by their status
    now, how many are new, and how many of those are of the cases in `mine`: one GROUP BY."""
    this_monday = today - timedelta(days=today.weekday())
    mondays = [this_monday - timedelta(weeks=weeks - 1 - i) for i in range(weeks)]
    start = timezone.make_aware(timezone.datetime.combine(mondays[0], timezone.datetime.min.time()))
    counted = {"n": Count("id")}
    if mine:
        counted["mine"] = Count("id", filter=Q(person_id__in=list(mine)))
    rows = (
        Mention.objects.filter(Q(created_at__gte=start) | Q(status=Mention.Status.NEW))
        .annotate(week=TruncWeek("created_at", output_field=DateField()))
        .order_by()
        .values("week", "status")
        .annotate(**counted)
    )
    counts, new, new_of_mine = Counter(), 0, 0
    for row in rows:
        if row["week"] >= mondays[0]:  # in the chart (new mentions found before it are not)
            counts[(row["week"], row["status"])] += row["n"]
        if row["status"] == Mention.Status.NEW:
            new += row["n"]
            new_of_mine += row.get("mine", 0)
    return {"mondays": mondays, "counts": counts, "new": new, "new_of_mine": new_of_mine}


def _weekly(mondays: list[date], counts: Counter) -> dict:
    statuses = Mention.Status.choices
    return {
        # The chart's labels, in the staff's words ("8 June"), as every date they read.
        "weeks": [date_format(monday, "j F") for monday in mondays],
        "series": [
            {"status": value, "label": label, "counts": [counts[(m, value)] for m in mondays]}
            for value, label in statuses
        ],
        "rows": [
            {"week": monday, "counts": [counts[(monday, value)] for value, _ in statuses]}
            for monday in mondays
        ],
        "total": sum(counts.values()),
    }


def mentions_per_week(*, today: date, weeks: int = WEEKS) -> dict:
    """Mentions found each week (Monday to Sunday) of the last `weeks` weeks, by their status
    now: one GROUP BY."""
    read = _mention_counts(today=today, weeks=weeks, mine=None)
    return _weekly(read["mondays"], read["counts"])


# --- The page ----------------------------------------------------------------------------------


def my_cases(user) -> dict[int, bool]:
    """The cases `user` is an officer of, each with whether they are its lead: one query
    (none for a user not saved, nor for one who may not view cases)."""
    if user.pk is None or not may_view(user, DetainedPerson):
        return {}
    return dict(CaseOfficer.objects.filter(user_id=user.pk).values_list("person_id", "is_lead"))


def dashboard(*, user, today: date | None = None) -> dict:
    """The panels `user` may read (the page is shown to those who may view cases): each other
    panel needs the permission to view the records it shows, and is None, not read, without it
    (config.permissions.may_view)."""
    today = today or timezone.localdate()
    mine = my_cases(user)
    counts = case_counts()
    by_status = cases_by_status(counts)
    clocks = case_clocks(today=today, mine=mine)
    upcoming = upcoming_events(today=today, mine=mine) if may_view(user, CaseEvent) else None
    weekly = review = my_mentions = None
    if may_view(user, Mention):
        mentions = _mention_counts(today=today, weeks=WEEKS, mine=mine)
        weekly = _weekly(mentions["mondays"], mentions["counts"])
        oldest, of_mine = _new_mentions(limit=max(LIST_LENGTH, SHOWN), mine=mine)
        review = review_queue(new_count=mentions["new"], oldest=oldest[:LIST_LENGTH])
        my_mentions = {"count": mentions["new_of_mine"], "rows": of_mine[:SHOWN]}
    letters = None
    if may_view(user, Letter):
        letters = letters_waiting_first(today=today, limit=LETTERS_SHOWN, owner=user)
    chart_data = {
        "status": {
            "labels": [_short(row["label"]) for row in by_status],
            "counts": [row["count"] for row in by_status],
            "urls": [row["url"] for row in by_status],
        },
    }
    if weekly is not None:
        chart_data["weekly"] = {"labels": weekly["weeks"], "series": weekly["series"]}
    return {
        # At the top: what the signed-in user owns that needs them (tracker/workspace/my_work.py).
        "my_work": my_work(
            user=user,
            today=today,
            mine=mine,
            near_limit=clocks["mine_near"],
            hearings=upcoming["my_hearings"] if upcoming is not None else None,
            letters_waiting=letters["owner_rows"] if letters is not None else None,
            mentions=my_mentions,
        ),
        "today": today,
        "total_cases": sum(row["count"] for row in by_status),
        "by_status": by_status,
        "by_country": cases_by_country(counts),
        "held_longest": _held_longest(rows=clocks["longest"], open_count=_open_count(counts)),
        "near_limit": clocks["near"],
        "near_count": clocks["near_count"],
        "near_more": clocks["near_count"] - len(clocks["near"]),
        "warn_days": WARN_DAYS,
        "limits_url": _changelist("tracker_legallimit") if may_view(user, LegalLimit) else None,
        "upcoming": upcoming,
        "upcoming_days": UPCOMING_DAYS,
        "anniversaries": clocks["anniversaries"],
        "anniversaries_more": clocks["anniversary_count"] - len(clocks["anniversaries"]),
        "review": review,
        "failing": failing_sources() if may_view(user, NewsSource) else None,
        "letters_waiting": letters["rows"] if letters is not None else None,
        "letters_waiting_count": letters["count"] if letters is not None else None,
        "letters_waiting_more": letters["count"] - len(letters["rows"]) if letters else 0,
        "letter_wait_days": WAITING_AFTER_DAYS,
        "letters_url": _changelist("campaigns_letter", status__exact=Letter.Status.SENT),
        "weekly": weekly,
        # What the charts draw (read by static/vigil/dashboard.js from json_script).
        "chart_data": chart_data,
    }
