"""The offline model off the event loop: long completions leave the loop free, same results."""

from __future__ import annotations

import asyncio
import time

from raypx.ai.providers.base import ChatMessage, CompletionRequest
from raypx.ai.providers.mock import MockProvider, complete_now, truncate_to_tokens
from raypx.ai.registry import ModelRegistry
from raypx.ai.tokens import count_tokens
from raypx.settings import Settings
from tests.fakes.texts import varied_text


def request(text: str, task: str = "summarize") -> CompletionRequest:
    model = ModelRegistry.from_settings(Settings()).resolve("mock:raypx-1")
    return CompletionRequest(model, [ChatMessage("user", text)], task=task, input_text=text)


async def test_a_long_completion_leaves_the_event_loop_free() -> None:
    long = request(varied_text(6000))  # ~630,000 characters
    provider = MockProvider()
    started = time.monotonic()
    complete_now(long)  # what one completion costs when it blocks: the stall a loop would see
    blocking = time.monotonic() - started
    gaps: list[float] = []

    async def ticker() -> None:
        last = time.monotonic()
        while True:
            await asyncio.sleep(0.01)
            now = time.monotonic()
            gaps.append(now - last)
            last = now

    ticking = asyncio.create_task(ticker())
    for _ in range(3):
        await provider.complete(long)
    await asyncio.sleep(0.05)  # lets the ticker record a stall that lasted until now
    ticking.cancel()
    assert blocking > 0.1  # real work, long enough to notice a blocked loop
    assert max(gaps) < blocking / 2, (
        f"the loop stalled {max(gaps):.2f} s (one completion: {blocking:.2f} s)"
    )


async def test_pooled_and_inline_completions_are_identical() -> None:
    long = request(varied_text(3000), task="rewrite")
    assert await MockProvider().complete(long) == complete_now(long)


def test_truncation_keeps_the_longest_prefix_within_the_limit_quickly() -> None:
    text = varied_text(2000)  # ~60,000 tokens
    started = time.monotonic()
    cut = truncate_to_tokens(text, 20_000)
    assert time.monotonic() - started < 5  # word by word it took minutes
    assert count_tokens(cut) <= 20_000
    next_word = text[len(cut) :].split()[0]
    assert count_tokens(f"{cut} {next_word}") > 20_000
    assert text.startswith(cut)
