"""Settings: DATABASE_URL parsing, the generated secret, clear configuration errors."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from raypx.errors import ConfigurationError
from raypx.settings import Settings, default_home, load_settings, parse_database_url


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "DATABASE_URL",
        "RAYPX_DATABASE_URL",
        "RAYPX_SECRET",
        "RAYPX_HOME",
        "RAYPX_BASE_URL",
        "RAYPX_PORT",
    ):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.parametrize(
    "raw",
    [
        "postgresql://app:pw@db.example.com:5433/raypx",
        "postgres://app@localhost/raypx",
        "postgresql+psycopg://app@localhost/raypx?sslmode=require",
        "postgresql://postgres@/raypx?host=/var/run/postgresql",
    ],
)
def test_any_libpq_url_becomes_a_psycopg_url(raw: str) -> None:
    url = parse_database_url(raw)
    assert url.drivername == "postgresql+psycopg"
    assert url.database == "raypx"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("mysql://root@localhost/app", "scheme 'mysql' is not PostgreSQL"),
        ("localhost:5432", "not a valid URL"),
        ("postgresql://app@localhost", "names no database"),
    ],
)
def test_malformed_database_url_is_a_clear_error(raw: str, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        parse_database_url(raw)


def test_load_settings_reports_a_bad_url_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DATABASE_URL", "sqlite:///raypx.db")
    with pytest.raises(ConfigurationError, match="scheme 'sqlite' is not PostgreSQL"):
        load_settings()


def test_load_settings_names_an_invalid_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAYPX_PORT", "eighty")
    with pytest.raises(ConfigurationError, match="invalid setting port"):
        load_settings()


def test_unset_database_url_means_embedded(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path)
    assert settings.uses_embedded_database
    assert not Settings(home=tmp_path, database_url="postgresql://h/db").uses_embedded_database


def test_secret_is_generated_once_private_and_stable(tmp_path: Path) -> None:
    home = tmp_path / "home"
    first = Settings(home=home).secret_value()
    second = Settings(home=home).secret_value()
    assert first == second and len(first) >= 48
    mode = stat.S_IMODE((home / "secret").stat().st_mode)
    assert mode == 0o600


def test_configured_secret_wins_and_is_never_printed(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path, secret="s3cret-value-from-env")
    assert settings.secret_value() == "s3cret-value-from-env"
    assert "s3cret-value-from-env" not in repr(settings)
    assert not (tmp_path / "secret").exists()


def test_base_url_must_be_http(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="base_url"):
        load_settings(home=tmp_path, base_url="ftp://example.com")
    assert Settings(home=tmp_path, base_url="https://app.example.com/").is_https


def test_root_data_lives_outside_root_home(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("os.geteuid", lambda: 0)
    assert default_home() == Path("/var/lib/raypx")
    monkeypatch.setattr("os.geteuid", lambda: 1000)
    assert default_home().name == "raypx" and default_home() != Path("/var/lib/raypx")


def test_unset_base_url_follows_host_and_port(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RAYPX_BASE_URL", raising=False)
    settings = Settings(port=18301)
    assert settings.base_url == "http://127.0.0.1:18301" and not settings.base_url_configured
    # A browser opened at localhost (or ::1) sends that origin; only this machine can.
    assert set(settings.loopback_origins) == {
        "http://127.0.0.1:18301",
        "http://localhost:18301",
        "http://[::1]:18301",
    }
    assert Settings(host="0.0.0.0", port=9000).base_url == "http://127.0.0.1:9000"
    assert Settings(host="10.1.2.3", port=9000).loopback_origins == []
    assert Settings(host="10.1.2.3", port=9000).base_url == "http://10.1.2.3:9000"


def test_a_configured_base_url_is_kept_exactly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAYPX_BASE_URL", "https://app.example.com")
    settings = Settings(port=18301)
    assert settings.base_url == "https://app.example.com" and settings.base_url_configured
    assert settings.loopback_origins == []
