"""get-session and sign-in throughput and latency against a real `raypx serve`, side by side
with the real Better Auth 1.7 (its Node handler on `pg`) when npm is available.

Run:  python benchmarks/auth.py [--concurrency 32] [--seconds 10] [--max-requests 50000]
                                [--skip-better-auth] [--rounds 3] [--skip-sign-in]
Uses BENCH_DATABASE_URL (a server where it may create scratch databases), else the machine's
PostgreSQL on 127.0.0.1:5432. Each server gets its own scratch database, dropped at the end.

- Raypx: `raypx serve` in a subprocess (one uvicorn process, worker off, log level warning),
  argon2id with the default OWASP parameters (19 MiB, t=2, p=1).
- Better Auth: `better-auth@1.7` + `better-auth/node` + `pg` in a Node process, its own
  migration, email/password on, defaults otherwise (scrypt N=16384 r=16; rate limit off, as
  outside NODE_ENV=production). Installed with npm into BENCH_NODE_DIR (/tmp/raypx-bench-node).
- Load: one httpx.AsyncClient, `--concurrency` tasks on loopback, each request timed; a 2 s
  warm-up, then `--seconds` per endpoint or `--max-requests`, whichever comes first.
Each row also gives the server's own CPU per request (from /proc): on a shared machine a steadier
comparison than req/s, which moves with whatever else runs.
Raypx rate-limits per client IP (100/10 s for get-session, 3/10 s for sign-in), so the load
generator plays a proxy: RAYPX_TRUSTED_PROXIES=127.0.0.1 and a distinct X-Forwarded-For per
request, as many clients behind a load balancer would look.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import psycopg
from psycopg import sql
from sqlalchemy.engine import URL, make_url

from raypx.db.embedded import libpq_conninfo

PASSWORD = "correct horse battery"
REFERENCE_GET_SESSION = 1500.0  # the figure for Better Auth on this 2-core machine
NODE_DIR = Path(os.environ.get("BENCH_NODE_DIR", "/tmp/raypx-bench-node"))
BETTER_AUTH_SERVER = """
import http from "node:http";
import pg from "pg";
import { betterAuth } from "better-auth";
import { toNodeHandler } from "better-auth/node";
import { getMigrations } from "better-auth/db/migration";

