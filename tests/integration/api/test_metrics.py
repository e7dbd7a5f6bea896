"""`/metrics` for Prometheus: queue depth and latency by job type, requests by route template,
AI tokens and cost by model, job outcomes and latency by type, pool use."""

from __future__ import annotations

from decimal import Decimal

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text

from tests.integration.ai.test_runs_api import ARTICLE, finished_run
from tests.integration.conftest import Api
from tests.integration.jobs.conditions import wait_until


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


def samples(body: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample of a Prometheus text page, keyed by name and label set."""
    found: dict[tuple[str, frozenset[tuple[str, str]]], float] = {}
    for family in text_string_to_metric_families(body):
        for sample in family.samples:
            found[sample.name, frozenset(sample.labels.items())] = sample.value
    return found


def value(
    page: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str
) -> float:
    return page.get((name, frozenset(labels.items())), 0.0)


async def scrape(api: Api) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    response = await api.client.get("/metrics")
    assert response.status_code == 200
    return samples(response.text)


async def test_requests_by_route_template_tokens_cost_and_jobs_by_type(api: Api) -> None:
    before = await scrape(api)
    user = await api.sign_up()
    created = await api.client.post(
        "/api/runs",
        headers=user,
        json={"feature": "summarize", "input": ARTICLE, "model": "fake:echo"},
    )
    run = await finished_run(api, user, created.json()["id"])
    meta = run["artifacts"][0]["metadata"]
    spec = api.app.state.ai.registry.resolve("fake:echo")

    # Jobs' figures reach Prometheus in bulk, about a second after they happen.
    async def outcome_counted() -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
        return await scrape(api)

    labels = {"type": "ai.run", "outcome": "succeeded"}
    after = await wait_until(
        outcome_counted,
        lambda page: (
            value(page, "raypx_job_outcomes_total", **labels)
            > value(before, "raypx_job_outcomes_total", **labels)
        ),
        what="the run's job outcome in /metrics",
    )
    route = {"method": "GET", "route": "/api/runs/{run_id}", "status": "200"}
    assert value(after, "raypx_http_requests_total", **route) >= 1
    raw = {"method": "GET", "route": f"/api/runs/{run['id']}", "status": "200"}
    assert value(after, "raypx_http_requests_total", **raw) == 0  # never the raw path
    timed = {"method": "GET", "route": "/api/runs/{run_id}", "le": "+Inf"}
    assert value(after, "raypx_http_request_duration_seconds_bucket", **timed) >= 1

    def grew(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    model = {"model": "fake:echo"}
    assert grew("raypx_ai_tokens_total", kind="input", **model) == meta["input_tokens"]
    assert grew("raypx_ai_tokens_total", kind="output", **model) == meta["output_tokens"]
    expected_cost = (
        Decimal(meta["input_tokens"]) * spec.input_usd_per_million
        + Decimal(meta["output_tokens"]) * spec.output_usd_per_million
    ) / Decimal(1_000_000)
    billed = expected_cost.quantize(Decimal("0.0001"))  # what the usage event records
    assert grew("raypx_ai_cost_usd_total", **model) == pytest.approx(float(billed))
    assert grew("raypx_job_start_delay_seconds_count", type="ai.run") == 1
    assert grew("raypx_job_duration_seconds_count", type="ai.run") == 1
    assert value(after, "raypx_db_connections_open", pool="orm") >= 1


@pytest.mark.parametrize("worker_enabled", [False])
async def test_unmatched_paths_share_one_label(api: Api) -> None:
    for n in range(3):
        assert (await api.client.get(f"/api/no-such-page-{n}")).status_code == 404
    page = await scrape(api)
    assert (
        value(page, "raypx_http_requests_total", method="GET", route="unmatched", status="404") >= 3
    )
    assert not any("no-such-page" in dict(labels).get("route", "") for _, labels in page)
