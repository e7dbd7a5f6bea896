"""Documents: upload, read, rename, delete, download and summarise, scoped to their owner.

Another user's document answers exactly like a missing one. Upload and delete take the session
factory, not a session: the object store is outside the database transaction, so they order the
two themselves — write the object, then commit the row (deleting the object if that fails); on
delete, commit first and remove the object after.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
import unicodedata
import uuid
from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from raypx.ai import service as ai
from raypx.ai.prompts import Feature
from raypx.ai.runtime import AIRuntime
from raypx.billing import quotas
from raypx.db.base import new_uuid7
from raypx.db.engine import SessionFactory, transaction
from raypx.db.enums import DocumentStatus
from raypx.db.models import Document, Run
from raypx.db.ownership import get_owned
from raypx.db.pagination import Page, newest_page
from raypx.documents.multipart import MultipartUpload
from raypx.documents.sniffing import TypeSniffer
from raypx.errors import Conflict, Invalid
from raypx.jobs import queue
from raypx.settings import Settings
from raypx.storage.base import Storage, read_bytes
from raypx.usage import service as usage

log = logging.getLogger(__name__)
PROCESS_JOB = "documents.process"
MAX_TITLE_CHARS = 255
CONTROL_OR_SPACE = re.compile(r"\s+")


def object_key(user_id: str, document_id: uuid.UUID) -> str:
    return f"documents/{user_id}/{document_id}"


def text_key(storage_key: str) -> str:
    """The extracted text lives next to the original, so a summary never re-parses the file."""
    return f"{storage_key}.txt"


def clean_text_line(raw: str, limit: int = MAX_TITLE_CHARS) -> str:
    # Control and format characters would break headers and listings; spaces collapse to one.
    kept = "".join(" " if unicodedata.category(c) in ("Cc", "Cf") else c for c in raw)
    return CONTROL_OR_SPACE.sub(" ", kept).strip()[:limit].strip()


def clean_title(raw: str) -> str:
    title = clean_text_line(raw, limit=10_000)
    if not title:
        raise Invalid("title must not be empty", code="INVALID_TITLE")
    if len(title) > MAX_TITLE_CHARS:
        raise Invalid(f"title is longer than {MAX_TITLE_CHARS} characters", code="INVALID_TITLE")
    return title


def clean_filename(raw: str | None) -> str:
    # Some browsers send the client's full path; only its last component is the name.
    return clean_text_line(re.split(r"[\\/]", raw or "")[-1])


async def upload_document(
    factory: SessionFactory,
    storage: Storage,
    settings: Settings,
    user_id: str,
    upload: MultipartUpload,
) -> Document:
    """Stream the file to storage under the plan's size limit, then record it in one transaction."""
    async with transaction(factory) as session:
        limit = await quotas.max_upload_bytes(session, user_id, settings)
    document_id = new_uuid7()
    key = object_key(user_id, document_id)
    digest, sniffer = hashlib.sha256(), TypeSniffer()

    async def measured() -> AsyncIterator[bytes]:
        async for chunk in upload.file_chunks(limit):
            digest.update(chunk)
            sniffer.feed(chunk)
            yield chunk

    size = await storage.put(key, measured())
    sniffer.complete = True
    try:
        filename = clean_filename(upload.filename)
        if size == 0:
            raise Invalid("the file is empty", code="EMPTY_FILE")
        raw_title = upload.fields.get("title", "").strip()
        title = clean_title(raw_title) if raw_title else (filename or "Untitled document")
        content_type = sniffer.content_type(filename, upload.declared_type)
        async with transaction(factory) as session:
            await quotas.ensure_can_store_document(session, user_id, size, settings)
            document = Document(
                id=document_id, user_id=user_id, title=title, storage_key=key,
                content_type=content_type, size_bytes=size, status=DocumentStatus.UPLOADED,
                metadata_={
                    "sha256": digest.hexdigest(), "original_filename": filename,
                    "declared_type": clean_text_line(upload.declared_type or "", 100) or None,
                    "sniffed_type": content_type,
                },
            )  # fmt: skip
            session.add(document)
            await usage.record_document_stored(session, user_id=user_id, size_bytes=size)
            payload = {"document_id": str(document_id), "summarize": settings.summarize_on_upload}
            await queue.enqueue(session, PROCESS_JOB, payload, user_id=user_id)
    except BaseException:
        # No row committed (quota refused, bad title, lost connection…): no object either.
        await asyncio.shield(remove_objects(storage, key))
        raise
    return document


