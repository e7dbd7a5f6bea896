"""`raypx ask`: ask a user's documents from the terminal; the answer streams, then its sources.

Recorded like the API's ask: a conversation (new unless --conversation), a metered run, the
answer and its citations.
"""

from __future__ import annotations

import asyncio
import uuid

import typer
from rich.console import Console
from rich.markup import escape

from raypx.ai import ask, attachments, chat, conversations
from raypx.ai.runtime import AIRuntime
from raypx.auth import service as accounts
from raypx.db.engine import create_engine, create_session_factory, resolve_database_url, transaction
from raypx.settings import load_settings

out = Console(soft_wrap=True, highlight=False)
err = Console(stderr=True, soft_wrap=True, highlight=False)


async def run_ask(
    question: str,
    email: str,
    conversation_id: uuid.UUID | None,
    document_ids: list[uuid.UUID],
    model: str | None,
) -> None:
    settings = load_settings()
    runtime = AIRuntime.from_settings(settings)
    engine = create_engine(resolve_database_url(settings), settings)
    factory = create_session_factory(engine)
    try:
        async with transaction(factory) as session:
            user = await accounts.require_user_by_email(session, email)
            if conversation_id is None:
                title = " ".join(question.split())[:80] or "Question"
                created = await conversations.create_conversation(
                    session, user.id, title=title, task="chat"
                )
                conversation_id = created.id
            if document_ids:
                await attachments.set_scope(session, user.id, conversation_id, document_ids)
        asked = await ask.start_ask(factory, runtime, user.id, conversation_id, question, model)
        result: chat.TurnResult | None = None
        async for event in ask.stream_answer(factory, runtime, asked):
            if isinstance(event, str):
                out.print(escape(event), end="")
            else:
                result = event
        out.print()
        if result is not None and result.error:
            err.print(f"[red]the answer failed:[/] {escape(result.error)}")
        for citation in asked.citations:
            source = next(s for s in asked.sources if s.number == citation.ordinal)
            label = escape(f"[{citation.ordinal}] {ask.source_label(source.result)}")
            where = f"document {citation.document_id}, chunk {citation.chunk_id}"
            err.print(f"[dim]{label} ({where})[/]")
        err.print(f"[dim]conversation {conversation_id}[/]")
    finally:
        await runtime.providers.aclose()
        await engine.dispose()


def ask_command(
    question: str = typer.Argument(..., help="The question."),
    user: str = typer.Option(..., "--user", help="Ask this user's documents (email)."),
    conversation: uuid.UUID | None = typer.Option(None, help="Continue this conversation."),
    document: list[uuid.UUID] = typer.Option(
        [], "--document", help="Only this document (repeat for more); default: all."
    ),
    model: str | None = typer.Option(None, help="provider:model (default: the user's)."),
) -> None:
    """Answer a question from a user's documents, citing the passages used."""
    asyncio.run(run_ask(question, user, conversation, list(document), model))
