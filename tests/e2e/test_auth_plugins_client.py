"""Better Auth's official client plugins (npm better-auth 1.7.25: emailOTPClient,
magicLinkClient, twoFactorClient; @better-auth/api-key 1.7.5: apiKeyClient) against a real
`raypx serve`, one flow per plugin with its error cases."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import URL

from tests.e2e.test_auth_client import free_port

pytestmark = pytest.mark.slow

HERE = Path(__file__).parent
NODE_DIR = Path(os.environ.get("RAYPX_TEST_NODE_PLUGINS_DIR", "/tmp/raypx-test-node-plugins"))
PACKAGES = ["better-auth@1.7.25", "@better-auth/api-key@1.7.5"]


@pytest.fixture(scope="session")
def plugin_modules() -> Path:
    if shutil.which("npm") is None or shutil.which("node") is None:
        pytest.skip("npm/node not installed: cannot run Better Auth's JS client")
    marker = NODE_DIR / "node_modules" / "@better-auth" / "api-key" / "package.json"
    if not marker.exists():
        NODE_DIR.mkdir(parents=True, exist_ok=True)
        (NODE_DIR / "package.json").write_text('{"name": "raypx-e2e-plugins", "private": true}\n')
        # The api-key plugin pins its better-auth peer exactly; 1.7.5 works with 1.7.25.
        subprocess.run(
            ["npm", "install", "--no-audit", "--no-fund", "--loglevel=error",
             "--legacy-peer-deps", *PACKAGES],
            cwd=NODE_DIR,
            check=True,
            timeout=300,
        )  # fmt: skip
    return NODE_DIR / "node_modules"


@pytest.fixture
def served(database_url: URL, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    home = tmp_path / "home"
    env = {
        **os.environ,
        "DATABASE_URL": database_url.render_as_string(hide_password=False),
        "RAYPX_HOME": str(home),
        "RAYPX_SECRET": "e2e-secret",
        "RAYPX_BASE_URL": base,
        "RAYPX_PORT": str(port),
        "RAYPX_ARGON2_MEMORY_COST": "1024",
        "RAYPX_ARGON2_TIME_COST": "1",
        # The script sends X-Forwarded-For per request, to get past per-address rate limits.
        "RAYPX_TRUSTED_PROXIES": "127.0.0.1",
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
        yield base, home / "outbox.jsonl"
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


def test_official_plugin_clients(
    plugin_modules: Path, served: tuple[str, Path], tmp_path: Path
) -> None:
    base, outbox = served
    script = tmp_path / "auth_plugins_client.mjs"
    shutil.copy(HERE / "auth_plugins_client.mjs", script)
    (tmp_path / "node_modules").symlink_to(plugin_modules)
    result = subprocess.run(
        ["node", str(script), base, str(outbox)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)

    # Email OTP
    assert out["sendOtp"] == {"error": None, "data": {"success": True}}
    assert out["otpWrong"]["error"]["code"] == "INVALID_OTP"
    assert out["otpWrong"]["error"]["status"] == 400
    assert out["otpSignIn"] == {"error": None, "email": "otp@example.com", "verified": True}
    assert out["otpSession"]["email"] == "otp@example.com"
    assert out["otpReused"]["error"]["code"] == "INVALID_OTP"
    assert out["otpAttempts"] == ["INVALID_OTP"] * 3
    assert out["otpTooMany"]["error"]["status"] == 403
    assert out["otpTooMany"]["error"]["code"] == "TOO_MANY_ATTEMPTS"
    assert out["resetRequest"]["data"] == {"success": True}
    assert out["reset"]["data"] == {"success": True}
    assert out["resetSignIn"] == {"error": None, "email": "reset@example.com"}
    assert out["verifyWrong"]["error"]["code"] == "INVALID_OTP"
    assert out["verifyEmail"] == {"error": None, "verified": True}
    # Two-factor
    assert out["tfEnableWrong"]["error"]["code"] == "INVALID_PASSWORD"
    assert out["tfEnable"] == {
        "error": None,
        "uri": "otpauth://totp/Raypx:tf@example.com",
        "codes": 10,
    }
    assert out["tfConfirm"] == {"error": None, "enabled": True}
    assert out["tfRedirect"]["data"]["twoFactorRedirect"] is True
    assert out["tfRedirect"]["data"]["twoFactorMethods"] == ["totp", "otp"]
    assert out["tfNoSessionYet"]["data"] is None
    assert out["tfWrong"]["error"]["status"] == 401
    assert out["tfWrong"]["error"]["code"] == "INVALID_CODE"
    assert out["tfTotp"] == {"error": None, "hasToken": True, "trusted": True}
    assert out["tfSession"] == {"twoFactorEnabled": True}  # read on the fast path
    assert out["tfTrusted"] == {"error": None, "redirect": False, "email": "tf@example.com"}
    assert out["tfBackup"] == {"error": None, "hasToken": True}
    assert out["tfBackupReused"]["error"]["code"] == "INVALID_BACKUP_CODE"
    assert out["tfSendOtp"]["data"] == {"status": True}
    assert out["tfOtp"] == {"error": None, "hasToken": True}
    assert out["tfDisable"]["data"] == {"status": True}
    assert out["tfAfterDisable"] == {"redirect": False, "email": "tf@example.com"}
    # Magic link
    assert out["magicSend"]["data"] == {"status": True}
    assert out["magicVerify"] == {"error": None, "email": "link@example.com", "hasToken": True}
    assert out["magicSession"] == {"email": "link@example.com", "name": "Linked"}
    assert out["magicReused"]["status"] == 302
    assert out["magicReused"]["location"].endswith("/?error=INVALID_TOKEN")
    # API keys
    assert out["keyCreate"]["error"] is None and out["keyCreate"]["prefix"] == "rpx_"
    assert out["keyUse"] == {"status": 200, "email": "reset@example.com"}
    assert out["keyList"] == {"error": None, "total": 1, "keys": [False]}
    assert out["keyUpdate"] == {"error": None, "name": "renamed", "enabled": False}
    assert out["keyDisabled"] == {"status": 401, "code": "KEY_DISABLED"}
    assert out["keyDelete"]["data"] == {"success": True}
    assert out["keyDeleted"] == {"status": 401, "code": "INVALID_API_KEY"}

    # No code, link token or key in the server's log.
    server_log = (tmp_path / "server.log").read_text()
    assert "POST /api/auth/sign-in/email-otp" in server_log
    mails = [json.loads(line) for line in outbox.read_text().splitlines()]
    for mail in mails:
        if mail["kind"].startswith(("email-otp", "two-factor")):
            assert mail["text"].split(": ")[1][:6] not in server_log
        if mail["url"]:
            assert mail["url"] not in server_log
    assert out["secrets"]["key"] not in server_log
