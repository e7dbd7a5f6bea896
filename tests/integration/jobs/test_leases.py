"""Leases: heartbeats keep running jobs, stale ones are rescued, completion checks ownership,
and a graceful stop puts back what it cannot finish. Periodic ticks are enqueued once."""

from __future__ import annotations

import asyncio
import threading
import uuid
from datetime import UTC, datetime
from typing import Any

import psycopg
from sqlalchemy import text
from sqlalchemy.engine import URL

from raypx.db.embedded import libpq_conninfo
from raypx.db.engine import SessionFactory
from raypx.jobs.periodic import PeriodicScheduler
from raypx.jobs.registry import JobContext, TaskRegistry
from raypx.jobs.schedules import Every
from raypx.settings import Settings
from tests.integration.jobs.conditions import wait_until
from tests.integration.jobs.conftest import RunWorker, add_job, read_job, wait_for_status


async def insert_stale_running_job(factory: SessionFactory, type: str, attempts: int) -> uuid.UUID:
    """A job a dead worker was running: its heartbeat stopped a minute ago."""
    job_id = uuid.uuid4()
    async with factory() as session, session.begin():
        await session.execute(
            text(
                "INSERT INTO job (id, type, status, attempts, updated_at) "
                "VALUES (:id, :type, 'running', :attempts, now() - interval '1 minute')"
            ),
            {"id": job_id, "type": type, "attempts": attempts},
        )
    return job_id


async def test_a_job_whose_worker_died_is_rescued_and_retried(
    registry: TaskRegistry, run_worker: RunWorker, factory: SessionFactory
) -> None:
    async def work(payload: dict[str, Any], context: JobContext) -> int:
        return context.attempt

    registry.register("t.orphan", work, max_attempts=5)
    job_id = await insert_stale_running_job(factory, "t.orphan", attempts=1)
    async with run_worker():
        job = await wait_for_status(factory, job_id, "succeeded")
    assert (job.attempts, job.result) == (2, 2)  # the lost run counted as an attempt


async def test_a_rescued_job_without_attempts_left_fails(
    registry: TaskRegistry, run_worker: RunWorker, factory: SessionFactory
) -> None:
    async def work(payload: dict[str, Any], context: JobContext) -> None:
        raise AssertionError("must not run again")

    registry.register("t.poison", work, max_attempts=2)
    job_id = await insert_stale_running_job(factory, "t.poison", attempts=2)
    async with run_worker():
        job = await wait_for_status(factory, job_id)
    assert (job.status, job.attempts) == ("failed", 2)
    assert (job.error_message or "").startswith("WorkerLost:")


async def test_heartbeat_keeps_a_cpu_bound_job_alive_past_the_lease(
    registry: TaskRegistry, run_worker: RunWorker, factory: SessionFactory, settings: Settings
) -> None:
    release = threading.Event()

    def spin(payload: dict[str, Any], context: JobContext) -> str:
        while not release.is_set():  # pure-Python busy loop holding the GIL
            sum(range(1000))
        return "done"

    registry.register("t.spin", spin)
    async with run_worker():
        job_id = await add_job(factory, "t.spin")
        claimed = await wait_for_status(factory, job_id, "running")
        lease = settings.job_lease_seconds

        async def heartbeat_age_after_two_leases() -> tuple[str, float, float]:
            row = await read_job(factory, job_id)
            async with factory() as session:
                now = await session.scalar(text("SELECT clock_timestamp()"))
            assert now is not None
            return (
                row.status,
                (now - claimed.updated_at).total_seconds(),
                (now - row.updated_at).total_seconds(),
            )

        status, _running_for, heartbeat_age = await wait_until(
            heartbeat_age_after_two_leases,
            lambda r: r[1] > 2 * lease,
            within=10,
            what="the job to run for two leases",
        )
        assert status == "running"
        assert heartbeat_age < lease  # fresh heartbeat despite the busy handler
        release.set()
        job = await wait_for_status(factory, job_id)
    assert (job.status, job.attempts, job.result) == ("succeeded", 1, "done")


