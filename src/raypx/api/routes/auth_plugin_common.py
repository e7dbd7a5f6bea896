"""What the plugin route modules share: a router that answers 404 while its method is
switched off (as a Better Auth server without the plugin), then rate limits and checks
Origin like every /api/auth route."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import JSONResponse
from sqlalchemy.ext.asyncio import AsyncSession

from raypx.api.routes import auth_deps
from raypx.api.routes.auth_common import json
from raypx.api.schemas import auth as schemas
from raypx.api.schemas.errors import errors
from raypx.auth import two_factor
from raypx.auth.config import AuthConfig
from raypx.auth.methods import AuthMethods
from raypx.db.models import User
from raypx.errors import RaypxError


def plugin_router(enabled: Callable[[AuthMethods], bool]) -> APIRouter:
    async def switched_on(request: Request) -> None:
        if not enabled(auth_deps.auth_config(request.app.state).methods):
            raise HTTPException(404, "Not Found")

    # 404 while switched off; 429 from the rate limit every /api/auth route shares.
    return APIRouter(
        dependencies=[Depends(switched_on), Depends(auth_deps.guard)], responses=errors(404, 429)
    )


async def user_json(db: AsyncSession, cfg: AuthConfig, user: User) -> dict[str, Any]:
    """The user as Better Auth with its two-factor plugin answers it (`twoFactorEnabled`)."""
    body = schemas.user_json(user)
    if cfg.methods.two_factor:
        body["twoFactorEnabled"] = await two_factor.is_enabled(db, user.id)
    return body


def rejection(exc: RaypxError) -> JSONResponse:
    """An error answered as a normal return, so the request's transaction commits what the
    rejection recorded (a failed attempt, a consumed code)."""
    return json(exc.to_body(), status=exc.status_code)
