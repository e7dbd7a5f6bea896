"""Ask a conversation's documents: attach documents, ask (SSE like chat), read citations."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from raypx.ai import ask, attachments, chat
from raypx.api.deps import CurrentUser, SessionDep, SessionFactoryDep, ai_runtime
from raypx.api.routes.conversations import SSE, sse, turn_out
from raypx.api.routes.search import hit_out
from raypx.api.schemas.errors import errors
from raypx.api.schemas.search import (
    AskIn,
    AskOut,
    AttachedDocumentOut,
    AttachmentsIn,
    AttachmentsOut,
    CitationOut,
)
from raypx.db.models import MessageCitation

router = APIRouter(prefix="/api/conversations", tags=["ask"])


def scope_out(scope: attachments.Scope) -> AttachmentsOut:
    return AttachmentsOut(
        all_documents=scope.all_documents,
        documents=[AttachedDocumentOut(id=d.id, title=d.title) for d in scope.documents],
    )


def citation_out(citation: MessageCitation, title: str) -> CitationOut:
    return CitationOut(
        message_id=citation.message_id, number=citation.ordinal,
        document_id=citation.document_id, document_title=title, chunk_id=citation.chunk_id,
        page_start=citation.page_start, page_end=citation.page_end, quote=citation.quote,
        score=round(citation.score, 6),
    )  # fmt: skip


def ask_out(asked: ask.AskTurn, result: chat.TurnResult) -> AskOut:
    titles = {s.result.hit.document_id: s.result.hit.document_title for s in asked.sources}
    return AskOut(
        **turn_out(result).model_dump(),
        search_mode=asked.search_mode,
        notices=asked.notices,
        citations=[citation_out(c, titles[c.document_id]) for c in asked.citations],
    )


@router.get(
    "/{conversation_id}/documents", response_model=AttachmentsOut, responses=errors(401, 404, 422)
)
async def get_attachments(
    conversation_id: uuid.UUID, user: CurrentUser, session: SessionDep
) -> AttachmentsOut:
    return scope_out(await attachments.get_scope(session, user.id, conversation_id))


@router.put(
    "/{conversation_id}/documents",
    response_model=AttachmentsOut,
    responses=errors(400, 401, 403, 404, 422),
)
async def set_attachments(
    conversation_id: uuid.UUID, body: AttachmentsIn, user: CurrentUser, session: SessionDep
) -> AttachmentsOut:
    """Ask about these documents (`document_ids`), or all of the user's (null)."""
    scope = await attachments.set_scope(session, user.id, conversation_id, body.document_ids)
    return scope_out(scope)


@router.post(
    "/{conversation_id}/ask",
    response_model=AskOut,
    status_code=201,
    responses=errors(400, 401, 402, 403, 404, 409, 422) | SSE,
)
async def ask_documents(
    conversation_id: uuid.UUID,
    body: AskIn,
    user: CurrentUser,
    factory: SessionFactoryDep,
    request: Request,
) -> AskOut | StreamingResponse:
    """Answer from the attached documents with citations. `stream: true` sends SSE events
    `run`, `sources` (the passages retrieved), `delta`… and `done` (this response's body)."""
    runtime = ai_runtime(request)
    asked = await ask.start_ask(
        factory, runtime, user.id, conversation_id, body.question, body.model,
        passages=body.passages,
    )  # fmt: skip
    if not body.stream:
        return ask_out(asked, await ask.answer(factory, runtime, asked))

    async def events() -> AsyncIterator[bytes]:
        yield sse("run", {"run_id": str(asked.turn.run_id), "trimmed_messages": asked.turn.trimmed})
        sources = [
            {"number": s.number, **hit_out(s.result).model_dump(mode="json")} for s in asked.sources
        ]
        yield sse("sources", {"search_mode": asked.search_mode, "sources": sources})
        async for event in ask.stream_answer(factory, runtime, asked):
            if isinstance(event, str):
                yield sse("delta", {"text": event})
            else:
                yield sse("done", ask_out(asked, event).model_dump(mode="json"))

    return StreamingResponse(
        events(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"}
    )


@router.get(
    "/{conversation_id}/citations",
    response_model=list[CitationOut],
    responses=errors(401, 404, 422),
)
async def list_citations(
    conversation_id: uuid.UUID, user: CurrentUser, session: SessionDep
) -> list[CitationOut]:
    """Every citation of the conversation's answers, by message, then number."""
    found = await ask.list_citations(session, user.id, conversation_id)
    return [citation_out(c, title) for c, title in found]
