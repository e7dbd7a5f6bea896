"""OAuth sign-in under /api/auth, as Better Auth's social providers answer it: sign-in/social,
callback/:id, link-social, unlink-account. Callbacks are browser navigations, so every outcome,
failures included, is a 302 (to the error callback with `?error=<code>` when something fails).
"""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import Depends, Query, Request
from fastapi.responses import Response

from raypx.api.routes.auth_common import (
    Auth,
    AuthDb,
    Config,
    Meta,
    body_of,
    documented,
    guarded_router,
    json,
    signed_in_cookies,
)
from raypx.api.schemas import auth as schemas
from raypx.api.schemas.errors import REDIRECT, errors
from raypx.api.schemas.text import Text
from raypx.auth import cookies, oauth, oauth_accounts
from raypx.auth.config import AuthConfig

log = logging.getLogger("raypx.auth")
endpoints = guarded_router()
STATE_MAX_AGE = int(oauth.STATE_LIFETIME.total_seconds())


def _started(cfg: AuthConfig, started: oauth.Started, redirect: bool) -> Response:
    cookie = cookies.state_cookie(cfg, started.state, STATE_MAX_AGE)
    return json({"url": started.url, "redirect": redirect}, set_cookies=[cookie])


def _redirect(location: str, set_cookies: list[str]) -> Response:
    response = Response(status_code=302, media_type="application/json")
    response.headers["Location"] = location
    for value in set_cookies:
        response.headers.append("set-cookie", value)
    return response


@endpoints.post(
    "/sign-in/social",
    responses=errors(400, 403, 404),
    openapi_extra=documented(schemas.SocialSignInBody),
)
async def sign_in_social(
    body: Annotated[schemas.SocialSignInBody, Depends(body_of(schemas.SocialSignInBody))],
    db: AuthDb,
    cfg: Config,
    meta: Meta,
) -> Response:
    started = await oauth.start_oauth(
        db,
        cfg,
        meta,
        provider_id=body.provider,
        callback_url=body.callback_url,
        error_callback_url=body.error_callback_url,
        new_user_callback_url=body.new_user_callback_url,
        scopes=body.scopes,
    )
    return _started(cfg, started, redirect=not body.disable_redirect)


@endpoints.post(
    "/link-social",
    responses=errors(400, 401, 403, 404),
    openapi_extra=documented(schemas.LinkSocialBody),
)
async def link_social(
    body: Annotated[schemas.LinkSocialBody, Depends(body_of(schemas.LinkSocialBody))],
    db: AuthDb,
    auth: Auth,
    cfg: Config,
    meta: Meta,
) -> Response:
    started = await oauth.start_oauth(
        db,
        cfg,
        meta,
        provider_id=body.provider,
        callback_url=body.callback_url,
        error_callback_url=body.error_callback_url,
        scopes=body.scopes,
        link=auth.user,
    )
    return _started(cfg, started, redirect=True)


@endpoints.get("/callback/{provider_id}", responses=errors(400) | REDIRECT)
async def callback(
    provider_id: Text,
    request: Request,
    db: AuthDb,
    cfg: Config,
    meta: Meta,
    code: Annotated[Text | None, Query()] = None,
    state: Annotated[Text | None, Query()] = None,
    error: Annotated[Text | None, Query()] = None,
) -> Response:
    clear_state = cookies.clearing_state_cookie(cfg)
    try:
        finished = await oauth.finish_oauth(
            db,
            cfg,
            meta,
            provider_id=provider_id,
            code=code,
            state=state,
            state_cookie=cookies.read_state_cookie(request.headers, cfg),
            provider_error=error,
        )
    except oauth.OAuthFailure as failure:
        # The code only: provider tokens and codes never reach the logs.
        log.info("oauth callback for %s failed: %s", provider_id, failure.code)
        return _redirect(oauth.error_redirect(cfg, failure), [clear_state])
    set_cookies = [clear_state]
    if finished.signed is not None:
        set_cookies += signed_in_cookies(cfg, finished.signed)
    return _redirect(finished.redirect, set_cookies)


@endpoints.post(
    "/unlink-account",
    responses=errors(400, 401, 403),
    openapi_extra=documented(schemas.UnlinkAccountBody),
)
async def unlink_account(
    body: Annotated[schemas.UnlinkAccountBody, Depends(body_of(schemas.UnlinkAccountBody))],
    db: AuthDb,
    auth: Auth,
) -> Response:
    if body.provider_id is None and body.account_id is None:
        raise schemas.validation_error(
            "[body.accountId] Invalid input: expected string, received undefined"
        )
    await oauth_accounts.unlink_account(
        db, auth, provider_id=body.provider_id, account_id=body.account_id
    )
    return json({"status": True})


@endpoints.get("/error", responses=errors(400))
async def error_page(error: Annotated[Text, Query()] = "unknown") -> Response:
    """Where a failed callback lands when the flow named no error callback URL."""
    return json({"message": "OAuth sign-in failed", "code": error.upper()}, status=400)
