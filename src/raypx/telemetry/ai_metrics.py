"""AI tokens and cost by model, counted once the usage they describe is committed.

Usage events are written inside the caller's transaction; counting them before it commits
would count runs whose billing was rolled back (and a retried job would count again).
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from raypx.telemetry import instruments


def count_usage_on_commit(
    session: AsyncSession, model: str, input_tokens: int, output_tokens: int, cost: Decimal
) -> None:
    live = True

    def committed(_: Session) -> None:
        if live:
            instruments.AI_TOKENS.labels(model, "input").inc(input_tokens)
            instruments.AI_TOKENS.labels(model, "output").inc(output_tokens)
            instruments.AI_COST.labels(model).inc(float(cost))

    def rolled_back(_: Session) -> None:
        nonlocal live
        live = False

    event.listen(session.sync_session, "after_commit", committed, once=True)
    event.listen(session.sync_session, "after_rollback", rolled_back, once=True)
