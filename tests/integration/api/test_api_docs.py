"""`/api/docs` works offline: Swagger UI from installed files, under the strict CSP."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import URL

from raypx.api.app import create_app
from raypx.settings import Settings
from raypx.web.pages import CSP
from tests.fakes.asgi_server import serving

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def settings_for(database_url: URL, home: Path) -> Settings:
    return Settings(
        home=home, database_url=database_url.render_as_string(hide_password=False),
        worker_in_process=False,
    )  # fmt: skip


@pytest.fixture
def client(shared_database_url: URL, tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(settings_for(shared_database_url, tmp_path))) as test_client:
        yield test_client


def test_the_docs_page_references_only_same_origin_files_and_they_are_served(
    client: TestClient,
) -> None:
    page = client.get("/api/docs")
    assert page.status_code == 200
    assert page.headers["content-security-policy"] == CSP
    assert "<script>" not in page.text  # nothing inline: the CSP would block it
    references = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert references and all(r.startswith("/api/docs/assets/") for r in references), references
    for reference in references:
        asset = client.get(reference)
        assert asset.status_code == 200, reference
        assert len(asset.content) > 100
    bundle = client.get("/api/docs/assets/swagger-ui-bundle.js")
    assert bundle.headers["content-type"].startswith("text/javascript")
    assert "SwaggerUIBundle" in bundle.text
    assert "/api/openapi.json" in client.get("/api/docs/assets/docs.js").text
    assert client.get("/api/docs/assets/..%2Fpages.py").status_code == 404
    redoc = client.get("/redoc")  # ReDoc loaded its script from a CDN: gone (the app's page)
    assert "redoc" not in redoc.text.lower() and "cdn." not in redoc.text


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")
async def test_swagger_ui_renders_in_a_browser_with_no_other_origin(
    shared_database_url: URL, tmp_path: Path
) -> None:
    from playwright.async_api import async_playwright

    with serving(create_app(settings_for(shared_database_url, tmp_path))) as url:
        async with async_playwright() as driver:
            browser = await driver.chromium.launch(
                executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
            )
            page = await browser.new_page()
            problems: list[str] = []
            page.on("pageerror", lambda error: problems.append(str(error)))
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.on(
                "request",
                lambda r: None if r.url.startswith(url) else problems.append(f"fetched {r.url}"),
            )
            await page.goto(url + "/api/docs")
            # Operations rendered from the OpenAPI document: the UI really started.
            await page.wait_for_selector(
                '.opblock-summary-path:has-text("/api/runs")', timeout=20000
            )
            await browser.close()
    assert problems == []  # no CSP violation, nothing from a CDN
