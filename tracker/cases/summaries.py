"""The triggers that keep CaseCount and CaseDates (tracker/cases/models.py) exact.

The dashboard reads how many cases have each status in each country, and each case's clock
(tracker.cases.limits: held since, in its status since, its legal limit's end), from these two
tables rather than from every case on every load. Triggers on the tables of cases, case events
and legal limits write them in the same statement as each change (a bulk_create, a
QuerySet.update, raw SQL and the admin alike), so a staff member sees their edit at once and
nothing expires: there is no cache.

The price is at writing: a status event or a new case costs the trigger's statement or two
(index lookups of that case's events), and every new case, and every change of a case's status
or country, updates its row of CaseCount, so two transactions that both add cases of the same
status and country wait at that row for the first to commit (a long import holds it until it
ends).

Migration 0032 installs them (install()), and every `migrate` checks them afterwards
(tracker.apps.keep_case_summaries) and installs them again where they differ from the code's:

- on SQLite, a migration that rebuilds tracker_detainedperson, tracker_caseevent or
  tracker_legallimit (most AlterField operations, an AddField with a default) drops their
  triggers with the old table: the next migrate's check puts them back;
- a change to the statuses (CaseStatus, NOT_HELD_STATUSES, HELD_KINDS) changes the SQL below:
  the same check installs the new SQL (and rebuilds both tables from the cases).

test_case_summaries.py fails if the triggers installed are not the code's.
"""

import re

from tracker.cases.limits import HELD_KINDS, NOT_HELD_STATUSES
from tracker.cases.models import CaseStatus

DATES = "tracker_casedates"
COUNTS = "tracker_casecount"
# (trigger name, table): the same names on both databases.
TRIGGERS = {
    "postgresql": [
        ("tracker_detainedperson_summaries", "tracker_detainedperson"),
        ("tracker_caseevent_summaries", "tracker_caseevent"),
        ("tracker_legallimit_summaries", "tracker_legallimit"),
    ],
    "sqlite": [
        ("tracker_detainedperson_summaries_insert", "tracker_detainedperson"),
        ("tracker_detainedperson_summaries_update_counts", "tracker_detainedperson"),
        ("tracker_detainedperson_summaries_update_dates", "tracker_detainedperson"),
        ("tracker_detainedperson_summaries_delete", "tracker_detainedperson"),
        ("tracker_caseevent_summaries_insert", "tracker_caseevent"),
        ("tracker_caseevent_summaries_update", "tracker_caseevent"),
        ("tracker_caseevent_summaries_delete", "tracker_caseevent"),
        ("tracker_legallimit_summaries_insert", "tracker_legallimit"),
        ("tracker_legallimit_summaries_update", "tracker_legallimit"),
        ("tracker_legallimit_summaries_delete", "tracker_legallimit"),
    ],
}


def _in(values) -> str:
    """A literal SQL list of constants (status and kind values: lowercase words)."""
    values = [str(v) for v in values]
    if not all(re.fullmatch(r"[a-z_]+", v) for v in values):
        raise ValueError(f"Not a status or kind: {values}")
    return ", ".join(f"'{v}'" for v in values)


def _ends_on(vendor: str, since: str, days: str) -> str:
    """SQL for the date `days` days after `since`."""
    if vendor == "postgresql":
        return f"{since} + {days}"
    return f"date({since}, '+' || {days} || ' days')"


def refresh_dates(vendor: str, person_id: str) -> str:
    """SQL that writes the CaseDates row of the case whose id is the SQL `person_id` (`p.id`:
    every case), as tracker.cases.limits.with_clock and cases_near_limit compute it."""
    ends = _ends_on(vendor, "c.status_since", "l.max_days")
    return f"""INSERT INTO {DATES}
    (person_id, status, country, held, held_since, status_since, limit_id, limit_ends_on)
  SELECT c.id, c.status, c.country, c.held, c.held_since, c.status_since,
    CASE WHEN c.held THEN l.id END, CASE WHEN c.held THEN {ends} END
  FROM (
    SELECT p.id, p.status, p.country, p.status NOT IN ({_in(NOT_HELD_STATUSES)}) AS held,
      COALESCE(p.detained_on, (SELECT MIN(e.date) FROM tracker_caseevent e
        WHERE e.person_id = p.id AND e.kind IN ({_in(HELD_KINDS)}))) AS held_since,
      COALESCE((SELECT MAX(e.date) FROM tracker_caseevent e
        WHERE e.person_id = p.id AND e.kind IN ({_in(CaseStatus.values)})), p.detained_on)
        AS status_since
    FROM tracker_detainedperson p WHERE p.id = {person_id}
  ) c
  LEFT JOIN tracker_legallimit l ON l.country = c.country AND l.status = c.status
  WHERE TRUE
  ON CONFLICT (person_id) DO UPDATE SET status = excluded.status, country = excluded.country,
    held = excluded.held, held_since = excluded.held_since,
    status_since = excluded.status_since, limit_id = excluded.limit_id,
    limit_ends_on = excluded.limit_ends_on"""


