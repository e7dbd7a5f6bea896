"""Dependency aliases shared by routes: settings and a request-scoped transaction."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from raypx.ai.runtime import AIRuntime
from raypx.api.routes import api_key_deps, auth_deps
from raypx.auth import origin
from raypx.auth.sessions import Authenticated
from raypx.db.engine import SessionFactory
from raypx.db.models import User
from raypx.settings import Settings
from raypx.storage.base import Storage
from raypx.storage.configured import storage_for

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def ai_runtime(request: Request) -> AIRuntime:
    """The process's model registry and providers, made once in create_app."""
    runtime: AIRuntime = request.app.state.ai
    return runtime


def document_storage(request: Request) -> Storage:
    return storage_for(request.app.state.settings)


def get_session_factory(request: Request) -> SessionFactory:
    factory: SessionFactory = request.app.state.session_factory
    return factory


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """The request's unit of work: committed when the handler returns, rolled back on error."""
    async with get_session_factory(request)() as session, session.begin():
        yield session


SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionFactoryDep = Annotated[SessionFactory, Depends(get_session_factory)]
# scope="function": the transaction commits before the response is sent, so a client never
# races its own write and a failed commit becomes an error response, not a lost write.
SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]


async def get_current_session(request: Request) -> Authenticated:
    """The caller's session (signed cookie or `Authorization: Bearer`) or API key, else 401.

    Looked up (and slid forward) in a short transaction of its own, released before the
    endpoint runs: a request never holds one connection while waiting for another, so a burst
    of requests larger than the pool queues instead of deadlocking.
    """
    if request.method not in SAFE_METHODS and request.headers.get("cookie"):
        # A browser session changing state: the same Origin rules as /api/auth (CSRF).
        origin.check_request(request.headers, auth_deps.auth_config(request.app.state).trusted)
    async with get_session_factory(request)() as session, session.begin():
        # Routes outside /api/auth only read the user: the one-round-trip lookup will do.
        # An API key counts as its owner here (and only here: not on /api/auth).
        return await api_key_deps.require_caller(request, session)


async def get_current_user(auth: Annotated[Authenticated, Depends(get_current_session)]) -> User:
    return auth.user


CurrentSession = Annotated[Authenticated, Depends(get_current_session)]
CurrentUser = Annotated[User, Depends(get_current_user)]
