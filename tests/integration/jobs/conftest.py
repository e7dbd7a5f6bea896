"""A database of the test's own, a session factory on it, and in-process workers to run jobs."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from raypx.db.engine import SessionFactory, create_session_factory
from raypx.db.models.jobs import Job
from raypx.jobs import queue
from raypx.jobs.registry import TaskRegistry
from raypx.jobs.worker import Worker
from raypx.settings import Settings
from tests.integration.jobs.conditions import wait_until

FINISHED = ("succeeded", "failed", "cancelled")


@pytest.fixture
async def engine(database_url: URL) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(database_url, pool_size=5)
    yield engine
    await engine.dispose()


@pytest.fixture
def factory(engine: AsyncEngine) -> SessionFactory:
    return create_session_factory(engine)


@pytest.fixture
def registry() -> TaskRegistry:
    return TaskRegistry()


@pytest.fixture
def settings() -> Settings:
    # A short lease and poll so crash and fallback paths run within a test's time budget.
    return Settings(job_lease_seconds=1.5, job_poll_interval=0.2, worker_concurrency=4)


RunWorker = Callable[..., AbstractAsyncContextManager[Worker]]


@pytest.fixture
def run_worker(database_url: URL, registry: TaskRegistry, settings: Settings) -> RunWorker:
    @asynccontextmanager
    async def run(**options: Any) -> AsyncIterator[Worker]:
        worker = Worker(
            options.pop("settings", settings), database_url, registry=registry, **options
        )
        task = asyncio.create_task(worker.run())
        ready = asyncio.create_task(worker.ready.wait())
        await asyncio.wait([task, ready], return_when=asyncio.FIRST_COMPLETED)
        if task.done():
            ready.cancel()
            task.result()  # the worker failed to start: raise its error
        try:
            yield worker
        finally:
            worker.request_stop()
            await asyncio.wait_for(task, 30)

    return run


async def add_job(
    factory: SessionFactory, type: str, payload: dict[str, Any] | None = None, **options: Any
) -> uuid.UUID:
    async with factory() as session, session.begin():
        job = await queue.enqueue(session, type, payload, **options)
    return job.id


async def read_job(factory: SessionFactory, job_id: uuid.UUID) -> Job:
    async with factory() as session:
        return await queue.get_job(session, job_id)


async def wait_for_status(
    factory: SessionFactory, job_id: uuid.UUID, *statuses: str, within: float = 15.0
) -> Job:
    wanted = statuses or FINISHED
    return await wait_until(
        lambda: read_job(factory, job_id),
        lambda job: job.status in wanted,
        within=within,
        what=f"job {job_id} to be {'/'.join(wanted)}",
    )


async def db_now(factory: SessionFactory) -> Any:
    async with factory() as session:
        return await session.scalar(text("SELECT clock_timestamp()"))
