"""Server-sent events for /v1: the producer runs in a task of its own, so a client that
disconnects midway does not stop the run from being finished and billed."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from typing import Any

import httpx

from raypx.ai.providers.openai_compat import reported_usage
from raypx.errors import RaypxError
from raypx.gateway import errors

log = logging.getLogger(__name__)
DONE = b"data: [DONE]\n\n"
TRANSIENT_ERRORS = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)
_background: set[asyncio.Task[None]] = set()


def data(body: dict[str, Any]) -> bytes:
    return b"data: " + json.dumps(body, separators=(",", ":")).encode() + b"\n\n"


def error(exc: RaypxError) -> bytes:
    return data(errors.error_event(exc))


def inspect_chunk(payload: str, parts: list[str]) -> tuple[bool, Any]:
    """Read an upstream chunk: keep its text in `parts`; (forward it?, its usage if any).
    The usage-only chunk Raypx asked for on its own behalf is not forwarded."""
    try:
        chunk = json.loads(payload)
    except ValueError:
        return True, None
    if not isinstance(chunk, dict):
        return True, None
    choices = chunk.get("choices") or []
    for choice in choices:
        content = (choice.get("delta") or {}).get("content") if isinstance(choice, dict) else None
        if content:
            parts.append(content)
    usage = reported_usage(chunk.get("usage"))
    return bool(choices) or usage is None, usage


def relay(events: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    queue: asyncio.Queue[bytes | None] = asyncio.Queue()

    async def produce() -> None:
        try:
            async for event in events:
                queue.put_nowait(event)
        except Exception:  # the run is already recorded by the producer; tell the listener
            log.exception("an API stream failed unexpectedly")
            queue.put_nowait(data(errors.body("internal error", "api_error", None)))
        finally:
            queue.put_nowait(None)

    task = asyncio.create_task(produce())
    _background.add(task)
    task.add_done_callback(_background.discard)

    async def listen() -> AsyncIterator[bytes]:
        while (event := await queue.get()) is not None:
            yield event

    return listen()


async def drain(within: float) -> None:
    """On shutdown: let streams whose clients left finish recording, within `within` seconds."""
    pending = list(_background)
    if not pending:
        return
    try:
        async with asyncio.timeout(within):
            await asyncio.gather(*pending, return_exceptions=True)
    except TimeoutError:
        for task in pending:
            task.cancel()
