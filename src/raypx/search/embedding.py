"""Embedding a document's chunks: a queued, metered run per document and model, idempotent.

Queued in the transaction that stores the chunks (with the plan's quota checked then), run by
the worker: the chunks that have no vector for the model yet are embedded outside any
transaction, then the vectors, the run's status and its usage are written together. A replayed
job finds the run finished, or only the chunks still missing, so nothing is embedded or billed
twice.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from raypx.ai.providers.base import ProviderError, Usage
from raypx.ai.runtime import AIRuntime
from raypx.billing import quotas
from raypx.db.engine import SessionFactory, transaction
from raypx.db.enums import RunStatus
from raypx.db.models import ChunkEmbedding, Document, DocumentChunk, Run
from raypx.embeddings import providers
from raypx.embeddings.registry import registry_for
from raypx.errors import RaypxError
from raypx.jobs import queue
from raypx.search import vectors
from raypx.settings import Settings
from raypx.usage import service as usage

EMBED_JOB = "search.embed"
EMBED_FEATURE = "document-embedding"
INSERT_BATCH = 200  # rows per INSERT: bounded statement size
FINISHED = {RunStatus.SUCCEEDED, RunStatus.CANCELLED, RunStatus.FAILED}


def embedding_input(chunk: DocumentChunk) -> str:
    return f"{chunk.heading}\n\n{chunk.content}" if chunk.heading else chunk.content


async def queue_embedding(
    session: AsyncSession, settings: Settings, document: Document, characters: int
) -> uuid.UUID | None:
    """Queue the embedding run of a processed document, if an embedding model is configured.
    A refusal (quota, bad model) is noted on the document; full-text search still works."""
    if not settings.embedding_model:
        return None
    try:
        async with session.begin_nested():
            spec = registry_for(settings).resolve(settings.embedding_model)
            await quotas.ensure_can_run_ai(
                session, document.user_id, settings, input_characters=characters
            )
            run = Run(
                user_id=document.user_id, document_id=document.id, feature=EMBED_FEATURE,
                model=spec.name, prompt=f"embed the chunks of {document.title}",
                status=RunStatus.QUEUED,
            )  # fmt: skip
            session.add(run)
            await session.flush()
            await queue.enqueue(
                session, EMBED_JOB, {"run_id": str(run.id)}, user_id=run.user_id, run_id=run.id
            )
    except RaypxError as exc:
        document.metadata_ = {**document.metadata_, "embedding_error": exc.message}
        return None
    return run.id


async def embed_document(
    factory: SessionFactory, runtime: AIRuntime, run_id: uuid.UUID
) -> dict[str, Any]:
    async with transaction(factory) as session:
        run = await session.get(Run, run_id, with_for_update=True)
        if run is None or run.status in FINISHED or run.document_id is None:
            return {"skipped": True}
        spec = registry_for(runtime.settings).resolve(run.model)
        await vectors.ensure_pgvector(session)
        missing = (
            await session.scalars(
                select(DocumentChunk)
                .where(DocumentChunk.document_id == run.document_id)
                .where(
                    ~exists().where(
                        ChunkEmbedding.chunk_id == DocumentChunk.id,
                        ChunkEmbedding.model == spec.name,
                    )
                )
                .order_by(DocumentChunk.ordinal)
            )
        ).all()
        todo = [(c.id, embedding_input(c)) for c in missing]
        document_id, user_id = run.document_id, run.user_id
        run.status = RunStatus.RUNNING
    try:
        done = await providers.embed(runtime, spec, [text for _, text in todo])
    except ProviderError as exc:
        if exc.retryable:
            raise  # the job is retried with backoff
        await finish(factory, run_id, spec.as_model(), Usage(0, 0), error=exc.message)
        return {"error": exc.code}
    rows = [
        {"chunk_id": chunk_id, "document_id": document_id, "user_id": user_id,
         "model": spec.name, "dimensions": len(vector), "embedding": vector}
        for (chunk_id, _), vector in zip(todo, done.vectors, strict=True)
    ]  # fmt: skip
    await finish(factory, run_id, spec.as_model(), Usage(done.input_tokens, 0), rows=rows)
    return {"chunks": len(rows), "tokens": done.input_tokens}


async def finish(
    factory: SessionFactory,
    run_id: uuid.UUID,
    model: Any,
    consumed: Usage,
    *,
    rows: list[dict[str, Any]] | None = None,
    error: str | None = None,
) -> None:
    async with transaction(factory) as session:
        run = await session.get(Run, run_id, with_for_update=True)
        if run is None or run.status in FINISHED:
            return
        # The document may have been deleted while we embedded: its chunks are gone with it.
        alive = run.document_id is not None and await session.scalar(
            select(Document.id).where(Document.id == run.document_id).with_for_update()
        )
        for start in range(0, len(rows or []) if alive else 0, INSERT_BATCH):
            batch = (rows or [])[start : start + INSERT_BATCH]
            statement = (
                insert(ChunkEmbedding)
                .values(batch)
                .on_conflict_do_nothing(index_elements=["chunk_id", "model"])
            )
            await session.execute(statement)
        run.status = RunStatus.FAILED if error else RunStatus.SUCCEEDED
        run.error_message = error
        run.response_text = f"{len(rows or [])} chunks embedded" if not error else None
        await usage.record_run_usage(
            session, user_id=run.user_id, run_id=run.id, model=model, feature=run.feature,
            usage=consumed,
        )  # fmt: skip
