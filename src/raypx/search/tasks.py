"""Job handlers of the search capability."""

from __future__ import annotations

import uuid
from typing import Any

from raypx.ai.runtime import runtime_for
from raypx.jobs.registry import JobContext, task
from raypx.search.embedding import EMBED_JOB, embed_document


@task(EMBED_JOB, max_attempts=5, backoff_seconds=5.0)
async def embed(payload: dict[str, Any], ctx: JobContext) -> dict[str, Any]:
    return await embed_document(
        ctx.session_factory, runtime_for(ctx.settings), uuid.UUID(payload["run_id"])
    )
