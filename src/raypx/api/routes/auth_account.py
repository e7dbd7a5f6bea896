"""Better Auth 1.7 core endpoints beyond sign-in: /ok, verify-password, update-session, and a
linked account's provider tokens (get-access-token, refresh-token, account-info)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query
from fastapi.responses import Response
from pydantic import Field

from raypx.api.routes.auth_common import (
    Auth,
    AuthDb,
    Config,
    body_of,
    documented,
    guarded_router,
    json,
)
from raypx.api.schemas import auth as schemas
from raypx.api.schemas.errors import errors
from raypx.api.schemas.text import StrictText, Text
from raypx.auth import provider_tokens, reauth
from raypx.errors import Invalid

endpoints = guarded_router()


class PasswordBody(schemas.Body):
    password: StrictText


class AccountSelectionBody(schemas.Body):
    account_id: StrictText = Field(alias="accountId")
    user_id: StrictText | None = Field(None, alias="userId")  # server-side callers only: ignored


class AnyBody(schemas.Body):
    pass


@endpoints.get("/ok")
async def ok() -> Response:
    return json({"ok": True})


@endpoints.post(
    "/verify-password",
    responses=errors(400, 401, 403),
    openapi_extra=documented(PasswordBody),
)
async def verify_password(
    body: Annotated[PasswordBody, Depends(body_of(PasswordBody))],
    db: AuthDb,
    auth: Auth,
    cfg: Config,
) -> Response:
    await reauth.check_password(db, cfg, auth.user.id, body.password)
    return json({"status": True})


@endpoints.post(
    "/update-session",
    responses=errors(400, 401, 403),
    openapi_extra=documented(AnyBody),
)
async def update_session(
    body: Annotated[AnyBody, Depends(body_of(AnyBody))],
    auth: Auth,
) -> Response:
    # Better Auth updates only `session.additionalFields`; the spec's session has none, so
    # every body is, as there, "No fields to update".
    raise Invalid("No fields to update", code="NO_FIELDS_TO_UPDATE")


@endpoints.post(
    "/get-access-token",
    responses=errors(400, 401, 403),
    openapi_extra=documented(AccountSelectionBody),
)
async def get_access_token(
    body: Annotated[AccountSelectionBody, Depends(body_of(AccountSelectionBody))],
    db: AuthDb,
    auth: Auth,
    cfg: Config,
) -> Response:
    return json(await provider_tokens.get_access_token(db, cfg, auth.user.id, body.account_id))


@endpoints.post(
    "/refresh-token",
    responses=errors(400, 401, 403),
    openapi_extra=documented(AccountSelectionBody),
)
async def refresh_token(
    body: Annotated[AccountSelectionBody, Depends(body_of(AccountSelectionBody))],
    db: AuthDb,
    auth: Auth,
    cfg: Config,
) -> Response:
    return json(await provider_tokens.refresh_token(db, cfg, auth.user.id, body.account_id))


@endpoints.get(
    "/account-info",
    responses=errors(400, 401),
)
async def account_info(
    db: AuthDb,
    auth: Auth,
    cfg: Config,
    account_id: Annotated[Text | None, Query(alias="accountId")] = None,
) -> Response:
    if account_id is None:
        raise schemas.validation_error(
            "[query.accountId] Invalid input: expected string, received undefined"
        )
    return json(await provider_tokens.account_info(db, cfg, auth.user.id, account_id))
