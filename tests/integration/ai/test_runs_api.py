"""Runs end to end: HTTP → queued run + job → in-process worker → result, artifact, usage."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import text

from tests.integration.conftest import Api
from tests.integration.jobs.conditions import wait_until

ARTICLE = (
    "The city council approved a new budget of $4.2 million on Tuesday. The plan funds three "
    "new libraries and extends bus service to the northern districts. Council member Maria Lopez "
    "said the vote followed months of public hearings. Opponents argued that the budget relies "
    "on optimistic tax forecasts. The mayor will sign the budget on March 3, 2026."
)


async def finished_run(api: Api, headers: dict[str, str], run_id: str) -> dict[str, Any]:
    async def probe() -> dict[str, Any]:
        return dict((await api.client.get(f"/api/runs/{run_id}", headers=headers)).json())

    return await wait_until(
        probe, lambda r: r["status"] not in ("queued", "running"), what=f"run {run_id} to finish"
    )


async def usage_rows(api: Api, run_id: str) -> list[tuple[Any, ...]]:
    async with api.engine.connect() as conn:
        rows = await conn.execute(
            text(
                "SELECT metric, quantity, cost_usd, model, feature FROM usage_event "
                "WHERE run_id = :id ORDER BY metric"
            ),
            {"id": run_id},
        )
        return [tuple(r) for r in rows]


async def test_models_are_listed_with_prices_and_plans(api: Api) -> None:
    models = {m["name"]: m for m in (await api.client.get("/api/models")).json()}
    assert models["mock:raypx-1"]["plans"] == ["free", "pro"]
    assert Decimal(models["openai:gpt-4o"]["input_usd_per_million"]) == Decimal("2.50")
    assert models["openai:gpt-4o"]["plans"] == ["pro"]


async def test_summarize_run_end_to_end(api: Api) -> None:
    user = await api.sign_up()
    created = await api.client.post(
        "/api/runs", headers=user, json={"feature": "summarize", "input": ARTICLE}
    )
    assert created.status_code == 202, created.text
    assert created.json()["status"] == "queued"
    assert created.json()["model"] == "mock:raypx-1"  # the profile's default

    run = await finished_run(api, user, created.json()["id"])
    assert run["status"] == "succeeded"
    assert (
        run["response_text"] == "The city council approved a new budget of $4.2 million on Tuesday."
    )
    [artifact] = run["artifacts"]
    assert artifact["kind"] == "summary"
    assert artifact["content"] == run["response_text"]
    assert artifact["metadata"]["model"] == "mock:raypx-1"
    tokens = artifact["metadata"]["input_tokens"] + artifact["metadata"]["output_tokens"]
    assert await usage_rows(api, run["id"]) == [
        ("ai_requests", 1, Decimal("0.0000"), "mock:raypx-1", "summarize"),
        ("ai_tokens", tokens, Decimal("0.0000"), "mock:raypx-1", "summarize"),
    ]
    fetched = await api.client.get(f"/api/artifacts/{artifact['id']}", headers=user)
    assert fetched.json()["content"] == run["response_text"]


async def test_rewrite_uses_the_tone_option(api: Api) -> None:
    user = await api.sign_up()
    created = await api.client.post(
        "/api/runs",
        headers=user,
        json={
            "feature": "rewrite",
            "input": "We're gonna fix it asap!",
            "options": {"tone": "professional"},
        },
    )
    run = await finished_run(api, user, created.json()["id"])
    assert run["response_text"] == "We are going to fix it as soon as possible."
    assert run["artifacts"][0]["kind"] == "rewrite"


async def test_extraction_returns_fields(api: Api) -> None:
    user = await api.sign_up()
    created = await api.client.post(
        "/api/runs", headers=user, json={"feature": "extraction", "input": ARTICLE}
    )
    run = await finished_run(api, user, created.json()["id"])
    fields = run["artifacts"][0]["metadata"]["fields"]
    assert fields["dates"] == [{"text": "March 3, 2026", "value": "2026-03-03"}]
    assert fields["amounts"][0]["value"] == "4200000"


async def test_cost_is_the_price_table_applied_to_the_recorded_tokens(api: Api) -> None:
    user = await api.sign_up()
    created = await api.client.post(
        "/api/runs",
        headers=user,
        json={"feature": "summarize", "input": ARTICLE, "model": "fake:echo"},
    )
    run = await finished_run(api, user, created.json()["id"])
    meta = run["artifacts"][0]["metadata"]
    spec = api.app.state.ai.registry.resolve("fake:echo")
    expected = (
        Decimal(meta["input_tokens"]) * spec.input_usd_per_million
        + Decimal(meta["output_tokens"]) * spec.output_usd_per_million
    ) / Decimal(1_000_000)
    rows = await usage_rows(api, run["id"])
    assert sum(r[2] for r in rows) == expected.quantize(Decimal("0.0001"))
    assert rows[1][1] == meta["input_tokens"] + meta["output_tokens"]


async def test_transient_provider_failures_retry_and_bill_once(api: Api) -> None:
    user = await api.sign_up()
    created = await api.client.post(
        "/api/runs",
        headers=user,
        json={"feature": "summarize", "input": ARTICLE, "model": "fake:flaky"},
    )
    run_id = created.json()["id"]

    async def hurry() -> str:
        # Skip the backoff wait: make a retried job due now (time passing, not a shortcut).
        async with api.engine.begin() as conn:
            await conn.execute(
                text(
                    "UPDATE job SET scheduled_at = now() WHERE run_id = :id AND status = 'queued'"
                ),
                {"id": run_id},
            )
        response = await api.client.get(f"/api/runs/{run_id}", headers=user)
        return str(response.json()["status"])

    await wait_until(hurry, lambda s: s == "succeeded", what="flaky run to succeed")
    async with api.engine.connect() as conn:
        attempts = (
            await conn.execute(text("SELECT attempts FROM job WHERE run_id = :id"), {"id": run_id})
        ).scalar()
    assert attempts == 3
    rows = await usage_rows(api, run_id)
    assert [r[0] for r in rows] == ["ai_requests", "ai_tokens"]


async def test_permanent_provider_failure_fails_the_run_and_records_the_request(api: Api) -> None:
    user = await api.sign_up()
    created = await api.client.post(
        "/api/runs",
        headers=user,
        json={"feature": "summarize", "input": ARTICLE, "model": "fake:fail"},
    )
    run = await finished_run(api, user, created.json()["id"])
    assert run["status"] == "failed"
    assert run["error_message"] == "fake provider: permanent failure"
    assert [(r[0], r[1]) for r in await usage_rows(api, run["id"])] == [
        ("ai_requests", 1),
        ("ai_tokens", 0),
    ]


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"feature": "summarize", "input": "x", "model": "openai:gpt-9"}, 400, "UNKNOWN_MODEL"),
        ({"feature": "summarize", "input": "x", "model": "acme:big"}, 400, "UNKNOWN_PROVIDER"),
        ({"feature": "summarize", "input": "x", "model": "gpt4"}, 400, "INVALID_MODEL"),
        (
            {"feature": "summarize", "input": "x", "model": "openai:gpt-4o"},
            403,
            "MODEL_NOT_IN_PLAN",
        ),
        ({"feature": "poetry", "input": "x"}, 400, "INVALID_FEATURE"),
        ({"feature": "summarize", "input": "   "}, 400, "EMPTY_INPUT"),
        (
            {"feature": "rewrite", "input": "x", "options": {"tone": "angry"}},
            400,
            "INVALID_OPTIONS",
        ),
        (
            {"feature": "summarize", "input": "x", "options": {"max_sentences": 0}},
            400,
            "INVALID_OPTIONS",
        ),
    ],
)
async def test_bad_run_requests_are_clear_errors_and_create_nothing(
    api: Api, body: dict[str, Any], status: int, code: str
) -> None:
    user = await api.sign_up()
    response = await api.client.post("/api/runs", headers=user, json=body)
    assert (response.status_code, response.json()["code"]) == (status, code)
    assert response.json()["message"]
    listed = await api.client.get("/api/runs", headers=user)
    assert listed.json()["items"] == []


async def test_runs_need_a_signed_in_user(api: Api) -> None:
    response = await api.client.post("/api/runs", json={"feature": "summarize", "input": "x"})
    assert response.status_code == 401


async def test_cancel_a_running_run(api: Api) -> None:
    user = await api.sign_up()
    long_text = " ".join(["word"] * 200)
    created = await api.client.post(
        "/api/runs",
        headers=user,
        json={"feature": "summarize", "input": long_text, "model": "fake:slow"},
    )
    run_id = created.json()["id"]

    async def status() -> str:
        return str((await api.client.get(f"/api/runs/{run_id}", headers=user)).json()["status"])

    await wait_until(status, lambda s: s == "running", what="run to start")
    cancelled = await api.client.post(f"/api/runs/{run_id}/cancel", headers=user)
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"

    async def job_status() -> str:
        async with api.engine.connect() as conn:
            found = await conn.execute(
                text("SELECT status FROM job WHERE run_id = :id"), {"id": run_id}
            )
            return str(found.scalar())

    assert await wait_until(job_status, lambda s: s == "cancelled", what="job to end cancelled")
    assert await status() == "cancelled"
    again = await api.client.post(f"/api/runs/{run_id}/cancel", headers=user)
    assert (again.status_code, again.json()["code"]) == (409, "RUN_FINISHED")


@pytest.mark.parametrize("worker_enabled", [False])
async def test_cancel_queued_then_retry_as_a_new_run(api: Api) -> None:
    user = await api.sign_up()
    created = await api.client.post(
        "/api/runs",
        headers=user,
        json={"feature": "rewrite", "input": "Hi!", "options": {"tone": "casual"}},
    )
    run_id = created.json()["id"]
    cancelled = await api.client.post(f"/api/runs/{run_id}/cancel", headers=user)
    assert cancelled.json()["status"] == "cancelled"
    async with api.engine.connect() as conn:
        job = (
            await conn.execute(text("SELECT status FROM job WHERE run_id = :id"), {"id": run_id})
        ).scalar()
    assert job == "cancelled"

    retried = await api.client.post(f"/api/runs/{run_id}/retry", headers=user)
    assert retried.status_code == 202
    new = retried.json()
    assert new["id"] != run_id and new["status"] == "queued" and new["prompt"] == "Hi!"
    async with api.engine.connect() as conn:
        payload = (
            await conn.execute(
                text("SELECT payload FROM job WHERE run_id = :id"), {"id": new["id"]}
            )
        ).scalar()
    assert payload["options"] == {"tone": "casual"}

    not_retryable = await api.client.post(f"/api/runs/{new['id']}/retry", headers=user)
    assert (not_retryable.status_code, not_retryable.json()["code"]) == (409, "RUN_NOT_RETRYABLE")


@pytest.mark.parametrize("worker_enabled", [False])
async def test_run_lists_are_paged_newest_first(api: Api) -> None:
    user = await api.sign_up()
    ids = []
    for i in range(5):
        response = await api.client.post(
            "/api/runs", headers=user, json={"feature": "summarize", "input": f"Text {i}."}
        )
        ids.append(response.json()["id"])
    first = (await api.client.get("/api/runs?limit=2", headers=user)).json()
    assert [r["id"] for r in first["items"]] == ids[::-1][:2]
    second = (
        await api.client.get(f"/api/runs?limit=2&cursor={first['next_cursor']}", headers=user)
    ).json()
    assert [r["id"] for r in second["items"]] == ids[::-1][2:4]
    third = (
        await api.client.get(f"/api/runs?limit=2&cursor={second['next_cursor']}", headers=user)
    ).json()
    assert [r["id"] for r in third["items"]] == ids[:1] and third["next_cursor"] is None
    bad = await api.client.get("/api/runs?cursor=%%%", headers=user)
    assert bad.status_code == 400


@pytest.mark.parametrize("worker_enabled", [False])
async def test_another_users_run_is_not_found(api: Api) -> None:
    owner = await api.sign_up("Owner")
    other = await api.sign_up("Other")
    run_id = (
        await api.client.post(
            "/api/runs", headers=owner, json={"feature": "summarize", "input": "Hello."}
        )
    ).json()["id"]
    missing = str(uuid.uuid4())
    for method, path in [
        ("GET", "/api/runs/{}"),
        ("POST", "/api/runs/{}/cancel"),
        ("POST", "/api/runs/{}/retry"),
    ]:
        theirs = await api.client.request(method, path.format(run_id), headers=other)
        nothing = await api.client.request(method, path.format(missing), headers=other)
        assert theirs.status_code == nothing.status_code == 404
        assert theirs.json() == nothing.json()
    assert (await api.client.get("/api/runs", headers=other)).json()["items"] == []


async def test_runs_show_what_they_cost(api: Api) -> None:
    headers = await api.sign_up()
    paid = await api.client.post(
        "/api/runs", headers=headers, json={"input": ARTICLE, "model": "fake:echo"}
    )
    free = await api.client.post("/api/runs", headers=headers, json={"input": ARTICLE})
    failed = await api.client.post(
        "/api/runs", headers=headers, json={"input": ARTICLE, "model": "fake:fail"}
    )
    done = {
        r.json()["id"]: await finished_run(api, headers, r.json()["id"])
        for r in (paid, free, failed)
    }
    for run_id, run in done.items():
        rows = await usage_rows(api, run_id)
        billed = sum(Decimal(str(row[2])) for row in rows) if rows else None
        assert (None if run["cost_usd"] is None else Decimal(run["cost_usd"])) == billed
    assert Decimal(done[paid.json()["id"]]["cost_usd"]) > 0
    assert Decimal(done[free.json()["id"]]["cost_usd"]) == 0  # the offline model is free
    listed = (await api.client.get("/api/runs", headers=headers)).json()["items"]
    assert {r["id"]: r["cost_usd"] for r in listed} == {
        run_id: run["cost_usd"] for run_id, run in done.items()
    }
