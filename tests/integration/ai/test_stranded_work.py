"""Work stranded by a database blip, a dead process or exhausted retries still ends, and bills.

Paths: a chat reply whose recording met a dead connection; a chat run whose API process died;
a document (and a summary run) whose worker died on the last attempt, so the lease rescue
failed the job without any of the handler's own last-attempt code.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import create_async_engine

from raypx.ai import orphans
from raypx.db.embedded import libpq_conninfo
from raypx.db.engine import create_session_factory, transaction
from raypx.documents import orphans as document_orphans
from raypx.jobs import registry as jobs_registry
from raypx.jobs.heartbeat import Holdings, LeaseKeeper
from tests.fakes.tcp_proxy import TcpProxy
from tests.integration.conftest import Api, serve_api
from tests.integration.jobs.conditions import wait_until

LEASE = timedelta(seconds=30)


async def rows(api: Api, sql: str, **params: Any) -> list[Any]:
    async with api.engine.connect() as conn:
        return list((await conn.execute(text(sql), params)).all())


async def billed(api: Api, run_id: str) -> dict[str, int]:
    found = await rows(
        api, "SELECT metric, quantity FROM usage_event WHERE run_id = :r", r=uuid.UUID(run_id)
    )
    return {metric: quantity for metric, quantity in found}


async def sweep(api: Api) -> tuple[int, int]:
    """One pass of the two periodic sweeps (ai.fail_orphaned_runs, documents.fail_orphaned)."""
    async with transaction(create_session_factory(api.engine)) as session:
        runs = await orphans.fail_orphaned_runs(
            session, api.app.state.ai.registry, datetime.now(UTC), LEASE
        )
        documents = await document_orphans.fail_orphaned_documents(session)
    return runs, documents


def rescue(database_url: URL) -> None:
    """The lease rescue every worker runs, on jobs whose heartbeat stopped a lease ago."""
    jobs_registry.load_task_modules()
    keeper = LeaseKeeper(
        libpq_conninfo(database_url), Holdings(), jobs_registry.registry,
        LEASE.total_seconds(), on_lost=lambda ids: None, on_rescued=lambda: None,
    )  # fmt: skip
    try:
        keeper.rescue()
    finally:
        keeper._close()


async def worker_died_on_last_attempt(api: Api, job_type: str, attempts: int) -> None:
    """Replace the queued job of `job_type` by the same job, running its last attempt, whose
    worker's heartbeat stopped an hour ago (inserted: the updated_at trigger fires on UPDATE)."""
    async with api.engine.begin() as conn:
        (job_id,) = (
            await conn.execute(text("SELECT id FROM job WHERE type = :t"), {"t": job_type})
        ).one()
        await conn.execute(
            text(
                "INSERT INTO job (id, type, status, attempts, payload, user_id, run_id, "
                "                 updated_at) "
                "SELECT gen_random_uuid(), type, 'running', :a, payload, user_id, run_id, "
                "       now() - interval '1 hour' FROM job WHERE id = :id"
            ),
            {"a": attempts, "id": job_id},
        )
        await conn.execute(text("DELETE FROM job WHERE id = :id"), {"id": job_id})


@pytest.mark.parametrize("worker_enabled", [False])
async def test_a_document_whose_worker_died_on_the_last_attempt_fails(
    api: Api, database_url: URL
) -> None:
    user = await api.sign_up()
    uploaded = await api.client.post(
        "/api/documents", headers=user, files={"file": ("a.txt", b"Some text.", "text/plain")}
    )
    document_id = uploaded.json()["id"]
    await worker_died_on_last_attempt(api, "documents.process", attempts=3)
    await asyncio.to_thread(rescue, database_url)
    assert [s for (s,) in await rows(api, "SELECT status FROM job")] == ["failed"]
    assert await sweep(api) == (0, 1)
    document = (await api.client.get(f"/api/documents/{document_id}", headers=user)).json()
    assert document["status"] == "failed"
    assert document["metadata"]["error_code"] == "PROCESSING_ERROR"
    assert "WorkerLost" in document["metadata"]["error"]
    assert await sweep(api) == (0, 0)  # once


@pytest.mark.parametrize("worker_enabled", [False])
async def test_a_summary_run_whose_worker_died_on_the_last_attempt_fails_and_bills(
    api: Api, database_url: URL
) -> None:
    user = await api.sign_up()
    run = await api.client.post(
        "/api/runs", headers=user, json={"feature": "summarize", "input": "Some text to sum."}
    )
    run_id = run.json()["id"]
    await worker_died_on_last_attempt(api, "ai.run", attempts=3)
    async with api.engine.begin() as conn:
        await conn.execute(text("UPDATE run SET status = 'running'"))
    await asyncio.to_thread(rescue, database_url)
    assert await sweep(api) == (1, 0)
    got = (await api.client.get(f"/api/runs/{run_id}", headers=user)).json()
    assert (got["status"], got["error_message"]) == ("failed", orphans.ORPHANED)
    assert await billed(api, run_id) == {"ai_requests": 1, "ai_tokens": 0}


