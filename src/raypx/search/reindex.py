"""Chunk (and queue embedding of) documents that have no chunks yet: those processed before
search existed, or all of them again (`everything`). The original file is extracted again,
so PDF chunks get their pages; each document commits on its own, so a long reindex can stop
and resume."""

from __future__ import annotations

import asyncio
import uuid

from sqlalchemy import exists, select

from raypx.db.engine import SessionFactory, transaction
from raypx.db.enums import DocumentStatus
from raypx.db.models import Document, DocumentChunk
from raypx.documents.extraction import ExtractionFailed, extract_text
from raypx.search import embedding, indexing
from raypx.settings import Settings
from raypx.storage.base import ObjectMissing, Storage, read_bytes


async def documents_to_index(
    factory: SessionFactory, user_id: str | None, everything: bool
) -> list[uuid.UUID]:
    statement = select(Document.id).where(Document.status == DocumentStatus.PROCESSED)
    if user_id is not None:
        statement = statement.where(Document.user_id == user_id)
    if not everything:
        statement = statement.where(~exists().where(DocumentChunk.document_id == Document.id))
    async with transaction(factory) as session:
        return list((await session.scalars(statement.order_by(Document.id))).all())


async def reindex_document(
    factory: SessionFactory, storage: Storage, settings: Settings, document_id: uuid.UUID
) -> int | None:
    """The number of chunks written, or None when the file is gone or unreadable now."""
    async with transaction(factory) as session:
        document = await session.get(Document, document_id)
        if document is None:
            return None
        key, content_type = document.storage_key, document.content_type
    try:
        extraction = await asyncio.to_thread(extract_text, await read_bytes(storage, key),
                                             content_type)  # fmt: skip
    except (ObjectMissing, ExtractionFailed):
        return None
    prepared = await asyncio.to_thread(
        indexing.prepare_chunks, extraction.text, extraction.page_starts
    )
    async with transaction(factory) as session:
        document = await session.get(Document, document_id, with_for_update=True)
        if document is None:
            return None
        await indexing.replace_chunks(
            session, document_id=document.id, user_id=document.user_id, prepared=prepared
        )
        document.metadata_ = {**document.metadata_, "chunks": len(prepared)}
        await embedding.queue_embedding(session, settings, document, len(extraction.text))
    return len(prepared)
