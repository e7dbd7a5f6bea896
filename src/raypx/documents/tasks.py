"""Job handlers of the documents capability."""

from __future__ import annotations

import uuid
from typing import Any

from raypx.ai.runtime import runtime_for
from raypx.db.engine import transaction
from raypx.documents import orphans
from raypx.documents.processing import mark_failed, process_document
from raypx.documents.service import PROCESS_JOB, PURGE_JOB, text_key
from raypx.jobs.registry import JobContext, task
from raypx.storage.configured import storage_for

PROCESS_MAX_ATTEMPTS = 3


@task(PROCESS_JOB, max_attempts=PROCESS_MAX_ATTEMPTS, backoff_seconds=2.0)
async def process(payload: dict[str, Any], ctx: JobContext) -> dict[str, Any]:
    document_id = uuid.UUID(payload["document_id"])
    try:
        return await process_document(
            ctx.session_factory,
            storage_for(ctx.settings),
            runtime_for(ctx.settings),
            document_id,
            summarize=bool(payload.get("summarize", True)),
        )
    except Exception as exc:
        # Storage or database trouble is retried; after the last attempt the document must not
        # stay `uploaded` forever, so it fails with the cause.
        if ctx.attempt >= PROCESS_MAX_ATTEMPTS:
            await mark_failed(
                ctx.session_factory, document_id, "PROCESSING_ERROR", f"processing failed: {exc}"
            )
        raise


@task(PURGE_JOB, max_attempts=5, backoff_seconds=10.0)
async def purge_objects(payload: dict[str, Any], ctx: JobContext) -> dict[str, int]:
    """Files of deleted users. Deleting an object that is already gone is not an error."""
    storage = storage_for(ctx.settings)
    keys = [str(k) for k in payload.get("keys", [])]
    for key in keys:
        for each in (key, text_key(key)):
            await storage.delete(each)
    return {"documents": len(keys)}


# Every 30 s, like ai.fail_orphaned_runs: a document whose job the lease rescue failed is final
# within the lease and a minute of its worker's last heartbeat.
@task("documents.fail_orphaned", schedule="every 30s", max_attempts=3)
async def fail_orphaned_documents(payload: dict[str, Any], ctx: JobContext) -> dict[str, int]:
    async with transaction(ctx.session_factory) as session:
        failed = await orphans.fail_orphaned_documents(session)
    return {"failed": failed}
