"""What the /api/auth route modules share: the transaction, body parsing, config, identity
and response helpers.

The transaction dependency is function-scoped, so it commits before the response is sent: a
client that signs in and at once calls get-session finds its session.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, BackgroundTasks, Depends, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from raypx.api import deps
from raypx.api.routes import auth_deps
from raypx.api.schemas import auth as schemas
from raypx.api.schemas.errors import errors
from raypx.auth import cookies, mail
from raypx.auth.config import AuthConfig, RequestMeta
from raypx.auth.sessions import Authenticated, SignedIn

AuthDb = Annotated[AsyncSession, Depends(deps.get_session, scope="function")]
M = TypeVar("M", bound=BaseModel)


def body_of(model: type[M]) -> Callable[[Request], Coroutine[Any, Any, M]]:
    async def parse(request: Request) -> M:
        raw = await request.body()
        return schemas.parse_body(raw, request.headers.get("content-type", ""), model)

    return parse


def documented(model: type[BaseModel], required: bool = True) -> dict[str, Any]:
    """`openapi_extra` describing the body `body_of(model)` parses, which FastAPI cannot see."""
    schema = model.model_json_schema(by_alias=True)
    kinds = ("application/json", "application/x-www-form-urlencoded")
    content = {kind: {"schema": schema} for kind in kinds}
    return {"requestBody": {"required": required, "content": content}}


# `async def` on purpose: FastAPI runs a plain `def` dependency in its thread pool, a hop
# (and lock traffic) these I/O-free lookups do not need on every auth request.
async def config(request: Request) -> AuthConfig:
    return auth_deps.auth_config(request.app.state)


async def current_meta(request: Request) -> RequestMeta:
    return auth_deps.request_meta(request)


async def current(request: Request, db: AuthDb) -> Authenticated:
    return await auth_deps.require(request, db)


Config = Annotated[AuthConfig, Depends(config)]
Meta = Annotated[RequestMeta, Depends(current_meta)]
Auth = Annotated[Authenticated, Depends(current)]


def json(body: Any, status: int = 200, set_cookies: list[str] | None = None) -> JSONResponse:
    response = JSONResponse(body, status_code=status)
    for value in set_cookies or []:
        response.headers.append("set-cookie", value)
    return response


def signed_in_cookies(cfg: AuthConfig, signed: SignedIn) -> list[str]:
    if not signed.remember:
        return [cookies.session_cookie(cfg, signed.token, None), cookies.dont_remember_cookie(cfg)]
    return [cookies.session_cookie(cfg, signed.token, int(cfg.expires_in.total_seconds()))]


def send_later(tasks: BackgroundTasks, cfg: AuthConfig, message: mail.OutgoingMail | None) -> None:
    if message is not None:
        tasks.add_task(cfg.mailer.send, message)


def guarded_router() -> APIRouter:
    """A router whose every route is rate limited and Origin-checked before its handler."""
    return APIRouter(dependencies=[Depends(auth_deps.guard)], responses=errors(429))
