"""The admin's home page: what needs doing today, read with a fixed number of queries.

Every panel is one or two aggregate or limited queries, so the page costs the same with five
cases or five thousand (tests/test_dashboard.py counts them). Panels return plain data; the
template (templates/admin/index.html) and static/vigil/dashboard.js draw it.
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
from campaigns.selectors import WAITING_AFTER_DAYS, letters_waiting_for_answer
from config.permissions import may_view
from tracker.cases.limits import (
    NOT_HELD_STATUSES,
    WARN_DAYS,
    CaseClock,
    cases_near_limit,
    held_cases,
    with_clock,
)
from tracker.models import (
    CaseEvent,
    CaseStatus,
    DetainedPerson,
    LegalLimit,
    Mention,
    NewsSource,
)
from tracker.newswatch.models import MENTION_REVIEW_ORDER
from tracker.workspace.my_work import my_work

LIST_LENGTH = 10
UPCOMING_DAYS = 30
ANNIVERSARY_YEARS = (1, 2, 5, 10)
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


def cases_by_status() -> list[dict]:
    """Every status with at least one case, in the statuses' own order: one GROUP BY."""
    counts = dict(
        DetainedPerson.objects.order_by()
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    return [
        {
            "status": value,
            "label": label,
            "count": counts[value],
            "url": _changelist("tracker_detainedperson", status__exact=value),
        }
        for value, label in CaseStatus.choices
        if counts.get(value)
    ]


def cases_by_country() -> list[dict]:
    """Cases per country, most first: one GROUP BY."""
    rows = (
        DetainedPerson.objects.order_by()
        .values_list("country")
        .annotate(n=Count("id"))
        .values_list("country", "n")
    )
    result = [
        {
            "code": code,
            "name": countries.name(code) if code else "No country given",
            "count": n,
            "url": _changelist("tracker_detainedperson", country__exact=code),
        }
        for code, n in rows
    ]
    return sorted(result, key=lambda row: (-row["count"], row["name"]))


def held_longest(*, today: date, limit: int = LIST_LENGTH) -> dict:
    """Open cases by days held, longest first (cases with no detention date last)."""
    people = with_clock(held_cases()).order_by("held_since", "name")
    people = people.filter(held_since__isnull=False)[:limit]
    return {
        "open_count": held_cases().count(),
        "rows": [
            {
                "person": person,
                "held_since": person.held_since,
                "days": (today - person.held_since).days,
            }
            for person in people
        ],
        "url": _changelist(
            "tracker_detainedperson",
            status__in=",".join(v for v in CaseStatus.values if v not in NOT_HELD_STATUSES),
        ),
    }


def upcoming_events(*, today: date, days: int = UPCOMING_DAYS) -> dict:
    """Events dated today or in the next `days` days (hearings, mostly), soonest first."""
    until = today + timedelta(days=days)
    events = CaseEvent.objects.filter(date__gte=today, date__lte=until)
    return {
        "rows": list(events.select_related("person").order_by("date", "id")[:20]),
        "url": _changelist(
            "tracker_caseevent", date__gte=today.isoformat(), date__lte=until.isoformat()
        ),
    }


def detention_anniversaries(
    *, today: date, days: int = UPCOMING_DAYS, years: tuple[int, ...] = ANNIVERSARY_YEARS
) -> list[dict]:
    """Open cases whose detention has a 1st, 2nd, 5th or 10th anniversary in the next `days`
    days (campaigns act on them), soonest first: one query."""
    until = today + timedelta(days=days)
    ranges = Q()
    for n in years:
        ranges |= Q(
            held_since__gte=_years_before(today, n), held_since__lte=_years_before(until, n)
        )
    rows = []
    for person in with_clock(held_cases()).filter(ranges):
        for n in years:
            on = _years_before(person.held_since, -n)
            if today <= on <= until:
                rows.append({"person": person, "years": n, "on": on, "in_days": (on - today).days})
    return sorted(rows, key=lambda row: (row["on"], row["person"].name))


# --- Letters: campaigns.selectors.letters_waiting_for_answer (one query) -------------------------


# --- News watch --------------------------------------------------------------------------------


def review_queue(*, limit: int = LIST_LENGTH) -> dict:
    """New mentions waiting for review: how many, and the oldest by when the article was
    published (those of unknown date last), as the list it links to opens
    (MENTION_REVIEW_ORDER)."""
    new = Mention.objects.filter(status=Mention.Status.NEW)
    return {
        "new_count": new.count(),
        "oldest": list(
            new.select_related("news_item", "person").order_by(*MENTION_REVIEW_ORDER)[:limit]
        ),
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


def mentions_per_week(*, today: date, weeks: int = WEEKS) -> dict:
    """Mentions found each week (Monday to Sunday) of the last `weeks` weeks, by their status
    now: one GROUP BY."""
    this_monday = today - timedelta(days=today.weekday())
    mondays = [this_monday - timedelta(weeks=weeks - 1 - i) for i in range(weeks)]
    start = timezone.make_aware(timezone.datetime.combine(mondays[0], timezone.datetime.min.time()))
    counts = Counter(
        {
            (week, status): n
            for week, status, n in Mention.objects.filter(created_at__gte=start)
            .annotate(week=TruncWeek("created_at", output_field=DateField()))
            .order_by()
            .values_list("week", "status")
            .annotate(n=Count("id"))
            .values_list("week", "status", "n")
        }
    )
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


# --- The page ----------------------------------------------------------------------------------


def dashboard(*, user, today: date | None = None) -> dict:
    """The panels `user` may read (the page is shown to those who may view cases): each other
    panel needs the permission to view the records it shows, and is None, not read, without it
    (config.permissions.may_view)."""
    today = today or timezone.localdate()
    by_status = cases_by_status()
    near: list[CaseClock] = cases_near_limit(today=today)
    weekly = mentions_per_week(today=today) if may_view(user, Mention) else None
    chart_data = {
        "status": {
            "labels": [_short(row["label"]) for row in by_status],
            "counts": [row["count"] for row in by_status],
            "urls": [row["url"] for row in by_status],
        },
    }
    if weekly is not None:
        chart_data["weekly"] = {"labels": weekly["weeks"], "series": weekly["series"]}
    may_read_letters = may_view(user, Letter)
    letters_waiting = letters_waiting_for_answer(today=today) if may_read_letters else None
    return {
        # At the top: what the signed-in user owns that needs them (tracker/workspace/my_work.py).
        "my_work": my_work(
            user=user, today=today, near_limit=near, letters_waiting=letters_waiting
        ),
        "today": today,
        "total_cases": sum(row["count"] for row in by_status),
        "by_status": by_status,
        "by_country": cases_by_country(),
        "held_longest": held_longest(today=today),
        "near_limit": near,
        "warn_days": WARN_DAYS,
        "limits_url": _changelist("tracker_legallimit") if may_view(user, LegalLimit) else None,
        "upcoming": upcoming_events(today=today) if may_view(user, CaseEvent) else None,
        "upcoming_days": UPCOMING_DAYS,
        "anniversaries": detention_anniversaries(today=today),
        "review": review_queue() if may_view(user, Mention) else None,
        "failing": failing_sources() if may_view(user, NewsSource) else None,
        "letters_waiting": letters_waiting,
        "letter_wait_days": WAITING_AFTER_DAYS,
        "letters_url": _changelist("campaigns_letter", status__exact=Letter.Status.SENT),
        "weekly": weekly,
        # What the charts draw (read by static/vigil/dashboard.js from json_script).
        "chart_data": chart_data,
    }
