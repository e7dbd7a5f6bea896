"""@better-auth/api-key's endpoints (`apiKeyClient`): create (the key is in this answer only),
get, list, update, delete. They need a real session: an API key cannot mint or change keys,
so a leaked key never outgrows itself."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Query, Request
from fastapi.responses import Response
from pydantic import ConfigDict, Field, StrictBool

from raypx.api.routes import auth_deps
from raypx.api.routes.auth_common import Auth, AuthDb, Config, Meta, body_of, documented, json
from raypx.api.routes.auth_plugin_common import plugin_router
from raypx.api.schemas import auth as schemas
from raypx.api.schemas.errors import errors
from raypx.api.schemas.text import JSONValue, StrictText, Text
from raypx.auth import api_keys
from raypx.db.models import ApiKey
from raypx.errors import Invalid, Unauthorized

endpoints = plugin_router(lambda methods: methods.api_keys)
# Better Auth lets only the server set these; an HTTP client that sends them is refused.
SERVER_ONLY = (
    "refillAmount",
    "refillInterval",
    "rateLimitMax",
    "rateLimitTimeWindow",
    "rateLimitEnabled",
    "remaining",
    "userId",
)


class CreateBody(schemas.Body):
    model_config = ConfigDict(populate_by_name=True, extra="allow")  # to spot server-only

    name: StrictText | None = None
    expires_in: float | None = Field(None, alias="expiresIn", ge=1)
    prefix: StrictText | None = Field(None, pattern=r"^[a-zA-Z0-9_-]+$")
    metadata: JSONValue = None
    # Better Auth: server-only. Raypx lets the owner set them, since they only narrow the key.
    permissions: dict[Text, list[StrictText]] | None = None
    config_id: StrictText | None = Field(None, alias="configId")


class UpdateBody(schemas.Body):
    model_config = ConfigDict(populate_by_name=True, extra="allow")

    key_id: StrictText = Field(alias="keyId")
    name: StrictText | None = None
    enabled: StrictBool | None = None
    expires_in: float | None = Field(None, alias="expiresIn", ge=1)
    metadata: JSONValue = None


class DeleteBody(schemas.Body):
    key_id: StrictText = Field(alias="keyId")


def _server_only_sent(raw: dict[str, Any], remaining_null_ok: bool) -> bool:
    for name in SERVER_ONLY:
        if name in raw and not (name == "remaining" and raw[name] is None and remaining_null_ok):
            return True
    return False


def refuse_server_only(raw: dict[str, Any], *, create: bool) -> None:
    if _server_only_sent(raw, remaining_null_ok=create):
        raise Invalid(
            "The property you're trying to set can only be set from the server auth instance only.",
            code="SERVER_ONLY_PROPERTY",
        )


def key_json(row: ApiKey, key: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": str(row.id),
        "configId": "default",
        "name": row.name,
        "start": row.start,
        "prefix": row.prefix,
        "referenceId": row.user_id,
        "userId": row.user_id,  # the name before @better-auth/api-key 1.5
        "refillInterval": row.refill_interval,
        "refillAmount": row.refill_amount,
        "lastRefillAt": schemas.iso(row.last_refill_at) if row.last_refill_at else None,
        "enabled": row.enabled,
        "rateLimitEnabled": row.rate_limit_enabled,
        "rateLimitTimeWindow": row.rate_limit_time_window,
        "rateLimitMax": row.rate_limit_max,
        "requestCount": row.request_count,
        "remaining": row.remaining,
        "lastRequest": schemas.iso(row.last_request) if row.last_request else None,
        "expiresAt": schemas.iso(row.expires_at) if row.expires_at else None,
        "createdAt": schemas.iso(row.created_at),
        "updatedAt": schemas.iso(row.updated_at),
        "metadata": row.metadata_,
        "permissions": row.permissions,
    }
    if key is not None:
        body["key"] = key
    return body


@endpoints.post(
    "/api-key/create",
    responses=errors(400, 401, 403),
    openapi_extra=documented(CreateBody),
)
async def create(
    request: Request,
    body: Annotated[CreateBody, Depends(body_of(CreateBody))],
    db: AuthDb,
    cfg: Config,
    meta: Meta,
) -> Response:
    auth = await auth_deps.authenticate(request, db)
    if auth is None:  # Better Auth's words on this endpoint
        raise Unauthorized("Unauthorized or invalid session", code="UNAUTHORIZED_SESSION")
    refuse_server_only(body.model_extra or {}, create=True)
    row, key = await api_keys.create_key(
        db,
        cfg,
        meta,
        auth.user,
        name=body.name,
        prefix=body.prefix,
        expires_in=body.expires_in,
        metadata=body.metadata,
        permissions=body.permissions,
    )
    return json(key_json(row, key))


@endpoints.get(
    "/api-key/get",
    responses=errors(400, 401),
)
async def get(
    db: AuthDb, auth: Auth, key_id: Annotated[Text | None, Query(alias="id")] = None
) -> Response:
    if key_id is None:
        raise schemas.validation_error(
            "[query.id] Invalid input: expected string, received undefined"
        )
    return json(key_json(await api_keys.get_own_key(db, auth.user.id, key_id)))


@endpoints.get(
    "/api-key/list",
    responses=errors(400, 401),
)
async def list_keys(
    db: AuthDb,
    auth: Auth,
    limit: Annotated[int | None, Query(ge=0, le=1000)] = None,
    offset: Annotated[int | None, Query(ge=0)] = None,
) -> Response:
    rows = list(await api_keys.list_keys(db, auth.user.id))
    page = rows[offset or 0 :]
    if limit is not None:
        page = page[:limit]
    answer: dict[str, Any] = {"apiKeys": [key_json(row) for row in page], "total": len(rows)}
    if limit is not None:
        answer["limit"] = limit
    if offset is not None:
        answer["offset"] = offset
    return json(answer)


@endpoints.post(
    "/api-key/update",
    responses=errors(400, 401, 403),
    openapi_extra=documented(UpdateBody),
)
async def update(
    body: Annotated[UpdateBody, Depends(body_of(UpdateBody))],
    db: AuthDb,
    auth: Auth,
    meta: Meta,
) -> Response:
    refuse_server_only(body.model_extra or {}, create=False)
    sent = body.model_fields_set - {"key_id"}
    changes = {name: getattr(body, name) for name in sent}
    row = await api_keys.update_key(db, meta, auth.user.id, body.key_id, changes)
    return json(key_json(row))


@endpoints.post(
    "/api-key/delete",
    responses=errors(400, 401, 403),
    openapi_extra=documented(DeleteBody),
)
async def delete(
    body: Annotated[DeleteBody, Depends(body_of(DeleteBody))], db: AuthDb, auth: Auth
) -> Response:
    await api_keys.delete_key(db, auth.user.id, body.key_id)
    return json({"success": True})
