"""Runs and artifacts: create (and enqueue) a run, read, list, cancel, retry.

The work itself happens in `raypx.ai.execution_service.execute_run`, called by the worker.
Every read is scoped to its owner: another user's run answers exactly like a missing one.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from raypx.ai.prompts import FEATURE_TASK, Feature, Task
from raypx.ai.registry import ModelSpec
from raypx.ai.rewriter import Tone
from raypx.ai.runtime import AIRuntime
from raypx.billing import plans, quotas
from raypx.db.enums import RunStatus
from raypx.db.models import Artifact, Job, Profile, Run
from raypx.db.ownership import get_owned
from raypx.db.pagination import Page, newest_page
from raypx.errors import Conflict, Invalid
from raypx.jobs import queue

RUN_JOB = "ai.run"
MAX_INPUT_CHARS = 2_000_000
RETRYABLE_RUN_STATUSES = {RunStatus.FAILED, RunStatus.CANCELLED}


def validate_options(task: Task, options: dict[str, Any] | None) -> dict[str, Any]:
    options = dict(options or {})
    allowed = {"tone", "max_sentences", "temperature"}
    unknown = set(options) - allowed
    if unknown:
        raise Invalid(f"unknown option(s): {', '.join(sorted(unknown))}", code="INVALID_OPTIONS")
    if "tone" in options and options["tone"] not in {t.value for t in Tone}:
        tones = ", ".join(t.value for t in Tone)
        raise Invalid(f"tone must be one of: {tones}", code="INVALID_OPTIONS")
    if "max_sentences" in options:
        value = options["max_sentences"]
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 50:
            raise Invalid(
                "max_sentences must be a whole number from 1 to 50", code="INVALID_OPTIONS"
            )
    if "temperature" in options:
        value = options["temperature"]
        if not isinstance(value, int | float) or not 0 <= value <= 2:
            raise Invalid("temperature must be between 0 and 2", code="INVALID_OPTIONS")
    return options


def task_for(feature: str) -> Task:
    try:
        return FEATURE_TASK[Feature(feature)]
    except ValueError:
        features = ", ".join(f.value for f in Feature if f is not Feature.CHAT)
        raise Invalid(
            f"unknown feature {feature!r} (one of: {features})", code="INVALID_FEATURE"
        ) from None


async def default_model(session: AsyncSession, user_id: str) -> str:
    profile = await session.scalar(select(Profile).where(Profile.user_id == user_id))
    return profile.default_model if profile else "mock:raypx-1"


async def admit(
    session: AsyncSession,
    runtime: AIRuntime,
    user_id: str,
    model: str | None,
    input_text: str = "",
) -> ModelSpec:
    """The model the user may use (theirs by default, allowed by their plan), once their quota
    admits one more request. Call it in the transaction that records the run."""
    tier = await plans.current_tier(session, user_id, runtime.settings)
    spec = runtime.registry.resolve(model or await default_model(session, user_id), tier)
    await quotas.ensure_can_run_ai(
        session, user_id, runtime.settings, input_characters=len(input_text)
    )
    return spec


def check_request(feature: str, input_text: str, document_id: uuid.UUID | None = None) -> Task:
    """The task a run request asks for, once its feature and input are acceptable."""
    task = task_for(feature)
    if task is Task.CHAT:
        raise Invalid(
            "chat runs are made by posting a conversation message", code="INVALID_FEATURE"
        )
    if not input_text.strip():
        raise Invalid("input text is empty", code="EMPTY_INPUT")
    # Direct input is capped; a document's text is bounded by the plan's file size instead.
    if document_id is None and len(input_text) > MAX_INPUT_CHARS:
        raise Invalid(
            f"input text is longer than {MAX_INPUT_CHARS} characters", code="INPUT_TOO_LONG"
        )
    return task


async def create_run(
    session: AsyncSession,
    runtime: AIRuntime,
    user_id: str,
    *,
    feature: str,
    input_text: str,
    model: str | None = None,
    options: dict[str, Any] | None = None,
    document_id: uuid.UUID | None = None,
) -> Run:
    """A queued run and its job, in the caller's transaction."""
    task = check_request(feature, input_text, document_id)
    checked = validate_options(task, options)
    spec = await admit(session, runtime, user_id, model, input_text)
    run = Run(
        user_id=user_id,
        feature=feature,
        model=spec.name,
        prompt=input_text,
        status=RunStatus.QUEUED,
        document_id=document_id,
    )
    session.add(run)
    await session.flush()
    await queue.enqueue(
        session,
        RUN_JOB,
        {"run_id": str(run.id), "options": checked},
        user_id=user_id,
        run_id=run.id,
    )
    return run


