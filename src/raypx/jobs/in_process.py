"""A worker inside `raypx serve`, for single-machine setups (on by default with the embedded
database, where a separate `raypx worker` would be one more thing to run)."""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy.engine import URL

from raypx.db.engine import SessionFactory
from raypx.jobs.registry import load_task_modules
from raypx.jobs.worker import Worker
from raypx.settings import Settings

log = logging.getLogger("raypx.worker")


def wants_in_process_worker(settings: Settings) -> bool:
    if settings.worker_in_process is None:
        return settings.uses_embedded_database
    return settings.worker_in_process


class InProcessWorker:
    def __init__(self, worker: Worker, task: asyncio.Task[None]) -> None:
        self.worker = worker
        self._task = task

    async def stop(self) -> None:
        self.worker.request_stop()
        await self._task


async def start_in_process_worker(
    settings: Settings, url: URL, session_factory: SessionFactory
) -> InProcessWorker | None:
    """Start a worker on the running event loop when the settings ask for one."""
    if not wants_in_process_worker(settings):
        return None
    load_task_modules()
    # On shutdown, jobs still running after the grace period are put back for another worker.
    grace = settings.shutdown_timeout
    worker = Worker(settings, url, grace_seconds=grace, session_factory=session_factory)
    task = asyncio.create_task(worker.run(), name="raypx-in-process-worker")
    log.info("in-process worker started (concurrency %d)", worker.concurrency)
    return InProcessWorker(worker, task)
