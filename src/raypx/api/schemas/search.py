"""Response bodies of search (and the citations Ask answers carry)."""

from __future__ import annotations

import uuid

from pydantic import BaseModel, ConfigDict, Field

from raypx.api.schemas.ai import TurnOut
from raypx.api.schemas.text import Text


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


class CitationOut(BaseModel):
    message_id: uuid.UUID
    number: int = Field(description="The [n] marker in the answer")
    document_id: uuid.UUID
    document_title: str
    chunk_id: uuid.UUID | None = Field(description="None once the document was re-chunked")
    page_start: int | None
    page_end: int | None
    quote: str = Field(description="The passage the answer was grounded on (plain text)")
    score: float


class AttachmentsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    document_ids: list[uuid.UUID] | None = Field(
        default=None, description="These documents; omit or null for all of the user's documents"
    )


class AttachedDocumentOut(BaseModel):
    id: uuid.UUID
    title: str


class AttachmentsOut(BaseModel):
    all_documents: bool
    documents: list[AttachedDocumentOut]


class AskIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    question: Text = Field(min_length=1, examples=["What did the council approve?"])
    model: Text | None = Field(default=None, examples=["mock:raypx-1"])
    stream: bool = False
    passages: int = Field(default=5, ge=1, le=20, description="Passages retrieved per question")


class ChunkOut(BaseModel):
    """A passage, to open a citation or a search hit in full."""

    id: uuid.UUID
    document_id: uuid.UUID
    document_title: str
    chunk_index: int
    heading: str | None
    page_start: int | None
    page_end: int | None
    char_start: int = Field(description="Offset of the passage in the document's text")
    char_end: int
    content: str


class AskOut(TurnOut):
    search_mode: str
    notices: list[str]
    citations: list[CitationOut]