@pytest.mark.parametrize("worker_enabled", [False])
async def test_a_chat_run_whose_process_died_is_failed_after_a_lease(api: Api) -> None:
    user_id = await api.user_id(await api.sign_up())
    async with api.engine.begin() as conn:
        found = await conn.execute(
            text(
                "INSERT INTO run (id, user_id, model, prompt, status, feature, updated_at) "
                "VALUES (gen_random_uuid(), :u, 'mock:raypx-1', 'x', 'running', 'chat', "
                "        now() - :age) RETURNING id"
            ).columns(),
            [{"u": user_id, "age": LEASE + timedelta(seconds=1)}],
        )
        silent = str(found.scalar_one())
        live = await conn.execute(
            text(
                "INSERT INTO run (id, user_id, model, prompt, status, feature) "
                "VALUES (gen_random_uuid(), :u, 'mock:raypx-1', 'x', 'running', 'chat') "
                "RETURNING id"
            ),
            {"u": user_id},
        )
        touched = str(live.scalar_one())
    assert await sweep(api) == (1, 0)
    statuses = dict((str(i), s) for i, s in await rows(api, "SELECT id, status FROM run"))
    assert statuses == {silent: "failed", touched: "running"}
    assert await billed(api, silent) == {"ai_requests": 1, "ai_tokens": 0}


@pytest.fixture
async def proxied_api(database_url: URL, tmp_path: Path) -> AsyncIterator[tuple[Api, TcpProxy]]:
    proxy = TcpProxy(database_url.host or "127.0.0.1", database_url.port or 5432)
    await proxy.start()
    through_proxy = database_url.set(host="127.0.0.1", port=proxy.port)
    direct = create_async_engine(database_url)  # assertions must not depend on the proxy
    async for api in serve_api(through_proxy, tmp_path, Api, worker_in_process=False):
        api.engine = direct
        yield api, proxy
    await proxy.close()
    await direct.dispose()


async def test_a_chat_reply_that_met_a_dead_connection_is_recorded_when_it_returns(
    proxied_api: tuple[Api, TcpProxy], database_url: URL
) -> None:
    api, proxy = proxied_api
    user = await api.sign_up()
    made = await api.client.post("/api/conversations", headers=user, json={"title": "Blip"})
    conversation_id = made.json()["id"]
    words = " ".join(f"w{i}" for i in range(30))  # fake:slow answers in about 1.5 s
    posting = asyncio.create_task(
        api.client.post(
            f"/api/conversations/{conversation_id}/messages",
            headers=user,
            json={"content": words, "model": "fake:slow"},
        )
    )

    async def model_answering() -> bool:
        fake = api.app.state.ai.providers.instances.get("fake")
        return bool(fake and fake.calls)

    await wait_until(model_answering, what="the model to start answering")
    ((run_id,),) = await rows(api, "SELECT id FROM run")
    await proxy.cut()  # the database goes away while the model answers
    response = await posting
    assert response.status_code == 503  # the reply could not be recorded yet
    assert set(response.json()) == {"message", "code"}
    assert await rows(api, "SELECT status FROM run") == [("running",)]
    await proxy.restore()

    await wait_until(
        lambda: rows(api, "SELECT status FROM run"), lambda r: r == [("succeeded",)],
        within=3, what="the turn to be recorded",
    )  # fmt: skip
    messages = (
        await api.client.get(f"/api/conversations/{conversation_id}/messages", headers=user)
    ).json()["items"]
    assert [m["role"] for m in messages] == ["user", "assistant"]
    assert messages[1]["content"] == f"echo: {words}"
    usage = await billed(api, str(run_id))
    assert usage["ai_requests"] == 1 and usage["ai_tokens"] > 0


@pytest.mark.parametrize("extra_settings", [{"job_lease_seconds": 1.5}])
@pytest.mark.parametrize("worker_enabled", [False])
async def test_a_chat_reply_longer_than_the_lease_is_kept_alive(api: Api) -> None:
    user = await api.sign_up()
    made = await api.client.post("/api/conversations", headers=user, json={"title": "Slow"})
    words = " ".join(f"w{i}" for i in range(60))  # fake:slow answers in about 3 s
    posting = asyncio.create_task(
        api.client.post(
            f"/api/conversations/{made.json()['id']}/messages",
            headers=user,
            json={"content": words, "model": "fake:slow"},
        )
    )
    lease = timedelta(seconds=1.5)

    async def running_past_the_lease() -> list[Any]:
        return await rows(
            api, "SELECT id FROM run WHERE status = 'running' AND now() - created_at > :l", l=lease
        )

    await wait_until(running_past_the_lease, what="the reply to outlast the lease")
    async with transaction(create_session_factory(api.engine)) as session:
        swept = await orphans.fail_orphaned_runs(
            session, api.app.state.ai.registry, datetime.now(UTC), lease
        )
    assert swept == 0  # touched while the model answers: not taken for dead
    response = await posting
    assert (response.status_code, response.json()["run_status"]) == (201, "succeeded")
