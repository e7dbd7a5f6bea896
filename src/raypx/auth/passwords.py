"""Password hashing: argon2id for new hashes; Better Auth's scrypt hashes verified and upgraded.

Hashing is CPU-bound (tens of milliseconds by design), so the async helpers run it in a thread
and the event loop keeps serving other requests meanwhile.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import re
import secrets
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

from raypx.errors import Invalid

MIN_LENGTH = 8
MAX_LENGTH = 128
# Better Auth: "<32 hex salt>:<128 hex key>", scrypt N=16384 r=16 p=1 dkLen=64.
SCRYPT_HASH = re.compile(r"^([0-9a-f]{32}):([0-9a-f]{128})$")
SCRYPT_N, SCRYPT_R, SCRYPT_P, SCRYPT_DKLEN = 16384, 16, 1, 64


@dataclass(frozen=True)
class Argon2Params:
    memory_cost: int = 19456  # KiB, OWASP's recommendation for argon2id
    time_cost: int = 2
    parallelism: int = 1


@dataclass(frozen=True)
class Verified:
    ok: bool
    needs_rehash: bool = False


def normalize(password: str) -> str:
    return unicodedata.normalize("NFKC", password)


def check_length(password: str) -> None:
    """Raise Better Auth's PASSWORD_TOO_SHORT / PASSWORD_TOO_LONG for a new password."""
    size = len(normalize(password))
    if size < MIN_LENGTH:
        raise Invalid("Password too short", code="PASSWORD_TOO_SHORT")
    if size > MAX_LENGTH:
        raise Invalid("Password too long", code="PASSWORD_TOO_LONG")


@lru_cache(maxsize=8)
def _hasher(params: Argon2Params) -> PasswordHasher:
    return PasswordHasher(
        time_cost=params.time_cost,
        memory_cost=params.memory_cost,
        parallelism=params.parallelism,
        hash_len=32,
        salt_len=16,
        type=Type.ID,
    )


def hash_password(password: str, params: Argon2Params) -> str:
    return _hasher(params).hash(normalize(password))


def scrypt_hash(password: str, salt_hex: str | None = None) -> str:
    """Better Auth's format, byte for byte (used to verify imports and in tests)."""
    salt = salt_hex or secrets.token_hex(16)
    key = hashlib.scrypt(
        normalize(password).encode(),
        salt=salt.encode("ascii"),  # Better Auth feeds the hex string, not the decoded bytes
        n=SCRYPT_N,
        r=SCRYPT_R,
        p=SCRYPT_P,
        dklen=SCRYPT_DKLEN,
        maxmem=64 * 2**20,
    )
    return f"{salt}:{key.hex()}"


def verify_password(stored: str, password: str, params: Argon2Params) -> Verified:
    """Check `password` against an argon2 or Better Auth scrypt hash.

    `needs_rehash` is true for scrypt hashes and for argon2 hashes made with other parameters.
    """
    match = SCRYPT_HASH.match(stored)
    if match is not None:
        expected = scrypt_hash(password, match.group(1))
        return Verified(hmac.compare_digest(expected, stored), needs_rehash=True)
    hasher = _hasher(params)
    try:
        hasher.verify(stored, normalize(password))
    except (VerificationError, InvalidHashError):
        return Verified(False)
    return Verified(True, needs_rehash=hasher.check_needs_rehash(stored))


@lru_cache(maxsize=8)
def _dummy_hash(params: Argon2Params) -> str:
    return hash_password(secrets.token_urlsafe(16), params)


def burn_verification(password: str, params: Argon2Params) -> None:
    """Spend the time a real verification takes, so unknown emails answer no faster."""
    verify_password(_dummy_hash(params), password, params)


async def hash_password_async(password: str, params: Argon2Params) -> str:
    return await asyncio.to_thread(hash_password, password, params)


async def verify_password_async(stored: str, password: str, params: Argon2Params) -> Verified:
    return await asyncio.to_thread(verify_password, stored, password, params)


async def burn_verification_async(password: str, params: Argon2Params) -> None:
    await asyncio.to_thread(burn_verification, password, params)
