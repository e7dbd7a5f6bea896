"""Runs nothing will finish any more are failed, so they stop holding the user's quota."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from raypx.ai import orphans
from raypx.db.engine import create_session_factory, transaction
from tests.integration.conftest import Api


async def add_run(api: Api, user_id: str, status: str, age: timedelta, job: str | None) -> str:
    async with api.engine.begin() as conn:
        run_id = (await conn.execute(text(
            "INSERT INTO run (id, user_id, model, prompt, status, feature, updated_at) VALUES "
            "(gen_random_uuid(), :u, 'mock:raypx-1', 'x', :s, 'chat', now() - :age) RETURNING id"
        ), {"u": user_id, "s": status, "age": age})).scalar_one()  # fmt: skip
        if job:
            await conn.execute(
                text("INSERT INTO job (id, type, status, run_id) VALUES (gen_random_uuid(), "
                     "'ai.run', :s, :r)"), {"s": job, "r": run_id},
            )  # fmt: skip
    return str(run_id)


@pytest.mark.parametrize("worker_enabled", [False])
async def test_orphaned_runs_are_failed_and_live_ones_are_not(api: Api) -> None:
    user_id = await api.user_id(await api.sign_up())
    job_failed = await add_run(api, user_id, "running", timedelta(0), "failed")
    job_waiting = await add_run(api, user_id, "queued", timedelta(hours=2), "queued")
    chat_abandoned = await add_run(api, user_id, "running", timedelta(hours=1), None)
    chat_live = await add_run(api, user_id, "running", timedelta(seconds=5), None)
    async with transaction(create_session_factory(api.engine)) as session:
        registry = api.app.state.ai.registry
        lease = timedelta(seconds=30)
        assert await orphans.fail_orphaned_runs(session, registry, datetime.now(UTC), lease) == 2
    async with api.engine.connect() as conn:
        found = dict((str(i), s) for i, s in await conn.execute(text("SELECT id, status FROM run")))
    assert found[job_failed] == found[chat_abandoned] == "failed"
    assert found[job_waiting] == "queued" and found[chat_live] == "running"
