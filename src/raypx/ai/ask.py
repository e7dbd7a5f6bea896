"""Ask a conversation's documents: retrieve passages, answer from them, cite them.

Built on the chat turn (same run, quota check, streaming and metering, so an answer is billed
exactly like a chat reply, feature `ask`): this module only retrieves passages before the turn,
swaps the question for the grounded prompt, and stores the citations through the turn's
`on_finish` hook, in the transaction that records the reply.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from raypx.ai import attachments, chat, grounded
from raypx.ai.execution import input_budget
from raypx.ai.providers.base import ChatMessage
from raypx.ai.runtime import AIRuntime
from raypx.ai.tokens import count_message_tokens
from raypx.db.engine import SessionFactory, transaction
from raypx.db.models import Document, Message, MessageCitation
from raypx.errors import Invalid
from raypx.search import service as search

ASK_FEATURE = "ask"
DEFAULT_PASSAGES = 5
MAX_PASSAGES = 20


@dataclass(frozen=True)
class Source:
    """A retrieved passage as the answer numbers it."""

    number: int
    result: search.Result


@dataclass
class AskTurn:
    turn: chat.Turn
    sources: list[Source]
    search_mode: str
    notices: list[str]
    citations: list[MessageCitation] = field(default_factory=list)  # filled when it finishes


def source_label(result: search.Result) -> str:
    hit = result.hit
    if hit.page_start is None:
        return hit.document_title
    pages = (
        str(hit.page_start)
        if hit.page_start == hit.page_end
        else (f"{hit.page_start}-{hit.page_end}")
    )
    return f"{hit.document_title}, p. {pages}"


def fit_sources(turn: chat.Turn, question: str, sources: list[Source]) -> list[Source]:
    """As many passages (best first) as the model's window holds next to the history."""
    budget = input_budget(turn.request.model)
    history = [m.as_dict() for m in turn.request.messages[:-1]]
    kept = list(sources)
    while kept:
        passages = [
            grounded.Passage(s.number, source_label(s.result), s.result.hit.content) for s in kept
        ]
        content = grounded.prompt(question, passages)
        if count_message_tokens([*history, {"content": content}]) <= budget:
            break
        kept.pop()
    return kept


async def start_ask(
    factory: SessionFactory,
    runtime: AIRuntime,
    user_id: str,
    conversation_id: uuid.UUID,
    question: str,
    model: str | None,
    *,
    passages: int = DEFAULT_PASSAGES,
) -> AskTurn:
    if not question.strip():
        raise Invalid("the question is empty", code="EMPTY_MESSAGE")
    if not 1 <= passages <= MAX_PASSAGES:
        raise Invalid(f"passages must be from 1 to {MAX_PASSAGES}", code="INVALID_LIMIT")
    async with transaction(factory) as session:
        scope = await attachments.get_scope(session, user_id, conversation_id)
    found = await search.search_documents(
        factory, runtime, user_id, question[: search.MAX_QUERY_CHARS], limit=passages,
        document_ids=scope.document_ids,
    )  # fmt: skip
    turn = await chat.start_turn(
        factory, runtime, user_id, conversation_id, question, model, feature=ASK_FEATURE
    )
    sources = [Source(n, r) for n, r in enumerate(found.results, start=1)]
    sources = fit_sources(turn, question, sources)
    passage_list = [
        grounded.Passage(s.number, source_label(s.result), s.result.hit.content) for s in sources
    ]
    system = ChatMessage("system", f"{turn.request.messages[0].content} {grounded.INSTRUCTIONS}")
    messages = [system, *turn.request.messages[1:-1]]
    messages.append(ChatMessage("user", grounded.prompt(question, passage_list)))
    request = dataclasses.replace(
        turn.request, messages=messages, task="ask",
        options={**turn.request.options, "passages": passage_list},
    )  # fmt: skip
    asked = AskTurn(dataclasses.replace(turn, request=request), sources, found.mode, found.notices)

    async def record_citations(session: AsyncSession, reply: Message | None) -> None:
        if reply is None:
            return
        cited = set(grounded.cited_numbers(reply.content))
        # A model that ignored the citation format still answered from these passages.
        chosen = [s for s in sources if s.number in cited] or (
            sources if reply.content.strip() != grounded.NOT_FOUND else []
        )
        rows = [
            MessageCitation(
                message_id=reply.id,
                user_id=user_id,
                document_id=s.result.hit.document_id,
                chunk_id=s.result.hit.chunk_id,
                ordinal=s.number,
                page_start=s.result.hit.page_start,
                page_end=s.result.hit.page_end,
                quote=s.result.hit.content,
                score=s.result.hit.score,
            )
            for s in chosen
        ]
        session.add_all(rows)
        await session.flush()
        asked.citations = rows

    asked.turn = dataclasses.replace(asked.turn, on_finish=record_citations)
    return asked


async def answer(factory: SessionFactory, runtime: AIRuntime, asked: AskTurn) -> chat.TurnResult:
    return await chat.reply(factory, runtime, asked.turn)


def stream_answer(
    factory: SessionFactory, runtime: AIRuntime, asked: AskTurn
) -> AsyncIterator[str | chat.TurnResult]:
    return chat.stream_reply(factory, runtime, asked.turn)


async def list_citations(
    session: AsyncSession, user_id: str, conversation_id: uuid.UUID
) -> list[tuple[MessageCitation, str]]:
    """Every citation in a conversation, with its document's title, in message order."""
    await attachments.get_scope(session, user_id, conversation_id)  # owner check
    rows = await session.execute(
        select(MessageCitation, Document.title)
        .join(Message, Message.id == MessageCitation.message_id)
        .join(Document, Document.id == MessageCitation.document_id)
        .where(Message.conversation_id == conversation_id, MessageCitation.user_id == user_id)
        .order_by(MessageCitation.message_id, MessageCitation.ordinal)
    )
    return [(citation, title) for citation, title in rows]