const [databaseUrl, port] = process.argv.slice(2);
const auth = betterAuth({
  database: new pg.Pool({ connectionString: databaseUrl, max: 10 }),
  baseURL: `http://127.0.0.1:${port}`,
  basePath: "/api/auth",
  secret: "bench-secret-bench-secret-bench-secret",
  emailAndPassword: { enabled: true },
});
const { runMigrations } = await getMigrations(auth.options);
await runMigrations();
http.createServer(toNodeHandler(auth)).listen(Number(port), "127.0.0.1", () => {
  console.log("ready");
});
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def scratch_database(server: URL, label: str) -> Iterator[URL]:
    name = f"raypx_bench_{label}_{secrets.token_hex(4)}"
    with psycopg.connect(libpq_conninfo(server), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield server.set(database=name)
    finally:
        with psycopg.connect(libpq_conninfo(server), autocommit=True) as conn:
            statement = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
            conn.execute(statement.format(sql.Identifier(name)))


@contextmanager
def process(
    command: list[str], env: dict[str, str], health: str, log: Path, cwd: Path
) -> Iterator[int]:
    """Start a server in `cwd`, wait until `health` answers, yield its pid, terminate it."""
    with log.open("w") as out:
        child = subprocess.Popen(command, env=env, stdout=out, stderr=out, cwd=cwd)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(health, timeout=1).status_code < 500:
                    break
            except httpx.TransportError:
                pass
            if child.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{command[0]} did not start:\n{log.read_text()}")
            time.sleep(0.1)
        try:
            yield child.pid
        except BaseException:
            print(f"--- {log.name} (last lines)\n" + "\n".join(log.read_text().splitlines()[-30:]))
            raise
    finally:
        child.terminate()
        child.wait(20)


def cpu_seconds(pid: int) -> float:
    """User + system CPU the process has used: on a busy machine a steadier figure than req/s."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Server:
    base: str
    pid: int


@contextmanager
def raypx_server(database: URL, home: Path) -> Iterator[Server]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DATABASE_URL": database.render_as_string(hide_password=False),
        "RAYPX_HOME": str(home),
        "RAYPX_SECRET": "bench-secret",
        "RAYPX_BASE_URL": base,
        "RAYPX_PORT": str(port),
        "RAYPX_WORKER_IN_PROCESS": "false",
        "RAYPX_LOG_LEVEL": "warning",
        "RAYPX_TRUSTED_PROXIES": "127.0.0.1",
    }
    env.pop("REDIS_URL", None)
    raypx = Path(sys.executable).with_name("raypx")
    # cwd: the scratch home, which exists; the Node folder may not (Better Auth not installed).
    with process([str(raypx), "serve"], env, f"{base}/healthz", home / "raypx.log", home) as pid:
        print(f"raypx serve pid {pid} on {base}")
        yield Server(base, pid)


def node_ready() -> bool:
    if shutil.which("node") is None or shutil.which("npm") is None:
        return False
    if not (NODE_DIR / "node_modules" / "pg" / "package.json").exists():
        NODE_DIR.mkdir(parents=True, exist_ok=True)
        (NODE_DIR / "package.json").write_text('{"name": "raypx-bench", "private": true}\n')
        install = ["npm", "install", "--no-audit", "--no-fund", "--loglevel=error"]
        subprocess.run([*install, "better-auth@1.7", "pg"], cwd=NODE_DIR, check=True, timeout=300)
    return True


@contextmanager
def better_auth_server(database: URL, home: Path) -> Iterator[Server]:
    port = free_port()
    script = NODE_DIR / "bench_server.mjs"
    script.write_text(BETTER_AUTH_SERVER)
    url = database.set(drivername="postgresql").render_as_string(hide_password=False)
    command = ["node", str(script), url, str(port)]
    base = f"http://127.0.0.1:{port}"
    health = f"{base}/api/auth/ok"
    env = {**os.environ, "NODE_ENV": ""}
    with process(command, env, health, home / "better-auth.log", NODE_DIR) as pid:
        yield Server(base, pid)


@dataclass(frozen=True)
class Result:
    requests: int
    seconds: float
    latencies: list[float]
    cpu: float  # server CPU seconds spent on these requests

    @property
    def cpu_ms_per_request(self) -> float:
        return self.cpu / self.requests * 1000

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


Call = Callable[[httpx.AsyncClient, dict[str, str]], Awaitable[httpx.Response]]


async def load(
    client: httpx.AsyncClient,
    server: Server,
    call: Call,
    concurrency: int,
    seconds: float,
    max_requests: int,
) -> Result:
    addresses = itertools.count(1)
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds

    async def task() -> None:
        while time.perf_counter() < deadline and len(latencies) < max_requests:
            n = next(addresses)
            forwarded = {"x-forwarded-for": f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}"}
            started = time.perf_counter()
            response = await call(client, forwarded)
            client.cookies.clear()  # each request is a fresh client; no cookie carries over
            if response.status_code != 200:
                raise RuntimeError(f"{response.status_code} {response.text}")
            latencies.append(time.perf_counter() - started)

    cpu_before, started = cpu_seconds(server.pid), time.perf_counter()
    await asyncio.gather(*(task() for _ in range(concurrency)))
    elapsed, cpu = time.perf_counter() - started, cpu_seconds(server.pid) - cpu_before
    return Result(len(latencies), elapsed, latencies, cpu)


async def measure(server: Server, args: argparse.Namespace) -> dict[str, Result]:
    limits = httpx.Limits(max_connections=args.concurrency, max_keepalive_connections=64)
    async with httpx.AsyncClient(base_url=server.base, limits=limits, timeout=60) as client:
        email = f"bench-{secrets.token_hex(4)}@example.com"
        body = {"name": "Bench", "email": email, "password": PASSWORD}
        signed_up = await client.post("/api/auth/sign-up/email", json=body)
        signed_up.raise_for_status()
        cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
        client.cookies.clear()
        credentials = {"email": email, "password": PASSWORD}

        async def get_session(c: httpx.AsyncClient, h: dict[str, str]) -> httpx.Response:
            response = await c.get("/api/auth/get-session", headers={**h, "cookie": cookie})
            if response.content == b"null":
                raise RuntimeError("get-session answered null: the cookie was not accepted")
            return response

        async def sign_in(c: httpx.AsyncClient, h: dict[str, str]) -> httpx.Response:
            return await c.post("/api/auth/sign-in/email", json=credentials, headers=h)

        results: dict[str, Result] = {}
        measured_by_wrk = wrk_get_session(server, cookie, args) if args.wrk else None
        if measured_by_wrk is not None:
            results["get-session"] = measured_by_wrk
        for name, call in (("get-session", get_session), ("sign-in", sign_in)):
            if name in results or (name == "sign-in" and args.skip_sign_in):
                continue
            await load(client, server, call, args.concurrency, 2.0, args.max_requests)  # warm-up
            results[name] = await load(
                client, server, call, args.concurrency, args.seconds, args.max_requests
            )
        return results


WRK_SCRIPT = """
local n = 0
local prefix = 0
function setup(thread)
  prefix = prefix + 1
  thread:set("prefix", prefix)
end
function request()
  n = n + 1
  local a, b = math.floor(n / 256) % 256, n % 256
  wrk.headers["Cookie"] = "COOKIE"
  wrk.headers["X-Forwarded-For"] = string.format("10.%d.%d.%d", prefix, a, b)
  return wrk.format("GET", "/api/auth/get-session")
end
"""


def wrk_get_session(server: Server, cookie: str, args: argparse.Namespace) -> Result | None:
    """get-session driven by wrk (C, two threads): the Python client tops out first otherwise."""
    if shutil.which("wrk") is None:
        return None
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT.replace("COOKIE", cookie.replace('"', '\\"')))
    command = ["wrk", "-t2", f"-c{args.concurrency}", f"-d{args.seconds:g}s", "--latency",
               "-s", script.name, server.base]  # fmt: skip
    subprocess.run([*command[:3], "-d2s", *command[4:]], capture_output=True, check=True)  # warm-up
    cpu_before = cpu_seconds(server.pid)
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    cpu = cpu_seconds(server.pid) - cpu_before
    if "Non-2xx" in out:
        raise RuntimeError(f"wrk saw errors:\n{out}")
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    seconds = float(re.search(r"requests in ([\d.]+)s", out).group(1))  # type: ignore[union-attr]

    def ms(label: str) -> float:
        value, unit = re.search(rf"{label}%\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit] / 1000

    # Latencies as two points (p50, p99) are all wrk reports; Result keeps the same shape.
    return Result(total, seconds, [ms("50")] * 99 + [ms("99")], cpu)


def median_result(results: list[Result]) -> Result:
    """The run with the median req/s (the others are shown as they come)."""
    return sorted(results, key=lambda r: r.per_second)[len(results) // 2]


def report(runs: dict[str, dict[str, list[Result]]]) -> None:
    header = f"{'server':<12} {'endpoint':<12} {'requests':>9} {'req/s':>9}"
    print(f"\n{header} {'p50 ms':>8} {'p99 ms':>8} {'server CPU ms/req':>18}   (median run)")
    rows = {
        server: {endpoint: median_result(results) for endpoint, results in by_endpoint.items()}
        for server, by_endpoint in runs.items()
    }
    for server, results in rows.items():
        for endpoint, r in results.items():
            print(
                f"{server:<12} {endpoint:<12} {r.requests:>9} {r.per_second:>9.1f}"
                f" {r.percentile(0.5):>8.2f} {r.percentile(0.99):>8.2f}"
                f" {r.cpu_ms_per_request:>18.2f}"
            )
    raypx = rows["raypx"]
    print()
    if "better-auth" in rows:
        for endpoint, r in raypx.items():
            theirs = rows["better-auth"][endpoint]
            cpu = statistics.median(x.cpu_ms_per_request for x in runs["raypx"][endpoint])
            their_cpu = statistics.median(
                x.cpu_ms_per_request for x in runs["better-auth"][endpoint]
            )
            print(
                f"ratio raypx/better-auth {endpoint}: {r.per_second / theirs.per_second:.2f}x"
                f" req/s, {cpu / their_cpu:.2f}x the server CPU per request (medians of"
                f" {len(runs['raypx'][endpoint])} interleaved runs, same PostgreSQL)"
            )
    ratio = raypx["get-session"].per_second / REFERENCE_GET_SESSION
    print(
        f"ratio raypx/reference get-session: {ratio:.2f}x against ~{REFERENCE_GET_SESSION:,.0f}/s"
        " (reference, not measured here)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--max-requests", type=int, default=50_000)
    parser.add_argument("--skip-better-auth", action="store_true")
    parser.add_argument("--rounds", type=int, default=1, help="interleaved rounds (medians)")
    parser.add_argument("--skip-sign-in", action="store_true", help="get-session only")
    parser.add_argument(
        "--no-wrk", dest="wrk", action="store_false", help="drive get-session from Python too"
    )
    args = parser.parse_args()
    server = make_url(
        os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    )
    print(f"{os.cpu_count()} CPUs, concurrency {args.concurrency}, {args.seconds:g} s per endpoint")
    runs: dict[str, dict[str, list[Result]]] = {}
    with_better_auth = not args.skip_better_auth and node_ready()
    if not args.skip_better_auth and not with_better_auth:
        print("node/npm not found: Better Auth not measured")

    def keep(name: str, results: dict[str, Result]) -> None:
        for endpoint, result in results.items():
            runs.setdefault(name, {}).setdefault(endpoint, []).append(result)
            print(f"  {name} {endpoint}: {result.per_second:,.0f} req/s,"
                  f" {result.cpu_ms_per_request:.2f} ms CPU/req", flush=True)  # fmt: skip

    for _ in range(args.rounds):  # interleaved: ours, theirs, ours, theirs
        with tempfile.TemporaryDirectory() as tmp:
            home = Path(tmp)
            with scratch_database(server, "raypx") as url, raypx_server(url, home) as base:
                keep("raypx", asyncio.run(measure(base, args)))
            if with_better_auth:
                with scratch_database(server, "ba") as url, better_auth_server(url, home) as base:
                    keep("better-auth", asyncio.run(measure(base, args)))
    report(runs)


if __name__ == "__main__":
    main()