async def test_completion_is_refused_once_the_job_was_taken_back(
    registry: TaskRegistry, run_worker: RunWorker, factory: SessionFactory
) -> None:
    started, finished = asyncio.Event(), asyncio.Event()
    proceed = asyncio.Event()

    async def slow(payload: dict[str, Any], context: JobContext) -> str:
        started.set()
        try:
            await proceed.wait()
        finally:
            finished.set()
        return "stale result"

    registry.register("t.slow", slow)
    async with run_worker():
        job_id = await add_job(factory, "t.slow")
        await asyncio.wait_for(started.wait(), 10)
        # Another worker rescued and re-claimed it meanwhile: attempt 2 is running elsewhere.
        async with factory() as session, session.begin():
            await session.execute(
                text("UPDATE job SET attempts = 2 WHERE id = :id"), {"id": job_id}
            )
        # The heartbeat notices the job is no longer ours and stops the handler.
        await asyncio.wait_for(finished.wait(), 10)

        # A queued marker proves the worker has moved on and flushed its outcomes.
        async def noop(payload: dict[str, Any], context: JobContext) -> None:
            return None

        registry.register("t.noop", noop)
        await wait_for_status(factory, await add_job(factory, "t.noop"), "succeeded")
    job = await read_job(factory, job_id)
    assert (job.status, job.attempts, job.result) == ("running", 2, None)


async def test_graceful_stop_finishes_short_jobs_and_puts_back_long_ones(
    registry: TaskRegistry, run_worker: RunWorker, factory: SessionFactory
) -> None:
    short_started, long_started = asyncio.Event(), asyncio.Event()
    let_short_finish = asyncio.Event()

    async def short(payload: dict[str, Any], context: JobContext) -> str:
        short_started.set()
        await let_short_finish.wait()
        return "finished during shutdown"

    async def endless(payload: dict[str, Any], context: JobContext) -> None:
        long_started.set()
        await asyncio.Event().wait()

    registry.register("t.short", short)
    registry.register("t.endless", endless)
    async with run_worker(grace_seconds=1.0) as worker:
        short_id = await add_job(factory, "t.short")
        long_id = await add_job(factory, "t.endless")
        await asyncio.wait_for(asyncio.gather(short_started.wait(), long_started.wait()), 10)
        worker.request_stop()
        late_id = await add_job(factory, "t.short")  # enqueued after the stop: not claimed
        let_short_finish.set()
    short_job, long_job, late_job = [
        await read_job(factory, i) for i in (short_id, long_id, late_id)
    ]
    assert (short_job.status, short_job.result) == ("succeeded", "finished during shutdown")
    assert (long_job.status, long_job.attempts) == ("queued", 0)  # put back, attempt not spent
    assert (late_job.status, late_job.attempts) == ("queued", 0)


async def test_each_periodic_tick_is_enqueued_once_by_any_number_of_schedulers(
    registry: TaskRegistry, database_url: URL, factory: SessionFactory
) -> None:
    async def tick(payload: dict[str, Any], context: JobContext) -> None:
        return None

    task = registry.register("t.tick", tick, schedule=Every(seconds=10))
    conninfo = libpq_conninfo(database_url)

    async def connect() -> psycopg.AsyncConnection[Any]:
        return await psycopg.AsyncConnection.connect(conninfo, autocommit=True)

    schedulers = [PeriodicScheduler(connect, [task], lambda: None) for _ in range(3)]
    moments = [datetime(2030, 1, 1, 0, 0, s, tzinfo=UTC) for s in (1, 5, 9, 12, 19, 21)]
    async with await connect() as conn:
        inserted = [await s.enqueue_due(conn, m) for m in moments for s in schedulers]
    assert sum(inserted) == 3  # ticks 00:00:00, 00:00:10, 00:00:20
    async with factory() as session:
        rows = (
            await session.execute(
                text("SELECT scheduled_at, payload FROM job WHERE type = 't.tick' ORDER BY 1")
            )
        ).all()
    assert [r.scheduled_at.second for r in rows] == [0, 10, 20]
    assert rows[0].payload == {"tick": "2030-01-01T00:00:00+00:00"}
