"""The benchmarks' throwaway PostgreSQL database: created for one run, dropped after it, and
never one that already exists."""

import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
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


def add_database_argument(parser) -> None:
    parser.add_argument(
        "--database-url",
        help="postgres://user@host:port/name of a database to create and drop "
        "(default: a temporary SQLite file)",
    )


@contextmanager
def throwaway_database(database_url: str | None, **environment: str) -> Iterator[str]:
    """Point Django (config.settings.test) at a database made for this run: the PostgreSQL
    database named (created now, refused if it exists) or a temporary SQLite file; remove it
    afterwards. `environment` adds variables for the settings to read."""
    if database_url and not database_url.startswith(("postgres://", "postgresql://")):
        sys.exit("--database-url must be a PostgreSQL URL")
    tmpdir = None
    if database_url:
        postgres_database(database_url, "create")
    else:
        tmpdir = tempfile.mkdtemp(prefix="vigil-bench-")
        database_url = f"sqlite:///{tmpdir}/bench.sqlite3"
    os.environ.update(
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="config.settings.test",
        CELERY_BROKER_URL="memory://",
        **environment,
    )
    try:
        yield database_url
    finally:
        from django.db import connections

        connections.close_all()
        if tmpdir:
            shutil.rmtree(tmpdir, ignore_errors=True)
        else:
            postgres_database(database_url, "drop")
