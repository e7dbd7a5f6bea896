"""Models named `provider:model`, their context windows, prices and the plans that may use them."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from raypx.db.enums import PlanTier
from raypx.errors import Forbidden, Invalid
from raypx.settings import Settings

DEFAULT_MODEL = "mock:raypx-1"
MILLION = Decimal(1_000_000)
CENT_PRECISION = Decimal("0.0001")  # numeric(10,4)


@dataclass(frozen=True)
class ModelSpec:
    name: str
    context_window: int
    input_usd_per_million: Decimal
    output_usd_per_million: Decimal
    plans: frozenset[PlanTier] = field(default=frozenset({PlanTier.FREE, PlanTier.PRO}))
    description: str = ""

    @property
    def provider(self) -> str:
        return split_model_name(self.name)[0]

    @property
    def model_id(self) -> str:
        return split_model_name(self.name)[1]

    def exact_cost(self, input_tokens: int, output_tokens: int) -> Decimal:
        """Unrounded cost: sum these before rounding when aggregating."""
        return (
            Decimal(input_tokens) * self.input_usd_per_million
            + Decimal(output_tokens) * self.output_usd_per_million
        ) / MILLION

    def cost_usd(self, input_tokens: int, output_tokens: int) -> Decimal:
        """Cost rounded once, half-up, to the column's four decimal places."""
        return round_cost(self.exact_cost(input_tokens, output_tokens))


def round_cost(value: Decimal) -> Decimal:
    return value.quantize(CENT_PRECISION, rounding=ROUND_HALF_UP)


BOTH = frozenset({PlanTier.FREE, PlanTier.PRO})
PRO = frozenset({PlanTier.PRO})
BUILT_IN = [
    ModelSpec("mock:raypx-1", 128_000, Decimal(0), Decimal(0), BOTH,
              "Offline, deterministic: extractive summaries, rule-based rewrite and extraction"),
    ModelSpec("openai:gpt-4o-mini", 128_000, Decimal("0.15"), Decimal("0.60"), BOTH,
              "OpenAI GPT-4o mini"),
    ModelSpec("openai:gpt-4.1-mini", 1_047_576, Decimal("0.40"), Decimal("1.60"), BOTH,
              "OpenAI GPT-4.1 mini"),
    ModelSpec("openai:gpt-4o", 128_000, Decimal("2.50"), Decimal("10.00"), PRO, "OpenAI GPT-4o"),
    ModelSpec("openai:gpt-4.1", 1_047_576, Decimal("2.00"), Decimal("8.00"), PRO,
              "OpenAI GPT-4.1"),
]  # fmt: skip
FAKE = [
    ModelSpec(
        f"fake:{behaviour}",
        64 if behaviour == "tiny" else 4096,
        Decimal("1.00"),
        Decimal("2.00"),
        BOTH,
        description,
    )
    for behaviour, description in (
        ("echo", "Replies with the prompt's last message"),
        ("fail", "Always fails with a non-retryable provider error"),
        ("flaky", "Fails with retryable errors before succeeding"),
        ("cut", "Streams half its reply, then the connection drops"),
        ("slow", "Answers at one word per 50 ms (for cancellation and disconnects)"),
        ("tiny", "The mock model with a 64-token window, to exercise chunking"),
    )
]


def split_model_name(name: str) -> tuple[str, str]:
    """`provider:model`, split on the first colon: model ids may contain colons themselves."""
    provider, sep, model = name.partition(":")
    if not sep or not provider or not model:
        raise Invalid(f"model {name!r} must be named provider:model", code="INVALID_MODEL")
    return provider, model


class ModelRegistry:
    def __init__(self, models: list[ModelSpec]) -> None:
        self.models = {m.name: m for m in models}

    @classmethod
    def from_settings(cls, settings: Settings) -> ModelRegistry:
        models = list(BUILT_IN)
        if settings.ai_enable_fake:
            models += FAKE
        if settings.ai_extra_models:
            models += parse_extra_models(settings.ai_extra_models)
        return cls(models)

    def resolve(self, name: str, plan: PlanTier | None = None) -> ModelSpec:
        provider, _ = split_model_name(name)
        if not any(m.provider == provider for m in self.models.values()):
            raise Invalid(f"unknown AI provider {provider!r}", code="UNKNOWN_PROVIDER")
        spec = self.models.get(name)
        if spec is None:
            raise Invalid(f"unknown model {name!r}", code="UNKNOWN_MODEL")
        if plan is not None and plan not in spec.plans:
            raise Forbidden(
                f"model {name!r} is not available on the {plan.value} plan",
                code="MODEL_NOT_IN_PLAN",
            )
        return spec

    def list(self) -> list[ModelSpec]:
        return sorted(self.models.values(), key=lambda m: m.name)


def parse_extra_models(raw: str) -> list[ModelSpec]:
    try:
        items = json.loads(raw)
        return [
            ModelSpec(
                name=item["name"],
                context_window=int(item.get("context_window", 8192)),
                input_usd_per_million=Decimal(str(item.get("input_usd_per_million", 0))),
                output_usd_per_million=Decimal(str(item.get("output_usd_per_million", 0))),
                plans=frozenset(PlanTier(p) for p in item.get("plans", ["free", "pro"])),
                description=item.get("description", ""),
            )
            for item in items
        ]
    except (ValueError, KeyError, TypeError) as exc:
        raise Invalid(f"RAYPX_AI_EXTRA_MODELS is not a valid model list: {exc}") from None
