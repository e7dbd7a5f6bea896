"""The web UI is served with a strict CSP, and only the files it ships."""

from __future__ import annotations

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


def test_the_page_loads_its_script_under_a_strict_csp(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert '<script src="/static/app.js" defer></script>' in page.text
    assert "<script>" not in page.text  # nothing inline: the CSP would block it
    assert page.headers["x-frame-options"] == "DENY"


def test_assets_are_served_with_their_types(client: TestClient) -> None:
    script = client.get("/static/app.js")
    assert script.headers["content-type"].startswith("text/javascript")
    assert "/api/auth/sign-in/email" in script.text
    assert "innerHTML" not in script.text  # user text only through textContent
    assert client.get("/static/app.css").headers["content-type"].startswith("text/css")


@pytest.mark.parametrize("name", ["../pages.py", "index.html.bak", "..%2F..%2Fsettings.py", "x.js"])
def test_nothing_else_is_served(client: TestClient, name: str) -> None:
    assert client.get(f"/static/{name}").status_code == 404
