"""`raypx serve`: migrate (unless told not to), then run the HTTP API under uvicorn.

With `--workers N`, uvicorn forks N processes sharing the listening socket. Each builds its own
app from the environment (the options given here are passed on through it), and, when the
settings ask for one, its own in-process worker: the queue is safe with many consumers, so N
workers simply share the jobs. Rate limits are per process unless REDIS_URL is set.
"""

from __future__ import annotations

import atexit
import logging
import os
import shutil
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from raypx.db import migrate
from raypx.db.engine import resolve_database_url
from raypx.logs import configure_logging
from raypx.settings import load_settings

if TYPE_CHECKING:
    from fastapi import FastAPI

log = logging.getLogger("raypx.serve")
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"


def serve(
    host: str | None = typer.Option(None, help="Bind address [env RAYPX_HOST]."),
    port: int | None = typer.Option(None, help="Port [env RAYPX_PORT]."),
    migrate_on_start: bool | None = typer.Option(
        None, "--migrate/--no-migrate", help="Apply migrations before serving [default: yes]."
    ),
    workers: int | None = typer.Option(
        None, "--workers", min=1, help="HTTP processes [env RAYPX_SERVE_WORKERS, default 1]."
    ),
    shutdown_timeout: float | None = typer.Option(
        None,
        "--shutdown-timeout",
        "--grace-period",
        min=0,
        help="Seconds open requests and running jobs get on shutdown "
        "[env RAYPX_SHUTDOWN_TIMEOUT, default 30].",
    ),
) -> None:
    """Run the HTTP API (and, with the embedded database, an in-process worker)."""
    import uvicorn

    options: dict[str, object] = {
        "host": host,
        "port": port,
        "migrate_on_start": migrate_on_start,
        "serve_workers": workers,
        "shutdown_timeout": shutdown_timeout,
    }
    overrides = {name: value for name, value in options.items() if value is not None}
    settings = load_settings(**overrides)
    configure_logging(settings.log_level, json_lines=settings.log_json)
    settings.secret_value()  # create the secret now, before several workers race for it
    url = resolve_database_url(settings)
    if settings.migrate_on_start:
        migrate.upgrade(url)
    else:
        with migrate.sync_connection(url) as conn:
            migrate.require_head(conn)
    where = "embedded PostgreSQL" if settings.uses_embedded_database else "DATABASE_URL"
    log.info(
        "serving on http://%s:%s (database: %s, %d process%s)",
        settings.host,
        settings.port,
        where,
        settings.serve_workers,
        "" if settings.serve_workers == 1 else "es",
    )
    if not settings.base_url_configured:
        # Sign-in checks the browser's Origin against this; say so before it refuses anyone.
        log.warning(
            "RAYPX_BASE_URL is not set: using %s (and this port on localhost); set it to the "
            "address browsers use, or sign-ins from elsewhere are refused as 'Invalid origin'",
            settings.base_url,
        )
    common = {
        "host": settings.host,
        "port": settings.port,
        "log_config": None,
        "proxy_headers": False,
        "timeout_graceful_shutdown": max(1, round(settings.shutdown_timeout)),
    }
    if settings.serve_workers == 1:
        # uvicorn re-raises SIGTERM after its graceful shutdown; exiting through SystemExit
        # instead runs atexit hooks, which detach from (and, if last, stop) the embedded DB.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        from raypx.api.app import create_app

        uvicorn.run(create_app(settings, url), **common)  # type: ignore[arg-type]
        return
    if settings.redis_url is None:
        log.warning(
            "%d processes without REDIS_URL: each counts rate limits on its own, so a client "
            "gets up to %d times the limit; set REDIS_URL to share them",
            settings.serve_workers,
            settings.serve_workers,
        )
    _pass_to_children(overrides, settings.home)
    uvicorn.run(
        "raypx.cli.serve:app_from_environment",
        factory=True,
        workers=settings.serve_workers,
        **common,  # type: ignore[arg-type]
    )


def _pass_to_children(overrides: dict[str, object], home: Path) -> None:
    """Children read Settings from the environment: put the command-line options there, and
    give them one shared folder for Prometheus' per-process metric files."""
    for name, value in overrides.items():
        text = str(value).lower() if isinstance(value, bool) else str(value)
        os.environ[f"RAYPX_{name.upper()}"] = text
    if not os.environ.get(MULTIPROC_ENV):
        folder = metrics_folder(home)
        os.environ[MULTIPROC_ENV] = str(folder)
        atexit.register(shutil.rmtree, folder, ignore_errors=True)


def metrics_folder(home: Path) -> Path:
    """RAYPX_HOME/metrics/<pid>, after removing the folders of servers that were killed."""
    root = home / "metrics"
    root.mkdir(parents=True, exist_ok=True)
    for old in root.iterdir():
        if old.name.isdigit() and not is_alive(int(old.name)):
            shutil.rmtree(old, ignore_errors=True)
    folder = root / str(os.getpid())
    shutil.rmtree(folder, ignore_errors=True)  # a dead server's, whose pid came round again
    folder.mkdir()
    return folder


def is_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def exit_with_parent() -> None:
    """A child that outlived a killed parent (OOM killer, SIGKILL) would go on serving the
    port unsupervised and holding database connections: have the kernel send it SIGTERM."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    pr_set_pdeathsig = 1
    ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)
    if os.getppid() == 1:  # the parent died before the call above
        os.kill(os.getpid(), signal.SIGTERM)


def app_from_environment() -> FastAPI:
    """The app of one `--workers` child process (uvicorn calls this in each)."""
    from raypx.api.app import create_app

    exit_with_parent()
    settings = load_settings()
    configure_logging(settings.log_level, json_lines=settings.log_json)
    return create_app(settings, resolve_database_url(settings))
