"""Which sign-in methods and Better Auth plugins are on, and their knobs (RAYPX_AUTH_*).

A switched-off method answers 404, exactly as a Better Auth server without that plugin does,
so a client that probes for a feature sees it missing rather than broken.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from raypx.settings import Settings


@dataclass(frozen=True)
class EmailVerificationPolicy:
    required: bool = False
    send_on_sign_up: bool = False
    send_on_sign_in: bool = False
    auto_sign_in: bool = False


@dataclass(frozen=True)
class AuthMethods:
    verification: EmailVerificationPolicy = field(default_factory=EmailVerificationPolicy)
    email_otp: bool = True
    otp_length: int = 6
    otp_lifetime: timedelta = timedelta(seconds=300)
    otp_allowed_attempts: int = 3
    otp_disable_sign_up: bool = False
    magic_link: bool = True
    magic_link_lifetime: timedelta = timedelta(seconds=300)
    magic_link_disable_sign_up: bool = False
    api_keys: bool = True
    two_factor: bool = True
    passkeys: bool = True
    api_key_prefix: str = "rpx_"
    api_key_rate_limit_max: int = 600
    api_key_rate_limit_window: timedelta = timedelta(seconds=60)

    @classmethod
    def from_settings(cls, settings: Settings) -> AuthMethods:
        required = settings.auth_require_email_verification
        send_on_sign_up = settings.auth_send_verification_on_sign_up
        return cls(
            verification=EmailVerificationPolicy(
                required=required,
                send_on_sign_up=required if send_on_sign_up is None else send_on_sign_up,
                send_on_sign_in=settings.auth_send_verification_on_sign_in,
                auto_sign_in=settings.auth_auto_sign_in_after_verification,
            ),
            email_otp=settings.auth_email_otp,
            otp_length=settings.auth_email_otp_length,
            otp_lifetime=timedelta(seconds=settings.auth_email_otp_expires_in),
            otp_allowed_attempts=settings.auth_email_otp_allowed_attempts,
            otp_disable_sign_up=settings.auth_email_otp_disable_sign_up,
            magic_link=settings.auth_magic_link,
            magic_link_lifetime=timedelta(seconds=settings.auth_magic_link_expires_in),
            magic_link_disable_sign_up=settings.auth_magic_link_disable_sign_up,
            api_keys=settings.auth_api_keys,
            two_factor=settings.auth_two_factor,
            passkeys=settings.auth_passkeys,
            api_key_prefix=settings.auth_api_key_prefix,
            api_key_rate_limit_max=settings.auth_api_key_rate_limit_max,
            api_key_rate_limit_window=timedelta(seconds=settings.auth_api_key_rate_limit_window),
        )
