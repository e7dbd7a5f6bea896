"""A local server speaking the real OpenAI Chat Completions wire format, driven by a script.

Each test queues the answers the server gives, in order: a JSON completion, an SSE stream (with
the usage chunk before `[DONE]`), an HTTP error with headers, a malformed chunk, or a stream that
drops the connection halfway. The server records every request body it received.
"""

from __future__ import annotations

import asyncio
import json
from collections import deque
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from tests.fakes.asgi_server import serving


@dataclass
class Scripted:
    kind: str  # "json" | "raw" (`body` as is) | "stream" | "error" | "cut"
    text: str = ""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    usage: tuple[int, int] | None = (11, 7)
    malformed: bool = False
    body: dict[str, Any] | None = None


def completion_body(text: str, usage: tuple[int, int] | None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}
        ],
    }
    if usage:
        body["usage"] = {
            "prompt_tokens": usage[0],
            "completion_tokens": usage[1],
            "total_tokens": sum(usage),
        }
    return body


def sse(data: dict[str, Any] | str) -> bytes:
    payload = data if isinstance(data, str) else json.dumps(data)
    return f"data: {payload}\n\n".encode()


class FakeOpenAIServer:
    def __init__(self) -> None:
        self.script: deque[Scripted] = deque()
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.app = Starlette(
            routes=[
                Route("/v1/chat/completions", self.handle, methods=["POST"]),
                Route("/v1/embeddings", self.embeddings, methods=["POST"]),
            ]
        )
        self.base_url = ""

    def queue(self, *items: Scripted) -> None:
        self.script.extend(items)

    async def handle(self, request: Request) -> Response:
        body = await request.json()
        self.requests.append(body)
        self.headers.append(dict(request.headers))
        item = self.script.popleft() if self.script else Scripted("json", "default reply")
        if item.kind == "error":
            return JSONResponse(
                {"error": {"message": item.text or "scripted error"}},
                status_code=item.status,
                headers=item.headers,
            )
        if item.kind == "json":
            return JSONResponse(completion_body(item.text, item.usage))
        if item.kind == "raw":
            return JSONResponse(item.body)
        return StreamingResponse(self.stream(item), media_type="text/event-stream")

    async def embeddings(self, request: Request) -> Response:
        """Deterministic 8-dimensional vectors: the input's length and its first letters."""
        body = await request.json()
        self.requests.append(body)
        inputs = body["input"] if isinstance(body["input"], list) else [body["input"]]
        data = [
            {"object": "embedding", "index": i,
             "embedding": [float(len(t)), *[float(ord(c) % 7) for c in (t + "       ")[:7]]]}
            for i, t in enumerate(inputs)
        ]  # fmt: skip
        tokens = sum(len(t.split()) for t in inputs)
        return JSONResponse(
            {"object": "list", "data": data, "model": body["model"],
             "usage": {"prompt_tokens": tokens, "total_tokens": tokens}}
        )  # fmt: skip

    async def stream(self, item: Scripted) -> AsyncIterator[bytes]:
        words = item.text.split(" ")
        for index, word in enumerate(words):
            if item.kind == "cut" and index == len(words) // 2:
                # Abort the connection without the terminating chunk.
                raise ConnectionResetError("scripted cut")
            piece = word if index == 0 else " " + word
            yield sse(
                {"choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]}
            )
            if item.malformed and index == 0:
                yield b"data: {not json\n\n"
            await asyncio.sleep(0)
        yield sse({"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
        if item.usage:
            yield sse(
                {
                    "choices": [],
                    "usage": {
                        "prompt_tokens": item.usage[0],
                        "completion_tokens": item.usage[1],
                        "total_tokens": sum(item.usage),
                    },
                }
            )
        yield sse("[DONE]")


def running_server() -> Iterator[FakeOpenAIServer]:
    server = FakeOpenAIServer()
    with serving(server.app) as url:
        server.base_url = f"{url}/v1"
        yield server
