"""Job handlers of the AI capability."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from raypx.ai import orphans
from raypx.ai.run_execution import execute_run
from raypx.ai.runtime import runtime_for
from raypx.ai.service import RUN_JOB
from raypx.db.engine import transaction
from raypx.jobs.registry import JobContext, task

RUN_MAX_ATTEMPTS = 3


@task(RUN_JOB, max_attempts=RUN_MAX_ATTEMPTS, backoff_seconds=2.0)
async def run_ai(payload: dict[str, Any], ctx: JobContext) -> dict[str, Any]:
    return await execute_run(
        ctx.session_factory,
        runtime_for(ctx.settings),
        uuid.UUID(payload["run_id"]),
        dict(payload.get("options") or {}),
        cancelled=lambda: ctx.cancelled,
        may_retry=ctx.attempt < RUN_MAX_ATTEMPTS,
    )


# Every 30 s: with the lease (30 s by default) that puts a stranded run in a final state within
# the lease and a minute of its last sign of life.
@task("ai.fail_orphaned_runs", schedule="every 30s", max_attempts=3)
async def fail_orphaned_runs(payload: dict[str, Any], ctx: JobContext) -> dict[str, int]:
    lease = timedelta(seconds=ctx.settings.job_lease_seconds)
    registry = runtime_for(ctx.settings).registry
    async with transaction(ctx.session_factory) as session:
        failed = await orphans.fail_orphaned_runs(session, registry, datetime.now(UTC), lease)
    return {"failed": failed}
