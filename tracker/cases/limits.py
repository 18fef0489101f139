"""How long each case has been held, and how that compares with the legal limit of its status.

Days held count from the detention date, else from the first event that began a detention.
Days in the current status count from its latest status event (the one that set it), else from
the detention date. A limit (LegalLimit, per country and status) applies to the days in the
current status: a person placed under RSDL on 1 March has spent 183 days in it on 31 August.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import F, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from tracker.cases.models import CaseDates, CaseEvent, CaseStatus, DetainedPerson, LegalLimit

# Events that begin a detention: the first of them is when the person was taken.
HELD_KINDS = [
    CaseEvent.Kind.DETAINED,
    CaseEvent.Kind.DISAPPEARED,
    CaseEvent.Kind.RSDL,
    CaseEvent.Kind.ARRESTED,
]
# Statuses in which the person is no longer held: released (also on bail), free but barred from
# leaving the country, or dead. Every other status counts as held (and the case as open).
NOT_HELD_STATUSES = [
    CaseStatus.RELEASED,
    CaseStatus.RELEASED_ON_BAIL,
    CaseStatus.EXIT_BAN,
    CaseStatus.DECEASED,
]
# The dashboard lists cases this many days or fewer from their limit, and those past it.
WARN_DAYS = 7


# The limits every installation starts with (the migration that adds LegalLimit, and the demo
# data, write them when missing); staff edit them in the admin afterwards.
CHINA_LIMITS = [
    {
        "status": "rsdl",
        "max_days": 183,
        "legal_basis": (
            "Criminal Procedure Law of the PRC (2018), art. 79 (art. 77 in the 2012 text): "
            "residential surveillance may not exceed six months; art. 75 (2012: art. 73) "
            "allows it at a designated location. Six calendar months are 181 to 184 days "
            "depending on the month it began; 183 days is half a year rounded up (365 / 2). "
            "For a case within a day of the limit, check the calendar date."
        ),
    },
    {
        "status": "detained",
        "max_days": 37,
        "legal_basis": (
            "Criminal Procedure Law of the PRC (2018), art. 91 (art. 89 in the 2012 text): "
            "the police must ask the procuratorate to approve an arrest within 3 days of "
            "criminal detention, extendable to 7 days, and to 30 days for suspects of "
            "crimes committed from place to place, repeatedly or in a gang; the "
            "procuratorate decides within 7 days. 30 + 7 = 37 days of criminal detention "
            "before the person must be arrested or released."
        ),
    },
]


def legal_limits_ensure(model=LegalLimit) -> None:
    """Adds each of CHINA_LIMITS that is missing; a limit staff changed is left as it is.
    `model` is the migration's historical model when a migration calls it."""
    for limit in CHINA_LIMITS:
        model.objects.get_or_create(
            country="CN",
            status=limit["status"],
            defaults={"max_days": limit["max_days"], "legal_basis": limit["legal_basis"]},
        )


def with_clock(queryset: QuerySet[DetainedPerson]) -> QuerySet[DetainedPerson]:
    """`held_since` and `status_since` on each row, computed in the same query (two correlated
    subqueries served by the (person, -date, -id) index on events)."""
    events = CaseEvent.objects.filter(person=OuterRef("pk"))
    first_held = events.filter(kind__in=HELD_KINDS).order_by("date", "id").values("date")[:1]
    latest_status = (
        events.filter(kind__in=CaseStatus.values).order_by("-date", "-id").values("date")[:1]
    )
    return queryset.annotate(
        held_since=Coalesce(F("detained_on"), Subquery(first_held)),
        status_since=Coalesce(Subquery(latest_status), F("detained_on")),
    )


def with_limit(queryset: QuerySet[DetainedPerson]) -> QuerySet[DetainedPerson]:
    """`limit_id` and `limit_max_days` on each row: its country's LegalLimit for its status, if
    any, in the same query (clock_of then reads no limit)."""
    limits = LegalLimit.objects.filter(country=OuterRef("country"), status=OuterRef("status"))
    return queryset.annotate(
        limit_id=Subquery(limits.values("pk")[:1]),
        limit_max_days=Subquery(limits.values("max_days")[:1]),
    )


def held_cases() -> QuerySet[DetainedPerson]:
    """Open cases: people still held."""
    return DetainedPerson.objects.exclude(status__in=NOT_HELD_STATUSES)


