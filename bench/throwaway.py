"""The benchmarks' throwaway PostgreSQL database: created for one run, dropped after it, and
never one that already exists."""

import sys
from urllib import parse


def _admin_url(database_url: str) -> tuple[str, str]:
    """(URL of the server's `postgres` database, name of the benchmark database)."""
    parts = parse.urlsplit(database_url)
    name = parts.path.lstrip("/")
    assert name and name != "postgres", "give the benchmark its own database name"
    return parse.urlunsplit(parts._replace(scheme="postgresql", path="/postgres")), name


def postgres_database(database_url: str, action: str) -> None:
    """`action` is "create" (refusing an existing database) or "drop"."""
    import psycopg
    from psycopg import sql

    admin_url, name = _admin_url(database_url)
    with psycopg.connect(admin_url, autocommit=True) as admin:
        if action == "create":
            exists = admin.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [name]
            ).fetchone()
            if exists:
                sys.exit(
                    f"Database {name!r} already exists; the benchmark creates and drops its own. "
                    f"Drop it (dropdb -h 127.0.0.1 -U postgres {name}) or choose another name."
                )
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        else:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
