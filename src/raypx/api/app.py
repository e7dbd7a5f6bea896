"""`create_app(settings)`: the FastAPI application. Nothing connects until the app starts."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from sqlalchemy.engine import URL

from raypx import __version__, offload
from raypx.ai import chat
from raypx.ai.runtime import AIRuntime
from raypx.api.errors import install_error_handlers
from raypx.api.middleware import BodyLimitMiddleware, SecurityHeadersMiddleware
from raypx.api.outage import install_outage_handlers
from raypx.api.routes import (
    admin,
    ai,
    app_config,
    ask,
    auth,
    auth_deps,
    billing,
    conversations,
    docs,
    documents,
    health,
    me,
    metrics,
    openai,
    search,
    usage,
)
from raypx.api.session_check import SessionCheckFastPath
from raypx.db.direct import open_direct_pool
from raypx.db.engine import create_engine, create_session_factory, resolve_database_url
from raypx.gateway import streams
from raypx.jobs.in_process import start_in_process_worker
from raypx.settings import Settings
from raypx.telemetry import tracing
from raypx.telemetry.http_metrics import RequestMetricsMiddleware
from raypx.telemetry.pool_metrics import keep_sampling_pools
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
        app.state.direct_pool = open_direct_pool(url, settings)
        worker = await start_in_process_worker(settings, url, app.state.session_factory)
        sampler = asyncio.create_task(keep_sampling_pools(engine, app.state.direct_pool))
        try:
            yield
        finally:
            sampler.cancel()
            if worker is not None:
                await worker.stop()
            await auth_deps.close_limiter(app.state)
            await chat.drain(within=CHAT_DRAIN_SECONDS)
            await streams.drain(within=CHAT_DRAIN_SECONDS)
            await app.state.ai.providers.aclose()
            await app.state.direct_pool.close()
            await engine.dispose()
            offload.stop_running()  # CPU work nobody awaits any more must not delay the exit
            if provider is not None:
                provider.shutdown()  # sends the spans still buffered

    provider = tracing.tracer_provider(settings)
    # Spans only with an OTLP endpoint; Prometheus covers metrics, the log covers errors.
    telemetry = {"tracer_provider": provider, "metrics": False, "logs": False}
    app = FastAPI(
        title="Raypx",
        version=__version__,
        lifespan=lifespan,
        docs_url=None,  # served by routes.docs, from local files
        redoc_url=None,
        openapi_url="/api/openapi.json",
        **({"telemetry": telemetry} if provider is not None else {}),  # type: ignore[arg-type]
    )
    app.state.settings = settings
    app.state.ai = AIRuntime.from_settings(settings)
    # Inside the security headers, so a 413 carries them too; the upload streams its own cap.
    uploads = frozenset({documents.UPLOAD_PATH})
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes, exempt=uploads)
    app.add_middleware(SessionCheckFastPath)  # innermost of ours: headers and metrics apply
    app.add_middleware(SecurityHeadersMiddleware, https=settings.is_https)
    app.add_middleware(RequestMetricsMiddleware)  # outermost: times the whole response
    install_error_handlers(app)
    install_outage_handlers(app)
    app.include_router(health.router)
    app.include_router(docs.router)
    app.include_router(metrics.router)
    app.include_router(auth.router)
    app.include_router(me.router)
    app.include_router(ai.router)
    app.include_router(conversations.router)
    app.include_router(ask.router)
    app.include_router(documents.router)
    app.include_router(search.router)
    app.include_router(billing.router)
    app.include_router(usage.router)
    app.include_router(openai.router)
    app.include_router(app_config.router)
    app.include_router(admin.router)
    pages.install(app)  # assets, and the app's page for any path no route answers
    return app
