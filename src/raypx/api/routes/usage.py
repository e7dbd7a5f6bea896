"""The caller's usage: grouped totals with cost, and a CSV export of the events."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from raypx.api.deps import CurrentUser, SessionDep, SessionFactoryDep
from raypx.api.schemas.errors import errors
from raypx.api.schemas.text import Text
from raypx.usage import reports

router = APIRouter(prefix="/api/usage", tags=["usage"])
CSV: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/csv": {"schema": {"type": "string"}}}}
}
CSV_COLUMNS = ["id", "created_at", "metric", "quantity", "model", "feature", "cost_usd", "run_id"]


@router.get("", responses=errors(400, 401, 422))
async def usage_report(
    user: CurrentUser,
    session: SessionDep,
    start: Text | None = Query(None, alias="from", description="ISO date or date-time (UTC)"),
    end: Text | None = Query(None, alias="to", description="exclusive; ISO date or date-time"),
    group_by: reports.GroupBy = reports.GroupBy.METRIC,
) -> dict[str, Any]:
    lower, upper = reports.resolve_range(start, end)
    report = await reports.build_report(session, user.id, lower, upper, group_by)
    return {
        "from": report.start.isoformat(),
        "to": report.end.isoformat(),
        "group_by": report.group_by.value,
        "rows": [
            {
                "key": row.key,
                "metric": row.metric,
                "quantity": row.quantity,
                "cost_usd": str(row.cost_usd),
                "events": row.events,
            }
            for row in report.rows
        ],
        "totals": report.totals,
        "cost_usd": str(report.cost_usd),
    }


@router.get("/export.csv", response_class=StreamingResponse, responses=errors(400, 401, 422) | CSV)
async def export_csv(
    user: CurrentUser,
    factory: SessionFactoryDep,
    start: Text | None = Query(None, alias="from"),
    end: Text | None = Query(None, alias="to"),
) -> StreamingResponse:
    lower, upper = reports.resolve_range(start, end)

    async def rows() -> AsyncIterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(CSV_COLUMNS)
        async for batch in reports.export_events(factory, user.id, lower, upper):
            for event in batch:
                writer.writerow(
                    [
                        event.id, event.created_at.isoformat(), event.metric.value,
                        event.quantity, event.model or "", event.feature,
                        event.cost_usd, event.run_id or "",
                    ]
                )  # fmt: skip
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
        if buffer.getvalue():
            yield buffer.getvalue()

    filename = f"usage-{lower.date().isoformat()}-{upper.date().isoformat()}.csv"
    return StreamingResponse(
        rows(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
