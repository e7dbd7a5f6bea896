"""A chat turn reads a bounded tail of its conversation, however long the conversation grew."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event, insert

from raypx.ai import chat
from raypx.ai.providers.fake import FakeProvider
from raypx.db.base import new_uuid7
from raypx.db.models import Message
from tests.integration.conftest import Api

NEWEST = "the newest question"


async def conversation_with(api: Api, user: dict[str, str], messages: list[str]) -> str:
    made = await api.client.post("/api/conversations", headers=user, json={"title": "Long"})
    conversation_id = str(made.json()["id"])
    user_id = await api.user_id(user)
    rows = [
        {"id": new_uuid7(), "conversation_id": conversation_id, "user_id": user_id,
         "role": "user" if i % 2 == 0 else "assistant", "content": content}
        for i, content in enumerate(messages)
    ]  # fmt: skip
    async with api.engine.begin() as conn:
        await conn.execute(insert(Message), rows)
    return conversation_id


@contextmanager
def counting_queries(api: Api) -> Iterator[dict[str, int]]:
    """Statements the app runs and rows its SELECTs return, while the block runs."""
    seen = {"statements": 0, "rows": 0}
    engine = api.app.state.engine.sync_engine

    def after(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen["statements"] += 1
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            seen["rows"] += max(cursor.rowcount, 0)

    event.listen(engine, "after_cursor_execute", after)
    try:
        yield seen
    finally:
        event.remove(engine, "after_cursor_execute", after)


def last_prompt(api: Api, first_word: str) -> list[str]:
    """The conversation messages of the last prompt the fake provider got (it keys its call
    counts by the prompt's text), without the model name and system prompt."""
    provider = api.app.state.ai.providers.instances["fake"]
    assert isinstance(provider, FakeProvider)
    lines = list(provider.calls)[-1].split("\n")
    return [line for line in lines if line.startswith(first_word) or line == NEWEST]


async def turn(api: Api, user: dict[str, str], conversation_id: str) -> dict[str, Any]:
    response = await api.client.post(
        f"/api/conversations/{conversation_id}/messages",
        headers=user, json={"content": NEWEST, "model": "fake:echo", "stream": True},
    )  # fmt: skip
    assert response.status_code == 200, response.text
    events = [
        json.loads(line.removeprefix("data: "))
        for line in response.text.splitlines()
        if line.startswith("data: ")
    ]
    return events[0]


async def test_a_long_conversation_sends_only_its_newest_messages(api: Api) -> None:
    user = await api.sign_up()
    history = [f"history message {i}" for i in range(1500)]
    long_id = await conversation_with(api, user, history)
    short_id = await conversation_with(api, user, history[: chat.HISTORY_MESSAGES + 20])

    with counting_queries(api) as short:
        await turn(api, user, short_id)
    with counting_queries(api) as long:
        started = await turn(api, user, long_id)

    sent = last_prompt(api, "history message")
    assert sent[-1] == NEWEST
    assert len(sent) == chat.HISTORY_MESSAGES
    assert sent[0] == f"history message {1500 - chat.HISTORY_MESSAGES + 1}"
    assert "history message 0" not in sent and "history message 1000" not in sent
    assert started["trimmed_messages"] == 1500 + 1 - chat.HISTORY_MESSAGES
    # The same work for 120 messages of history as for 1,500.
    assert long == short
    assert long["rows"] < chat.HISTORY_MESSAGES + 20


async def test_the_tail_is_cut_to_the_models_window(api: Api) -> None:
    user = await api.sign_up()
    wordy = [f"message {i}: " + "lorem ipsum dolor sit amet " * 40 for i in range(400)]
    conversation_id = await conversation_with(api, user, wordy)
    with counting_queries(api) as seen:
        started = await turn(api, user, conversation_id)
    sent = last_prompt(api, "message ")
    assert sent[-1] == NEWEST
    assert sent[-2].startswith("message 399: ")
    # fake:echo has a 4,096-token window: about a dozen of these fit, not a hundred.
    assert 5 < len(sent) < 20
    assert started["trimmed_messages"] == 401 - len(sent)
    # Rows loaded stop near what the window can hold, not at the message cap.
    assert seen["rows"] < chat.HISTORY_MESSAGES
