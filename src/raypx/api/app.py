"""`create_app(settings)`: the FastAPI application. Nothing connects until the app starts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from sqlalchemy.engine import URL

from raypx import __version__
from raypx.ai import chat
from raypx.ai.runtime import AIRuntime
from raypx.api.errors import install_error_handlers
from raypx.api.middleware import SecurityHeadersMiddleware
from raypx.api.routes import (
    admin,
    ai,
    app_config,
    auth,
    auth_deps,
    billing,
    conversations,
    documents,
    health,
    me,
    metrics,
    usage,
)
from raypx.db.direct import open_direct_pool
from raypx.db.engine import create_engine, create_session_factory, resolve_database_url
from raypx.jobs.in_process import start_in_process_worker
from raypx.settings import Settings
from raypx.web import pages

# On shutdown, chat replies whose clients already left get this long to be recorded.
CHAT_DRAIN_SECONDS = 30.0


def create_app(settings: Settings, database_url: URL | None = None) -> FastAPI:
    """The app; `database_url` skips resolving it again when the caller already did."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        url = database_url or resolve_database_url(settings)
        engine = create_engine(url, settings)
        app.state.engine = engine
        app.state.session_factory = create_session_factory(engine)
        app.state.direct_pool = await open_direct_pool(url, settings)
        worker = await start_in_process_worker(settings, url, app.state.session_factory)
        try:
            yield
        finally:
            if worker is not None:
                await worker.stop()
            await auth_deps.close_limiter(app.state)
            await chat.drain(within=CHAT_DRAIN_SECONDS)
            await app.state.ai.providers.aclose()
            await app.state.direct_pool.close()
            await engine.dispose()

    app = FastAPI(
        title="Raypx",
        version=__version__,
        lifespan=lifespan,
        docs_url="/api/docs",
        openapi_url="/api/openapi.json",
    )
    app.state.settings = settings
    app.state.ai = AIRuntime.from_settings(settings)
    app.add_middleware(SecurityHeadersMiddleware, https=settings.is_https)
    install_error_handlers(app)
    app.include_router(health.router)
    app.include_router(metrics.router)
    app.include_router(auth.router)
    app.include_router(me.router)
    app.include_router(ai.router)
    app.include_router(conversations.router)
    app.include_router(documents.router)
    app.include_router(billing.router)
    app.include_router(usage.router)
    app.include_router(app_config.router)
    app.include_router(admin.router)
    pages.install(app)  # assets, and the app's page for any path no route answers
    return app
