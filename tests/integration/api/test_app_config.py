"""GET /api/config: what the sign-in page may show before anyone signs in (no secrets)."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.engine import URL

from raypx.api.app import create_app
from raypx.settings import Settings


def config(url: URL, home: Path, **values: object) -> dict[str, object]:
    settings = Settings(
        home=home, database_url=url.render_as_string(hide_password=False),
        worker_in_process=False, **values,
    )  # fmt: skip
    with TestClient(create_app(settings)) as client:
        response = client.get("/api/config")
        assert response.status_code == 200
        return dict(response.json())


def test_nothing_configured(shared_database_url: URL, tmp_path: Path) -> None:
    assert config(shared_database_url, tmp_path) == {
        "oauth_providers": [],
        "billing_enabled": False,
        "auth_methods": ALL_ON,
    }


ALL_ON = {
    "email_otp": True,
    "magic_link": True,
    "passkeys": True,
    "two_factor": True,
    "api_keys": True,
}


def test_switched_off_methods_are_not_offered(shared_database_url: URL, tmp_path: Path) -> None:
    body = config(shared_database_url, tmp_path, auth_email_otp=False, auth_passkeys=False)
    assert body["auth_methods"] == {**ALL_ON, "email_otp": False, "passkeys": False}


def test_configured_providers_and_billing_without_their_secrets(
    shared_database_url: URL, tmp_path: Path
) -> None:
    corp = {
        "id": "corp",
        "client_id": "c",
        "client_secret": "s3cret",
        "issuer": "https://sso.example",
    }
    body = config(
        shared_database_url, tmp_path,
        github_client_id="gh", github_client_secret="gh-s3cret",
        oauth_providers=json.dumps([corp]),
        stripe_secret_key="sk_test_x", stripe_price_pro="price_1",
    )  # fmt: skip
    assert body == {
        "oauth_providers": ["github", "corp"],
        "billing_enabled": True,
        "auth_methods": ALL_ON,
    }
    assert "s3cret" not in json.dumps(body)
