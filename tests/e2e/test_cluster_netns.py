"""Scale-out, proven on a small cluster of Linux network namespaces joined by veth links.

Hosts: one PostgreSQL (with Redis beside it), one S3 (moto server), two API hosts and two worker
hosts, each raypx process bound to its own address on 198.18.X.0/24 (the range set aside for
network tests). The test itself sits on the bridge at .254. Skipped, with the reason, where
namespaces cannot be made (no root, no `ip`, a sandbox) or PostgreSQL's binaries are missing.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import httpx
import psycopg
import pytest

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]
PG_BIN = Path("/usr/lib/postgresql/15/bin")
PASSWORD = "correct horse battery"
LEASE_SECONDS = 2
HOSTS = {"db": 2, "s3": 3, "api1": 11, "api2": 12, "w1": 21, "w2": 22}
# Every job's transitions, with the address of the host whose connection made them.
SIDE_TABLES = """
CREATE TABLE transition (job_id uuid, type text, status text, attempts int, host inet,
                         at timestamptz DEFAULT clock_timestamp());
CREATE FUNCTION record_transition() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO transition (job_id, type, status, attempts, host)
    VALUES (NEW.id, NEW.type, NEW.status, NEW.attempts, inet_client_addr());
    RETURN NEW;
END $$;
CREATE TRIGGER job_transition AFTER UPDATE OF status ON job FOR EACH ROW
    WHEN (NEW.status IS DISTINCT FROM OLD.status) EXECUTE FUNCTION record_transition();
CREATE TABLE execution (job_id uuid, attempt int, pid int, started_at timestamptz,
                        ended_at timestamptz);
