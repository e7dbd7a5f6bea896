"""Passkeys (WebAuthn, Better Auth's @better-auth/passkey plugin), verified with the
`webauthn` library: register (signed in, with a fresh session), sign in, list, rename, delete.

Each ceremony's challenge lives in a `verification` row (`passkey:<sha256(token)>`, 5 minutes)
named by a signed `better-auth-passkey` cookie, and is consumed on the first answer. The
expected origin is one of the app's trusted origins, never whatever Origin a request claims.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Sequence
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import webauthn
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from webauthn.helpers import bytes_to_base64url
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorAttachment,
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from raypx.auth import sessions, tokens
from raypx.auth.config import FRESH_AGE, AuthConfig, RequestMeta
from raypx.auth.sessions import Authenticated, SignedIn
from raypx.db.models import Passkey, User, Verification
from raypx.errors import Forbidden, Invalid, NotFound, Unauthorized

COOKIE = "better-auth-passkey"
CHALLENGE_LIFETIME = timedelta(minutes=5)
RP_NAME = "Raypx"


def rp_id(cfg: AuthConfig) -> str:
    return urlsplit(cfg.base_url).hostname or "localhost"


def _identifier(token: str) -> str:
    return f"passkey:{tokens.digest(token)}"


def challenge_not_found() -> Invalid:
    return Invalid("Challenge not found", code="CHALLENGE_NOT_FOUND")


async def _start(
    db: AsyncSession, meta: RequestMeta, record: dict[str, Any], options: Any
) -> tuple[dict[str, Any], str]:
    token = tokens.generate_token()
    record["expectedChallenge"] = bytes_to_base64url(options.challenge)
    db.add(
        Verification(
            identifier=_identifier(token),
            value=json.dumps(record),
            expires_at=meta.now + CHALLENGE_LIFETIME,
        )
    )
    await db.flush()
    body: dict[str, Any] = json.loads(webauthn.options_to_json(options))
    return body, token


async def list_passkeys(db: AsyncSession, user_id: str) -> Sequence[Passkey]:
    result = await db.scalars(
        select(Passkey).where(Passkey.user_id == user_id).order_by(Passkey.created_at)
    )
    return result.all()


async def registration_options(
    db: AsyncSession,
    cfg: AuthConfig,
    meta: RequestMeta,
    auth: Authenticated,
    *,
    name: str | None,
    attachment: str | None,
) -> tuple[dict[str, Any], str]:
    """The options for `navigator.credentials.create`, and the challenge cookie's value."""
    if meta.now - auth.session.created_at > FRESH_AGE:
        raise Forbidden("Session is not fresh", code="SESSION_NOT_FRESH")
    existing = await list_passkeys(db, auth.user.id)
    selection = AuthenticatorSelectionCriteria(
        resident_key=ResidentKeyRequirement.PREFERRED,
        user_verification=UserVerificationRequirement.PREFERRED,
        authenticator_attachment=AuthenticatorAttachment(attachment) if attachment else None,
    )
    options = webauthn.generate_registration_options(
        rp_id=rp_id(cfg),
        rp_name=RP_NAME,
        user_name=name or auth.user.email,
        user_display_name=auth.user.email,
        authenticator_selection=selection,
        exclude_credentials=[
            PublicKeyCredentialDescriptor(id=webauthn.base64url_to_bytes(p.credential_id))
            for p in existing
        ],
    )
    record = {"type": "registration", "userId": auth.user.id}
    return await _start(db, meta, record, options)


async def _take(
    db: AsyncSession, meta: RequestMeta, token: str | None, kind: str
) -> dict[str, Any]:
    if not token:
        raise challenge_not_found()
    value = await db.scalar(
        delete(Verification)
        .where(Verification.identifier == _identifier(token), Verification.expires_at > meta.now)
        .returning(Verification.value)
    )
    record: dict[str, Any] | None = json.loads(value) if value else None
    if record is None or record.get("type") != kind:
        raise challenge_not_found()
    return record


