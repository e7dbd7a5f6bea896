"""Mail-driven flows of Better Auth's protocol: password reset, email verification, email
change. Mail goes out after the response, once the token it carries has committed."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode, urljoin

from fastapi import BackgroundTasks, Depends, Query, Request
from fastapi.responses import Response

from raypx.api.routes import auth_deps
from raypx.api.routes.auth_common import (
    Auth,
    AuthDb,
    Config,
    Meta,
    body_of,
    documented,
    guarded_router,
    json,
    send_later,
    signed_in_cookies,
)
from raypx.api.schemas import auth as schemas
from raypx.api.schemas.errors import REDIRECT, errors
from raypx.api.schemas.text import Text
from raypx.auth import email_verification, origin, verification
from raypx.errors import RaypxError

endpoints = guarded_router()


@endpoints.post(
    "/change-email",
    responses=errors(400, 401, 403),
    openapi_extra=documented(schemas.ChangeEmailBody),
)
async def change_email(
    body: Annotated[schemas.ChangeEmailBody, Depends(body_of(schemas.ChangeEmailBody))],
    db: AuthDb,
    auth: Auth,
    cfg: Config,
    meta: Meta,
    tasks: BackgroundTasks,
) -> Response:
    message = await verification.change_email(
        db, cfg, meta, auth, new_email=body.new_email, callback_url=body.callback_url
    )
    send_later(tasks, cfg, message)
    return json({"status": True})


@endpoints.post(
    "/request-password-reset",
    responses=errors(400, 403),
    openapi_extra=documented(schemas.RequestPasswordResetBody),
)
async def request_password_reset(
    body: Annotated[
        schemas.RequestPasswordResetBody, Depends(body_of(schemas.RequestPasswordResetBody))
    ],
    db: AuthDb,
    cfg: Config,
    meta: Meta,
    tasks: BackgroundTasks,
) -> Response:
    message = await verification.request_password_reset(
        db, cfg, meta, email=body.email, redirect_to=body.redirect_to
    )
    send_later(tasks, cfg, message)
    text = "If this email exists in our system, check your email for the reset link"
    return json({"status": True, "message": text})


def redirect(location: str) -> Response:
    return Response(status_code=302, headers={"Location": location}, media_type="application/json")


def with_query(url: str, **params: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}{urlencode(params)}"


@endpoints.get("/reset-password/{token}", responses=errors(400, 403) | REDIRECT)
async def reset_password_link(
    token: Text,
    db: AuthDb,
    cfg: Config,
    meta: Meta,
    callback_url: Annotated[Text, Query(alias="callbackURL")] = "/",
) -> Response:
    origin.check_callback_url(callback_url, cfg.trusted)
    target = urljoin(cfg.base_url + "/", callback_url or "/")
    if await verification.check_reset_token(db, token, meta.now):
        return redirect(with_query(target, token=token))
    return redirect(with_query(target, error="INVALID_TOKEN"))


@endpoints.post(
    "/reset-password",
    responses=errors(400, 403),
    openapi_extra=documented(schemas.ResetPasswordBody),
)
async def reset_password(
    body: Annotated[schemas.ResetPasswordBody, Depends(body_of(schemas.ResetPasswordBody))],
    db: AuthDb,
    cfg: Config,
    meta: Meta,
) -> Response:
    await verification.reset_password(
        db, cfg, meta, token=body.token, new_password=body.new_password
    )
    return json({"status": True})


@endpoints.post(
    "/send-verification-email",
    responses=errors(400, 403),
    openapi_extra=documented(schemas.SendVerificationEmailBody),
)
async def send_verification_email(
    body: Annotated[
        schemas.SendVerificationEmailBody, Depends(body_of(schemas.SendVerificationEmailBody))
    ],
    db: AuthDb,
    cfg: Config,
    meta: Meta,
    tasks: BackgroundTasks,
) -> Response:
    message = await verification.send_verification_email(
        db, cfg, meta, email=body.email, callback_url=body.callback_url
    )
    send_later(tasks, cfg, message)
    return json({"status": True})


@endpoints.get("/verify-email", responses=errors(400, 401, 403) | REDIRECT)
async def verify_email(
    request: Request,
    db: AuthDb,
    cfg: Config,
    meta: Meta,
    token: Annotated[Text | None, Query()] = None,
    callback_url: Annotated[Text | None, Query(alias="callbackURL")] = None,
) -> Response:
    if token is None:
        raise schemas.validation_error(
            "[query.token] Invalid input: expected string, received undefined"
        )
    current = (
        await auth_deps.authenticate(request, db) if cfg.methods.verification.auto_sign_in else None
    )
    try:
        signed = await email_verification.verify_email(
            db,
            cfg,
            meta,
            token=token,
            callback_url=callback_url,
            signed_in_as=current.user.id if current else None,
        )
    except RaypxError as exc:
        if callback_url and exc.code == "INVALID_TOKEN":
            return redirect(with_query(callback_url, error="INVALID_TOKEN"))
        raise
    set_cookies = signed_in_cookies(cfg, signed) if signed else []
    if callback_url:
        response = redirect(callback_url)
        for value in set_cookies:
            response.headers.append("set-cookie", value)
        return response
    return json({"status": True, "user": None}, set_cookies=set_cookies)
