"""Initial schema: the 13 tables of the Raypx spec, their indexes and the updated_at trigger.

Revision ID: 0001
Revises:
Create Date: 2026-11-27 06:43:58.348553
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Frozen copy of raypx.db.triggers at this revision: a migration must not change when app code does.
SET_UPDATED_AT = """
CREATE OR REPLACE FUNCTION raypx_set_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.updated_at IS NOT DISTINCT FROM OLD.updated_at THEN
        NEW.updated_at := now();
    END IF;
    RETURN NEW;
END;
$$
"""
TABLES = (
    "user",
    "session",
    "account",
    "verification",
    "profile",
    "subscription",
    "conversation",
    "message",
    "document",
    "run",
    "artifact",
    "usage_event",
    "job",
)


def upgrade() -> None:
    op.execute(SET_UPDATED_AT)
    op.create_table(
        "user",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("email", sa.Text(), nullable=False),
        sa.Column("email_verified", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("image", sa.Text(), nullable=True),
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
        sa.PrimaryKeyConstraint("id", name=op.f("user_pkey")),
        sa.UniqueConstraint("email", name=op.f("user_email_unique")),
    )
    op.create_index("idx_user_email", "user", ["email"], unique=False)
    op.create_table(
        "verification",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("identifier", sa.Text(), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
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
        sa.PrimaryKeyConstraint("id", name=op.f("verification_pkey")),
    )
    op.create_index("idx_verification_identifier", "verification", ["identifier"], unique=False)
    op.create_table(
        "account",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("account_id", sa.Text(), nullable=False),
        sa.Column("provider_id", sa.Text(), nullable=False),
        sa.Column("user_id", sa.Text(), nullable=False),
        sa.Column("access_token", sa.Text(), nullable=True),
        sa.Column("refresh_token", sa.Text(), nullable=True),
        sa.Column("id_token", sa.Text(), nullable=True),
        sa.Column("password", sa.Text(), nullable=True),
        sa.Column("scope", sa.Text(), nullable=True),
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
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("account_user_id_user_id_fk"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("account_pkey")),
    )
    op.create_index("idx_account_user_id", "account", ["user_id"], unique=False)
    op.create_index(
        "uidx_account_provider_account", "account", ["provider_id", "account_id"], unique=True
    )
    op.create_table(
        "conversation",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("user_id", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("task", sa.Text(), server_default="summarize", nullable=False),
        sa.Column("status", sa.Text(), server_default="active", nullable=False),
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
        sa.CheckConstraint(
            "status IN ('active', 'archived')", name=op.f("conversation_status_check")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
            name=op.f("conversation_user_id_user_id_fk"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("conversation_pkey")),
    )
    op.create_index("idx_conversation_user_id", "conversation", ["user_id"], unique=False)
    op.create_table(
        "document",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("user_id", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("storage_key", sa.Text(), nullable=False),
        sa.Column("content_type", sa.Text(), server_default="text/plain", nullable=False),
        sa.Column("size_bytes", sa.Integer(), server_default="0", nullable=False),
        sa.Column("status", sa.Text(), server_default="uploaded", nullable=False),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column(
            "metadata",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
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
        sa.CheckConstraint(
            "status IN ('uploaded', 'processed', 'failed')", name=op.f("document_status_check")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("document_user_id_user_id_fk"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("document_pkey")),
        sa.UniqueConstraint("storage_key", name=op.f("document_storage_key_unique")),
    )
    op.create_index("idx_document_user_id", "document", ["user_id"], unique=False)
    op.create_table(
        "profile",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("user_id", sa.Text(), nullable=False),
        sa.Column("default_model", sa.Text(), server_default="mock:raypx-1", nullable=False),
        sa.Column("preferred_locale", sa.Text(), server_default="en-US", nullable=False),
        sa.Column("output_tone", sa.Text(), server_default="professional", nullable=False),
        sa.Column(
            "marketing_opt_in", sa.Boolean(), server_default=sa.text("false"), nullable=False
        ),
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
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("profile_user_id_user_id_fk"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("profile_pkey")),
        sa.UniqueConstraint("user_id", name=op.f("profile_user_id_unique")),
    )
    op.create_table(
        "session",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("token", sa.Text(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Text(), nullable=False),
        sa.Column("ip_address", sa.Text(), nullable=True),
        sa.Column("user_agent", sa.Text(), nullable=True),
        sa.Column(
            "last_active",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
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
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("session_user_id_user_id_fk"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("session_pkey")),
        sa.UniqueConstraint("token", name=op.f("session_token_unique")),
    )
    op.create_index("idx_session_token", "session", ["token"], unique=False)
    op.create_index("idx_session_user_id", "session", ["user_id"], unique=False)
    op.create_table(
        "subscription",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("user_id", sa.Text(), nullable=False),
        sa.Column("provider", sa.Text(), server_default="manual", nullable=False),
        sa.Column("plan_tier", sa.Text(), server_default="free", nullable=False),
        sa.Column("status", sa.Text(), server_default="trialing", nullable=False),
        sa.Column("current_period_start", sa.DateTime(timezone=True), nullable=True),
        sa.Column("current_period_end", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "cancel_at_period_end", sa.Boolean(), server_default=sa.text("false"), nullable=False
        ),
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
        sa.CheckConstraint(
            "plan_tier IN ('free', 'pro')", name=op.f("subscription_plan_tier_check")
        ),
        sa.CheckConstraint(
            "status IN ('trialing', 'active', 'past_due', 'cancelled')",
            name=op.f("subscription_status_check"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
            name=op.f("subscription_user_id_user_id_fk"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("subscription_pkey")),
    )
    op.create_index("idx_subscription_user_id", "subscription", ["user_id"], unique=False)
    op.create_table(
        "message",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("conversation_id", sa.UUID(), nullable=False),
        sa.Column("user_id", sa.Text(), nullable=False),
        sa.Column("role", sa.Text(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("model", sa.Text(), nullable=True),
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
        sa.CheckConstraint(
            "role IN ('system', 'user', 'assistant', 'tool')", name=op.f("message_role_check")
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversation.id"],
            name=op.f("message_conversation_id_conversation_id_fk"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("message_user_id_user_id_fk"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("message_pkey")),
    )
    op.create_index("idx_message_conversation_id", "message", ["conversation_id"], unique=False)
    op.create_index("idx_message_user_id", "message", ["user_id"], unique=False)
    op.create_table(
        "run",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("user_id", sa.Text(), nullable=False),
        sa.Column("conversation_id", sa.UUID(), nullable=True),
        sa.Column("document_id", sa.UUID(), nullable=True),
        sa.Column("feature", sa.Text(), server_default="document-summary", nullable=False),
        sa.Column("model", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), server_default="queued", nullable=False),
        sa.Column("prompt", sa.Text(), nullable=False),
        sa.Column("response_text", sa.Text(), nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
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
        sa.CheckConstraint(
            "status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')",
            name=op.f("run_status_check"),
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversation.id"],
            name=op.f("run_conversation_id_conversation_id_fk"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["document.id"],
            name=op.f("run_document_id_document_id_fk"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("run_user_id_user_id_fk"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("run_pkey")),
    )
    op.create_index("idx_run_conversation_id", "run", ["conversation_id"], unique=False)
    op.create_index("idx_run_document_id", "run", ["document_id"], unique=False)
    op.create_index("idx_run_user_id", "run", ["user_id"], unique=False)
    op.create_table(
        "artifact",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("user_id", sa.Text(), nullable=False),
        sa.Column("run_id", sa.UUID(), nullable=False),
        sa.Column("kind", sa.Text(), server_default="summary", nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column(
            "metadata",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
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
        sa.CheckConstraint(
            "kind IN ('summary', 'rewrite', 'extraction', 'file', 'report')",
            name=op.f("artifact_kind_check"),
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["run.id"], name=op.f("artifact_run_id_run_id_fk"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("artifact_user_id_user_id_fk"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("artifact_pkey")),
    )
    op.create_index("idx_artifact_run_id", "artifact", ["run_id"], unique=False)
    op.create_index("idx_artifact_user_id", "artifact", ["user_id"], unique=False)
    op.create_table(
        "job",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("user_id", sa.Text(), nullable=True),
        sa.Column("run_id", sa.UUID(), nullable=True),
        sa.Column("type", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), server_default="queued", nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column(
            "payload",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column("result", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column(
            "scheduled_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
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
        sa.CheckConstraint(
            "status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')",
            name=op.f("job_status_check"),
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["run.id"], name=op.f("job_run_id_run_id_fk"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("job_user_id_user_id_fk"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("job_pkey")),
        postgresql_with={
            "fillfactor": "70",
            "autovacuum_vacuum_scale_factor": "0.01",
            "autovacuum_vacuum_cost_delay": "0",
        },
    )
    op.create_index(
        "idx_job_claim",
        "job",
        ["scheduled_at", "id"],
        unique=False,
        postgresql_where=sa.text("status = 'queued'"),
    )
    op.create_index(
        "idx_job_finished_updated_at",
        "job",
        ["updated_at"],
        unique=False,
        postgresql_where=sa.text("status IN ('succeeded', 'failed', 'cancelled')"),
    )
    op.create_index("idx_job_run_id", "job", ["run_id"], unique=False)
    op.create_index(
        "idx_job_running_heartbeat",
        "job",
        ["updated_at"],
        unique=False,
        postgresql_where=sa.text("status = 'running'"),
    )
    op.create_index("idx_job_user_id", "job", ["user_id"], unique=False)
    op.create_table(
        "usage_event",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("user_id", sa.Text(), nullable=False),
        sa.Column("run_id", sa.UUID(), nullable=True),
        sa.Column("metric", sa.Text(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("model", sa.Text(), nullable=True),
        sa.Column("feature", sa.Text(), server_default="document-summary", nullable=False),
        sa.Column(
            "cost_usd",
            sa.Numeric(precision=10, scale=4),
            server_default=sa.text("0"),
            nullable=False,
        ),
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
        sa.CheckConstraint(
            "metric IN ('ai_tokens', 'ai_requests', 'documents', 'storage_bytes')",
            name=op.f("usage_event_metric_check"),
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["run.id"], name=op.f("usage_event_run_id_run_id_fk"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
            name=op.f("usage_event_user_id_user_id_fk"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("usage_event_pkey")),
    )
    op.create_index("idx_usage_event_run_id", "usage_event", ["run_id"], unique=False)
    op.create_index(
        "idx_usage_event_user_id_created_at", "usage_event", ["user_id", "created_at"], unique=False
    )
    op.create_index(
        "uidx_usage_event_run_id_metric",
        "usage_event",
        ["run_id", "metric"],
        unique=True,
        postgresql_where=sa.text("run_id IS NOT NULL"),
    )
    for table in TABLES:
        op.execute(
            f'CREATE TRIGGER trg_{table}_updated_at BEFORE UPDATE ON "{table}" '
            "FOR EACH ROW EXECUTE FUNCTION raypx_set_updated_at()"
        )


def downgrade() -> None:
    op.drop_index(
        "uidx_usage_event_run_id_metric",
        table_name="usage_event",
        postgresql_where=sa.text("run_id IS NOT NULL"),
    )
    op.drop_index("idx_usage_event_user_id_created_at", table_name="usage_event")
    op.drop_index("idx_usage_event_run_id", table_name="usage_event")
    op.drop_table("usage_event")
    op.drop_index("idx_job_user_id", table_name="job")
    op.drop_index(
        "idx_job_running_heartbeat",
        table_name="job",
        postgresql_where=sa.text("status = 'running'"),
    )
    op.drop_index("idx_job_run_id", table_name="job")
    op.drop_index(
        "idx_job_finished_updated_at",
        table_name="job",
        postgresql_where=sa.text("status IN ('succeeded', 'failed', 'cancelled')"),
    )
    op.drop_index("idx_job_claim", table_name="job", postgresql_where=sa.text("status = 'queued'"))
    op.drop_table("job")
    op.drop_index("idx_artifact_user_id", table_name="artifact")
    op.drop_index("idx_artifact_run_id", table_name="artifact")
    op.drop_table("artifact")
    op.drop_index("idx_run_user_id", table_name="run")
    op.drop_index("idx_run_document_id", table_name="run")
    op.drop_index("idx_run_conversation_id", table_name="run")
    op.drop_table("run")
    op.drop_index("idx_message_user_id", table_name="message")
    op.drop_index("idx_message_conversation_id", table_name="message")
    op.drop_table("message")
    op.drop_index("idx_subscription_user_id", table_name="subscription")
    op.drop_table("subscription")
    op.drop_index("idx_session_user_id", table_name="session")
    op.drop_index("idx_session_token", table_name="session")
    op.drop_table("session")
    op.drop_table("profile")
    op.drop_index("idx_document_user_id", table_name="document")
    op.drop_table("document")
    op.drop_index("idx_conversation_user_id", table_name="conversation")
    op.drop_table("conversation")
    op.drop_index("uidx_account_provider_account", table_name="account")
    op.drop_index("idx_account_user_id", table_name="account")
    op.drop_table("account")
    op.drop_index("idx_verification_identifier", table_name="verification")
    op.drop_table("verification")
    op.drop_index("idx_user_email", table_name="user")
    op.drop_table("user")
    op.execute("DROP FUNCTION IF EXISTS raypx_set_updated_at()")
