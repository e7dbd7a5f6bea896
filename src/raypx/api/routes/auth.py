"""Better Auth's HTTP protocol under /api/auth, so its official clients work unchanged:
sign-up, sign-in, sessions and the account. Mail-driven flows live in `auth_mail`, OAuth
sign-in in `auth_oauth`.

Handlers stay thin: parse the body, make one service call, shape the response and cookies.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Depends, Query, Request
from fastapi.responses import Response

from raypx.api.routes import (
    auth_account,
    auth_api_keys,
    auth_deps,
    auth_email_otp,
    auth_magic_link,
    auth_mail,
    auth_oauth,
    auth_passkeys,
    auth_two_factor,
)
from raypx.api.routes import auth_plugin_common as plugin_common
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
from raypx.api.schemas.errors import errors
from raypx.auth import (
    cookies,
    email_verification,
    redact,
    service,
    sessions,
    two_factor_challenge,
)

endpoints = guarded_router()


@endpoints.post(
    "/sign-up/email",
    responses=errors(400, 403, 422),
    openapi_extra=documented(schemas.SignUpBody),
)
async def sign_up_email(
    body: Annotated[schemas.SignUpBody, Depends(body_of(schemas.SignUpBody))],
    db: AuthDb,
    cfg: Config,
    meta: Meta,
    tasks: BackgroundTasks,
) -> Response:
    outcome = await email_verification.sign_up_email(
        db,
        cfg,
        meta,
        name=body.name,
        email=body.email,
        password=body.password,
        image=body.image,
        callback_url=body.callback_url,
        remember_me=body.remember_me is not False,
    )
    send_later(tasks, cfg, outcome.mail)
    user = await plugin_common.user_json(db, cfg, outcome.user)
    if outcome.signed is None:  # verification required first: no session yet
        return json({"token": None, "user": user})
    payload = {"token": outcome.signed.token, "user": user}
    return json(payload, set_cookies=signed_in_cookies(cfg, outcome.signed))


@endpoints.post(
    "/sign-in/email",
    responses=errors(400, 401, 403),
    openapi_extra=documented(schemas.SignInBody),
)
async def sign_in_email(
    request: Request,
    body: Annotated[schemas.SignInBody, Depends(body_of(schemas.SignInBody))],
    db: AuthDb,
    cfg: Config,
    meta: Meta,
    tasks: BackgroundTasks,
) -> Response:
    try:
        signed = await service.sign_in_email(
            db,
            cfg,
            meta,
            auth_deps.limiter(request.app.state),
            email=body.email,
            password=body.password,
            remember_me=body.remember_me is not False,
            callback_url=body.callback_url,
        )
    except service.EmailNotVerified as exc:
        # A plain answer, not a raise: the mail's token must commit with this transaction.
        message = await email_verification.mail_on_refused_sign_in(
            db, cfg, meta, email=body.email, callback_url=body.callback_url
        )
        send_later(tasks, cfg, message)
        return json(exc.to_body(), status=exc.status_code)
    except service.AccountLocked as exc:
        response = json(exc.to_body(), status=429)
        response.headers["X-Retry-After"] = str(exc.retry_after)
        return response
    gate = await two_factor_gate(request, db, cfg, meta, signed)
    if gate.challenge_body is not None:  # a second step first: no session cookie yet
        return json(gate.challenge_body, set_cookies=gate.cookies)
    user = await plugin_common.user_json(db, cfg, signed.user)
    set_cookies = signed_in_cookies(cfg, signed) + gate.cookies
    if body.callback_url:
        payload = {"redirect": True, "token": signed.token, "url": body.callback_url, "user": user}
        response = json(payload, set_cookies=set_cookies)
        response.headers["Location"] = body.callback_url
        return response
    return json({"redirect": False, "token": signed.token, "user": user}, set_cookies=set_cookies)


async def two_factor_gate(
    request: Request, db: AuthDb, cfg: Config, meta: Meta, signed: sessions.SignedIn
) -> two_factor_challenge.Gate:
    if not cfg.methods.two_factor:
        return two_factor_challenge.Gate(None, [])
    trust = cookies.read_signed_cookie(request.headers, cfg, two_factor_challenge.TRUST_COOKIE)
    return await two_factor_challenge.gate_sign_in(db, cfg, meta, signed, trust)


@endpoints.get("/get-session", responses=errors(400))
async def get_session(
    request: Request,
    db: AuthDb,
    cfg: Config,
    meta: Meta,
    disable_refresh: Annotated[bool, Query(alias="disableRefresh")] = False,
) -> Response:
    credentials = cookies.read_credentials(request.headers, cfg)
    auth = None
    if credentials is not None:
        auth = await sessions.resolve_session(
            db,
            cfg,
            credentials.token,
            meta.now,
            refresh=not disable_refresh and not credentials.dont_remember,
            pool=auth_deps.read_pool(request),  # get-session only reads what it returns
        )
    set_cookies: list[str] = []
    if auth is None and credentials is not None and credentials.from_cookie:
        set_cookies = cookies.clearing_cookies(cfg)  # a dead session: drop its cookie
    elif auth is not None and auth.refreshed and credentials and credentials.from_cookie:
        max_age = sessions.cookie_max_age(auth.session, meta.now)
        set_cookies = [cookies.session_cookie(cfg, auth.token, max_age)]
    payload = None
    if auth is not None:
        user = schemas.user_json(auth.user)
        if cfg.methods.two_factor:  # the plugin's field, read with the session (no extra trip)
            user["twoFactorEnabled"] = auth.two_factor_enabled
        payload = {"session": schemas.session_json(auth.session, auth.token), "user": user}
    response = json(payload, set_cookies=set_cookies)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    return response


@endpoints.post("/sign-out", responses=errors(403))
async def sign_out(request: Request, db: AuthDb, cfg: Config) -> Response:
    credentials = cookies.read_credentials(request.headers, cfg)
    if credentials is not None:
        await sessions.delete_session(db, credentials.token)
    return json({"success": True}, set_cookies=cookies.clearing_cookies(cfg))


@endpoints.get("/list-sessions", responses=errors(401))
async def list_sessions(db: AuthDb, auth: Auth, meta: Meta) -> Response:
    rows = await sessions.list_user_sessions(db, auth.user.id, meta.now)
    return json(schemas.sessions_json(rows, auth.session, auth.token))


@endpoints.post(
    "/revoke-session",
    responses=errors(400, 401, 403),
    openapi_extra=documented(schemas.RevokeSessionBody),
)
async def revoke_session(
    body: Annotated[schemas.RevokeSessionBody, Depends(body_of(schemas.RevokeSessionBody))],
    db: AuthDb,
    auth: Auth,
) -> Response:
    await sessions.revoke_user_session(db, auth.user.id, body.token)
    return json({"status": True})


@endpoints.post("/revoke-sessions", responses=errors(401, 403))
async def revoke_sessions(db: AuthDb, auth: Auth) -> Response:
    await sessions.revoke_user_sessions(db, auth.user.id)
    return json({"status": True})


@endpoints.post("/revoke-other-sessions", responses=errors(401, 403))
async def revoke_other_sessions(db: AuthDb, auth: Auth) -> Response:
    await sessions.revoke_user_sessions(db, auth.user.id, keep=auth.session.id)
    return json({"status": True})


@endpoints.post(
    "/update-user",
    responses=errors(400, 401, 403),
    openapi_extra=documented(schemas.UpdateUserBody),
)
async def update_user(
    body: Annotated[schemas.UpdateUserBody, Depends(body_of(schemas.UpdateUserBody))],
    db: AuthDb,
    auth: Auth,
    cfg: Config,
    meta: Meta,
) -> Response:
    fields = body.model_dump(include=body.model_fields_set)
    await service.update_user(db, auth.user, fields=fields, meta=meta)
    if not auth.via_cookie:
        return json({"status": True})
    # Better Auth re-issues the session cookie (same token) so its cached copy refreshes.
    max_age = sessions.cookie_max_age(auth.session, meta.now) if auth.remember else None
    return json({"status": True}, set_cookies=[cookies.session_cookie(cfg, auth.token, max_age)])


@endpoints.post(
    "/change-password",
    responses=errors(400, 401, 403),
    openapi_extra=documented(schemas.ChangePasswordBody),
)
async def change_password(
    body: Annotated[schemas.ChangePasswordBody, Depends(body_of(schemas.ChangePasswordBody))],
    db: AuthDb,
    auth: Auth,
    cfg: Config,
    meta: Meta,
) -> Response:
    signed = await service.change_password(
        db,
        cfg,
        meta,
        auth,
        current_password=body.current_password,
        new_password=body.new_password,
        revoke_other_sessions=bool(body.revoke_other_sessions),
    )
    user = schemas.user_json(auth.user)
    if signed is None:
        return json({"token": None, "user": user})
    return json({"token": signed.token, "user": user}, set_cookies=signed_in_cookies(cfg, signed))


@endpoints.post(
    "/delete-user",
    responses=errors(400, 401, 403),
    openapi_extra=documented(schemas.DeleteUserBody),
)
async def delete_user(
    body: Annotated[schemas.DeleteUserBody, Depends(body_of(schemas.DeleteUserBody))],
    db: AuthDb,
    auth: Auth,
    cfg: Config,
    meta: Meta,
) -> Response:
    await service.delete_user(
        db, cfg, meta, auth, password=body.password, callback_url=body.callback_url
    )
    payload = {"success": True, "message": "User deleted"}
    return json(payload, set_cookies=cookies.clearing_cookies(cfg))


@endpoints.get("/list-accounts", responses=errors(401))
async def list_accounts(db: AuthDb, auth: Auth) -> Response:
    rows = await service.list_accounts(db, auth.user.id)
    return json([schemas.account_json(row) for row in rows])


async def not_found() -> Response:
    """Unknown path or wrong method: Better Auth answers 404 with an empty body."""
    return Response(status_code=404)


# Mailed tokens travel in URLs; the access log must not keep them.
redact.install()
router = APIRouter(prefix=auth_deps.BASE_PATH, tags=["auth"])
router.include_router(endpoints)
router.include_router(auth_mail.endpoints)
router.include_router(auth_oauth.endpoints)
router.include_router(auth_account.endpoints)
router.include_router(auth_email_otp.endpoints)
router.include_router(auth_magic_link.endpoints)
router.include_router(auth_api_keys.endpoints)
router.include_router(auth_two_factor.endpoints)
router.include_router(auth_passkeys.endpoints)
router.add_api_route(
    "/{rest:path}",
    not_found,
    methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
    include_in_schema=False,
)
