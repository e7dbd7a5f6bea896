"""Tasks the worker processes in test_worker_processes.py load with `--import`.

Each run is written to the `execution` table (created by the test) with start and end times
from the database clock, so the test can prove runs never overlapped.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

from sqlalchemy import text

from raypx.jobs.registry import JobContext, task
from raypx.jobs.schedules import Every


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


if os.environ.get("RAYPX_E2E_PERIODIC"):

    @task("e2e.tick", schedule=Every(seconds=1))
    async def tick(payload: dict[str, Any], context: JobContext) -> str:
        await record(
            context,
            "INSERT INTO execution (job_id, attempt, pid, started_at) "
            "VALUES (:job_id, :attempt, :pid, clock_timestamp())",
        )
        return str(payload["tick"])
