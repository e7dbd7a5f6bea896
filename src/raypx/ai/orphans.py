"""Runs nothing will finish any more, failed and billed as a failed run is.

A run is orphaned when its job ended without finishing it (a worker died on the last attempt
and the lease rescue failed the job; an operator cancelled the job), or when it has no job and
whoever ran it stopped: a chat turn touches its run while the model answers (see chat.py), so one
untouched for a lease lost its API process or could not record its end. Left alone, such a run
stays `running` and holds a request of the user's quota for good.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from raypx.ai.prompts import Feature
from raypx.ai.providers.base import Usage
from raypx.ai.registry import ModelRegistry, ModelSpec
from raypx.db.enums import JobStatus, RunStatus
from raypx.db.models import Job, Run
from raypx.documents import summaries as document_summaries
from raypx.usage import service as usage

# Runs without a job that do not report progress (the CLI runs its own) get this long.
UNATTENDED_RUN_DEADLINE = timedelta(minutes=15)
# Swept at most this many per transaction, so one sweep never locks an unbounded set of rows.
BATCH = 200
ORPHANED = "the run stopped without finishing"
ACTIVE = (RunStatus.QUEUED, RunStatus.RUNNING)


async def touch_run(session: AsyncSession, run_id: uuid.UUID) -> None:
    """A chat turn is still working on the run: it is not orphaned."""
    await session.execute(
        update(Run)
        .where(Run.id == run_id, Run.status == RunStatus.RUNNING)
        .values(updated_at=func.now())
    )


async def fail_orphaned_runs(
    session: AsyncSession, registry: ModelRegistry, now: datetime, lease: timedelta
) -> int:
    """Fail (and bill: the request, no tokens known) up to BATCH orphaned runs; returns how
    many. A run linked to a document fails the document too, as a failed summary run does."""
    live = [JobStatus.QUEUED, JobStatus.RUNNING]
    live_job = select(Job.id).where(Job.run_id == Run.id, Job.status.in_(live)).exists()
    any_job = select(Job.id).where(Job.run_id == Run.id).exists()
    silent_chat = (Run.feature == Feature.CHAT.value) & (Run.updated_at < now - lease)
    unattended = Run.updated_at < now - UNATTENDED_RUN_DEADLINE
    statement = (
        select(Run)
        .where(Run.status.in_(ACTIVE), ~live_job, any_job | silent_chat | unattended)
        .order_by(Run.id)
        .limit(BATCH)
        .with_for_update(skip_locked=True)
    )
    runs = list((await session.scalars(statement)).all())
    for run in runs:
        run.status = RunStatus.FAILED
        run.error_message = ORPHANED
        await usage.record_run_usage(
            session, user_id=run.user_id, run_id=run.id, model=billed_model(registry, run.model),
            feature=run.feature, usage=Usage(0, 0),
        )  # fmt: skip
        await document_summaries.record_summary_failure(session, run, ORPHANED)
    await session.flush()
    return len(runs)


def billed_model(registry: ModelRegistry, name: str) -> ModelSpec:
    """The run's model, or a stand-in if it is no longer configured (no tokens: no cost)."""
    return registry.models.get(name) or ModelSpec(name, 0, Decimal(0), Decimal(0))
