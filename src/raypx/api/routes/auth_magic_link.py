"""Better Auth's magic-link plugin endpoints (`magicLinkClient`): sign-in/magic-link mails
the link, magic-link/verify opens it (a browser navigation: every outcome is a redirect,
unless no callbackURL was given, when the session comes back as JSON)."""

from __future__ import annotations

from typing import Annotated

from fastapi import BackgroundTasks, Depends, Query
from fastapi.responses import Response
from pydantic import Field

from raypx.api.routes.auth_common import (
    AuthDb,
    Config,
    Meta,
    body_of,
    documented,
    json,
    send_later,
    signed_in_cookies,
)
from raypx.api.routes.auth_plugin_common import plugin_router, user_json
from raypx.api.schemas import auth as schemas
from raypx.api.schemas.errors import REDIRECT, errors
from raypx.api.schemas.text import JSONObject, StrictText, Text
from raypx.auth import magic_link

endpoints = plugin_router(lambda methods: methods.magic_link)


class SignInBody(schemas.Body):
    email: schemas.Email
    name: StrictText | None = None
    callback_url: StrictText | None = Field(None, alias="callbackURL")
    new_user_callback_url: StrictText | None = Field(None, alias="newUserCallbackURL")
    error_callback_url: StrictText | None = Field(None, alias="errorCallbackURL")
    metadata: JSONObject | None = None  # Better Auth hands it to its mail hook; unused


@endpoints.post(
    "/sign-in/magic-link",
    responses=errors(400, 403),
    openapi_extra=documented(SignInBody),
)
async def sign_in_magic_link(
    body: Annotated[SignInBody, Depends(body_of(SignInBody))],
    db: AuthDb,
    cfg: Config,
    meta: Meta,
    tasks: BackgroundTasks,
) -> Response:
    message = await magic_link.send_link(
        db,
        cfg,
        meta,
        email=body.email,
        name=body.name,
        callback_url=body.callback_url,
        new_user_callback_url=body.new_user_callback_url,
        error_callback_url=body.error_callback_url,
    )
    send_later(tasks, cfg, message)
    return json({"status": True})


@endpoints.get(
    "/magic-link/verify",
    responses=errors(400, 403) | REDIRECT,
)
async def verify(
    db: AuthDb,
    cfg: Config,
    meta: Meta,
    token: Annotated[Text | None, Query()] = None,
    callback_url: Annotated[Text | None, Query(alias="callbackURL")] = None,
    new_user_callback_url: Annotated[Text | None, Query(alias="newUserCallbackURL")] = None,
    error_callback_url: Annotated[Text | None, Query(alias="errorCallbackURL")] = None,
) -> Response:
    if token is None:
        raise schemas.validation_error(
            "[query.token] Invalid input: expected string, received undefined"
        )
    opened = await magic_link.open_link(
        db,
        cfg,
        meta,
        token=token,
        callback_url=callback_url,
        new_user_callback_url=new_user_callback_url,
        error_callback_url=error_callback_url,
    )
    set_cookies = signed_in_cookies(cfg, opened.signed) if opened.signed else []
    if opened.signed is not None and not callback_url:
        payload = {
            "token": opened.signed.token,
            "user": await user_json(db, cfg, opened.signed.user),
            "session": schemas.session_json(opened.signed.session, opened.signed.token),
        }
        return json(payload, set_cookies=set_cookies)
    response = Response(status_code=302, media_type="application/json")
    response.headers["Location"] = opened.redirect
    for value in set_cookies:
        response.headers.append("set-cookie", value)
    return response
