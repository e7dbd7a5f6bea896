"""Vector similarity with pgvector, when the server has it, and reciprocal rank fusion.

The extension is detected at run time (`pg_extension`), never required: without it search is
full-text only and says why. Where the extension is available but not created, the embedding
job creates it when it may (a superuser, or a trusted install); otherwise an operator runs
`CREATE EXTENSION vector` once (README).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import replace

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from raypx.search.fulltext import Hit

RRF_K = 60  # the constant of Cormack et al. (2009): damps the weight of the very top ranks

STATE = """
SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'vector'),
       EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'vector')
"""
NEAREST = """
SELECT c.id, c.document_id, d.title, c.ordinal, c.heading, c.page_start, c.page_end, c.content,
       1 - (CAST(e.embedding AS vector) <=> CAST(:query AS vector)) AS score
FROM chunk_embedding e
JOIN document_chunk c ON c.id = e.chunk_id
JOIN document d ON d.id = c.document_id
WHERE e.user_id = :user_id AND e.model = :model AND e.dimensions = :dimensions
  AND (CAST(:document_ids AS uuid[]) IS NULL OR e.document_id = ANY(CAST(:document_ids AS uuid[])))
ORDER BY CAST(e.embedding AS vector) <=> CAST(:query AS vector), c.id
LIMIT :limit
"""


async def pgvector_state(session: AsyncSession) -> tuple[bool, bool]:
    """(created in this database, available to create)."""
    row = (await session.execute(text(STATE))).one()
    return bool(row[0]), bool(row[1])


async def ensure_pgvector(session: AsyncSession) -> bool:
    """True when the extension is there, creating it if it is available and allowed."""
    created, available = await pgvector_state(session)
    if created or not available:
        return created
    try:
        async with session.begin_nested():
            await session.execute(text("CREATE EXTENSION IF NOT EXISTS vector"))
    except DBAPIError:  # not allowed for this role: an operator has to create it
        return False
    return True


def vector_literal(vector: Sequence[float]) -> str:
    return "[" + ",".join(repr(float(v)) for v in vector) + "]"


async def nearest_chunks(
    session: AsyncSession,
    user_id: str,
    model: str,
    query: Sequence[float],
    *,
    limit: int,
    document_ids: Sequence[uuid.UUID] | None = None,
) -> list[Hit]:
    rows = await session.execute(
        text(NEAREST),
        {
            "user_id": user_id, "model": model, "dimensions": len(query),
            "query": vector_literal(query), "limit": limit,
            "document_ids": list(document_ids) if document_ids is not None else None,
        },
    )  # fmt: skip
    return [Hit(*row) for row in rows]


def fuse(rankings: Sequence[Sequence[Hit]], limit: int) -> list[Hit]:
    """Reciprocal rank fusion: score = Σ 1 / (k + rank) over the lists a chunk appears in."""
    scores: dict[uuid.UUID, float] = {}
    first_seen: dict[uuid.UUID, Hit] = {}
    for ranking in rankings:
        for rank, hit in enumerate(ranking, start=1):
            scores[hit.chunk_id] = scores.get(hit.chunk_id, 0.0) + 1.0 / (RRF_K + rank)
            first_seen.setdefault(hit.chunk_id, hit)
    order = sorted(scores, key=lambda chunk_id: (-scores[chunk_id], str(chunk_id)))
    return [replace(first_seen[c], score=scores[c]) for c in order[:limit]]
