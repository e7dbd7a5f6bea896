"""Run one task on a model: chunk what does not fit its window, call the provider, add up usage.

Inputs longer than the window are split on paragraph and sentence boundaries; summaries are then
summarised again (hierarchically) until one call holds them, rewrites are joined in order and
extractions merged. Nothing is truncated silently: the result says how many chunks it took.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from raypx.ai.prompts import Task, task_messages
from raypx.ai.providers.base import Completion, CompletionRequest, Provider, Usage
from raypx.ai.registry import ModelSpec
from raypx.ai.sentences import split_paragraphs, split_sentences
from raypx.ai.tokens import count_tokens

PROMPT_OVERHEAD = 200  # tokens for instructions and message framing
OUTPUT_SHARE = 0.25  # of the window kept free for the reply


class RunCancelled(Exception):
    """The run was cancelled between model calls."""


@dataclass
class TaskResult:
    text: str
    usage: Usage
    calls: int = 1
    chunks: int = 1
    finish_reason: str = "stop"
    data: dict[str, Any] | None = None  # parsed JSON for extraction


def input_budget(model: ModelSpec) -> int:
    return max(32, int(model.context_window * (1 - OUTPUT_SHARE)) - PROMPT_OVERHEAD)


def split_to_budget(text: str, budget: int) -> list[str]:
    """Pieces of at most `budget` tokens, cut between paragraphs, else sentences, else words."""
    pieces: list[str] = []
    current: list[str] = []
    size = 0
    units = [s for p in split_paragraphs(text) for s in split_sentences(p)] or [text]
    for unit in units:
        cost = count_tokens(unit) + 1
        if cost > budget:  # one enormous sentence: cut it by words
            words = unit.split()
            half = max(1, len(words) // 2)
            units_left = [" ".join(words[:half]), " ".join(words[half:])]
            for part in units_left:
                pieces += split_to_budget(part, budget) if part else []
            continue
        if size + cost > budget and current:
            pieces.append(" ".join(current))
            current, size = [], 0
        current.append(unit)
        size += cost
    if current:
        pieces.append(" ".join(current))
    return pieces


class Executor:
    def __init__(self, provider: Provider, model: ModelSpec, *, tone: str, locale: str) -> None:
        self.provider, self.model, self.tone, self.locale = provider, model, tone, locale
        self.calls = 0
        self.input_tokens = 0
        self.output_tokens = 0
        self.estimated = False
        # Checked before each model call: a cancelled run stops between chunks.
        self.should_stop: Callable[[], bool] = lambda: False
        # Told after each model call (calls so far, chunks of the input): progress bars.
        self.on_call: Callable[[int, int], None] = lambda calls, chunks: None
        self.chunks = 1

    async def call(self, task: Task, text: str, options: dict[str, Any]) -> Completion:
        if self.should_stop():
            raise RunCancelled()
        request = CompletionRequest(
            model=self.model,
            messages=task_messages(task, text, tone=self.tone, locale=self.locale),
            task=task.value,
            input_text=text,
            options={"tone": self.tone, **options},
        )
        completion = await self.provider.complete(request)
        self.calls += 1
        self.on_call(self.calls, self.chunks)
        self.input_tokens += completion.usage.input_tokens
        self.output_tokens += completion.usage.output_tokens
        self.estimated = self.estimated or completion.usage.estimated
        return completion

    def usage(self) -> Usage:
        return Usage(self.input_tokens, self.output_tokens, self.estimated)

    async def run(self, task: Task, text: str, options: dict[str, Any]) -> TaskResult:
        budget = input_budget(self.model)
        chunks = split_to_budget(text, budget) if count_tokens(text) > budget else [text]
        self.chunks = len(chunks)
        if task is Task.SUMMARIZE:
            result_text, finish = await self.summarize_hierarchically(chunks, budget, options)
            return TaskResult(result_text, self.usage(), self.calls, len(chunks), finish)
        outputs = [await self.call(task, chunk, options) for chunk in chunks]
        finish = outputs[-1].finish_reason
        if task is Task.EXTRACTION:
            merged = merge_extractions([o.text for o in outputs])
            return TaskResult(
                json.dumps(merged, ensure_ascii=False), self.usage(), self.calls, len(chunks),
                finish, data=merged,
            )  # fmt: skip
        joined = "\n\n".join(o.text for o in outputs)
        return TaskResult(joined, self.usage(), self.calls, len(chunks), finish)

    async def summarize_hierarchically(
        self, chunks: list[str], budget: int, options: dict[str, Any]
    ) -> tuple[str, str]:
        level = chunks
        while True:
            outputs = [await self.call(Task.SUMMARIZE, chunk, options) for chunk in level]
            if len(outputs) == 1:
                return outputs[0].text, outputs[0].finish_reason
            combined = "\n\n".join(o.text for o in outputs)
            next_level = split_to_budget(combined, budget)
            if len(next_level) >= len(level):  # summaries no shorter: stop rather than loop
                return combined, outputs[-1].finish_reason
            level = next_level


def merge_extractions(texts: list[str]) -> dict[str, Any]:
    merged: dict[str, list[Any]] = {}
    for text in texts:
        try:
            part = json.loads(text)
        except ValueError:
            continue  # a model that answered with prose: skip that chunk's fields
        if not isinstance(part, dict):
            continue
        for key, values in part.items():
            bucket = merged.setdefault(key, [])
            for value in values if isinstance(values, list) else [values]:
                if value not in bucket:
                    bucket.append(value)
    return merged
