"""SQLite, with LOWER() and UPPER() that know every alphabet.

SQLite's own LOWER() folds ASCII only, so on the laptop default `Lower("name")` (used by the
case-insensitive unique constraint on organization names and by the CSV import's matching)
would treat "Église" and "église" as different names, while PostgreSQL treats them as one.
This backend registers Python's str.lower/str.upper under those names on every connection,
so both databases agree. It also turns on write-ahead logging for file databases (with
fewer, larger checkpoints than SQLite's default).
"""

from django.db.backends.sqlite3 import base


def _lower(value):
    return value.lower() if isinstance(value, str) else value


def _upper(value):
    return value.upper() if isinstance(value, str) else value


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params):
        conn = super().get_new_connection(conn_params)
        conn.create_function("LOWER", 1, _lower, deterministic=True)
        conn.create_function("UPPER", 1, _upper, deterministic=True)
        # Write-ahead logging: the web server, worker and beat of `make run` read while one of
        # them writes, and a commit costs one sync less.
        if conn_params.get("database") not in (":memory:", "") and "mode=memory" not in str(
            conn_params.get("database")
        ):
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            # Copy the log back into the database every 10,000 pages (40 MB) rather than 1,000:
            # each poll of the news watch commits dozens of pages, and a checkpoint syncs.
            conn.execute("PRAGMA wal_autocheckpoint=10000")
        return conn
