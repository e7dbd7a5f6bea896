"""Infrastructure failures as one line an operator can act on, for every command at once.

A command that meets a database that is down, missing or not migrated would otherwise end in a
150-line traceback from deep inside psycopg or SQLAlchemy. `main` asks `explain` first; what it
does not recognise is a bug and keeps its traceback.
"""

from __future__ import annotations

import psycopg
from psycopg import errors as pg_errors
from sqlalchemy import exc as sa_errors

from raypx.db.direct import PoolTimeout
from raypx.settings import load_settings, parse_database_url


def explain(exc: BaseException) -> str | None:
    """The one-line explanation of a database failure, or None if `exc` is not one."""
    cause = exc.orig if isinstance(exc, sa_errors.DBAPIError) else exc
    # libpq reports a failed connection as OperationalError without a SQLSTATE: read its text.
    text = str(cause)
    if isinstance(cause, pg_errors.UndefinedTable | pg_errors.UndefinedColumn):
        return "the database is not migrated: run `raypx db upgrade`"
    if isinstance(cause, pg_errors.InvalidCatalogName) or (
        isinstance(cause, psycopg.OperationalError) and "does not exist" in text
    ):
        return f"database {where()} does not exist: create it or fix DATABASE_URL"
    if isinstance(
        cause, pg_errors.InvalidPassword | pg_errors.InvalidAuthorizationSpecification
    ) or (isinstance(cause, psycopg.OperationalError) and "authentication failed" in text):
        return f"the database at {where()} refused the credentials in DATABASE_URL"
    if isinstance(cause, psycopg.OperationalError | PoolTimeout | ConnectionError):
        return (
            f"database not reachable at {where()}: start PostgreSQL or fix DATABASE_URL "
            "(unset it to use the embedded database)"
        )
    if isinstance(exc, BaseExceptionGroup) and exc.exceptions:  # from a task group
        return explain(exc.exceptions[0])
    return None


def where() -> str:
    """host:port/database of the configured database, without credentials."""
    try:
        settings = load_settings()
    except Exception:  # the settings themselves are broken: say nothing more specific
        return "the configured address"
    if settings.database_url is None:
        return f"the embedded PostgreSQL in {settings.home / 'pgdata'}"
    url = parse_database_url(settings.database_url)
    host = url.host or url.query.get("host") or "local socket"
    port = f":{url.port}" if url.port else ""
    return f"{host}{port}/{url.database}"
