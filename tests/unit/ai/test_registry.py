"""Model names, plan access and cost arithmetic."""

from __future__ import annotations

from decimal import Decimal

import pytest

from raypx.ai.registry import ModelRegistry, ModelSpec, split_model_name
from raypx.db.enums import PlanTier
from raypx.errors import Forbidden, Invalid
from raypx.settings import Settings


def registry(**settings: object) -> ModelRegistry:
    return ModelRegistry.from_settings(Settings(**settings))  # type: ignore[arg-type]


def test_names_split_on_the_first_colon_only() -> None:
    assert split_model_name("openai:gpt-4o") == ("openai", "gpt-4o")
    assert split_model_name("openai:llama3:8b-instruct") == ("openai", "llama3:8b-instruct")


@pytest.mark.parametrize("name", ["gpt-4o", ":gpt", "openai:", ""])
def test_malformed_names_are_rejected(name: str) -> None:
    with pytest.raises(Invalid) as caught:
        split_model_name(name)
    assert caught.value.code == "INVALID_MODEL"


def test_unknown_provider_and_unknown_model_are_different_errors() -> None:
    models = registry()
    with pytest.raises(Invalid) as provider:
        models.resolve("anthropic:claude")
    assert provider.value.code == "UNKNOWN_PROVIDER"
    with pytest.raises(Invalid) as model:
        models.resolve("openai:gpt-9")
    assert model.value.code == "UNKNOWN_MODEL"


def test_plan_gates_models() -> None:
    models = registry()
    assert models.resolve("openai:gpt-4o", PlanTier.PRO).name == "openai:gpt-4o"
    with pytest.raises(Forbidden) as caught:
        models.resolve("openai:gpt-4o", PlanTier.FREE)
    assert caught.value.code == "MODEL_NOT_IN_PLAN"
    assert models.resolve("mock:raypx-1", PlanTier.FREE).provider == "mock"


def test_fake_models_only_when_enabled() -> None:
    with pytest.raises(Invalid):
        registry().resolve("fake:echo")
    assert registry(ai_enable_fake=True).resolve("fake:echo").model_id == "echo"


def test_extra_models_from_settings() -> None:
    models = registry(
        ai_extra_models='[{"name": "openai:llama3:8b", "context_window": 8192, '
        '"input_usd_per_million": 0.05, "plans": ["pro"]}]'
    )
    spec = models.resolve("openai:llama3:8b", PlanTier.PRO)
    assert spec.context_window == 8192 and spec.input_usd_per_million == Decimal("0.05")
    with pytest.raises(Invalid, match="not a valid model list"):
        registry(ai_extra_models="[{}]")


def test_cost_is_exact_then_rounded_once_half_up() -> None:
    spec = ModelSpec("openai:x", 1000, Decimal("0.15"), Decimal("0.60"))
    # 1,000 in + 500 out = 0.00015 + 0.0003 = 0.00045 -> 0.0005 (half up), not 0.0004.
    assert spec.exact_cost(1000, 500) == Decimal("0.00045")
    assert spec.cost_usd(1000, 500) == Decimal("0.0005")
    assert spec.cost_usd(1_000_000, 1_000_000) == Decimal("0.7500")
    assert spec.cost_usd(0, 0) == Decimal("0.0000")
