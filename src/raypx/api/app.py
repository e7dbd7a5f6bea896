"""`create_app(settings)`: the FastAPI application. Nothing connects until the app starts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from sqlalchemy.engine import URL

from raypx import __version__
from raypx.api.errors import install_error_handlers
from raypx.api.middleware import SecurityHeadersMiddleware
from raypx.api.routes import health
from raypx.db.engine import create_engine, create_session_factory, resolve_database_url
from raypx.settings import Settings


def create_app(settings: Settings, database_url: URL | None = None) -> FastAPI:
    """The app; `database_url` skips resolving it again when the caller already did."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = create_engine(database_url or resolve_database_url(settings), settings)
        app.state.engine = engine
        app.state.session_factory = create_session_factory(engine)
        try:
            yield
        finally:
            await engine.dispose()

    app = FastAPI(
        title="Raypx",
        version=__version__,
        lifespan=lifespan,
        docs_url="/api/docs",
        openapi_url="/api/openapi.json",
    )
    app.state.settings = settings
    app.add_middleware(SecurityHeadersMiddleware, https=settings.is_https)
    install_error_handlers(app)
    app.include_router(health.router)
    return app
