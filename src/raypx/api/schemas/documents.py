"""Request and response bodies of the document endpoints."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from raypx.api.schemas.text import JSONObject, Text
from raypx.db.enums import DocumentStatus
from raypx.documents.service import MAX_TITLE_CHARS


class DocumentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    title: str
    content_type: str = Field(description="Sniffed from the file's bytes, not the client's claim")
    size_bytes: int
    status: DocumentStatus
    summary: str | None
    metadata: dict[str, Any] = Field(
        validation_alias="metadata_",
        description="sha256, original_filename, sniffed_type, extractor, pages, words, "
        "characters, text_key; error and error_code when processing failed",
    )
    created_at: datetime
    updated_at: datetime


class DocumentPage(BaseModel):
    items: list[DocumentOut]
    next_cursor: str | None


PREVIEW_CHARS = 20_000


class DocumentText(BaseModel):
    text: str
    characters: int = Field(description="Length of the whole extracted text")
    truncated: bool


class DocumentUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: Text = Field(min_length=1, max_length=MAX_TITLE_CHARS)


class SummarizeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    model: Text | None = Field(default=None, examples=["mock:raypx-1"])
    options: JSONObject = Field(default_factory=dict, examples=[{"max_sentences": 3}])
