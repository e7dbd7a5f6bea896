"""Job handlers of the AI capability."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from raypx.ai import service
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


@task("ai.fail_orphaned_runs", schedule="every 5m", max_attempts=3)
async def fail_orphaned_runs(payload: dict[str, Any], ctx: JobContext) -> dict[str, int]:
    async with transaction(ctx.session_factory) as session:
        failed = await service.fail_orphaned_runs(session, datetime.now(UTC))
    return {"failed": failed}
