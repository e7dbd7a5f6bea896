"""An OpenAI-compatible upstream with fixed latency, for benchmarks/openai_proxy.py.

Streams a chat completion: the first token after UPSTREAM_TTFT_MS (default 100), then
UPSTREAM_CHUNKS more (default 10) UPSTREAM_GAP_MS apart (default 10), the usage chunk, [DONE].
Run:  python -m uvicorn benchmarks.fake_upstream:app --port 9000
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

TTFT = float(os.environ.get("UPSTREAM_TTFT_MS", "100")) / 1000
GAP = float(os.environ.get("UPSTREAM_GAP_MS", "10")) / 1000
CHUNKS = int(os.environ.get("UPSTREAM_CHUNKS", "10"))


def chunk(delta: dict[str, str], finish: str | None = None) -> bytes:
    body = {"id": "chatcmpl-up", "object": "chat.completion.chunk", "created": 1,
            "model": "gpt-4o-mini",
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}  # fmt: skip
    return f"data: {json.dumps(body)}\n\n".encode()


async def stream() -> AsyncIterator[bytes]:
    await asyncio.sleep(TTFT)
    yield chunk({"role": "assistant", "content": "word0"})
    for index in range(1, CHUNKS + 1):
        await asyncio.sleep(GAP)
        yield chunk({"content": f" word{index}"})
    yield chunk({}, "stop")
    usage = {"prompt_tokens": 12, "completion_tokens": CHUNKS + 1, "total_tokens": CHUNKS + 13}
    yield f"data: {json.dumps({'choices': [], 'usage': usage})}\n\n".encode()
    yield b"data: [DONE]\n\n"


async def completions(request: Request) -> Response:
    body = await request.json()
    if not body.get("stream"):
        return JSONResponse({"error": {"message": "this fake only streams"}}, status_code=400)
    return StreamingResponse(stream(), media_type="text/event-stream")


async def health(request: Request) -> Response:
    return JSONResponse({"ok": True})


app = Starlette(routes=[
    Route("/v1/chat/completions", completions, methods=["POST"]),
    Route("/health", health),
])  # fmt: skip
