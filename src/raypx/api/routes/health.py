"""Liveness and readiness probes."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text

from raypx.api.deps import SessionFactoryDep
from raypx.api.outage import RETRY_AFTER_SECONDS
from raypx.api.routes.auth_deps import read_pool
from raypx.db import migrate

router = APIRouter(tags=["health"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process is up (no database involved)."""
    return {"status": "ok"}


@router.get("/readyz", response_model=None)
async def readyz(request: Request, factory: SessionFactoryDep) -> JSONResponse | dict[str, str]:
    """Ready: the database answers through every pool requests use (the ORM's and the direct
    read pool), and is at the migration head this code needs."""
    head = migrate.head_revision()
    try:
        async with factory() as session:
            row = await session.execute(text("SELECT version_num FROM alembic_version"))
            current = row.scalar_one_or_none()
        pool = read_pool(request)
        if pool is not None:
            await pool.check()
    except Exception as exc:
        reason = type(exc).__name__
        return JSONResponse(
            {
                "status": "unavailable",
                "message": f"database unreachable ({reason})",
                "code": "DATABASE_UNAVAILABLE",
            },
            status_code=503,
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    if current != head:
        return JSONResponse(
            {
                "status": "unavailable",
                "message": f"database at migration {current}, need {head}",
                "code": "MIGRATION_REQUIRED",
            },
            status_code=503,
        )
    return {"status": "ready", "migration": head}
