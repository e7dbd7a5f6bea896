"""Any OpenAI-compatible Chat Completions server: OpenAI, Ollama, vLLM, LM Studio.

Retries follow what openai-python and the AI SDK do: exponential backoff with jitter on timeouts,
connection errors, 408, 409, 429 and 5xx, honouring Retry-After; never on other 4xx; never once a
stream has started (the caller already holds part of the reply).
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from raypx.ai.providers.base import (
    Completion,
    CompletionRequest,
    ProviderError,
    StreamInterrupted,
    Usage,
)
from raypx.ai.tokens import count_message_tokens, count_tokens

log = logging.getLogger(__name__)
RETRYABLE_STATUS = {408, 409, 429}
TRANSIENT_ERRORS = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)
MAX_RETRY_AFTER = 30.0


class OpenAICompatibleProvider:
    def __init__(
        self,
        base_url: str,
        api_key: str | None,
        *,
        timeout: float = 60.0,
        max_retries: int = 2,
        backoff_base: float = 0.5,
    ) -> None:
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self.client = httpx.AsyncClient(
            base_url=base_url.rstrip("/"),
            headers=headers,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
        )
        self.timeout = timeout
        self.max_retries = max_retries
        self.backoff_base = backoff_base

    async def aclose(self) -> None:
        await self.client.aclose()

    def payload(self, request: CompletionRequest, stream: bool) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": request.model.model_id,
            "messages": [m.as_dict() for m in request.messages],
        }
        if request.max_output_tokens is not None:
            body["max_tokens"] = request.max_output_tokens
        if "temperature" in request.options:
            body["temperature"] = request.options["temperature"]
        if stream:
            body["stream"] = True
            body["stream_options"] = {"include_usage": True}
        return body

    async def complete(self, request: CompletionRequest) -> Completion:
        response = await self.send(self.payload(request, stream=False), stream=False)
        try:
            data = response.json()
            choice = data["choices"][0]
            text = (choice.get("message") or {}).get("content") or ""
            finish = choice.get("finish_reason") or "stop"
        except (ValueError, KeyError, IndexError, TypeError, AttributeError) as exc:
            raise ProviderError(f"the provider sent a malformed response ({exc})") from None
        counted = reported_usage(data.get("usage")) or estimate_usage(request, text)
        return Completion(text=text, finish_reason=finish, usage=counted)

    async def stream(self, request: CompletionRequest) -> AsyncIterator[str | Completion]:
        response = await self.send(self.payload(request, stream=True), stream=True)
        parts: list[str] = []
        finish = "stop"
        usage: Usage | None = None
        done = False
        try:
            async for line in response.aiter_lines():
                if not line.startswith("data:"):
                    continue
                data = line[5:].strip()
                if data == "[DONE]":
                    done = True
                    break
                try:
                    chunk = json.loads(data)
                    if not isinstance(chunk, dict):
                        raise ValueError("not an object")
                except ValueError:
                    log.warning("skipped a malformed stream chunk from the AI provider")
                    continue
                usage = reported_usage(chunk.get("usage")) or usage
                for choice in chunk.get("choices") or []:
                    if not isinstance(choice, dict):
                        continue
                    delta = (choice.get("delta") or {}).get("content")
                    if delta:
                        parts.append(delta)
                        yield delta
                    if choice.get("finish_reason"):
                        finish = choice["finish_reason"]
        except TRANSIENT_ERRORS as exc:
            raise StreamInterrupted(
                f"the AI provider's stream broke ({type(exc).__name__})",
                Completion("".join(parts), "interrupted", estimate_usage(request, "".join(parts))),
            ) from None
        finally:
            await response.aclose()
        text = "".join(parts)
        if not done:
            raise StreamInterrupted(
                "the AI provider's stream ended before it finished",
                Completion(text, "interrupted", estimate_usage(request, text)),
            )
        yield Completion(
            text=text, finish_reason=finish, usage=usage or estimate_usage(request, text)
        )

    async def send(self, body: dict[str, Any], *, stream: bool) -> httpx.Response:
        """POST /chat/completions with retries; returns a 200 response (open, when streaming)."""
        last_problem = ""
        for attempt in range(self.max_retries + 1):
            delay: float | None = None
            try:
                http_request = self.client.build_request("POST", "/chat/completions", json=body)
                response = await self.client.send(http_request, stream=stream)
            except TRANSIENT_ERRORS as exc:
                last_problem = type(exc).__name__
            else:
                if response.status_code < 400:
                    return response
                if stream:
                    await response.aread()
                await response.aclose()
                if not retryable_status(response.status_code):
                    raise error_from_response(response)
                last_problem = f"HTTP {response.status_code}"
                delay = retry_after(response)
            if attempt < self.max_retries:
                await asyncio.sleep(delay if delay is not None else self.backoff(attempt))
        raise ProviderError(
            f"the AI provider did not answer after {self.max_retries + 1} attempts "
            f"({last_problem})",
            retryable=True,
            code="AI_PROVIDER_UNAVAILABLE",
        )

    def backoff(self, attempt: int) -> float:
        # Full jitter: spreads retries of many clients instead of synchronising them.
        return float(random.uniform(0, self.backoff_base * 2**attempt))


def reported_usage(usage: Any) -> Usage | None:
    """The provider's own token counts, when present and sane; else None (count locally)."""
    if not isinstance(usage, dict):
        return None
    try:
        prompt, completion = int(usage["prompt_tokens"]), int(usage["completion_tokens"])
    except (KeyError, TypeError, ValueError):
        return None
    return Usage(prompt, completion) if prompt >= 0 and completion >= 0 else None


def retryable_status(status: int) -> bool:
    return status in RETRYABLE_STATUS or status >= 500


def retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        seconds = (when - datetime.now(UTC)).total_seconds()
    return max(0.0, min(seconds, MAX_RETRY_AFTER))


def error_from_response(response: httpx.Response) -> ProviderError:
    detail = ""
    try:
        body = response.json()
        detail = str((body.get("error") or {}).get("message") or "")[:300]
    except ValueError:
        pass
    status = response.status_code
    if status in (401, 403):
        return ProviderError("the AI provider rejected the API key", code="AI_PROVIDER_AUTH")
    if status == 404:
        return ProviderError(
            f"the AI provider does not know this model{': ' + detail if detail else ''}",
            code="AI_PROVIDER_MODEL_NOT_FOUND",
        )
    return ProviderError(
        f"the AI provider refused the request (HTTP {status}){': ' + detail if detail else ''}",
        code="AI_PROVIDER_REJECTED",
    )


def estimate_usage(request: CompletionRequest, text: str) -> Usage:
    prompt = count_message_tokens([m.as_dict() for m in request.messages])
    return Usage(prompt, count_tokens(text), estimated=True)
