"""The official openai SDK (sync, async, streaming) and LangChain, unchanged, against /v1."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import openai
import pytest
from langchain_openai import ChatOpenAI

from tests.fakes.openai_server import Scripted
from tests.integration.gateway.conftest import Gateway

QUESTION = "Summarise: the council approved the budget. The mayor signs it on Friday."


_open: list[openai.OpenAI] = []


@pytest.fixture(autouse=True)
def close_clients() -> Iterator[None]:
    yield
    while _open:
        _open.pop().close()


def client(gateway: Gateway, token: str | None = None) -> openai.OpenAI:
    sdk = openai.OpenAI(
        base_url=f"{gateway.base_url}/v1", api_key=token or gateway.sign_up(), max_retries=0
    )
    _open.append(sdk)
    return sdk


def usage_rows(gateway: Gateway) -> list[tuple[Any, ...]]:
    return gateway.rows(
        "SELECT r.feature, r.status, r.model, u.metric, u.quantity, u.cost_usd "
        "FROM usage_event u JOIN run r ON r.id = u.run_id ORDER BY r.id, u.metric"
    )


def test_sync_completion_is_answered_and_billed_once(gateway: Gateway) -> None:
    reply = client(gateway).chat.completions.create(
        model="mock:raypx-1", messages=[{"role": "user", "content": QUESTION}]
    )
    text = reply.choices[0].message.content
    assert text and text.startswith("You wrote")
    assert reply.choices[0].finish_reason == "stop" and reply.object == "chat.completion"
    assert reply.usage is not None and reply.usage.total_tokens > 20
    assert usage_rows(gateway) == [
        ("api", "succeeded", "mock:raypx-1", "ai_requests", 1, 0),
        ("api", "succeeded", "mock:raypx-1", "ai_tokens", reply.usage.total_tokens, 0),
    ]


def test_sync_stream_with_usage_matches_the_non_streamed_answer(gateway: Gateway) -> None:
    sdk = client(gateway)
    messages: Any = [{"role": "user", "content": QUESTION}]
    whole = sdk.chat.completions.create(model="mock:raypx-1", messages=messages)
    chunks = list(sdk.chat.completions.create(
        model="mock:raypx-1", messages=messages, stream=True,
        stream_options={"include_usage": True},
    ))  # fmt: skip
    streamed = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert streamed == whole.choices[0].message.content
    assert chunks[-1].choices == [] and chunks[-1].usage == whole.usage
    assert [c.choices[0].finish_reason for c in chunks if c.choices][-1] == "stop"
    tokens = [q for _, _, _, metric, q, _ in usage_rows(gateway) if metric == "ai_tokens"]
    assert whole.usage is not None and tokens == [whole.usage.total_tokens] * 2


async def test_async_client_completes_and_streams(gateway: Gateway) -> None:
    sdk = openai.AsyncOpenAI(
        base_url=f"{gateway.base_url}/v1", api_key=gateway.sign_up(), max_retries=0
    )
    messages: Any = [{"role": "system", "content": "Be brief."},
                     {"role": "user", "content": [{"type": "text", "text": QUESTION}]}]  # fmt: skip
    reply = await sdk.chat.completions.create(model="mock:raypx-1", messages=messages)
    stream = await sdk.chat.completions.create(model="mock:raypx-1", messages=messages,
                                               stream=True)  # fmt: skip
    parts = [c.choices[0].delta.content or "" async for c in stream if c.choices]
    assert "".join(parts) == reply.choices[0].message.content
    models = [m.id async for m in sdk.models.list()]
    assert "mock:raypx-1" in models and "openai:gpt-4o-mini" in models
    assert "openai:gpt-4o" not in models  # a Pro model, and this user is on Free
    assert (await sdk.models.retrieve("mock:raypx-1")).id == "mock:raypx-1"
    await sdk.close()


def test_errors_are_the_exceptions_openai_clients_expect(gateway: Gateway) -> None:
    with pytest.raises(openai.AuthenticationError) as unauthorised:
        client(gateway, "not-a-session").models.list()
    assert unauthorised.value.status_code == 401
    sdk = client(gateway)
    with pytest.raises(openai.NotFoundError) as unknown:
        sdk.chat.completions.create(model="mock:nope", messages=[{"role": "user", "content": "x"}])
    assert unknown.value.code == "model_not_found"
    with pytest.raises(openai.NotFoundError):
        sdk.chat.completions.create(
            model="openai:gpt-4o", messages=[{"role": "user", "content": "x"}]
        )
    with pytest.raises(openai.BadRequestError) as empty:
        sdk.chat.completions.create(model="mock:raypx-1", messages=[])
    assert empty.value.body["type"] == "invalid_request_error"  # type: ignore[index]
    tool = {"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}
    with pytest.raises(openai.BadRequestError) as tools:
        sdk.chat.completions.create(
            model="mock:raypx-1", messages=[{"role": "user", "content": "x"}], tools=[tool]
        )
    assert "does not support tools" in tools.value.message
    assert usage_rows(gateway) == []  # nothing refused was billed


@pytest.mark.parametrize(
    "extra_settings", [{"plan_limits": json.dumps({"free": {"ai_requests": 1}})}]
)
def test_the_plan_quota_answers_like_openai_insufficient_quota(gateway: Gateway) -> None:
    sdk = client(gateway)
    sdk.chat.completions.create(model="mock:raypx-1", messages=[{"role": "user", "content": "a"}])
    with pytest.raises(openai.RateLimitError) as refused:
        sdk.chat.completions.create(
            model="mock:raypx-1", messages=[{"role": "user", "content": "b"}]
        )
    assert refused.value.code == "insufficient_quota"


def test_tools_pass_through_to_an_openai_compatible_upstream(gateway: Gateway) -> None:
    call = {"id": "call_1", "type": "function",
            "function": {"name": "weather", "arguments": '{"city":"Oslo"}'}}  # fmt: skip
    gateway.upstream.queue(Scripted("raw", body={
        "id": "chatcmpl-up", "object": "chat.completion", "created": 1, "model": "gpt-4o-mini",
        "choices": [{"index": 0, "finish_reason": "tool_calls",
                     "message": {"role": "assistant", "content": None, "tool_calls": [call]}}],
        "usage": {"prompt_tokens": 40, "completion_tokens": 10, "total_tokens": 50},
    }))  # fmt: skip
    tool = {"type": "function", "function": {"name": "weather", "parameters": {
        "type": "object", "properties": {"city": {"type": "string"}}}}}  # fmt: skip
    reply = client(gateway).chat.completions.create(
        model="openai:gpt-4o-mini", messages=[{"role": "user", "content": "Weather in Oslo?"}],
        tools=[tool], tool_choice="auto", seed=7,  # type: ignore[list-item]
    )  # fmt: skip
    assert reply.choices[0].finish_reason == "tool_calls"
    [made] = reply.choices[0].message.tool_calls or []
    assert made.function.name == "weather" and made.function.arguments == '{"city":"Oslo"}'
    [sent] = gateway.upstream.requests
    assert sent["model"] == "gpt-4o-mini" and sent["tools"] == [tool] and sent["seed"] == 7
    assert [(m, q, str(c)) for _, _, _, m, q, c in usage_rows(gateway)] == [
        ("ai_requests", 1, "0.0000"), ("ai_tokens", 50, "0.0000"),
    ]  # fmt: skip


def test_an_upstream_stream_is_relayed_and_billed_from_its_usage(gateway: Gateway) -> None:
    gateway.upstream.queue(Scripted("stream", "fine words from upstream", usage=(30, 4)))
    chunks = list(client(gateway).chat.completions.create(
        model="openai:gpt-4o-mini", messages=[{"role": "user", "content": "hi"}], stream=True
    ))  # fmt: skip
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == "fine words from upstream"
    assert all(c.choices for c in chunks)  # the usage chunk Raypx asked for is not forwarded
    assert gateway.upstream.requests[0]["stream_options"] == {"include_usage": True}
    tokens = [q for _, s, _, metric, q, _ in usage_rows(gateway) if metric == "ai_tokens"]
    assert tokens == [34]
    response_text = gateway.rows("SELECT response_text FROM run")
    assert response_text == [("fine words from upstream",)]


def test_an_upstream_failure_is_a_failed_run_and_an_openai_error(gateway: Gateway) -> None:
    gateway.upstream.queue(Scripted("error", "model overloaded", status=400))
    with pytest.raises(openai.APIStatusError) as failed:
        client(gateway).chat.completions.create(
            model="openai:gpt-4o-mini", messages=[{"role": "user", "content": "hi"}]
        )
    assert failed.value.status_code == 502 and "model overloaded" in failed.value.message
    assert gateway.rows("SELECT status FROM run") == [("failed",)]


def test_langchain_chat_openai_works_unchanged(gateway: Gateway) -> None:
    with httpx.Client() as http_client:
        llm = ChatOpenAI(
            base_url=f"{gateway.base_url}/v1", api_key=gateway.sign_up(),  # type: ignore[arg-type]
            model="mock:raypx-1", max_retries=0, http_client=http_client,
        )  # fmt: skip
        answer = llm.invoke(QUESTION)
        assert isinstance(answer.content, str) and answer.content.startswith("You wrote")
        streamed = "".join(str(chunk.content) for chunk in llm.stream(QUESTION))
    assert streamed == answer.content


def test_a_client_that_leaves_midway_still_gets_its_run_recorded(gateway: Gateway) -> None:
    words = " ".join(f"w{i}" for i in range(30))
    body = {"model": "fake:slow", "messages": [{"role": "user", "content": words}], "stream": True}
    headers = {"Authorization": f"Bearer {gateway.sign_up()}"}
    with (
        httpx.Client(base_url=gateway.base_url, timeout=30) as http,
        http.stream("POST", "/v1/chat/completions", json=body, headers=headers) as response,
    ):
        for line in response.iter_lines():
            if '"content":"echo:' in line:
                break  # hang up after the first words
    deadline = time.monotonic() + 20
    while gateway.rows("SELECT status FROM run") != [("succeeded",)]:
        assert time.monotonic() < deadline, "the abandoned stream was never recorded"
        time.sleep(0.05)  # polling an observable condition, with a deadline
    assert gateway.rows("SELECT response_text FROM run") == [(f"echo: {words}",)]
    assert [m for _, _, _, m, _, _ in usage_rows(gateway)] == ["ai_requests", "ai_tokens"]
