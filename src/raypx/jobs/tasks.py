"""The queue's own periodic maintenance."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from raypx.jobs import queue
from raypx.jobs.registry import JobContext, task


@task("jobs.prune", schedule="every 1h", max_attempts=3)
async def prune_finished_jobs(payload: dict[str, Any], context: JobContext) -> dict[str, int]:
    """Retention: delete finished jobs older than RAYPX_JOB_RETENTION_DAYS (default 7)."""
    older_than = timedelta(days=context.settings.job_retention_days)
    async with context.session_factory() as session, session.begin():
        deleted = await queue.prune(session, older_than)
    return {"deleted": deleted}
