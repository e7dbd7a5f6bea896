"""Usage report latency with 1,000,000 usage events in the table.

Run:  python benchmarks/usage_report.py  [--events 1000000] [--users 1000]
Uses BENCH_DATABASE_URL (a server where it may create a scratch database), else the machine's
PostgreSQL on 127.0.0.1:5432. The report (`GET /api/usage`) reads one user's month through
`idx_usage_event_user_id_created_at`; for comparison the same query is timed with index scans
disabled (what it would cost as a table scan), on the same data in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import secrets
import statistics
import time
from datetime import UTC, datetime, timedelta

import psycopg
from sqlalchemy import text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from raypx.db import migrate
from raypx.db.base import new_uuid7
from raypx.db.embedded import libpq_conninfo
from raypx.usage import reports

METRICS = ["ai_requests", "ai_tokens", "documents", "storage_bytes"]
YEAR_START = datetime(2026, 1, 1, tzinfo=UTC)


def scratch_database() -> URL:
    server = make_url(
        os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    ).set(drivername="postgresql+psycopg")
    name = f"raypx_bench_usage_{secrets.token_hex(3)}"
    with psycopg.connect(libpq_conninfo(server), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return server.set(database=name)


def drop(url: URL) -> None:
    with psycopg.connect(libpq_conninfo(url.set(database="postgres")), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)')


def load(url: URL, n_events: int, n_users: int) -> list[str]:
    rng = random.Random(7)
    users = [f"bench_user_{i:05d}" for i in range(n_users)]
    with psycopg.connect(libpq_conninfo(url)) as conn:
        with conn.cursor().copy('COPY "user" (id, name, email) FROM STDIN') as copy:
            for user in users:
                copy.write_row((user, user, f"{user}@example.com"))
        columns = "id, user_id, metric, quantity, model, feature, cost_usd, created_at"
        with conn.cursor().copy(f"COPY usage_event ({columns}) FROM STDIN") as copy:
            for _ in range(n_events):
                when = YEAR_START + timedelta(seconds=rng.randrange(365 * 86400))
                copy.write_row((
                    new_uuid7(), rng.choice(users), rng.choice(METRICS), rng.randrange(1, 5000),
                    "mock:raypx-1", "summarize", f"{rng.randrange(0, 100) / 10000:.4f}", when,
                ))  # fmt: skip
        conn.commit()
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE usage_event")
    return users


async def time_reports(url: URL, users: list[str], samples: int, scan: bool) -> list[float]:
    engine = create_async_engine(url, pool_size=1)
    start, end = reports.month_range("2026-06")
    rng = random.Random(11)
    timings = []
    async with engine.connect() as conn:
        if scan:
            await conn.execute(text("SET enable_indexscan = off"))
            await conn.execute(text("SET enable_bitmapscan = off"))
            await conn.execute(text("SET enable_indexonlyscan = off"))
        async with AsyncSession(bind=conn) as session:
            for _ in range(samples):
                user = rng.choice(users)
                began = time.perf_counter()
                await reports.build_report(session, user, start, end, reports.GroupBy.METRIC)
                timings.append((time.perf_counter() - began) * 1000)
    await engine.dispose()
    return timings


def summary(timings: list[float]) -> str:
    ordered = sorted(timings)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return f"p50 {statistics.median(ordered):8.2f} ms   p99 {p99:8.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--users", type=int, default=1_000)
    args = parser.parse_args()
    url = scratch_database()
    try:
        migrate.upgrade(url)
        began = time.perf_counter()
        users = load(url, args.events, args.users)
        print(f"loaded {args.events:,} usage events for {args.users:,} users "
              f"in {time.perf_counter() - began:.1f} s")  # fmt: skip
        indexed = asyncio.run(time_reports(url, users, 300, scan=False))
        scanned = asyncio.run(time_reports(url, users, 10, scan=True))
        print(f"monthly report, one user (index):      {summary(indexed)}")
        print(f"same report, index scans disabled:     {summary(scanned)}")
        ratio = statistics.median(scanned) / statistics.median(indexed)
        print(f"ratio (scan p50 / index p50): {ratio:,.0f}x")
    finally:
        drop(url)


if __name__ == "__main__":
    main()
