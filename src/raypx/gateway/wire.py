"""The OpenAI wire format: request bodies as Raypx accepts them, response bodies as it sends them.

Requests keep fields they do not name (`extra="allow"`): a request to an OpenAI-compatible
upstream is forwarded with everything the client sent (top_p, response_format, seed…).
"""

from __future__ import annotations

import time
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from raypx.ai.providers.base import ChatMessage, Usage
from raypx.api.schemas.text import JSONObject, Text

MAX_BODY_BYTES = 8 * 1024 * 1024


class WireMessage(BaseModel):
    model_config = ConfigDict(extra="allow")
    role: Literal["system", "developer", "user", "assistant", "tool"]
    # NUL-free (Text, JSONObject): the prompt and the reply land in PostgreSQL text columns.
    content: Text | list[JSONObject] | None = None
    tool_calls: list[JSONObject] | None = None
    tool_call_id: Text | None = None

    def text(self) -> str:
        """The message's text: a string, or the text parts of a content list."""
        if isinstance(self.content, str):
            return self.content
        parts = self.content or []
        return "".join(str(p.get("text", "")) for p in parts if p.get("type") == "text")


class StreamOptions(BaseModel):
    model_config = ConfigDict(extra="allow")
    include_usage: bool = False


class ChatCompletionRequest(BaseModel):
    model_config = ConfigDict(extra="allow")
    model: Text = Field(examples=["mock:raypx-1"], description="provider:model, see GET /v1/models")
    messages: list[WireMessage] = Field(min_length=1)
    stream: bool = False
    stream_options: StreamOptions | None = None
    max_tokens: int | None = Field(default=None, ge=1)
    max_completion_tokens: int | None = Field(default=None, ge=1)
    temperature: float | None = Field(default=None, ge=0, le=2)
    n: int | None = Field(default=None, ge=1, le=1, description="One choice per request")
    tools: list[JSONObject] | None = None
    tool_choice: Text | JSONObject | None = None

    @property
    def output_limit(self) -> int | None:
        return self.max_completion_tokens or self.max_tokens

    @property
    def wants_usage(self) -> bool:
        return bool(self.stream_options and self.stream_options.include_usage)

    def uses_tools(self) -> bool:
        return bool(self.tools) or any(m.role == "tool" or m.tool_calls for m in self.messages)

    def chat_messages(self) -> list[ChatMessage]:
        role = {"developer": "system"}
        return [ChatMessage(role.get(m.role, m.role), m.text()) for m in self.messages]

    def prompt_text(self) -> str:
        """What the run records as its prompt: the last user message."""
        users = [m for m in self.messages if m.role == "user"]
        return (users[-1] if users else self.messages[-1]).text()

    def characters(self) -> int:
        return sum(len(m.text()) for m in self.messages)


class EmbeddingRequest(BaseModel):
    model_config = ConfigDict(extra="allow")
    model: Text = Field(examples=["openai:text-embedding-3-small"])
    input: Text | list[Text] | list[int] | list[list[int]]
    encoding_format: Literal["float", "base64"] = "float"
    dimensions: int | None = Field(default=None, ge=1)


def usage_body(usage: Usage) -> dict[str, int]:
    return {
        "prompt_tokens": usage.input_tokens,
        "completion_tokens": usage.output_tokens,
        "total_tokens": usage.total,
    }


def completion_body(
    completion_id: str, model: str, text: str, finish: str, usage: Usage
) -> dict[str, Any]:
    return {
        "id": completion_id,
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": text, "refusal": None},
                "logprobs": None,
                "finish_reason": finish,
            }
        ],
        "usage": usage_body(usage),
        "system_fingerprint": None,
    }


def chunk_body(
    completion_id: str,
    model: str,
    delta: dict[str, Any] | None,
    finish: str | None = None,
    usage: Usage | None = None,
) -> dict[str, Any]:
    choices = (
        [] if delta is None else [{"index": 0, "delta": delta, "logprobs": None,
                                   "finish_reason": finish}]
    )  # fmt: skip
    body: dict[str, Any] = {
        "id": completion_id,
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
        "choices": choices,
        "system_fingerprint": None,
    }
    if usage is not None:
        body["usage"] = usage_body(usage)
    return body


def finish_reason(reason: str) -> str:
    return reason if reason in {"stop", "length", "tool_calls", "content_filter"} else "stop"
