"""Usage events: written in the transaction that changes what they measure, never twice.

AI usage has a deterministic identity (run, metric) enforced by the unique index
`uidx_usage_event_run_id_metric`; inserts use ON CONFLICT DO NOTHING, so a retried job or a
replayed completion cannot bill again. Corrections are new events, never edits.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from sqlalchemy import func, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from raypx.ai.providers.base import Usage
from raypx.ai.registry import ModelSpec
from raypx.db.base import new_uuid7
from raypx.db.enums import UsageMetric
from raypx.db.models import UsageEvent
from raypx.telemetry import ai_metrics

DOCUMENTS_FEATURE = "documents"


async def record_run_usage(
    session: AsyncSession,
    *,
    user_id: str,
    run_id: uuid.UUID,
    model: ModelSpec,
    feature: str,
    usage: Usage,
) -> bool:
    """One `ai_requests` event and one `ai_tokens` event (with the cost) for a finished run.

    Returns False when the run was already billed (nothing is written then).
    """
    rows = [
        {
            "id": new_uuid7(),
            "user_id": user_id,
            "run_id": run_id,
            "metric": UsageMetric.AI_REQUESTS.value,
            "quantity": 1,
            "model": model.name,
            "feature": feature,
            "cost_usd": Decimal("0"),
        },
        {
            "id": new_uuid7(),
            "user_id": user_id,
            "run_id": run_id,
            "metric": UsageMetric.AI_TOKENS.value,
            "quantity": usage.total,
            "model": model.name,
            "feature": feature,
            "cost_usd": model.cost_usd(usage.input_tokens, usage.output_tokens),
        },
    ]
    statement = (
        insert(UsageEvent)
        .values(rows)
        .on_conflict_do_nothing(
            index_elements=["run_id", "metric"], index_where=text("run_id IS NOT NULL")
        )
        .returning(UsageEvent.id)
    )
    written = (await session.execute(statement)).all()
    if written:
        cost = rows[1]["cost_usd"]
        assert isinstance(cost, Decimal)
        ai_metrics.count_usage_on_commit(
            session, model.name, usage.input_tokens, usage.output_tokens, cost
        )
    return len(written) > 0


async def record_document_stored(session: AsyncSession, *, user_id: str, size_bytes: int) -> None:
    """`documents` +1 and `storage_bytes` +size, in the transaction that inserts the document."""
    session.add_all(
        [
            UsageEvent(user_id=user_id, metric=UsageMetric.DOCUMENTS, quantity=1,
                       feature=DOCUMENTS_FEATURE),
            UsageEvent(user_id=user_id, metric=UsageMetric.STORAGE_BYTES, quantity=size_bytes,
                       feature=DOCUMENTS_FEATURE),
        ]
    )  # fmt: skip
    await session.flush()


async def record_document_removed(session: AsyncSession, *, user_id: str, size_bytes: int) -> None:
    """`storage_bytes` -size, so the metric's sum is always what is stored now."""
    session.add(
        UsageEvent(user_id=user_id, metric=UsageMetric.STORAGE_BYTES, quantity=-size_bytes,
                   feature=DOCUMENTS_FEATURE)
    )  # fmt: skip
    await session.flush()


async def run_costs(
    session: AsyncSession, user_id: str, run_ids: list[uuid.UUID]
) -> dict[uuid.UUID, Decimal]:
    """What each of these runs cost (runs never billed, e.g. failed ones, are absent)."""
    if not run_ids:
        return {}
    statement = (
        select(UsageEvent.run_id, func.sum(UsageEvent.cost_usd))
        .where(UsageEvent.user_id == user_id, UsageEvent.run_id.in_(run_ids))
        .group_by(UsageEvent.run_id)
    )
    return {
        run_id: Decimal(cost or 0)
        for run_id, cost in (await session.execute(statement)).all()
        if run_id is not None
    }
