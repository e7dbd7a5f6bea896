"""The product under load: many users mixing sign-in, session checks, AI runs, streamed chat
turns and document uploads against `raypx serve --workers N`, for N = 1 and 2.

Run:  python benchmarks/product.py [--users 60] [--seconds 20] [--processes 1,2] [--rounds 1]
Uses BENCH_DATABASE_URL (scratch databases are created there), else the machine's PostgreSQL
on 127.0.0.1:5432, and REDIS_URL (default redis://127.0.0.1:6379/0) for shared rate limits.

- Servers: `raypx serve --workers N` (no in-process worker) and one `raypx worker` beside it,
  argon2id at its default cost, the mock model, plan limits raised so quotas never refuse.
- Users: each has its own client address (X-Forwarded-For through a trusted proxy) and loops,
  picking an action by weight: get-session 45%, run (POST, then GET until done) 15%, streamed
  chat turn 15%, upload a 20 KB text 10%, list documents 10%, sign-in 5% (at most every 4 s
  per user, inside Better Auth's 3 per 10 s).
- Figures: per endpoint p50/p99 and req/s; requests per API CPU-second ("per core": one core
  fully used serves that many); the CPU share used by the API processes, the worker and
  PostgreSQL over the run, and upload -> processed p50 from the database, to say what bounds it.
The load generator runs on the same 2 cores; it is one more process competing for them.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import httpx
import psycopg
from auth import cpu_seconds, free_port, scratch_database  # type: ignore[import-not-found]
from sqlalchemy.engine import URL, make_url

from raypx.db.embedded import libpq_conninfo

PASSWORD = "correct horse battery"
WEIGHTS = {
    "get-session": 45,
    "run": 15,
    "chat-turn": 15,
    "upload": 10,
    "list-documents": 10,
    "sign-in": 5,
}
TEXT = ("The council met on Tuesday and approved the budget for the libraries. " * 300)[:20_000]


def tree_cpu(pid: int) -> float:
    """CPU seconds of a process and its children (uvicorn's worker processes)."""
    total = 0.0
    try:
        total += cpu_seconds(pid)
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except (FileNotFoundError, ProcessLookupError):
        return total
    return total + sum(tree_cpu(int(child)) for child in children)


def postgres_cpu() -> float:
    """CPU seconds of every PostgreSQL process on the machine (other users' included)."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if (entry / "comm").read_text().strip() == "postgres":
                total += cpu_seconds(int(entry.name))
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


class Servers:
    def __init__(self, database: URL, home: Path, processes: int) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "DATABASE_URL": libpq_conninfo(database),
            "RAYPX_HOME": str(home),
            "RAYPX_SECRET": "bench-secret",
            "RAYPX_BASE_URL": self.base,
            "RAYPX_WORKER_IN_PROCESS": "false",
            "RAYPX_LOG_LEVEL": "warning",
            "RAYPX_TRUSTED_PROXIES": "127.0.0.1",
            "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
            "RAYPX_PLAN_LIMITS": '{"free": {"ai_tokens": 1000000000, "ai_requests": 1000000000,'
            ' "documents": 1000000000}}',
        }
        self.env.pop("PROMETHEUS_MULTIPROC_DIR", None)
        raypx = str(Path(sys.executable).with_name("raypx"))
        log = (home / "serve.log").open("w")
        self.api = subprocess.Popen(
            [raypx, "serve", "--port", str(self.port), "--workers", str(processes)],
            env=self.env, stdout=log, stderr=log, cwd=home,
        )  # fmt: skip
        deadline = time.monotonic() + 90
        while True:
            try:
                if httpx.get(f"{self.base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if self.api.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    f"raypx serve did not start:\n{(home / 'serve.log').read_text()}"
                )
            time.sleep(0.2)
        worker_log = (home / "worker.log").open("w")
        self.worker = subprocess.Popen(
            [raypx, "worker"], env=self.env, stdout=worker_log, stderr=worker_log, cwd=home
        )

    def stop(self) -> None:
        for child in (self.worker, self.api):
            child.terminate()
        for child in (self.worker, self.api):
            child.wait(60)


class User:
    def __init__(self, n: int) -> None:
        self.email = f"user{n}-{secrets.token_hex(3)}@example.com"
        self.ip = f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}"
        self.cookie = ""
        self.conversation = ""
        self.signed_in_at = 0.0


class Load:
    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self.latencies: defaultdict[str, list[float]] = defaultdict(list)
        self.limited: defaultdict[str, int] = defaultdict(int)
        self.errors: defaultdict[str, int] = defaultdict(int)

    async def timed(
        self, name: str, user: User, method: str, path: str, **kw: object
    ) -> httpx.Response:
        headers = {
            "x-forwarded-for": user.ip,
            "cookie": user.cookie,
            "origin": str(self.client.base_url),
        }
        started = time.perf_counter()
        try:
            response = await self.client.request(method, path, headers=headers, **kw)  # type: ignore[arg-type]
        except httpx.TransportError:  # a dropped connection counts as an error, not a crash
            response = httpx.Response(599)
        self.client.cookies.clear()
        self.note(name, response.status_code, time.perf_counter() - started)
        return response

    def note(self, name: str, status: int, seconds: float) -> None:
        if status == 429:
            self.limited[name] += 1
        elif status >= 400:
            self.errors[name] += 1
        else:
            self.latencies[name].append(seconds)

    async def sign_in(self, user: User) -> None:
        body = {"email": user.email, "password": PASSWORD}
        response = await self.timed("sign-in", user, "POST", "/api/auth/sign-in/email", json=body)
        if response.status_code == 200:
            user.cookie = response.headers["set-cookie"].split(";")[0]
            user.signed_in_at = time.monotonic()

    async def run(self, user: User) -> None:
        body = {"feature": "summarize", "input": TEXT[:2000]}
        created = await self.timed("run", user, "POST", "/api/runs", json=body)
        if created.status_code != 202:
            return
        for _ in range(200):
            got = await self.timed("run-poll", user, "GET", f"/api/runs/{created.json()['id']}")
            if got.status_code != 200 or got.json()["status"] not in ("queued", "running"):
                return
            await asyncio.sleep(0.05)

    async def chat_turn(self, user: User) -> None:
        headers = {
            "x-forwarded-for": user.ip,
            "cookie": user.cookie,
            "origin": str(self.client.base_url),
        }
        body = {"content": "Summarise the council's decision in one line.", "stream": True}
        path = f"/api/conversations/{user.conversation}/messages"
        started = time.perf_counter()
        status = 599
        try:
            async with self.client.stream("POST", path, json=body, headers=headers) as response:
                async for _ in response.aiter_bytes():
                    pass
                status = response.status_code
        except httpx.TransportError:
            pass
        self.note("chat-turn", status, time.perf_counter() - started)

    async def upload(self, user: User) -> None:
        files = {"file": (f"notes-{secrets.token_hex(3)}.txt", TEXT.encode(), "text/plain")}
        await self.timed("upload", user, "POST", "/api/documents", files=files)

    async def act(self, user: User, action: str) -> None:
        if action == "sign-in" and time.monotonic() - user.signed_in_at > 4:
            await self.sign_in(user)
        elif action == "run":
            await self.run(user)
        elif action == "chat-turn":
            await self.chat_turn(user)
        elif action == "upload":
            await self.upload(user)
        elif action == "list-documents":
            await self.timed("list-documents", user, "GET", "/api/documents")
        else:
            await self.timed("get-session", user, "GET", "/api/auth/get-session")


async def prepare(client: httpx.AsyncClient, users: list[User]) -> None:
    gate = asyncio.Semaphore(8)

    async def one(user: User) -> None:
        async with gate:
            body = {"name": "User", "email": user.email, "password": PASSWORD}
            headers = {"x-forwarded-for": user.ip}
            signed_up = await client.post("/api/auth/sign-up/email", json=body, headers=headers)
            signed_up.raise_for_status()
            client.cookies.clear()
            user.cookie = signed_up.headers["set-cookie"].split(";")[0]
            user.signed_in_at = time.monotonic()
            headers |= {"cookie": user.cookie, "origin": str(client.base_url)}
            created = await client.post(
                "/api/conversations", json={"title": "Bench"}, headers=headers
            )
            created.raise_for_status()
            client.cookies.clear()
            user.conversation = created.json()["id"]

    await asyncio.gather(*(one(user) for user in users))


@dataclass(frozen=True)
class RunFigures:
    load: Load
    wall: float  # seconds
    api_cpu: float  # CPU seconds, all API processes
    worker_cpu: float
    pg_cpu: float


async def drive(servers: Servers, users: int, seconds: float) -> RunFigures:
    limits = httpx.Limits(max_connections=users, max_keepalive_connections=users)
    async with httpx.AsyncClient(base_url=servers.base, limits=limits, timeout=120) as client:
        people = [User(n) for n in range(1, users + 1)]
        await prepare(client, people)
        load = Load(client)
        actions, weights = list(WEIGHTS), list(WEIGHTS.values())
        rng = random.Random(7)
        api_cpu, worker_cpu, pg_cpu = (
            tree_cpu(servers.api.pid),
            cpu_seconds(servers.worker.pid),
            postgres_cpu(),
        )
        started = time.perf_counter()
        deadline = started + seconds

        async def person(user: User) -> None:
            while time.perf_counter() < deadline:
                await load.act(user, rng.choices(actions, weights)[0])

        await asyncio.gather(*(person(user) for user in people))
        wall = time.perf_counter() - started
        return RunFigures(
            load,
            wall,
            tree_cpu(servers.api.pid) - api_cpu,
            cpu_seconds(servers.worker.pid) - worker_cpu,
            postgres_cpu() - pg_cpu,
        )


def processed_latency(database: URL) -> tuple[float, int, int]:
    """Upload -> processed p50 (ms), processed count, total uploads, once the worker caught up."""
    with psycopg.connect(libpq_conninfo(database), autocommit=True) as conn:
        deadline = time.monotonic() + 120
        while conn.execute("SELECT count(*) FROM document WHERE status = 'uploaded'").fetchone()[0]:  # type: ignore[index]
            if time.monotonic() > deadline:
                break
            time.sleep(0.2)
        rows = conn.execute(
            "SELECT extract(epoch FROM updated_at - created_at) FROM document"
            " WHERE status = 'processed'"
        ).fetchall()
        total = conn.execute("SELECT count(*) FROM document").fetchone()[0]  # type: ignore[index]
    values = [float(r[0]) for r in rows]
    return (statistics.median(values) * 1000 if values else float("nan")), len(values), total


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else float("nan")


def report(processes: int, figures: RunFigures, documents: tuple[float, int, int]) -> float:
    load, wall, api_cpu = figures.load, figures.wall, figures.api_cpu
    total = sum(len(v) for v in load.latencies.values())
    print(
        f"\n--- {processes} API process(es): {total:,} requests in {wall:.1f} s"
        f" = {total / wall:,.0f} req/s"
    )
    print(
        f"{'endpoint':<16} {'requests':>9} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}"
        f" {'429':>5} {'errors':>6}"
    )
    for name in sorted(set(load.latencies) | set(load.errors) | set(load.limited)):
        values = load.latencies.get(name, [])
        print(
            f"{name:<16} {len(values):>9} {len(values) / wall:>8.1f}"
            f" {percentile(values, 0.5):>8.1f} {percentile(values, 0.99):>8.1f}"
            f" {load.limited.get(name, 0):>5} {load.errors.get(name, 0):>6}"
        )
    worker_cpu, pg_cpu = figures.worker_cpu, figures.pg_cpu
    print(
        f"requests per API CPU-second: {total / api_cpu:,.0f}; CPU used over the run"
        " (2 cores = 200%):"
        f" API {100 * api_cpu / wall:.0f}%, worker {100 * worker_cpu / wall:.0f}%,"
        f" PostgreSQL (all databases) {100 * pg_cpu / wall:.0f}%"
    )
    p50, processed, uploads = documents
    print(f"documents: {processed}/{uploads} processed, upload -> processed p50 {p50:.0f} ms")
    print(f"load average now: {os.getloadavg()[0]:.1f}")
    return total / wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=60)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--processes", default="1,2")
    parser.add_argument("--rounds", type=int, default=1, help="interleaved rounds (medians)")
    args = parser.parse_args()
    server = make_url(
        os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    )
    counts = [int(n) for n in args.processes.split(",")]
    print(f"{os.cpu_count()} CPUs, {args.users} users, {args.seconds:g} s per run")
    rates: defaultdict[int, list[float]] = defaultdict(list)
    for _ in range(args.rounds):
        for processes in counts:  # interleaved: 1, 2, 1, 2
            with tempfile.TemporaryDirectory() as tmp, scratch_database(server, "product") as url:
                servers = Servers(url, Path(tmp), processes)
                try:
                    figures = asyncio.run(drive(servers, args.users, args.seconds))
                    documents = processed_latency(url)
                finally:
                    servers.stop()
                rates[processes].append(report(processes, figures, documents))
    print()
    for processes in counts:
        print(f"{processes} process(es): median {statistics.median(rates[processes]):,.0f} req/s")
    if 1 in rates and 2 in rates:
        ratio = statistics.median(rates[2]) / statistics.median(rates[1])
        print(f"ratio 2 processes / 1: {ratio:.2f}x")


if __name__ == "__main__":
    main()
