"""The web app's files: index.html for every app route under a strict CSP, hashed assets cached
forever, nothing else served, and API paths never answered with the page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import URL

from raypx.api.app import create_app
from raypx.settings import Settings


@pytest.fixture
def client(shared_database_url: URL, tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(
        home=tmp_path, database_url=shared_database_url.render_as_string(hide_password=False),
        worker_in_process=False,
    )  # fmt: skip
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@pytest.mark.parametrize("path", ["/", "/en-US/sign-in", "/zh-CN/documents/abc?q=x", "/billing"])
def test_every_app_route_gets_the_page_under_a_strict_csp(client: TestClient, path: str) -> None:
    page = client.get(path)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert page.headers["cache-control"] == "no-cache"
    csp = page.headers["content-security-policy"]
    assert "script-src 'self';" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-eval" not in csp and "http" not in csp
    entry = r'<script type="module" crossorigin src="/assets/index-[\w-]+\.js">'
    assert re.search(entry, page.text)
    assert "<script>" not in page.text  # nothing inline: the CSP would block it
    assert page.headers["x-frame-options"] == "DENY"


def test_hashed_assets_are_immutable_and_typed(client: TestClient) -> None:
    page = client.get("/").text
    script = re.search(r'src="(/assets/[^"]+\.js)"', page)
    style = re.search(r'href="(/assets/[^"]+\.css)"', page)
    assert script and style
    js = client.get(script.group(1))
    assert js.headers["content-type"].startswith("text/javascript")
    assert js.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert "/api/auth" in js.text  # Better Auth's client is in the bundle
    assert client.get(style.group(1)).headers["content-type"].startswith("text/css")
    raw = client.get(script.group(1), headers={"accept-encoding": "identity"})
    assert "content-encoding" not in raw.headers and raw.content == js.content
    zipped = client.get(script.group(1), headers={"accept-encoding": "gzip, br"})
    assert zipped.headers["content-encoding"] == "gzip"
    assert int(zipped.headers["content-length"]) < len(raw.content) / 2
    assert client.get("/favicon.svg").headers["content-type"] == "image/svg+xml"


@pytest.mark.parametrize(
    "path",
    ["/assets/index.html", "/assets/%2e%2e%2fpages.py", "/assets/x.js",
     "/static/app.js", "/api/nope", "/api/documents/x/y/z", "/v1/chat", "/healthz/x",
     "/metrics/x", "/readyz/x"],
)  # fmt: skip
def test_api_and_unknown_files_are_json_404s_never_the_page(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json"
    assert "<html" not in response.text
