from pathlib import Path

import pytest

from raypx.auth import cookies, tokens
from raypx.auth.config import AuthConfig
from raypx.settings import Settings


def config(tmp_path: Path, base_url: str) -> AuthConfig:
    settings = Settings(home=tmp_path, secret="s3cret", base_url=base_url)  # type: ignore[arg-type]
    return AuthConfig.from_settings(settings)


def test_https_base_url_uses_secure_prefix_and_attribute(tmp_path: Path) -> None:
    cfg = config(tmp_path, "https://app.example.com")
    cookie = cookies.session_cookie(cfg, "tok", 604800)
    assert cookie.startswith("__Secure-better-auth.session_token=tok.")
    assert cookie.endswith("; Max-Age=604800; Path=/; HttpOnly; Secure; SameSite=Lax")
    assert all("; Secure;" in c for c in cookies.clearing_cookies(cfg))
    header = cookie.split(";")[0]
    found = cookies.read_credentials({"cookie": f"other=1; {header}"}, cfg)
    assert found is not None and found.token == "tok" and found.from_cookie
    # The unprefixed name is not read on https.
    plain = header.removeprefix("__Secure-")
    assert cookies.read_credentials({"cookie": plain}, cfg) is None


def test_http_cookies_and_bearer(tmp_path: Path) -> None:
    cfg = config(tmp_path, "http://127.0.0.1:8000")
    assert cookies.session_cookie(cfg, "tok", None) == (
        f"better-auth.session_token={tokens.encode_cookie_value(tokens.sign('tok', 's3cret'))}"
        "; Path=/; HttpOnly; SameSite=Lax"
    )
    bearer = cookies.read_credentials({"authorization": "Bearer tok"}, cfg)
    assert bearer is not None and bearer.token == "tok" and not bearer.from_cookie
    forged = cookies.read_credentials({"authorization": "Bearer tok.AAAA"}, cfg)
    assert forged is None
    assert cookies.read_credentials({"authorization": "Basic tok"}, cfg) is None


def test_list_settings_accept_commas(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("RAYPX_TRUSTED_ORIGINS", "https://a.example, https://b.example")
    monkeypatch.setenv("RAYPX_TRUSTED_PROXIES", "10.0.0.0/8")
    settings = Settings(home=tmp_path)
    assert settings.trusted_origins == ["https://a.example", "https://b.example"]
    assert settings.trusted_proxies == ["10.0.0.0/8"]
