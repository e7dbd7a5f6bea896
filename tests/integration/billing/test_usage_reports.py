"""Usage reports: totals equal the events, billed by when usage happened (UTC)."""

from __future__ import annotations

import asyncio
import csv
import io
import os
import subprocess
import sys
from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import URL

from raypx.db.base import new_uuid7
from tests.integration.conftest import Api

EVENTS = [
    # (created_at, metric, quantity, model, feature, cost)
    ("2026-03-01T00:00:00+00:00", "ai_requests", 1, "mock:raypx-1", "summarize", "0"),
    ("2026-03-01T00:00:00+00:00", "ai_tokens", 1200, "mock:raypx-1", "summarize", "0"),
    ("2026-03-15T10:00:00+00:00", "ai_tokens", 3000, "openai:gpt-4o-mini", "chat", "0.0012"),
    ("2026-03-15T10:00:00+00:00", "ai_requests", 1, "openai:gpt-4o-mini", "chat", "0"),
    ("2026-03-31T18:30:00-05:00", "ai_tokens", 500, "openai:gpt-4o-mini", "chat", "0.0003"),
    ("2026-02-28T23:59:59+00:00", "ai_tokens", 999, "mock:raypx-1", "summarize", "0"),
    ("2026-03-20T12:00:00+00:00", "storage_bytes", 2048, None, "documents", "0"),
    ("2026-03-21T12:00:00+00:00", "storage_bytes", -1024, None, "documents", "0"),
]


async def seed(api: Api, user_id: str, events: list[tuple[Any, ...]] = EVENTS) -> None:
    async with api.engine.begin() as conn:
        for created, metric, quantity, model, feature, cost in events:
            await conn.execute(
                text(
                    "INSERT INTO usage_event (id, user_id, metric, quantity, model, feature, "
                    "cost_usd, created_at) VALUES (:id, :u, :m, :q, :model, :f, :c, :t)"
                ),
                {"id": new_uuid7(), "u": user_id, "m": metric, "q": quantity, "model": model,
                 "f": feature, "c": Decimal(cost), "t": datetime.fromisoformat(created)},
            )  # fmt: skip


async def test_march_report_by_metric(api: Api) -> None:
    headers = await api.sign_up()
    await seed(api, await api.user_id(headers))
    other = await api.sign_up("Other")
    await seed(api, await api.user_id(other))  # never counted for the first user

    report = (await api.client.get(
        "/api/usage?from=2026-03-01&to=2026-04-01", headers=headers
    )).json()  # fmt: skip
    # 18:30 on 31 March in UTC-5 is 23:30 UTC: still March. February's event is not.
    assert report["totals"] == {"ai_requests": 2, "ai_tokens": 4700, "storage_bytes": 1024}
    assert report["cost_usd"] == "0.0015"
    by_metric = {r["metric"]: r for r in report["rows"]}
    assert by_metric["ai_tokens"]["events"] == 3
    assert report["from"] == "2026-03-01T00:00:00+00:00"


async def test_day_grouping_uses_utc_days_and_half_open_ranges(api: Api) -> None:
    headers = await api.sign_up()
    user_id = await api.user_id(headers)
    await seed(api, user_id, [
        ("2026-04-01T02:00:00+02:00", "ai_tokens", 10, None, "chat", "0"),  # 00:00 UTC, 1 April
        ("2026-03-31T23:00:00-02:00", "ai_tokens", 20, None, "chat", "0"),  # 01:00 UTC, 1 April
        ("2026-03-31T23:59:59+00:00", "ai_tokens", 40, None, "chat", "0"),
    ])  # fmt: skip
    report = (await api.client.get(
        "/api/usage?from=2026-03-31&to=2026-04-02&group_by=day", headers=headers
    )).json()  # fmt: skip
    assert [(r["key"], r["quantity"]) for r in report["rows"]] == [
        ("2026-03-31", 40), ("2026-04-01", 30),
    ]  # fmt: skip
    april = (await api.client.get(
        "/api/usage?from=2026-04-01T00:00:00Z&to=2026-04-01T00:30:00Z", headers=headers
    )).json()  # fmt: skip
    assert april["totals"] == {"ai_tokens": 10}


async def test_grouping_by_model_and_feature(api: Api) -> None:
    headers = await api.sign_up()
    await seed(api, await api.user_id(headers))
    by_model = (await api.client.get(
        "/api/usage?from=2026-03-01&to=2026-04-01&group_by=model", headers=headers
    )).json()  # fmt: skip
    tokens = {r["key"]: r["quantity"] for r in by_model["rows"] if r["metric"] == "ai_tokens"}
    assert tokens == {"mock:raypx-1": 1200, "openai:gpt-4o-mini": 3500}
    by_feature = (await api.client.get(
        "/api/usage?from=2026-03-01&to=2026-04-01&group_by=feature", headers=headers
    )).json()  # fmt: skip
    costs = {
        r["key"]: Decimal(r["cost_usd"]) for r in by_feature["rows"] if r["metric"] == "ai_tokens"
    }
    assert costs == {"chat": Decimal("0.0015"), "summarize": Decimal("0")}


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("from=2026-04-01&to=2026-03-01", "INVALID_RANGE"),
        ("from=2020-01-01&to=2026-01-01", "INVALID_RANGE"),
        ("from=yesterday", "BAD_REQUEST"),
    ],
)
async def test_bad_ranges_are_clear_errors(api: Api, query: str, code: str) -> None:
    headers = await api.sign_up()
    response = await api.client.get(f"/api/usage?{query}", headers=headers)
    assert (response.status_code, response.json()["code"]) == (400, code)
    bad_group = await api.client.get("/api/usage?group_by=week", headers=headers)
    assert bad_group.status_code == 422


async def test_csv_export_lists_exactly_the_events(api: Api) -> None:
    headers = await api.sign_up()
    await seed(api, await api.user_id(headers))
    response = await api.client.get(
        "/api/usage/export.csv?from=2026-03-01&to=2026-04-01", headers=headers
    )
    assert response.headers["content-type"].startswith("text/csv")
    assert 'filename="usage-2026-03-01-2026-04-01.csv"' in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == 7
    assert sum(Decimal(r["cost_usd"]) for r in rows) == Decimal("0.0015")
    assert rows[0]["created_at"] == "2026-03-01T00:00:00+00:00"
    assert [r["created_at"] for r in rows] == sorted(r["created_at"] for r in rows)


async def test_cli_usage_report(api: Api, database_url: URL) -> None:
    headers = await api.sign_up("Cli")
    await seed(api, await api.user_id(headers))
    email = (await api.client.get("/api/me", headers=headers)).json()["user"]["email"]
    env = {**os.environ, "DATABASE_URL": database_url.render_as_string(hide_password=False),
           "COLUMNS": "160"}  # fmt: skip
    result = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "raypx", "usage", "report", email, "--month", "2026-03"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "ai_tokens" in result.stdout and "4,700" in result.stdout
    assert "total cost: $0.0015" in result.stdout
