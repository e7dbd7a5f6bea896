"""POST /v1/chat/completions: an admitted run answered by its provider, in OpenAI's format.

OpenAI-compatible upstreams get the client's request as sent (tools, response_format and all;
only `model` becomes the upstream id) and their answer goes back as received, so nothing is
lost in translation and little time is spent on it. The offline and fake providers answer
through Raypx's provider interface and are rendered in the same format; they have no tools.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from raypx.ai.providers.base import Completion, CompletionRequest, ProviderError, Usage
from raypx.ai.providers.openai_compat import (
    OpenAICompatibleProvider,
    estimate_usage,
    reported_usage,
)
from raypx.ai.runtime import AIRuntime
from raypx.db.engine import SessionFactory
from raypx.errors import Invalid
from raypx.gateway import metering, streams, wire


@dataclass(frozen=True)
class Call:
    admitted: metering.Admitted
    body: wire.ChatCompletionRequest
    completion_id: str
    upstream: OpenAICompatibleProvider | None  # None: a native (offline or fake) provider

    def native_request(self) -> CompletionRequest:
        options: dict[str, Any] = {}
        if self.body.temperature is not None:
            options["temperature"] = self.body.temperature
        return CompletionRequest(
            self.admitted.spec, self.body.chat_messages(), task="chat",
            input_text=self.body.prompt_text(), options=options,
            max_output_tokens=self.body.output_limit,
        )  # fmt: skip

    def upstream_payload(self, stream: bool) -> dict[str, Any]:
        payload = self.body.model_dump(mode="json", exclude_unset=True)
        payload["model"] = self.admitted.spec.model_id
        if stream:  # usage is how the run is billed: always ask for it
            payload["stream_options"] = {**payload.get("stream_options", {}),
                                         "include_usage": True}  # fmt: skip
        return payload


async def start(
    factory: SessionFactory, runtime: AIRuntime, user_id: str, body: wire.ChatCompletionRequest
) -> Call:
    spec = runtime.registry.resolve(metering.model_name(runtime, body.model))
    provider = runtime.providers.for_model(spec)
    upstream = provider if isinstance(provider, OpenAICompatibleProvider) else None
    if upstream is None and body.uses_tools():
        raise Invalid(f"model {spec.name} does not support tools", code="TOOLS_NOT_SUPPORTED")
    admitted = await metering.open_run(
        factory, runtime, user_id, model=body.model, prompt=body.prompt_text(),
        characters=body.characters(),
    )  # fmt: skip
    return Call(admitted, body, f"chatcmpl-{uuid.uuid4().hex}", upstream)


async def complete(factory: SessionFactory, runtime: AIRuntime, call: Call) -> dict[str, Any]:
    spec = call.admitted.spec
    try:
        if call.upstream is None:
            request = call.native_request()
            done = await runtime.providers.for_model(spec).complete(request)
            result = wire.completion_body(
                call.completion_id, spec.name, done.text, wire.finish_reason(done.finish_reason),
                done.usage,
            )  # fmt: skip
            text, consumed = done.text, done.usage
        else:
            response = await call.upstream.send(call.upstream_payload(False), stream=False)
            result, text, consumed = upstream_result(call, response.content)
    except ProviderError as exc:
        await metering.close_run(factory, call.admitted, text="", consumed=Usage(0, 0),
                                 error=exc.message)  # fmt: skip
        raise
    await metering.close_run(factory, call.admitted, text=text, consumed=consumed)
    return result


def upstream_result(call: Call, raw: bytes) -> tuple[dict[str, Any], str, Usage]:
    try:
        result = json.loads(raw)
        message = result["choices"][0].get("message") or {}
        text = message.get("content") or ""
        if message.get("tool_calls"):  # the run keeps what the model asked for
            text = text or json.dumps(message["tool_calls"])
    except (ValueError, KeyError, IndexError, TypeError, AttributeError) as exc:
        raise ProviderError(f"the provider sent a malformed response ({exc})") from None
    request = call.native_request()
    consumed = reported_usage(result.get("usage")) or estimate_usage(request, text)
    result["model"] = call.admitted.spec.name
    return result, text, consumed


def unexpected(exc: Exception) -> ProviderError:
    if isinstance(exc, streams.TRANSIENT_ERRORS):
        return ProviderError(f"the AI provider's stream broke ({type(exc).__name__})")
    return ProviderError(f"internal error ({type(exc).__name__})")


def stream(factory: SessionFactory, runtime: AIRuntime, call: Call) -> AsyncIterator[bytes]:
    """SSE lines; the run is recorded even if the client leaves midway."""
    producer = native_events if call.upstream is None else upstream_events
    return streams.relay(producer(factory, runtime, call))


async def native_events(
    factory: SessionFactory, runtime: AIRuntime, call: Call
) -> AsyncIterator[bytes]:
    spec, cid = call.admitted.spec, call.completion_id
    request = call.native_request()
    parts: list[str] = []
    yield streams.data(wire.chunk_body(cid, spec.name, {"role": "assistant", "content": ""}))
    try:
        async for item in runtime.providers.for_model(spec).stream(request):
            if isinstance(item, Completion):
                await metering.close_run(factory, call.admitted, text=item.text,
                                         consumed=item.usage)  # fmt: skip
                finish = wire.finish_reason(item.finish_reason)
                yield streams.data(wire.chunk_body(cid, spec.name, {}, finish))
                if call.body.wants_usage:
                    yield streams.data(wire.chunk_body(cid, spec.name, None, usage=item.usage))
                yield streams.DONE
                return
            parts.append(item)
            yield streams.data(wire.chunk_body(cid, spec.name, {"content": item}))
        raise ProviderError("the model's stream ended early")
    except Exception as exc:  # recorded as a failed run, reported in the stream
        problem = exc if isinstance(exc, ProviderError) else unexpected(exc)
        text = "".join(parts)
        await metering.close_run(
            factory,
            call.admitted,
            text=text,
            consumed=estimate_usage(request, text),
            error=problem.message,
        )
        yield streams.error(problem)


async def upstream_events(
    factory: SessionFactory, runtime: AIRuntime, call: Call
) -> AsyncIterator[bytes]:
    assert call.upstream is not None
    request = call.native_request()
    parts: list[str] = []
    consumed: Usage | None = None
    try:
        response = await call.upstream.send(call.upstream_payload(True), stream=True)
    except ProviderError as exc:
        await metering.close_run(factory, call.admitted, text="", consumed=Usage(0, 0),
                                 error=exc.message)  # fmt: skip
        yield streams.error(exc)
        return
    try:
        async for line in response.aiter_lines():
            if not line.startswith("data:"):
                continue
            payload = line[5:].strip()
            if payload == "[DONE]":
                text = "".join(parts)
                await metering.close_run(
                    factory, call.admitted, text=text,
                    consumed=consumed or estimate_usage(request, text),
                )  # fmt: skip
                yield streams.DONE
                return
            forward, usage = streams.inspect_chunk(payload, parts)
            consumed = usage or consumed
            if forward or call.body.wants_usage:
                yield f"data: {payload}\n\n".encode()
        raise ProviderError("the AI provider's stream ended before it finished")
    except Exception as exc:  # recorded as a failed run, reported in the stream
        text = "".join(parts)
        problem = exc if isinstance(exc, ProviderError) else unexpected(exc)
        await metering.close_run(
            factory,
            call.admitted,
            text=text,
            consumed=estimate_usage(request, text),
            error=problem.message,
        )
        yield streams.error(problem)
    finally:
        await response.aclose()
