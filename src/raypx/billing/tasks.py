"""Job handlers of the billing capability."""

from __future__ import annotations

from typing import Any

from raypx.billing import service
from raypx.db.engine import transaction
from raypx.jobs.registry import JobContext, task


@task("billing.roll_over_periods", schedule="every 15m", max_attempts=3)
async def roll_over_periods(payload: dict[str, Any], ctx: JobContext) -> dict[str, int]:
    """Renew manual subscriptions, end those cancelled at period end, lapse past-due ones."""
    async with transaction(ctx.session_factory) as session:
        changed = await service.roll_over_periods(session, ctx.settings)
    return {"subscriptions": changed}
