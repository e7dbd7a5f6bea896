"""Turn texts into vectors with the provider an embedding model names.

`openai:*` posts to the OpenAI-compatible server's /embeddings (reusing the chat provider's
HTTP pool); `local:all-minilm-l6-v2` runs offline in numpy (embeddings.minilm); `fake:embed`
hashes words and CJK bigrams into a fixed-size, L2-normalised vector, deterministic and
offline, so the vector path is tested without a model.
"""

from __future__ import annotations

import asyncio
import hashlib
import math
from dataclasses import dataclass
from typing import Any

import httpx

from raypx.ai.providers.base import ProviderError
from raypx.ai.providers.openai_compat import TRANSIENT_ERRORS, OpenAICompatibleProvider
from raypx.ai.providers.openai_compat import error_from_response as provider_error
from raypx.ai.runtime import AIRuntime
from raypx.ai.sentences import content_terms
from raypx.ai.tokens import count_tokens
from raypx.embeddings import minilm
from raypx.embeddings.registry import EmbeddingSpec
from raypx.search import language

MAX_BATCH = 256  # inputs per provider call


@dataclass(frozen=True)
class Embedded:
    vectors: list[list[float]]
    input_tokens: int


def hashed_vector(text: str, dimensions: int) -> list[float]:
    vector = [0.0] * dimensions
    features = content_terms(text) + [
        g for run in language.CJK_RUN.findall(text) for g in language.bigrams(run)
    ]
    for feature in features:
        digest = hashlib.blake2b(feature.encode(), digest_size=8).digest()
        index = int.from_bytes(digest[:4], "little") % dimensions
        vector[index] += 1.0 if digest[4] & 1 else -1.0
    norm = math.sqrt(sum(v * v for v in vector)) or 1.0
    return [v / norm for v in vector]


async def embed_openai(
    provider: OpenAICompatibleProvider, spec: EmbeddingSpec, texts: list[str]
) -> Embedded:
    body: dict[str, Any] = {"model": spec.model_id, "input": texts, "encoding_format": "float"}
    try:
        response = await provider.client.post("/embeddings", json=body)
    except TRANSIENT_ERRORS as exc:
        raise ProviderError(
            f"the embedding provider did not answer ({type(exc).__name__})", retryable=True
        ) from None
    if response.status_code >= 400:
        raise provider_error(response)
    try:
        data = response.json()
        rows = sorted(data["data"], key=lambda row: row["index"])
        vectors = [[float(x) for x in row["embedding"]] for row in rows]
        tokens = int((data.get("usage") or {}).get("prompt_tokens") or 0)
    except (ValueError, KeyError, TypeError, httpx.DecodingError) as exc:
        raise ProviderError(f"the embedding provider sent a malformed response ({exc})") from None
    if len(vectors) != len(texts):
        raise ProviderError("the embedding provider returned the wrong number of vectors")
    return Embedded(vectors, tokens or sum(count_tokens(t) for t in texts))


async def embed(runtime: AIRuntime, spec: EmbeddingSpec, texts: list[str]) -> Embedded:
    """Vectors for `texts`, in order, batched; tokens as the provider counted them."""
    vectors: list[list[float]] = []
    tokens = 0
    for start in range(0, len(texts), MAX_BATCH):
        batch = texts[start : start + MAX_BATCH]
        if spec.provider == "local":  # CPU-bound: off the event loop
            found, counted = await asyncio.to_thread(minilm.embed_texts, batch)
            done = Embedded(found, counted)
        elif spec.provider == "fake" and runtime.settings.ai_enable_fake:
            done = Embedded([hashed_vector(t, spec.dimensions) for t in batch],
                            sum(count_tokens(t) for t in batch))  # fmt: skip
        else:
            provider = runtime.providers.for_model(spec.as_model())
            if not isinstance(provider, OpenAICompatibleProvider):
                raise ProviderError(f"{spec.provider} models cannot embed text")
            done = await embed_openai(provider, spec, batch)
        vectors += done.vectors
        tokens += done.input_tokens
    return Embedded(vectors, tokens)
