"""`raypx worker`: run jobs until SIGTERM/SIGINT (a second signal exits at once)."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys

import typer

from raypx import offload
from raypx.db import migrate
from raypx.db.engine import resolve_database_url
from raypx.errors import ConfigurationError
from raypx.jobs.registry import load_task_modules
from raypx.jobs.worker import Worker
from raypx.logs import configure_logging
from raypx.settings import load_settings

log = logging.getLogger("raypx.worker")


def worker(
    concurrency: int | None = typer.Option(
        None,
        "--concurrency",
        "-c",
        min=1,
        help="Jobs run at once (env RAYPX_WORKER_CONCURRENCY, default 8).",
    ),
    types: str | None = typer.Option(
        None, "--types", help="Only these job types, comma-separated (default: all)."
    ),
    imports: list[str] = typer.Option(
        [], "--import", help="Module registering more tasks; repeatable."
    ),
    grace_period: float = typer.Option(
        30.0, "--grace-period", min=0, help="Seconds running jobs get to finish on shutdown."
    ),
) -> None:
    """Run background jobs. Start as many as you like, on as many machines as you like."""
    settings = load_settings()
    configure_logging(settings.log_level, json_lines=settings.log_json)
    load_task_modules(imports)
    url = resolve_database_url(settings)
    with migrate.sync_connection(url) as conn:
        migrate.require_head(conn)
    type_list = [t.strip() for t in types.split(",") if t.strip()] if types else None
    if types is not None and not type_list:
        raise ConfigurationError("--types names no job type")
    job_worker = Worker(
        settings, url, concurrency=concurrency, types=type_list, grace_seconds=grace_period
    )
    if settings.worker_metrics_port is not None:
        from prometheus_client import start_http_server

        start_http_server(settings.worker_metrics_port, addr=settings.host)
    run_until_signalled(job_worker)


def run_until_signalled(job_worker: Worker) -> None:
    try:
        import uvloop  # installed with uvicorn[standard]; asyncio's own loop otherwise
    except ImportError:
        asyncio.run(_run(job_worker))
    else:
        uvloop.run(_run(job_worker))
    sys.stdout.flush()
    sys.stderr.flush()
    if job_worker.abandoned_threads:
        # A sync handler ignored cancellation; its job was put back. Exit without joining it.
        os._exit(0)


async def _run(job_worker: Worker) -> None:
    loop = asyncio.get_running_loop()
    signals_seen = 0

    def on_signal(signum: int) -> None:
        nonlocal signals_seen
        signals_seen += 1
        if signals_seen == 1:
            log.info(
                "%s: finishing running jobs (signal again to exit now)", signal.Signals(signum).name
            )
            job_worker.request_stop()
        else:
            # Unfinished jobs stay `running` until their lease expires; then any worker retries.
            log.warning("second signal: exiting now")
            os._exit(1)

    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, on_signal, signum)
    log.info(
        "worker started (concurrency %d%s)",
        job_worker.concurrency,
        f", types {sorted(job_worker.types)}" if job_worker.types else "",
    )
    await job_worker.run()
    # Model or extraction work whose jobs were put back must not hold up the exit.
    offload.stop_running()
    log.info("worker stopped")


if __name__ == "__main__":  # `python -m raypx.cli.worker`, as the tests spawn it
    typer.run(worker)
