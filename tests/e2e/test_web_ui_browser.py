"""The web UI in a real browser (headless Chromium): sign up, run a task, chat with a streamed
reply, upload a document and see its summary, read usage. Skipped only where no Chromium is
installed (`.ci/run` installs it)."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from playwright.async_api import Page, async_playwright
from sqlalchemy.engine import URL

from raypx.api.app import create_app
from tests.fakes.asgi_server import free_port, serving
from tests.integration.conftest import api_settings

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed"),
]


@pytest.fixture
def live_url(database_url: URL, tmp_path: Path) -> Iterator[str]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    settings = api_settings(database_url, tmp_path, base_url=base, worker_in_process=True)
    with serving(create_app(settings), port=port) as url:
        yield url


@pytest.fixture
async def page(live_url: str) -> AsyncIterator[Page]:
    async with async_playwright() as driver:
        browser = await driver.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run"],
        )  # fmt: skip
        tab = await browser.new_page()
        errors: list[str] = []
        tab.on("pageerror", lambda error: errors.append(str(error)))
        tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        await tab.goto(live_url + "/")
        yield tab
        await browser.close()
        assert errors == []


async def test_a_user_goes_through_the_product(page: Page) -> None:
    p = page
    await p.fill("#sign-up [name=name]", "Ada Lovelace")
    await p.fill("#sign-up [name=email]", "ada@example.com")
    await p.fill("#sign-up [name=password]", "correct horse battery")
    await p.click("#sign-up button")
    await p.wait_for_selector("#greeting:has-text('Hello, Ada Lovelace')")
    assert "Plan: free" in await p.inner_text("#plan")

    await p.click("nav [data-view=run]")
    await p.fill(
        "#run-form [name=input]",
        "The council approved a budget of $4.2 million on Tuesday. It funds three libraries.",
    )
    await p.click("#run-form button")
    await p.wait_for_selector("#run-result:has-text('The council approved')")

    await p.click("nav [data-view=chat]")
    await p.fill("#message-form [name=content]", "We ship on 2026-03-01. Is that realistic?")
    await p.click("#message-form button")
    await p.wait_for_selector(".message.assistant:has-text('You wrote')")

    await p.click("nav [data-view=documents]")
    await p.set_input_files(
        "#upload [name=file]",
        files=[{"name": "notes.txt", "mimeType": "text/plain",
                "buffer": b"Raypx keeps documents safe. Summaries come from a background job."}],
    )  # fmt: skip
    await p.click("#upload button")
    await p.wait_for_selector("#notice:has-text('Uploaded')")
    for _ in range(100):  # the list is re-read until processing ends (bounded)
        await p.click("nav [data-view=documents]")
        if await p.locator("#document-list td:has-text('processed')").count():
            break
        await p.wait_for_timeout(100)
    assert await p.locator("#document-list td:has-text('processed')").count() == 1

    await p.click("nav [data-view=usage]")
    await p.wait_for_selector("#usage-rows td:has-text('ai_requests')")
