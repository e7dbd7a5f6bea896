"""Search a user's documents: validated query in, ranked passages with snippets out.

Full-text always; with an embedding model configured and pgvector on the server, vector
similarity too, fused with the full-text ranking by reciprocal rank fusion. Whatever is not
available is said in `notices`, never silently dropped. The query's own embedding is a run of
its own (feature `search`), billed like any other.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from raypx.ai.providers.base import ProviderError, Usage
from raypx.ai.runtime import AIRuntime
from raypx.db.engine import SessionFactory, transaction
from raypx.db.enums import RunStatus
from raypx.db.models import Document, DocumentChunk, Run
from raypx.embeddings import providers
from raypx.embeddings.registry import EmbeddingSpec, registry_for
from raypx.errors import Invalid, NotFound
from raypx.search import fulltext, vectors
from raypx.search.snippets import Snippet, make_snippet
from raypx.usage import service as usage

Mode = Literal["auto", "fulltext", "vector", "hybrid"]
SEARCH_FEATURE = "search"
CANDIDATES = 3  # each ranking contributes limit times this many candidates to the fusion
NO_MODEL = (
    "vector search is off: no embedding model is configured (RAYPX_EMBEDDING_MODEL, e.g. the "
    "offline local:all-minilm-l6-v2); results are full-text only"
)
NO_PGVECTOR = (
    "vector search is unavailable: this PostgreSQL server has no pgvector extension "
    "(install it and run CREATE EXTENSION vector); results are full-text only"
)
NOT_CREATED = (
    "vector search is unavailable: pgvector is installed on the server but not created in this "
    "database (CREATE EXTENSION vector); results are full-text only"
)

MAX_QUERY_CHARS = 500
MAX_LIMIT = 50


@dataclass(frozen=True)
class Result:
    hit: fulltext.Hit
    snippet: Snippet


@dataclass(frozen=True)
class SearchResults:
    query: str
    mode: str  # what was used: "fulltext" | "vector" | "hybrid"
    results: list[Result]
    notices: list[str] = field(default_factory=list)


def check_query(query: str, limit: int) -> str:
    query = " ".join(query.split())
    if not query:
        raise Invalid("the search query is empty", code="EMPTY_QUERY")
    if len(query) > MAX_QUERY_CHARS:
        raise Invalid(
            f"the search query is longer than {MAX_QUERY_CHARS} characters", code="QUERY_TOO_LONG"
        )
    if not 1 <= limit <= MAX_LIMIT:
        raise Invalid(f"limit must be from 1 to {MAX_LIMIT}", code="INVALID_LIMIT")
    return query


async def vector_model(
    factory: SessionFactory, runtime: AIRuntime, notices: list[str]
) -> EmbeddingSpec | None:
    """The embedding model to search with, or None with the reason added to `notices`."""
    name = runtime.settings.embedding_model
    if not name:
        notices.append(NO_MODEL)
        return None
    async with transaction(factory) as session:
        created, available = await vectors.pgvector_state(session)
    if not created:
        notices.append(NOT_CREATED if available else NO_PGVECTOR)
        return None
    return registry_for(runtime.settings).resolve(name)


async def record_query_embedding(
    session: AsyncSession, user_id: str, spec: EmbeddingSpec, query: str, tokens: int
) -> None:
    run = Run(
        user_id=user_id, feature=SEARCH_FEATURE, model=spec.name, prompt=query,
        status=RunStatus.SUCCEEDED,
    )  # fmt: skip
    session.add(run)
    await session.flush()
    await usage.record_run_usage(
        session, user_id=user_id, run_id=run.id, model=spec.as_model(), feature=SEARCH_FEATURE,
        usage=Usage(tokens, 0),
    )  # fmt: skip


async def search_documents(
    factory: SessionFactory,
    runtime: AIRuntime,
    user_id: str,
    query: str,
    *,
    limit: int = 10,
    document_ids: Sequence[uuid.UUID] | None = None,
    mode: Mode = "auto",
) -> SearchResults:
    """The user's best-matching passages (their own documents only, or just `document_ids`)."""
    query = check_query(query, limit)
    notices: list[str] = []
    spec = await vector_model(factory, runtime, notices) if mode != "fulltext" else None
    query_vector: list[float] | None = None
    tokens = 0
    if spec is not None:
        try:  # outside any transaction: no connection is held while the provider answers
            embedded = await providers.embed(runtime, spec, [query])
            query_vector, tokens = embedded.vectors[0], embedded.input_tokens
        except ProviderError as exc:
            notices.append(f"vector search failed ({exc.message}); results are full-text only")
    async with transaction(factory) as session:
        pool = limit * CANDIDATES if query_vector is not None else limit
        text_hits = []
        if mode != "vector" or query_vector is None:
            text_hits = await fulltext.search_chunks(
                session, user_id, query, limit=pool, document_ids=document_ids
            )
        if spec is not None and query_vector is not None:
            await record_query_embedding(session, user_id, spec, query, tokens)
            vector_hits = await vectors.nearest_chunks(
                session, user_id, spec.name, query_vector, limit=pool, document_ids=document_ids
            )
            used = "vector" if mode == "vector" else "hybrid"
            hits = (
                vector_hits[:limit]
                if used == "vector"
                else vectors.fuse([text_hits, vector_hits], limit)
            )
        else:
            used, hits = "fulltext", text_hits[:limit]
    results = [Result(hit, make_snippet(hit.content, query)) for hit in hits]
    return SearchResults(query, used, results, notices)


async def get_chunk(
    session: AsyncSession, user_id: str, chunk_id: uuid.UUID
) -> tuple[DocumentChunk, str]:
    """One of the user's passages and its document's title (another user's: not found)."""
    row = (
        await session.execute(
            select(DocumentChunk, Document.title)
            .join(Document, Document.id == DocumentChunk.document_id)
            .where(DocumentChunk.id == chunk_id, DocumentChunk.user_id == user_id)
        )
    ).first()
    if row is None:
        raise NotFound("passage not found", code="CHUNK_NOT_FOUND")
    return row[0], row[1]
