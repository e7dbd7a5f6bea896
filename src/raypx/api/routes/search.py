"""Search over the caller's own documents."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request

from raypx.api.deps import CurrentUser, SessionDep, SessionFactoryDep, ai_runtime
from raypx.api.schemas.errors import errors
from raypx.api.schemas.search import ChunkOut, SearchHitOut, SearchOut
from raypx.api.schemas.text import Text
from raypx.search import service as search
from raypx.search.service import Result, SearchResults

router = APIRouter(prefix="/api/search", tags=["search"])


def hit_out(result: Result) -> SearchHitOut:
    hit = result.hit
    return SearchHitOut(
        document_id=hit.document_id, document_title=hit.document_title, chunk_id=hit.chunk_id,
        chunk_index=hit.ordinal, heading=hit.heading, page_start=hit.page_start,
        page_end=hit.page_end, score=round(hit.score, 6), snippet=result.snippet.text,
        highlights=result.snippet.highlights, snippet_html=result.snippet.html,
    )  # fmt: skip


def search_out(found: SearchResults) -> SearchOut:
    return SearchOut(
        query=found.query,
        mode=found.mode,
        notices=found.notices,
        results=[hit_out(r) for r in found.results],
    )


@router.get("", response_model=SearchOut, responses=errors(400, 401, 422))
async def search_documents(
    user: CurrentUser,
    factory: SessionFactoryDep,
    request: Request,
    # Annotated, not `= Query(...)`: FastAPI drops Text's NUL validator from a bare default.
    q: Annotated[Text, Query(description="Words or a question; Chinese and Japanese work too")],
    limit: int = Query(10, ge=1, le=search.MAX_LIMIT),
    document_id: list[uuid.UUID] | None = Query(None, description="Only these documents"),
    mode: search.Mode = Query(
        "auto",
        description="auto (hybrid when vector search is available), fulltext, vector, "
        "hybrid; what was actually used is in the response's `mode` and `notices`",
    ),
) -> SearchOut:
    found = await search.search_documents(
        factory, ai_runtime(request), user.id, q, limit=limit, document_ids=document_id,
        mode=mode,
    )  # fmt: skip
    return search_out(found)


@router.get("/chunks/{chunk_id}", response_model=ChunkOut, responses=errors(401, 404, 422))
async def get_chunk(chunk_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> ChunkOut:
    """A passage in full: what a search hit or a citation points at."""
    chunk, title = await search.get_chunk(session, user.id, chunk_id)
    return ChunkOut(
        id=chunk.id, document_id=chunk.document_id, document_title=title,
        chunk_index=chunk.ordinal, heading=chunk.heading, page_start=chunk.page_start,
        page_end=chunk.page_end, char_start=chunk.char_start, char_end=chunk.char_end,
        content=chunk.content,
    )  # fmt: skip
