"""`raypx serve`: migrate (unless told not to), then run the HTTP API under uvicorn."""

from __future__ import annotations

import logging
import signal
import sys

import typer

from raypx.db import migrate
from raypx.db.engine import resolve_database_url
from raypx.logs import configure_logging
from raypx.settings import load_settings

log = logging.getLogger("raypx.serve")


def serve(
    host: str | None = typer.Option(None, help="Bind address [env RAYPX_HOST]."),
    port: int | None = typer.Option(None, help="Port [env RAYPX_PORT]."),
    migrate_on_start: bool | None = typer.Option(
        None, "--migrate/--no-migrate", help="Apply migrations before serving [default: yes]."
    ),
    grace_period: int = typer.Option(
        30, "--grace-period", min=0, help="Seconds open requests get to finish on shutdown."
    ),
) -> None:
    """Run the HTTP API (and, with the embedded database, an in-process worker)."""
    import uvicorn

    from raypx.api.app import create_app

    overrides: dict[str, object] = {}
    if host is not None:
        overrides["host"] = host
    if port is not None:
        overrides["port"] = port
    if migrate_on_start is not None:
        overrides["migrate_on_start"] = migrate_on_start
    settings = load_settings(**overrides)
    configure_logging(settings.log_level)
    settings.secret_value()  # create the secret now, before several workers race for it
    url = resolve_database_url(settings)
    if settings.migrate_on_start:
        migrate.upgrade(url)
    else:
        with migrate.sync_connection(url) as conn:
            migrate.require_head(conn)
    where = "embedded PostgreSQL" if settings.uses_embedded_database else "DATABASE_URL"
    log.info("serving on http://%s:%s (database: %s)", settings.host, settings.port, where)
    if not settings.base_url_configured:
        # Sign-in checks the browser's Origin against this; say so before it refuses anyone.
        log.warning(
            "RAYPX_BASE_URL is not set: using %s (and this port on localhost); set it to the "
            "address browsers use, or sign-ins from elsewhere are refused as 'Invalid origin'",
            settings.base_url,
        )
    # uvicorn re-raises SIGTERM after its graceful shutdown; exiting through SystemExit instead
    # runs atexit hooks, which detach from (and, if last, stop) the embedded PostgreSQL.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    uvicorn.run(
        create_app(settings, url),
        host=settings.host,
        port=settings.port,
        log_config=None,
        proxy_headers=False,
        # Without it a stalled client (a body announced, never sent) holds the exit forever.
        timeout_graceful_shutdown=grace_period,
    )
