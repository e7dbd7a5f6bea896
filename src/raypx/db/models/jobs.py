"""The background job queue's table."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from raypx.db.base import EMPTY_JSON, Base, TextEnum, Timestamps, UUIDPrimaryKey, enum_check
from raypx.db.enums import JobStatus


class Job(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "job"
    __table_args__ = (
        enum_check("status", JobStatus),
        # The claim path reads only queued rows in schedule order; keep that index tiny.
        Index(
            "idx_job_claim",
            "scheduled_at",
            "id",
            postgresql_where=text("status = 'queued'"),
        ),
        # The lease rescuer looks for running rows whose heartbeat (updated_at) is stale.
        Index(
            "idx_job_running_heartbeat", "updated_at", postgresql_where=text("status = 'running'")
        ),
        # Retention prunes finished rows by age.
        Index(
            "idx_job_finished_updated_at",
            "updated_at",
            postgresql_where=text("status IN ('succeeded', 'failed', 'cancelled')"),
        ),
        Index("idx_job_user_id", "user_id"),
        Index("idx_job_run_id", "run_id"),
        # Status updates must stay HOT and dead rows must be vacuumed early (see QUEUE.md).
        {
            "postgresql_with": {
                "fillfactor": "70",
                "autovacuum_vacuum_scale_factor": "0.01",
                "autovacuum_vacuum_cost_delay": "0",
            }
        },
    )

    user_id: Mapped[str | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    run_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("run.id", ondelete="SET NULL"))
    type: Mapped[str]
    status: Mapped[JobStatus] = mapped_column(TextEnum(JobStatus), server_default=JobStatus.QUEUED)
    attempts: Mapped[int] = mapped_column(server_default="0")
    payload: Mapped[dict[str, Any]] = mapped_column(server_default=EMPTY_JSON, default=dict)
    result: Mapped[Any | None] = mapped_column(JSONB)
    error_message: Mapped[str | None]
    scheduled_at: Mapped[datetime] = mapped_column(server_default=func.now())
