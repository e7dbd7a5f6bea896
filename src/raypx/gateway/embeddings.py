"""POST /v1/embeddings: an admitted, metered run (feature `embeddings`), OpenAI's response."""

from __future__ import annotations

import base64
import struct
from typing import Any

from raypx.ai.providers.base import ProviderError, Usage
from raypx.ai.runtime import AIRuntime
from raypx.billing import plans, quotas
from raypx.db.engine import SessionFactory, transaction
from raypx.db.enums import RunStatus
from raypx.db.models import Run
from raypx.embeddings import providers
from raypx.embeddings.registry import EmbeddingSpec, registry_for
from raypx.errors import Invalid
from raypx.gateway import metering, wire

MAX_INPUTS = 2048
MAX_PROMPT_CHARS = 2000  # of the first input, kept as the run's prompt


def texts_of(body: wire.EmbeddingRequest) -> list[str]:
    raw = body.input
    texts = [raw] if isinstance(raw, str) else raw
    if not texts or not all(isinstance(t, str) for t in texts):
        raise Invalid("input must be a string or a list of strings", code="INVALID_INPUT")
    if len(texts) > MAX_INPUTS:
        raise Invalid(f"at most {MAX_INPUTS} inputs per request", code="INVALID_INPUT")
    if any(not t.strip() for t in texts):  # type: ignore[union-attr]
        raise Invalid("input must not contain empty strings", code="INVALID_INPUT")
    return [str(t) for t in texts]


async def open_run(
    factory: SessionFactory, runtime: AIRuntime, user_id: str, name: str, texts: list[str]
) -> tuple[metering.Admitted, EmbeddingSpec]:
    characters = sum(len(t) for t in texts)
    if characters > metering.MAX_INPUT_CHARS:
        raise Invalid("the input is too long", code="INPUT_TOO_LONG")
    async with transaction(factory) as session:
        tier = await plans.current_tier(session, user_id, runtime.settings)
        spec = registry_for(runtime.settings).resolve(metering.model_name(runtime, name), tier)
        await quotas.ensure_can_run_ai(
            session, user_id, runtime.settings, input_characters=characters
        )
        run = Run(
            user_id=user_id, feature=metering.EMBEDDINGS_FEATURE, model=spec.name,
            prompt=texts[0][:MAX_PROMPT_CHARS], status=RunStatus.RUNNING,
        )  # fmt: skip
        session.add(run)
        await session.flush()
        return metering.Admitted(run.id, spec.as_model(), user_id), spec


def encode(vector: list[float], encoding: str) -> list[float] | str:
    if encoding == "base64":  # little-endian float32, as OpenAI sends it
        return base64.b64encode(struct.pack(f"<{len(vector)}f", *vector)).decode()
    return vector


async def create_embeddings(
    factory: SessionFactory, runtime: AIRuntime, user_id: str, body: wire.EmbeddingRequest
) -> dict[str, Any]:
    texts = texts_of(body)
    admitted, spec = await open_run(factory, runtime, user_id, body.model, texts)
    try:
        done = await providers.embed(runtime, spec, texts)
    except ProviderError as exc:
        await metering.close_run(factory, admitted, text="", consumed=Usage(0, 0),
                                 error=exc.message)  # fmt: skip
        raise
    await metering.close_run(factory, admitted, text="", consumed=Usage(done.input_tokens, 0))
    return {
        "object": "list",
        "data": [
            {"object": "embedding", "index": i, "embedding": encode(v, body.encoding_format)}
            for i, v in enumerate(done.vectors)
        ],
        "model": spec.name,
        "usage": {"prompt_tokens": done.input_tokens, "total_tokens": done.input_tokens},
    }
