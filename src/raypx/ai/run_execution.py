"""Executing a queued run: the worker's side of a run's life.

Three short transactions, never one held across the model call: claim the run (queued →
running), call the model, then finish it — final status, response, artifact and usage events in
one transaction, so usage can be neither lost nor counted twice.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from raypx.ai.execution import Executor, RunCancelled, TaskResult
from raypx.ai.prompts import Task
from raypx.ai.providers.base import ProviderError, StreamInterrupted, Usage
from raypx.ai.registry import ModelSpec
from raypx.ai.runtime import AIRuntime
from raypx.ai.service import task_for
from raypx.db.engine import SessionFactory, transaction
from raypx.db.enums import ArtifactKind, RunStatus
from raypx.db.models import Artifact, Profile, Run
from raypx.documents import summaries as document_summaries
from raypx.usage import service as usage

log = logging.getLogger(__name__)
ARTIFACT_KIND = {
    Task.SUMMARIZE: ArtifactKind.SUMMARY,
    Task.REWRITE: ArtifactKind.REWRITE,
    Task.EXTRACTION: ArtifactKind.EXTRACTION,
}


def artifact_title(task: Task, prompt: str) -> str:
    opening = " ".join(prompt.split()[:8])
    return f"{task.value.capitalize()}: {opening}{'…' if len(prompt.split()) > 8 else ''}"


async def execute_run(
    factory: SessionFactory,
    runtime: AIRuntime,
    run_id: uuid.UUID,
    options: dict[str, Any],
    *,
    cancelled: Callable[[], bool] = lambda: False,
    may_retry: bool = False,
) -> dict[str, Any]:
    async with transaction(factory) as session:
        run = await session.scalar(select(Run).where(Run.id == run_id).with_for_update())
        if run is None or run.status not in (RunStatus.QUEUED, RunStatus.RUNNING):
            return {"run_status": run.status.value if run else "missing"}
        run.status = RunStatus.RUNNING
        profile = await session.scalar(select(Profile).where(Profile.user_id == run.user_id))
        feature, prompt, model_name = run.feature, run.prompt, run.model
    tone = options.get("tone") or (profile.output_tone if profile else "professional")
    locale = profile.preferred_locale if profile else "en-US"
    spec = runtime.registry.resolve(model_name)
    task = task_for(feature)
    executor = Executor(runtime.providers.for_model(spec), spec, tone=tone, locale=locale)
    executor.should_stop = cancelled

    try:
        result = await executor.run(task, prompt, options)
    except ProviderError as exc:
        consumed = exc.partial.usage if isinstance(exc, StreamInterrupted) else executor.usage()
        retry = may_retry and exc.retryable
        await finish_failed(factory, run_id, spec, consumed, exc.message, retry=retry)
        if retry:
            raise
        return {"run_status": "failed", "error": exc.message}
    except RunCancelled:
        await finish_cancelled(factory, run_id, spec, executor.usage())
        return {"run_status": "cancelled"}
    except asyncio.CancelledError:
        # The worker cancelled the task (the job was cancelled, or shutdown): still record
        # what the calls so far consumed, shielded from the cancellation itself.
        await asyncio.shield(finish_cancelled(factory, run_id, spec, executor.usage()))
        raise
    except Exception as exc:
        # A bug or an unexpected reply: the job retries or fails; the run must not stay
        # "running" (it would hold a request of the user's quota).
        message = f"internal error ({type(exc).__name__})"
        await finish_failed(factory, run_id, spec, executor.usage(), message, retry=may_retry)
        raise
    return await finish_succeeded(factory, run_id, spec, task, result)


async def finish_succeeded(
    factory: SessionFactory, run_id: uuid.UUID, spec: ModelSpec, task: Task, result: TaskResult
) -> dict[str, Any]:
    async with transaction(factory) as session:
        run = await session.scalar(select(Run).where(Run.id == run_id).with_for_update())
        if run is None:
            return {"run_status": "missing"}
        await usage.record_run_usage(
            session, user_id=run.user_id, run_id=run.id, model=spec, feature=run.feature,
            usage=result.usage,
        )  # fmt: skip
        if run.status == RunStatus.CANCELLED:  # cancelled while the model was answering
            return {"run_status": "cancelled"}
        run.status = RunStatus.SUCCEEDED
        run.response_text = result.text
        run.error_message = None
        if task in ARTIFACT_KIND:
            metadata: dict[str, Any] = {
                "model": spec.name,
                "input_tokens": result.usage.input_tokens,
                "output_tokens": result.usage.output_tokens,
                "tokens_estimated": result.usage.estimated,
                "chunks": result.chunks,
                "calls": result.calls,
                "finish_reason": result.finish_reason,
            }
            if result.data is not None:
                metadata["fields"] = result.data
            session.add(
                Artifact(
                    user_id=run.user_id, run_id=run.id, kind=ARTIFACT_KIND[task],
                    title=artifact_title(task, run.prompt), content=result.text,
                    metadata_=metadata,
                )
            )  # fmt: skip
            await document_summaries.record_summary(session, run, result.text)
        return {
            "run_status": "succeeded",
            "input_tokens": result.usage.input_tokens,
            "output_tokens": result.usage.output_tokens,
        }


async def finish_failed(
    factory: SessionFactory,
    run_id: uuid.UUID,
    spec: ModelSpec,
    consumed: Usage,
    message: str,
    *,
    retry: bool,
) -> None:
    async with transaction(factory) as session:
        run = await session.scalar(select(Run).where(Run.id == run_id).with_for_update())
        if run is None or run.status == RunStatus.CANCELLED:
            return
        if retry:
            # Back to queued: the job is retried with backoff and will claim it again.
            run.status = RunStatus.QUEUED
            run.error_message = f"retrying after: {message}"
            return
        run.status = RunStatus.FAILED
        run.error_message = message
        await document_summaries.record_summary_failure(session, run, message)
        # A failed run still records the request and any tokens it consumed.
        await usage.record_run_usage(
            session, user_id=run.user_id, run_id=run.id, model=spec, feature=run.feature,
            usage=consumed,
        )  # fmt: skip


async def finish_cancelled(
    factory: SessionFactory, run_id: uuid.UUID, spec: ModelSpec, consumed: Usage
) -> None:
    async with transaction(factory) as session:
        run = await session.scalar(select(Run).where(Run.id == run_id).with_for_update())
        if run is None:
            return
        run.status = RunStatus.CANCELLED
        if consumed.total:
            await usage.record_run_usage(
                session, user_id=run.user_id, run_id=run.id, model=spec, feature=run.feature,
                usage=consumed,
            )  # fmt: skip
