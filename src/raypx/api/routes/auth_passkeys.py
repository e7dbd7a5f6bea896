"""@better-auth/passkey's endpoints (`passkeyClient`): registration and authentication
options and their verification, list, rename, delete."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Depends, Query, Request
from fastapi.responses import Response
from pydantic import Field, StrictBool

from raypx.api.routes import auth_deps
from raypx.api.routes.auth_common import (
    Auth,
    AuthDb,
    Config,
    Meta,
    body_of,
    documented,
    json,
    signed_in_cookies,
)
from raypx.api.routes.auth_plugin_common import plugin_router, user_json
from raypx.api.schemas import auth as schemas
from raypx.api.schemas.errors import errors
from raypx.api.schemas.text import JSONObject, StrictText, Text
from raypx.auth import cookies, passkeys
from raypx.auth.config import AuthConfig
from raypx.db.models import Passkey

endpoints = plugin_router(lambda methods: methods.passkeys)
MAX_AGE = int(passkeys.CHALLENGE_LIFETIME.total_seconds())


class RegistrationBody(schemas.Body):
    response: JSONObject
    name: StrictText | None = None
    create_session: StrictBool | None = Field(None, alias="createSession")


class AuthenticationBody(schemas.Body):
    response: JSONObject


class IdBody(schemas.Body):
    id: StrictText


class RenameBody(IdBody):
    name: StrictText = Field(min_length=1, max_length=100)


def passkey_json(row: Passkey) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "name": row.name,
        "publicKey": row.public_key,
        "userId": row.user_id,
        "credentialID": row.credential_id,
        "counter": row.counter,
        "deviceType": row.device_type,
        "backedUp": row.backed_up,
        "transports": row.transports,
        "createdAt": schemas.iso(row.created_at),
        "aaguid": row.aaguid,
    }


def challenge_cookie(cfg: AuthConfig, token: str) -> list[str]:
    return [cookies.signed_cookie(cfg, passkeys.COOKIE, token, MAX_AGE)]


def challenge_of(request: Request, cfg: AuthConfig) -> str | None:
    return cookies.read_signed_cookie(request.headers, cfg, passkeys.COOKIE)


@endpoints.get(
    "/passkey/generate-register-options",
    responses=errors(400, 401, 403),
)
async def generate_register_options(
    db: AuthDb,
    auth: Auth,
    cfg: Config,
    meta: Meta,
    name: Annotated[Text | None, Query(max_length=100)] = None,
    attachment: Annotated[
        Literal["platform", "cross-platform"] | None, Query(alias="authenticatorAttachment")
    ] = None,
) -> Response:
    options, token = await passkeys.registration_options(
        db, cfg, meta, auth, name=name, attachment=attachment
    )
    return json(options, set_cookies=challenge_cookie(cfg, token))


@endpoints.post(
    "/passkey/verify-registration",
    responses=errors(400, 401, 403),
    openapi_extra=documented(RegistrationBody),
)
async def verify_registration(
    request: Request,
    body: Annotated[RegistrationBody, Depends(body_of(RegistrationBody))],
    db: AuthDb,
    auth: Auth,
    cfg: Config,
    meta: Meta,
) -> Response:
    row = await passkeys.verify_registration(
        db,
        cfg,
        meta,
        auth,
        token=challenge_of(request, cfg),
        response=body.response,
        name=body.name,
    )
    return json(passkey_json(row))


@endpoints.get(
    "/passkey/generate-authenticate-options",
    responses=errors(400),
)
@endpoints.post(
    "/passkey/generate-authenticate-options",
    responses=errors(400, 403),
)
async def generate_authenticate_options(
    request: Request, db: AuthDb, cfg: Config, meta: Meta
) -> Response:
    auth = await auth_deps.authenticate(request, db)
    options, token = await passkeys.authentication_options(db, cfg, meta, auth)
    return json(options, set_cookies=challenge_cookie(cfg, token))


@endpoints.post(
    "/passkey/verify-authentication",
    responses=errors(400, 401, 403),
    openapi_extra=documented(AuthenticationBody),
)
async def verify_authentication(
    request: Request,
    body: Annotated[AuthenticationBody, Depends(body_of(AuthenticationBody))],
    db: AuthDb,
    cfg: Config,
    meta: Meta,
) -> Response:
    signed = await passkeys.verify_authentication(
        db, cfg, meta, token=challenge_of(request, cfg), response=body.response
    )
    payload = {
        "session": schemas.session_json(signed.session, signed.token),
        "user": await user_json(db, cfg, signed.user),
    }
    return json(payload, set_cookies=signed_in_cookies(cfg, signed))


@endpoints.get(
    "/passkey/list-user-passkeys",
    responses=errors(401),
)
async def list_user_passkeys(db: AuthDb, auth: Auth) -> Response:
    return json([passkey_json(row) for row in await passkeys.list_passkeys(db, auth.user.id)])


@endpoints.post(
    "/passkey/update-passkey",
    responses=errors(400, 401, 403),
    openapi_extra=documented(RenameBody),
)
async def update_passkey(
    body: Annotated[RenameBody, Depends(body_of(RenameBody))], db: AuthDb, auth: Auth, meta: Meta
) -> Response:
    row = await passkeys.rename(db, meta, auth.user.id, body.id, body.name)
    return json({"passkey": passkey_json(row)})


@endpoints.post(
    "/passkey/delete-passkey",
    responses=errors(400, 401, 403),
    openapi_extra=documented(IdBody),
)
async def delete_passkey(
    body: Annotated[IdBody, Depends(body_of(IdBody))], db: AuthDb, auth: Auth
) -> Response:
    await passkeys.remove(db, auth.user.id, body.id)
    return json({"status": True})
