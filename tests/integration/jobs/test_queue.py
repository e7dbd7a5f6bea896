"""The queue's services, in the caller's transaction: enqueue, cancel, retry, list, prune."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncSession

from raypx.db.embedded import libpq_conninfo
from raypx.db.engine import SessionFactory
from raypx.db.enums import JobStatus
from raypx.errors import Conflict, Invalid, NotFound
from raypx.jobs import metrics, queue
from tests.integration.jobs.conftest import add_job, read_job


async def test_enqueue_adds_a_queued_job_with_its_payload(session: AsyncSession) -> None:
    job = await queue.enqueue(session, "documents.summarize", {"document_id": "d1"})
    assert job.status == JobStatus.QUEUED
    assert job.attempts == 0
    assert job.payload == {"document_id": "d1"}
    assert job.scheduled_at is not None
    listed = await queue.list_jobs(session, type="documents.summarize")
    assert [j.id for j in listed] == [job.id]


async def test_enqueue_rejects_bad_input(session: AsyncSession) -> None:
    with pytest.raises(Invalid):
        await queue.enqueue(session, " ", {})
    with pytest.raises(Invalid):
        await queue.enqueue(session, "x", {"when": datetime.now()})  # not JSON
    with pytest.raises(Invalid):
        await queue.enqueue(session, "x", {}, scheduled_at=datetime(2030, 1, 1))  # naive
    with pytest.raises(Invalid, match="NUL"):
        await queue.enqueue(session, "x", {"text": "a\u0000b"})


async def test_job_exists_only_if_the_callers_transaction_commits(
    factory: SessionFactory, database_url: URL
) -> None:
    async with await psycopg.AsyncConnection.connect(
        libpq_conninfo(database_url), autocommit=True
    ) as listener:
        await listener.execute(f"LISTEN {queue.NOTIFY_CHANNEL}")
        async with factory() as session:
            async with session.begin():
                rolled_back_id = (await queue.enqueue(session, "emails.send", {})).id
                await session.rollback()
            async with session.begin():
                committed = await queue.enqueue(session, "emails.send", {})
        notes = [n async for n in listener.notifies(timeout=5.0, stop_after=1)]
    assert [n.payload for n in notes] == ["emails.send"]  # one NOTIFY, from the commit
    with pytest.raises(NotFound):
        await read_job(factory, rolled_back_id)
    assert (await read_job(factory, committed.id)).status == JobStatus.QUEUED


async def test_cancel_a_queued_job_at_once(session: AsyncSession) -> None:
    job = await queue.enqueue(session, "emails.send", {})
    cancelled = await queue.cancel(session, job.id)
    assert cancelled.status == JobStatus.CANCELLED
    with pytest.raises(Conflict):
        await queue.cancel(session, job.id)
    with pytest.raises(NotFound):
        await queue.cancel(session, uuid.uuid4())


async def test_retry_requeues_failed_and_cancelled_jobs_only(session: AsyncSession) -> None:
    job = await queue.enqueue(session, "emails.send", {})
    with pytest.raises(Conflict):
        await queue.retry(session, job.id)  # still queued
    await session.execute(
        text(
            "UPDATE job SET status = 'failed', attempts = 3, error_message = 'E: x' WHERE id = :id"
        ),
        {"id": job.id},
    )
    retried = await queue.retry(session, job.id)
    assert retried.status == JobStatus.QUEUED
    # attempts is kept: it fences off any stale run of an earlier attempt
    assert retried.attempts == 3


async def test_list_filters_by_status_and_type(session: AsyncSession) -> None:
    a = await queue.enqueue(session, "t.a", {})
    b = await queue.enqueue(session, "t.b", {})
    await queue.cancel(session, b.id)
    queued_a = await queue.list_jobs(session, status=JobStatus.QUEUED, type="t.a")
    assert [j.id for j in queued_a] == [a.id]
    cancelled = await queue.list_jobs(session, status=JobStatus.CANCELLED, type="t.b")
    assert [j.id for j in cancelled] == [b.id]


async def test_prune_deletes_only_old_finished_jobs(session: AsyncSession) -> None:
    old_done = await queue.enqueue(session, "t.prune", {})
    new_done = await queue.enqueue(session, "t.prune", {})
    old_queued = await queue.enqueue(session, "t.prune", {})
    await session.execute(
        text("UPDATE job SET status = 'succeeded' WHERE id IN (:a, :b)"),
        {"a": old_done.id, "b": new_done.id},
    )
    # Setting updated_at explicitly is kept by the trigger: pretend these are 8 days old.
    await session.execute(
        text("UPDATE job SET updated_at = now() - interval '8 days' WHERE id IN (:a, :c)"),
        {"a": old_done.id, "c": old_queued.id},
    )
    assert await queue.prune(session, timedelta(days=7)) == 1
    remaining = {j.id for j in await queue.list_jobs(session, type="t.prune")}
    assert remaining == {new_done.id, old_queued.id}


async def test_figures_report_depth_and_latency(session: AsyncSession) -> None:
    past = datetime.now(UTC) - timedelta(minutes=5)
    await queue.enqueue(session, "t.figures", {}, scheduled_at=past)
    await queue.enqueue(session, "t.figures", {})
    await queue.enqueue(
        session, "t.figures", {}, scheduled_at=datetime.now(UTC) + timedelta(hours=1)
    )
    figures = await metrics.read_queue_figures(session)
    row = next(t for t in figures.by_type if t.type == "t.figures")
    assert (row.ready, row.scheduled, row.running) == (2, 1, 0)
    assert 290 < row.oldest_ready_seconds < 400
    assert figures.ready >= 2


async def test_enqueue_via_factory_commits(factory: SessionFactory) -> None:
    job_id = await add_job(factory, "t.commit", {"k": 1})
    assert (await read_job(factory, job_id)).payload == {"k": 1}