async def get_run(
    session: AsyncSession, user_id: str, run_id: uuid.UUID, *, lock: bool = False
) -> Run:
    return await get_owned(session, Run, run_id, user_id, name="run", lock=lock)


async def list_runs(
    session: AsyncSession,
    user_id: str,
    *,
    cursor: str | None = None,
    limit: int = 20,
    status: RunStatus | None = None,
    feature: str | None = None,
    conversation_id: uuid.UUID | None = None,
    document_id: uuid.UUID | None = None,
) -> Page[Run]:
    statement = select(Run).where(Run.user_id == user_id)
    if document_id is not None:
        statement = statement.where(Run.document_id == document_id)
    if status is not None:
        statement = statement.where(Run.status == status)
    if feature is not None:
        statement = statement.where(Run.feature == feature)
    if conversation_id is not None:
        statement = statement.where(Run.conversation_id == conversation_id)
    return await newest_page(session, statement, Run.id, cursor, limit)


async def list_artifacts(session: AsyncSession, user_id: str, run_id: uuid.UUID) -> list[Artifact]:
    statement = (
        select(Artifact)
        .where(Artifact.run_id == run_id, Artifact.user_id == user_id)
        .order_by(Artifact.id)
    )
    return list((await session.scalars(statement)).all())


async def get_artifact(session: AsyncSession, user_id: str, artifact_id: uuid.UUID) -> Artifact:
    return await get_owned(session, Artifact, artifact_id, user_id, name="artifact")


async def run_job(session: AsyncSession, run_id: uuid.UUID) -> Job | None:
    return await session.scalar(select(Job).where(Job.run_id == run_id).order_by(Job.id.desc()))


async def cancel_run(session: AsyncSession, user_id: str, run_id: uuid.UUID) -> Run:
    """Queued or running: cancelled now; a running call stops at its next checkpoint."""
    run = await get_run(session, user_id, run_id, lock=True)
    if run.status not in (RunStatus.QUEUED, RunStatus.RUNNING):
        raise Conflict(f"run is already {run.status.value}", code="RUN_FINISHED")
    run.status = RunStatus.CANCELLED
    job = await run_job(session, run.id)
    if job is not None and job.status.value in ("queued", "running"):
        await queue.cancel(session, job.id)
    await session.flush()
    return run


async def retry_run(
    session: AsyncSession, runtime: AIRuntime, user_id: str, run_id: uuid.UUID
) -> Run:
    """A failed or cancelled run is tried again as a new run with the same input.

    A new run, not the same one re-queued, so each attempt is billed as what it was.
    """
    original = await get_run(session, user_id, run_id)
    if original.status not in RETRYABLE_RUN_STATUSES:
        raise Conflict(
            f"only failed or cancelled runs can be retried; this one is {original.status.value}",
            code="RUN_NOT_RETRYABLE",
        )
    job = await run_job(session, original.id)
    options = dict((job.payload or {}).get("options") or {}) if job else {}
    return await create_run(
        session,
        runtime,
        user_id,
        feature=original.feature,
        input_text=original.prompt,
        model=original.model,
        options=options,
        document_id=original.document_id,
    )


async def start_local_run(
    session: AsyncSession,
    runtime: AIRuntime,
    user_id: str,
    *,
    feature: str,
    input_text: str,
    model: str | None = None,
) -> Run:
    """A run the caller executes itself (the CLI), already running: no job is enqueued."""
    check_request(feature, input_text)
    spec = await admit(session, runtime, user_id, model, input_text)
    run = Run(
        user_id=user_id, feature=feature, model=spec.name, prompt=input_text,
        status=RunStatus.RUNNING,
    )  # fmt: skip
    session.add(run)
    await session.flush()
    return run
