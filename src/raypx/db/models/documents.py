"""Uploaded documents."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ForeignKey, Index, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from raypx.db.base import EMPTY_JSON, Base, TextEnum, Timestamps, UUIDPrimaryKey, enum_check
from raypx.db.enums import DocumentStatus


class Document(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "document"
    __table_args__ = (
        UniqueConstraint("storage_key"),
        enum_check("status", DocumentStatus),
        Index("idx_document_user_id", "user_id"),
    )

    user_id: Mapped[str] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    title: Mapped[str]
    storage_key: Mapped[str]
    content_type: Mapped[str] = mapped_column(server_default="text/plain")
    size_bytes: Mapped[int] = mapped_column(server_default="0")
    status: Mapped[DocumentStatus] = mapped_column(
        TextEnum(DocumentStatus), server_default=DocumentStatus.UPLOADED
    )
    summary: Mapped[str | None]
    metadata_: Mapped[dict[str, Any]] = mapped_column(
        "metadata", server_default=EMPTY_JSON, default=dict
    )
