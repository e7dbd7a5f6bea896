"""`account` rows of OAuth providers: found by (provider, provider's user id), saved with
their tokens encrypted (see `token_cipher`), read back decrypted, and unlinked."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from raypx.auth import service
from raypx.auth.config import AuthConfig
from raypx.auth.oauth_providers import Profile, ProviderTokens
from raypx.auth.sessions import Authenticated
from raypx.db.models import Account, User
from raypx.errors import Invalid


def _context(account: Account) -> str:
    # Bound into each ciphertext, so a token moved to another row no longer decrypts.
    return f"{account.provider_id}:{account.account_id}"


async def find_account(db: AsyncSession, provider_id: str, account_id: str) -> Account | None:
    account: Account | None = await db.scalar(
        select(Account).where(Account.provider_id == provider_id, Account.account_id == account_id)
    )
    return account


async def save_account(
    db: AsyncSession,
    cfg: AuthConfig,
    user: User,
    provider_id: str,
    profile: Profile,
    received: ProviderTokens,
    account: Account | None = None,
) -> Account:
    """Create the account, or refresh the tokens of an existing one."""
    if account is None:
        account = Account(provider_id=provider_id, account_id=profile.account_id, user_id=user.id)
        db.add(account)
    context = _context(account)
    account.access_token = cfg.cipher.encrypt(received.access_token, context)
    account.refresh_token = cfg.cipher.encrypt(received.refresh_token, context)
    account.id_token = cfg.cipher.encrypt(received.id_token, context)
    account.scope = received.scope
    await db.flush()
    return account


@dataclass(frozen=True)
class StoredTokens:
    access_token: str | None
    refresh_token: str | None
    id_token: str | None

    def __repr__(self) -> str:  # never print tokens, even in a traceback
        return "StoredTokens(<redacted>)"


def read_tokens(cfg: AuthConfig, account: Account) -> StoredTokens:
    """The provider tokens in clear, for calls to the provider's API on the user's behalf."""
    context = _context(account)
    return StoredTokens(
        access_token=cfg.cipher.decrypt(account.access_token, context),
        refresh_token=cfg.cipher.decrypt(account.refresh_token, context),
        id_token=cfg.cipher.decrypt(account.id_token, context),
    )


async def unlink_account(
    db: AsyncSession, auth: Authenticated, *, provider_id: str | None, account_id: str | None
) -> None:
    """By Better Auth 1.7's `{accountId}` (the row id list-accounts returns) or the older
    `{providerId, accountId?}` (the provider's user id). Refuses to remove the user's last
    account: they could never sign in again."""
    accounts = await service.list_accounts(db, auth.user.id)
    if provider_id is None:
        target = next((a for a in accounts if str(a.id) == account_id), None)
    else:
        target = next(
            (
                account
                for account in accounts
                if account.provider_id == provider_id and account_id in (None, account.account_id)
            ),
            None,
        )
    if target is None:
        raise Invalid("Account not found", code="ACCOUNT_NOT_FOUND")
    if len(accounts) <= 1:
        raise Invalid("You can't unlink your last account", code="FAILED_TO_UNLINK_LAST_ACCOUNT")
    await db.delete(target)
    await db.flush()
