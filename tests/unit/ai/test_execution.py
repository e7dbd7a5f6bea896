"""Tasks on a model: prompts, chunking past the window, usage added up, the fake's faults."""

from __future__ import annotations

import json

import pytest

from raypx.ai.execution import Executor, split_to_budget
from raypx.ai.prompts import Task, system_prompt
from raypx.ai.providers import Providers
from raypx.ai.providers.base import (
    ChatMessage,
    Completion,
    CompletionRequest,
    ProviderError,
    StreamInterrupted,
)
from raypx.ai.registry import ModelRegistry
from raypx.ai.tokens import count_tokens
from raypx.settings import Settings

SETTINGS = Settings(ai_enable_fake=True)
MODELS = ModelRegistry.from_settings(SETTINGS)
PARAGRAPH = (
    "Raypx stores accounts in PostgreSQL. Workers claim jobs with SKIP LOCKED. "
    "Usage is metered to the cent on 2026-01-15. Invoices go to billing@example.com."
)


def executor(model: str, tone: str = "professional") -> Executor:
    spec = MODELS.resolve(model)
    return Executor(Providers(SETTINGS).for_model(spec), spec, tone=tone, locale="de-DE")


def test_prompts_carry_tone_and_locale() -> None:
    prompt = system_prompt(Task.REWRITE, "friendly", "de-DE")
    assert "friendly tone" in prompt and "German" in prompt


def test_split_to_budget_never_exceeds_it_and_loses_nothing() -> None:
    text = "\n\n".join([PARAGRAPH] * 20)
    pieces = split_to_budget(text, 40)
    assert len(pieces) > 1
    assert all(count_tokens(p) <= 40 for p in pieces)
    assert " ".join(pieces).split() == text.split()


async def test_mock_summary_fits_in_one_call() -> None:
    result = await executor("mock:raypx-1").run(Task.SUMMARIZE, PARAGRAPH, {})
    assert (result.calls, result.chunks) == (1, 1)
    assert result.text == "Raypx stores accounts in PostgreSQL."
    assert result.usage.output_tokens == count_tokens(result.text)
    assert result.usage.input_tokens > count_tokens(PARAGRAPH)


async def test_long_input_is_chunked_and_usage_is_added_up() -> None:
    text = "\n\n".join([PARAGRAPH] * 8)
    run = executor("fake:tiny")
    result = await run.run(Task.SUMMARIZE, text, {})
    assert result.chunks > 1 and result.calls > result.chunks  # chunk summaries, then theirs
    assert result.usage.input_tokens == run.input_tokens > count_tokens(text)
    assert result.text


async def test_extraction_chunks_are_merged_without_duplicates() -> None:
    text = "\n\n".join([PARAGRAPH] * 6)
    result = await executor("fake:tiny").run(Task.EXTRACTION, text, {})
    assert result.chunks > 1
    assert result.data is not None
    assert result.data["emails"] == ["billing@example.com"]
    assert [d["value"] for d in result.data["dates"]] == ["2026-01-15"]
    assert json.loads(result.text) == result.data


def request(model: str, text: str = "hello there friend") -> CompletionRequest:
    return CompletionRequest(MODELS.resolve(model), [ChatMessage("user", text)])


async def test_mock_stream_yields_the_same_text_as_complete() -> None:
    provider = Providers(SETTINGS).for_model(MODELS.resolve("mock:raypx-1"))
    whole = await provider.complete(request("mock:raypx-1", PARAGRAPH))
    pieces: list[str] = []
    final = None
    async for item in provider.stream(request("mock:raypx-1", PARAGRAPH)):
        if isinstance(item, Completion):
            final = item
        else:
            pieces.append(item)
    assert final == whole and "".join(pieces) == whole.text


async def test_fake_faults() -> None:
    providers = Providers(SETTINGS)
    fake = providers.for_model(MODELS.resolve("fake:fail"))
    with pytest.raises(ProviderError) as permanent:
        await fake.complete(request("fake:fail"))
    assert not permanent.value.retryable

    for _ in range(2):
        with pytest.raises(ProviderError) as transient:
            await fake.complete(request("fake:flaky"))
        assert transient.value.retryable
    assert (await fake.complete(request("fake:flaky"))).text == "echo: hello there friend"

    received: list[str] = []
    with pytest.raises(StreamInterrupted) as cut:
        async for item in fake.stream(request("fake:cut", "one two three four")):
            assert isinstance(item, str)
            received.append(item)
    assert cut.value.partial.text == "".join(received) == "echo: one "
    assert cut.value.partial.usage.estimated
