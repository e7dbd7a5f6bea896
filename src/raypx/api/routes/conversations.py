"""Conversations and chat. `stream: true` answers with server-sent events."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import StreamingResponse

from raypx.ai import chat, conversations
from raypx.api.deps import CurrentUser, SessionDep, SessionFactoryDep, ai_runtime
from raypx.api.schemas.ai import (
    ConversationCreate,
    ConversationOut,
    ConversationPage,
    ConversationUpdate,
    MessageCreate,
    MessageOut,
    MessagePage,
    TurnOut,
    UsageOut,
)
from raypx.api.schemas.errors import errors
from raypx.api.schemas.text import Text
from raypx.db.enums import ConversationStatus

router = APIRouter(prefix="/api/conversations", tags=["conversations"])
SSE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "`stream: true`: server-sent events `run`, `delta`…, `done`",
        "content": {"text/event-stream": {"schema": {"type": "string"}}},
    },
}


@router.post(
    "", status_code=201, response_model=ConversationOut, responses=errors(400, 401, 403, 422)
)
async def create_conversation(
    body: ConversationCreate, user: CurrentUser, session: SessionDep
) -> ConversationOut:
    conversation = await conversations.create_conversation(
        session, user.id, title=body.title, task=body.task
    )
    return ConversationOut.model_validate(conversation)


@router.get("", response_model=ConversationPage, responses=errors(400, 401, 422))
async def list_conversations(
    user: CurrentUser,
    session: SessionDep,
    status: ConversationStatus | None = None,
    cursor: Text | None = None,
    limit: int = Query(20, ge=1, le=100),
) -> ConversationPage:
    page = await conversations.list_conversations(
        session, user.id, status=status, cursor=cursor, limit=limit
    )
    return ConversationPage(
        items=[ConversationOut.model_validate(c) for c in page.items], next_cursor=page.next_cursor
    )


@router.get("/{conversation_id}", response_model=ConversationOut, responses=errors(401, 404, 422))
async def get_conversation(
    conversation_id: uuid.UUID, user: CurrentUser, session: SessionDep
) -> ConversationOut:
    conversation = await conversations.get_conversation(session, user.id, conversation_id)
    return ConversationOut.model_validate(conversation)


@router.patch(
    "/{conversation_id}", response_model=ConversationOut, responses=errors(400, 401, 403, 404, 422)
)
async def update_conversation(
    conversation_id: uuid.UUID, body: ConversationUpdate, user: CurrentUser, session: SessionDep
) -> ConversationOut:
    conversation = await conversations.update_conversation(
        session, user.id, conversation_id, title=body.title, status=body.status
    )
    return ConversationOut.model_validate(conversation)


@router.delete("/{conversation_id}", status_code=204, responses=errors(401, 403, 404, 422))
async def delete_conversation(
    conversation_id: uuid.UUID, user: CurrentUser, session: SessionDep
) -> Response:
    await conversations.delete_conversation(session, user.id, conversation_id)
    return Response(status_code=204)


@router.get(
    "/{conversation_id}/messages", response_model=MessagePage, responses=errors(400, 401, 404, 422)
)
async def list_messages(
    conversation_id: uuid.UUID,
    user: CurrentUser,
    session: SessionDep,
    cursor: Text | None = None,
    limit: int = Query(50, ge=1, le=100),
) -> MessagePage:
    page = await conversations.list_messages(
        session, user.id, conversation_id, cursor=cursor, limit=limit
    )
    return MessagePage(
        items=[MessageOut.model_validate(m) for m in page.items], next_cursor=page.next_cursor
    )


def turn_out(result: chat.TurnResult) -> TurnOut:
    return TurnOut(
        run_id=result.run_id,
        run_status=result.run_status,
        user_message=MessageOut.model_validate(result.user_message),
        assistant_message=(
            MessageOut.model_validate(result.assistant_message)
            if result.assistant_message
            else None
        ),
        usage=UsageOut(
            input_tokens=result.usage.input_tokens,
            output_tokens=result.usage.output_tokens,
            estimated=result.usage.estimated,
        ),
        error=result.error,
    )


@router.post(
    "/{conversation_id}/messages",
    response_model=TurnOut,
    status_code=201,
    responses=errors(400, 401, 402, 403, 404, 409, 422) | SSE,
)
async def post_message(
    conversation_id: uuid.UUID,
    body: MessageCreate,
    user: CurrentUser,
    factory: SessionFactoryDep,
    request: Request,
) -> TurnOut | StreamingResponse:
    runtime = ai_runtime(request)
    turn = await chat.start_turn(
        factory, runtime, user.id, conversation_id, body.content, body.model
    )
    if not body.stream:
        return turn_out(await chat.reply(factory, runtime, turn))

    async def events() -> AsyncIterator[bytes]:
        yield sse("run", {"run_id": str(turn.run_id), "trimmed_messages": turn.trimmed})
        async for event in chat.stream_reply(factory, runtime, turn):
            if isinstance(event, str):
                yield sse("delta", {"text": event})
            else:
                yield sse("done", turn_out(event).model_dump(mode="json"))

    return StreamingResponse(
        events(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"}
    )


def sse(event: str, data: object) -> bytes:
    return f"event: {event}\ndata: {json.dumps(data)}\n\n".encode()