"""


def run(*command: str) -> None:
    subprocess.run(command, check=True, capture_output=True, timeout=30)


def why_no_namespaces() -> str | None:
    if shutil.which("ip") is None:
        return "no `ip` command (iproute2)"
    if not (PG_BIN / "postgres").exists() or shutil.which("redis-server") is None:
        return f"PostgreSQL binaries ({PG_BIN}) or redis-server missing"
    try:
        subprocess.run(["id", "postgres"], check=True, capture_output=True)
    except subprocess.CalledProcessError:
        return "no `postgres` OS user to run PostgreSQL as"
    probe = f"rxprobe{os.getpid() % 10000}"
    try:
        run("ip", "netns", "add", probe)
    except (subprocess.CalledProcessError, OSError) as exc:
        stderr = getattr(exc, "stderr", b"") or b""
        return f"`ip netns add` is not permitted here: {stderr.decode().strip() or exc}"
    run("ip", "netns", "del", probe)
    return None


def wait_for(condition: Callable[[], bool], what: str, within: float = 60.0) -> None:
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)  # polling an observable condition with a deadline


@dataclass
class Cluster:
    tag: str
    subnet: str  # "198.18.X"
    home: Path
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def address(self, host: str) -> str:
        return f"{self.subnet}.{HOSTS[host]}"

    def namespace(self, host: str) -> str:
        return f"rx{self.tag}{host}"

    def spawn(self, name: str, host: str, command: list[str], env: dict[str, str]) -> None:
        with (self.home / f"{name}.log").open("wb") as log:  # the child keeps its own copy
            self.processes[name] = subprocess.Popen(
                ["ip", "netns", "exec", self.namespace(host), *command],
                env=env, stdout=log, stderr=subprocess.STDOUT, cwd=REPO,
            )  # fmt: skip

    def in_host(self, host: str, *command: str) -> None:
        run("ip", "netns", "exec", self.namespace(host), *command)

    @property
    def dsn(self) -> str:
        return f"postgresql://postgres@{self.address('db')}:5432/raypx"


def build_network(cluster: Cluster) -> None:
    bridge = f"rx{cluster.tag}br"
    run("ip", "link", "add", bridge, "type", "bridge")
    run("ip", "addr", "add", f"{cluster.subnet}.254/24", "dev", bridge)
    run("ip", "link", "set", bridge, "up")
    for host in HOSTS:
        namespace, outside = cluster.namespace(host), f"rx{cluster.tag}{HOSTS[host]}"
        run("ip", "netns", "add", namespace)
        run(
            "ip", "link", "add", outside, "type", "veth", "peer", "name", "eth0", "netns", namespace
        )
        run("ip", "link", "set", outside, "master", bridge, "up")
        cluster.in_host(host, "ip", "addr", "add", f"{cluster.address(host)}/24", "dev", "eth0")
        cluster.in_host(host, "ip", "link", "set", "eth0", "up")
        cluster.in_host(host, "ip", "link", "set", "lo", "up")


def tear_down(cluster: Cluster) -> None:
    for process in cluster.processes.values():
        if process.poll() is None:
            process.terminate()
    for process in cluster.processes.values():
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    for host in HOSTS:
        subprocess.run(["ip", "netns", "del", cluster.namespace(host)], capture_output=True)
    subprocess.run(["ip", "link", "del", f"rx{cluster.tag}br"], capture_output=True)


def start_services(cluster: Cluster) -> None:
    data = cluster.home / "pgdata"
    data.mkdir()
    shutil.chown(data, "postgres", "postgres")
    initdb = [str(PG_BIN / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres"]
    run("runuser", "-u", "postgres", "--", *initdb, "--no-sync", "-E", "UTF8")
    with (data / "pg_hba.conf").open("a") as hba:
        hba.write(f"host all all {cluster.subnet}.0/24 trust\n")  # the cluster's own hosts
    postgres = [
        # setpriv, not runuser: it execs, so the process we stop is PostgreSQL itself.
        "setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups",
        str(PG_BIN / "postgres"), "-D", str(data),
        "-c", f"listen_addresses={cluster.address('db')}", "-c", f"unix_socket_directories={data}",
        "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "max_connections=200",
    ]  # fmt: skip
    cluster.spawn("postgres", "db", postgres, dict(os.environ))
    redis = ["redis-server", "--bind", cluster.address("db"), "--port", "6379", "--save", "",
             "--appendonly", "no", "--protected-mode", "no"]  # fmt: skip
    cluster.spawn("redis", "db", redis, dict(os.environ))
    moto = [str(Path(sys.executable).with_name("moto_server")), "-H", cluster.address("s3"),
            "-p", "5000"]  # fmt: skip
    cluster.spawn("s3", "s3", moto, dict(os.environ))
    admin = f"postgresql://postgres@{cluster.address('db')}:5432/postgres"

    def postgres_up() -> bool:
        try:
            with psycopg.connect(admin, connect_timeout=1, autocommit=True) as conn:
                conn.execute("CREATE DATABASE raypx")
            return True
        except psycopg.OperationalError:
            return False

    wait_for(postgres_up, "PostgreSQL on its host")
    s3 = boto3.client(
        "s3", endpoint_url=f"http://{cluster.address('s3')}:5000", region_name="us-east-1",
        aws_access_key_id="test", aws_secret_access_key="test",
    )  # fmt: skip

    def s3_up() -> bool:
        try:
            s3.create_bucket(Bucket="raypx")
            return True
        except Exception:
            return False

    wait_for(s3_up, "moto S3 on its host")


def raypx_env(cluster: Cluster) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RAYPX_", "PROMETHEUS_"))}
    return env | {
        "DATABASE_URL": cluster.dsn,
        "REDIS_URL": f"redis://{cluster.address('db')}:6379/0",
        "RAYPX_HOME": str(cluster.home / "raypx"),
        "RAYPX_SECRET": "one secret shared by every host",
        "RAYPX_BASE_URL": f"http://{cluster.address('api1')}:8000",
        "RAYPX_WORKER_IN_PROCESS": "false",
        "RAYPX_STORAGE_BACKEND": "s3",
        "RAYPX_S3_BUCKET": "raypx",
        "RAYPX_S3_ENDPOINT_URL": f"http://{cluster.address('s3')}:5000",
        "RAYPX_S3_REGION": "us-east-1",
        "RAYPX_S3_ACCESS_KEY_ID": "test",
        "RAYPX_S3_SECRET_ACCESS_KEY": "test",
        "RAYPX_ARGON2_MEMORY_COST": "64",
        "RAYPX_ARGON2_TIME_COST": "1",
        "RAYPX_JOB_LEASE_SECONDS": str(LEASE_SECONDS),
        "RAYPX_JOB_POLL_INTERVAL": "0.2",
        "RAYPX_WORKER_CONCURRENCY": "2",
    }


def start_raypx(cluster: Cluster) -> None:
    env = raypx_env(cluster)
    for host in ("api1", "api2"):  # one after the other: the first applies the migrations
        command = [sys.executable, "-m", "raypx", "serve", "--host", cluster.address(host)]
        cluster.spawn(host, host, [*command, "--port", "8000"], env)
        url = f"http://{cluster.address(host)}:8000/readyz"

        def ready(url: str = url, name: str = host) -> bool:
            assert cluster.processes[name].poll() is None, f"{name} exited"
            try:
                return httpx.get(url, timeout=1).status_code == 200
            except httpx.TransportError:
                return False

        wait_for(ready, f"raypx serve on {host}")
    with psycopg.connect(cluster.dsn, autocommit=True) as conn:
        conn.execute(SIDE_TABLES)
    for host in ("w1", "w2"):
        worker = [sys.executable, "-m", "raypx.cli.worker", "--import", "tests.e2e.worker_tasks"]
        cluster.spawn(host, host, worker, env)


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    reason = why_no_namespaces()
    if reason:
        pytest.skip(reason)
    home = Path(tempfile.mkdtemp(prefix="raypx-cluster-"))
    home.chmod(0o755)  # PostgreSQL runs as `postgres` and must reach its data folder
    number = os.getpid() % 200 + 20
    built = Cluster(tag=secrets.token_hex(2), subnet=f"198.18.{number}", home=home)
    try:
        build_network(built)
        start_services(built)
        start_raypx(built)
        yield built
    finally:
        tear_down(built)
        for log in sorted(home.glob("*.log")):  # shown by pytest when a test fails
            print(f"--- {log.name}\n{log.read_text(errors='replace')[-2000:]}")
        shutil.rmtree(home, ignore_errors=True)


def api(cluster: Cluster, host: str) -> httpx.Client:
    return httpx.Client(base_url=f"http://{cluster.address(host)}:8000", timeout=15)


def rows(cluster: Cluster, query: str, *params: Any) -> list[tuple[Any, ...]]:
    with psycopg.connect(cluster.dsn, autocommit=True) as conn:
        return conn.execute(query, params).fetchall()  # type: ignore[arg-type]


def sign_up(client: httpx.Client) -> str:
    email = f"c-{secrets.token_hex(4)}@example.com"
    body = {"name": "C", "email": email, "password": PASSWORD}
    response = client.post("/api/auth/sign-up/email", json=body)
    assert response.status_code == 200, response.text
    client.cookies.clear()
    return str(response.json()["token"])


def test_a_session_made_on_one_api_host_works_on_the_other(cluster: Cluster) -> None:
    with api(cluster, "api1") as one, api(cluster, "api2") as other:
        token = sign_up(one)
        seen = other.get("/api/me", headers={"authorization": f"Bearer {token}"})
        assert seen.status_code == 200
        signed_out = other.post("/api/auth/sign-out", headers={"authorization": f"Bearer {token}"})
        assert signed_out.status_code == 200
        assert one.get("/api/me", headers={"authorization": f"Bearer {token}"}).status_code == 401


def test_uploads_on_either_api_host_are_processed_on_both_worker_hosts(cluster: Cluster) -> None:
    with api(cluster, "api1") as one, api(cluster, "api2") as other:
        token = sign_up(one)
        headers = {"authorization": f"Bearer {token}"}
        ids = []
        for n in range(16):
            client = one if n % 2 else other
            text = f"Upload {n}. The council approved the budget. Libraries open in March."
            files = {"file": (f"note-{n}.txt", text.encode(), "text/plain")}
            response = client.post("/api/documents", files=files, headers=headers)
            assert response.status_code == 201, response.text
            ids.append(response.json()["id"])

        def processed() -> bool:
            statuses = {other.get(f"/api/documents/{i}", headers=headers).json()["status"]
                        for i in ids}  # fmt: skip
            assert "failed" not in statuses
            return statuses == {"processed"}

        wait_for(processed, "16 documents processed")
    hosts = rows(
        cluster,
        "SELECT DISTINCT host(host) FROM transition t JOIN job j ON j.id = t.job_id "
        "WHERE j.type = 'documents.process' AND t.status = 'succeeded'",
    )
    assert {h for (h,) in hosts} == {cluster.address("w1"), cluster.address("w2")}


def test_cutting_a_worker_hosts_link_hands_its_jobs_over_once(cluster: Cluster) -> None:
    job_ids = [
        row[0]
        for row in rows(
            cluster,
            "INSERT INTO job (id, type, payload) SELECT gen_random_uuid(), 'e2e.record', "
            "'{\"seconds\": 1.5}' FROM generate_series(1, 8) RETURNING id",
        )
    ]
    w1 = cluster.address("w1")

    def w1_running() -> bool:
        found = rows(cluster, "SELECT count(*) FROM transition WHERE status = 'running' "
                              "AND host = %s::inet AND type = 'e2e.record'", w1)  # fmt: skip
        return int(found[0][0]) >= 1

    wait_for(w1_running, "worker host 1 to be running a job")
    cluster.in_host("w1", "ip", "link", "set", "eth0", "down")
    try:

        def all_succeeded() -> bool:
            found = rows(cluster, "SELECT count(*) FROM job WHERE type = 'e2e.record' "
                                  "AND status = 'succeeded'")  # fmt: skip
            return int(found[0][0]) == len(job_ids)

        wait_for(all_succeeded, "every job to succeed after the lease", within=90)
    finally:
        restored_at = rows(cluster, "SELECT clock_timestamp()")[0][0]
        cluster.in_host("w1", "ip", "link", "set", "eth0", "up")

    def w1_back() -> bool:  # the cut-off host talks to the database again (same connections)
        found = rows(cluster, "SELECT count(*) FROM pg_stat_activity WHERE client_addr = %s::inet "
                              "AND state_change > %s", w1, restored_at)  # fmt: skip
        return int(found[0][0]) >= 2  # its claim loop and its lease keeper

    wait_for(w1_back, "worker host 1 to be back", within=60)
    completions = rows(
        cluster,
        "SELECT job_id, count(*), min(host(host)) FROM transition WHERE status = 'succeeded' "
        "AND type = 'e2e.record' GROUP BY job_id",
    )
    assert len(completions) == len(job_ids)  # nothing lost
    assert all(count == 1 for _, count, _ in completions)  # each completed exactly once
    taken_over = rows(
        cluster,
        "SELECT count(DISTINCT job_id) FROM transition WHERE type = 'e2e.record' "
        "AND status = 'queued' AND host IS NOT NULL",
    )
    assert int(taken_over[0][0]) >= 1  # the other host's rescue put w1's jobs back
    assert {host for _, _, host in completions} <= {w1, cluster.address("w2")}
    finished_by_w2 = [job for job, _, host in completions if host == cluster.address("w2")]
    assert finished_by_w2


def test_rate_limits_hold_across_api_hosts_through_redis(cluster: Cluster) -> None:
    with api(cluster, "api1") as one, api(cluster, "api2") as other:
        email = f"rl-{secrets.token_hex(4)}@example.com"
        body = {"name": "R", "email": email, "password": PASSWORD}
        assert one.post("/api/auth/sign-up/email", json=body).status_code == 200
        one.cookies.clear()  # an API client: no browser cookie (which would need an Origin)
        statuses = []
        for n in range(6):
            client = (one, other)[n % 2]
            statuses.append(client.post("/api/auth/sign-in/email", json=body).status_code)
            client.cookies.clear()
        # 3 sign-ins per 10 s per client address, counted once for the whole cluster.
        assert statuses == [200, 200, 200, 429, 429, 429]
