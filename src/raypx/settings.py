"""The one Settings class. Built in each entry point and passed down; nothing connects at import.

Environment variables: `DATABASE_URL` (no prefix, as every PaaS names it) and `RAYPX_*` for the
rest. `RAYPX_SECRET` signs session cookies; when unset it is generated once and stored in
`RAYPX_HOME/secret` (mode 0600). Several machines serving one database must share one secret, so
set `RAYPX_SECRET` explicitly there.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Annotated, Literal

import platformdirs
from pydantic import (
    AliasChoices,
    Field,
    PrivateAttr,
    SecretStr,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from raypx.errors import ConfigurationError

LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")
WILDCARD_HOSTS = ("0.0.0.0", "::", "")
POSTGRES_SCHEMES = {"postgres", "postgresql", "postgresql+psycopg", "postgresql+psycopg2"}


def default_home() -> Path:
    # pgserver, when run as root, loosens permissions on every directory above its data dir;
    # a root install therefore lives under /var/lib rather than opening up /root.
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        return Path("/var/lib/raypx")
    return Path(platformdirs.user_data_dir("raypx", appauthor=False))


def parse_database_url(raw: str) -> URL:
    """Turn any libpq-style URL into the SQLAlchemy URL for psycopg 3, or say what is wrong."""
    hint = "expected postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE"
    try:
        url = make_url(raw.strip())
    except ArgumentError:
        raise ConfigurationError(f"DATABASE_URL is not a valid URL ({hint})") from None
    if url.drivername not in POSTGRES_SCHEMES:
        raise ConfigurationError(
            f"DATABASE_URL scheme {url.drivername!r} is not PostgreSQL ({hint})"
        )
    if not url.database:
        raise ConfigurationError(f"DATABASE_URL names no database ({hint})")
    return url.set(drivername="postgresql+psycopg")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RAYPX_", extra="ignore")

    database_url: str | None = Field(
        default=None, validation_alias=AliasChoices("DATABASE_URL", "RAYPX_DATABASE_URL")
    )
    home: Path = Field(default_factory=default_home)
    secret: SecretStr | None = None
    base_url: str = "http://127.0.0.1:8000"  # unset: derived from host and port (see below)
    _base_url_derived: bool = PrivateAttr(default=False)
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    log_json: bool = False  # one JSON object per line, for log collectors
    # OpenTelemetry traces go here over OTLP/HTTP when set (needs the `otel` extra).
    otlp_endpoint: str | None = Field(
        default=None,
        validation_alias=AliasChoices("RAYPX_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT"),
    )
    serve_workers: int = Field(default=1, ge=1)  # HTTP processes of `raypx serve`
    shutdown_timeout: float = Field(default=30.0, ge=0)  # open requests and in-process jobs
    migrate_on_start: bool = True
    # Every request body but a document upload (which has the plan's file size limit).
    max_body_bytes: int = Field(default=1 << 20, ge=1024)
    # Connection pool per process; the worker adds its own listener connection.
    db_pool_size: int = Field(default=10, ge=1)
    db_max_overflow: int = Field(default=10, ge=0)
    # Longest wait for a free pooled connection before answering 503 (pool exhausted).
    db_pool_timeout: float = Field(default=2.0, gt=0)
    # Job queue
    worker_in_process: bool | None = None  # None: on with the embedded database, off otherwise
    worker_concurrency: int = Field(default=8, ge=1)
    job_lease_seconds: float = Field(default=30.0, gt=0)
    job_poll_interval: float = Field(default=1.0, gt=0)
    job_retention_days: float = Field(default=7.0, gt=0)
    # `raypx worker` serves its Prometheus figures (jobs by type) on this port when set.
    worker_metrics_port: int | None = Field(default=None, ge=1, le=65535)
    # AI. Any OpenAI-compatible Chat Completions server (OpenAI, Ollama, vLLM, LM Studio).
    openai_base_url: str = "https://api.openai.com/v1"
    openai_api_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("OPENAI_API_KEY", "RAYPX_OPENAI_API_KEY")
    )
    ai_timeout_seconds: float = Field(default=60.0, gt=0)
    ai_max_retries: int = Field(default=2, ge=0, le=10)
    # JSON list of extra models: [{"name": "openai:llama3", "context_window": 8192, ...}]
    ai_extra_models: str | None = None
    # The fault-injecting `fake:*` models, for tests and demos; off in production.
    ai_enable_fake: bool = False
    # Search and Ask. The model that embeds document chunks for vector search (None: full-text
    # search only), extra embedding models (JSON, like ai_extra_models plus "dimensions"), and
    # how many passages an Ask question retrieves.
    embedding_model: str | None = None
    embedding_extra_models: str | None = None
    # Billing. JSON overrides of plan limits: {"free": {"ai_tokens": 50000}, "pro": {...}}
    plan_limits: str | None = None
    past_due_grace_days: float = Field(default=7.0, ge=0)
    # Documents. Files live under RAYPX_HOME/storage unless an S3-compatible bucket is set.
    storage_backend: Literal["local", "s3"] = "local"
    storage_path: Path | None = None  # local backend; default RAYPX_HOME/storage
    s3_bucket: str | None = None
    s3_endpoint_url: str | None = None  # MinIO, R2…; unset for AWS S3
    s3_region: str | None = None
    s3_access_key_id: SecretStr | None = None  # unset: boto3's usual credential chain
    s3_secret_access_key: SecretStr | None = None
    summarize_on_upload: bool = True
    # Stripe (optional): checkout and portal links, and the signed webhook.
    stripe_secret_key: SecretStr | None = None
    stripe_webhook_secret: SecretStr | None = None
    stripe_price_pro: str | None = None
    stripe_api_base: str | None = None  # another Stripe-compatible endpoint (tests, proxies)
    # Auth. Lists accept comma-separated values (RAYPX_TRUSTED_ORIGINS=https://a.example,...).
    trusted_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    trusted_proxies: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # Operators: these addresses see the admin screens and may call /api/admin/* (comma list).
    admin_emails: Annotated[list[str], NoDecode] = Field(default_factory=list)
    redis_url: str | None = Field(
        default=None, validation_alias=AliasChoices("REDIS_URL", "RAYPX_REDIS_URL")
    )
    session_expires_in: int = Field(default=7 * 86400, ge=60)  # sliding lifetime, seconds
    session_update_age: int = Field(default=86400, ge=0)  # refresh at most this often
    session_max_lifetime: int = Field(default=30 * 86400, ge=60)  # absolute cap
    argon2_memory_cost: int = Field(default=19456, ge=8)  # KiB (OWASP)
    argon2_time_cost: int = Field(default=2, ge=1)
    argon2_parallelism: int = Field(default=1, ge=1)
    max_failed_sign_ins: int = Field(default=10, ge=1)  # per account and source IP, per window
    max_failed_sign_ins_per_account: int = Field(default=100, ge=1)  # from all sources
    failed_sign_in_window: int = Field(default=900, ge=1)  # seconds
    smtp_host: str | None = None
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = True
    mail_from: str = "Raypx <no-reply@localhost>"
    # Sign-in methods and Better Auth's plugins (all on: mail falls back to the outbox).
    auth_require_email_verification: bool = False  # no session until the address is verified
    auth_send_verification_on_sign_up: bool | None = None  # None: as require_email_verification
    auth_send_verification_on_sign_in: bool = False  # re-send when an unverified user signs in
    auth_auto_sign_in_after_verification: bool = False
    auth_email_otp: bool = True
    auth_email_otp_length: int = Field(default=6, ge=4, le=12)
    auth_email_otp_expires_in: int = Field(default=300, ge=30)  # seconds
    auth_email_otp_allowed_attempts: int = Field(default=3, ge=1, le=20)
    auth_email_otp_disable_sign_up: bool = False  # sign-in by code creates unknown users
    auth_magic_link: bool = True
    auth_magic_link_expires_in: int = Field(default=300, ge=30)  # seconds
    auth_magic_link_disable_sign_up: bool = False
    auth_api_keys: bool = True
    auth_two_factor: bool = True
    auth_passkeys: bool = True
    auth_api_key_prefix: str = Field(default="rpx_", pattern=r"^[A-Za-z0-9_-]{0,32}$")
    auth_api_key_rate_limit_max: int = Field(default=600, ge=1)  # requests per key per window
    auth_api_key_rate_limit_window: int = Field(default=60, ge=1)  # seconds
    # OAuth sign-in. JSON list of OIDC/OAuth 2 providers: [{"id": "corp", "client_id": "...",
    # "client_secret": "...", "issuer": "https://sso.example"}] (or authorize_url, token_url,
    # userinfo_url instead of issuer; optional "scopes": [...]). GitHub and Google by shortcut.
    oauth_providers: str | None = None
    github_client_id: str | None = None
    github_client_secret: SecretStr | None = None
    google_client_id: str | None = None
    google_client_secret: SecretStr | None = None

    @field_validator("database_url")
    @classmethod
    def _validate_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        parse_database_url(value)  # raises a ConfigurationError naming the problem
        return value.strip()

    @field_validator("trusted_origins", "trusted_proxies", "admin_emails", mode="before")
    @classmethod
    def _split_list(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("base_url")
    @classmethod
    def _validate_base_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("RAYPX_BASE_URL must start with http:// or https://")
        return value.rstrip("/")

    @model_validator(mode="after")
    def _derive_base_url(self) -> Settings:
        """Unset RAYPX_BASE_URL: the address we listen on, so `--port 18301` signs in."""
        if "base_url" not in self.model_fields_set:
            self._base_url_derived = True
            host = "127.0.0.1" if self.host in WILDCARD_HOSTS else self.host
            host = f"[{host}]" if ":" in host and not host.startswith("[") else host
            self.base_url = f"http://{host}:{self.port}"
        return self

    @property
    def base_url_configured(self) -> bool:
        return not self._base_url_derived

    @property
    def loopback_origins(self) -> list[str]:
        """Trusted besides the base URL when it is derived and we listen on loopback: a browser
        opened at localhost (or ::1) sends that origin, and only this machine can send it."""
        host = self.base_url.split("//", 1)[1].rsplit(":", 1)[0]
        if self.base_url_configured or host not in LOOPBACK_NAMES:
            return []
        return [f"http://{name}:{self.port}" for name in LOOPBACK_NAMES]

    @property
    def uses_embedded_database(self) -> bool:
        return self.database_url is None

    @property
    def is_https(self) -> bool:
        return self.base_url.startswith("https://")

    def secret_value(self) -> str:
        """The signing secret: configured, or generated once and kept under `home`."""
        if self.secret is not None:
            return self.secret.get_secret_value()
        path = self.home / "secret"
        if not path.exists():
            self.home.mkdir(parents=True, exist_ok=True)
            # O_EXCL: two processes starting together must not each write a different secret.
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                pass
            else:
                with os.fdopen(fd, "w") as handle:
                    handle.write(secrets.token_urlsafe(48))
        value = path.read_text().strip()
        if not value:
            raise ConfigurationError(f"{path} is empty; delete it or set RAYPX_SECRET")
        return value


def load_settings(**overrides: object) -> Settings:
    """Build Settings from the environment, turning validation errors into one clear line."""
    from pydantic import ValidationError

    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        cause = first.get("ctx", {}).get("error")
        if isinstance(cause, ConfigurationError):
            raise cause from None
        where = ".".join(str(part) for part in first["loc"]) or "settings"
        raise ConfigurationError(f"invalid setting {where}: {first['msg']}") from None
