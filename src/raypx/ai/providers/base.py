"""The one small interface every provider implements, and what it returns."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from raypx.ai.registry import ModelSpec
from raypx.errors import RaypxError


@dataclass(frozen=True)
class ChatMessage:
    role: str  # system | user | assistant
    content: str

    def as_dict(self) -> dict[str, str]:
        return {"role": self.role, "content": self.content}


@dataclass(frozen=True)
class CompletionRequest:
    model: ModelSpec
    messages: list[ChatMessage]
    # What the request is for, and the text it works on: the offline provider works from these;
    # remote providers only read `messages`.
    task: str = "chat"
    input_text: str = ""
    options: dict[str, Any] = field(default_factory=dict)
    max_output_tokens: int | None = None


@dataclass(frozen=True)
class Usage:
    input_tokens: int
    output_tokens: int
    estimated: bool = False  # counted locally because the provider never reported it

    @property
    def total(self) -> int:
        return self.input_tokens + self.output_tokens


@dataclass(frozen=True)
class Completion:
    text: str
    finish_reason: str
    usage: Usage


class ProviderError(RaypxError):
    """A provider failed. `retryable` errors may succeed if tried again later."""

    status_code = 502
    default_code = "AI_PROVIDER_ERROR"

    def __init__(self, message: str, *, retryable: bool = False, code: str | None = None) -> None:
        super().__init__(message, code=code)
        self.retryable = retryable


class StreamInterrupted(ProviderError):
    """The stream broke after it started: what arrived is kept and billed (counted locally)."""

    default_code = "AI_STREAM_INTERRUPTED"

    def __init__(self, message: str, partial: Completion) -> None:
        super().__init__(message, retryable=False)
        self.partial = partial


class Provider(Protocol):
    async def complete(self, request: CompletionRequest) -> Completion: ...

    def stream(self, request: CompletionRequest) -> AsyncIterator[str | Completion]:
        """Text deltas as they arrive, then one final Completion with the usage."""
        ...
