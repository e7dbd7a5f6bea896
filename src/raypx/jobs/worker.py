"""The worker: claims due jobs in batches, runs their handlers, records outcomes, stops gently.

Per process: one connection claims, one writes outcomes (batched, see completer.py), one
listens, and a thread on its own connection keeps leases (see heartbeat.py). Handlers get
sessions from an ordinary SQLAlchemy engine, like the API's.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
import uuid
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, NamedTuple

import psycopg
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine

from raypx.db.embedded import libpq_conninfo
from raypx.db.engine import SessionFactory, create_engine, create_session_factory
from raypx.jobs import registry as registry_module
from raypx.jobs.completer import AsyncConn, Completer, Outcome
from raypx.jobs.heartbeat import Holding, Holdings, LeaseKeeper
from raypx.jobs.listener import Listener
from raypx.jobs.metrics import WorkerStats
from raypx.jobs.periodic import PeriodicScheduler
from raypx.jobs.registry import Cancellation, JobCancelled, JobContext, Task, TaskRegistry
from raypx.jobs.retries import describe_error, retry_delay
from raypx.jobs.statements import psycopg_query
from raypx.settings import Settings
from raypx.telemetry.job_metrics import JobMetrics

log = logging.getLogger("raypx.worker")
# After the grace period, cancelled async handlers get this long to unwind (roll back, close).
UNWIND_SECONDS = 5.0


class ClaimedJob(NamedTuple):
    id: uuid.UUID
    type: str
    payload: dict[str, Any]
    attempt: int
    waited_seconds: float


class Worker:
    def __init__(
        self,
        settings: Settings,
        database_url: URL,
        *,
        registry: TaskRegistry | None = None,
        concurrency: int | None = None,
        types: Iterable[str] | None = None,
        grace_seconds: float = 30.0,
        session_factory: SessionFactory | None = None,
    ) -> None:
        self.settings = settings
        self.database_url = database_url
        self.registry = registry or registry_module.registry
        self.concurrency = concurrency or settings.worker_concurrency
        self.types = frozenset(types) if types else None
        self.grace_seconds = grace_seconds
        self.stats = WorkerStats()
        self.metrics = JobMetrics()  # Prometheus figures by type (stats above: this worker's)
        self.ready = asyncio.Event()  # set once LISTEN is active: jobs enqueued now wake us
        self.abandoned_threads = False  # sync handlers still running after shutdown
        self._conninfo = libpq_conninfo(database_url)
        self._session_factory = session_factory
        self._running: dict[uuid.UUID, asyncio.Task[None]] = {}
        self._holdings = Holdings()
        self._wakeup = asyncio.Event()
        self._capacity = asyncio.Event()
        self._stopping = False
        # Claim at most half the capacity at once, so the next claim is already on its way
        # while the previous batch runs: the round trip overlaps with handler work.
        self._batch_size = max(1, self.concurrency // 2)

    def request_stop(self) -> None:
        """Stop claiming; `run` then lets running jobs finish within the grace period."""
        self._stopping = True
        self._wakeup.set()
        self._capacity.set()

    def wake(self) -> None:
        self._wakeup.set()

    async def run(self) -> None:
        self._loop = asyncio.get_running_loop()
        engine: AsyncEngine | None = None
        if self._session_factory is None:
            engine = create_engine(self.database_url, self.settings)
            self._session_factory = create_session_factory(engine)
        self._threads = ThreadPoolExecutor(self.concurrency, thread_name_prefix="raypx-job")
        self._completer = Completer(self._connect, self._on_written)
        listener = Listener(self._connect, self.types, self.wake, self._on_cancel_notice)
        periodic = [t for t in self.registry.periodic() if self._handles(t.name)]
        scheduler = PeriodicScheduler(self._connect, periodic, self.wake)
        keeper = LeaseKeeper(
            self._conninfo,
            self._holdings,
            self.registry,
            self.settings.job_lease_seconds,
            on_lost=self._signal_cancel_threadsafe,
            on_rescued=self._wake_threadsafe,
        )
        background = [
            asyncio.create_task(self._completer.run()),
            asyncio.create_task(listener.run()),
            asyncio.create_task(scheduler.run()),
        ]
        keeper.start()
        listener_ready = asyncio.create_task(listener.ready.wait())
        listener_ready.add_done_callback(lambda _: self.ready.set())
        try:
            await self._claim_loop()
            await self._finish_running()
        finally:
            listener_ready.cancel()
            keeper.stop()
            for task in background:
                task.cancel()
            await asyncio.gather(*background, return_exceptions=True)
            await self._completer.close()
            await asyncio.to_thread(keeper.join, 5.0)
            self.abandoned_threads = any(not t.done() for t in self._running.values())
            self._threads.shutdown(wait=False, cancel_futures=True)
            if engine is not None:
                await engine.dispose()

    def _signal_cancel_threadsafe(self, job_ids: list[uuid.UUID]) -> None:
        self._loop.call_soon_threadsafe(self._signal_cancel, job_ids)

    def _wake_threadsafe(self) -> None:
        self._loop.call_soon_threadsafe(self.wake)

    def _handles(self, job_type: str) -> bool:
        return self.types is None or job_type in self.types

    async def _connect(self) -> AsyncConn:
        return await psycopg.AsyncConnection.connect(
            self._conninfo, autocommit=True, application_name="raypx-worker"
        )

    async def _connect_claimer(self) -> AsyncConn:
        conn = await self._connect()
        # A claim only marks rows running. Should a database crash lose it, its jobs are queued
        # again and run again, as after a worker crash (at-least-once either way), so the claim
        # need not wait for its WAL flush: one disk flush less between enqueue and start.
        # Outcomes stay durable (the completer's connection keeps the server's setting).
        await conn.execute("SET synchronous_commit = off")
        return conn

    async def _claim_loop(self) -> None:
        conn: AsyncConn | None = None
        pause = 0.1
        try:
            while not self._stopping:
                free = self.concurrency - len(self._running)
                if free <= 0:
                    self._capacity.clear()
                    await self._capacity.wait()
                    continue
                self._wakeup.clear()  # before claiming: a NOTIFY during the claim is kept
                try:
                    if conn is None or conn.closed:
                        conn = await self._connect_claimer()
                    jobs = await self._claim(conn, min(free, self._batch_size))
                except psycopg.Error as exc:
                    log.warning("claiming jobs failed, retrying in %.1f s: %s", pause, exc)
                    conn = None
                    await self._idle(pause)
                    pause = min(pause * 2, 5.0)
                    continue
                pause = 0.1
                if self._stopping:  # asked to stop while this claim was in flight
                    await self._release(conn, {job.id: job.attempt for job in jobs})
                    break
                for job in jobs:
                    self._start(job)
                if len(jobs) < min(free, self._batch_size):
                    await self._idle(self.settings.job_poll_interval)
        finally:
            if conn is not None:
                await conn.close()

    async def _idle(self, seconds: float) -> None:
        """Until a NOTIFY, a stop request or `seconds` (the polling fallback)."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wakeup.wait(), seconds)

    async def _claim(self, conn: AsyncConn, limit: int) -> list[ClaimedJob]:
        cursor = await conn.execute(
            psycopg_query("claim"),
            {"limit": limit, "types": sorted(self.types) if self.types else None},
        )
        jobs = [
            ClaimedJob(job_id, job_type, {} if raw == "{}" else json.loads(raw), attempt, waited)
            for job_id, job_type, raw, attempt, waited in await cursor.fetchall()
        ]
        self.stats.claimed += len(jobs)
        self.stats.start_delays.extend(job.waited_seconds for job in jobs)
        for job in jobs:
            self.metrics.claimed(job.type, job.waited_seconds)
        return jobs

    def _start(self, job: ClaimedJob) -> None:
        task = self.registry.get(job.type)
        holding = Holding(job.attempt, Cancellation(), task is not None and task.is_async)
        self._holdings.add(job.id, holding)
        if task is None:
            # No retries: another attempt would meet the same worker code.
            message = (
                f"UnknownJobType: no task {job.type!r} is registered in this worker "
                "(load its module with `raypx worker --import MODULE`)"
            )
            self._completer.add(Outcome(job.id, job.attempt, "failed", error_message=message))
            return
        self._running[job.id] = asyncio.create_task(self._execute(job, task, holding))

    async def _execute(self, job: ClaimedJob, task: Task, holding: Holding) -> None:
        assert self._session_factory is not None
        context = JobContext(
            job.id,
            job.type,
            job.attempt,
            self._session_factory,
            self.settings,
            holding.cancellation,
        )
        started = time.perf_counter()
        try:
            if task.is_async:
                result = await task.handler(job.payload, context)
            else:
                result = await self._loop.run_in_executor(
                    self._threads, task.handler, job.payload, context
                )
            result_json = "null" if result is None else json.dumps(result)
            self._completer.add(Outcome(job.id, job.attempt, "succeeded", result_json))
            self.metrics.finished(job.type, "succeeded", time.perf_counter() - started)
        except (asyncio.CancelledError, JobCancelled, Exception) as exc:
            if holding.cancellation.is_set() or isinstance(exc, asyncio.CancelledError):
                # Cancelled, lease lost, or shutting down: the row is no longer ours to write.
                self._holdings.remove([job.id])
                if not holding.cancellation.is_set():
                    raise  # a cancellation we did not ask for
                return
            failure = self._failure(job, task, exc)
            self._completer.add(failure)
            retried = failure.status == "queued"
            seconds = time.perf_counter() - started
            self.metrics.finished(job.type, "retried" if retried else "failed", seconds)
        finally:
            # Here rather than a done-callback: one less event-loop callback per job.
            self._running.pop(job.id, None)
            self._capacity.set()

    def _failure(self, job: ClaimedJob, task: Task, exc: BaseException) -> Outcome:
        message = describe_error(exc)
        if job.attempt < task.max_attempts:
            delay = retry_delay(job.attempt, task.backoff_seconds)
            log.warning(
                "job %s (%s) attempt %d/%d failed, retrying in %.1f s: %s",
                job.id,
                job.type,
                job.attempt,
                task.max_attempts,
                delay,
                message,
            )
            self._loop.call_later(delay, self.wake)  # no NOTIFY will announce a retry
            return Outcome(job.id, job.attempt, "queued", error_message=message, retry_in=delay)
        log.error(
            "job %s (%s) failed after %d attempts: %s",
            job.id,
            job.type,
            job.attempt,
            message,
            exc_info=exc,
        )
        return Outcome(job.id, job.attempt, "failed", error_message=message)

    def _on_written(self, outcomes: Sequence[Outcome]) -> None:
        self._holdings.remove([o.job_id for o in outcomes])
        for outcome in outcomes:
            if outcome.status == "succeeded":
                self.stats.succeeded += 1
            elif outcome.status == "queued":
                self.stats.retried += 1
            else:
                self.stats.failed += 1

    def _on_cancel_notice(self, job_id: uuid.UUID) -> None:
        if self._holdings.get(job_id) is not None:
            self._signal_cancel([job_id])

    def _signal_cancel(self, job_ids: list[uuid.UUID]) -> None:
        """Tell handlers to stop: the event for every handler, task cancellation for async ones
        (a thread cannot be interrupted, so sync handlers must check `context.cancelled`)."""
        for job_id in job_ids:
            holding = self._holdings.get(job_id)
            if holding is None or holding.cancellation.is_set():
                continue
            holding.cancellation.set()
            self.stats.lost += 1
            running = self._running.get(job_id)
            if running is not None and holding.is_async:
                running.cancel()

    async def _finish_running(self) -> None:
        """Graceful stop: wait out the grace period, then put back what is still running."""
        if self._running:
            log.info(
                "stopping: waiting up to %.0f s for %d running jobs",
                self.grace_seconds,
                len(self._running),
            )
            await asyncio.wait(list(self._running.values()), timeout=self.grace_seconds)
        unfinished = {
            job_id: holding
            for job_id, holding in self._holdings.snapshot().items()
            if job_id in self._running
        }
        if unfinished:
            self._signal_cancel(list(unfinished))
            await asyncio.wait(list(self._running.values()), timeout=UNWIND_SECONDS)
        await self._completer.drain()
        if unfinished:
            async with await self._connect() as conn:
                await self._release(conn, {i: h.attempt for i, h in unfinished.items()})

    async def _release(self, conn: AsyncConn, attempts: dict[uuid.UUID, int]) -> None:
        """Put jobs back as if never claimed (shutdown is not the job's failure)."""
        if not attempts:
            return
        ids = list(attempts)
        cursor = await conn.execute(
            psycopg_query("release"), {"ids": ids, "attempts": [attempts[i] for i in ids]}
        )
        log.warning("stopping: put back %d unfinished jobs", len(await cursor.fetchall()))