@dataclass(frozen=True)
class CaseClock:
    person: DetainedPerson
    today: date
    held_since: date | None
    status_since: date | None
    limit: LegalLimit | None

    @property
    def is_held(self) -> bool:
        return self.person.status not in NOT_HELD_STATUSES

    @property
    def days_held(self) -> int | None:
        if self.held_since is None:
            return None
        return (self.today - self.held_since).days

    @property
    def days_in_status(self) -> int | None:
        if self.status_since is None:
            return None
        return (self.today - self.status_since).days

    @property
    def limit_ends_on(self) -> date | None:
        if self.limit is None or self.status_since is None:
            return None
        return self.status_since + timedelta(days=self.limit.max_days)

    @property
    def days_over(self) -> int | None:
        """Days past the limit; 0 on the day it is reached; negative before."""
        if self.limit is None or self.days_in_status is None:
            return None
        return self.days_in_status - self.limit.max_days

    @property
    def days_left(self) -> int | None:
        over = self.days_over
        return None if over is None else -over

    @property
    def is_over(self) -> bool:
        return self.days_over is not None and self.days_over > 0

    @property
    def is_near(self) -> bool:
        """Within WARN_DAYS of the limit, or past it."""
        return self.days_over is not None and self.days_over >= -WARN_DAYS

    @property
    def percent(self) -> int | None:
        """How far along the limit, for a progress bar (capped at 100)."""
        if self.limit is None or self.days_in_status is None:
            return None
        return max(0, min(100, round(100 * self.days_in_status / self.limit.max_days)))


def limits_by_key() -> dict[tuple[str, str], LegalLimit]:
    """Every limit by (country code, status): one query (there are a handful)."""
    return {(str(limit.country), limit.status): limit for limit in LegalLimit.objects.all()}


def clock_of(person: DetainedPerson, *, today: date | None = None) -> CaseClock:
    """One person's clock: two queries (the dates, the limit), or none for a person read with
    with_clock() and with_limit() (the case page's)."""
    today = today or timezone.localdate()
    if hasattr(person, "status_since") and hasattr(person, "limit_id"):
        row = {"held_since": person.held_since, "status_since": person.status_since}
    else:
        row = with_clock(DetainedPerson.objects.filter(pk=person.pk)).values(
            "held_since", "status_since"
        )[0]
    limit = None
    if person.status not in NOT_HELD_STATUSES and person.country:
        if not hasattr(person, "limit_id"):
            limit = LegalLimit.objects.filter(country=person.country, status=person.status).first()
        elif person.limit_id is not None:
            # The fields the clock uses; another (legal_basis) would be read when asked for.
            limit = LegalLimit.from_db(
                None,
                ["id", "country", "status", "max_days"],
                [person.limit_id, person.country, person.status, person.limit_max_days],
            )
    return CaseClock(
        person=person,
        today=today,
        held_since=row["held_since"],
        status_since=row["status_since"],
        limit=limit,
    )


def clock_from_dates(dates: CaseDates, *, today: date) -> CaseClock:
    """A case's clock from its stored dates (tracker/cases/summaries.py), read with
    select_related("person", "limit")."""
    return CaseClock(
        person=dates.person,
        today=today,
        held_since=dates.held_since,
        status_since=dates.status_since,
        limit=dates.limit,
    )


def near_limit(*, today: date, warn_days: int = WARN_DAYS) -> QuerySet[CaseDates]:
    """The stored dates of held cases past their limit or within `warn_days` of it: a range of
    the index of the day each limit ends (a limit ending on or before today + warn_days)."""
    return CaseDates.objects.filter(limit_ends_on__lte=today + timedelta(days=warn_days))


# Most days over first: the limit that ended first (then the status held longest, the name).
NEAR_LIMIT_ORDER = ["limit_ends_on", "status_since", "person__name"]


def cases_near_limit(*, today: date | None = None, warn_days: int = WARN_DAYS) -> list[CaseClock]:
    """Held cases past their limit or within `warn_days` of it, most days over first: one
    query, of the cases listed (tracker.cases.models.CaseDates)."""
    today = today or timezone.localdate()
    rows = near_limit(today=today, warn_days=warn_days).select_related("person", "limit")
    return [clock_from_dates(dates, today=today) for dates in rows.order_by(*NEAR_LIMIT_ORDER)]
