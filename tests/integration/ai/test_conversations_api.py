"""Conversations and chat over HTTP, including SSE through a real uvicorn server."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.engine import URL

from raypx.api.app import create_app
from tests.fakes.asgi_server import serving
from tests.integration.conftest import Api, api_settings
from tests.integration.jobs.conditions import wait_until


async def new_conversation(api: Api, user: dict[str, str], title: str = "Plans") -> str:
    response = await api.client.post(
        "/api/conversations", headers=user, json={"title": title, "task": "chat"}
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def test_conversation_crud(api: Api) -> None:
    user = await api.sign_up()
    conversation_id = await new_conversation(api, user, "  Quarterly   plans ")
    got = (await api.client.get(f"/api/conversations/{conversation_id}", headers=user)).json()
    assert (got["title"], got["status"], got["task"]) == ("Quarterly plans", "active", "chat")

    patched = await api.client.patch(
        f"/api/conversations/{conversation_id}", headers=user,
        json={"title": "Q3", "status": "archived"},
    )  # fmt: skip
    assert (patched.json()["title"], patched.json()["status"]) == ("Q3", "archived")
    archived = await api.client.get("/api/conversations?status=archived", headers=user)
    assert [c["id"] for c in archived.json()["items"]] == [conversation_id]
    active = await api.client.get("/api/conversations?status=active", headers=user)
    assert active.json()["items"] == []

    bad = await api.client.patch(
        f"/api/conversations/{conversation_id}", headers=user, json={"title": "  "}
    )
    assert (bad.status_code, bad.json()["code"]) == (400, "INVALID_TITLE")
    bad_task = await api.client.post(
        "/api/conversations", headers=user, json={"title": "x", "task": "dance"}
    )
    assert (bad_task.status_code, bad_task.json()["code"]) == (400, "INVALID_TASK")


async def test_chat_turn_records_messages_run_and_usage(api: Api) -> None:
    user = await api.sign_up()
    conversation_id = await new_conversation(api, user)
    content = "We ship on 2026-03-01. Budget is $500. Is that realistic?"
    turn = await api.client.post(
        f"/api/conversations/{conversation_id}/messages", headers=user, json={"content": content}
    )
    assert turn.status_code == 201, turn.text
    body = turn.json()
    assert body["run_status"] == "succeeded"
    assert body["user_message"]["content"] == content
    reply = body["assistant_message"]
    assert reply["role"] == "assistant" and reply["model"] == "mock:raypx-1"
    assert reply["content"] == (
        "You wrote 10 words (message 1). Key points: We ship on 2026-03-01. Budget is $500. "
        "I noticed 1 date(s), 1 amount(s). I am the offline "
        "mock model (mock:raypx-1): I can summarise, rewrite and extract, but I cannot look "
        "things up or reason about facts."
    )
    messages = (
        await api.client.get(f"/api/conversations/{conversation_id}/messages", headers=user)
    ).json()["items"]
    assert [m["role"] for m in messages] == ["user", "assistant"]

    run = (await api.client.get(f"/api/runs/{body['run_id']}", headers=user)).json()
    assert (run["feature"], run["conversation_id"], run["status"]) == (
        "chat", conversation_id, "succeeded",
    )  # fmt: skip
    async with api.engine.connect() as conn:
        rows = await conn.execute(
            text("SELECT metric, quantity FROM usage_event WHERE run_id = :id ORDER BY metric"),
            {"id": body["run_id"]},
        )
        usage = [tuple(r) for r in rows]
    tokens = body["usage"]["input_tokens"] + body["usage"]["output_tokens"]
    assert usage == [("ai_requests", 1), ("ai_tokens", tokens)]

    second = await api.client.post(
        f"/api/conversations/{conversation_id}/messages", headers=user, json={"content": "Thanks."}
    )
    assert second.json()["assistant_message"]["content"].startswith("You wrote 1 words (message 2)")


async def test_deleting_a_conversation_keeps_its_runs(api: Api) -> None:
    user = await api.sign_up()
    conversation_id = await new_conversation(api, user)
    turn = await api.client.post(
        f"/api/conversations/{conversation_id}/messages", headers=user, json={"content": "Hi"}
    )
    deleted = await api.client.delete(f"/api/conversations/{conversation_id}", headers=user)
    assert deleted.status_code == 204
    gone = await api.client.get(f"/api/conversations/{conversation_id}", headers=user)
    assert gone.status_code == 404
    run = (await api.client.get(f"/api/runs/{turn.json()['run_id']}", headers=user)).json()
    assert run["status"] == "succeeded" and run["conversation_id"] is None


async def test_a_failing_model_fails_the_run_with_a_clear_error(api: Api) -> None:
    user = await api.sign_up()
    conversation_id = await new_conversation(api, user)
    turn = await api.client.post(
        f"/api/conversations/{conversation_id}/messages", headers=user,
        json={"content": "Hi", "model": "fake:fail"},
    )  # fmt: skip
    body = turn.json()
    assert (body["run_status"], body["assistant_message"]) == ("failed", None)
    assert body["error"] == "fake provider: permanent failure"


async def test_another_users_conversation_is_not_found(api: Api) -> None:
    owner = await api.sign_up("Owner")
    other = await api.sign_up("Other")
    conversation_id = await new_conversation(api, owner)
    missing = str(uuid.uuid4())
    cases: list[tuple[str, str, Any]] = [
        ("GET", "/api/conversations/{}", None),
        ("PATCH", "/api/conversations/{}", {"title": "mine now"}),
        ("DELETE", "/api/conversations/{}", None),
        ("GET", "/api/conversations/{}/messages", None),
        ("POST", "/api/conversations/{}/messages", {"content": "hello"}),
    ]
    for method, path, body in cases:
        theirs = await api.client.request(
            method, path.format(conversation_id), headers=other, json=body
        )
        nothing = await api.client.request(method, path.format(missing), headers=other, json=body)
        assert theirs.status_code == nothing.status_code == 404, (method, path)
        assert theirs.json() == nothing.json()
    still = await api.client.get(f"/api/conversations/{conversation_id}", headers=owner)
    assert still.json()["title"] == "Plans"
    assert (await api.client.get("/api/conversations", headers=other)).json()["items"] == []


def sse_events(lines: list[str]) -> list[tuple[str, dict[str, Any]]]:
    events, name = [], ""
    for line in lines:
        if line.startswith("event: "):
            name = line[7:]
        elif line.startswith("data: "):
            events.append((name, json.loads(line[6:])))
    return events


@pytest.fixture
def live_server(database_url: URL, tmp_path: Path) -> Any:
    app = create_app(api_settings(database_url, tmp_path, worker_in_process=False))
    with serving(app) as base_url:
        yield base_url


def live_user(client: httpx.Client) -> dict[str, str]:
    response = client.post(
        "/api/auth/sign-up/email",
        json={"name": "Sam", "email": f"sam-{uuid.uuid4().hex[:8]}@example.com",
              "password": "correct horse battery"},
    )  # fmt: skip
    client.cookies.clear()
    return {"Authorization": f"Bearer {response.json()['token']}"}


def test_streaming_reply_over_a_real_server(live_server: str) -> None:
    with httpx.Client(base_url=live_server, timeout=30) as client:
        user = live_user(client)
        conversation = client.post("/api/conversations", headers=user, json={"title": "S"}).json()
        url = f"/api/conversations/{conversation['id']}/messages"
        with client.stream(
            "POST", url, headers=user, json={"content": "Tell me more.", "stream": True}
        ) as response:
            assert response.headers["content-type"].startswith("text/event-stream")
            events = sse_events(list(response.iter_lines()))
        names = [name for name, _ in events]
        assert names[0] == "run" and names[-1] == "done" and names.count("delta") > 3
        text_streamed = "".join(data["text"] for name, data in events if name == "delta")
        done = events[-1][1]
        assert done["assistant_message"]["content"] == text_streamed
        assert done["run_status"] == "succeeded"
        stored = client.get(f"/api/conversations/{conversation['id']}/messages", headers=user)
        assert [m["content"] for m in stored.json()["items"]][-1] == text_streamed


async def test_a_client_that_disconnects_midway_still_gets_the_turn_recorded(
    live_server: str,
) -> None:
    async with httpx.AsyncClient(base_url=live_server, timeout=30) as client:
        response = await client.post(
            "/api/auth/sign-up/email",
            json={"name": "Dee", "email": f"dee-{uuid.uuid4().hex[:8]}@example.com",
                  "password": "correct horse battery"},
        )  # fmt: skip
        client.cookies.clear()
        user = {"Authorization": f"Bearer {response.json()['token']}"}
        conversation = (
            await client.post("/api/conversations", headers=user, json={"title": "D"})
        ).json()
        url = f"/api/conversations/{conversation['id']}/messages"
        words = " ".join(f"w{i}" for i in range(40))
        body = {"content": words, "stream": True, "model": "fake:slow"}
        async with client.stream("POST", url, headers=user, json=body) as stream:
            lines = stream.aiter_lines()
            run_id = None
            async for line in lines:
                if line.startswith("data: ") and "run_id" in line:
                    run_id = json.loads(line[6:])["run_id"]
                if line.startswith("event: delta"):
                    break  # hang up after the first delta
        assert run_id is not None

        async def run_state() -> dict[str, Any]:
            return dict((await client.get(f"/api/runs/{run_id}", headers=user)).json())

        run = await wait_until(run_state, lambda r: r["status"] == "succeeded", within=20,
                               what="the abandoned stream to be recorded")  # fmt: skip
        assert run["response_text"] == f"echo: {words}"
        messages = (await client.get(url, headers=user)).json()["items"]
        assert messages[-1]["content"] == f"echo: {words}"
        assert messages[-1]["model"] == "fake:slow"


async def test_a_cut_stream_keeps_the_partial_reply_and_bills_what_arrived(api: Api) -> None:
    from raypx.ai.tokens import count_tokens

    user = await api.sign_up()
    conversation_id = await new_conversation(api, user)
    response = await api.client.post(
        f"/api/conversations/{conversation_id}/messages", headers=user,
        json={"content": "one two three four five six", "stream": True, "model": "fake:cut"},
    )  # fmt: skip
    events = sse_events(response.text.splitlines())
    streamed = "".join(data["text"] for name, data in events if name == "delta")
    done = events[-1][1]
    assert events[-1][0] == "done"
    assert done["run_status"] == "failed"
    assert done["error"] == "fake provider: connection dropped mid-stream"
    assert done["assistant_message"]["content"] == streamed == "echo: one two "
    assert done["usage"]["estimated"] is True
    assert done["usage"]["output_tokens"] == count_tokens(streamed)
    async with api.engine.connect() as conn:
        rows = await conn.execute(
            text("SELECT metric, quantity FROM usage_event WHERE run_id = :id ORDER BY metric"),
            {"id": done["run_id"]},
        )
        billed = dict(tuple(r) for r in rows)
    assert billed == {
        "ai_requests": 1,
        "ai_tokens": done["usage"]["input_tokens"] + done["usage"]["output_tokens"],
    }
