"""Conversations and their messages, scoped to their owner."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from raypx.db.enums import ConversationStatus, ConversationTask
from raypx.db.models import Conversation, Message
from raypx.db.ownership import get_owned
from raypx.db.pagination import Page, check_limit, decode_cursor, encode_cursor, newest_page
from raypx.errors import Invalid

MAX_TITLE = 200


def clean_title(title: str) -> str:
    title = " ".join(title.split())
    if not title:
        raise Invalid("title is empty", code="INVALID_TITLE")
    if len(title) > MAX_TITLE:
        raise Invalid(f"title is longer than {MAX_TITLE} characters", code="INVALID_TITLE")
    return title


async def create_conversation(
    session: AsyncSession, user_id: str, *, title: str, task: str = "summarize"
) -> Conversation:
    if task not in {t.value for t in ConversationTask}:
        tasks = ", ".join(t.value for t in ConversationTask)
        raise Invalid(f"task must be one of: {tasks}", code="INVALID_TASK")
    conversation = Conversation(user_id=user_id, title=clean_title(title), task=task)
    session.add(conversation)
    await session.flush()
    return conversation


async def get_conversation(
    session: AsyncSession, user_id: str, conversation_id: uuid.UUID
) -> Conversation:
    return await get_owned(session, Conversation, conversation_id, user_id, name="conversation")


async def list_conversations(
    session: AsyncSession,
    user_id: str,
    *,
    status: ConversationStatus | None = None,
    cursor: str | None = None,
    limit: int = 20,
) -> Page[Conversation]:
    statement = select(Conversation).where(Conversation.user_id == user_id)
    if status is not None:
        statement = statement.where(Conversation.status == status)
    return await newest_page(session, statement, Conversation.id, cursor, limit)


async def update_conversation(
    session: AsyncSession,
    user_id: str,
    conversation_id: uuid.UUID,
    *,
    title: str | None = None,
    status: ConversationStatus | None = None,
) -> Conversation:
    conversation = await get_conversation(session, user_id, conversation_id)
    if title is not None:
        conversation.title = clean_title(title)
    if status is not None:
        conversation.status = status
    await session.flush()
    return conversation


async def delete_conversation(
    session: AsyncSession, user_id: str, conversation_id: uuid.UUID
) -> None:
    """Messages go with it; runs stay (conversation_id becomes NULL) for history and billing."""
    await get_conversation(session, user_id, conversation_id)
    await session.execute(
        delete(Conversation).where(
            Conversation.id == conversation_id, Conversation.user_id == user_id
        )
    )


async def list_messages(
    session: AsyncSession,
    user_id: str,
    conversation_id: uuid.UUID,
    *,
    cursor: str | None = None,
    limit: int = 50,
) -> Page[Message]:
    """Oldest first (reading order); the cursor continues after the last message returned."""
    await get_conversation(session, user_id, conversation_id)
    statement = select(Message).where(
        Message.conversation_id == conversation_id, Message.user_id == user_id
    )
    if cursor:
        statement = statement.where(Message.id > decode_cursor(cursor))
    statement = statement.order_by(Message.id).limit(check_limit(limit) + 1)
    rows = list((await session.scalars(statement)).all())
    more = len(rows) > limit
    items = rows[:limit]
    return Page(items, encode_cursor(items[-1].id) if more and items else None)


@dataclass(frozen=True)
class Tail:
    """The newest messages of a conversation, oldest first, and how many older ones exist."""

    messages: list[Message]
    older: int


async def recent_history(
    session: AsyncSession,
    conversation_id: uuid.UUID,
    *,
    up_to: uuid.UUID,
    limit: int,
    max_characters: int,
) -> Tail:
    """At most `limit` messages up to and including `up_to`, newest kept first, stopping once
    `max_characters` are loaded (the message that crosses it included).

    Bounded by both, so a turn costs the same in a conversation of ten messages or ten
    thousand: the prompt could not hold more anyway.
    """
    newest = (
        select(
            Message,
            func.sum(func.char_length(Message.content))
            .over(order_by=Message.id.desc())
            .label("running"),
            func.char_length(Message.content).label("length"),
        )
        .where(Message.conversation_id == conversation_id, Message.id <= up_to)
        .order_by(Message.id.desc())
        .limit(limit)
        .subquery()
    )
    within = aliased(Message, newest)
    statement = (
        select(within)
        .where(newest.c.running - newest.c.length < max_characters)
        .order_by(newest.c.id)
    )
    messages = list((await session.scalars(statement)).all())
    if not messages:
        return Tail([], 0)
    older = await session.scalar(
        select(func.count()).where(
            Message.conversation_id == conversation_id, Message.id < messages[0].id
        )
    )
    return Tail(messages, int(older or 0))
