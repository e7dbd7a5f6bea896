"""Schema migrations (Alembic) run programmatically: no alembic.ini to find or misplace.

Concurrent starts (several `raypx serve` processes) serialise on an advisory lock, so each sees
either no migration to run or runs it alone.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, create_engine, pool, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import OperationalError

from raypx.errors import ConfigurationError

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
# Arbitrary constant shared by every raypx process: "migrations in progress".
MIGRATION_LOCK_KEY = 0x7261797078  # "rayp" + "x"


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


@contextmanager
def sync_connection(url: URL) -> Iterator[Connection]:
    """A short-lived sync connection; a failure to connect becomes one clear line."""
    engine = create_engine(url, poolclass=pool.NullPool, hide_parameters=True)
    try:
        with engine.connect() as conn:
            yield conn
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        where = url.set(drivername="postgresql").render_as_string(hide_password=True)
        raise ConfigurationError(
            f"cannot connect to PostgreSQL at {where}: {reason}. "
            "Check DATABASE_URL and that the server is running."
        ) from None
    finally:
        engine.dispose()


def current_revision(conn: Connection) -> str | None:
    return MigrationContext.configure(conn).get_current_revision()


def upgrade(url: URL, revision: str = "head") -> None:
    with sync_connection(url) as conn:
        conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": MIGRATION_LOCK_KEY})
        try:
            conn.commit()
            before = current_revision(conn)
            config = alembic_config()
            config.attributes["connection"] = conn
            command.upgrade(config, revision)
            conn.commit()
            after = current_revision(conn)
            if before != after:
                log.info("migrated the database from %s to %s", before or "empty", after)
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": MIGRATION_LOCK_KEY})
            conn.commit()


def downgrade(url: URL, revision: str) -> None:
    with sync_connection(url) as conn:
        config = alembic_config()
        config.attributes["connection"] = conn
        command.downgrade(config, revision)
        conn.commit()


def require_head(conn: Connection) -> None:
    """Raise a ConfigurationError unless the database is at the migration head."""
    current, head = current_revision(conn), head_revision()
    if current != head:
        state = "has no Raypx schema" if current is None else f"is at migration {current}"
        raise ConfigurationError(
            f"the database {state}, but this Raypx needs {head}: run `raypx db upgrade`"
        )
