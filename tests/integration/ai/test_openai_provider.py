"""The OpenAI-compatible provider against a local server speaking the real wire format."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from decimal import Decimal

import pytest

from raypx.ai.providers.base import (
    ChatMessage,
    Completion,
    CompletionRequest,
    ProviderError,
    StreamInterrupted,
)
from raypx.ai.providers.openai_compat import OpenAICompatibleProvider
from raypx.ai.registry import ModelSpec
from raypx.ai.tokens import count_tokens
from tests.fakes.openai_server import FakeOpenAIServer, Scripted, running_server

MODEL = ModelSpec("openai:llama3:8b", 8192, Decimal("1"), Decimal("2"))
REQUEST = CompletionRequest(MODEL, [ChatMessage("system", "Be brief."), ChatMessage("user", "Hi")])


@pytest.fixture(scope="module")
def server() -> Iterator[FakeOpenAIServer]:
    yield from running_server()


@pytest.fixture
async def provider(server: FakeOpenAIServer) -> AsyncIterator[OpenAICompatibleProvider]:
    server.script.clear()
    server.requests.clear()
    server.headers.clear()
    client = OpenAICompatibleProvider(
        server.base_url, "sk-test", timeout=5, max_retries=2, backoff_base=0.01
    )
    yield client
    await client.aclose()


async def collect(provider: OpenAICompatibleProvider) -> tuple[list[str], Completion]:
    deltas: list[str] = []
    async for item in provider.stream(REQUEST):
        if isinstance(item, Completion):
            return deltas, item
        deltas.append(item)
    raise AssertionError("stream ended without a final completion")


async def test_complete_sends_the_wire_format_and_reads_usage(
    provider: OpenAICompatibleProvider, server: FakeOpenAIServer
) -> None:
    server.queue(Scripted("json", "Hello there", usage=(12, 3)))
    completion = await provider.complete(REQUEST)
    assert completion.text == "Hello there"
    assert (completion.usage.input_tokens, completion.usage.output_tokens) == (12, 3)
    assert not completion.usage.estimated
    # The model id after the first colon, colons included.
    assert server.requests[0]["model"] == "llama3:8b"
    assert server.requests[0]["messages"][1] == {"role": "user", "content": "Hi"}
    assert server.headers[0]["authorization"] == "Bearer sk-test"


async def test_stream_yields_deltas_and_the_reported_usage(
    provider: OpenAICompatibleProvider, server: FakeOpenAIServer
) -> None:
    server.queue(Scripted("stream", "one two three four", usage=(20, 4)))
    deltas, final = await collect(provider)
    assert "".join(deltas) == "one two three four" and len(deltas) == 4
    assert final.text == "one two three four"
    assert (final.usage.input_tokens, final.usage.output_tokens, final.usage.estimated) == (
        20, 4, False,
    )  # fmt: skip
    assert server.requests[0]["stream"] is True
    assert server.requests[0]["stream_options"] == {"include_usage": True}


async def test_retries_429_and_5xx_then_succeeds(
    provider: OpenAICompatibleProvider, server: FakeOpenAIServer
) -> None:
    server.queue(
        Scripted("error", status=429, headers={"Retry-After": "0"}),
        Scripted("error", status=503),
        Scripted("json", "finally"),
    )
    completion = await provider.complete(REQUEST)
    assert completion.text == "finally"
    assert len(server.requests) == 3


async def test_gives_up_after_the_retry_budget(
    provider: OpenAICompatibleProvider, server: FakeOpenAIServer
) -> None:
    server.queue(*[Scripted("error", status=500) for _ in range(3)])
    with pytest.raises(ProviderError) as caught:
        await provider.complete(REQUEST)
    assert caught.value.retryable
    assert caught.value.code == "AI_PROVIDER_UNAVAILABLE"
    assert "3 attempts (HTTP 500)" in caught.value.message
    assert len(server.requests) == 3


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (400, "AI_PROVIDER_REJECTED"),
        (401, "AI_PROVIDER_AUTH"),
        (404, "AI_PROVIDER_MODEL_NOT_FOUND"),
    ],
)
async def test_other_4xx_fail_at_once_with_a_clear_error(
    provider: OpenAICompatibleProvider, server: FakeOpenAIServer, status: int, code: str
) -> None:
    server.queue(Scripted("error", status=status, text="bad things"))
    with pytest.raises(ProviderError) as caught:
        await provider.complete(REQUEST)
    assert caught.value.code == code and not caught.value.retryable
    assert len(server.requests) == 1
    assert "sk-test" not in caught.value.message


async def test_malformed_chunks_are_skipped(
    provider: OpenAICompatibleProvider, server: FakeOpenAIServer
) -> None:
    server.queue(Scripted("stream", "still fine here", malformed=True))
    _, final = await collect(provider)
    assert final.text == "still fine here"


async def test_a_cut_stream_keeps_what_arrived_and_counts_it_locally(
    provider: OpenAICompatibleProvider, server: FakeOpenAIServer
) -> None:
    server.queue(Scripted("cut", "alpha beta gamma delta epsilon zeta"))
    received: list[str] = []
    with pytest.raises(StreamInterrupted) as caught:
        async for item in provider.stream(REQUEST):
            assert isinstance(item, str)
            received.append(item)
    partial = caught.value.partial
    assert partial.text == "".join(received) == "alpha beta gamma"
    assert partial.usage.estimated
    assert partial.usage.output_tokens == count_tokens("alpha beta gamma")
    # Never retried once the stream had started.
    assert len(server.requests) == 1


async def test_stream_retries_before_it_starts(
    provider: OpenAICompatibleProvider, server: FakeOpenAIServer
) -> None:
    server.queue(Scripted("error", status=502), Scripted("stream", "after retry"))
    _, final = await collect(provider)
    assert final.text == "after retry"
    assert len(server.requests) == 2


async def test_connection_refused_is_retried_then_reported() -> None:
    from tests.fakes.asgi_server import free_port

    client = OpenAICompatibleProvider(
        f"http://127.0.0.1:{free_port()}/v1", None, timeout=2, max_retries=1, backoff_base=0.01
    )
    with pytest.raises(ProviderError, match=r"2 attempts \(ConnectError\)"):
        await client.complete(REQUEST)
    await client.aclose()


async def test_malformed_usage_and_null_message_do_not_crash(
    provider: OpenAICompatibleProvider, server: FakeOpenAIServer
) -> None:
    server.queue(Scripted("json", "", usage=None))
    completion = await provider.complete(REQUEST)
    assert completion.text == "" and completion.usage.estimated
