"""Better Auth's official JS client (npm `better-auth`) against a real `raypx serve` process."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import URL

pytestmark = pytest.mark.slow

HERE = Path(__file__).parent
NODE_DIR = Path(os.environ.get("RAYPX_TEST_NODE_DIR", "/tmp/raypx-test-node"))
BETTER_AUTH = "better-auth@1.7"


@pytest.fixture(scope="session")
def node_modules() -> Path:
    if shutil.which("npm") is None or shutil.which("node") is None:
        pytest.skip("npm/node not installed: cannot run Better Auth's JS client")
    if not (NODE_DIR / "node_modules" / "better-auth" / "package.json").exists():
        NODE_DIR.mkdir(parents=True, exist_ok=True)
        (NODE_DIR / "package.json").write_text('{"name": "raypx-e2e", "private": true}\n')
        subprocess.run(
            ["npm", "install", "--no-audit", "--no-fund", "--loglevel=error", BETTER_AUTH],
            cwd=NODE_DIR,
            check=True,
            timeout=300,
        )
    return NODE_DIR / "node_modules"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def server(database_url: URL, tmp_path: Path) -> Iterator[str]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url.render_as_string(hide_password=False),
        "RAYPX_HOME": str(tmp_path / "home"),
        "RAYPX_SECRET": "e2e-secret",
        "RAYPX_BASE_URL": base,
        "RAYPX_PORT": str(port),
        "RAYPX_ARGON2_MEMORY_COST": "1024",
        "RAYPX_ARGON2_TIME_COST": "1",
    }
    env.pop("REDIS_URL", None)
    log = (tmp_path / "server.log").open("w")
    raypx = Path(sys.executable).with_name("raypx")
    process = subprocess.Popen([str(raypx), "serve"], env=env, stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError((tmp_path / "server.log").read_text())
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


def test_better_auth_js_client_round_trip(node_modules: Path, server: str, tmp_path: Path) -> None:
    script = tmp_path / "auth_client.mjs"
    shutil.copy(HERE / "auth_client.mjs", script)
    (tmp_path / "node_modules").symlink_to(node_modules)
    result = subprocess.run(
        ["node", str(script), server, "e2e@example.com"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)

    assert out["signUp"]["error"] is None and out["signUp"]["email"] == "e2e@example.com"
    assert out["getSession"]["email"] == "e2e@example.com"
    assert out["getSession"]["token"] == out["signUp"]["token"]
    assert out["duplicate"]["error"]["status"] == 422
    assert out["duplicate"]["error"]["code"] == "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL"
    assert out["signOut"]["data"] == {"success": True} and out["signOut"]["cookies"] == []
    assert out["afterSignOut"]["data"] is None
    assert out["wrongPassword"]["error"]["status"] == 401
    assert out["wrongPassword"]["error"]["code"] == "INVALID_EMAIL_OR_PASSWORD"
    assert out["signIn"]["error"] is None and out["signIn"]["email"] == "e2e@example.com"
    assert out["changePassword"]["error"] is None
    new_token = out["changePassword"]["token"]
    assert new_token and new_token != out["signIn"]["token"]
    assert out["updateUser"]["data"] == {"status": True}
    assert out["renamed"]["name"] == "Renamed"
    assert out["listSessions"]["error"] is None
    assert out["listSessions"]["tokens"] == [new_token]  # the others were revoked
    assert out["sessionAfterChange"]["token"] == new_token
    assert out["finalSignOut"]["data"] == {"success": True}
    assert out["finalSession"]["data"] is None
    server_log = (tmp_path / "server.log").read_text()
    assert "POST /api/auth/sign-up/email" in server_log  # the access log is on
    for token in (out["signUp"]["token"], out["signIn"]["token"], new_token):
        assert token not in server_log
