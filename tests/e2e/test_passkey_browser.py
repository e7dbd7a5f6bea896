"""Passkeys end to end: Better Auth's official `passkeyClient` (@better-auth/passkey 1.7.6,
bundled by esbuild) in headless Chromium with a virtual authenticator (CDP `WebAuthn`
domain), against a live Raypx server: register, sign out, sign in with the passkey, list,
rename, delete."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Route, async_playwright
from sqlalchemy.engine import URL

from raypx.api.app import create_app
from tests.e2e.test_auth_plugins_client import NODE_DIR, plugin_modules  # noqa: F401
from tests.fakes.asgi_server import free_port, serving
from tests.integration.conftest import api_settings

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed"),
]
ENTRY = """
import { createAuthClient } from "better-auth/client";
import { passkeyClient } from "@better-auth/passkey/client";
window.makeClient = (baseURL) => createAuthClient({ baseURL, plugins: [passkeyClient()] });
"""
FLOW = """
async () => {
  const client = window.makeClient(location.origin);
  const err = (e) => (e ? { status: e.status, code: e.code } : null);
  const out = {};
  const account = { name: "Pat", email: "pat@example.com", password: "password123" };
  let r = await client.signUp.email(account);
  out.signUp = err(r.error);
  r = await client.passkey.addPasskey({ name: "laptop" });
  out.add = { error: err(r.error), name: r.data?.name };
  r = await client.signOut();
  r = await client.getSession();
  out.signedOut = r.data;
  r = await client.signIn.passkey();
  out.signIn = { error: err(r.error), email: r.data?.user?.email };
  r = await client.getSession();
  out.session = r.data?.user?.email;
  r = await client.passkey.listUserPasskeys();
  out.list = r.data?.map((p) => p.name);
  const id = r.data?.[0]?.id;
  r = await client.passkey.updatePasskey({ id, name: "phone" });
  out.rename = r.data?.passkey?.name;
  r = await client.passkey.deletePasskey({ id });
  out.delete = r.data;
  r = await client.passkey.listUserPasskeys();
  out.after = r.data;
  return out;
}
"""


@pytest.fixture(scope="session")
def bundle(plugin_modules: Path) -> str:  # noqa: F811
    if not (NODE_DIR / "node_modules" / "@better-auth" / "passkey").exists():
        subprocess.run(
            ["npm", "install", "--no-audit", "--no-fund", "--loglevel=error",
             "--legacy-peer-deps", "@better-auth/passkey@1.7.6", "esbuild@0"],
            cwd=NODE_DIR, check=True, timeout=300,
        )  # fmt: skip
    entry = NODE_DIR / "passkey-entry.mjs"
    entry.write_text(ENTRY)
    out = NODE_DIR / "passkey-bundle.js"
    subprocess.run(
        [str(NODE_DIR / "node_modules" / ".bin" / "esbuild"), str(entry), "--bundle",
         "--format=iife", f"--outfile={out}", "--log-level=error"],
        cwd=NODE_DIR, check=True, timeout=120,
    )  # fmt: skip
    return out.read_text()


@pytest.fixture
def live_url(database_url: URL, tmp_path: Path) -> Iterator[str]:
    port = free_port()
    # WebAuthn refuses IP addresses as relying party ids: the app is served as localhost.
    base = f"http://localhost:{port}"
    settings = api_settings(database_url, tmp_path, base_url=base, worker_in_process=False)
    with serving(create_app(settings), port=port):
        yield base


async def test_official_passkey_client_with_a_virtual_authenticator(
    live_url: str, bundle: str
) -> None:
    page_html = '<!doctype html><script src="/__e2e/bundle.js"></script><p>passkeys</p>'

    async def fixture_files(route: Route) -> None:
        if route.request.url.endswith("/bundle.js"):
            await route.fulfill(body=bundle, content_type="text/javascript")
        else:
            await route.fulfill(body=page_html, content_type="text/html")

    async with async_playwright() as driver:
        browser = await driver.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        page = await browser.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        await page.route(f"{live_url}/__e2e/**", fixture_files)
        cdp = await page.context.new_cdp_session(page)
        await cdp.send("WebAuthn.enable")
        options = {
            "protocol": "ctap2",
            "transport": "internal",
            "hasResidentKey": True,
            "hasUserVerification": True,
            "isUserVerified": True,
            "automaticPresenceSimulation": True,
        }
        added = await cdp.send("WebAuthn.addVirtualAuthenticator", {"options": options})
        await page.goto(f"{live_url}/__e2e/index.html")
        out: dict[str, Any] = await page.evaluate(FLOW)
        stored = await cdp.send(
            "WebAuthn.getCredentials", {"authenticatorId": added["authenticatorId"]}
        )
        await browser.close()
    assert errors == []
    assert out["signUp"] is None
    assert out["add"] == {"error": None, "name": "laptop"}
    assert len(stored["credentials"]) == 1  # the key lives in the authenticator only
    assert out["signedOut"] is None
    assert out["signIn"] == {"error": None, "email": "pat@example.com"}
    assert out["session"] == "pat@example.com"
    assert out["list"] == ["laptop"]
    assert out["rename"] == "phone"
    assert out["delete"] == {"status": True}
    assert out["after"] == []
