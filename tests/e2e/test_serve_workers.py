"""`raypx serve --workers N`: several HTTP processes behind one port, sharing rate limits
through Redis, one /metrics for all of them, in-process workers sharing the queue, and a
graceful stop on SIGTERM."""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import psycopg
import pytest
import redis
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.engine import URL

from raypx.db.embedded import libpq_conninfo
from tests.e2e.test_serve_embedded import free_port

pytestmark = pytest.mark.slow
REDIS_URL = os.environ.get("RAYPX_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
PASSWORD = "correct horse battery"


def redis_available() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_timeout=1).ping())
    except redis.RedisError:
        return False


def server_processes(pid: int) -> list[int]:
    """The pids of uvicorn's server processes under `pid` (spawned, beside a resource tracker)."""
    found = []
    for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
        try:
            command = Path(f"/proc/{child}/cmdline").read_bytes()
        except FileNotFoundError:
            continue
        if b"multiprocessing.spawn" in command:
            found.append(int(child))
    return found


def wait_for(condition: Callable[[], bool], what: str, within: float = 60.0) -> None:
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)  # polling an observable condition with a deadline


Serve = Callable[..., tuple[subprocess.Popen[bytes], str]]


@pytest.fixture
def serve(database_url: URL, tmp_path: Path) -> Iterator[Serve]:
    started: list[subprocess.Popen[bytes]] = []

    def start(*args: str, **env: str) -> tuple[subprocess.Popen[bytes], str]:
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        environment = {
            **os.environ,
            "DATABASE_URL": libpq_conninfo(database_url),
            "RAYPX_HOME": str(tmp_path),
            "RAYPX_BASE_URL": base,
            "RAYPX_TRUSTED_PROXIES": "127.0.0.1",
            "RAYPX_ARGON2_MEMORY_COST": "64",
            "RAYPX_ARGON2_TIME_COST": "1",
            "RAYPX_JOB_POLL_INTERVAL": "0.2",
            "RAYPX_WORKER_IN_PROCESS": "false",
            **env,
        }
        environment.pop("PROMETHEUS_MULTIPROC_DIR", None)
        with open(tmp_path / f"serve-{len(started)}.log", "wb") as log:
            command = [sys.executable, "-m", "raypx", "serve", "--port", str(port), *args]
            process = subprocess.Popen(command, env=environment, stdout=log, stderr=log)
        started.append(process)

        def healthy() -> bool:
            assert process.poll() is None, "raypx serve exited"
            try:
                return httpx.get(f"{base}/healthz", timeout=1).status_code == 200
            except httpx.TransportError:
                return False

        wait_for(healthy, "raypx serve to answer")
        return process, base

    yield start
    for process in started:
        if process.poll() is None:
            children = server_processes(process.pid)
            process.kill()
            for pid in children:  # never leave a server process behind a failed test
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        process.wait()
    for log in sorted(tmp_path.glob("serve-*.log")):  # shown by pytest when a test fails
        print(f"--- {log.name}\n{log.read_text(errors='replace')[-3000:]}")


def fresh_connection_post(base: str, path: str, body: dict[str, object], ip: str) -> int:
    """One request on a connection of its own, so the kernel may give it to either process."""
    headers = {"x-forwarded-for": ip, "connection": "close"}
    with httpx.Client(base_url=base, timeout=10) as client:
        return client.post(path, json=body, headers=headers).status_code


