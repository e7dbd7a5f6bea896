"""Search a user's documents: validated query in, ranked passages with snippets out."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from raypx.db.models import Document, DocumentChunk
from raypx.errors import Invalid, NotFound
from raypx.search import fulltext
from raypx.search.snippets import Snippet, make_snippet

MAX_QUERY_CHARS = 500
MAX_LIMIT = 50


@dataclass(frozen=True)
class Result:
    hit: fulltext.Hit
    snippet: Snippet


@dataclass(frozen=True)
class SearchResults:
    query: str
    mode: str  # "fulltext" | "hybrid"
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


async def search_documents(
    session: AsyncSession,
    user_id: str,
    query: str,
    *,
    limit: int = 10,
    document_ids: Sequence[uuid.UUID] | None = None,
) -> SearchResults:
    """The user's best-matching passages (their own documents only, or just `document_ids`)."""
    query = check_query(query, limit)
    hits = await fulltext.search_chunks(
        session, user_id, query, limit=limit, document_ids=document_ids
    )
    results = [Result(hit, make_snippet(hit.content, query)) for hit in hits]
    return SearchResults(query, "fulltext", results)


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
