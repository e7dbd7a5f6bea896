"""The request quota holds while workers finish runs in the middle of a burst of admissions.

Finishing a run moves it from "in flight" to "billed" in one commit; an admission that read the
two sides at different moments counted that run in neither and let one request too many in.
"""

from __future__ import annotations

import asyncio
import json

import pytest
from sqlalchemy import select, text

from raypx.ai.providers.base import Usage
from raypx.db.engine import create_session_factory, transaction
from raypx.db.enums import RunStatus
from raypx.db.models import Run
from raypx.usage import service as usage
from tests.integration.conftest import Api

LIMIT = 60
ALREADY_IN_FLIGHT = 50


async def add_queued_runs(api: Api, user_id: str, count: int) -> None:
    async with api.engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO run (id, user_id, model, prompt, status, feature) "
                "SELECT gen_random_uuid(), :u, 'mock:raypx-1', 'x', 'queued', 'summarize' "
                "FROM generate_series(1, :n)"
            ),
            {"u": user_id, "n": count},
        )


async def finish_runs_like_a_worker(api: Api, stop: asyncio.Event) -> int:
    """Status and usage in one transaction per run, as run_execution.finish_succeeded does."""
    factory = create_session_factory(api.engine)
    spec = api.app.state.ai.registry.resolve("mock:raypx-1")
    finished = 0
    while not stop.is_set():
        async with transaction(factory) as session:
            run = await session.scalar(
                select(Run)
                .where(Run.status == RunStatus.QUEUED)
                .order_by(Run.id)
                .limit(1)
                .with_for_update(skip_locked=True)
            )
            if run is None:
                return finished
            run.status = RunStatus.SUCCEEDED
            await usage.record_run_usage(
                session, user_id=run.user_id, run_id=run.id, model=spec, feature=run.feature,
                usage=Usage(3, 2),
            )  # fmt: skip
        finished += 1
    return finished


@pytest.mark.parametrize("worker_enabled", [False])
@pytest.mark.parametrize(
    "extra_settings",
    [{"plan_limits": json.dumps({"free": {"ai_requests": LIMIT}}), "db_pool_size": 20}],
)
async def test_a_burst_while_runs_finish_never_admits_more_than_the_limit(api: Api) -> None:
    headers = await api.sign_up()
    user_id = await api.user_id(headers)
    body = {"feature": "summarize", "input": "Quota edge."}
    for _round in range(3):
        async with api.engine.begin() as conn:
            await conn.execute(text("DELETE FROM usage_event"))
            await conn.execute(text("DELETE FROM job"))
            await conn.execute(text("DELETE FROM run"))
        await add_queued_runs(api, user_id, ALREADY_IN_FLIGHT)
        stop = asyncio.Event()
        finishers = [asyncio.create_task(finish_runs_like_a_worker(api, stop)) for _ in range(3)]
        responses = await asyncio.gather(
            *[api.client.post("/api/runs", headers=headers, json=body) for _ in range(40)]
        )
        stop.set()
        finished = sum(await asyncio.gather(*finishers))
        statuses = [r.status_code for r in responses]
        assert set(statuses) <= {202, 402}
        assert finished > 0  # runs really were finishing during the burst
        async with api.engine.connect() as conn:
            runs = (await conn.execute(text("SELECT count(*) FROM run"))).scalar_one()
        # Every run is billed or in flight: each is one request of the month's allowance.
        assert runs <= LIMIT, f"{runs} requests admitted against a limit of {LIMIT}"
        assert statuses.count(202) == LIMIT - ALREADY_IN_FLIGHT
