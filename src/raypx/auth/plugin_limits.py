"""Rate-limit rules of Better Auth's plugins, which take precedence over the core rules in
`rate_limit` (as a plugin's `rateLimit` entries do in Better Auth).

Every endpoint that checks a secret a person could guess (a mailed code, a password, a
second factor) gets a tight window, so guessing is bounded per address on top of the
per-code attempt limit.
"""

from __future__ import annotations

from raypx.auth.rate_limit import Rule

# email-otp: 3 per 60 s on each of its paths.
EMAIL_OTP_PATHS = frozenset(
    {
        "/email-otp/send-verification-otp",
        "/email-otp/check-verification-otp",
        "/email-otp/verify-email",
        "/sign-in/email-otp",
        "/email-otp/request-password-reset",
        "/email-otp/reset-password",
        "/forget-password/email-otp",
    }
)
MAGIC_LINK_PREFIXES = ("/sign-in/magic-link", "/magic-link/verify")  # 5 per 60 s
TWO_FACTOR_PREFIX = "/two-factor/"  # 3 per 10 s
# Core 1.7 endpoints Raypx adds: a password oracle is held as tight as sign-in.
STRICT_PATHS = frozenset({"/verify-password"})


def rule_for(path: str) -> Rule | None:
    """The plugin rule for a path relative to /api/auth, or None for the core rules."""
    if path in EMAIL_OTP_PATHS:
        return Rule(60, 3)
    if path.startswith(MAGIC_LINK_PREFIXES):
        return Rule(60, 5)
    if path.startswith(TWO_FACTOR_PREFIX) or path in STRICT_PATHS:
        return Rule(10, 3)
    return None
