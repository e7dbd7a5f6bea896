"""Harness for the web app's browser tests: one real `raypx serve` (with its in-process worker)
and one headless system Chromium per test module; a fresh browser context per test."""

from __future__ import annotations

import itertools
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from playwright.async_api import Browser, BrowserContext, Page
from sqlalchemy.engine import URL

from tests.fakes.asgi_server import free_port

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip
AXE = Path(__file__).parents[2] / "web" / "node_modules" / "axe-core" / "axe.min.js"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
PASSWORD = "correct horse battery"
ADDRESSES = itertools.count(1)


ADMIN_EMAIL = "ops@example.com"
OAUTH_PROVIDER = {
    "id": "corp", "client_id": "raypx", "client_secret": "unused",
    "authorize_url": "http://127.0.0.1:9/authorize", "token_url": "http://127.0.0.1:9/token",
    "userinfo_url": "http://127.0.0.1:9/userinfo",
}  # fmt: skip


@dataclass
class Live:
    url: str
    home: Path
    env: dict[str, str]

    def raypx(self, *args: str) -> str:
        """Run a `raypx` command against the same database, as an operator would."""
        raypx = Path(sys.executable).with_name("raypx")
        done = subprocess.run(
            [str(raypx), *args], env=self.env, capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    def mails(self) -> list[dict[str, Any]]:
        outbox = self.home / "outbox.jsonl"
        if not outbox.exists():
            return []
        return [json.loads(line) for line in outbox.read_text().splitlines() if line.strip()]

    def wait_for_mail(self, kind: str, to: str) -> str:
        """The link of the newest `kind` mail to `to` (the server writes it after answering)."""
        return str(self.wait_for_message(kind, to)["url"])

    def wait_for_code(self, kind: str, to: str, after: int = 0) -> str:
        """The one-time code in the newest `kind` mail to `to`, among mails past index `after`."""
        text = str(self.wait_for_message(kind, to, after)["text"])
        found = re.search(r": (\w+)\n", text)
        assert found, text
        return found.group(1)

    def wait_for_message(self, kind: str, to: str, after: int = 0) -> dict[str, Any]:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            found = [m for m in self.mails()[after:] if m["kind"] == kind and m["to"] == to]
            if found:
                return found[-1]
            time.sleep(0.05)
        raise AssertionError(f"no {kind} mail to {to}")


def start_server(database_url: URL, home: Path) -> Iterator[Live]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url.render_as_string(hide_password=False),
        "RAYPX_HOME": str(home),
        "RAYPX_SECRET": "e2e-secret",
        "RAYPX_BASE_URL": base,
        "RAYPX_PORT": str(port),
        "RAYPX_WORKER_IN_PROCESS": "true",
        "RAYPX_JOB_POLL_INTERVAL": "0.2",
        "RAYPX_ARGON2_MEMORY_COST": "1024",
        "RAYPX_ARGON2_TIME_COST": "1",
        "RAYPX_LOG_LEVEL": "warning",
        "RAYPX_AI_ENABLE_FAKE": "true",  # fake:slow, fake:fail, fake:echo for the chat journeys
        # Each browser context claims its own client address (below), as users behind a proxy
        # would, so the per-IP sign-up limit (3 per 10 s) applies per simulated person.
        "RAYPX_TRUSTED_PROXIES": "127.0.0.1/32",
        "RAYPX_ADMIN_EMAILS": ADMIN_EMAIL,
        # A configured provider, so the sign-in and linked-accounts screens show its button;
        # nothing listens there and no test follows the button.
        "RAYPX_OAUTH_PROVIDERS": json.dumps([OAUTH_PROVIDER]),
    }
    env.pop("REDIS_URL", None)
    home.mkdir(parents=True, exist_ok=True)
    log = (home / "server.log").open("w")
    raypx = Path(sys.executable).with_name("raypx")
    process = subprocess.Popen([str(raypx), "serve"], env=env, stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError((home / "server.log").read_text())
            time.sleep(0.1)
        yield Live(base, home, env)
    finally:
        process.terminate()
        process.wait(timeout=45)  # shutdown lets unfinished chat replies drain (30 s at most)
        log.close()


@dataclass
class Tab:
    """A page plus what went wrong in it: console errors and uncaught exceptions."""

    page: Page
    context: BrowserContext
    base: str
    errors: list[str] = field(default_factory=list)
    # Failed loads a journey provokes on purpose (a refused upload answers 4xx), by substring.
    expected: list[str] = field(default_factory=lambda: ["status of 401"])

    async def goto(self, path: str) -> None:
        await self.page.goto(self.base + path)

    async def axe(self) -> list[str]:
        """Serious and critical axe-core violations on the page as it is now."""
        if not AXE.exists():
            return []  # no `npm ci` in web/: the CI run always has it
        if not await self.page.evaluate("typeof window.axe === 'object'"):
            await self.page.evaluate(AXE.read_text())  # through CDP: the CSP does not apply
        result = await self.page.evaluate(
            "axe.run(document, {resultTypes: ['violations']}).then(r => r.violations"
            ".filter(v => v.impact === 'serious' || v.impact === 'critical')"
            ".map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', ')))"
        )
        return list(result)

    async def scrolls_sideways(self) -> bool:
        width = await self.page.evaluate("document.documentElement.scrollWidth")
        return bool(width > await self.page.evaluate("window.innerWidth"))


async def open_tab(
    browser: Browser, base: str, viewport: dict[str, int], locale: str = "en-US"
) -> Tab:
    address = f"203.0.113.{next(ADDRESSES)}"  # TEST-NET-3: a header value, never contacted
    context = await browser.new_context(
        viewport=viewport,
        locale=locale,
        accept_downloads=True,
        extra_http_headers={"x-forwarded-for": address},
    )
    page = await context.new_page()
    tab = Tab(page, context, base)

    def on_console(message: Any) -> None:
        # An expired session answers 401 by design; the app handles it (back to sign-in).
        if message.type == "error" and not any(e in message.text for e in tab.expected):
            tab.errors.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: tab.errors.append(str(error)))
    return tab
