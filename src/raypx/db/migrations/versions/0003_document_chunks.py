"""Document chunks and their embeddings for search and grounded answers, conversation
attachments, citations.

Four tables beyond the spec's 13, all in spec style: UUID v7 keys, timestamptz, the updated_at
trigger, and cascades from `document` and `user`. Self-contained: it needs only 0001's
`raypx_set_updated_at()` function and tables.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03 09:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("document_chunk", "chunk_embedding", "conversation_document", "message_citation")


def timestamps() -> list[sa.Column[object]]:
    return [
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
    ]


def user_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["user_id"], ["user.id"], name=f"{table}_user_id_user_id_fk", ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "document_chunk",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("document_id", sa.UUID(), nullable=False),
        sa.Column("user_id", sa.Text(), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("heading", sa.Text(), nullable=True),
        sa.Column("page_start", sa.Integer(), nullable=True),
        sa.Column("page_end", sa.Integer(), nullable=True),
        sa.Column("char_start", sa.Integer(), nullable=False),
        sa.Column("char_end", sa.Integer(), nullable=False),
        sa.Column("token_count", sa.Integer(), nullable=False),
        sa.Column("language", sa.Text(), nullable=False),
        sa.Column("search_vector", postgresql.TSVECTOR(), nullable=False),
        *timestamps(),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["document.id"],
            name="document_chunk_document_id_document_id_fk",
            ondelete="CASCADE",
        ),
        user_fk("document_chunk"),
        sa.PrimaryKeyConstraint("id", name="document_chunk_pkey"),
        sa.UniqueConstraint(
            "document_id", "ordinal", name="document_chunk_document_id_ordinal_unique"
        ),
    )
    op.create_index("idx_document_chunk_user_id", "document_chunk", ["user_id"])
    op.create_index(
        "idx_document_chunk_search_vector",
        "document_chunk",
        ["search_vector"],
        postgresql_using="gin",
    )

    op.create_table(
        "chunk_embedding",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("chunk_id", sa.UUID(), nullable=False),
        sa.Column("document_id", sa.UUID(), nullable=False),
        sa.Column("user_id", sa.Text(), nullable=False),
        sa.Column("model", sa.Text(), nullable=False),
        sa.Column("dimensions", sa.Integer(), nullable=False),
        sa.Column("embedding", postgresql.ARRAY(sa.REAL()), nullable=False),
        *timestamps(),
        sa.ForeignKeyConstraint(
            ["chunk_id"],
            ["document_chunk.id"],
            name="chunk_embedding_chunk_id_document_chunk_id_fk",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["document.id"],
            name="chunk_embedding_document_id_document_id_fk",
            ondelete="CASCADE",
        ),
        user_fk("chunk_embedding"),
        sa.PrimaryKeyConstraint("id", name="chunk_embedding_pkey"),
        sa.UniqueConstraint("chunk_id", "model", name="chunk_embedding_chunk_id_model_unique"),
    )
    op.create_index("idx_chunk_embedding_user_id_model", "chunk_embedding", ["user_id", "model"])
    op.create_index("idx_chunk_embedding_document_id", "chunk_embedding", ["document_id"])

    op.create_table(
        "conversation_document",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("conversation_id", sa.UUID(), nullable=False),
        sa.Column("user_id", sa.Text(), nullable=False),
        sa.Column("document_id", sa.UUID(), nullable=True),
        *timestamps(),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversation.id"],
            name="conversation_document_conversation_id_conversation_id_fk",
            ondelete="CASCADE",
        ),
        user_fk("conversation_document"),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["document.id"],
            name="conversation_document_document_id_document_id_fk",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="conversation_document_pkey"),
        sa.UniqueConstraint(
            "conversation_id",
            "document_id",
            name="conversation_document_conversation_id_document_id_unique",
        ),
    )
    op.create_index(
        "uidx_conversation_document_all",
        "conversation_document",
        ["conversation_id"],
        unique=True,
        postgresql_where=sa.text("document_id IS NULL"),
    )
    op.create_index("idx_conversation_document_user_id", "conversation_document", ["user_id"])
    op.create_index(
        "idx_conversation_document_document_id", "conversation_document", ["document_id"]
    )

    op.create_table(
        "message_citation",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("message_id", sa.UUID(), nullable=False),
        sa.Column("user_id", sa.Text(), nullable=False),
        sa.Column("document_id", sa.UUID(), nullable=False),
        sa.Column("chunk_id", sa.UUID(), nullable=True),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("page_start", sa.Integer(), nullable=True),
        sa.Column("page_end", sa.Integer(), nullable=True),
        sa.Column("quote", sa.Text(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        *timestamps(),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["message.id"],
            name="message_citation_message_id_message_id_fk",
            ondelete="CASCADE",
        ),
        user_fk("message_citation"),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["document.id"],
            name="message_citation_document_id_document_id_fk",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["chunk_id"],
            ["document_chunk.id"],
            name="message_citation_chunk_id_document_chunk_id_fk",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="message_citation_pkey"),
        sa.UniqueConstraint(
            "message_id", "ordinal", name="message_citation_message_id_ordinal_unique"
        ),
    )
    op.create_index("idx_message_citation_user_id", "message_citation", ["user_id"])
    op.create_index("idx_message_citation_document_id", "message_citation", ["document_id"])
    op.create_index("idx_message_citation_chunk_id", "message_citation", ["chunk_id"])
    for table in TABLES:
        op.execute(
            f'CREATE TRIGGER trg_{table}_updated_at BEFORE UPDATE ON "{table}" '
            "FOR EACH ROW EXECUTE FUNCTION raypx_set_updated_at()"
        )


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_table(table)  # indexes and triggers go with their table