def _count(row: str, delta: int) -> str:
    """SQL that adds `delta` (1 or -1) to the count of the status and country of `row`."""
    if delta > 0:
        return (
            f"INSERT INTO {COUNTS} (status, country, cases) VALUES ({row}.status, {row}.country, 1)"
            f" ON CONFLICT (status, country) DO UPDATE SET cases = {COUNTS}.cases + 1"
        )
    return (
        f"UPDATE {COUNTS} SET cases = cases - 1"
        f" WHERE status = {row}.status AND country = {row}.country"
    )


def _limit_changed(vendor: str, row: str) -> str:
    """SQL that sets the limit of the cases of the country and status of LegalLimit `row`."""
    limit = (
        "(SELECT l.{} FROM tracker_legallimit l"
        f" WHERE l.country = {DATES}.country AND l.status = {DATES}.status)"
    )
    ends = _ends_on(vendor, "status_since", limit.format("max_days"))
    return (
        f"UPDATE {DATES} SET limit_id = CASE WHEN held THEN {limit.format('id')} END,"
        f" limit_ends_on = CASE WHEN held THEN {ends} END"
        f" WHERE country = {row}.country AND status = {row}.status"
    )


def _postgresql() -> list[str]:
    statuses = _in(CaseStatus.values)
    return [
        f"""CREATE FUNCTION tracker_detainedperson_summaries() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    DELETE FROM {DATES} WHERE person_id = OLD.id;
    {_count("OLD", -1)};
    RETURN NULL;
  END IF;
  IF TG_OP = 'INSERT' THEN
    {_count("NEW", 1)};
  ELSIF OLD.status <> NEW.status OR OLD.country <> NEW.country THEN
    {_count("OLD", -1)};
    {_count("NEW", 1)};
  ELSIF OLD.detained_on IS NOT DISTINCT FROM NEW.detained_on THEN
    RETURN NULL;  -- a save that changed none of the three
  END IF;
  {refresh_dates("postgresql", "NEW.id")};
  RETURN NULL;
END $$""",
        """CREATE TRIGGER tracker_detainedperson_summaries
AFTER INSERT OR DELETE OR UPDATE OF status, country, detained_on ON tracker_detainedperson
FOR EACH ROW EXECUTE FUNCTION tracker_detainedperson_summaries()""",
        f"""CREATE FUNCTION tracker_caseevent_summaries() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    IF OLD.kind IN ({statuses}) THEN
      {refresh_dates("postgresql", "OLD.person_id")};
    END IF;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    IF NEW.kind IN ({statuses}) THEN
      {refresh_dates("postgresql", "NEW.person_id")};
    END IF;
  END IF;
  RETURN NULL;
END $$""",
        """CREATE TRIGGER tracker_caseevent_summaries
AFTER INSERT OR UPDATE OR DELETE ON tracker_caseevent
FOR EACH ROW EXECUTE FUNCTION tracker_caseevent_summaries()""",
        f"""CREATE FUNCTION tracker_legallimit_summaries() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    {_limit_changed("postgresql", "OLD")};
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    {_limit_changed("postgresql", "NEW")};
  END IF;
  RETURN NULL;
END $$""",
        """CREATE TRIGGER tracker_legallimit_summaries
AFTER INSERT OR UPDATE OR DELETE ON tracker_legallimit
FOR EACH ROW EXECUTE FUNCTION tracker_legallimit_summaries()""",
    ]