async def verify_registration(
    db: AsyncSession,
    cfg: AuthConfig,
    meta: RequestMeta,
    auth: Authenticated,
    *,
    token: str | None,
    response: dict[str, Any],
    name: str | None,
) -> Passkey:
    record = await _take(db, meta, token, "registration")
    if record["userId"] != auth.user.id:
        raise Unauthorized(
            "You are not allowed to register this passkey",
            code="YOU_ARE_NOT_ALLOWED_TO_REGISTER_THIS_PASSKEY",
        )
    try:
        verified = webauthn.verify_registration_response(
            credential=response,
            expected_challenge=webauthn.base64url_to_bytes(record["expectedChallenge"]),
            expected_rp_id=rp_id(cfg),
            expected_origin=sorted(cfg.trusted),
        )
    except (WebAuthnException, ValueError, KeyError, TypeError):
        failed = "Failed to verify registration"
        raise Invalid(failed, code="FAILED_TO_VERIFY_REGISTRATION") from None
    credential_id = bytes_to_base64url(verified.credential_id)
    if await db.scalar(select(Passkey.id).where(Passkey.credential_id == credential_id)):
        raise Invalid("Previously registered", code="PREVIOUSLY_REGISTERED")
    transports = response.get("response", {}).get("transports") or []
    row = Passkey(
        name=name,
        public_key=base64.b64encode(verified.credential_public_key).decode(),
        user_id=auth.user.id,
        credential_id=credential_id,
        counter=verified.sign_count,
        device_type=verified.credential_device_type.value,
        backed_up=verified.credential_backed_up,
        transports=",".join(str(t) for t in transports),
        aaguid=verified.aaguid,
        created_at=meta.now,
        updated_at=meta.now,
    )
    db.add(row)
    await db.flush()
    return row


async def authentication_options(
    db: AsyncSession, cfg: AuthConfig, meta: RequestMeta, auth: Authenticated | None
) -> tuple[dict[str, Any], str]:
    """Signed in: the user's own credentials are offered; else any discoverable one."""
    allowed = await list_passkeys(db, auth.user.id) if auth else []
    options = webauthn.generate_authentication_options(
        rp_id=rp_id(cfg),
        user_verification=UserVerificationRequirement.PREFERRED,
        allow_credentials=[
            PublicKeyCredentialDescriptor(id=webauthn.base64url_to_bytes(p.credential_id))
            for p in allowed
        ]
        or None,
    )
    return await _start(db, meta, {"type": "authentication"}, options)


async def verify_authentication(
    db: AsyncSession,
    cfg: AuthConfig,
    meta: RequestMeta,
    *,
    token: str | None,
    response: dict[str, Any],
) -> SignedIn:
    record = await _take(db, meta, token, "authentication")
    row: Passkey | None = await db.scalar(
        select(Passkey).where(Passkey.credential_id == str(response.get("id", "")))
    )
    if row is None:
        raise Unauthorized("Passkey not found", code="PASSKEY_NOT_FOUND")
    try:
        verified = webauthn.verify_authentication_response(
            credential=response,
            expected_challenge=webauthn.base64url_to_bytes(record["expectedChallenge"]),
            expected_rp_id=rp_id(cfg),
            expected_origin=sorted(cfg.trusted),
            credential_public_key=base64.b64decode(row.public_key),
            credential_current_sign_count=row.counter,
        )
    except (WebAuthnException, ValueError, KeyError, TypeError):
        raise Unauthorized("Authentication failed", code="AUTHENTICATION_FAILED") from None
    row.counter = verified.new_sign_count
    row.updated_at = meta.now
    user = await db.get(User, row.user_id)
    assert user is not None  # the passkey cascades with its user
    return await sessions.create_session(db, cfg, user, meta)


async def own_passkey(db: AsyncSession, user_id: str, passkey_id: str) -> Passkey:
    try:
        row_id = uuid.UUID(passkey_id)
    except ValueError:
        raise NotFound("Passkey not found", code="PASSKEY_NOT_FOUND") from None
    row: Passkey | None = await db.scalar(
        select(Passkey).where(Passkey.id == row_id, Passkey.user_id == user_id)
    )
    if row is None:
        raise NotFound("Passkey not found", code="PASSKEY_NOT_FOUND")
    return row


async def rename(
    db: AsyncSession, meta: RequestMeta, user_id: str, passkey_id: str, name: str
) -> Passkey:
    row = await own_passkey(db, user_id, passkey_id)
    row.name = name
    row.updated_at = meta.now
    await db.flush()
    return row


async def remove(db: AsyncSession, user_id: str, passkey_id: str) -> None:
    row = await own_passkey(db, user_id, passkey_id)
    await db.execute(delete(Passkey).where(Passkey.id == row.id))
