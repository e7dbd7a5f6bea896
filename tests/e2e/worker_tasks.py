"""Tasks the worker processes in test_worker_processes.py load with `--import`.

Each run is written to the `execution` table (created by the test) with start and end times
from the database clock, so the test can prove runs never overlapped.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

from sqlalchemy import text

from raypx.ai.providers.base import ChatMessage, CompletionRequest
from raypx.ai.providers.mock import MockProvider
from raypx.ai.registry import ModelRegistry
from raypx.jobs.registry import JobContext, task
from raypx.jobs.schedules import Every
from tests.fakes.texts import varied_text


async def record(context: JobContext, sql: str) -> None:
    async with context.session_factory() as session, session.begin():
        await session.execute(
            text(sql), {"job_id": context.job_id, "attempt": context.attempt, "pid": os.getpid()}
        )


@task("e2e.record", max_attempts=10, backoff_seconds=0.1)
async def record_execution(payload: dict[str, Any], context: JobContext) -> dict[str, int]:
    await record(
        context,
        "INSERT INTO execution (job_id, attempt, pid, started_at) "
        "VALUES (:job_id, :attempt, :pid, clock_timestamp())",
    )
    await asyncio.sleep(payload.get("seconds", 0.1))  # the job's work
    await record(
        context,
        "UPDATE execution SET ended_at = clock_timestamp() "
        "WHERE job_id = :job_id AND attempt = :attempt AND pid = :pid",
    )
    return {"attempt": context.attempt}


@task("e2e.until_released")
async def until_released(payload: dict[str, Any], context: JobContext) -> str:
    """Runs until the test inserts a row into `release` (checked like any handler polls work)."""
    await record(
        context,
        "INSERT INTO execution (job_id, attempt, pid, started_at) "
        "VALUES (:job_id, :attempt, :pid, clock_timestamp())",
    )
    while True:
        async with context.session_factory() as session:
            if await session.scalar(text("SELECT count(*) FROM release")):
                return "released"
        await asyncio.sleep(0.05)


@task("e2e.offline_model")
async def offline_model(payload: dict[str, Any], context: JobContext) -> int:
    """CPU-bound work in the offline model: `calls` summaries of a long text (~0.3 s each)."""
    await record(
        context,
        "INSERT INTO execution (job_id, attempt, pid, started_at) "
        "VALUES (:job_id, :attempt, :pid, clock_timestamp())",
    )
    text = varied_text(payload.get("sentences", 2000))
    model = ModelRegistry.from_settings(context.settings).resolve("mock:raypx-1")
    request = CompletionRequest(
        model, [ChatMessage("user", text)], task="summarize", input_text=text
    )
    provider = MockProvider()
    for _ in range(payload["calls"]):
        await provider.complete(request)
    await record(
        context,
        "UPDATE execution SET ended_at = clock_timestamp() "
        "WHERE job_id = :job_id AND attempt = :attempt AND pid = :pid",
    )
    return int(payload["calls"])


if os.environ.get("RAYPX_E2E_PERIODIC"):

    @task("e2e.tick", schedule=Every(seconds=1))
    async def tick(payload: dict[str, Any], context: JobContext) -> str:
        await record(
            context,
            "INSERT INTO execution (job_id, attempt, pid, started_at) "
            "VALUES (:job_id, :attempt, :pid, clock_timestamp())",
        )
        return str(payload["tick"])
