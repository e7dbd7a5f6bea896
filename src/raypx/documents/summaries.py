"""Called by the AI layer when a run linked to a document finishes, in its transaction.

The run's completion writes the document's summary, so the summary, the run's artifact and the
usage events commit together, and a retried or replayed completion changes nothing twice.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from raypx.ai.prompts import Feature
from raypx.db.enums import DocumentStatus
from raypx.db.models import Document, Run

ERROR_KEYS = ("error", "error_code")


async def summarized_document(session: AsyncSession, run: Run) -> Document | None:
    if run.document_id is None or run.feature != Feature.DOCUMENT_SUMMARY.value:
        return None
    statement = select(Document).where(
        Document.id == run.document_id, Document.user_id == run.user_id
    )
    document: Document | None = await session.scalar(statement.with_for_update())
    return document


async def record_summary(session: AsyncSession, run: Run, summary: str) -> None:
    document = await summarized_document(session, run)
    if document is None:  # not a document run, or the document was deleted meanwhile
        return
    document.summary = summary
    document.status = DocumentStatus.PROCESSED
    metadata = {k: v for k, v in document.metadata_.items() if k not in ERROR_KEYS}
    document.metadata_ = {**metadata, "summary_run_id": str(run.id)}


async def record_summary_failure(session: AsyncSession, run: Run, message: str) -> None:
    document = await summarized_document(session, run)
    # A document that already has a summary keeps it; a failed re-summary is only the run's.
    if document is None or document.status != DocumentStatus.UPLOADED:
        return
    document.status = DocumentStatus.FAILED
    document.metadata_ = {
        **document.metadata_,
        "error": f"the summary run failed: {message}",
        "error_code": "SUMMARY_FAILED",
        "summary_run_id": str(run.id),
    }