@pytest.mark.skipif(not redis_available(), reason="no Redis at RAYPX_TEST_REDIS_URL")
def test_two_processes_share_rate_limits_metrics_and_stop_gracefully(serve: Serve) -> None:
    process, base = serve("--workers", "2", "--shutdown-timeout", "5", REDIS_URL=REDIS_URL)
    wait_for(lambda: len(server_processes(process.pid)) == 2, "two server processes")
    servers = server_processes(process.pid)

    email = f"rl-{secrets.token_hex(4)}@example.com"
    ip = f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.{secrets.randbelow(250)}"
    signed_up = fresh_connection_post(
        base, "/api/auth/sign-up/email", {"name": "R", "email": email, "password": PASSWORD}, ip
    )
    assert signed_up == 200
    credentials = {"email": email, "password": PASSWORD}
    statuses = [
        fresh_connection_post(base, "/api/auth/sign-in/email", credentials, ip) for _ in range(8)
    ]
    # Better Auth's rule: 3 sign-ins per 10 s per IP, counted once for the whole server.
    assert statuses == [200] * 3 + [429] * 5
    key = f"raypx:rl:{ip}|/sign-in/email"
    shared = redis.Redis.from_url(REDIS_URL)
    try:
        assert int(shared.get(key) or 0) == 3
    finally:
        shared.delete(key, f"raypx:rl:{ip}|/sign-up/email")
        shared.close()

    # Whichever process answers /metrics reports the requests of both.
    page = httpx.get(f"{base}/metrics", timeout=10).text
    sign_ins = sum(
        sample.value
        for family in text_string_to_metric_families(page)
        for sample in family.samples
        if sample.name == "raypx_http_requests_total"
        and sample.labels["route"] == "/api/auth/sign-in/email"
    )
    assert sign_ins == 8, page

    process.send_signal(signal.SIGTERM)
    assert process.wait(30) == 0
    assert all(not Path(f"/proc/{pid}").exists() for pid in servers)


def session_check(base: str, cookie: str) -> object:
    """get-session on a connection of its own (either process may answer)."""
    headers = {"cookie": cookie, "connection": "close"}
    return httpx.get(f"{base}/api/auth/get-session", headers=headers, timeout=10).json()


def test_two_processes_share_sessions_and_jobs(serve: Serve, database_url: URL) -> None:
    process, base = serve("--workers", "2", RAYPX_WORKER_IN_PROCESS="true")
    wait_for(lambda: len(server_processes(process.pid)) == 2, "two server processes")
    with httpx.Client(base_url=base, timeout=10) as client:
        email = f"w-{secrets.token_hex(4)}@example.com"
        body = {"name": "W", "email": email, "password": PASSWORD}
        signed_up = client.post("/api/auth/sign-up/email", json=body)
        cookie = signed_up.headers["set-cookie"].split(";")[0]
        client.cookies.clear()  # runs below use the Bearer token, no browser cookie

        # A sign-out on one process is honoured by both at once: nothing caches sessions.
        assert all(session_check(base, cookie) is not None for _ in range(10))
        signed_out = client.post(
            "/api/auth/sign-out", headers={"cookie": cookie, "origin": base, "connection": "close"}
        )
        assert signed_out.status_code == 200
        assert all(session_check(base, cookie) is None for _ in range(10))
        signed_in = client.post("/api/auth/sign-in/email", json=body)
        client.cookies.clear()
        headers = {"authorization": f"Bearer {signed_in.json()['token']}"}
        for n in range(20):
            run = {"feature": "summarize", "input": f"Run number {n}. It has two sentences."}
            assert client.post("/api/runs", json=run, headers=headers).status_code == 202
    with psycopg.connect(libpq_conninfo(database_url), autocommit=True) as conn:

        def all_done() -> bool:
            row = conn.execute(
                "SELECT count(*) FILTER (WHERE status = 'succeeded'), count(*) FROM job "
                "WHERE type = 'ai.run'"
            ).fetchone()
            return row is not None and row[0] == row[1] == 20

        wait_for(all_done, "20 runs to finish")
        attempts = conn.execute("SELECT DISTINCT attempts FROM job WHERE type = 'ai.run'")
        assert attempts.fetchall() == [(1,)]
    # A killed supervisor (OOM killer) takes its server processes with it.
    servers = server_processes(process.pid)
    process.kill()
    process.wait()
    wait_for(lambda: not any(Path(f"/proc/{pid}").exists() for pid in servers), "orphans to exit")
