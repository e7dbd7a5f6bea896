"""Which documents a conversation asks about: some of the user's, or all of them.

No attachment rows means all documents, so a new conversation can ask at once; attaching
specific documents narrows it. Only the owner's documents can be attached.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from raypx.ai import conversations
from raypx.db.models import ConversationDocument, Document
from raypx.errors import Invalid, NotFound

MAX_ATTACHED = 100


@dataclass(frozen=True)
class Scope:
    all_documents: bool
    documents: list[Document]

    @property
    def document_ids(self) -> list[uuid.UUID] | None:
        return None if self.all_documents else [d.id for d in self.documents]


async def get_scope(session: AsyncSession, user_id: str, conversation_id: uuid.UUID) -> Scope:
    await conversations.get_conversation(session, user_id, conversation_id)
    rows = (
        await session.execute(
            select(ConversationDocument.document_id, Document)
            .outerjoin(Document, Document.id == ConversationDocument.document_id)
            .where(ConversationDocument.conversation_id == conversation_id)
            .order_by(ConversationDocument.id)
        )
    ).all()
    documents = [document for _, document in rows if document is not None]
    return Scope(not documents, documents)


async def set_scope(
    session: AsyncSession,
    user_id: str,
    conversation_id: uuid.UUID,
    document_ids: Sequence[uuid.UUID] | None,
) -> Scope:
    """Replace the attachments: these documents, or (None) all of the user's documents."""
    await conversations.get_conversation(session, user_id, conversation_id)
    wanted = list(dict.fromkeys(document_ids or []))
    if document_ids is not None and not wanted:
        raise Invalid("attach at least one document, or all of them", code="NO_DOCUMENTS")
    if len(wanted) > MAX_ATTACHED:
        raise Invalid(f"at most {MAX_ATTACHED} documents can be attached", code="TOO_MANY")
    if wanted:
        owned = await session.scalar(
            select(func.count())
            .select_from(Document)
            .where(Document.id.in_(wanted), Document.user_id == user_id)
        )
        if owned != len(wanted):
            raise NotFound("document not found", code="DOCUMENT_NOT_FOUND")
    await session.execute(
        delete(ConversationDocument).where(ConversationDocument.conversation_id == conversation_id)
    )
    targets: list[uuid.UUID | None] = [*wanted] if wanted else [None]  # None: all documents
    session.add_all(
        [
            ConversationDocument(conversation_id=conversation_id, user_id=user_id, document_id=d)
            for d in targets
        ]
    )
    await session.flush()
    return await get_scope(session, user_id, conversation_id)
