"""Failed sign-ins slow down whoever is guessing, without locking the owner out.

Failures are counted per (account, source IP): after `max_failed_sign_ins` in a window that
source is refused for the rest of the window, so one address gets ten guesses per 15 minutes
(and the per-IP rate limit spaces them out). A stranger cannot lock the owner out this way:
the owner's own address has its own count.

A per-account ceiling (`max_failed_sign_ins_per_account`, high) bounds a distributed attack:
once that many failures hit one account in a window, every source that has already failed
for it must wait, so each further address gets one guess. A source with no failures, such as
the owner's, can still sign in with the right password.
"""

from __future__ import annotations

from raypx.auth import tokens
from raypx.auth.config import AuthConfig
from raypx.auth.rate_limit import Limiter, Rule
from raypx.errors import RaypxError

PREFIX = "sign-in-failures|"


class AccountLocked(RaypxError):
    """Too many failed sign-ins; `retry_after` seconds until the next try from this source."""

    status_code = 429
    default_code = "TOO_MANY_FAILED_SIGN_INS"

    def __init__(self, retry_after: int) -> None:
        super().__init__("Too many failed sign-in attempts. Please try again later.")
        self.retry_after = retry_after


def account_key(email: str) -> str:
    """`email` already normalized. Digests keep addresses out of Redis."""
    return PREFIX + tokens.digest(email)


def source_key(email: str, ip: str) -> str:
    return f"{account_key(email)}|{tokens.digest(ip)}"


async def check(limiter: Limiter, cfg: AuthConfig, email: str, ip: str) -> None:
    """Raise AccountLocked before any password is verified, when this source must wait."""
    source = await limiter.peek(source_key(email, ip))
    if source.value >= cfg.max_failed_sign_ins:
        raise AccountLocked(source.retry_after)
    if source.value == 0:
        return  # a source that has not failed here is never refused for others' failures
    account = await limiter.peek(account_key(email))
    if account.value >= cfg.max_failed_sign_ins_per_account:
        raise AccountLocked(min(account.retry_after, source.retry_after))


async def record_failure(limiter: Limiter, cfg: AuthConfig, email: str, ip: str) -> None:
    window = cfg.failed_sign_in_window
    await limiter.hit(source_key(email, ip), Rule(window, cfg.max_failed_sign_ins))
    await limiter.hit(account_key(email), Rule(window, cfg.max_failed_sign_ins_per_account))


async def record_success(limiter: Limiter, email: str, ip: str) -> None:
    # Only this source is forgiven: the account's count still bounds attackers elsewhere.
    await limiter.reset(source_key(email, ip))