def _sqlite() -> list[str]:
    """SQLite has no trigger functions: one trigger for each event, its condition in WHEN."""
    statuses = _in(CaseStatus.values)
    changed = "OLD.status <> NEW.status OR OLD.country <> NEW.country"
    dp, ce, ll = "tracker_detainedperson", "tracker_caseevent", "tracker_legallimit"
    return [
        f"""CREATE TRIGGER {dp}_summaries_insert AFTER INSERT ON {dp} FOR EACH ROW BEGIN
  {_count("NEW", 1)};
  {refresh_dates("sqlite", "NEW.id")};
END""",
        f"""CREATE TRIGGER {dp}_summaries_update_counts AFTER UPDATE OF status, country ON {dp}
FOR EACH ROW WHEN {changed} BEGIN
  {_count("OLD", -1)};
  {_count("NEW", 1)};
END""",
        f"""CREATE TRIGGER {dp}_summaries_update_dates
AFTER UPDATE OF status, country, detained_on ON {dp}
FOR EACH ROW WHEN {changed} OR OLD.detained_on IS NOT NEW.detained_on BEGIN
  {refresh_dates("sqlite", "NEW.id")};
END""",
        f"""CREATE TRIGGER {dp}_summaries_delete AFTER DELETE ON {dp} FOR EACH ROW BEGIN
  DELETE FROM {DATES} WHERE person_id = OLD.id;
  {_count("OLD", -1)};
END""",
        f"""CREATE TRIGGER {ce}_summaries_insert AFTER INSERT ON {ce}
FOR EACH ROW WHEN NEW.kind IN ({statuses}) BEGIN
  {refresh_dates("sqlite", "NEW.person_id")};
END""",
        f"""CREATE TRIGGER {ce}_summaries_update AFTER UPDATE ON {ce}
FOR EACH ROW WHEN OLD.kind IN ({statuses}) OR NEW.kind IN ({statuses}) BEGIN
  {refresh_dates("sqlite", "OLD.person_id")};
  {refresh_dates("sqlite", "NEW.person_id")};
END""",
        f"""CREATE TRIGGER {ce}_summaries_delete AFTER DELETE ON {ce}
FOR EACH ROW WHEN OLD.kind IN ({statuses}) BEGIN
  {refresh_dates("sqlite", "OLD.person_id")};
END""",
        f"""CREATE TRIGGER {ll}_summaries_insert AFTER INSERT ON {ll} FOR EACH ROW BEGIN
  {_limit_changed("sqlite", "NEW")};
END""",
        f"""CREATE TRIGGER {ll}_summaries_update AFTER UPDATE ON {ll} FOR EACH ROW BEGIN
  {_limit_changed("sqlite", "OLD")};
  {_limit_changed("sqlite", "NEW")};
END""",
        f"""CREATE TRIGGER {ll}_summaries_delete AFTER DELETE ON {ll} FOR EACH ROW BEGIN
  {_limit_changed("sqlite", "OLD")};
END""",
    ]


def create_statements(vendor: str) -> list[str]:
    """The CREATE statements of the triggers (and on PostgreSQL their functions)."""
    if vendor == "postgresql":
        return _postgresql()
    if vendor == "sqlite":
        return _sqlite()
    raise NotImplementedError(f"No summary triggers for {vendor}")


def drop_statements(vendor: str) -> list[str]:
    statements = [
        f"DROP TRIGGER IF EXISTS {name}" + (f" ON {table}" if vendor == "postgresql" else "")
        for name, table in TRIGGERS[vendor]
    ]
    if vendor == "postgresql":
        statements += [f"DROP FUNCTION IF EXISTS {name}()" for name, _table in TRIGGERS[vendor]]
    return statements


def rebuild_statements(vendor: str) -> list[str]:
    """Both tables written again from the cases (what the triggers then keep)."""
    return [
        f"DELETE FROM {COUNTS}",
        f"DELETE FROM {DATES}",
        f"INSERT INTO {COUNTS} (status, country, cases)"
        " SELECT status, country, COUNT(*) FROM tracker_detainedperson GROUP BY status, country",
        refresh_dates(vendor, "p.id"),
    ]


def install(schema_editor) -> None:
    """(Re)creates the triggers and rebuilds both tables: migrations run it."""
    vendor = schema_editor.connection.vendor
    for statement in (
        drop_statements(vendor) + create_statements(vendor) + rebuild_statements(vendor)
    ):
        schema_editor.execute(statement, params=None)


def uninstall(schema_editor) -> None:
    for statement in drop_statements(schema_editor.connection.vendor):
        schema_editor.execute(statement, params=None)


def installed(connection) -> dict[str, str]:
    """{trigger name: its definition} as the database holds them: on SQLite each trigger's
    CREATE statement, on PostgreSQL the body of its function."""
    # Raw SQL: the triggers live in the database's own catalog, which no model maps; this is
    # how post_migrate tells a trigger a table rebuild dropped from one still in place.
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"
                " AND name LIKE 'tracker_%_summaries%'"
            )
        else:
            cursor.execute(
                "SELECT t.tgname, p.prosrc FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid"
                " WHERE NOT t.tgisinternal AND t.tgname LIKE 'tracker_%_summaries'"
            )
        return dict(cursor.fetchall())


def expected(vendor: str) -> dict[str, str]:
    """{trigger name: definition} as install() would write them now (as installed() reads)."""
    statements = create_statements(vendor)
    if vendor == "sqlite":
        return {name: sql for (name, _table), sql in zip(TRIGGERS[vendor], statements, strict=True)}
    bodies = [s.split("$$")[1] for s in statements if s.startswith("CREATE FUNCTION")]
    return {name: body for (name, _table), body in zip(TRIGGERS[vendor], bodies, strict=True)}
