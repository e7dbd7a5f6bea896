"""Response bodies of search (and the citations Ask answers carry)."""

from __future__ import annotations

import uuid

from pydantic import BaseModel, Field


class SearchHitOut(BaseModel):
    document_id: uuid.UUID
    document_title: str
    chunk_id: uuid.UUID
    chunk_index: int = Field(description="The chunk's position in its document, from 0")
    heading: str | None = Field(description="Section path, e.g. 'Part I > Chapter 2'")
    page_start: int | None = Field(description="PDFs only: first page of the passage, from 1")
    page_end: int | None
    score: float = Field(description="Higher is better; comparable within one response only")
    snippet: str = Field(description="Plain text (not HTML) around the best matches")
    highlights: list[tuple[int, int]] = Field(
        description="[start, end) character offsets of matches within `snippet`"
    )
    snippet_html: str = Field(
        description="`snippet` HTML-escaped, matches wrapped in <mark>: safe to insert as HTML"
    )


class SearchOut(BaseModel):
    query: str
    mode: str = Field(description="fulltext, or hybrid (full-text and vector, fused)")
    notices: list[str] = Field(description="Why a mode was not available, for example")
    results: list[SearchHitOut]
