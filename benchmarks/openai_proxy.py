"""Overhead of Raypx's /v1/chat/completions against LiteLLM's proxy, same upstream, same run.

Run:  python -m benchmarks.openai_proxy [--litellm /path/to/litellm] [--concurrency 1 50 200]

- Upstream: benchmarks/fake_upstream.py under uvicorn on loopback (its own process): first
  token after 100 ms, 10 more chunks 10 ms apart, usage, [DONE].
- Raypx: `raypx serve` (one uvicorn process, worker off) on a scratch database on
  BENCH_DATABASE_URL or 127.0.0.1:5432; a session Bearer token; model openai:gpt-4o-mini
  forwarded to the upstream. Each request is a metered run: admitted (plan, quota, under the
  user's advisory lock), recorded, relayed, then finished with its usage_event rows.
- LiteLLM: `litellm --config` (pip install 'litellm[proxy]'), one worker, a master key (it
  refuses to start without one), no database (so no spend tracking or per-user keys), the
  local price map (LITELLM_LOCAL_MODEL_COST_MAP=True: no network).
- Direct: the client straight to the upstream, the baseline the others add to.
For each concurrency, as many streams at once as the level, `--rounds` times over; time to first
token (first content delta) is measured by the client; CPU per request is the proxy process
tree's user+system time (/proc) over the requests. PostgreSQL's own CPU (Raypx's metering
writes) is not in Raypx's figure: it is another process; its share is printed separately.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy.engine import URL

from benchmarks.auth import cpu_seconds, free_port, scratch_database
from raypx.db import migrate
from raypx.settings import parse_database_url

BODY = {"messages": [{"role": "user", "content": "Say twelve words."}], "stream": True}


@dataclass(frozen=True)
class Target:
    name: str
    url: str  # .../v1/chat/completions
    model: str
    headers: dict[str, str]
    pid: int | None  # the process whose CPU is counted (None: direct)


def tree_cpu(pid: int) -> float:
    """CPU seconds of a process and its descendants (LiteLLM may fork)."""
    total, pending = 0.0, [pid]
    while pending:
        current = pending.pop()
        try:
            total += cpu_seconds(current)
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        pending += [int(c) for c in children]
    return total


def postgres_cpu() -> dict[int, float]:
    """CPU seconds of every PostgreSQL process, by pid (backends come and go)."""
    found: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == "postgres":
                    found[int(entry.name)] = cpu_seconds(int(entry.name))
            except OSError:
                continue
    return found


def postgres_delta(before: dict[int, float], after: dict[int, float]) -> float:
    return sum(after[pid] - before.get(pid, 0.0) for pid in after)


@contextmanager
def started(command: list[str], env: dict[str, str], health: str, log: Path) -> Iterator[int]:
    with log.open("w") as out:
        child = subprocess.Popen(command, env=env, stdout=out, stderr=out)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(health, timeout=1).status_code < 500:
                    break
            except httpx.TransportError:
                pass
            if child.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{command[0]} did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.2)
        yield child.pid
    finally:
        child.terminate()
        try:
            child.wait(20)
        except subprocess.TimeoutExpired:
            child.kill()


async def one_stream(client: httpx.AsyncClient, target: Target) -> float:
    started_at = time.perf_counter()
    first: float | None = None
    body = {**BODY, "model": target.model}
    async with client.stream("POST", target.url, json=body, headers=target.headers) as response:
        if response.status_code != 200:
            raise RuntimeError(
                f"{target.name}: HTTP {response.status_code} {await response.aread()!r}"
            )
        async for line in response.aiter_lines():
            if first is None and '"content"' in line:
                first = time.perf_counter() - started_at
    if first is None:
        raise RuntimeError(f"{target.name}: no content in the stream")
    return first


async def measure(target: Target, concurrency: int, rounds: int) -> tuple[list[float], float]:
    limits = httpx.Limits(max_connections=concurrency + 10, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(timeout=120, limits=limits) as client:
        await asyncio.gather(*(one_stream(client, target) for _ in range(min(concurrency, 10))))
        cpu_before = tree_cpu(target.pid) if target.pid else 0.0
        ttfts: list[float] = []
        for _ in range(rounds):
            ttfts += await asyncio.gather(*(one_stream(client, target) for _ in range(concurrency)))
        cpu = (tree_cpu(target.pid) - cpu_before) if target.pid else 0.0
    return ttfts, cpu / len(ttfts)


def pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100)[q - 1] if len(values) > 1 else values[0]


async def sign_up(base: str) -> str:
    async with httpx.AsyncClient(base_url=base) as client:
        account = {"name": "Bench", "email": "bench@example.com",
                   "password": "correct horse battery"}  # fmt: skip
        response = await client.post("/api/auth/sign-up/email", json=account)
        response.raise_for_status()
        return str(response.json()["token"])


def main(args: argparse.Namespace) -> None:
    default = "postgresql://postgres@127.0.0.1:5432/postgres"
    server = parse_database_url(os.environ.get("BENCH_DATABASE_URL", default))
    work = Path(tempfile.mkdtemp(prefix="raypx-bench-proxy-"))
    upstream_port, raypx_port, litellm_port = free_port(), free_port(), free_port()
    upstream = f"http://127.0.0.1:{upstream_port}"
    base_env = {**os.environ}
    base_env.pop("REDIS_URL", None)
    python = sys.executable
    with (
        scratch_database(server, "proxy") as database,
        started([python, "-m", "uvicorn", "benchmarks.fake_upstream:app", "--port",
                 str(upstream_port), "--log-level", "warning"], base_env, f"{upstream}/health",
                work / "upstream.log"),
    ):  # fmt: skip
        migrate.upgrade(database)
        targets = [Target("direct", f"{upstream}/v1/chat/completions", "gpt-4o-mini", {}, None)]
        with raypx(database, raypx_port, upstream, work, base_env) as raypx_target:
            targets.append(raypx_target)
            with litellm(args.litellm, litellm_port, upstream, work, base_env) as lite_target:
                if lite_target:
                    targets.append(lite_target)
                report(targets, args)


@contextmanager
def raypx(
    database: URL, port: int, upstream: str, work: Path, env: dict[str, str]
) -> Iterator[Target]:
    base = f"http://127.0.0.1:{port}"
    values = {
        **env, "DATABASE_URL": database.render_as_string(hide_password=False),
        "RAYPX_HOME": str(work / "raypx"), "RAYPX_SECRET": "bench-secret", "RAYPX_BASE_URL": base,
        "RAYPX_PORT": str(port), "RAYPX_WORKER_IN_PROCESS": "false", "RAYPX_LOG_LEVEL": "warning",
        "RAYPX_OPENAI_BASE_URL": f"{upstream}/v1", "OPENAI_API_KEY": "sk-bench",
        "RAYPX_PLAN_LIMITS": '{"free": {"ai_requests": 100000000, "ai_tokens": 2000000000}}',
    }  # fmt: skip
    command = [str(Path(sys.executable).with_name("raypx")), "serve"]
    with started(command, values, f"{base}/healthz", work / "raypx.log") as pid:
        token = asyncio.run(sign_up(base))
        yield Target("raypx", f"{base}/v1/chat/completions", "openai:gpt-4o-mini",
                     {"Authorization": f"Bearer {token}"}, pid)  # fmt: skip


@contextmanager
def litellm(binary: str | None, port: int, upstream: str, work: Path,
            env: dict[str, str]) -> Iterator[Target | None]:  # fmt: skip
    found = binary or shutil.which("litellm")
    if not found:
        print("litellm not found (pip install 'litellm[proxy]'): LiteLLM rows skipped")
        yield None
        return
    config = work / "litellm.yaml"
    config.write_text(
        "model_list:\n  - model_name: gpt-4o-mini\n    litellm_params:\n"
        f"      model: openai/gpt-4o-mini\n      api_base: {upstream}/v1\n"
        "      api_key: sk-bench\nlitellm_settings:\n  telemetry: false\n"
    )
    master = "sk-bench-" + "0" * 40  # LiteLLM refuses to start unauthenticated
    values = {**env, "LITELLM_LOCAL_MODEL_COST_MAP": "True", "LITELLM_LOG": "ERROR",
              "LITELLM_MASTER_KEY": master}  # fmt: skip
    command = [found, "--config", str(config), "--host", "127.0.0.1", "--port", str(port),
               "--num_workers", "1"]  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    with started(command, values, f"{base}/health/liveliness", work / "litellm.log") as pid:
        yield Target("litellm", f"{base}/v1/chat/completions", "gpt-4o-mini",
                     {"Authorization": f"Bearer {master}"}, pid)  # fmt: skip


def report(targets: list[Target], args: argparse.Namespace) -> None:
    print(f"{'target':<9}{'streams':>8}{'requests':>9}{'TTFT p50':>10}{'TTFT p99':>10}"
          f"{'added p50':>11}{'CPU ms/req':>12}")  # fmt: skip
    for concurrency in args.concurrency:
        rounds = max(1, args.requests // concurrency)
        direct_p50 = 0.0
        for target in targets:
            pg_before = postgres_cpu()
            ttfts, cpu = asyncio.run(measure(target, concurrency, rounds))
            pg = postgres_delta(pg_before, postgres_cpu()) / len(ttfts)
            p50, p99 = pct(ttfts, 50) * 1000, pct(ttfts, 99) * 1000
            if target.name == "direct":
                direct_p50 = p50
            cpu_text = f"{cpu * 1000:.2f}" if target.pid else "-"
            extra = f"  (+{pg * 1000:.2f} PostgreSQL)" if target.name == "raypx" else ""
            print(f"{target.name:<9}{concurrency:>8}{len(ttfts):>9}{p50:>9.1f}ms{p99:>8.1f}ms"
                  f"{p50 - direct_p50:>9.1f}ms{cpu_text:>12}{extra}")  # fmt: skip


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 50, 200])
    parser.add_argument("--requests", type=int, default=400, help="per level, at least one round")
    parser.add_argument("--litellm", default="/tmp/ask-docs-litellm/bin/litellm")
    main(parser.parse_args())
