"""The queue's services, run inside the caller's transaction (they never commit).

`enqueue` adds the row and a NOTIFY to the caller's transaction: the job exists, and workers
wake, only if the data it needs committed with it.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from raypx.db.base import new_uuid7
from raypx.db.enums import JOB_FINISHED, JobStatus
from raypx.db.models.jobs import Job
from raypx.errors import Conflict, Invalid, NotFound
from raypx.jobs.statements import sqlalchemy_query

NOTIFY_CHANNEL = "raypx_job"
# A NUL character as JSON escapes it (an odd number of backslashes before u0000); jsonb refuses it.
_JSON_NUL = re.compile(r"(?<!\\)(?:\\\\)*\\u0000")
CANCEL_CHANNEL = "raypx_job_cancel"


async def enqueue(
    session: AsyncSession,
    type: str,
    payload: dict[str, Any] | None = None,
    *,
    user_id: str | None = None,
    run_id: uuid.UUID | None = None,
    scheduled_at: datetime | None = None,
) -> Job:
    """Add a job to the caller's transaction; workers are notified when it commits."""
    if not type.strip():
        raise Invalid("a job needs a type")
    try:
        payload_json = json.dumps(payload or {})
    except (TypeError, ValueError) as exc:
        raise Invalid(f"job payload is not JSON-serialisable: {exc}") from None
    if _JSON_NUL.search(payload_json):
        raise Invalid("job payload contains a NUL character, which PostgreSQL cannot store")
    if scheduled_at is not None and scheduled_at.tzinfo is None:
        raise Invalid("scheduled_at must be timezone-aware")
    # Pending ORM objects first, so a foreign key to a row made in this transaction resolves.
    await session.flush()
    statement = select(Job).from_statement(sqlalchemy_query("enqueue"))
    params = {
        "id": new_uuid7(),
        "type": type,
        "payload": payload_json,
        "user_id": user_id,
        "run_id": run_id,
        "scheduled_at": scheduled_at,
    }
    job: Job = (await session.scalars(statement, params)).one()
    return job


async def get_job(session: AsyncSession, job_id: uuid.UUID) -> Job:
    job = await session.get(Job, job_id, populate_existing=True)
    if job is None:
        raise NotFound(f"no job {job_id}")
    return job


async def cancel(session: AsyncSession, job_id: uuid.UUID) -> Job:
    """Queued: cancelled at once. Running: cancelled now, and its worker signals the handler.

    Marking a running job `cancelled` here (rather than asking its worker to) makes the
    cancellation durable: the worker's completion no longer matches, and its heartbeat notices
    even if the NOTIFY is missed.
    """
    job = await get_job(session, job_id)
    if job.status in JOB_FINISHED:
        raise Conflict(f"job {job_id} already finished ({job.status})", code="JOB_FINISHED")
    was_running = job.status == JobStatus.RUNNING
    statement = (
        update(Job)
        .where(Job.id == job_id, Job.status.in_([JobStatus.QUEUED, JobStatus.RUNNING]))
        .values(status=JobStatus.CANCELLED, error_message="Cancelled")
        .returning(Job)
        .execution_options(populate_existing=True)
    )
    cancelled = (await session.scalars(statement)).one_or_none()
    if cancelled is None:  # it finished between our read and the update
        return await get_job(session, job_id)
    if was_running:
        await session.execute(select(func.pg_notify(CANCEL_CHANNEL, str(job_id))))
    return cancelled


async def retry(session: AsyncSession, job_id: uuid.UUID) -> Job:
    """Queue a failed or cancelled job again, to run now.

    `attempts` is kept, never reset: it is the fence that stops a stale run of an earlier attempt
    from completing the new one. The retried job gets one more attempt after its last.
    """
    job = await get_job(session, job_id)
    if job.status not in (JobStatus.FAILED, JobStatus.CANCELLED):
        raise Conflict(
            f"job {job_id} is {job.status}; only failed or cancelled jobs can be retried"
        )
    statement = (
        update(Job)
        .where(Job.id == job_id, Job.status.in_([JobStatus.FAILED, JobStatus.CANCELLED]))
        .values(status=JobStatus.QUEUED, scheduled_at=func.now(), result=None)
        .returning(Job)
        .execution_options(populate_existing=True)
    )
    retried = (await session.scalars(statement)).one()
    await session.execute(select(func.pg_notify(NOTIFY_CHANNEL, retried.type)))
    return retried


async def list_jobs(
    session: AsyncSession,
    *,
    status: JobStatus | None = None,
    type: str | None = None,
    limit: int = 50,
) -> Sequence[Job]:
    """Most recent first."""
    statement = select(Job).order_by(Job.created_at.desc(), Job.id.desc()).limit(limit)
    if status is not None:
        statement = statement.where(Job.status == status)
    if type is not None:
        statement = statement.where(Job.type == type)
    return (await session.scalars(statement)).all()


async def prune(session: AsyncSession, older_than: timedelta) -> int:
    """Delete finished jobs last touched more than `older_than` ago; returns how many."""
    if older_than <= timedelta(0):
        raise Invalid("older_than must be positive")
    statement = delete(Job).where(
        Job.status.in_(JOB_FINISHED), Job.updated_at < func.now() - older_than
    )
    result = await session.execute(statement)
    return int(result.rowcount)  # type: ignore[attr-defined]
