"""An in-process worker against real PostgreSQL: results, failures, retries, scheduling,
cancellation, unknown types, plain-SQL inserts, leases and graceful shutdown."""

from __future__ import annotations

import asyncio
import itertools
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import text

from raypx.db.engine import SessionFactory
from raypx.jobs import queue
from raypx.jobs.registry import JobContext, TaskRegistry
from tests.integration.jobs.conftest import (
    RunWorker,
    add_job,
    db_now,
    read_job,
    wait_for_status,
)


async def test_handler_result_is_stored(
    registry: TaskRegistry, run_worker: RunWorker, factory: SessionFactory
) -> None:
    seen: list[tuple[uuid.UUID, int]] = []

    async def double(payload: dict[str, Any], context: JobContext) -> dict[str, int]:
        seen.append((context.job_id, context.attempt))
        async with context.session_factory() as session:  # handlers get a working session
            one = await session.scalar(text("SELECT 1"))
        return {"n": payload["n"] * 2 * one}

    registry.register("math.double", double)
    async with run_worker():
        job_id = await add_job(factory, "math.double", {"n": 21})
        job = await wait_for_status(factory, job_id)
    assert (job.status, job.result, job.attempts, job.error_message) == (
        "succeeded",
        {"n": 42},
        1,
        None,
    )
    assert seen == [(job_id, 1)]


async def test_sync_handlers_run_in_a_thread(
    registry: TaskRegistry, run_worker: RunWorker, factory: SessionFactory
) -> None:
    def where(payload: dict[str, Any], context: JobContext) -> str:
        return threading.current_thread().name

    registry.register("sync.where", where)
    async with run_worker():
        job = await wait_for_status(factory, await add_job(factory, "sync.where"))
    assert job.status == "succeeded"
    assert job.result != threading.current_thread().name
    assert str(job.result).startswith("raypx-job")


async def test_failures_retry_with_backoff_then_fail(
    registry: TaskRegistry, run_worker: RunWorker, factory: SessionFactory
) -> None:
    starts: list[float] = []

    async def flaky(payload: dict[str, Any], context: JobContext) -> None:
        starts.append(time.monotonic())
        raise ValueError(f"boom on attempt {context.attempt}")

    registry.register("t.flaky", flaky, max_attempts=3, backoff_seconds=0.2)
    async with run_worker():
        job = await wait_for_status(factory, await add_job(factory, "t.flaky"), "failed")
    assert job.attempts == 3
    assert job.error_message == "ValueError: boom on attempt 3"
    assert len(starts) == 3
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    # Backoff doubles (0.2 s, then 0.4 s) with ±20% jitter.
    assert gaps[0] >= 0.2 * 0.8 and gaps[1] >= 0.4 * 0.8


async def test_a_retry_can_succeed(
    registry: TaskRegistry, run_worker: RunWorker, factory: SessionFactory
) -> None:
    async def second_time_lucky(payload: dict[str, Any], context: JobContext) -> str:
        if context.attempt < 2:
            raise ConnectionError("provider timeout")
        return "done"

    registry.register("t.lucky", second_time_lucky, backoff_seconds=0.05)
    async with run_worker():
        job = await wait_for_status(factory, await add_job(factory, "t.lucky"), "succeeded")
    assert (job.attempts, job.result) == (2, "done")


async def test_error_messages_do_not_leak_secrets(
    registry: TaskRegistry, run_worker: RunWorker, factory: SessionFactory
) -> None:
    async def leaky(payload: dict[str, Any], context: JobContext) -> None:
        raise RuntimeError("cannot reach postgresql://app:hunter2@db/raypx with api_key=sk-123")

    registry.register("t.leaky", leaky, max_attempts=1)
    async with run_worker():
        job = await wait_for_status(factory, await add_job(factory, "t.leaky"), "failed")
    assert job.error_message is not None
    assert job.error_message.startswith("RuntimeError: cannot reach postgresql://app:***@db")
    assert "hunter2" not in job.error_message and "sk-123" not in job.error_message


async def test_unknown_types_fail_at_once_without_retries(
    run_worker: RunWorker, factory: SessionFactory
) -> None:
    async with run_worker():
        job = await wait_for_status(factory, await add_job(factory, "nobody.handles.this"))
    assert (job.status, job.attempts) == ("failed", 1)
    assert job.error_message is not None
    assert "UnknownJobType" in job.error_message and "nobody.handles.this" in job.error_message


async def test_non_json_results_fail_the_attempt(
    registry: TaskRegistry, run_worker: RunWorker, factory: SessionFactory
) -> None:
    async def returns_a_set(payload: dict[str, Any], context: JobContext) -> set[int]:
        return {1}

    registry.register("t.set", returns_a_set, max_attempts=1)
    async with run_worker():
        job = await wait_for_status(factory, await add_job(factory, "t.set"))
    assert job.status == "failed"
    assert (job.error_message or "").startswith("TypeError:")