async def remove_objects(storage: Storage, key: str) -> None:
    """The original and its extracted text; a failure is logged, never raised to the caller."""
    for each in (key, text_key(key)):
        try:
            await storage.delete(each)
        except Exception:
            log.exception("could not delete stored object %s; it is now an orphan", each)


PURGE_JOB = "documents.purge_objects"


async def schedule_purge(session: AsyncSession, user_id: str) -> None:
    """Before a user is deleted, in the same transaction: a job that removes their stored files
    once the deletion commits (the rows go by cascade; the objects would otherwise stay)."""
    keys = (
        await session.scalars(select(Document.storage_key).where(Document.user_id == user_id))
    ).all()
    if keys:
        await queue.enqueue(session, PURGE_JOB, {"keys": list(keys)})


async def get_document(
    session: AsyncSession, user_id: str, document_id: uuid.UUID, *, lock: bool = False
) -> Document:
    return await get_owned(session, Document, document_id, user_id, name="document", lock=lock)


async def list_documents(
    session: AsyncSession,
    user_id: str,
    *,
    cursor: str | None = None,
    limit: int = 20,
    status: DocumentStatus | None = None,
    query: str | None = None,
) -> Page[Document]:
    """Newest first; `query` keeps titles containing it (case-insensitive, taken literally)."""
    statement = select(Document).where(Document.user_id == user_id)
    if status is not None:
        statement = statement.where(Document.status == status)
    if query and query.strip():
        statement = statement.where(Document.title.icontains(query.strip(), autoescape=True))
    return await newest_page(session, statement, Document.id, cursor, limit)


async def stored_totals(session: AsyncSession, user_id: str) -> tuple[int, int]:
    """How many documents the user keeps now, and their bytes (the plan's limit is on these)."""
    row = (
        await session.execute(
            select(func.count(), func.coalesce(func.sum(Document.size_bytes), 0)).where(
                Document.user_id == user_id
            )
        )
    ).one()
    return int(row[0]), int(row[1])


async def rename_document(
    session: AsyncSession, user_id: str, document_id: uuid.UUID, title: str
) -> Document:
    document = await get_document(session, user_id, document_id, lock=True)
    document.title = clean_title(title)
    await session.flush()
    await session.refresh(document)
    return document


async def delete_document(
    factory: SessionFactory, storage: Storage, user_id: str, document_id: uuid.UUID
) -> None:
    """Row and usage in one transaction; the objects after it commits (missing ones are fine)."""
    async with transaction(factory) as session:
        document = await get_document(session, user_id, document_id, lock=True)
        key, size = document.storage_key, document.size_bytes
        await session.delete(document)
        await usage.record_document_removed(session, user_id=user_id, size_bytes=size)
    await remove_objects(storage, key)


async def open_content(
    session: AsyncSession, storage: Storage, user_id: str, document_id: uuid.UUID
) -> tuple[Document, AsyncIterator[bytes]]:
    document = await get_document(session, user_id, document_id)
    return document, await storage.get(document.storage_key)


async def document_text(
    session: AsyncSession, storage: Storage, user_id: str, document_id: uuid.UUID
) -> tuple[Document, str]:
    """The document's extracted text, or a 409 saying why there is none (yet)."""
    document = await get_document(session, user_id, document_id)
    key = document.metadata_.get("text_key")
    if not key:
        if document.status == DocumentStatus.FAILED:
            reason = document.metadata_.get("error", "it could not be read")
            raise Conflict(f"the document has no text: {reason}", code="DOCUMENT_FAILED")
        raise Conflict(
            "the document's text is still being extracted; try again shortly",
            code="DOCUMENT_NOT_READY",
        )
    return document, (await read_bytes(storage, key)).decode("utf-8")


async def run_on_document(
    session: AsyncSession,
    storage: Storage,
    runtime: AIRuntime,
    user_id: str,
    document_id: uuid.UUID,
    *,
    feature: str = Feature.DOCUMENT_SUMMARY.value,
    model: str | None = None,
    options: dict[str, Any] | None = None,
) -> Run:
    """A queued run (a summary by default) over the document's extracted text."""
    document, text = await document_text(session, storage, user_id, document_id)
    return await ai.create_run(
        session, runtime, document.user_id, feature=feature, input_text=text, model=model,
        options=options, document_id=document.id,
    )  # fmt: skip


async def start_summary(
    session: AsyncSession,
    runtime: AIRuntime,
    document: Document,
    text: str,
    *,
    model: str | None = None,
    options: dict[str, Any] | None = None,
) -> Run:
    return await ai.create_run(
        session, runtime, document.user_id, feature=Feature.DOCUMENT_SUMMARY.value,
        input_text=text, model=model, options=options,
        document_id=document.id,
    )  # fmt: skip
