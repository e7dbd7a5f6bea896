"""Fault-injecting provider for tests and demos (`fake:*` models, on with RAYPX_AI_ENABLE_FAKE).

Shipped in the package, like httpx's MockTransport, so applications built on Raypx can test their
failure paths the same way Raypx does.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator

from raypx.ai.providers import mock
from raypx.ai.providers.base import (
    Completion,
    CompletionRequest,
    ProviderError,
    StreamInterrupted,
    Usage,
)
from raypx.ai.tokens import count_message_tokens, count_tokens

FLAKY_FAILURES = 2  # `fake:flaky` fails this many times per prompt, then answers


class FakeProvider:
    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()

    def reply(self, request: CompletionRequest) -> str:
        if request.model.model_id == "tiny":
            return mock.respond(request)
        last = next((m.content for m in reversed(request.messages) if m.role == "user"), "")
        return f"echo: {last}"

    def usage(self, request: CompletionRequest, text: str, estimated: bool = False) -> Usage:
        prompt = count_message_tokens([m.as_dict() for m in request.messages])
        return Usage(prompt, count_tokens(text), estimated=estimated)

    def check_faults(self, request: CompletionRequest) -> None:
        behaviour = request.model.model_id
        key = request.model.name + "\n" + "\n".join(m.content for m in request.messages)
        self.calls[key] += 1
        if behaviour == "fail":
            raise ProviderError("fake provider: permanent failure", code="AI_PROVIDER_REJECTED")
        if behaviour == "flaky" and self.calls[key] <= FLAKY_FAILURES:
            raise ProviderError("fake provider: temporarily unavailable", retryable=True)

    async def complete(self, request: CompletionRequest) -> Completion:
        self.check_faults(request)
        text = self.reply(request)
        if request.model.model_id == "slow":
            await asyncio.sleep(0.05 * len(text.split()))  # a slow model, not synchronisation
        return Completion(text, "stop", self.usage(request, text))

    async def stream(self, request: CompletionRequest) -> AsyncIterator[str | Completion]:
        self.check_faults(request)
        text = self.reply(request)
        pieces = [w + " " for w in text.split(" ")]
        pieces[-1] = pieces[-1].rstrip()
        behaviour = request.model.model_id
        sent: list[str] = []
        for index, piece in enumerate(pieces):
            if behaviour == "cut" and index >= max(1, len(pieces) // 2):
                partial = "".join(sent)
                raise StreamInterrupted(
                    "fake provider: connection dropped mid-stream",
                    Completion(partial, "interrupted", self.usage(request, partial, True)),
                )
            if behaviour == "slow":
                await asyncio.sleep(0.05)  # a slow model, not test synchronisation
            sent.append(piece)
            yield piece
        yield Completion(text, "stop", self.usage(request, text))
