"""Document uploads per second and upload → summary latency, for 100 KB text documents.

Run:  python benchmarks/documents.py [--uploads 300] [--concurrency 8] [--latency-docs 20]
                                     [--backend local|s3]
Uses BENCH_DATABASE_URL (a server where it may create a scratch database), else the machine's
PostgreSQL on 127.0.0.1:5432. The app runs in this process over ASGI (no HTTP server, so the
figures are the app's own cost: multipart parsing, hashing, sniffing, storage write, the
transaction with quota check, usage events and the enqueue).

- Throughput: `--uploads` POST /api/documents from `--concurrency` clients, no worker running,
  so only the upload path is measured.
- Latency: one document at a time with the in-process worker on: from the start of the POST to
  the row reading `processed` (extracted, summarised by mock:raypx-1, summary written), polled
  every 5 ms.
`--backend s3` stores in a local moto S3 server (pip install "moto[server]").
The usage-report benchmark is the billing side's: see benchmarks/usage_report.py.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import statistics
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import psycopg
from psycopg import sql
from sqlalchemy import text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import create_async_engine

from raypx.api.app import create_app
from raypx.db import migrate
from raypx.db.embedded import libpq_conninfo
from raypx.settings import Settings

DOCUMENT_BYTES = 100 * 1024
BASE_URL = "http://bench.local"
NO_LIMITS = {"free": {"documents": 10**9, "ai_requests": 10**9, "ai_tokens": 10**12}}


def document(n: int) -> bytes:
    """About 100 KB of varied English sentences (numbers differ per document)."""
    sentences = [
        f"Report {n}.{i}: the council approved {i * 7 % 97} new projects in district {i % 13}. "
        f"Funding of {i * 31 % 1000} thousand dollars covers libraries, transit and parks. "
        for i in range(2000)
    ]
    return "".join(sentences).encode()[:DOCUMENT_BYTES]


def scratch_database(server: URL) -> URL:
    name = f"raypx_bench_docs_{secrets.token_hex(4)}"
    with psycopg.connect(libpq_conninfo(server), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = server.set(database=name)
    migrate.upgrade(url)
    return url


def drop_database(server: URL, url: URL) -> None:
    with psycopg.connect(libpq_conninfo(server), autocommit=True) as conn:
        statement = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
        conn.execute(statement.format(sql.Identifier(str(url.database))))


@asynccontextmanager
async def running_app(settings: Settings, url: URL) -> AsyncIterator[httpx.AsyncClient]:
    database = url.render_as_string(hide_password=False)
    app = create_app(settings.model_copy(update={"database_url": database}), url)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
            yield client


async def sign_up(client: httpx.AsyncClient) -> dict[str, str]:
    email = f"bench-{secrets.token_hex(4)}@example.com"
    body = {"name": "Bench", "email": email, "password": "correct horse battery"}
    response = await client.post("/api/auth/sign-up/email", json=body)
    response.raise_for_status()
    client.cookies.clear()
    return {"Authorization": f"Bearer {response.json()['token']}"}


async def upload(client: httpx.AsyncClient, headers: dict[str, str], n: int) -> str:
    files = {"file": (f"report-{n}.txt", document(n), "text/plain")}
    response = await client.post("/api/documents", headers=headers, files=files)
    if response.status_code != 201:
        raise RuntimeError(f"upload failed: {response.status_code} {response.text}")
    return str(response.json()["id"])


async def throughput(settings: Settings, url: URL, uploads: int, concurrency: int) -> float:
    async with running_app(settings.model_copy(update={"worker_in_process": False}), url) as client:
        headers = await sign_up(client)
        await upload(client, headers, -1)  # warm-up: imports, pools, first storage directory
        counter = iter(range(uploads))

        async def client_loop() -> None:
            for n in counter:
                await upload(client, headers, n)

        started = time.perf_counter()
        await asyncio.gather(*(client_loop() for _ in range(concurrency)))
        return uploads / (time.perf_counter() - started)


async def latencies(settings: Settings, url: URL, count: int) -> list[float]:
    engine = create_async_engine(url)
    results: list[float] = []
    async with running_app(settings, url) as client:
        headers = await sign_up(client)
        for n in range(count + 1):
            started = time.perf_counter()
            document_id = await upload(client, headers, 10_000 + n)
            while True:
                async with engine.connect() as conn:
                    status = await conn.scalar(
                        text("SELECT status FROM document WHERE id = :id"), {"id": document_id}
                    )
                if status != "uploaded":
                    break
                await asyncio.sleep(0.005)  # polling interval of the measurement, not a wait
            if status != "processed":
                raise RuntimeError(f"document {document_id} ended {status}")
            if n:  # the first one warms up the worker and the summariser
                results.append(time.perf_counter() - started)
    await engine.dispose()
    return results


def s3_overrides() -> tuple[dict[str, Any], Any]:
    import logging
    import socket

    import boto3
    from moto.server import ThreadedMotoServer

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto logs every request otherwise
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    boto3.client(
        "s3", endpoint_url=endpoint, region_name="us-east-1",
        aws_access_key_id="bench", aws_secret_access_key="bench",
    ).create_bucket(Bucket="raypx-bench")  # fmt: skip
    overrides = {
        "storage_backend": "s3", "s3_bucket": "raypx-bench", "s3_endpoint_url": endpoint,
        "s3_region": "us-east-1", "s3_access_key_id": "bench", "s3_secret_access_key": "bench",
    }  # fmt: skip
    return overrides, server


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--uploads", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--latency-docs", type=int, default=20)
    parser.add_argument("--backend", choices=("local", "s3"), default="local")
    args = parser.parse_args()
    raw = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    server = make_url(raw).set(drivername="postgresql+psycopg")
    # A database per phase: the throughput phase's queued processing jobs must not compete
    # with the latency measurements.
    upload_db, latency_db = scratch_database(server), scratch_database(server)
    overrides, s3_server = s3_overrides() if args.backend == "s3" else ({}, None)
    try:
        with tempfile.TemporaryDirectory() as home:
            settings = Settings(
                home=Path(home), worker_in_process=True, job_poll_interval=0.2,
                plan_limits=json.dumps(NO_LIMITS), log_level="warning", **overrides,
            )  # fmt: skip
            rate = await throughput(settings, upload_db, args.uploads, args.concurrency)
            times = await latencies(settings, latency_db, args.latency_docs)
    finally:
        drop_database(server, upload_db)
        drop_database(server, latency_db)
        if s3_server is not None:
            s3_server.stop()
    ms = sorted(t * 1000 for t in times)
    print(f"backend: {args.backend}; document: {DOCUMENT_BYTES // 1024} KB text/plain")
    print(f"uploads: {rate:.1f}/s ({args.uploads} uploads, {args.concurrency} concurrent clients)")
    print(
        f"upload → processed (summary written): median {statistics.median(ms):.0f} ms, "
        f"p95 {ms[int(len(ms) * 0.95) - 1]:.0f} ms, max {ms[-1]:.0f} ms ({len(ms)} documents)"
    )
    # Usage report latency: owned by billing/usage — run benchmarks/usage_report.py.


if __name__ == "__main__":
    asyncio.run(main())
