"""The background side of an upload: extract the text, keep it, and start the summary run.

Three short steps, no transaction held across I/O: read the row, extract and chunk (off the
loop), then record the result and its search chunks and queue the summary run in one
transaction. The run's completion, in the AI
layer, writes the summary and marks the document processed (see `summaries`).
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from raypx import offload
from raypx.ai.runtime import AIRuntime
from raypx.db.engine import SessionFactory, transaction
from raypx.db.enums import DocumentStatus
from raypx.db.models import Document
from raypx.documents import service
from raypx.documents.extraction import ExtractionFailed, extract_text
from raypx.errors import RaypxError
from raypx.search import embedding, indexing
from raypx.storage.base import ObjectMissing, Storage, put_bytes, read_bytes

# Small files extract in milliseconds in a thread; parsing a larger one (pypdf, python-docx are
# pure Python, holding the GIL) goes to the offload pool so the worker's loop stays responsive.
INLINE_EXTRACTION_BYTES = 64 * 1024


async def mark_failed(
    factory: SessionFactory, document_id: uuid.UUID, code: str, message: str
) -> dict[str, Any]:
    async with transaction(factory) as session:
        document = await session.scalar(
            select(Document).where(Document.id == document_id).with_for_update()
        )
        if document is not None:
            document.status = DocumentStatus.FAILED
            document.metadata_ = {**document.metadata_, "error": message, "error_code": code}
    return {"document_status": "failed", "error_code": code}


async def process_document(
    factory: SessionFactory,
    storage: Storage,
    runtime: AIRuntime,
    document_id: uuid.UUID,
    *,
    summarize: bool,
) -> dict[str, Any]:
    async with transaction(factory) as session:
        document = await session.get(Document, document_id)
        if document is None:
            return {"document_status": "missing"}
        if document.status != DocumentStatus.UPLOADED or "text_key" in document.metadata_:
            return {"document_status": document.status.value, "skipped": True}  # a replay
        key, content_type = document.storage_key, document.content_type

    try:
        data = await read_bytes(storage, key)
    except ObjectMissing:
        return await mark_failed(factory, document_id, "FILE_MISSING", "the stored file is gone")
    try:
        if len(data) <= INLINE_EXTRACTION_BYTES:
            extraction = await asyncio.to_thread(extract_text, data, content_type)
        else:
            extraction = await offload.run(extract_text, data, content_type)
    except ExtractionFailed as exc:
        return await mark_failed(factory, document_id, exc.code, exc.message)
    prepared = await asyncio.to_thread(
        indexing.prepare_chunks, extraction.text, extraction.page_starts
    )
    text_object = service.text_key(key)
    await put_bytes(storage, text_object, extraction.text.encode(), "text/plain; charset=utf-8")

    result: dict[str, Any] = {"document_status": "uploaded", "summarize": False}
    async with transaction(factory) as session:
        document = await session.scalar(
            select(Document).where(Document.id == document_id).with_for_update()
        )
        if document is not None:
            document.metadata_ = {
                **document.metadata_,
                "text_key": text_object, "extractor": extraction.extractor,
                "pages": extraction.pages, "words": extraction.words,
                "characters": len(extraction.text),
                "extracted_at": datetime.now(UTC).isoformat(), "chunks": len(prepared),
            }  # fmt: skip
            await indexing.replace_chunks(
                session, document_id=document.id, user_id=document.user_id, prepared=prepared
            )
            await embedding.queue_embedding(
                session, runtime.settings, document, len(extraction.text)
            )
            if summarize:
                result = await queue_summary(session, runtime, document, extraction.text)
    if document is None:  # deleted while we extracted: its text must not outlive it
        await storage.delete(text_object)
        return {"document_status": "missing"}
    return result


async def queue_summary(
    session: AsyncSession, runtime: AIRuntime, document: Document, text: str
) -> dict[str, Any]:
    """Start the run; if the plan refuses it, the document fails with that reason instead."""
    try:
        async with session.begin_nested():
            run = await service.start_summary(session, runtime, document, text)
    except RaypxError as exc:
        document.status = DocumentStatus.FAILED
        document.metadata_ = {
            **document.metadata_,
            "error": f"the summary could not start: {exc.message}",
            "error_code": exc.code,
        }
        return {"document_status": "failed", "error_code": exc.code}
    return {"document_status": "uploaded", "run_id": str(run.id)}
