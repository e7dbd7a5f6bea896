"""OAuth provider configuration and the at-rest cipher for provider tokens."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from raypx.auth import redact
from raypx.auth.oauth_providers import Providers
from raypx.auth.token_cipher import TokenCipher
from raypx.errors import ConfigurationError
from raypx.settings import Settings


def settings(tmp_path: Path, **values: object) -> Settings:
    return Settings(home=tmp_path, secret="s", **values)  # type: ignore[arg-type]


async def test_shortcuts_and_json_list_configure_providers(tmp_path: Path) -> None:
    corp = {
        "id": "corp",
        "client_id": "c",
        "client_secret": "s",
        "authorize_url": "https://sso.example/a",
        "token_url": "https://sso.example/t",
        "userinfo_url": "https://sso.example/u",
        "scopes": ["openid", "email"],
    }
    providers = Providers.from_settings(
        settings(
            tmp_path,
            github_client_id="gh",
            github_client_secret="gh-secret",
            google_client_id="go",
            google_client_secret="go-secret",
            oauth_providers=json.dumps([corp]),
        )
    )
    assert providers.ids() == ["github", "google", "corp"]
    google = await providers.get("google")
    assert google is not None and google.token_url == "https://oauth2.googleapis.com/token"
    found = await providers.get("corp")
    assert found is not None and found.scopes == ("openid", "email")
    assert await providers.get("gitlab") is None


@pytest.mark.parametrize(
    "raw",
    [
        "not json",
        '{"id": "x"}',
        '[{"id": "x", "client_id": "c"}]',
        '[{"id": "x", "client_id": "c", "client_secret": "s"}]',
    ],
)
def test_bad_provider_configuration_is_named(tmp_path: Path, raw: str) -> None:
    with pytest.raises(ConfigurationError, match="RAYPX_OAUTH_PROVIDERS"):
        Providers.from_settings(settings(tmp_path, oauth_providers=raw))


def test_cipher_round_trips_and_refuses_other_secret_or_row() -> None:
    cipher = TokenCipher("one secret")
    sealed = cipher.encrypt("gho_plaintext-token", "github:42")
    assert sealed is not None and sealed.startswith("v1.")
    assert "gho_plaintext-token" not in sealed
    assert cipher.encrypt("gho_plaintext-token", "github:42") != sealed  # fresh nonce
    assert cipher.decrypt(sealed, "github:42") == "gho_plaintext-token"
    assert cipher.decrypt(sealed, "github:43") is None
    assert TokenCipher("another secret").decrypt(sealed, "github:42") is None
    assert cipher.decrypt("gho_plaintext-token", "github:42") is None
    assert cipher.encrypt(None, "github:42") is None


def test_callback_codes_and_states_are_redacted_from_access_logs() -> None:
    line = "/api/auth/callback/github?code=abc123&state=XyZ789"
    assert redact.redact(line) == "/api/auth/callback/github?code=[redacted]&state=[redacted]"
