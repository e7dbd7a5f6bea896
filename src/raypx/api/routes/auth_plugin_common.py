"""What the plugin route modules share: a router that answers 404 while its method is
switched off (as a Better Auth server without the plugin), then rate limits and checks
Origin like every /api/auth route."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import JSONResponse

from raypx.api.routes import auth_deps
from raypx.api.routes.auth_common import json
from raypx.auth.methods import AuthMethods
from raypx.errors import RaypxError


def plugin_router(enabled: Callable[[AuthMethods], bool]) -> APIRouter:
    async def switched_on(request: Request) -> None:
        if not enabled(auth_deps.auth_config(request.app.state).methods):
            raise HTTPException(404, "Not Found")

    return APIRouter(dependencies=[Depends(switched_on), Depends(auth_deps.guard)])


def rejection(exc: RaypxError) -> JSONResponse:
    """An error answered as a normal return, so the request's transaction commits what the
    rejection recorded (a failed attempt, a consumed code)."""
    return json(exc.to_body(), status=exc.status_code)
