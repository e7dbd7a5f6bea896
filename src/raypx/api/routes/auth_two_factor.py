"""Better Auth's two-factor plugin endpoints (`twoFactorClient`): enable, disable,
get-totp-uri, generate-backup-codes, and the verify endpoints that complete a sign-in
(`two_factor` cookie) or confirm setup (signed in)."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any, Literal, TypeVar

from fastapi import BackgroundTasks, Depends, Request
from fastapi.responses import Response
from pydantic import Field, StrictBool

from raypx.api.routes import auth_deps
from raypx.api.routes.auth_common import (
    Auth,
    AuthDb,
    Config,
    Meta,
    documented,
    json,
    send_later,
    signed_in_cookies,
)
from raypx.api.routes.auth_plugin_common import plugin_router, rejection, user_json
from raypx.api.schemas import auth as schemas
from raypx.api.schemas.errors import errors
from raypx.api.schemas.text import StrictText
from raypx.auth import cookies, two_factor, two_factor_verify
from raypx.auth import two_factor_challenge as challenge
from raypx.auth.config import AuthConfig, RequestMeta
from raypx.auth.two_factor_challenge import Caller

endpoints = plugin_router(lambda methods: methods.two_factor)
B = TypeVar("B", bound=schemas.Body)


class PasswordBody(schemas.Body):
    password: StrictText


class EnableBody(PasswordBody):
    method: Literal["otp", "totp"] = "totp"
    issuer: StrictText | None = None


class TrustBody(schemas.Body):
    trust_device: StrictBool | None = Field(None, alias="trustDevice")


class VerifyBody(TrustBody):
    code: StrictText


class BackupCodeBody(VerifyBody):
    disable_session: StrictBool | None = Field(None, alias="disableSession")


def body(model: type[B]) -> Callable[[Request], Coroutine[Any, Any, B]]:
    """Like `body_of`, but no body at all reads as `{}` (send-otp's body is optional)."""

    async def parse(request: Request) -> B:
        raw = await request.body()
        return schemas.parse_body(raw or b"{}", request.headers.get("content-type", ""), model)

    return parse


async def caller_of(request: Request, db: AuthDb, meta: RequestMeta, cfg: AuthConfig) -> Caller:
    auth = await auth_deps.authenticate(request, db)
    pending = cookies.read_signed_cookie(request.headers, cfg, challenge.CHALLENGE_COOKIE)
    return await challenge.resolve_caller(db, meta, auth, pending)


@endpoints.post(
    "/two-factor/enable",
    responses=errors(400, 401, 403),
    openapi_extra=documented(EnableBody),
)
async def enable(
    payload: Annotated[EnableBody, Depends(body(EnableBody))],
    db: AuthDb,
    auth: Auth,
    cfg: Config,
    meta: Meta,
) -> Response:
    done = await two_factor.enable(
        db,
        cfg,
        meta,
        auth.user,
        password=payload.password,
        method=payload.method,
        issuer=payload.issuer,
    )
    if done.method == "otp":
        return json({"method": "otp"})
    return json({"method": "totp", "totpURI": done.totp_uri, "backupCodes": done.backup_codes})


@endpoints.post(
    "/two-factor/disable",
    responses=errors(400, 401, 403),
    openapi_extra=documented(PasswordBody),
)
async def disable(
    payload: Annotated[PasswordBody, Depends(body(PasswordBody))],
    db: AuthDb,
    auth: Auth,
    cfg: Config,
) -> Response:
    await two_factor.disable(db, cfg, auth.user, password=payload.password)
    forget_device = cookies.clearing_cookie(cfg, challenge.TRUST_COOKIE)
    return json({"status": True}, set_cookies=[forget_device])


@endpoints.post(
    "/two-factor/get-totp-uri",
    responses=errors(400, 401, 403),
    openapi_extra=documented(PasswordBody),
)
async def get_totp_uri(
    payload: Annotated[PasswordBody, Depends(body(PasswordBody))],
    db: AuthDb,
    auth: Auth,
    cfg: Config,
) -> Response:
    uri = await two_factor.show_totp_uri(db, cfg, auth.user, password=payload.password)
    return json({"totpURI": uri})


@endpoints.post(
    "/two-factor/generate-backup-codes",
    responses=errors(400, 401, 403),
    openapi_extra=documented(PasswordBody),
)
async def generate_backup_codes(
    payload: Annotated[PasswordBody, Depends(body(PasswordBody))],
    db: AuthDb,
    auth: Auth,
    cfg: Config,
    meta: Meta,
) -> Response:
    codes = await two_factor.regenerate_backup_codes(
        db, cfg, meta, auth.user, password=payload.password
    )
    return json({"status": True, "backupCodes": codes})


async def _completed(
    db: AuthDb,
    cfg: AuthConfig,
    meta: RequestMeta,
    caller: Caller,
    attempt: challenge.Attempt | None,
    *,
    trust_device: bool,
    create_session: bool = True,
) -> Response:
    done = await challenge.complete(
        db,
        cfg,
        meta,
        caller,
        attempt,
        trust_device=trust_device,
        user_json=await user_json(db, cfg, caller.user),
        create_session=create_session,
    )
    extra = signed_in_cookies(cfg, done.signed) if done.signed else []
    return json(done.body, set_cookies=extra + done.cookies)


@endpoints.post(
    "/two-factor/verify-totp",
    responses=errors(400, 401, 403),
    openapi_extra=documented(VerifyBody),
)
async def verify_totp(
    request: Request,
    payload: Annotated[VerifyBody, Depends(body(VerifyBody))],
    db: AuthDb,
    cfg: Config,
    meta: Meta,
) -> Response:
    try:
        caller = await caller_of(request, db, meta, cfg)
        attempt = await two_factor_verify.verify_totp(db, cfg, meta, caller, payload.code)
        return await _completed(
            db, cfg, meta, caller, attempt, trust_device=bool(payload.trust_device)
        )
    except challenge.TwoFactorRejected as exc:
        return rejection(exc)


@endpoints.post(
    "/two-factor/send-otp",
    responses=errors(400, 401, 403),
    openapi_extra=documented(TrustBody, required=False),
)
async def send_otp(
    request: Request,
    payload: Annotated[TrustBody, Depends(body(TrustBody))],
    db: AuthDb,
    cfg: Config,
    meta: Meta,
    tasks: BackgroundTasks,
) -> Response:
    try:
        caller = await caller_of(request, db, meta, cfg)
    except challenge.TwoFactorRejected as exc:
        return rejection(exc)
    send_later(tasks, cfg, await two_factor_verify.send_otp(db, cfg, meta, caller))
    return json({"status": True})


@endpoints.post(
    "/two-factor/verify-otp",
    responses=errors(400, 401, 403),
    openapi_extra=documented(VerifyBody),
)
async def verify_otp(
    request: Request,
    payload: Annotated[VerifyBody, Depends(body(VerifyBody))],
    db: AuthDb,
    cfg: Config,
    meta: Meta,
) -> Response:
    try:
        caller = await caller_of(request, db, meta, cfg)
        await two_factor_verify.verify_otp(db, cfg, meta, caller, payload.code)
        trust = bool(payload.trust_device)
        return await _completed(db, cfg, meta, caller, None, trust_device=trust)
    except challenge.TwoFactorRejected as exc:
        return rejection(exc)


@endpoints.post(
    "/two-factor/verify-backup-code",
    responses=errors(400, 401, 403),
    openapi_extra=documented(BackupCodeBody),
)
async def verify_backup_code(
    request: Request,
    payload: Annotated[BackupCodeBody, Depends(body(BackupCodeBody))],
    db: AuthDb,
    cfg: Config,
    meta: Meta,
) -> Response:
    try:
        caller = await caller_of(request, db, meta, cfg)
        attempt = await two_factor_verify.verify_backup_code(db, cfg, meta, caller, payload.code)
        return await _completed(
            db,
            cfg,
            meta,
            caller,
            attempt,
            trust_device=bool(payload.trust_device),
            create_session=not payload.disable_session,
        )
    except challenge.TwoFactorRejected as exc:
        return rejection(exc)
