"""Documents whose processing job ended without a result: failed, with the job's reason.

The processing handler fails its document itself when its last attempt raises; but when the
worker dies during that attempt, the lease rescue fails the job without running any of the
handler's code, and the document would stay `uploaded` for good. A periodic sweep finishes it.
"""

from __future__ import annotations

from sqlalchemy import Exists, String, cast, select
from sqlalchemy.ext.asyncio import AsyncSession

from raypx.db.enums import DocumentStatus, JobStatus
from raypx.db.models import Document, Job
from raypx.documents.service import PROCESS_JOB

BATCH = 200  # per transaction, so one sweep never locks an unbounded set of rows
ERROR_CODE = "PROCESSING_ERROR"


def processing_job(*statuses: JobStatus) -> Exists:
    return (
        select(Job.id)
        .where(
            Job.user_id == Document.user_id,
            Job.type == PROCESS_JOB,
            Job.payload["document_id"].astext == cast(Document.id, String),
            Job.status.in_(statuses),
        )
        .exists()
    )


async def fail_orphaned_documents(session: AsyncSession) -> int:
    """Fail up to BATCH `uploaded` documents whose processing job failed or was cancelled and
    that no live job still works on; returns how many."""
    ended = processing_job(JobStatus.FAILED, JobStatus.CANCELLED)
    live = processing_job(JobStatus.QUEUED, JobStatus.RUNNING)
    statement = (
        select(Document)
        .where(Document.status == DocumentStatus.UPLOADED, ended, ~live)
        .order_by(Document.id)
        .limit(BATCH)
        .with_for_update(skip_locked=True)
    )
    documents = list((await session.scalars(statement)).all())
    for document in documents:
        reason = await session.scalar(
            select(Job.error_message)
            .where(
                Job.user_id == document.user_id,
                Job.type == PROCESS_JOB,
                Job.payload["document_id"].astext == str(document.id),
            )
            .order_by(Job.id.desc())
            .limit(1)
        )
        document.status = DocumentStatus.FAILED
        document.metadata_ = {
            **document.metadata_,
            "error": f"processing failed: {reason or 'the job ended without a result'}",
            "error_code": ERROR_CODE,
        }
    await session.flush()
    return len(documents)