async def test_scheduled_jobs_wait_for_their_time(
    registry: TaskRegistry, run_worker: RunWorker, factory: SessionFactory
) -> None:
    started_at: list[datetime] = []

    async def stamp(payload: dict[str, Any], context: JobContext) -> None:
        started_at.append(datetime.now(UTC))

    registry.register("t.later", stamp)
    async with run_worker():
        now = await db_now(factory)
        later = now + timedelta(seconds=1)
        job_id = await add_job(factory, "t.later", scheduled_at=later)
        marker = await add_job(factory, "t.later")  # a due job, to show the worker is busy
        await wait_for_status(factory, marker, "succeeded")
        assert (await read_job(factory, job_id)).status == "queued"
        await wait_for_status(factory, job_id, "succeeded")
    assert len(started_at) == 2
    assert started_at[1] >= later


async def test_jobs_inserted_by_plain_sql_are_picked_up(
    registry: TaskRegistry, run_worker: RunWorker, factory: SessionFactory
) -> None:
    async def echo(payload: dict[str, Any], context: JobContext) -> dict[str, Any]:
        return payload

    registry.register("t.echo", echo)
    async with run_worker():
        job_id = uuid.uuid4()
        async with factory() as session, session.begin():  # no NOTIFY: found by polling
            await session.execute(
                text("INSERT INTO job (id, type, payload) VALUES (:id, 't.echo', '{\"a\": 1}')"),
                {"id": job_id},
            )
        job = await wait_for_status(factory, job_id, within=5)
    assert (job.status, job.result) == ("succeeded", {"a": 1})


async def test_cancel_a_running_async_job(
    registry: TaskRegistry, run_worker: RunWorker, factory: SessionFactory
) -> None:
    started, unwound = asyncio.Event(), asyncio.Event()

    async def forever(payload: dict[str, Any], context: JobContext) -> None:
        started.set()
        try:
            await asyncio.Event().wait()
        finally:
            unwound.set()

    async def quick(payload: dict[str, Any], context: JobContext) -> str:
        return "ok"

    registry.register("t.forever", forever)
    registry.register("t.quick", quick)
    async with run_worker(concurrency=1):
        job_id = await add_job(factory, "t.forever")
        await asyncio.wait_for(started.wait(), 10)
        async with factory() as session, session.begin():
            assert (await queue.cancel(session, job_id)).status == "cancelled"
        await asyncio.wait_for(unwound.wait(), 10)
        # The slot is free again: the only slot (concurrency 1) runs the next job.
        quick_job = await wait_for_status(factory, await add_job(factory, "t.quick"))
    assert quick_job.status == "succeeded"
    job = await read_job(factory, job_id)
    assert (job.status, job.result) == ("cancelled", None)


async def test_cancel_a_running_sync_job_cooperatively(
    registry: TaskRegistry, run_worker: RunWorker, factory: SessionFactory
) -> None:
    started, stopped = threading.Event(), threading.Event()

    def polite(payload: dict[str, Any], context: JobContext) -> str:
        started.set()
        while not context.cancelled:
            stopped.wait(0.01)  # a slice of work, then check the signal again
        stopped.set()
        return "stopped early"

    registry.register("t.polite", polite)
    async with run_worker():
        job_id = await add_job(factory, "t.polite")
        await asyncio.to_thread(started.wait, 10)
        async with factory() as session, session.begin():
            await queue.cancel(session, job_id)
        assert await asyncio.to_thread(stopped.wait, 10)
        job = await wait_for_status(factory, job_id)
    assert (job.status, job.result) == ("cancelled", None)  # its late result is not recorded


async def test_a_result_postgres_refuses_fails_only_its_own_job(
    registry: TaskRegistry, run_worker: RunWorker, factory: SessionFactory
) -> None:
    async def answer(payload: dict[str, Any], context: JobContext) -> str:
        return payload["text"].replace("NUL", "\u0000")

    registry.register("t.answer", answer, max_attempts=1)
    good = await add_job(factory, "t.answer", {"text": "fine"})
    bad = await add_job(factory, "t.answer", {"text": "a NUL byte"})  # jsonb cannot store \u0000
    async with run_worker():  # both are claimed together and their outcomes batched
        good_job = await wait_for_status(factory, good)
        bad_job = await wait_for_status(factory, bad)
    assert (good_job.status, good_job.result) == ("succeeded", "fine")
    assert bad_job.status == "failed"
    assert "\\u0000" in (bad_job.error_message or "")
