"""Every /v1 request is a run: admitted (plan, model, quota) and recorded before the provider is
called, finished with its usage in one transaction after. So it is billed exactly like any other
run, through the same `usage_event` rows and their (run, metric) identity: never twice."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from raypx.ai import service as runs
from raypx.ai.providers.base import Usage
from raypx.ai.registry import ModelSpec
from raypx.ai.runtime import AIRuntime
from raypx.db.engine import SessionFactory, transaction
from raypx.db.enums import RunStatus
from raypx.db.models import Run
from raypx.errors import Invalid
from raypx.usage import service as usage

API_FEATURE = "api"
EMBEDDINGS_FEATURE = "embeddings"
MAX_INPUT_CHARS = 2_000_000


@dataclass(frozen=True)
class Admitted:
    run_id: uuid.UUID
    spec: ModelSpec
    user_id: str


def model_name(runtime: AIRuntime, name: str) -> str:
    """`provider:model`; a bare id (`gpt-4o-mini`) is accepted when exactly one model has it, as
    OpenAI clients often default to bare names."""
    if ":" in name:
        return name
    matches = [m.name for m in runtime.registry.list() if m.model_id == name]
    return matches[0] if len(matches) == 1 else name


async def open_run(
    factory: SessionFactory,
    runtime: AIRuntime,
    user_id: str,
    *,
    model: str,
    prompt: str,
    characters: int,
    feature: str = API_FEATURE,
) -> Admitted:
    if characters > MAX_INPUT_CHARS:
        raise Invalid(
            f"the input is longer than {MAX_INPUT_CHARS} characters", code="INPUT_TOO_LONG"
        )
    async with transaction(factory) as session:
        spec = await runs.admit(session, runtime, user_id, model_name(runtime, model), prompt)
        run = Run(
            user_id=user_id, feature=feature, model=spec.name, prompt=prompt,
            status=RunStatus.RUNNING,
        )  # fmt: skip
        session.add(run)
        await session.flush()
        return Admitted(run.id, spec, user_id)


async def close_run(
    factory: SessionFactory,
    admitted: Admitted,
    *,
    text: str,
    consumed: Usage,
    error: str | None = None,
) -> None:
    """The run's outcome and its usage, together. A failed request still bills what it used."""
    async with transaction(factory) as session:
        run = await session.get(Run, admitted.run_id, with_for_update=True)
        if run is None:  # the user was deleted meanwhile
            return
        run.response_text = text or None
        if run.status == RunStatus.RUNNING:
            run.status = RunStatus.FAILED if error else RunStatus.SUCCEEDED
            run.error_message = error
        await usage.record_run_usage(
            session, user_id=run.user_id, run_id=run.id, model=admitted.spec,
            feature=run.feature, usage=consumed,
        )  # fmt: skip
