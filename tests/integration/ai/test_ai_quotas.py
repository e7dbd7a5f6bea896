"""AI quotas: checked before work starts, and never overrun by concurrent requests."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from sqlalchemy import text

from tests.integration.conftest import Api
from tests.integration.jobs.conditions import wait_until


@pytest.mark.parametrize("worker_enabled", [False])
@pytest.mark.parametrize(
    "extra_settings", [{"plan_limits": json.dumps({"free": {"ai_requests": 5}})}]
)
async def test_concurrent_runs_at_the_edge_never_exceed_the_request_limit(api: Api) -> None:
    user = await api.sign_up()
    body = {"feature": "summarize", "input": "Quota edge."}
    responses = await asyncio.gather(
        *[api.client.post("/api/runs", headers=user, json=body) for _ in range(20)]
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses.count(202) == 5 and statuses.count(402) == 15
    refused = next(r.json() for r in responses if r.status_code == 402)
    assert refused["code"] == "QUOTA_EXCEEDED"
    assert (refused["limit"], refused["used"], refused["allowed"]) == ("ai_requests", 5, 5)
    assert refused["resets_at"].endswith("+00:00")
    assert "ai requests limit reached: 5 of 5 used; resets at" in refused["message"]
    async with api.engine.connect() as conn:
        runs = (await conn.execute(text("SELECT count(*) FROM run"))).scalar()
        jobs = (await conn.execute(text("SELECT count(*) FROM job"))).scalar()
    assert runs == jobs == 5


@pytest.mark.parametrize(
    "extra_settings", [{"plan_limits": json.dumps({"free": {"ai_tokens": 200}})}]
)
async def test_tokens_used_plus_this_input_must_fit_the_allowance(api: Api) -> None:
    user = await api.sign_up()
    first = await api.client.post(
        "/api/runs",
        headers=user,
        json={"feature": "summarize", "input": "A fairly long text. " * 20},
    )
    assert first.status_code == 202, first.text
    run_id = first.json()["id"]

    async def status() -> str:
        return str((await api.client.get(f"/api/runs/{run_id}", headers=user)).json()["status"])

    await wait_until(status, lambda s: s == "succeeded", what="first run")
    used = (await api.client.get("/api/me", headers=user)).json()["usage"]["ai_tokens"]
    assert 100 < used < 200
    second = await api.client.post(
        "/api/runs", headers=user, json={"feature": "summarize", "input": "More words here. " * 20}
    )
    assert (second.status_code, second.json()["limit"]) == (402, "ai_tokens")
    assert second.json()["used"] == used
    conversation = await api.client.post("/api/conversations", headers=user, json={"title": "c"})
    turn = await api.client.post(
        f"/api/conversations/{conversation.json()['id']}/messages",
        headers=user, json={"content": "hi " * 100},
    )  # fmt: skip
    assert (turn.status_code, turn.json()["code"]) == (402, "QUOTA_EXCEEDED")
    messages = await api.client.get(
        f"/api/conversations/{conversation.json()['id']}/messages", headers=user
    )
    assert messages.json()["items"] == []  # the refused turn left nothing behind


@pytest.mark.parametrize("worker_enabled", [False])
@pytest.mark.parametrize(
    "extra_settings", [{"plan_limits": json.dumps({"free": {"ai_tokens": 1000}})}]
)
async def test_one_oversized_input_or_a_burst_cannot_overrun_the_tokens(api: Api) -> None:
    user = await api.sign_up()
    huge = await api.client.post(
        "/api/runs", headers=user, json={"feature": "summarize", "input": "word " * 2000}
    )
    assert (huge.status_code, huge.json()["limit"]) == (402, "ai_tokens")
    # Five runs of ~500 estimated tokens each, at once: two fit in 1,000; the rest are refused.
    body = {"feature": "summarize", "input": "x" * 2000}
    responses = await asyncio.gather(
        *[api.client.post("/api/runs", headers=user, json=body) for _ in range(5)]
    )
    assert sorted(r.status_code for r in responses) == [202, 202, 402, 402, 402]


@pytest.mark.parametrize("worker_enabled", [False])
@pytest.mark.parametrize(
    "extra_settings", [{"plan_limits": json.dumps({"free": {"ai_requests": 1}})}]
)
async def test_a_plan_change_takes_effect_at_once(api: Api) -> None:
    user = await api.sign_up()
    body: dict[str, Any] = {"feature": "summarize", "input": "x."}
    assert (await api.client.post("/api/runs", headers=user, json=body)).status_code == 202
    assert (await api.client.post("/api/runs", headers=user, json=body)).status_code == 402
    user_id = await api.user_id(user)
    async with api.engine.begin() as conn:
        await conn.execute(
            text("UPDATE subscription SET plan_tier = 'pro', status = 'active' WHERE user_id = :u"),
            {"u": user_id},
        )
    assert (await api.client.post("/api/runs", headers=user, json=body)).status_code == 202
    me = (await api.client.get("/api/me", headers=user)).json()
    assert me["plan"] == "pro" and me["limits"]["ai_requests"] == 2000
