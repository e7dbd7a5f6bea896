"""AI work: conversation, message, run, artifact."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column

from raypx.db.base import EMPTY_JSON, Base, TextEnum, Timestamps, UUIDPrimaryKey, enum_check
from raypx.db.enums import ArtifactKind, ConversationStatus, MessageRole, RunStatus


class Conversation(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "conversation"
    __table_args__ = (
        enum_check("status", ConversationStatus),
        Index("idx_conversation_user_id", "user_id"),
    )

    user_id: Mapped[str] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    title: Mapped[str]
    # Open set: applications add their own tasks; raypx.db.enums.ConversationTask lists ours.
    task: Mapped[str] = mapped_column(server_default="summarize")
    status: Mapped[ConversationStatus] = mapped_column(
        TextEnum(ConversationStatus), server_default=ConversationStatus.ACTIVE
    )


class Message(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "message"
    __table_args__ = (
        enum_check("role", MessageRole),
        Index("idx_message_conversation_id", "conversation_id"),
        Index("idx_message_user_id", "user_id"),
    )

    conversation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("conversation.id", ondelete="CASCADE")
    )
    user_id: Mapped[str] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    role: Mapped[MessageRole] = mapped_column(TextEnum(MessageRole))
    content: Mapped[str]
    model: Mapped[str | None]


class Run(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "run"
    __table_args__ = (
        enum_check("status", RunStatus),
        Index("idx_run_user_id", "user_id"),
        Index("idx_run_conversation_id", "conversation_id"),
        Index("idx_run_document_id", "document_id"),
    )

    user_id: Mapped[str] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    conversation_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("conversation.id", ondelete="SET NULL")
    )
    document_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("document.id", ondelete="SET NULL")
    )
    feature: Mapped[str] = mapped_column(server_default="document-summary")
    model: Mapped[str]
    status: Mapped[RunStatus] = mapped_column(TextEnum(RunStatus), server_default=RunStatus.QUEUED)
    prompt: Mapped[str]
    response_text: Mapped[str | None]
    error_message: Mapped[str | None]


class Artifact(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "artifact"
    __table_args__ = (
        enum_check("kind", ArtifactKind),
        Index("idx_artifact_user_id", "user_id"),
        Index("idx_artifact_run_id", "run_id"),
    )

    user_id: Mapped[str] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    run_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("run.id", ondelete="CASCADE"))
    kind: Mapped[ArtifactKind] = mapped_column(
        TextEnum(ArtifactKind), server_default=ArtifactKind.SUMMARY
    )
    title: Mapped[str]
    content: Mapped[str]
    metadata_: Mapped[dict[str, Any]] = mapped_column(
        "metadata", server_default=EMPTY_JSON, default=dict
    )
