"""Sign-in by mailed link (Better Auth's magic-link plugin).

The link carries 32 random letters; the `verification` row keeps only their SHA-256
(`identifier = "magic-link:<digest>"`) with the address, lives `magic_link_lifetime` and is
consumed by one atomic DELETE … RETURNING, so a link signs in once even when opened twice
at the same moment. Unknown addresses get an account on first use unless sign-up is off.
"""

from __future__ import annotations

import json
import secrets
import string
from dataclasses import dataclass
from urllib.parse import urlencode, urljoin

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from raypx.auth import mail, mailbox, origin, tokens
from raypx.auth.config import AuthConfig, RequestMeta
from raypx.auth.sessions import SignedIn
from raypx.db.models import Verification

LETTERS = string.ascii_letters
TOKEN_LENGTH = 32


def _identifier(token: str) -> str:
    return f"magic-link:{tokens.digest(token)}"


def check_urls(cfg: AuthConfig, *urls: str | None) -> None:
    for url in urls:
        origin.check_callback_url(url, cfg.trusted)


async def send_link(
    db: AsyncSession,
    cfg: AuthConfig,
    meta: RequestMeta,
    *,
    email: str,
    name: str | None,
    callback_url: str | None,
    new_user_callback_url: str | None,
    error_callback_url: str | None,
) -> mail.OutgoingMail:
    """Answered alike for known and unknown addresses: the link itself decides."""
    check_urls(cfg, callback_url, new_user_callback_url, error_callback_url)
    token = "".join(secrets.choice(LETTERS) for _ in range(TOKEN_LENGTH))
    db.add(
        Verification(
            identifier=_identifier(token),
            value=json.dumps({"email": email, "name": name}),
            expires_at=meta.now + cfg.methods.magic_link_lifetime,
        )
    )
    await db.flush()
    query = {"token": token, "callbackURL": callback_url or "/"}
    if new_user_callback_url:
        query["newUserCallbackURL"] = new_user_callback_url
    if error_callback_url:
        query["errorCallbackURL"] = error_callback_url
    url = f"{cfg.base_url}/api/auth/magic-link/verify?{urlencode(query)}"
    minutes = max(1, int(cfg.methods.magic_link_lifetime.total_seconds() // 60))
    text = (
        f"Open this link to sign in:\n\n{url}\n\nIt works once, within {minutes} minutes. "
        "If you did not ask for it, ignore this message.\n"
    )
    return mail.OutgoingMail("magic-link", email, "Your sign-in link", text, url)


@dataclass(frozen=True)
class Opened:
    signed: SignedIn | None
    redirect: str  # where the browser goes (the error URL with ?error= on failure)
    error: str | None = None


def _with_error(url: str, error: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}{urlencode({'error': error})}"


async def open_link(
    db: AsyncSession,
    cfg: AuthConfig,
    meta: RequestMeta,
    *,
    token: str,
    callback_url: str | None,
    new_user_callback_url: str | None,
    error_callback_url: str | None,
) -> Opened:
    check_urls(cfg, callback_url, new_user_callback_url, error_callback_url)
    base = cfg.base_url + "/"
    success = urljoin(base, callback_url or "/")
    failure = urljoin(base, error_callback_url or success)
    consumed = (
        await db.execute(
            delete(Verification)
            .where(
                Verification.identifier == _identifier(token), Verification.expires_at > meta.now
            )
            .returning(Verification.value)
        )
    ).scalar_one_or_none()
    if consumed is None:
        return Opened(None, _with_error(failure, "INVALID_TOKEN"), "INVALID_TOKEN")
    record = json.loads(consumed)
    done = await mailbox.sign_in_by_mailbox(
        db,
        cfg,
        meta,
        email=record["email"],
        name=record.get("name"),
        allow_sign_up=not cfg.methods.magic_link_disable_sign_up,
    )
    if done is None:
        error = "new_user_signup_disabled"
        return Opened(None, _with_error(failure, error), error)
    if done.is_new_user:
        return Opened(done.signed, urljoin(base, new_user_callback_url or success))
    return Opened(done.signed, success)
