"""A document's chunks and their full-text vectors, written when the document is processed.

`prepare_chunks` is pure and CPU-bound (run it in a thread); `replace_chunks` writes them in the
caller's transaction, replacing any earlier set, so a replayed processing job leaves exactly one.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, cast, delete, func, insert, literal, literal_column
from sqlalchemy.dialects.postgresql import REGCONFIG
from sqlalchemy.ext.asyncio import AsyncSession

from raypx.ai.tokens import count_tokens
from raypx.db.models import DocumentChunk
from raypx.documents.chunking import Chunk, split_chunks
from raypx.search import language

INSERT_BATCH = 500  # rows per INSERT: bounded statement size for very long documents


@dataclass(frozen=True)
class PreparedChunk:
    chunk: Chunk
    language: str
    token_count: int


def prepare_chunks(text: str, page_starts: Sequence[int] | None) -> list[PreparedChunk]:
    document_language = language.detect_language(text)
    prepared = []
    for chunk in split_chunks(text, page_starts):
        own = language.SIMPLE if language.cjk_share(chunk.content) > 0.3 else document_language
        prepared.append(PreparedChunk(chunk, own, count_tokens(chunk.content)))
    return prepared


def search_vector(config: str, heading: str | None, content: str) -> ColumnElement[str]:
    """Heading words weigh more (A) than body words (D): a match in a title ranks higher."""
    regconfig = cast(literal(config), REGCONFIG)
    body = func.to_tsvector(regconfig, language.index_text(content))
    if not heading:
        return body
    title = func.setweight(
        func.to_tsvector(regconfig, language.index_text(heading)), literal_column("'A'")
    )
    return title.op("||")(body)


async def replace_chunks(
    session: AsyncSession,
    *,
    document_id: uuid.UUID,
    user_id: str,
    prepared: Sequence[PreparedChunk],
) -> int:
    await session.execute(delete(DocumentChunk).where(DocumentChunk.document_id == document_id))
    rows = [
        {
            "document_id": document_id,
            "user_id": user_id,
            "ordinal": p.chunk.ordinal,
            "content": p.chunk.content,
            "heading": p.chunk.heading,
            "page_start": p.chunk.page_start,
            "page_end": p.chunk.page_end,
            "char_start": p.chunk.char_start,
            "char_end": p.chunk.char_end,
            "token_count": p.token_count,
            "language": p.language,
            "search_vector": search_vector(p.language, p.chunk.heading, p.chunk.content),
        }
        for p in prepared
    ]
    for offset in range(0, len(rows), INSERT_BATCH):
        await session.execute(insert(DocumentChunk).values(rows[offset : offset + INSERT_BATCH]))
    return len(rows)
