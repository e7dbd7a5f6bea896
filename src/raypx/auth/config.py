"""What auth needs from Settings, computed once per app, and what it needs from each request."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from raypx.auth import mail, origin
from raypx.auth.methods import AuthMethods
from raypx.auth.oauth_providers import Providers
from raypx.auth.passwords import Argon2Params
from raypx.auth.rate_limit import Network, parse_networks
from raypx.auth.token_cipher import TokenCipher
from raypx.settings import Settings

COOKIE_PREFIX = "better-auth."
DONT_REMEMBER_LIFETIME = timedelta(days=1)  # Better Auth's lifetime for rememberMe:false
FRESH_AGE = timedelta(days=1)  # delete-user without a password needs a session this young
MAIL_TOKEN_LIFETIME = timedelta(hours=1)


@dataclass(frozen=True)
class AuthConfig:
    base_url: str
    secret: str
    https: bool
    trusted: frozenset[str]
    trusted_proxies: tuple[Network, ...]
    expires_in: timedelta
    update_age: timedelta
    max_lifetime: timedelta
    argon2: Argon2Params
    max_failed_sign_ins: int
    max_failed_sign_ins_per_account: int
    failed_sign_in_window: int
    mailer: mail.Mailer = field(compare=False)
    oauth: Providers = field(compare=False)
    cipher: TokenCipher = field(compare=False)
    methods: AuthMethods = field(default_factory=AuthMethods)

    @classmethod
    def from_settings(cls, settings: Settings) -> AuthConfig:
        smtp = None
        if settings.smtp_host:
            smtp = mail.SmtpConfig(
                host=settings.smtp_host,
                port=settings.smtp_port,
                username=settings.smtp_username,
                password=(
                    settings.smtp_password.get_secret_value() if settings.smtp_password else None
                ),
                starttls=settings.smtp_starttls,
                sender=settings.mail_from,
            )
        return cls(
            base_url=settings.base_url,
            secret=settings.secret_value(),
            https=settings.is_https,
            trusted=origin.trusted_origins(
                settings.base_url, [*settings.trusted_origins, *settings.loopback_origins]
            ),
            trusted_proxies=parse_networks(settings.trusted_proxies),
            expires_in=timedelta(seconds=settings.session_expires_in),
            update_age=timedelta(seconds=settings.session_update_age),
            max_lifetime=timedelta(seconds=settings.session_max_lifetime),
            argon2=Argon2Params(
                memory_cost=settings.argon2_memory_cost,
                time_cost=settings.argon2_time_cost,
                parallelism=settings.argon2_parallelism,
            ),
            max_failed_sign_ins=settings.max_failed_sign_ins,
            max_failed_sign_ins_per_account=settings.max_failed_sign_ins_per_account,
            failed_sign_in_window=settings.failed_sign_in_window,
            mailer=mail.Mailer(settings.home / "outbox.jsonl", smtp),
            oauth=Providers.from_settings(settings),
            cipher=TokenCipher(settings.secret_value()),
            methods=AuthMethods.from_settings(settings),
        )

    @property
    def cookie_prefix(self) -> str:
        return f"__Secure-{COOKIE_PREFIX}" if self.https else COOKIE_PREFIX

    @property
    def session_cookie(self) -> str:
        return self.cookie_prefix + "session_token"


@dataclass(frozen=True)
class RequestMeta:
    """Who is asking, and when (the clock is injected so tests control expiry)."""

    now: datetime
    ip_address: str = ""
    user_agent: str = ""
