"""Chat reply latency: a fresh conversation against one with a long history.

Run:  python benchmarks/chat.py [--history 2000] [--samples 10]
Uses BENCH_DATABASE_URL (a server where it may create a scratch database), else the machine's
PostgreSQL on 127.0.0.1:5432. The real app (lifespan, pools, worker off) answers over ASGI with
the offline model `mock:raypx-1`; each sample is one `POST /api/conversations/{id}/messages`.
Fresh samples each use a new conversation; the long one is filled with `--history` messages
(alternating user and assistant, about 40 words each) by COPY before timing starts.
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
import uuid
from pathlib import Path

import httpx
import psycopg
from sqlalchemy.engine import URL, make_url

from raypx.api.app import create_app
from raypx.db import migrate
from raypx.db.base import new_uuid7
from raypx.db.embedded import libpq_conninfo
from raypx.settings import Settings

BASE_URL = "http://127.0.0.1:8000"
SENTENCE = (
    "The quarterly report shows revenue up by twelve percent while costs stayed flat, "
    "and the team asks whether the new pricing page should ship before the end of the month."
)


def scratch_database() -> URL:
    server = make_url(
        os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    ).set(drivername="postgresql+psycopg")
    name = f"raypx_bench_chat_{secrets.token_hex(3)}"
    with psycopg.connect(libpq_conninfo(server), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return server.set(database=name)


def drop(url: URL) -> None:
    with psycopg.connect(libpq_conninfo(url.set(database="postgres")), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)')


def fill(url: URL, user_id: str, conversation_id: str, count: int) -> None:
    with psycopg.connect(libpq_conninfo(url)) as conn:
        columns = "id, conversation_id, user_id, role, content"
        with conn.cursor().copy(f"COPY message ({columns}) FROM STDIN") as copy:
            for index in range(count):
                role = "user" if index % 2 == 0 else "assistant"
                copy.write_row(
                    (new_uuid7(), conversation_id, user_id, role, f"{index}. {SENTENCE}")
                )


async def turn(client: httpx.AsyncClient, headers: dict[str, str], conversation: str) -> float:
    started = time.perf_counter()
    response = await client.post(
        f"/api/conversations/{conversation}/messages", headers=headers, json={"content": SENTENCE}
    )
    elapsed = time.perf_counter() - started
    assert response.status_code == 201, response.text
    return elapsed


async def measure(url: URL, history: int, samples: int) -> tuple[float, float]:
    limits = {"free": {"ai_requests": 1_000_000, "ai_tokens": 1_000_000_000}}
    settings = Settings(
        database_url=url.render_as_string(hide_password=False),
        home=Path(tempfile.mkdtemp(prefix="raypx-bench-chat-")),
        base_url=BASE_URL,
        worker_in_process=False,
        plan_limits=json.dumps(limits),
        argon2_memory_cost=64,
        argon2_time_cost=1,
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
            signed_up = await client.post(
                "/api/auth/sign-up/email",
                json={"name": "Bench", "email": "bench@example.com", "password": "x" * 12},
            )
            client.cookies.clear()
            headers = {"Authorization": f"Bearer {signed_up.json()['token']}"}
            user_id = signed_up.json()["user"]["id"]

            async def conversation() -> str:
                made = await client.post("/api/conversations", headers=headers, json={"title": "b"})
                return str(uuid.UUID(made.json()["id"]))

            long = await conversation()
            await asyncio.to_thread(fill, url, user_id, long, history)
            await turn(client, headers, await conversation())  # warm-up: imports, tokenizer
            fresh = [await turn(client, headers, await conversation()) for _ in range(samples)]
            grown = [await turn(client, headers, long) for _ in range(samples)]
    return statistics.median(fresh), statistics.median(grown)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--history", type=int, default=2000)
    parser.add_argument("--samples", type=int, default=10)
    args = parser.parse_args()
    url = scratch_database()
    try:
        migrate.upgrade(url)
        fresh, grown = asyncio.run(measure(url, args.history, args.samples))
    finally:
        drop(url)
    print(f"fresh conversation:        {fresh * 1000:8.1f} ms per reply (median)")
    print(f"{args.history:,}-message conversation: {grown * 1000:8.1f} ms per reply (median)")
    print(f"ratio: {grown / fresh:.2f}x")


if __name__ == "__main__":
    main()
