"""`GET /metrics` in Prometheus' text format, for scrapers: the instruments of every API process
(requests by route, pools, AI tokens and cost, jobs run by in-process workers; see
raypx.telemetry.instruments) and the queue's depth and latency read from the table.

Only aggregate counts by route, model and job type; no user data. Expose it to your monitoring
network, not to the internet (a reverse proxy rule), like any /metrics endpoint.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse

from raypx.api.deps import SessionDep
from raypx.jobs import metrics
from raypx.telemetry import instruments, pool_metrics

router = APIRouter(include_in_schema=False)
STATES = ("ready", "scheduled", "running", "succeeded", "failed", "cancelled")


def label(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


@router.get("/metrics", response_class=PlainTextResponse)
async def prometheus_metrics(request: Request, session: SessionDep) -> PlainTextResponse:
    state = request.app.state
    pool_metrics.sample_pools(state.engine, getattr(state, "direct_pool", None))  # this one: now
    figures = await metrics.read_queue_figures(session)
    lines = [
        "# HELP raypx_jobs Jobs in the queue table by type and state.",
        "# TYPE raypx_jobs gauge",
    ]
    for row in figures.by_type:
        for state in STATES:
            lines.append(
                f'raypx_jobs{{type="{label(row.type)}",state="{state}"}} {getattr(row, state)}'
            )
    lines += [
        "# HELP raypx_job_oldest_ready_seconds How long the oldest due job has waited to start.",
        "# TYPE raypx_job_oldest_ready_seconds gauge",
    ]
    for row in figures.by_type:
        waited = f"{row.oldest_ready_seconds:.3f}"
        lines.append(f'raypx_job_oldest_ready_seconds{{type="{label(row.type)}"}} {waited}')
    body = instruments.render().decode() + "\n".join(lines) + "\n"
    return PlainTextResponse(body, media_type="text/plain; version=0.0.4")
