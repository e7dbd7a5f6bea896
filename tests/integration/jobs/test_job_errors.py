"""A job that fails on user data records and logs why, without the data itself."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from raypx.db.engine import SessionFactory
from raypx.jobs.registry import JobContext, TaskRegistry
from tests.integration.jobs.conftest import RunWorker, add_job, wait_for_status
from tests.integration.log_capture import capturing_logs

SECRET = "sk-live-93be1f0c77"


async def test_a_failed_query_leaves_no_values_in_the_job_or_the_log(
    registry: TaskRegistry, run_worker: RunWorker, factory: SessionFactory
) -> None:
    async def store(payload: dict[str, Any], context: JobContext) -> None:
        async with context.session_factory() as session:
            await session.execute(text("SELECT CAST(:v AS integer)"), {"v": payload["text"]})

    registry.register("t.store", store, max_attempts=2, backoff_seconds=0.01)
    with capturing_logs() as log:
        job_id = await add_job(factory, "t.store", {"text": SECRET})
        async with run_worker():
            job = await wait_for_status(factory, job_id)
    assert job.status == "failed"
    assert job.error_message is not None and SECRET not in job.error_message
    assert "SQLSTATE 22P02" in job.error_message  # still says what went wrong
    assert "attempt 1/2 failed" in log.getvalue() and "failed after 2 attempts" in log.getvalue()
    assert SECRET not in log.getvalue()
