"""Tables beyond the spec's 13 (migration 0002): document chunks and their embeddings, what a
conversation asks about, and the passages an answer cites."""

from __future__ import annotations

import uuid

from sqlalchemy import REAL, ForeignKey, Index, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import ARRAY, TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from raypx.db.base import Base, Timestamps, UUIDPrimaryKey

EXTENSION_TABLES = (
    "document_chunk", "chunk_embedding", "conversation_document", "message_citation",
)  # fmt: skip


class DocumentChunk(UUIDPrimaryKey, Timestamps, Base):
    """One passage of a document's text: the unit search ranks and answers cite."""

    __tablename__ = "document_chunk"
    __table_args__ = (
        UniqueConstraint("document_id", "ordinal"),
        Index("idx_document_chunk_user_id", "user_id"),
        Index("idx_document_chunk_search_vector", "search_vector", postgresql_using="gin"),
    )

    document_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    ordinal: Mapped[int]  # 0, 1, 2… in reading order
    content: Mapped[str]  # exactly text[char_start:char_end] of the extracted text
    heading: Mapped[str | None]  # the section path, "Part I > Chapter 2"
    page_start: Mapped[int | None]  # PDFs only, 1-based
    page_end: Mapped[int | None]
    char_start: Mapped[int]
    char_end: Mapped[int]
    token_count: Mapped[int]
    language: Mapped[str]  # the text search configuration the vector was built with
    search_vector: Mapped[str] = mapped_column(TSVECTOR)


class ChunkEmbedding(UUIDPrimaryKey, Timestamps, Base):
    """A chunk's vector under one embedding model.

    Stored as `real[]`, not pgvector's `vector`: the schema is then the same on every server,
    with or without the extension, and with pgvector the query casts to `vector` and ranks with
    its cosine operator. Search is owner-scoped exact nearest-neighbour (a user's chunks, not an
    approximate index over everyone's, which would need post-filtering and lose recall).
    """

    __tablename__ = "chunk_embedding"
    __table_args__ = (
        UniqueConstraint("chunk_id", "model"),
        Index("idx_chunk_embedding_user_id_model", "user_id", "model"),
        Index("idx_chunk_embedding_document_id", "document_id"),
    )

    chunk_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("document_chunk.id", ondelete="CASCADE"))
    document_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    model: Mapped[str]
    dimensions: Mapped[int]
    embedding: Mapped[list[float]] = mapped_column(ARRAY(REAL))


class ConversationDocument(UUIDPrimaryKey, Timestamps, Base):
    """A conversation asks about this document; `document_id` NULL means all of the user's."""

    __tablename__ = "conversation_document"
    __table_args__ = (
        UniqueConstraint("conversation_id", "document_id"),
        Index(
            "uidx_conversation_document_all",
            "conversation_id",
            unique=True,
            postgresql_where=text("document_id IS NULL"),
        ),
        Index("idx_conversation_document_user_id", "user_id"),
        Index("idx_conversation_document_document_id", "document_id"),
    )

    conversation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("conversation.id", ondelete="CASCADE")
    )
    user_id: Mapped[str] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    document_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("document.id", ondelete="CASCADE")
    )


class MessageCitation(UUIDPrimaryKey, Timestamps, Base):
    """Passage `ordinal` ([1], [2]…) an assistant message was grounded on. The quote is kept so
    the citation still reads right if the document is re-chunked; the chunk link then clears."""

    __tablename__ = "message_citation"
    __table_args__ = (
        UniqueConstraint("message_id", "ordinal"),
        Index("idx_message_citation_user_id", "user_id"),
        Index("idx_message_citation_document_id", "document_id"),
        Index("idx_message_citation_chunk_id", "chunk_id"),
    )

    message_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("message.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    document_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"))
    chunk_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("document_chunk.id", ondelete="SET NULL")
    )
    ordinal: Mapped[int]
    page_start: Mapped[int | None]
    page_end: Mapped[int | None]
    quote: Mapped[str]
    score: Mapped[float]
