"""`/metrics` exposes queue depth and latency by job type for Prometheus."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from tests.integration.conftest import Api


@pytest.mark.parametrize("worker_enabled", [False])
async def test_queue_depth_and_wait_by_type(api: Api) -> None:
    async with api.engine.begin() as conn:
        await conn.execute(text(
            "INSERT INTO job (id, type, status, scheduled_at) VALUES "
            "(gen_random_uuid(), 'mail.send', 'queued', now() - interval '90 seconds'), "
            "(gen_random_uuid(), 'mail.send', 'queued', now() + interval '1 hour'), "
            "(gen_random_uuid(), 'mail.send', 'failed', now()), "
            "(gen_random_uuid(), 'ai.run', 'running', now())"
        ))  # fmt: skip
    response = await api.client.get("/metrics")
    assert response.headers["content-type"].startswith("text/plain")
    lines = set(response.text.splitlines())
    assert 'raypx_jobs{type="mail.send",state="ready"} 1' in lines
    assert 'raypx_jobs{type="mail.send",state="scheduled"} 1' in lines
    assert 'raypx_jobs{type="mail.send",state="failed"} 1' in lines
    assert 'raypx_jobs{type="ai.run",state="running"} 1' in lines
    waited = next(
        line
        for line in lines
        if line.startswith('raypx_job_oldest_ready_seconds{type="mail.send"}')
    )
    assert 89 < float(waited.split()[-1]) < 200
