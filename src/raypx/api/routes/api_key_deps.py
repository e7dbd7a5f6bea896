"""Who is calling the JSON API: a session (cookie or Bearer) or an API key (`x-api-key`, or
a Bearer value that is no session token). A key stands for its owner."""

from __future__ import annotations

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession

from raypx.api.routes import auth_deps
from raypx.auth import api_key_auth, api_keys
from raypx.auth.sessions import Authenticated
from raypx.errors import Unauthorized

HEADER = "x-api-key"


def _bearer(request: Request) -> str | None:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    value = value.strip()
    return value if scheme.lower() == "bearer" and value else None


async def require_caller(request: Request, db: AsyncSession) -> Authenticated:
    cfg = auth_deps.auth_config(request.app.state)
    enabled = cfg.methods.api_keys
    key = request.headers.get(HEADER) if enabled else None
    if key is None:
        auth = await auth_deps.authenticate(request, db, read_only=True)
        if auth is not None:
            return auth
        bearer = _bearer(request) if enabled else None
        # Session tokens are 32 characters; a longer Bearer value can only be a key.
        if bearer is None or len(bearer) < api_keys.KEY_LENGTH:
            raise Unauthorized("Unauthorized")
        key = bearer
    return await api_key_auth.authenticate_key(
        db,
        cfg,
        auth_deps.request_meta(request),
        key,
        path=request.url.path,
        method=request.method,
    )
