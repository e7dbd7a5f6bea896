"""`raypx worker` with RAYPX_WORKER_METRICS_PORT serves its jobs' figures to Prometheus."""

from __future__ import annotations

import time

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.e2e.test_serve_embedded import free_port
from tests.e2e.test_worker_processes import Database, Spawn, db, enqueue, spawn_worker

pytestmark = pytest.mark.slow
__all__ = ["db", "spawn_worker"]  # fixtures used here


def outcome_count(port: int, job_type: str) -> float:
    try:
        page = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=2).text
    except httpx.TransportError:
        return -1.0
    return sum(
        sample.value
        for family in text_string_to_metric_families(page)
        for sample in family.samples
        if sample.name == "raypx_job_outcomes_total"
        and sample.labels == {"type": job_type, "outcome": "succeeded"}
    )


def test_worker_serves_job_outcomes_by_type(db: Database, spawn_worker: Spawn) -> None:
    port = free_port()
    spawn_worker(RAYPX_WORKER_METRICS_PORT=str(port), RAYPX_HOST="127.0.0.1")
    enqueue(db, "e2e.record", 5, '{"seconds": 0}')
    deadline = time.monotonic() + 30
    while outcome_count(port, "e2e.record") < 5:
        assert time.monotonic() < deadline, "the worker's /metrics never showed 5 jobs"
        time.sleep(0.1)  # polling an observable condition with a deadline
    assert outcome_count(port, "e2e.record") == 5
