"""Better Auth's email-verification options around sign-up, sign-in and verify-email:
`requireEmailVerification`, `sendOnSignUp`, `sendOnSignIn`, `autoSignInAfterVerification`
(RAYPX_AUTH_* settings, see `methods`)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from raypx.auth import mail, origin, service, sessions, tokens, verification
from raypx.auth.config import AuthConfig, RequestMeta
from raypx.auth.sessions import SignedIn
from raypx.db.models import User


@dataclass(frozen=True)
class SignUpOutcome:
    user: User
    signed: SignedIn | None  # None when verification is required first
    mail: mail.OutgoingMail | None


def _look_alike(name: str, email: str, image: str | None, meta: RequestMeta) -> User:
    """What a fresh sign-up would answer, for an address that is already taken: with
    verification required, sign-up must not reveal who is registered (Better Auth alike)."""
    return User(
        id=tokens.generate_id(),
        name=name,
        email=service.normalize_email(email),
        email_verified=False,
        image=image,
        created_at=meta.now,
        updated_at=meta.now,
    )


async def sign_up_email(
    db: AsyncSession,
    cfg: AuthConfig,
    meta: RequestMeta,
    *,
    name: str,
    email: str,
    password: str,
    image: str | None,
    callback_url: str | None,
    remember_me: bool,
) -> SignUpOutcome:
    policy = cfg.methods.verification
    origin.check_callback_url(callback_url, cfg.trusted)
    signed: SignedIn | None = None
    if not policy.required:
        signed = await service.sign_up_email(
            db,
            cfg,
            meta,
            name=name,
            email=email,
            password=password,
            image=image,
            callback_url=callback_url,
            remember_me=remember_me,
        )
        user = signed.user
    else:
        try:
            user = await service.create_user(
                db, cfg, meta, name=name, email=email, password=password, image=image
            )
        except service.UserExists:
            return SignUpOutcome(_look_alike(name, email, image, meta), None, None)
    message = None
    if policy.send_on_sign_up:
        message = await verification.send_verification_email(
            db, cfg, meta, email=user.email, callback_url=callback_url or "/"
        )
    return SignUpOutcome(user, signed, message)


async def mail_on_refused_sign_in(
    db: AsyncSession, cfg: AuthConfig, meta: RequestMeta, *, email: str, callback_url: str | None
) -> mail.OutgoingMail | None:
    if not cfg.methods.verification.send_on_sign_in:
        return None
    return await verification.send_verification_email(
        db, cfg, meta, email=email, callback_url=callback_url or "/"
    )


async def verify_email(
    db: AsyncSession,
    cfg: AuthConfig,
    meta: RequestMeta,
    *,
    token: str,
    callback_url: str | None,
    signed_in_as: str | None,
) -> SignedIn | None:
    """Verify; with auto sign-in on, a session for the verified user unless the caller is
    already signed in as them."""
    user = await verification.verify_email(db, cfg, meta, token=token, callback_url=callback_url)
    if not cfg.methods.verification.auto_sign_in or signed_in_as == user.id:
        return None
    return await sessions.create_session(db, cfg, user, meta)
