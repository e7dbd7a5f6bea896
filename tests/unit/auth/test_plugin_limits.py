"""Every endpoint the plugins add has a rate-limit rule; those checking a guessable secret a
tight one (as Better Auth's plugins declare them)."""

from __future__ import annotations

import pytest

from raypx.auth import plugin_limits, rate_limit
from raypx.auth.rate_limit import Rule

TIGHT = {
    "/email-otp/send-verification-otp": Rule(60, 3),
    "/email-otp/check-verification-otp": Rule(60, 3),
    "/email-otp/verify-email": Rule(60, 3),
    "/sign-in/email-otp": Rule(60, 3),
    "/email-otp/request-password-reset": Rule(60, 3),
    "/email-otp/reset-password": Rule(60, 3),
    "/forget-password/email-otp": Rule(60, 3),
    "/sign-in/magic-link": Rule(60, 5),
    "/magic-link/verify": Rule(60, 5),
    "/two-factor/enable": Rule(10, 3),
    "/two-factor/disable": Rule(10, 3),
    "/two-factor/get-totp-uri": Rule(10, 3),
    "/two-factor/generate-backup-codes": Rule(10, 3),
    "/two-factor/verify-totp": Rule(10, 3),
    "/two-factor/send-otp": Rule(10, 3),
    "/two-factor/verify-otp": Rule(10, 3),
    "/two-factor/verify-backup-code": Rule(10, 3),
    "/verify-password": Rule(10, 3),
}
DEFAULT = [
    "/ok",
    "/update-session",
    "/get-access-token",
    "/refresh-token",
    "/account-info",
    "/api-key/create",
    "/api-key/get",
    "/api-key/list",
    "/api-key/update",
    "/api-key/delete",
    "/passkey/generate-register-options",
    "/passkey/verify-registration",
    "/passkey/generate-authenticate-options",
    "/passkey/verify-authentication",
    "/passkey/list-user-passkeys",
    "/passkey/update-passkey",
    "/passkey/delete-passkey",
]


@pytest.mark.parametrize(("path", "rule"), sorted(TIGHT.items()))
def test_secret_checking_paths_are_held_tight(path: str, rule: Rule) -> None:
    assert plugin_limits.rule_for(path) == rule


@pytest.mark.parametrize("path", DEFAULT)
def test_other_new_paths_get_the_default_rule(path: str) -> None:
    found = plugin_limits.rule_for(path) or rate_limit.rule_for(path)
    assert found == rate_limit.DEFAULT_RULE
